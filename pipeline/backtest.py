"""Backtest: every extrapolation method, and its interval, against what later releases showed.

A case is a figure (series, year) with a partial-year or preliminary release and a final
full-year release, from every vintage in data/raw/. Each method's estimate and interval from
the earlier release is set against the final count.

Methods are compared only on the cases that every method can score (the common cases), by
scale-free measures, so that a method is not judged on easier cases than another, nor
sigtelser (thousands) averaged with the killed (units):
- the point error relative to the final count (mean absolute percentage error, and its mean
  with sign: a bias);
- the interval's coverage: the share of final counts inside the interval, with its own exact
  (Clopper–Pearson) interval, since with few cases a share says little;
- the interval's mean width, absolute and relative to the final count.
A method is recommended only with enough common cases; otherwise the output says so."""

from __future__ import annotations

import polars as pl

from pipeline.methods import METHODS

MIN_CASES = 5
MONTHS_IN_YEAR = 12
CASE = ["series", "reference_year", "release_id"]


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


def cases(derived: pl.DataFrame, estimates: pl.DataFrame) -> pl.DataFrame:
    """One row per earlier release and method: its estimate and interval, the final count, the
    error, whether the interval held the final count, and whether every method scores the case."""
    earlier = (
        derived.drop("method")
        .filter(pl.col("is_partial") | (pl.col("release_status") == "preliminary"))
        .join(finals(derived), on=["series", "reference_year"], how="inner")
        .filter(pl.col("release_id") != pl.col("final_release"))
    )
    interval = ["interval_lower", "interval_upper"]
    partial = (
        earlier.filter(pl.col("is_partial"))
        .drop(interval, strict=False)
        .join(estimates.select(*CASE, "method", "estimate", "reason", *interval), on=CASE, how="inner")
    )
    # a preliminary full-year count needs no method: every method keeps it as it is (its
    # revision has no model, hence no interval)
    full = (
        earlier.filter(~pl.col("is_partial"))
        .join(pl.DataFrame({"method": list(METHODS)}), how="cross")
        .with_columns(
            pl.col("observed_value").alias("estimate"),
            pl.lit(None, dtype=pl.Utf8).alias("reason"),
            pl.lit(None, dtype=pl.Float64).alias("interval_lower"),
            pl.lit(None, dtype=pl.Float64).alias("interval_upper"),
        )
    )
    columns = [
        *CASE,
        "release_status",
        "months_exposure",
        "observed_value",
        "method",
        "estimate",
        "reason",
        *interval,
        "final",
        "final_release",
        "final_publisher",
        "final_published",
    ]
    scored = (
        pl.concat([partial.select(columns), full.select(columns)], how="vertical_relaxed")
        .with_columns((pl.col("estimate") - pl.col("final")).alias("error"))
        .with_columns(
            pl.when(pl.col("final") > 0).then(pl.col("error") / pl.col("final") * 100).alias("error_percent"),
            pl.when(pl.col("interval_lower").is_not_null())
            .then(pl.col("final").is_between("interval_lower", "interval_upper"))
            .alias("covered"),
            (pl.col("interval_upper") - pl.col("interval_lower")).alias("interval_width"),
        )
    )
    # a case is common when every method has an estimate for it, and, where any has an
    # interval, every method has one
    common = scored.group_by(CASE).agg(
        (
            pl.col("estimate").is_not_null().all()
            & (pl.col("covered").is_not_null().all() | pl.col("covered").is_null().all())
        ).alias("common")
    )
    return scored.join(common, on=CASE, how="left").sort(*CASE, "method")


def _proportion_interval(hits: int, n: int, level: float) -> tuple[float | None, float | None]:
    """The exact (Clopper–Pearson) interval of a share of `hits` in `n`."""
    if n == 0:
        return None, None
    from scipy.stats import binomtest

    ci = binomtest(hits, n).proportion_ci(confidence_level=level, method="exact")
    return float(ci.low), float(ci.high)


