"""The backtest's cases: each partial-year release against its final count, per method, with
its scores (pipeline/backtest/__init__.py says which and why)."""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from pipeline.uncertainty import full_year_cdf

MONTHS_IN_YEAR = 12
CASE = ["series", "reference_year", "release_id"]
# How far the distribution's tail may reach past the grid the ranked probability score sums
# over. A dispersion measured on few years has a heavy (Pareto-like) tail, so the grid stops
# where 1 − F < 1e-6 or at a million: beyond it each term is (1 − F)² < 1e-12, and their sum
# is below 1e-6 of a category for any tail that falls at least as k^-1.
TAIL = 1e-6
GRID_LIMIT = 1e6
SCORED = ("absolute_error", "error", "score", "interval_score")
_F, _S, _I, _B = pl.Float64, pl.Utf8, pl.Int64, pl.Boolean
SCHEMA = {
    "series": _S,
    "reference_year": _I,
    "release_id": _S,
    "months_exposure": _F,
    "months_covered": _I,
    "period_end_day": _S,
    "months": _F,
    "method": _S,
    "observed_value": _F,
    "estimate": _F,
    "reason": _S,
    "interval_lower": _F,
    "interval_upper": _F,
    "final": _F,
    "final_release": _S,
    "final_publisher": _S,
    "final_published": _S,
    "error": _F,
    "absolute_error": _F,
    "error_percent": _F,
    "covered": _B,
    "interval_score": _F,
    "rps": _F,
    "pit_lower": _F,
    "pit_upper": _F,
    "score": _F,
    "pit": _F,
    "scale": _F,
    **{f"scaled_{name}": _F for name in SCORED},
}


def finals(derived: pl.DataFrame) -> pl.DataFrame:
    """The final full-year count of each figure, where one exists."""
    return (
        derived.filter((pl.col("months_exposure") >= MONTHS_IN_YEAR) & (pl.col("release_status") == "final"))
        .sort("vintage_rank")
        .unique(["series", "reference_year"], keep="first", maintain_order=True)
        .select(
            "series",
            "reference_year",
            pl.col("observed_value").alias("final"),
            pl.col("release_id").alias("final_release"),
            pl.col("publisher").alias("final_publisher"),
            pl.col("published").alias("final_published"),
        )
    )


def scales(derived: pl.DataFrame) -> pl.DataFrame:
    """Per series, the mean absolute change between consecutive final full years: a yardstick
    for the errors, not a forecast, so every final year counts, later ones too."""
    full = finals(derived).sort("series", "reference_year")
    return (
        full.with_columns(
            pl.when(pl.col("reference_year").diff().over("series") == 1)
            .then(pl.col("final").diff().over("series").abs())
            .alias("change")
        )
        .group_by("series")
        .agg(pl.col("change").drop_nulls().mean().alias("scale"))
        .with_columns(pl.when(pl.col("scale") > 0).then(pl.col("scale")).alias("scale"))
    )


def _earlier(derived: pl.DataFrame) -> pl.DataFrame:
    """Every release of a figure before its final full-year count, with that count."""
    return (
        derived.filter(pl.col("is_partial") | (pl.col("release_status") == "preliminary"))
        .join(finals(derived), on=["series", "reference_year"], how="inner")
        .filter(pl.col("release_id") != pl.col("final_release"))
    )


def revisions(derived: pl.DataFrame) -> pl.DataFrame:
    """Preliminary full-year counts against their final counts: revisions of a count, not
    forecasts, so no method is scored on them."""
    return (
        _earlier(derived)
        .filter(~pl.col("is_partial"))
        .select(
            *CASE,
            pl.col("observed_value").alias("preliminary"),
            "final",
            (pl.col("final") - pl.col("observed_value")).alias("revision"),
            "final_release",
        )
        .sort(CASE)
    )


def period_day(frame: pl.DataFrame) -> pl.Expr:
    """The day a part of the year ends ('12-15'), where the release gives one."""
    if "period_end" not in frame.columns:
        return pl.lit(None, dtype=pl.Utf8)
    return pl.col("period_end").dt.strftime("%m-%d")


