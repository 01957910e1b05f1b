"""The Denmark–Sweden comparison: the report's pairs, rates and ratios with intervals
checked against an independent computation (scipy), and the partial-year option."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import numpy as np
import polars as pl
import pytest
import yaml
from hypothesis import given, settings, strategies as st
from scipy import stats
from typer.testing import CliRunner

from pipeline import compare
from pipeline.cli import app
from pipeline.core_stages import run_core


@pytest.fixture(scope="module")
def compared(built):
    compare.run(built)
    return pl.read_parquet(built.derived_comparison)


def test_counts_equal_the_reports_eight_numbers(built, compared, published):
    quoted = published.filter(pl.col("location").str.contains("Sverige"))
    assert quoted.height == 8
    for row in quoted.iter_rows(named=True):
        line = compared.filter(pl.col("reference_year") == row["reference_year"]).row(0, named=True)
        column = "se_count_as_quoted" if row["series"].startswith("se_") else "dk_count"
        assert line[column] == row["value"], row


def exact_poisson_scipy(k, exposure, level=0.95):
    a = 1 - level
    low = 0.0 if k == 0 else stats.chi2.ppf(a / 2, 2 * k) / 2
    return low / exposure, stats.chi2.ppf(1 - a / 2, 2 * k + 2) / 2 / exposure


def conditional_ratio_scipy(k1, e1, k2, e2, level=0.95):
    """Clopper–Pearson for k1 | k1 + k2 from scipy's beta quantiles, mapped to the rate ratio."""
    a, n = 1 - level, k1 + k2
    p_low = stats.beta.ppf(a / 2, k1, n - k1 + 1)
    p_high = stats.beta.ppf(1 - a / 2, k1 + 1, n - k1)
    return p_low / (1 - p_low) * e2 / e1, p_high / (1 - p_high) * e2 / e1


def test_rate_interval_matches_scipy(compared):
    row = compared.filter(pl.col("reference_year") == 2021).row(0, named=True)
    low, high = exact_poisson_scipy(row["dk_count"], row["dk_exposure"])
    assert math.isclose(row["dk_rate_lower"], low * 1e5, rel_tol=1e-9)
    assert math.isclose(row["dk_rate_upper"], high * 1e5, rel_tol=1e-9)
    assert math.isclose(row["dk_rate"], row["dk_count"] / row["dk_population"] * 1e5)


def test_ratio_interval_matches_scipy(compared):
    for row in compared.iter_rows(named=True):
        low, high = conditional_ratio_scipy(row["se_count"], row["se_exposure"], row["dk_count"], row["dk_exposure"])
        assert math.isclose(row["rate_ratio_lower"], low, rel_tol=1e-9), row["reference_year"]
        assert math.isclose(row["rate_ratio_upper"], high, rel_tol=1e-9)
        assert row["rate_ratio_lower"] < row["rate_ratio"] < row["rate_ratio_upper"]


def test_definitions_differ_so_every_pair_is_flagged(compared):
    assert not any(compared["directly_comparable"])
    assert all("knivstik" in r and "skydevåbenvold" in r for r in compared["comparability_reason"])


def test_partial_danish_year_is_annualised_and_said_in_words(built, compared):
    row = compared.filter(pl.col("reference_year") == 2024).row(0, named=True)
    assert row["dk_months"] == 9 and row["se_months"] == 12
    assert math.isclose(row["dk_exposure"], row["dk_population"] * 9 / 12)
    assert "januar–september" in row["period_note"] and "helårsskøn" in row["period_note"]
    assert "januar–september" in (built.comparison / "dk_se.csv").read_text(encoding="utf-8")


def test_same_months_option_changes_the_2024_row(project):
    params = yaml.safe_load(project.params.read_text(encoding="utf-8"))
    params["comparison"]["partial_year"] = "same_months"
    project.params.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    run_core(project)
    compare.run(project)
    row = pl.read_parquet(project.derived_comparison).filter(pl.col("reference_year") == 2024).row(0, named=True)
    # no Swedish January–September figure in data/raw: no rates, and the row says why
    assert row["dk_rate"] is None and row["rate_ratio"] is None
    assert "ikke et svensk tal for de samme måneder" in row["period_note"]
    assert row["se_count_as_quoted"] == 44 and row["dk_count"] == 2


def test_explain_rate_ratio_2023(built, compared, without_dvc):
    result = CliRunner().invoke(
        app, ["explain", "rate_ratio", "2023"], env=os.environ | {"NOEGLETAL_ROOT": str(built.root), "COLUMNS": "250"}
    )
    out = result.output
    assert result.exit_code == 0, out
    assert "Sweden: 53" in out and "Denmark: 4" in out
    assert "Population Sweden: 10.521.556 counted 2022-12-31" in out and "SCB" in out
    assert "Population Denmark: 5.932.654 counted 2023-01-01" in out and "Danmarks Statistik" in out
    assert "Formula: (53 / " in out and "7,5 gange" in out
    assert "Interval (95\xa0%)" in out and "Clopper–Pearson" in out


def test_compare_command_prints_the_table(built, compared, without_dvc):
    result = CliRunner().invoke(
        app, ["compare", "--format", "markdown"], env=os.environ | {"NOEGLETAL_ROOT": str(built.root)}
    )
    assert result.exit_code == 0
    assert "7,5 gange" in result.output and "pr. 100.000" in result.output
    assert "ikke direkte sammenlignelig" in result.output


@settings(max_examples=200, deadline=None)
@given(
    counts=st.lists(
        st.tuples(st.integers(0, 5_000), st.integers(0, 5_000), st.floats(0.01, 1e7), st.floats(0.01, 1e7)),
        min_size=1,
        max_size=6,
    ),
    level=st.sampled_from([0.9, 0.95, 0.99]),
)
def test_default_intervals_are_statsmodels_to_the_bit(counts, level):
    """The stage computes its default intervals without importing statsmodels (seconds of
    start-up): they must be statsmodels' very numbers."""
    from statsmodels.stats.proportion import proportion_confint
    from statsmodels.stats.rates import confint_poisson

    k1, k2, e1, e2 = (np.array(c) for c in zip(*counts))
    low, high = compare._exact_poisson(k1, e1, 1 - level)
    want_low, want_high = confint_poisson(k1, e1, method="exact-c", alpha=1 - level)
    # (statsmodels gives a lone count of 0 a scalar lower bound, which broadcasts alike)
    assert np.array_equal(low, np.broadcast_to(want_low, low.shape)) and np.array_equal(high, want_high)
    with np.errstate(divide="ignore", invalid="ignore"):
        low, high = compare._clopper_pearson(k1, k1 + k2, 1 - level)
        want_low, want_high = proportion_confint(k1, k1 + k2, alpha=1 - level, method="beta")
    assert np.array_equal(low, want_low, equal_nan=True) and np.array_equal(high, want_high, equal_nan=True)


def test_the_stage_does_not_import_statsmodels(built, compared):
    """With the default methods the stage runs without statsmodels (issue 17: start-up)."""
    code = (
        "import sys; from pathlib import Path; from pipeline import compare; from pipeline.paths import Paths; "
        f"compare.run(Paths(Path({str(built.root)!r}))); print('statsmodels' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "False"