def summary(scored: pl.DataFrame, level: float = 0.95) -> pl.DataFrame:
    """Per method, on the common cases: the number of cases, the scale-free point errors, the
    coverage of its intervals with the coverage's own interval, and the mean width."""
    rows = []
    for method in METHODS:
        own = scored.filter(pl.col("method") == method)
        common = own.filter(pl.col("common"))
        with_interval = common.filter(pl.col("covered").is_not_null())
        hits, n = int(with_interval["covered"].sum()), with_interval.height
        low, high = _proportion_interval(hits, n, level)
        percent = common["error_percent"].drop_nulls()
        rows.append(
            {
                "method": method,
                "cases": common.height,
                "cases_scored_alone": own.filter(pl.col("estimate").is_not_null()).height,
                "mean_absolute_percent_error": percent.abs().mean() if percent.len() else None,
                "mean_percent_error": percent.mean() if percent.len() else None,
                "interval_cases": n,
                "covered": hits,
                "coverage": hits / n if n else None,
                "coverage_lower": low,
                "coverage_upper": high,
                "nominal_level": level,
                "mean_interval_width": with_interval["interval_width"].mean() if n else None,
                "mean_relative_interval_width": (with_interval["interval_width"] / with_interval["final"] * 100)
                .filter(with_interval["final"] > 0)
                .mean()
                if n
                else None,
            }
        )
    out = pl.DataFrame(
        rows,
        schema_overrides={
            k: pl.Float64
            for k in (
                "mean_absolute_percent_error",
                "mean_percent_error",
                "coverage",
                "coverage_lower",
                "coverage_upper",
                "mean_interval_width",
                "mean_relative_interval_width",
            )
        },
    )
    return out.with_columns(
        # only partial-year cases can tell methods apart: a preliminary full-year count is kept
        # as it is by every method, with no interval
        pl.when(pl.col("interval_cases") < MIN_CASES)
        .then(
            pl.format(
                "too few common cases to judge ({} partial-year cases of at least {})",
                pl.col("interval_cases"),
                pl.lit(MIN_CASES),
            )
        )
        .otherwise(pl.lit("enough common cases to compare"))
        .alias("verdict")
    )


def recommendation(summary_: pl.DataFrame) -> dict:
    """The method to use, only when the common cases allow it: among the methods whose
    intervals cover as often as they claim (the nominal level inside the coverage's own
    interval), the one with the smallest relative point error. Only the partial-year cases
    count: on a preliminary full-year count every method gives the same, without interval."""
    cases = int(summary_["cases"].max() or 0)
    partial = int(summary_["interval_cases"].max() or 0)
    if partial < MIN_CASES:
        return {
            "method": None,
            "common_cases": cases,
            "reason": f"too few common cases to recommend a method ({partial} partial-year cases of at least "
            f"{MIN_CASES})",
        }
    honest = summary_.filter(
        (pl.col("coverage_lower") <= pl.col("nominal_level"))
        & (pl.col("nominal_level") <= pl.col("coverage_upper"))
        & pl.col("mean_absolute_percent_error").is_not_null()
    )
    if honest.height == 0:
        return {
            "method": None,
            "common_cases": cases,
            "reason": "no method's intervals held the final counts as often as their level claims",
        }
    best = honest.sort("mean_absolute_percent_error").row(0, named=True)
    return {
        "method": best["method"],
        "common_cases": cases,
        "reason": "smallest mean absolute percentage error among the methods whose intervals cover as claimed",
    }


def report(derived: pl.DataFrame, estimates: pl.DataFrame, level: float) -> dict:
    """The backtest as the audit and `noegletal backtest` give it."""
    scored = cases(derived, estimates)
    scores = summary(scored, level)
    return {
        "cases": scored.to_dicts(),
        "summary": scores.to_dicts(),
        "recommendation": recommendation(scores),
        "min_cases": MIN_CASES,
    }