def distribution_scores(row: dict) -> dict:
    """The ranked probability score and PIT of one estimate's predictive distribution, from
    pipeline.uncertainty.full_year_cdf; None where the estimate has no distribution."""
    final = float(row["final"])
    if row["estimate"] is None or full_year_cdf(row, [final]) is None or not float(final).is_integer():
        return {"rps": None, "pit_lower": None, "pit_upper": None}
    import scoringrules as sr

    top = max(final, float(row["estimate"]), float(row.get("interval_upper") or 0)) * 2 + 20
    while full_year_cdf(row, [top])[0] < 1 - TAIL and top < GRID_LIMIT:
        top *= 2
    grid = np.arange(0, math.ceil(top) + 1)
    cdf = np.minimum(full_year_cdf(row, grid), 1.0)
    cdf[-1] = 1.0  # the tail beyond the grid is below TAIL: it goes to the last category
    forecast = np.diff(cdf, prepend=0.0)
    outcome = (grid == final).astype(float)
    below, at = full_year_cdf(row, [final - 1, final])
    return {
        "rps": float(sr.rps_score(outcome, forecast, onehot=True, backend="numpy")),
        "pit_lower": float(below),
        "pit_upper": float(at),
    }


def cases(derived: pl.DataFrame, estimates: pl.DataFrame, level: float) -> pl.DataFrame:
    """One row per partial-year case and method: its estimate, interval and scores against the
    final count (null scores where the method gives no estimate, with its reason)."""
    import scoringrules as sr

    partial = _earlier(derived).filter(pl.col("is_partial"))
    release = partial.select(
        *CASE,
        "months_exposure",
        "months_covered",
        period_day(partial).alias("period_end_day"),
        "observed_value",
        "final",
        "final_release",
        "final_publisher",
        "final_published",
    )
    # the estimate row whole (full_year_cdf reads whatever columns it has), less what the
    # release already gives
    own = estimates.drop([c for c in release.columns if c in estimates.columns and c not in CASE])
    rows = release.join(own, on=CASE, how="inner").join(scales(derived), on="series", how="left")
    out = []
    for row in rows.iter_rows(named=True):
        scored = row["estimate"] is not None
        error = row["estimate"] - row["final"] if scored else None
        interval = scored and row.get("interval_lower") is not None and row.get("interval_upper") is not None
        case = (
            {k: row.get(k) for k in (*CASE, "months_exposure", "months_covered", "period_end_day")}
            | {
                "months": round(float(row["months_exposure"]), 2),
                "method": row["method"],
                "observed_value": row["observed_value"],
                "estimate": row["estimate"],
                "reason": row.get("reason"),
                "interval_lower": row.get("interval_lower") if interval else None,
                "interval_upper": row.get("interval_upper") if interval else None,
                "final": row["final"],
                "final_release": row["final_release"],
                "final_publisher": row["final_publisher"],
                "final_published": row["final_published"],
                "error": error,
                "absolute_error": abs(error) if scored else None,
                "error_percent": error / row["final"] * 100 if scored and row["final"] > 0 else None,
                "covered": bool(row["interval_lower"] <= row["final"] <= row["interval_upper"]) if interval else None,
                "interval_score": float(
                    sr.interval_score(
                        row["final"], row["interval_lower"], row["interval_upper"], 1 - level, backend="numpy"
                    )
                )
                if interval
                else None,
            }
            | distribution_scores(row)
        )
        # the score of a method without a distribution is that of its point forecast
        case["score"] = case["rps"] if case["rps"] is not None else case["absolute_error"]
        case["pit"] = (case["pit_lower"] + case["pit_upper"]) / 2 if case["pit_lower"] is not None else None
        case["scale"] = row["scale"]
        for name in SCORED:
            value, scale = case[name], row["scale"]
            case[f"scaled_{name}"] = value / scale if value is not None and scale else None
        out.append(case)
    return pl.DataFrame(out, schema=SCHEMA).sort(*CASE, "method")
