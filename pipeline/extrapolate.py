"""Stage extrapolate: every figure as a full-year figure, with how it was made.

A partial-year flow (say January–September) is estimated for the whole year by the method
named in params.yaml; everything else passes through as observed. Each row keeps its
inputs (observed value, months, release, source line), method, unrounded and rounded value,
and a status (observed / estimated) that every later output carries."""

from __future__ import annotations

import polars as pl

from pipeline import db
from pipeline.uncertainty import INTERVAL_METHODS
from pipeline.io import staged_outputs
from pipeline.params import load_params
from pipeline.paths import Paths
from pipeline.stage import stage_main

MONTHS_IN_YEAR = 12
METHODS = ("linear",)
ROUNDINGS = ("half_up", "half_even")


def extrapolate(figures: pl.DataFrame, settings: dict, paths: Paths) -> pl.DataFrame:
    method = settings.get("method", "linear")
    rounding = settings.get("rounding", "half_up")
    if method not in METHODS:
        raise SystemExit(f"params.yaml: extrapolation.method '{method}' is not one of {', '.join(METHODS)}")
    if rounding not in ROUNDINGS:
        raise SystemExit(f"params.yaml: extrapolation.rounding '{rounding}' is not one of {', '.join(ROUNDINGS)}")
    con = db.connect()
    con.register("validated_figures", figures)
    con.register("ranked_figures", db.query(con, paths, "int_keyfigures_ranked_by_vintage",
                                            {"months_in_year": MONTHS_IN_YEAR}))
    return db.query(
        con, paths, "int_keyfigures_extrapolated_to_full_year",
        {
            "months_in_year": MONTHS_IN_YEAR,
            "method": method,
            "rounding": rounding,
            "decimals": int(settings.get("decimals", 0)),
        },
    )


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
    )


def run(paths: Paths | None = None) -> None:
    paths = paths or Paths()
    settings = load_params(paths).get("extrapolation", {})
    figures = pl.read_parquet(paths.validated_figures)

    derived = with_intervals(extrapolate(figures, settings, paths), figures, settings)

    with staged_outputs() as out:
        derived.write_parquet(out.path(paths.derived_figures))


if __name__ == "__main__":
    stage_main(run, "extrapolate")
