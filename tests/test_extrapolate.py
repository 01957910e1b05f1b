"""The extrapolation logic: unit and property tests on synthetic figures."""

from __future__ import annotations

import math
from datetime import date

import polars as pl
from hypothesis import given, settings, strategies as st

from pipeline.extrapolate import extrapolate
from pipeline.paths import Paths

from conftest import REPO

PATHS = Paths(REPO)


def figures(rows: list[dict]) -> pl.DataFrame:
    """National figures as the ingest stage writes them (data/validated/figures.parquet)."""
    base = {
        "series": "sigtelser",
        "country": "DK",
        "reference_year": 2024,
        "release_id": "r",
        "kind": "flow",
        "unit": "sigtelser",
        "value": 0.0,
        "months_covered": 12,
        "period_end": None,
        "concept": "c",
        "series_integer": True,
        "rows_aggregated": 1,
        "regions": 0,
        "count_date": None,
        "status": "final",
        "publisher": "P",
        "publication": "p",
        "published": "2024",
        "reported_by": None,
        "url": None,
        "note": None,
        "published_start": date(2024, 1, 1),
        "published_end": date(2024, 12, 31),
        "source_file": "f.csv",
        "source_line": 2,
    }
    return pl.DataFrame([base | r for r in rows], schema_overrides={"count_date": pl.Date, "period_end": pl.Date})


def one(value, months, kind="flow", rounding="half_up", count_date=None):
    out = extrapolate(
        figures([{"value": float(value), "months_covered": months, "kind": kind, "count_date": count_date}]),
        {"method": "linear", "rounding": rounding},
        PATHS,
    )
    return out.row(0, named=True)


def test_reports_linear_method():
    row = one(2181, 9)
    assert row["value"] == 2181 / 9 * 12 and row["status"] == "estimated" and row["method"] == "linear"
    assert math.isclose(row["monthly_mean"], 2181 / 9)


def test_stock_is_never_annualised():
    row = one(1315, None, kind="stock", count_date=date(2024, 9, 30))
    assert row["value"] == 1315 and row["status"] == "observed" and row["method"] == "none"


def test_rounding_follows_params():
    # 5 in 4 months -> 15,0; 7 in 8 months -> 10,5: half up gives 11, half even 10
    assert one(7, 8, rounding="half_up")["value"] == 11
    assert one(7, 8, rounding="half_even")["value"] == 10
    assert one(7, 8)["value_unrounded"] == 10.5


def test_full_release_wins_over_partial_and_later_over_earlier():
    out = extrapolate(
        figures(
            [
                {"release_id": "jan_sep", "value": 2181.0, "months_covered": 9, "published": "2024"},
                {"release_id": "full", "value": 2950.0, "months_covered": 12, "published": "2025"},
                {"release_id": "revised", "value": 2960.0, "months_covered": 12, "published": "2026"},
            ]
        ),
        {"method": "linear", "rounding": "half_up"},
        PATHS,
    )
    chosen = out.filter(pl.col("selected"))
    assert chosen["release_id"].to_list() == ["revised"] and chosen["status"].to_list() == ["observed"]
    assert out.height == 3  # the others stay, for the audit


@settings(deadline=None)  # as many examples as the profile (conftest.py)
@given(value=st.integers(0, 10_000_000), months=st.integers(1, 12), rounding=st.sampled_from(["half_up", "half_even"]))
def test_properties(value, months, rounding):
    row = one(value, months, rounding=rounding)
    if months == 12:
        assert row["value"] == value and row["status"] == "observed"
    else:
        assert row["value"] >= value  # extrapolation never decreases a count
        assert row["value_unrounded"] == value * 12 / months
        assert abs(row["value"] - row["value_unrounded"]) <= 0.5
        assert row["value"] == int(row["value"])


def test_exact_poisson_interval_equals_statsmodels_and_scipy():
    import numpy as np
    from scipy import stats
    from statsmodels.stats.rates import confint_poisson

    from pipeline.uncertainty import exact_poisson

    counts, months = np.array([0, 2, 19, 22, 2181]), np.array([9, 9, 9, 12, 9])
    low, high = exact_poisson(counts, months, 0.95)
    sm_low, sm_high = confint_poisson(counts, months / 12, method="exact-c", alpha=0.05)
    assert np.allclose(low, sm_low) and np.allclose(high, sm_high)
    # Garwood from chi-square quantiles: 2 killed in 9 months
    assert math.isclose(low[1], stats.chi2.ppf(0.025, 4) / 2 / 0.75)
    assert math.isclose(high[1], stats.chi2.ppf(0.975, 6) / 2 / 0.75)
