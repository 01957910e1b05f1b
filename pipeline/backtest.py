"""Backtest: every extrapolation method against what later releases showed.

A case is a figure (series, year) with a partial-year or preliminary release and a final
full-year release. Each method's estimate from the earlier release is compared with the
final count. With few cases the scores say little, and the summary says so."""

from __future__ import annotations

import polars as pl

from pipeline.methods import METHODS

MIN_CASES = 5
MONTHS_IN_YEAR = 12


def finals(derived: pl.DataFrame) -> pl.DataFrame:
    """The final full-year count of each figure, where one exists."""
    return (derived.filter((pl.col("months_exposure") >= MONTHS_IN_YEAR) & (pl.col("release_status") == "final"))
            .sort("vintage_rank").unique(["series", "reference_year"], keep="first", maintain_order=True)
            .select("series", "reference_year", pl.col("observed_value").alias("final"),
                    pl.col("release_id").alias("final_release"), pl.col("publisher").alias("final_publisher"),
                    pl.col("published").alias("final_published")))


def cases(derived: pl.DataFrame, estimates: pl.DataFrame) -> pl.DataFrame:
    """One row per earlier release and method: its estimate, the final count and the error."""
    earlier = derived.drop("method").filter(pl.col("is_partial") | (pl.col("release_status") == "preliminary")).join(
        finals(derived), on=["series", "reference_year"], how="inner"
    ).filter(pl.col("release_id") != pl.col("final_release"))
    partial = earlier.filter(pl.col("is_partial")).join(
        estimates, on=["series", "reference_year", "release_id"], how="inner")
    # a preliminary full-year count needs no method: every method keeps it as it is
    full = earlier.filter(~pl.col("is_partial")).join(
        pl.DataFrame({"method": list(METHODS)}), how="cross").with_columns(
        pl.col("observed_value").alias("estimate"), pl.lit(None, dtype=pl.Utf8).alias("reason"))
    columns = ["series", "reference_year", "release_id", "release_status", "months_exposure", "observed_value",
               "method", "estimate", "reason", "final", "final_release", "final_publisher", "final_published"]
    return (pl.concat([partial.select(columns), full.select(columns)])
            .with_columns((pl.col("estimate") - pl.col("final")).alias("error"))
            .with_columns((pl.col("error") / pl.col("final") * 100).alias("error_percent"))
            .sort("series", "reference_year", "release_id", "method"))


def summary(scored: pl.DataFrame) -> pl.DataFrame:
    """Per method: number of cases it could estimate, mean absolute and mean signed error."""
    usable = scored.filter(pl.col("estimate").is_not_null())
    out = (usable.group_by("method").agg(
        pl.len().alias("cases"),
        pl.col("error").abs().mean().alias("mean_absolute_error"),
        pl.col("error_percent").abs().mean().alias("mean_absolute_percent_error"),
        pl.col("error").mean().alias("mean_error"),
    ))
    out = pl.DataFrame({"method": list(METHODS)}).join(out, on="method", how="left").with_columns(
        pl.col("cases").fill_null(0))
    return out.with_columns(
        pl.when(pl.col("cases") < MIN_CASES)
        .then(pl.format("too few cases to judge ({} of at least {})", pl.col("cases"), pl.lit(MIN_CASES)))
        .otherwise(pl.lit("enough cases to compare")).alias("verdict")
    )
