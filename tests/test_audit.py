"""The audit: derived figures, the report's statements, releases against each other,
methods against later releases; deterministic JSON."""

from __future__ import annotations

import json
import os

import polars as pl
import pytest
import yaml
from typer.testing import CliRunner

from pipeline import audit, extrapolate, tables
from pipeline.cli import app
from pipeline.core_stages import run_core

from conftest import write_release

MATCHING = {"exact", "consistent"}


@pytest.fixture(scope="module")
def report(built):
    audit.run(built)
    return json.loads((built.audit / "audit.json").read_text(encoding="utf-8"))


def by(items, key):
    return {item[key]: item for item in items}


def test_the_four_parenthesised_figures_match(report, published):
    checked = by(report["extrapolations"], "figure")
    estimates = published.filter(pl.col("measure") == "full_year_estimate")
    assert estimates.height == 4
    for row in estimates.iter_rows(named=True):
        item = checked[f"{row['series']} {row['reference_year']}"]
        assert item["verdict"] in MATCHING, item
        assert item["published"]["value"] == row["value"]
        assert item["inputs"][0]["months"] == 9 and item["inputs"][0]["source"].startswith("data/raw/releases/")


def test_the_reports_arithmetic_findings(report):
    s = by(report["statements"], "statement")
    mean = s["strafmasse_gennemsnit"]
    assert mean["verdict"] == "mismatch" and "388,67" in mean["formula"] and "389" in mean["reason"]
    assert "truncated" in mean["reason"]
    monthly = s["sigtelser_pr_maaned"]
    assert monthly["verdict"] == "consistent" and "242,33" in monthly["formula"] and "2.904" in monthly["formula"]
    assert s["strafmasse_fald_aar"]["verdict"] == "exact"
    assert s["strafmasse_fald_pct"]["verdict"] == "consistent" and "-34,17" in s["strafmasse_fald_pct"]["formula"]
    assert s["sigtelser_fald_pct"]["verdict"] == "consistent"
    assert s["medlemmer_udsving"]["verdict"] == "mismatch"
    assert s["cn_antal"]["verdict"] == "mismatch" and "18 and 19" in s["cn_antal"]["reason"]
    assert s["cn_fordeling"]["verdict"] == "exact"


def test_denmark_2024_is_a_partial_year_against_a_swedish_full_year(report):
    pair = by(report["statements"], "statement")["sverige_2024"]
    assert pair["verdict"] == "mismatch" and "not the same period" in pair["reason"]
    assert "draebte 9 months" in pair["reason"]
    for year in (2021, 2022, 2023):
        assert by(report["statements"], "statement")[f"sverige_{year}"]["verdict"] == "exact"


def test_table_1_1_count_dates_are_not_the_same(report):
    dates = by(report["count_dates"], "series")["medlemmer"]
    assert dates["known"] == {"2024": "2024-09-30"}
    assert dates["unknown_years"] == list(range(2009, 2024))  # the Vidensportal release adds 2009–2013


def test_every_disagreement_between_releases_is_listed(report, built):
    derived = pl.read_parquet(built.derived_figures)
    # independently: every (series, year, period) with more than one distinct value
    expected = (
        derived.with_columns(pl.col("months_exposure").round(6))
        .group_by("series", "reference_year", "months_exposure")
        .agg(pl.col("observed_value").n_unique().alias("n"))
        .filter(pl.col("n") > 1)
        .height
    )
    listed = report["disagreements_between_releases"]
    assert len(listed) == expected >= 1
    swedish_2023 = by(listed, "figure")["se_dodade_skjutningar 2023"]
    values = {r["publisher"]: r["value"] for r in swedish_2023["releases"]}
    assert values == {"Polismyndigheten": 54, "SVT Datajournalistik": 53}


def test_sources_dated_before_their_figures(report):
    flagged = {f["figure"] for f in report["publication_dates"]}
    assert "se_dodade_skjutningar 2024" in flagged


def test_json_is_byte_identical_and_records_inputs(built, report):
    first = (built.audit / "audit.json").read_bytes()
    audit.run(built)
    assert (built.audit / "audit.json").read_bytes() == first
    assert "params.yaml" in report["inputs_sha256"]
    assert "data/raw/releases/nsk_2024.csv" in report["inputs_sha256"]
    assert report["package_version"]


def test_a_full_year_release_replaces_the_estimate_and_scores_the_methods(project):
    # made up for the test: the full year 2024 turns out as 31 wounded
    header_fields = (
        "saarede,2024,31,12,,,flow,personer,final,National enhed for Særlig Kriminalitet,Nøgletal,2025,,,made up"
    )
    write_release(project, "nsk_2025", [header_fields])
    run_core(project)
    audit.run(project)
    t13 = json.loads((project.tables / "table_1_3.json").read_text(encoding="utf-8"))
    assert t13["rows"][1][-1] == "31"
    report = json.loads((project.audit / "audit.json").read_text(encoding="utf-8"))
    cases = [c for c in report["methods"]["cases"] if c["series"] == "saarede" and c["reference_year"] == 2024]
    assert {c["method"] for c in cases} == {"linear", "seasonal_share", "trend"}
    linear = next(c for c in cases if c["method"] == "linear")
    assert linear["final"] == 31 and abs(linear["error"] - (22 * 12 / 9 - 31)) < 1e-9


def test_method_is_chosen_in_params(project):
    params = yaml.safe_load(project.params.read_text(encoding="utf-8"))
    params["extrapolation"]["method"] = "seasonal_share"
    project.params.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    run_core(project)
    derived = pl.read_parquet(project.derived_figures).filter(pl.col("selected") & (pl.col("status") == "estimated"))
    # no earlier Danish year has a January–September release: the method says so and falls back
    assert all(m.startswith("linear (fallback: seasonal_share") for m in derived["method"])
    params["extrapolation"]["method"] = "trend"
    project.params.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    extrapolate.run(project)
    tables.run(project)
    derived = pl.read_parquet(project.derived_figures).filter(pl.col("selected") & (pl.col("status") == "estimated"))
    # shootings ran past their falling trend by September: trend is not used for them
    methods = dict(zip(derived["series"], derived["method"]))
    assert methods.pop("skudepisoder").startswith("linear (fallback: trend: the trend of the earlier years predicts")
    assert set(methods.values()) == {"trend"}
    assert (derived["value_unrounded"] >= derived["observed_value"]).all()
    note = json.loads((project.tables / "table_1_3.json").read_text(encoding="utf-8"))["note"]
    assert "med tendensfremskrivning" in note and "trend" not in note
    assert "Tendensfremskrivning kunne ikke bruges for skudepisoder, fordi udviklingen i de tidligere år" in note


def test_backtest_command_prints_cases(built, report, monkeypatch):
    env = os.environ | {"NOEGLETAL_ROOT": str(built.root), "COLUMNS": "250"}
    # the built copy is not a DVC repository: skip bringing it up to date, print what is there
    from pipeline import cli

    monkeypatch.setattr(cli, "_repro", lambda target=None: None)
    result = CliRunner().invoke(app, ["backtest"], env=env)
    assert result.exit_code == 0, result.output
    assert "linear" in result.output and "cases" in result.output.lower()
    assert "pairwise" in result.output and "Revisions of preliminary full-year counts" in result.output
    assert "Recommendation: none (the cases cannot tell the methods apart" in result.output
