"""The plotted rows: the key figures' loader and the columns every chart's data has."""

from __future__ import annotations

import polars as pl

from pipeline.charts.registry import ChartSpec, get_spec
from pipeline.params import require_known
from pipeline.paths import Paths

# The estimate's interval, from the extrapolate stage; without it no interval is drawn.
# What the interval is for (interval_kind: full_year or rate) and how the year-to-year
# variation behind it was judged (years as '2010;2011;…'), for the note on its assumptions.
INTERVAL_COLUMNS = {
    "interval_lower": pl.Float64,
    "interval_upper": pl.Float64,
    "interval_level": pl.Float64,
    "interval_method": pl.Utf8,
    "interval_kind": pl.Utf8,
    "dispersion_rule": pl.Utf8,
    "dispersion_years": pl.Utf8,
    "history_left_out": pl.Utf8,
    "history_other_era": pl.Utf8,
    "history_window": pl.Utf8,
}
# The rows every chart plots, one per series and year; `status` is observed, estimated or
# missing (a year inside the chart's span without a figure). Written beside each chart as CSV.
# A loader must give REQUIRED_COLUMNS; any other of these it lacks is null, and columns of its
# own follow them. `period_end` and `months_exposure` describe a period ending inside a month
# ("up to 15 December"); without them a period is January to the end of `months_covered`.
CHART_SCHEMA = {
    "series": pl.Utf8,
    "label_da": pl.Utf8,
    "country": pl.Utf8,
    "unit": pl.Utf8,
    "kind": pl.Utf8,
    "integer_valued": pl.Boolean,
    "reference_year": pl.Int64,
    "status": pl.Utf8,
    "observed_value": pl.Float64,
    "months_covered": pl.Int64,
    "period_end": pl.Date,
    "months_exposure": pl.Float64,
    "count_date": pl.Date,
    "count_date_precision": pl.Utf8,
    "value": pl.Float64,
    "value_unrounded": pl.Float64,
    "method": pl.Utf8,
    **INTERVAL_COLUMNS,
    "publisher": pl.Utf8,
    "publication": pl.Utf8,
    "published": pl.Utf8,
    "reported_by": pl.Utf8,
    "source_kind": pl.Utf8,
    "approximate": pl.Boolean,
    "release_id": pl.Utf8,
    "source_file": pl.Utf8,
    "source_line": pl.Int64,
}
CHART_COLUMNS = tuple(CHART_SCHEMA)
REQUIRED_COLUMNS = ("series", "label_da", "unit", "reference_year", "status", "value")


def _conform(data: pl.DataFrame, name: str) -> pl.DataFrame:
    """CHART_COLUMNS first (nulls where the loader has none), then the loader's own columns."""
    absent = [c for c in REQUIRED_COLUMNS if c not in data.columns]
    if absent:
        raise ValueError(f"chart '{name}': its data lacks {', '.join(absent)}")
    data = data.with_columns(pl.lit(None, dtype=t).alias(c) for c, t in CHART_SCHEMA.items() if c not in data.columns)
    return data.select(*CHART_COLUMNS, *(c for c in data.columns if c not in CHART_SCHEMA))


def keyfigure_rows(spec: ChartSpec, paths: Paths) -> pl.DataFrame:
    """The selected full-year figures of the spec's series, every year of the span, and the
    spec's context years before it (with their label in the column `context`)."""
    series = pl.read_parquet(paths.validated_series)
    require_known(f"charts.{spec.name}.series", spec.series, series["series"], "series", "data/raw/series.csv")
    series = series.filter(pl.col("series").is_in(spec.series))
    selected = pl.read_parquet(paths.derived_figures).filter(pl.col("selected") & pl.col("series").is_in(spec.series))
    figures = selected
    if spec.first_year is not None:
        figures = figures.filter(pl.col("reference_year") >= spec.first_year)
    if figures.is_empty():
        raise SystemExit(f"noegletal charts: chart '{spec.name}': no figures for {', '.join(spec.series)}")

    first = spec.first_year if spec.first_year is not None else figures["reference_year"].min()
    span = list(range(first, figures["reference_year"].max() + 1))
    context = {year: label for year, label in spec.context if year < first}
    years = pl.DataFrame({"reference_year": [*sorted(context), *span]})
    order = {s: i for i, s in enumerate(spec.series)}
    grid = series.select(
        "series",
        "label_da",
        "country",
        "unit",
        "kind",
        pl.col("integer").cast(pl.Utf8).str.to_lowercase().is_in(["true", "1"]).alias("integer_valued"),
    ).join(years, how="cross")
    in_view = selected.filter(pl.col("reference_year").is_in(years["reference_year"].to_list())).with_columns(
        pl.col(c).cast(pl.List(pl.Utf8)).list.join(";")
        for c, t in selected.schema.items()
        if isinstance(t, pl.List) and c in CHART_SCHEMA
    )
    rows = grid.join(
        in_view.drop(["label_da", "country", "unit", "kind"], strict=False), on=["series", "reference_year"], how="left"
    )
    rows = (
        rows.with_columns(
            pl.col("status").fill_null("missing"),
            pl.col("series").replace_strict(order, return_dtype=pl.Int64).alias("_order"),
        )
        .sort("_order", "reference_year")
        .select(c for c in CHART_COLUMNS if c in rows.columns)
    )
    if not context:
        return rows
    return rows.with_columns(
        pl.col("reference_year").replace_strict(context, default=None, return_dtype=pl.Utf8).alias("context")
    )


def chart_data(name: str, paths: Paths | None = None) -> pl.DataFrame:
    """The rows a chart plots (CHART_COLUMNS, then any of the loader's own), as in its CSV."""
    paths = paths or Paths()
    spec = get_spec(name, paths)
    return _conform((spec.load or keyfigure_rows)(spec, paths), name)
