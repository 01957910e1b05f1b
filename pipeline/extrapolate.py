"""Stage extrapolate: every figure as a full-year figure, with how it was made.

A partial-year flow (say January–September) of a series' latest year is estimated for the
whole year by the method named in params.yaml (pipeline/methods.py); everything else passes
through as observed, an earlier year known only in part as its count with its months (unless
params.yaml extrapolation.past_partial_years is `extrapolate`).
Each row keeps its inputs (observed value, months, release, source line), method, unrounded
and rounded value, interval, and a status (observed / estimated) that every later output
carries. (The audit runs every method on every partial figure, for the backtest.)"""

from __future__ import annotations

import polars as pl

from pipeline import db, schemas
from pipeline.io import staged_outputs
from pipeline.methods import INTERVAL_DEFAULTS, KEY, METHODS, History, linear, with_intervals
from pipeline.params import ParamsError, load_params
from pipeline.paths import Paths
from pipeline.stage import stage_main
from pipeline.uncertainty import INTERVAL_METHODS, NO_INTERVAL_RULES

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
        scale = 10.0**decimals
        return (expr * scale + 0.5).floor() / scale
    return expr.round(decimals, mode="half_to_even")


STOCK_COUNTS = ("annual", "latest_dated")


def stock_count(params: dict) -> str:
    """Which head-count of a year the tables show (params.yaml: stocks.count)."""
    value = (params.get("stocks") or {}).get("count", "annual")
    if value not in STOCK_COUNTS:
        raise SystemExit(f"params.yaml: stocks.count '{value}' is not one of {', '.join(STOCK_COUNTS)}")
    return value


def with_optional_columns(figures: pl.DataFrame) -> pl.DataFrame:
    """Figures with every optional release column (data/raw/README.md), blank where absent
    (figures built by hand, or before a column existed), typed as ingest types them: the
    kind of source by its documented rule, a count date known to the day."""
    defaults = {
        "exceptional": pl.lit(None, dtype=pl.Utf8),
        "reported_on": pl.lit(None, dtype=pl.Utf8),
        "reported_on_start": pl.lit(None, dtype=pl.Date),
        "reported_on_end": pl.lit(None, dtype=pl.Date),
        "supersedes": pl.lit(None, dtype=pl.Utf8),
        "approximate": pl.lit(False),
        "count_date_precision": pl.when(pl.col("count_date").is_not_null()).then(pl.lit("day")),
        "source_kind": pl.when(pl.col("reported_by").is_null()).then(pl.lit("primary")).otherwise(pl.lit("press")),
    }
    return figures.with_columns(expr.alias(name) for name, expr in defaults.items() if name not in figures.columns)


PAST_PARTIAL_YEARS = ("observed", "extrapolate")


def linear_figures(
    figures: pl.DataFrame, paths: Paths, stock_rule: str = "annual", past_partial_years: str = "observed"
) -> pl.DataFrame:
    """Every release's figure ranked among its vintages (and a stock's observations among the
    year's count dates), with the report's linear estimate for the partial years to be
    extrapolated: a series' latest year, and earlier ones with `past_partial_years`
    'extrapolate'."""
    figures = with_optional_columns(figures)
    con = db.connect()
    db.source(con, "validated_figures", figures)
    db.model(
        con,
        paths,
        "int_keyfigures_ranked_by_vintage",
        {"months_in_year": MONTHS_IN_YEAR, "stock_count": stock_rule, "source_kinds": list(schemas.SOURCE_KINDS)},
    )
    return db.model(
        con,
        paths,
        "int_keyfigures_extrapolated_to_full_year",
        {"months_in_year": MONTHS_IN_YEAR, "past_partial_years": past_partial_years},
    )


