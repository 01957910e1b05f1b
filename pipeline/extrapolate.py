"""Stage extrapolate: every figure as a full-year figure, with how it was made.

A partial-year flow (say January–September) is estimated for the whole year by the method
named in params.yaml; everything else passes through as observed. Each row keeps its
inputs (observed value, months, release, source line), method, unrounded and rounded value,
and a status (observed / estimated) that every later output carries."""

from __future__ import annotations

import polars as pl

from pipeline import db
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
    con.register("ranked_figures", db.query(con, paths, "int_keyfigures_ranked_by_vintage"))
    return db.query(
        con, paths, "int_keyfigures_extrapolated_to_full_year",
        {
            "months_in_year": MONTHS_IN_YEAR,
            "method": method,
            "rounding": rounding,
            "decimals": int(settings.get("decimals", 0)),
        },
    )


def run(paths: Paths | None = None) -> None:
    paths = paths or Paths()
    settings = load_params(paths).get("extrapolation", {})
    figures = pl.read_parquet(paths.validated_figures)

    derived = extrapolate(figures, settings, paths)

    with staged_outputs() as out:
        derived.write_parquet(out.path(paths.derived_figures))


if __name__ == "__main__":
    stage_main(run, "extrapolate")
