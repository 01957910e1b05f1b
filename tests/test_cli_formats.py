"""The command line for scripts and for people: `--format json` / `csv` give what the output
files hold; at 80 columns nothing is cut and no line is longer; `--version`; help without
type clutter; a warning when what is shown is out of date; charts exported for documents at
the size and resolution asked for (read back with Pillow, pdfinfo and pdftotext); and the
DVC metrics of two methods side by side in `dvc exp show`."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from PIL import Image
from rich.console import Console
from typer.testing import CliRunner

from pipeline import audit, charts, compare, fmt, freshness, metrics as metric_keys, terminal
from pipeline.cli import app
from pipeline.dvc_entry import DVC
from pipeline.paths import Paths

from conftest import dvc_not_asked

runner = CliRunner()
ENV = {"DVC_NO_ANALYTICS": "1"}
GIT_ID = ["-c", "user.name=noegletal tests", "-c", "user.email=tests@example.invalid"]


def sh(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=cwd, env=os.environ | ENV | {"NOEGLETAL_ROOT": str(cwd)}, capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def repo(built, tmp_path_factory) -> Paths:
    """The outputs the commands print, made by the stages in this process on a copy of `built`
    (the core stages): the comparison, the audit, and the charts without their images (which
    need the browser; `chart export` draws them, in the slow tier). The same commands on the
    whole pipeline run through DVC: `pipeline_run`, in the slow tier."""
    paths = Paths(tmp_path_factory.mktemp("cli") / "project")
    shutil.copytree(built.root, paths.root)
    compare.run(paths)
    audit.run(paths)
    charts.export(formats=["html"], paths=paths)
    return paths


def invoke(paths: Paths, *args: str, columns: int = 80, ask_dvc: bool = False):
    """A command in this process. DVC is asked whether the outputs are current, or to bring them
    up to date, only with `ask_dvc` (seconds a command): the fixtures have just made them."""
    env = {"NOEGLETAL_ROOT": str(paths.root), "COLUMNS": str(columns)}
    if ask_dvc:
        return runner.invoke(app, list(args), env=env)
    with dvc_not_asked():
        return runner.invoke(app, list(args), env=env)


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


# --- --format json and csv ------------------------------------------------------------------


@pytest.mark.parametrize("number", ["1.1", "1.2", "1.3"])
def test_table_json_and_csv_are_the_output_files(repo, number):
    stem = repo.tables / f"table_{number.replace('.', '_')}"
    assert json.loads(ok(invoke(repo, "table", number, "--format", "json"))) == read_json(stem.with_suffix(".json"))
    assert ok(invoke(repo, "table", number, "--format", "csv")) == stem.with_suffix(".csv").read_text(encoding="utf-8")


def test_compare_json_and_csv_are_the_output_files(repo):
    stem = repo.comparison / "dk_se"
    assert json.loads(ok(invoke(repo, "compare", "--format", "json"))) == read_json(stem.with_suffix(".json"))
    assert ok(invoke(repo, "compare", "-f", "csv")) == stem.with_suffix(".csv").read_text(encoding="utf-8")


def test_audit_json_is_the_audit_file_and_csv_lists_every_finding(repo):
    report = read_json(repo.audit / "audit.json")
    assert json.loads(ok(invoke(repo, "audit", "--format", "json"))) == report
    rows = list(csv.DictReader(io.StringIO(ok(invoke(repo, "audit", "--format", "csv")))))
    sections = (
        "extrapolations",
        "statements",
        "published_values",
        "revised_since",
        "disagreements_between_releases",
        "publication_dates",
        "count_dates",
        "uncertain_dates",
    )
    assert len(rows) == sum(len(report[s]) for s in sections)
    # as in every CSV output, text a spreadsheet would run as a formula is neutralised
    assert {r["reason"] for r in rows} == {fmt.spreadsheet_safe(item["reason"]) for s in sections for item in report[s]}
    assert any(r["reason"].startswith("'-") for r in rows) == any(
        item["reason"].startswith("-") for s in sections for item in report[s]
    )


def test_backtest_json_is_the_audits_methods_and_csv_has_every_column(repo):
    methods = read_json(repo.audit / "audit.json")["methods"]
    assert json.loads(ok(invoke(repo, "backtest", "--format", "json"))) == methods
    for part in ("summary", "cases", "comparisons", "revisions"):
        rows = list(csv.DictReader(io.StringIO(ok(invoke(repo, "backtest", "-f", "csv", "--table", part)))))
        assert len(rows) == len(methods[part]) > 0
        assert set(rows[0]) == {k for r in methods[part] for k in r}
        assert [r["series" if part == "revisions" else "method"] for r in rows] == [
            r["series" if part == "revisions" else "method"] for r in methods[part]
        ]


def test_explain_json_carries_the_output_rows(repo):
    data = json.loads(ok(invoke(repo, "explain", "sigtelser", "2024", "--format", "json")))
    assert set(data) == {"figure", "reference_year", "title", "lines", "comparisons", "rows"}
    tidy = pl.read_parquet(repo.data_out / "keyfigures.parquet").filter(
        (pl.col("series") == "sigtelser") & (pl.col("reference_year") == 2024)
    )
    assert len(data["rows"]) == tidy.height > 0
    for row, expected in zip(data["rows"], tidy.iter_rows(named=True)):
        assert row["release_id"] == expected["release_id"] and row["value"] == expected["value"]
    cell = next(
        c
        for c in read_json(repo.tables / "table_1_2.json")["cells"]
        if c["series"] == "sigtelser" and c["reference_year"] == 2024
    )
    assert data["rows"][0]["value"] == cell["value"]
    assert data["comparisons"] and all(
        set(c) == {"what", "computed", "printed", "match", "verdict", "reason", "finding"} for c in data["comparisons"]
    )

    ratio = json.loads(ok(invoke(repo, "explain", "rate_ratio", "2024", "-f", "json")))
    figures = read_json(repo.comparison / "dk_se.json")["figures"]
    assert ratio["rows"] == [f for f in figures if f["reference_year"] == 2024]


def test_chart_list_json_holds_each_charts_metadata(repo):
    listed = json.loads(ok(invoke(repo, "chart", "list", "--format", "json")))
    assert [c["name"] for c in listed] == list(charts.CHARTS)
    for entry in listed:
        assert entry["metadata"] == read_json(repo.outputs / "charts" / f"{entry['name']}.json")
        written = (repo.outputs / "charts").glob(f"{entry['name']}.*")
        assert entry["files"] == sorted(f"outputs/charts/{path.name}" for path in written)
        assert f"outputs/charts/{entry['name']}.json" in entry["files"]
    rows = list(csv.DictReader(io.StringIO(ok(invoke(repo, "chart", "list", "-f", "csv")))))
    assert [(r["name"], r["title"]) for r in rows] == [(n, s.title) for n, s in charts.CHARTS.items()]


def test_a_format_a_command_does_not_have_is_refused(repo):
    result = invoke(repo, "explain", "sigtelser", "2024", "--format", "csv")
    assert result.exit_code == 2 and "csv" in result.output


# --- 80 columns -------------------------------------------------------------------------------


def assert_fits(out: str, width: int = 80) -> None:
    assert "…" not in out
    long = [line for line in out.splitlines() if len(line) > width]
    assert not long, f"lines over {width} characters: {long}"


def words(text: str) -> list[str]:
    return text.split()


@pytest.mark.parametrize("number", ["1.1", "1.2", "1.3"])
def test_tables_fit_80_columns_with_every_value_whole(repo, number):
    out = ok(invoke(repo, "table", number))
    assert_fits(out)
    table = read_json(repo.tables / f"table_{number.replace('.', '_')}.json")
    shown = words(out)
    for row in table["rows"]:
        for text in row:
            assert all(word in shown for word in words(text)), text
    assert " ".join(words(table["note"])) in " ".join(shown)


def test_compare_fits_80_columns_and_says_the_comparability_reason_once(repo):
    out = ok(invoke(repo, "compare"))
    assert_fits(out)
    data = read_json(repo.comparison / "dk_se.json")
    flowing = " ".join(words(out))
    reasons = {f["comparability_reason"] for f in data["figures"]}
    assert len(data["rows"]) > 1 and len(reasons) == 1  # the shipped data: one reason for every year …
    assert flowing.count(" ".join(words(reasons.pop()))) == 1  # … said once
    for row in data["rows"]:
        assert all(word in flowing for word in words(" ".join(row[:6])))
    assert len(out.splitlines()) < 12 * len(data["rows"])  # not a cell a line


def test_backtest_fits_80_columns_with_whole_identifiers(repo):
    out = ok(invoke(repo, "backtest"))
    assert_fits(out)
    methods = read_json(repo.audit / "audit.json")["methods"]
    shown = words(out)
    for case in methods["cases"]:
        assert case["release_id"] in shown and case["series"] in shown and case["method"] in shown


def test_other_commands_fit_80_columns(repo):
    for args in (["audit"], ["explain", "sigtelser", "2024"], ["explain", "rate_ratio", "2024"], ["chart", "list"]):
        assert_fits(ok(invoke(repo, *args)))


CELL = st.text(
    st.characters(whitelist_categories=("Ll", "Lu", "Nd"), whitelist_characters="().,–-*"), min_size=1, max_size=14
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(1, 14).flatmap(
        lambda n: st.tuples(
            st.lists(st.lists(CELL, max_size=3).map(" ".join), min_size=n, max_size=n),
            st.lists(
                st.lists(st.lists(CELL, max_size=6).map(" ".join), min_size=n, max_size=n), min_size=1, max_size=8
            ),
        )
    )
)
def test_any_table_fits_without_a_cut(table):
    """As is, turned or as blocks: at 80 columns no line is longer, nothing is cut, every word shows."""
    header, rows = table
    buffer = io.StringIO()
    console = Console(file=buffer, width=80, color_system=None)
    console.print(terminal.fitted(console, header, rows, corner="År"))
    out = buffer.getvalue()
    assert_fits(out)
    for text in [*header[1:], *(cell for row in rows for cell in row)]:
        for word in words(text):  # whole, with at most a block's colon after it
            assert re.search(rf"(?<!\S){re.escape(word)}:?(?!\S)", out), (word, out)


# --- --version, help, stale outputs -------------------------------------------------------------


def test_version_is_the_package_version(repo):
    assert ok(invoke(repo, "--version")).strip() == f"noegletal {version('noegletal')}"


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["run"],
        ["table"],
        ["compare"],
        ["audit"],
        ["backtest"],
        ["explain"],
        ["chart"],
        ["chart", "list"],
        ["chart", "export"],
    ],
)
def test_help_has_no_type_clutter(repo, command):
    out = ok(invoke(repo, *command, "--help"))
    assert "Usage" in out
    assert not re.search(r"<(str|bool|int|float|path|list\[\w+\])>", out), out
    assert_fits(out)


def test_dvcs_answer_is_one_warning_naming_each_stage_and_change(repo, monkeypatch):
    """`dvc status --json` as DVC words it (canned here; asked for real in the slow tier, below)
    becomes one warning on stderr; the JSON on stdout stays clean."""
    reported = {
        "extrapolate": [{"changed deps": {"params.yaml": {"extrapolation": "modified"}}}],
        "compare": [{"changed outs": {"outputs/comparison": "deleted"}}, "always changed"],
    }
    asked = []

    def dvc(cmd, **kwargs):
        asked.append(cmd)
        return subprocess.CompletedProcess(cmd, 0, json.dumps(reported), "")

    monkeypatch.setattr(freshness.subprocess, "run", dvc)
    result = invoke(repo, "compare", "--format", "json", ask_dvc=True)
    assert json.loads(result.stdout) == read_json(repo.comparison / "dk_se.json")
    assert asked == [[*DVC, "status", "--json", "--with-deps", "compare"]]
    warning = " ".join(result.stderr.split())
    assert warning.count("warning:") == 1
    assert "extrapolate (params.yaml: extrapolation modified)" in warning
    assert "compare (outputs/comparison deleted, always changed)" in warning

    def no_dvc(cmd, **kwargs):
        return subprocess.CompletedProcess(cmd, 1, "", "ERROR: you are not inside of a DVC repository\n")

    monkeypatch.setattr(freshness.subprocess, "run", no_dvc)
    result = invoke(repo, "table", "1.1", "--format", "csv", ask_dvc=True)
    assert result.exit_code == 0
    assert "(dvc status: you are not inside of a DVC repository)" in " ".join(result.stderr.split())


@pytest.mark.slow  # asks DVC (a process each)
def test_stale_outputs_are_named_with_their_stage(pipeline_run):
    repo = pipeline_run
    assert "out of date" not in invoke(repo, "compare", ask_dvc=True).stderr
    params = repo.params.read_text(encoding="utf-8")
    try:
        repo.params.write_text(params.replace("rounding: half_up", "rounding: half_even"), encoding="utf-8")
        result = invoke(repo, "compare", "--format", "json", ask_dvc=True)
        assert json.loads(result.stdout)  # the warning is on stderr: the JSON stays clean
        assert "out of date" in result.stderr and "extrapolate" in result.stderr
        assert "extrapolate" in invoke(repo, "table", "1.3", ask_dvc=True).stderr
    finally:
        repo.params.write_text(params, encoding="utf-8")
    assert "out of date" not in invoke(repo, "table", "1.3", ask_dvc=True).stderr


# --- charts for documents -------------------------------------------------------------------------


@pytest.mark.slow  # draws in the browser
def test_default_export_is_a_png_of_16_cm_at_300_dpi(repo):
    ok(invoke(repo, "chart", "export", "medlemmer"))
    image = Image.open(repo.outputs / "export" / "medlemmer.png")
    assert image.format == "PNG" and image.size[0] == round(16 / 2.54 * 300) == 1890
    assert [round(d) for d in image.info["dpi"]] == [300, 300]


@pytest.mark.slow  # draws in the browser
def test_png_and_jpg_record_the_dpi_and_have_the_pixels_asked_for(repo, tmp_path):
    ok(
        invoke(
            repo,
            "chart",
            "export",
            "sigtelser_strafmasse",
            "--width",
            "1200px",
            "--dpi",
            "150",
            "--out",
            str(tmp_path / "a.png"),
        )
    )
    png = Image.open(tmp_path / "a.png")
    assert png.size[0] == 1200 and [round(d) for d in png.info["dpi"]] == [150, 150]
    ok(
        invoke(
            repo,
            "chart",
            "export",
            "sigtelser_strafmasse",
            "--width",
            "10cm",
            "--dpi",
            "200",
            "--out",
            str(tmp_path / "a.jpg"),
        )
    )
    jpg = Image.open(tmp_path / "a.jpg")
    assert jpg.format == "JPEG" and jpg.size[0] == round(10 / 2.54 * 200)
    assert jpg.info["jfif_unit"] == 1 and jpg.info["jfif_density"] == (200, 200)
    assert abs(jpg.size[1] / jpg.size[0] - png.size[1] / png.size[0]) < 0.01


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_width_cm(path: Path) -> float:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Page size:\s+([\d.]+) x", info)[1]) / 72 * 2.54


@pytest.mark.slow  # draws in the browser
def test_pdf_chart_is_text_that_pdftotext_reads_at_the_width_asked_for(repo, tmp_path):
    target = tmp_path / "skud.pdf"
    ok(
        invoke(
            repo, "chart", "export", "skud_saarede_draebte", "--format", "pdf", "--width", "12cm", "--out", str(target)
        )
    )
    meta = read_json(repo.outputs / "charts" / "skud_saarede_draebte.json")
    text = " ".join(pdf_text(target).split())
    assert meta["title"] in text and "Kilde:" in text and "skøn" in text
    assert abs(pdf_width_cm(target) - 12) < 0.1


@pytest.mark.slow  # draws in the browser
def test_bare_chart_leaves_title_notes_and_source_to_the_caption_file(repo, tmp_path):
    target = tmp_path / "bare.pdf"
    # wide: at 80 columns a long temporary path (pytest-xdist's) is wrapped inside its name
    out = ok(invoke(repo, "chart", "export", "dk_se_rater", "--bare", "--out", str(target), columns=400))
    assert "bare.txt" in out
    meta = read_json(repo.outputs / "charts" / "dk_se_rater.json")
    text = " ".join(pdf_text(target).split())
    assert meta["title"] not in text and "Kilde" not in text and not any(n[:40] in text for n in meta["notes"])
    assert "Danmark" in text  # the legend stays
    caption = (tmp_path / "bare.txt").read_text(encoding="utf-8")
    assert caption == charts.caption_text(meta)
    assert meta["title"] in caption and meta["source"] in caption and all(n in caption for n in meta["notes"])
    svg = tmp_path / "m.svg"
    ok(invoke(repo, "chart", "export", "medlemmer", "--out", str(svg), "--width", "8,5cm"))
    assert re.search(rb'^<svg[^>]* width="8.5cm" height="[\d.]+cm"', svg.read_bytes())


LIBRARY_WORDS = re.compile(
    r"statsmodels|scipy|confint|proportion_confint|exact-c|kaleido|plotly|polars|duckdb|"
    r"\w+_\w+\(",
    re.IGNORECASE,
)


def test_captions_are_plain_danish_without_library_names(repo):
    for name in charts.CHARTS:
        caption = charts.caption_text(read_json(repo.outputs / "charts" / f"{name}.json"))
        assert not LIBRARY_WORDS.search(caption), (name, LIBRARY_WORDS.search(caption))


@pytest.mark.parametrize(
    ("width", "dpi", "px", "cm"),
    [
        (None, 300, 1890, 16.0),
        ("16cm", 300, 1890, 16.0),
        ("16,5 cm", 300, 1949, 16.5),
        ("1800px", 300, 1800, 15.24),
        ("1800PX", 150, 1800, 30.48),
        ("8.5cm", 96, 321, 8.5),
    ],
)
def test_print_size(width, dpi, px, cm):
    size = charts.print_size(width, dpi)
    assert size.width_px == px and abs(size.width_cm - cm) < 1e-9 and size.dpi == dpi


@pytest.mark.parametrize(
    ("width", "dpi"),
    [("16", 300), ("16in", 300), ("cm", 300), ("-3cm", 300), ("16cm", 10), ("5px", 300), ("900cm", 300)],
)
def test_print_size_refuses_what_it_cannot_use(width, dpi):
    with pytest.raises(ValueError, match="--width|--dpi"):
        charts.print_size(width, dpi)


def test_export_refuses_a_bad_width_in_one_line(repo):
    result = invoke(repo, "chart", "export", "medlemmer", "--width", "16")
    assert result.exit_code == 2 and "refused" in result.output and "16cm" in result.output


# --- DVC metrics ------------------------------------------------------------------------------------


def test_metrics_files_hold_the_tables_comparison_and_backtest(repo):
    metrics = repo.outputs / "metrics"
    keyfigures = read_json(metrics / "keyfigures.json")
    for number in ("1_1", "1_2", "1_3"):
        for c in read_json(repo.tables / f"table_{number}.json")["cells"]:
            if c["value"] is not None:
                assert keyfigures[f"{c['series']}_{c['reference_year']}"] == pytest.approx(c["value"])
    comparison = read_json(metrics / "comparison.json")
    for f in read_json(repo.comparison / "dk_se.json")["figures"]:
        if f["rate_ratio"] is not None:
            assert comparison[f"rate_ratio_{f['reference_year']}"] == pytest.approx(f["rate_ratio"])
    backtest = read_json(metrics / "backtest.json")
    for m in read_json(repo.audit / "audit.json")["methods"]["summary"]:
        assert backtest[metric_keys.key(m["method"], f"m{metric_keys.fmt_months(m['months'])}", "cases")] == m["cases"]
    for values in (keyfigures, comparison, backtest):
        assert all("." not in k and isinstance(v, (int, float)) for k, v in values.items())


@pytest.mark.slow  # the whole pipeline through DVC
def test_dvc_shows_the_metrics(pipeline_run):
    shown = sh([sys.executable, "-m", "dvc", "metrics", "show", "--json"], pipeline_run.root)
    assert shown.returncode == 0, shown.stderr
    by_file = json.loads(shown.stdout)[""]["data"]  # "": the workspace
    for name in ("keyfigures", "comparison", "backtest"):
        path = pipeline_run.outputs / "metrics" / f"{name}.json"
        assert by_file[str(path.relative_to(pipeline_run.root))]["data"] == read_json(path)


def exp_entries(shown: list[dict]) -> list[dict]:
    """Every row of `dvc exp show --json`: the workspace, the commits and their experiments."""
    rows = []
    for entry in shown:
        rows.append(entry)
        for experiment in entry.get("experiments") or []:
            rows += experiment.get("revs") or []
    return rows


@pytest.mark.slow
def test_exp_run_with_another_method_shows_the_key_figures_of_both_runs(pipeline_run, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(pipeline_run.root, root, symlinks=True)  # a copy of a run: the experiment changes it
    git = ["git", *GIT_ID]
    assert sh([*git, "add", "-A"], root).returncode == 0 and sh([*git, "commit", "-qm", "run"], root).returncode == 0
    assert "outputs/metrics/keyfigures.json" in sh(["git", "ls-files"], root).stdout
    baseline = read_json(root / "outputs/metrics/keyfigures.json")

    experiment = sh([sys.executable, "-m", "dvc", "exp", "run", "-S", "extrapolation.method=trend"], root)
    assert experiment.returncode == 0, experiment.stdout + experiment.stderr
    trend = read_json(root / "outputs/metrics/keyfigures.json")  # the experiment is applied to the workspace
    assert trend != baseline  # a partial year is estimated differently

    shown = sh([sys.executable, "-m", "dvc", "exp", "show", "--json"], root)
    assert shown.returncode == 0, shown.stderr
    runs = []
    for row in exp_entries(json.loads(shown.stdout)):
        data = row.get("data") or {}
        method = data["params"]["params.yaml"]["data"]["extrapolation"]["method"]
        figures = data["metrics"]["outputs/metrics/keyfigures.json"]["data"]
        runs.append((row["rev"], method, figures))
    commit = next(r for r in runs if r[0] != "workspace" and r[1] == "linear")
    exp = next(r for r in runs if r[0] != "workspace" and r[1] == "trend")
    assert commit[2] == baseline and exp[2] == trend
    assert {"linear_m11_47_mean_scaled_score", "trend_m11_47_coverage"} <= set(
        next(row for row in exp_entries(json.loads(shown.stdout)) if row["rev"] == exp[0])["data"]["metrics"][
            "outputs/metrics/backtest.json"
        ]["data"]
    )