def extrapolate(figures: pl.DataFrame, settings: dict, paths: Paths, stock_rule: str = "annual") -> pl.DataFrame:
    """Every figure as a full-year figure by the method named in `settings`
    (params.yaml extrapolation), with its interval and the method's inputs."""
    method = _choice(settings, "method", "linear", METHODS)
    rounding = _choice(settings, "rounding", "half_up", ROUNDINGS)
    decimals = int(settings.get("decimals", 0))
    spec = interval_spec(settings)
    past = _choice(settings, "past_partial_years", "observed", PAST_PARTIAL_YEARS)

    base = linear_figures(figures, paths, stock_rule, past).join(
        figures.select("series", "series_integer").unique("series"), on="series", how="left"
    )
    partial = base.filter(pl.col("is_extrapolated"))
    history = History(base, bool(settings.get("leave_out_exceptional", True)), history_windows(settings, figures))
    # only the chosen method runs here (and linear where it cannot say); the audit runs every
    # method for the backtest
    chosen = METHODS[method](partial, history)
    if method != "linear":
        fallback = linear(partial, history).drop("reason").join(chosen.select(*KEY, "reason"), on=KEY, how="left")
        chosen = pl.concat(
            [
                chosen.filter(pl.col("estimate").is_not_null()),
                fallback.join(chosen.filter(pl.col("estimate").is_null()).select(KEY), on=KEY, how="semi").select(
                    chosen.columns
                ),
            ]
        )
    chosen = with_intervals(chosen, partial, history, spec)
    used = (
        pl.when(pl.col("reason").is_null())
        .then(pl.lit(method))
        .otherwise(pl.lit(f"linear (fallback: {method}: ") + pl.col("reason") + pl.lit(")"))
    )
    kind_text = {name: f"{name}: {text}" for name, (_, text) in INTERVAL_METHODS.items()}
    estimated = pl.col("status") == "estimated"
    return (
        base.join(
            chosen.rename({"estimate": "value_unrounded"}).with_columns(used.alias("method")).drop("reason"),
            on=KEY,
            how="left",
        )
        .with_columns(
            pl.when(~pl.col("is_extrapolated"))
            .then(pl.col("observed_value"))
            .otherwise(pl.col("value_unrounded"))
            .alias("value_unrounded"),
            pl.when(~pl.col("is_extrapolated")).then(pl.lit("none")).otherwise(pl.col("method")).alias("method"),
            pl.when(pl.col("is_extrapolated")).then(pl.lit(rounding)).alias("rounding"),
            pl.when(estimated & pl.col("interval_lower").is_not_null())
            .then(pl.lit(spec["level"]))
            .alias("interval_level"),
            pl.when(estimated & pl.col("interval_lower").is_not_null())
            .then(pl.lit(kind_text[spec["method"]]))
            .when(estimated & pl.col("dispersion_rule").is_in(NO_INTERVAL_RULES))
            .then(
                pl.lit(
                    "unmeasured: no interval, the series' extra variation cannot be measured (see the dispersion rule)"
                )
            )
            .when(estimated)
            .then(pl.lit("none: not a count"))
            .alias("interval_method"),
        )
        .with_columns(
            pl.when(pl.col("is_extrapolated"))
            .then(rounded(pl.col("value_unrounded"), rounding, decimals))
            .otherwise(pl.col("value_unrounded"))
            .alias("value")
        )
        .sort("series", "reference_year", "observation_rank")
    )


def history_windows(settings: dict, figures: pl.DataFrame) -> dict:
    """params.yaml extrapolation.history: the declared window of earlier years per series;
    a series the data does not have is refused (a misspelt name would be ignored in silence)."""
    windows = settings.get("history") or {}
    known = set(figures["series"].unique().to_list()) if "series" in figures.columns else set()
    for name in windows:
        if name not in known:
            raise ParamsError(f"extrapolation.history.{name}", f"no series '{name}' in data/raw/releases/")
    return dict(windows)


def interval_spec(settings: dict) -> dict:
    """params.yaml extrapolation.interval, with its defaults."""
    spec = INTERVAL_DEFAULTS | (settings.get("interval") or {})
    if spec["method"] not in INTERVAL_METHODS:
        raise SystemExit(
            f"params.yaml: extrapolation.interval.method '{spec['method']}' is not one of {', '.join(INTERVAL_METHODS)}"
        )
    return spec


def run(paths: Paths | None = None) -> None:
    paths = paths or Paths()
    params = load_params(paths)
    settings = params.get("extrapolation", {})
    figures = pl.read_parquet(paths.validated_figures)

    derived = extrapolate(figures, settings, paths, stock_count(params))

    with staged_outputs() as out:
        derived.write_parquet(out.path(paths.derived_figures))


if __name__ == "__main__":
    stage_main(run, "extrapolate")
