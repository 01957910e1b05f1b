"""The release scan (pipeline/release_scan.py) against the row path of pipeline/ingest.py.

The scan may only answer when the row path would accept the same files, and must then give
the very same national figures; whenever the row path finds a problem, the scan must leave
the files to it (return None)."""

from __future__ import annotations

import csv
import io
import shutil

import polars as pl
import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st
from polars.testing import assert_frame_equal

from pipeline import db, ingest, rawfiles, release_scan, schemas
from pipeline.paths import Paths

from conftest import REPO, copy_project
from test_bad_inputs import CASES, CORPUS

KEY = ["release_id", "series", "reference_year"]
# the release columns with the optional monthly and regional ones (not `exceptional`: an
# optional column may be left out, and these files' rows are written for this header)
HEADER = [*schemas.RELEASE_COLUMNS, "month", "region"]
PUBLISHER = ("final", "NSK", "Nøgletal", "2026")


def both_paths(paths):
    """(figures from the scan or None, figures and problems from the row path)."""
    reader = ingest._Reader(paths)
    con = db.connect()
    series = ingest._query(
        con,
        paths,
        "stg_raw__series",
        {"raw_series": reader.read(paths.raw_series, schemas.SERIES_COLUMNS, schemas.OPTIONAL_SERIES_COLUMNS)},
        ("number_pattern",),
    )
    scanned = release_scan.scan(paths, series, reader.release_files())
    if scanned is not None:
        scanned = ingest._with_lines(reader, scanned, series, paths).sort(KEY)
    rows, problems = ingest.release_figures(reader, series, paths)
    return scanned, (rows.sort(KEY) if not rows.is_empty() else rows), problems + reader.problems


def assert_scan_agrees(paths):
    scanned, rows, problems = both_paths(paths)
    if problems:
        assert scanned is None, f"the scan accepted what the row path refuses: {problems[:3]}"
    else:
        assert scanned is not None, "the scan refused what the row path accepts"
        # values are summed exactly (as decimals): the two orders of adding give the same bits
        assert_frame_equal(scanned, rows, check_exact=True)
    return scanned, problems


def monthly_release(
    series="skudepisoder",
    year=2026,
    months=3,
    regions=("Nord", "Syd"),
    value="2",
    kind="flow",
    unit="skudepisoder",
    note="",
):
    return [
        [series, str(year), value, "", "", "", kind, unit, *PUBLISHER, "", "", note, str(m), r]
        for r in regions
        for m in range(1, months + 1)
    ]


def write(paths, name: str, rows: list[list[str]], header=HEADER) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    (paths.raw_releases / f"{name}.csv").write_text(out.getvalue(), encoding="utf-8")


def test_scan_answers_for_the_shipped_data(project):
    scanned, _ = assert_scan_agrees(project)
    assert scanned is not None and scanned["source_line"].null_count() == 0  # every figure on one row


def test_scan_answers_for_monthly_regional_data(project):
    write(project, "zz_monthly", monthly_release(months=9) + monthly_release(series="sigtelser", unit="sigtelser"))
    write(project, "zz_national_monthly", monthly_release(year=2025, months=12, regions=("",)))
    scanned, _ = assert_scan_agrees(project)
    row = scanned.filter(release_id="zz_monthly", series="skudepisoder").row(0, named=True)
    assert (row["value"], row["months_covered"], row["rows_aggregated"], row["regions"]) == (36, 9, 18, 2)
    assert row["source_line"] is None  # a sum of rows has no one line
    single = scanned.filter(release_id="nsk_2024", series="sigtelser").row(0, named=True)
    assert single["source_line"] == 3


# Checks on the national figures (after either path has summed the rows), not on rows: the
# scan rightly answers for such files, and the ingest refuses them afterwards (the corpus test).
NATIONAL_CHECKS = {"plausible_max", "published_in_future", "year_in_future"}
RELEASE_CASES = [c for c in CASES if c["target"] == "releases" and c["check"] not in NATIONAL_CHECKS]


@pytest.mark.parametrize("case", RELEASE_CASES, ids=[c["case"] for c in RELEASE_CASES])
def test_scan_leaves_every_bad_release_to_the_row_reader(project, case):
    shutil.copy(CORPUS / f"{case['case']}.csv", project.raw_releases / f"zz_{case['case']}.csv")
    scanned, problems = assert_scan_agrees(project)
    assert problems and scanned is None


@pytest.mark.parametrize("note", ['ab"c', "a\tb", 'say "hi"'])
def test_quotes_and_control_characters_in_text(project, note):
    """DuckDB reads an unquoted a"b that the row reader refuses; a tab and a properly quoted
    quote are fine for both."""
    header = ",".join(HEADER)
    row = ",".join(["draebte", "2026", "1", "12", "", "", "flow", "personer", *PUBLISHER, "", "", "{note}", "", ""])
    quoted = '"' + note.replace('"', '""') + '"' if note.startswith("say") else note
    (project.raw_releases / "zz_text.csv").write_text(f"{header}\n{row.format(note=quoted)}\n", encoding="utf-8")
    scanned, problems = assert_scan_agrees(project)
    assert (scanned is not None) == (note != 'ab"c')


