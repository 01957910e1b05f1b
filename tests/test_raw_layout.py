"""Every entry of data/raw/ is accounted for: an input the ingest reads, README.md, or one
plain problem naming it. Nothing is ignored in silence, and the audit lists as inputs only
what was read."""

from __future__ import annotations

import json

import pytest

from pipeline import audit, ingest, rawfiles
from pipeline.core_stages import run_core
from pipeline.errors import InputError


def refused(project):
    with pytest.raises(InputError) as exc:
        ingest.run(project)
    return {(p.file, p.check) for p in exc.value.problems}


@pytest.mark.parametrize("name", ["nsk_2025.CSV", "nsk_2027.csv.txt", "nsk_2028", ".nsk_2029.swp"])
def test_a_release_file_of_another_name_is_refused(project, name):
    (project.raw_releases / name).write_text("series\n", encoding="utf-8")
    assert refused(project) == {(f"data/raw/releases/{name}", "unknown_file")}


def test_a_folder_named_like_a_csv_is_refused(project):
    (project.raw_releases / "x.csv").mkdir()
    assert refused(project) == {("data/raw/releases/x.csv", "unexpected_folder")}


def test_links_that_lead_nowhere_or_out_of_raw_are_refused(project, tmp_path):
    (project.raw_releases / "gone.csv").symlink_to(project.root / "nowhere.csv")
    outside = tmp_path / "outside.csv"
    outside.write_text("x\n", encoding="utf-8")
    (project.raw_releases / "outside.csv").symlink_to(outside)
    assert refused(project) == {
        ("data/raw/releases/gone.csv", "broken_link"),
        ("data/raw/releases/outside.csv", "link_out_of_raw"),
    }


def test_a_stray_file_at_the_top_is_refused(project):
    (project.raw / "notes.txt").write_text("to do\n", encoding="utf-8")
    assert refused(project) == {("data/raw/notes.txt", "unknown_file")}


@pytest.mark.slow
def test_the_audit_lists_only_what_was_read(project):
    run_core(project)
    audit.run(project)
    report = json.loads((project.audit / "audit.json").read_text(encoding="utf-8"))
    inputs = set(report["inputs_sha256"])
    read, _ = rawfiles.raw_inputs(project)
    assert inputs == {project.relative(p) for p in read} | {"params.yaml"}
    assert not any(name.endswith("README.md") for name in inputs)


def test_a_link_inside_raw_is_an_input(project):
    target = project.raw_releases / "nsk_2024.csv"
    (project.raw_releases / "nsk_2024_link.csv").symlink_to(target)
    # the same file twice is a duplicated release: read, and refused as such
    assert {check for _, check in refused(project)} == {"duplicate_release"}


def test_an_output_that_cannot_be_replaced_is_one_line(project, monkeypatch, capsys):
    """An output that cannot be replaced (a read-only or immutable file; simulated, as root
    may write anywhere): the stage ends with one line naming it, exit 1, no traceback."""
    import os

    from pipeline import io, tables
    from pipeline.stage import stage_main

    run_core(project)
    target = project.tables / "table_1_1.csv"

    def refuse(src, dst):
        raise PermissionError(1, "Operation not permitted", str(src), None, str(dst))  # as the OS raises it

    monkeypatch.setattr(io.os, "replace", refuse)
    with pytest.raises(SystemExit) as exc:
        stage_main(lambda: tables.run(project), "tables")
    assert exc.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("noegletal tables: Operation not permitted: ") and err.endswith(".csv")
    assert "outputs/tables/table_1_" in err  # the output, not the temporary file
    assert "\n" not in err and os.path.exists(target)
