"""Simulated series for the interval tests: counts from a known negative binomial process, in
the shape the extrapolate stage hands to the methods (one row per release of a figure)."""

from __future__ import annotations

import numpy as np
import polars as pl

MONTHS = 12


def monthly_counts(rng: np.random.Generator, mean: float, dispersion: float, size) -> np.ndarray:
    """Counts whose variance is `dispersion` × the mean (a negative binomial with fixed p:
    sums over months keep the same dispersion, so years vary as months do)."""
    if dispersion <= 1:
        return rng.poisson(mean, size)
    p = 1 / dispersion
    return rng.negative_binomial(mean * p / (1 - p), p, size)


def release_rows(
    series: str,
    year: int,
    value: float,
    months: float,
    status: str = "final",
    release_id: str | None = None,
    exceptional: str | None = None,
) -> dict:
    """One release of one figure, with the columns the methods and intervals read."""
    return {
        "series": series,
        "reference_year": year,
        "release_id": release_id or f"{series}_{year}_{months}",
        "months_exposure": float(months),
        "months_covered": int(np.ceil(months)),
        "period_end": None,
        "release_status": status,
        "vintage_rank": 1,
        "observed_value": float(value),
        "is_partial": months < MONTHS,
        "series_integer": True,
        "kind": "flow",
        "status": "estimated" if months < MONTHS else "observed",
        "exceptional": exceptional,
    }


def frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema_overrides={"period_end": pl.Date})


def simulate(
    rng: np.random.Generator,
    n_series: int,
    monthly_mean: float,
    dispersion: float,
    history_years: int,
    months_observed: int,
) -> tuple[pl.DataFrame, dict[str, float]]:
    """`n_series` independent series: each with `history_years` final full years and, for
    each of them, a release of its first `months_observed` months (for the seasonal share),
    then a partial year whose true full-year count is returned beside the frame."""
    rows, truth = [], {}
    last = 2000 + history_years
    for i in range(n_series):
        name = f"s{i}"
        months = monthly_counts(rng, monthly_mean, dispersion, (history_years + 1, MONTHS))
        for k, year in enumerate(range(2000, last)):
            rows.append(release_rows(name, year, months[k].sum(), MONTHS))
            rows.append(release_rows(name, year, months[k, :months_observed].sum(), months_observed))
        rows.append(release_rows(name, last, months[-1, :months_observed].sum(), months_observed))
        truth[name] = float(months[-1].sum())
    return frame(rows), truth
