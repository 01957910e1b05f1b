"""Bad raw input: every problem reported with file, line and column; nothing written."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import ingest
from pipeline.core_stages import run_core
from pipeline.errors import InputError
from pipeline.schemas import RELEASE_COLUMNS

from conftest import IN_PROCESS, IN_PROCESS_IDS, run_stage, write_release

HEADER = ",".join(RELEASE_COLUMNS) + "\n"
GOOD = "sigtelser,2025,1.520,6,,,flow,sigtelser,final,National enhed for Særlig Kriminalitet,Nøgletal,2025,,,"


def problems_for(project, rows):
    write_release(project, "bad_2025", rows)
    with pytest.raises(InputError) as exc:
        ingest.run(project)
    return exc.value.problems


@pytest.mark.parametrize(
    ("row", "column", "check"),
    [
        (GOOD.replace(",1.520,", ",-5,"), "value", "non_negative"),
        (GOOD.replace(",1.520,", ",1.5.20,"), "value", "number_format"),
        (GOOD.replace(",1.520,", ",1.52,"), "value", "number_format"),
        (GOOD.replace(",1.520,", ",NA,"), "value", "number_format"),
        (GOOD.replace(",1.520,", ",,"), "value", "not_nullable"),
        (GOOD.replace(",6,", ",13,"), "months_covered", "months_in_range"),
        (GOOD.replace(",6,", ",0,"), "months_covered", "months_in_range"),
        (GOOD.replace(",2025,1.520", ",1899,1.520"), "reference_year", "plausible_year"),
        (GOOD.replace("sigtelser,2025", "sigtelsr,2025"), "series", "known_series"),
        (GOOD.replace(",1.520,", ",12,5,"), None, "field_count"),
        (
            "medlemmer,2025,1.300,6,,2025-06-30,stock,personer,final,NSK,Nøgletal,2025,,,",
            "months_covered",
            "stock_not_partial_flow",
        ),
        (
            "medlemmer,2025,1.300,,,2024-06-30,stock,personer,final,NSK,Nøgletal,2025,,,",
            "count_date",
            "count_date_in_year",
        ),
        ('medlemmer,2025,"1.300,5",,,2025-06-30,stock,personer,final,NSK,Nøgletal,2025,,,', "value", "whole_number"),
        ("medlemmer,2025,1.300,6,,,flow,personer,final,NSK,Nøgletal,2025,,,", "kind", "kind_matches_series"),
    ],
)
def test_bad_row_is_located(project, row, column, check):
    problems = problems_for(project, [row])
    found = [(p.file, p.line, p.column, p.check) for p in problems]
    assert ("data/raw/releases/bad_2025.csv", 2, column, check) in found, found


def test_duplicated_year_names_both_lines(project):
    problems = problems_for(project, [GOOD, GOOD.replace("1.520", "1.600")])
    lines = sorted(p.line for p in problems if p.check == "unique_in_release")
    assert lines == [2, 3]


def test_every_problem_is_reported_in_one_run(project):
    rows = [GOOD.replace(",1.520,", ",-5,"), GOOD.replace("2025,1.520,6", "2025,1.5.20,13")]
    rows[1] = rows[1].replace("sigtelser,2025", "draebte,2025").replace(",sigtelser,final", ",personer,final")
    problems = problems_for(project, rows)
    checks = {(p.line, p.check) for p in problems}
    assert {(2, "non_negative"), (3, "number_format"), (3, "months_in_range")} <= checks


def test_danish_thousands_are_read_as_thousands(project):
    write_release(project, "ok_2025", [GOOD])
    run_core(project)
    import polars as pl

    figures = pl.read_parquet(project.validated_figures)
    assert figures.filter(pl.col("release_id") == "ok_2025")["value"].to_list() == [1520.0]


@pytest.mark.parametrize("in_process", IN_PROCESS, ids=IN_PROCESS_IDS)
@pytest.mark.parametrize("bad", ["-5", "1.5.20", "13"])
def test_failing_run_exits_non_zero_and_writes_nothing(project, bad, in_process):
    run_core(project)
    before = {p: p.read_bytes() for p in sorted(project.root.glob("data/*/*")) if p.is_file()}
    before |= {p: p.read_bytes() for p in sorted(project.outputs.rglob("*")) if p.is_file()}
    row = GOOD.replace(",1.520,", f",{bad},") if bad != "13" else GOOD.replace(",6,", ",13,")
    write_release(project, "bad_2025", [row])
    code, stderr = run_stage("ingest", project.root, in_process)
    assert code == 1
    assert "data/raw/releases/bad_2025.csv, line 2" in stderr
    after = {p: p.read_bytes() for p in sorted(project.root.glob("data/*/*")) if p.is_file()}
    after |= {p: p.read_bytes() for p in sorted(project.outputs.rglob("*")) if p.is_file()}
    # validation refused: the validated data and everything after it are as they were
    for path, content in before.items():
        assert after[path] == content, path
    assert set(after) == set(before)


@pytest.mark.parametrize(
    ("content", "check"),
    [
        (b"", "empty_file"),
        (b"series,reference_year,value\n", "missing_column"),
        (HEADER.replace("series,", "serie,").encode(), "unknown_column"),
        (b"series;reference_year\n", "separator"),
        (HEADER.encode(), "no_rows"),
        (
            (HEADER + "saarede,2025,2,6,,,flow,personer,final,Københavns Politi,x,2025,,,\n").encode("cp1252"),
            "encoding",
        ),
    ],
)
def test_bad_file_is_refused(project, content, check):
    (project.raw_releases / "bad.csv").write_bytes(content)
    with pytest.raises(InputError) as exc:
        ingest.run(project)
    assert check in {p.check for p in exc.value.problems}
    assert all(p.file == "data/raw/releases/bad.csv" for p in exc.value.problems)
    assert not project.validated.exists()


def test_misspelt_column_gets_a_suggestion(project):
    header = HEADER.replace("reference_year", "reference_yaer")
    (project.raw_releases / "bad.csv").write_text(header + GOOD + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        ingest.run(project)
    messages = [p.message for p in exc.value.problems if p.check == "unknown_column"]
    assert messages and "did you mean 'reference_year'" in messages[0]


def test_utf8_bom_is_accepted(project):
    path = write_release(project, "bom_2025", [GOOD])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    ingest.run(project)
    figures = pl.read_parquet(project.validated_figures)
    read = figures.filter(pl.col("source_file") == "data/raw/releases/bom_2025.csv")
    # the mark is not part of the first column's name or its first field
    assert read.select("series", "reference_year", "value", "months_covered", "source_line").rows() == [
        ("sigtelser", 2025, 1520.0, 6, 2)
    ]
