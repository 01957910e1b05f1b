"""Stage extrapolate: every figure as a full-year figure, with how it was made.

A partial-year flow (say January–September) is estimated for the whole year by the method
named in params.yaml (pipeline/methods.py); everything else passes through as observed.
Each row keeps its inputs (observed value, months, release, source line), method, unrounded
and rounded value, interval, and a status (observed / estimated) that every later output
carries. (The audit runs every method on every partial figure, for the backtest.)"""

from __future__ import annotations

import polars as pl

from pipeline import db
from pipeline.io import staged_outputs
from pipeline.methods import KEY, METHODS
from pipeline.params import load_params
from pipeline.paths import Paths
from pipeline.stage import stage_main
from pipeline.uncertainty import INTERVAL_METHODS

MONTHS_IN_YEAR = 12
ROUNDINGS = ("half_up", "half_even")


def _choice(settings: dict, key: str, default: str, allowed) -> str:
    value = settings.get(key, default)
    if value not in allowed:
        raise SystemExit(f"params.yaml: extrapolation.{key} '{value}' is not one of {', '.join(allowed)}")
    return value


def rounded(expr: pl.Expr, rounding: str, decimals: int) -> pl.Expr:
    """half_up: 2,5 -> 3 (the report's rounding of counts); half_even: 2,5 -> 2."""
    if rounding == "half_up":
        scale = 10.0 ** decimals
        return (expr * scale + 0.5).floor() / scale
    return expr.round(decimals, mode="half_to_even")


STOCK_COUNTS = ("annual", "latest_dated")


def stock_count(params: dict) -> str:
    """Which head-count of a year the tables show (params.yaml: stocks.count)."""
    value = (params.get("stocks") or {}).get("count", "annual")
    if value not in STOCK_COUNTS:
        raise SystemExit(f"params.yaml: stocks.count '{value}' is not one of {', '.join(STOCK_COUNTS)}")
    return value


def linear_figures(figures: pl.DataFrame, paths: Paths, stock_rule: str = "annual") -> pl.DataFrame:
    """Every release's figure ranked among its vintages (and a stock's observations among the
    year's count dates), with the report's linear estimate."""
    con = db.connect()
    con.register("validated_figures", figures)
    con.register("ranked_figures", db.query(con, paths, "int_keyfigures_ranked_by_vintage",
                                            {"months_in_year": MONTHS_IN_YEAR, "stock_count": stock_rule}))
    return db.query(con, paths, "int_keyfigures_extrapolated_to_full_year", {"months_in_year": MONTHS_IN_YEAR})


def extrapolate(figures: pl.DataFrame, settings: dict, paths: Paths, stock_rule: str = "annual") -> pl.DataFrame:
    method = _choice(settings, "method", "linear", METHODS)
    rounding = _choice(settings, "rounding", "half_up", ROUNDINGS)
    decimals = int(settings.get("decimals", 0))

    base = linear_figures(figures, paths, stock_rule)
    # only the chosen method runs here; the audit runs every method for the backtest
    chosen = METHODS[method](base.filter(pl.col("is_partial")), base).select(
        *KEY, pl.col("estimate").alias("chosen"), pl.col("reason"))
    derived = (
        base.join(chosen, on=["series", "reference_year", "release_id"], how="left")
        .with_columns(
            pl.when(~pl.col("is_partial")).then(pl.col("observed_value"))
            .otherwise(pl.coalesce("chosen", "value_linear")).alias("value_unrounded"),
            pl.when(~pl.col("is_partial")).then(pl.lit("none"))
            .when(pl.col("chosen").is_null())
            .then(pl.lit("linear (fallback: ") + pl.lit(method) + pl.lit(": ") + pl.col("reason") + pl.lit(")"))
            .otherwise(pl.lit(method)).alias("method"),
            pl.when(pl.col("is_partial")).then(pl.lit(rounding)).alias("rounding"),
        )
        .with_columns(
            pl.when(pl.col("is_partial")).then(rounded(pl.col("value_unrounded"), rounding, decimals))
            .otherwise(pl.col("value_unrounded")).alias("value")
        )
        .drop("chosen", "reason")
    )
    return derived


def with_intervals(derived: pl.DataFrame, figures: pl.DataFrame, settings: dict) -> pl.DataFrame:
    """Add the interval of each full-year estimate (null for observed figures and for
    amounts that are not counts)."""
    spec = settings.get("interval", {}) or {}
    name = spec.get("method", "exact_poisson")
    level = float(spec.get("level", 0.95))
    if name not in INTERVAL_METHODS:
        raise SystemExit(f"params.yaml: extrapolation.interval.method '{name}' is not one of "
                         f"{', '.join(INTERVAL_METHODS)}")
    compute, description = INTERVAL_METHODS[name]
    counts = figures.select("series", "series_integer").unique()
    derived = derived.join(counts, on="series", how="left")
    eligible = (pl.col("status") == "estimated") & pl.col("series_integer").fill_null(False)
    target = derived.filter(eligible)
    low, high = compute(target["observed_value"].to_numpy(), target["months_exposure"].to_numpy(), level)
    intervals = target.select("series", "reference_year", "release_id").with_columns(
        pl.Series("interval_lower", low, dtype=pl.Float64).fill_nan(None),
        pl.Series("interval_upper", high, dtype=pl.Float64).fill_nan(None),
    )
    return (
        derived.join(intervals, on=["series", "reference_year", "release_id"], how="left")
        .with_columns(
            pl.when(eligible).then(pl.lit(level)).alias("interval_level"),
            pl.when(eligible).then(pl.lit(f"{name}: {description}"))
            .when(pl.col("status") == "estimated").then(pl.lit("none: not a count"))
            .alias("interval_method"),
        )
        .drop("series_integer")
        .sort("series", "reference_year", "observation_rank")
    )


def run(paths: Paths | None = None) -> None:
    paths = paths or Paths()
    params = load_params(paths)
    settings = params.get("extrapolation", {})
    figures = pl.read_parquet(paths.validated_figures)

    derived = with_intervals(extrapolate(figures, settings, paths, stock_count(params)), figures, settings)

    with staged_outputs() as out:
        derived.write_parquet(out.path(paths.derived_figures))


if __name__ == "__main__":
    stage_main(run, "extrapolate")