@pytest.mark.parametrize(
    "line", [",,,,,,,,,,,,,,,,", '"","","","","","","","","","","","","","","","",""', "  ", ",,,,,,,,,,,,,,,,,"]
)
def test_blank_looking_records(project, line):
    """A record of commas is blank for both readers (one comma too many is a field too
    many); a record of "" is not (the row reader reads empty texts and refuses a blank
    series); spaces alone are a one-field record."""
    write(project, "zz_blanks", monthly_release())
    path = project.raw_releases / "zz_blanks.csv"
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    scanned, problems = assert_scan_agrees(project)
    assert (scanned is not None) == (line == ",,,,,,,,,,,,,,,,")


ROW = "skudepisoder,2026,{value},,,,flow,skudepisoder,final,NSK,Nøgletal,2026,,,{note},{month},Nord"


@pytest.mark.parametrize(
    "case",
    [
        ("series", ' "skudepisoder",2026,2,,,,flow,skudepisoder,final,NSK,Nøgletal,2026,,,,1,Nord'),
        ("value after quote", ROW.format(value='"2" ', note="", month="1")),
        ("value before quote", ROW.format(value=' "2"', note="", month="1")),
        ("month after quote", ROW.format(value="2", note="", month='"1" ')),
        ("note before quote", ROW.format(value="2", note=' "x"', month="1")),
        ("note before quoted comma", ROW.format(value="2", note=' "a,b"', month="1")),
        ("arabic-indic digit", ROW.format(value="\u0663", note="", month="1")),
        ("carriage return first", "\r" + ROW.format(value="2", note="", month="1")),
        ("trailing comma", ROW.format(value="2", note="", month="1") + ","),
        ("trailing commas", ROW.format(value="2", note="", month="1") + ",,,"),
    ],
    ids=lambda c: c[0],
)
def test_readers_disagree_around_quotes(project, case):
    """Bytes DuckDB's reader and the row reader read differently (found in review): spaces
    beside quotes, a carriage return after the header, digits of other scripts."""
    header = ",".join(HEADER)
    rest = "\n".join(ROW.format(value="2", note="", month=m) for m in ("2",))
    (project.raw_releases / "zz_case.csv").write_text(f"{header}\n{case[1]}\n{rest}\n", encoding="utf-8")
    assert_scan_agrees(project)


@pytest.mark.parametrize(
    "header",
    [
        ",".join(f'"{c}" ' for c in HEADER),
        ",".join(HEADER[:-1]) + ',"region\n' + ROW.format(value="2", note="", month="1") + '"',
    ],
    ids=["space after quoted names", "unclosed quote"],
)
def test_quoted_headers_are_for_the_row_reader(project, header):
    rows = "\n".join(ROW.format(value="2", note="", month=m) for m in ("1", "2"))
    (project.raw_releases / "zz_header.csv").write_text(f"{header}\n{rows}\n", encoding="utf-8")
    scanned, problems = assert_scan_agrees(project)
    assert problems and scanned is None


def test_a_file_name_like_a_pattern(project):
    """DuckDB reads a path with * or [ as a pattern of files; such files go to the row reader."""
    write(project, "zz_monthly", monthly_release())
    write(project, "zz_[monthly]*", monthly_release(year=2025))
    scanned, _ = assert_scan_agrees(project)
    assert scanned.filter(release_id="zz_[monthly]*")["rows_aggregated"].to_list() == [6]


def test_every_rule_is_decided_once():
    """Each release rule is decided either in SQL or on distinct values; the SQL decides no
    rule that does not exist."""
    names = {r.name for c in schemas.release_figures.columns.values() for r in c.checks}
    names |= {r.name for c in schemas.releases_together.columns.values() for r in c.checks}
    names |= {f"not_nullable:{n}" for n, c in schemas.release_figures.columns.items() if not c.nullable}
    decided = release_scan.decided_in_sql(Paths(REPO))
    assert decided <= names
    release_scan._check_rules_are_placed(decided)


def test_a_new_rule_on_a_varying_field_must_be_placed(monkeypatch):
    rule = schemas._rule(pl.col("value") < 10**9, "is implausibly large", "plausible_value")
    column = schemas.release_figures.columns["value"]
    monkeypatch.setattr(column, "checks", [*column.checks, rule])
    with pytest.raises(AssertionError, match="plausible_value"):
        release_scan._check_rules_are_placed(release_scan.decided_in_sql(Paths(REPO)))


# -- property: random monthly regional releases, each mutated a little --------------------


@pytest.fixture(scope="module")
def empty_project(tmp_path_factory):
    paths = copy_project(tmp_path_factory.mktemp("scan"))
    for path in paths.raw_releases.glob("*.csv"):
        path.unlink()
    return paths


