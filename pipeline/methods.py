"""Extrapolation methods: how a partial-year count becomes a full-year estimate.

Each method takes the partial-year rows to estimate and the whole history of figures (all
releases), and returns one estimate per partial row, or null where it cannot say (with the
reason). A method only ever uses years before the one it estimates, so the same code serves
the tables and the backtest.

- linear: the report's method — the monthly mean over the months covered, times 12.
- seasonal_share: the observed count divided by the share of the year's total that the same
  months held in earlier years, where a partial and a full release of an earlier year exist.
- trend: a Poisson GLM (statsmodels) of earlier full-year counts on the year predicts the
  year; the observed count is kept and the unobserved months come from the prediction."""

from __future__ import annotations

import math
import warnings

import polars as pl

MONTHS_IN_YEAR = 12
MIN_TREND_YEARS = 3
KEY = ["series", "reference_year", "release_id"]


def _period_key() -> pl.Expr:
    """Which part of the year a release covers: months, and the day it ends where given."""
    return pl.concat_str(pl.col("months_covered").cast(pl.Utf8),
                         pl.col("period_end").dt.strftime("%m-%d").fill_null("end"), separator="/")


def _final_full_years(history: pl.DataFrame) -> pl.DataFrame:
    return (history.filter((pl.col("months_exposure") >= MONTHS_IN_YEAR) & (pl.col("release_status") == "final"))
            .sort("vintage_rank").unique(["series", "reference_year"], keep="first", maintain_order=True)
            .select("series", "reference_year", pl.col("observed_value").alias("full_year")))


def linear(partial: pl.DataFrame, history: pl.DataFrame) -> pl.DataFrame:
    return partial.select(*KEY, (pl.col("observed_value") * MONTHS_IN_YEAR / pl.col("months_exposure")).alias("estimate"),
                          pl.lit(None, dtype=pl.Utf8).alias("reason"))


def seasonal_share(partial: pl.DataFrame, history: pl.DataFrame) -> pl.DataFrame:
    earlier = (history.filter(pl.col("months_exposure") < MONTHS_IN_YEAR)
               .with_columns(_period_key().alias("period"))
               .join(_final_full_years(history), on=["series", "reference_year"], how="inner")
               .select("series", "period", pl.col("reference_year").alias("earlier_year"),
                       (pl.col("observed_value") / pl.col("full_year")).alias("share")))
    matched = (partial.with_columns(_period_key().alias("period"))
               .join(earlier, on=["series", "period"], how="left")
               .filter(pl.col("earlier_year").is_null() | (pl.col("earlier_year") < pl.col("reference_year")))
               .group_by(KEY).agg(pl.col("share").drop_nulls().mean().alias("share"),
                                  pl.col("earlier_year").drop_nulls().sort().alias("years")))
    out = partial.select(*KEY, "observed_value").join(matched, on=KEY, how="left")
    return out.select(
        *KEY,
        (pl.col("observed_value") / pl.col("share")).alias("estimate"),
        pl.when(pl.col("share").is_null())
        .then(pl.lit("no earlier year has a release for the same months and a final full-year release"))
        .alias("reason"),
    )


def trend(partial: pl.DataFrame, history: pl.DataFrame) -> pl.DataFrame:
    if partial.height == 0:
        return linear(partial, history)
    import statsmodels.api as sm  # slow to import; only when the method runs

    full = _final_full_years(history)
    rows = []
    for row in partial.iter_rows(named=True):  # one small model per partial figure
        past = full.filter((pl.col("series") == row["series"]) & (pl.col("reference_year") < row["reference_year"]))
        estimate, reason = None, None
        if past.height < MIN_TREND_YEARS:
            reason = f"fewer than {MIN_TREND_YEARS} earlier full years ({past.height})"
        else:
            years = past["reference_year"].to_numpy().astype(float)
            x = sm.add_constant(years - years.mean())
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = sm.GLM(past["full_year"].to_numpy(), x, family=sm.families.Poisson()).fit()
            expected = math.exp(fit.params[0] + fit.params[1] * (row["reference_year"] - years.mean()))
            remaining = (MONTHS_IN_YEAR - row["months_exposure"]) / MONTHS_IN_YEAR
            estimate = row["observed_value"] + expected * remaining
        rows.append({"series": row["series"], "reference_year": row["reference_year"],
                     "release_id": row["release_id"], "estimate": estimate, "reason": reason})
    return pl.DataFrame(rows, schema={"series": pl.Utf8, "reference_year": pl.Int64, "release_id": pl.Utf8,
                                      "estimate": pl.Float64, "reason": pl.Utf8})


METHODS = {"linear": linear, "seasonal_share": seasonal_share, "trend": trend}


def estimate_all(derived: pl.DataFrame) -> pl.DataFrame:
    """Every method's estimate for every partial-year figure of every release."""
    partial = derived.filter(pl.col("is_partial"))
    return pl.concat([
        fn(partial, derived).with_columns(pl.lit(name).alias("method")).select(*KEY, "method", "estimate", "reason")
        for name, fn in METHODS.items()
    ]).sort(*KEY, "method")
