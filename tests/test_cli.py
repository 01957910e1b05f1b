"""The command line, as a user calls it."""

from __future__ import annotations

import os

from typer.testing import CliRunner

from pipeline.cli import app

from conftest import dvc_not_asked

runner = CliRunner()


def invoke(built, *args):
    with dvc_not_asked():  # the built copy is not a DVC repository
        return runner.invoke(app, list(args), env=os.environ | {"NOEGLETAL_ROOT": str(built.root), "COLUMNS": "200"})


def test_explain_shows_inputs_method_and_published_value(built):
    result = invoke(built, "explain", "sigtelser", "2024")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "2.181 sigtelser" in out and "9 måneder" in out
    assert "data/raw/releases/nsk_2024.csv line" in out
    assert "2.181 / 9 = 242,33" in out and "× 12 = 2.908,00" in out
    assert "rounded (half_up): 2.908" in out
    # the audit's verdict on VIVE's printed estimate, as audit.json gives it
    assert "exact full-year estimate" in out or "consistent full-year estimate" in out
    # the report's "242 a month" is the rounded mean: 242 × 12 gives 2.904, not 2.908
    assert "242 sigtelser i gennemsnit om måneden" in out and "2.904" in out


def test_explain_unknown_series_fails(built):
    result = invoke(built, "explain", "nosuch", "2024")
    assert result.exit_code != 0


def test_table_formats(built):
    csv_out = invoke(built, "table", "1.2", "--format", "csv")
    assert csv_out.exit_code == 0 and "2.181 (2.908)*" in csv_out.output
    md = invoke(built, "table", "1.3", "--format", "markdown")
    assert "| Dræbte | 6 | 4 | 4 | 2 (3) |" in md.output
    term = invoke(built, "table", "1.1")
    assert term.exit_code == 0 and "1.520" in term.output
    assert invoke(built, "table", "9.9").exit_code == 2


def test_every_command_has_help(built):
    for command in ("run", "table", "explain"):
        result = invoke(built, command, "--help")
        assert result.exit_code == 0 and len(result.output) > 50