VALUES = ["", "-1", "1,5", "1.5.20", "x", "1.520", " 7 ", "0", "007", "2,0"]
MONTHS = ["", "0", "13", "x", " 3 ", "1", "2", "-1"]
COLUMN = {name: i for i, name in enumerate(HEADER)}


def mutate(files: list[list[list[str]]], kind: str, pick: int, choice: int) -> None:
    rows = [row for rows in files for row in rows]
    if not rows:
        return
    row = rows[pick % len(rows)]
    match kind:
        case "value":
            row[COLUMN["value"]] = VALUES[choice % len(VALUES)]
        case "month":
            row[COLUMN["month"]] = MONTHS[choice % len(MONTHS)]
        case "duplicate_row":
            files[0].append(list(row))
        case "drop_row":
            for rows_ in files:
                if row in rows_:
                    rows_.remove(row)
                    break
        case "blank_region":
            row[COLUMN["region"]] = ""
        case "stock":
            row[COLUMN["kind"]] = "stock"
        case "months_covered":
            row[COLUMN["months_covered"]] = ["12", "", "13"][choice % 3]
        case "other_release":
            files[-1].append(list(row))
        case "note":
            row[COLUMN["note"]] = ["=1+1", "<b>", 'a "b"', "ok"][choice % 4]
        case "series":
            row[COLUMN["series"]] = ["sigtelser", "ukendt", "strafmasse"][choice % 3]
        case "year":
            row[COLUMN["reference_year"]] = ["2025", " 2026", "1899", "26"][choice % 4]
        case "published":
            row[COLUMN["published"]] = ["2026-13", "2027", ""][choice % 3]


# as many examples as the profile (conftest.py): a few dozen everyday, 2.000 in CI
@pytest.mark.slow
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    months=st.integers(1, 12),
    regions=st.integers(1, 3),
    n_files=st.integers(1, 2),
    values=st.lists(st.integers(0, 30), min_size=1, max_size=5),
    mutations=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "value",
                    "month",
                    "duplicate_row",
                    "drop_row",
                    "blank_region",
                    "stock",
                    "months_covered",
                    "other_release",
                    "note",
                    "series",
                    "year",
                    "published",
                ]
            ),
            st.integers(0, 10_000),
            st.integers(0, 100),
        ),
        max_size=3,
    ),
)
def test_scan_agrees_with_the_row_path(empty_project, months, regions, n_files, values, mutations):
    for path in empty_project.raw_releases.glob("*.csv"):
        path.unlink()
    files = []
    for f in range(n_files):
        rows = monthly_release(year=2025 + f, months=months, regions=[f"R{r}" for r in range(regions)])
        for i, row in enumerate(rows):
            row[COLUMN["value"]] = str(values[i % len(values)])
        files.append(rows)
    for kind, pick, choice in mutations:
        mutate(files, kind, pick, choice)
    for f, rows in enumerate(files):
        write(empty_project, f"r{f}", rows)
    scanned, problems = assert_scan_agrees(empty_project)
    event("accepted by both" if scanned is not None else "refused by both")
    for check in sorted({p.check for p in problems}):
        event(f"row path: {check}")


# -- quoted files: read by DuckDB, in bounded memory, where both readers agree ---------------


@pytest.mark.parametrize(
    "quoting", [csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC, csv.QUOTE_MINIMAL], ids=["all", "non-numeric", "minimal"]
)
def test_quoted_files_are_scanned_like_plain_ones(project, monkeypatch, quoting):
    """A file whose quotes each open or close a whole field (a note with a comma and a quote
    in it) is read by DuckDB, not held whole by the row reader, and gives the row path's
    figures."""
    rows = monthly_release(months=9, note='a, "b" c') + monthly_release(series="sigtelser", unit="sigtelser")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=quoting)
    writer.writerow(HEADER)
    writer.writerows([[int(c) if quoting == csv.QUOTE_NONNUMERIC and c.isdigit() else c for c in r] for r in rows])
    path = project.raw_releases / "zz_quoted.csv"
    path.write_bytes(rawfiles.BOM + out.getvalue().encode("utf-8"))
    assert release_scan._quotes_read_alike(db.connect(), [path]) == {path}
    monkeypatch.setattr(release_scan, "read_csv", lambda *a, **k: pytest.fail("read by the row reader"))
    scanned, problems = assert_scan_agrees(project)
    assert not problems
    row = scanned.filter(release_id="zz_quoted", series="skudepisoder").row(0, named=True)
    assert (row["value"], row["months_covered"], row["rows_aggregated"], row["note"]) == (36, 9, 18, 'a, "b" c')


@pytest.mark.parametrize("line", [' "x",1', '"x" ,1', 'a"b,1', '"a\nb",1', '"",""', '"",,', '"x"y,1', '"x'])
def test_quotes_read_differently_go_to_the_row_reader(tmp_path, line):
    path = tmp_path / "r.csv"
    path.write_bytes(f'"a",b\n{line}\n'.encode())
    assert release_scan._reading(path) == "quoted"
    assert release_scan._quotes_read_alike(db.connect(), [path]) == set()
