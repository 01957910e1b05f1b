"""The corpus of bad inputs (tests/bad_inputs/): each case fails with its expected check,
file, line and column, a non-zero exit, and leaves every earlier output byte-identical."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import polars as pl
import pytest

from pipeline import ingest, schemas
from pipeline.core_stages import run_core
from pipeline.errors import InputError

from conftest import IN_PROCESS, IN_PROCESS_IDS, copy_project, run_stage

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = list(csv.DictReader((CORPUS / "cases.csv").open(encoding="utf-8")))


def snapshot(paths) -> dict[str, str]:
    roots = [paths.root / "data" / d for d in ("validated", "derived")] + [paths.outputs]
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for root in roots
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    paths = copy_project(tmp_path_factory.mktemp("corpus"))
    run_core(paths)
    return paths


def place(paths, case) -> tuple[Path, str, bytes | None]:
    """Put the case's file where it belongs; return the path, its name in messages, and the
    original content of the file it changed (to restore)."""
    content = (CORPUS / f"{case['case']}.csv").read_bytes()
    if case["target"] == "series_append":
        target = paths.raw_series
        original = target.read_bytes()
        target.write_bytes(original + content)
        return target, "data/raw/series.csv", original
    folder = {"releases": paths.raw_releases, "published": paths.raw_published, "statements": paths.raw_statements}[
        case["target"]
    ]
    target = folder / f"zz_{case['case']}.csv"
    target.write_bytes(content)
    return target, paths.relative(target), None


def expected_line(paths, case, original):
    if case["target"] == "series_append":
        return original.count(b"\n") + 1
    return int(case["line"]) if case["line"] else None


def test_corpus_is_large_enough():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_case_fails_with_its_location(project, case):
    before = snapshot(project)
    target, shown, original = place(project, case)
    try:
        with pytest.raises(InputError) as exc:
            ingest.run(project)
        found = {(p.file, p.line, p.column, p.check) for p in exc.value.problems}
        want = (shown, expected_line(project, case, original), case["column"] or None, case["check"])
        assert want in found, (want, found)
        assert snapshot(project) == before
    finally:
        if original is None:
            target.unlink()
        else:
            target.write_bytes(original)


# each case starts Python anew: one in the fast tier, the others in the slow one
@pytest.mark.parametrize("in_process", IN_PROCESS, ids=IN_PROCESS_IDS)
@pytest.mark.parametrize("name", ["negative_count", "windows1252", "formula_in_source"])
def test_case_exits_non_zero_from_the_command_line(project, name, in_process):
    case = next(c for c in CASES if c["case"] == name)
    before = snapshot(project)
    target, shown, _ = place(project, case)
    try:
        code, stderr = run_stage("ingest", project.root, in_process)
        assert code == 1
        assert shown in stderr and case["check"] in stderr
        assert "Traceback" not in stderr
        assert snapshot(project) == before
    finally:
        target.unlink()


def test_duplicated_release_is_refused(project):
    copy = project.raw_releases / "nsk_2024_kopi.csv"
    shutil.copy(project.raw_releases / "nsk_2024.csv", copy)
    try:
        with pytest.raises(InputError) as exc:
            ingest.run(project)
        checks = {(p.file, p.check) for p in exc.value.problems}
        assert ("data/raw/releases/nsk_2024_kopi.csv", "duplicate_release") in checks
        assert ("data/raw/releases/nsk_2024.csv", "duplicate_release") in checks
    finally:
        copy.unlink()


def test_fifty_megabytes_of_junk_is_refused_quickly(project):
    junk = project.raw_releases / "junk.csv"
    block = bytes(range(256)) * 4096  # 1 MiB of every byte value
    junk.write_bytes(block * 50)
    try:
        with pytest.raises(InputError) as exc:
            ingest.run(project)
        assert {p.file for p in exc.value.problems} == {"data/raw/releases/junk.csv"}
    finally:
        junk.unlink()


@pytest.mark.parametrize("variant", ["bom", "trailing_spaces"])
def test_documented_leniencies_are_accepted(project, variant):
    """The format tolerates a UTF-8 byte-order mark and spaces around fields (documented)."""
    header = ",".join(schemas.RELEASE_COLUMNS)
    row = "sigtelser , 2025 , 1.520 , 6 ,,, flow , sigtelser , final , NSK , Nøgletal , 2025 ,,,"
    text = header + "\n" + (row if variant == "trailing_spaces" else row.replace(" ", "")) + "\n"
    data = text.encode("utf-8")
    target = project.raw_releases / f"ok_{variant}.csv"
    target.write_bytes(b"\xef\xbb\xbf" + data if variant == "bom" else data)
    try:
        ingest.run(project)
        figures = pl.read_parquet(project.validated_figures)
        read = figures.filter(pl.col("source_file") == f"data/raw/releases/ok_{variant}.csv")
        # the mark and the spaces are gone: the row reads exactly as the clean row would
        assert read.select(
            "series",
            "reference_year",
            "value",
            "months_covered",
            "kind",
            "unit",
            "status",
            "publisher",
            "published",
            "source_line",
        ).rows() == [("sigtelser", 2025, 1520.0, 6, "flow", "sigtelser", "final", "NSK", "2025", 2)]
    finally:
        target.unlink()
        run_core(project)


def test_the_corpus_readme_lists_every_case():
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    missing = [c["case"] for c in CASES if f"`{c['case']}`" not in readme]
    assert not missing, f"tests/bad_inputs/README.md lacks {missing}"
