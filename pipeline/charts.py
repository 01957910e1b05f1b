"""Stage charts: the key figures as charts for report authors.

Every chart is registered in CHARTS by name: which series and years it shows, how it is
drawn, and its Danish title. All charts share one style: Danish number formatting on axes,
labels and hover; greyscale-safe colours (distinct lightness, dashes, markers, hatching); a
source line built from the plotted rows' provenance. A partial year is drawn so that the
estimate cannot be taken for an observation: the observed months as a solid bar (or filled
marker), the rest of the year as a hatched bar (or an open marker on a dotted segment)
labelled "skøn", with the estimate's interval as an error bar when the extrapolate stage
provides one. Earlier years can be shown apart for context (the 2017 gang conflict). Charts on
other data — Denmark against Sweden per 100.000 inhabitants (the compare stage's output) and
the custom notifications of VIVE section 2.6 — bring their own loader, drawing, notes and
source line, and share the rest.

Writes, per chart, to outputs/charts/: standalone HTML (plotly.js inline, works offline), SVG
and PNG, the plotted rows as CSV and the metadata (title, unit, source, notes, estimates) as
JSON. Static images come from one headless Chromium (kaleido's sync server) for the whole
run. Two runs on the same data give byte-identical files."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import textwrap
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from pipeline import fmt, wording
from pipeline.io import staged_outputs
from pipeline.paths import Paths
from pipeline.stage import stage_main

MONTHS_IN_YEAR = 12
FORMATS = ("html", "svg", "png")
STATIC_FORMATS = ("svg", "png")


def charts_dir(paths: Paths) -> Path:
    return paths.outputs / "charts"


# --- The registry -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartSpec:
    """One chart. `series` and `first_year` select the figures (the last year is always the
    latest in the data); `context` adds earlier years, drawn apart from the span with a label
    (e.g. a year of gang conflict to compare with). Charts on other data replace `load` (it
    must return REQUIRED_COLUMNS; the rest of CHART_COLUMNS is optional) and may replace
    `draw`, and `describe` and `cite` when the key figures' notes and source line do not fit
    their data; title, style and export are shared."""

    name: str
    title: str  # Danish; the data's years are appended
    series: tuple[str, ...] = ()
    first_year: int | None = None
    context: tuple[tuple[int, str], ...] = ()  # (year, Danish label) shown apart, before the span
    mark: str = "bar"  # "bar" for flows (counts over a year), "line" for stocks
    panels: bool = False  # one panel per series (different units) or one shared axis
    horizontal: bool = False  # values on the x axis (the drawing must match)
    plot_height: int | None = None  # the plotting area in px; default PLOT_HEIGHT
    y_title: str | None = None  # default "Antal <unit>"
    drawn_as: str | None = None  # how an estimate is drawn, in words; default from `mark`
    notes: tuple[str, ...] = ()  # extra Danish notes under the chart
    load: Callable[[ChartSpec, Paths], pl.DataFrame] | None = None
    draw: Callable[[ChartSpec, pl.DataFrame], go.Figure] | None = None
    describe: Callable[[ChartSpec, pl.DataFrame], list[str]] | None = None  # notes from the data
    cite: Callable[[pl.DataFrame], str] | None = None  # the source line


CHARTS: dict[str, ChartSpec] = {}


def register(spec: ChartSpec) -> ChartSpec:
    if spec.name in CHARTS:
        raise ValueError(f"chart '{spec.name}' is registered twice")
    if spec.mark not in ("bar", "line"):
        raise ValueError(f"chart '{spec.name}': mark must be 'bar' or 'line', not '{spec.mark}'")
    CHARTS[spec.name] = spec
    return spec


def get_spec(name: str) -> ChartSpec:
    if name not in CHARTS:
        raise SystemExit(f"noegletal charts: no chart '{name}'; charts: {', '.join(CHARTS)}")
    return CHARTS[name]


# --- The plotted data ---------------------------------------------------------------------

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
    "value": pl.Float64,
    "value_unrounded": pl.Float64,
    "method": pl.Utf8,
    **INTERVAL_COLUMNS,
    "publisher": pl.Utf8,
    "publication": pl.Utf8,
    "published": pl.Utf8,
    "reported_by": pl.Utf8,
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
    series = pl.read_parquet(paths.validated_series).filter(pl.col("series").is_in(spec.series))
    unknown = sorted(set(spec.series) - set(series["series"]))
    if unknown:
        raise SystemExit(f"noegletal charts: chart '{spec.name}': unknown series {', '.join(unknown)}")
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
    spec = get_spec(name)
    return _conform((spec.load or keyfigure_rows)(spec, paths or Paths()), name)


# --- Danish texts from the data -----------------------------------------------------------


def _rows(data: pl.DataFrame, status: str | None = None) -> list[dict]:
    rows = data.to_dicts()
    return [r for r in rows if status is None or r["status"] == status]


def _num(value: float | None, row: dict) -> str:
    """A figure as printed: whole numbers for integer series, else one decimal if needed."""
    if value is None:
        return fmt.MISSING
    decimals = 0 if row.get("integer_valued") or float(value).is_integer() else 1
    return fmt.number(value, decimals)


def _interval(row: dict) -> str | None:
    if row["interval_lower"] is None or row["interval_upper"] is None:
        return None
    if row.get("interval_kind"):
        text = wording.interval_range(row)
        return text[:1].upper() + text[1:]
    level = f"{fmt.percent(row['interval_level'])}-interval" if row["interval_level"] else "Interval"
    return f"{level}: {_num(row['interval_lower'], row)}–{_num(row['interval_upper'], row)}"


def _months(row: dict) -> float:
    return row["months_exposure"] if row.get("months_exposure") is not None else row["months_covered"]


def _period(row: dict) -> str:
    """The observed part of a partial year: 'januar–september', or '1. januar–15. december'."""
    if row.get("period_end"):
        return f"1. januar–{fmt.date_text(row['period_end'], 'd. MMMM')}"
    return fmt.months_span(row["months_covered"])


def _rest_of_year(row: dict) -> str:
    if row.get("period_end"):
        return "resten af året"
    return fmt.months_span_from(row["months_covered"] + 1, MONTHS_IN_YEAR)


def _months_number(months: float) -> str:
    """9 -> '9'; 11.5 -> '11,5'; 11.4516 -> '11,45'."""
    decimals = next(d for d in (0, 1, 2) if d == 2 or round(months, d) == round(months, 2))
    return fmt.number(months, decimals)


def _months_text(months: float) -> str:
    return f"{_months_number(months)} måneder"


def chart_title(spec: ChartSpec, data: pl.DataFrame) -> str:
    """The title with the years shown: '…, 2014–2024'; '…, 2017 og 2021–2024' with a context
    year; no years for data without them."""
    years = data["reference_year"].drop_nulls()
    return f"{spec.title}, {fmt.year_ranges(years.to_list())}" if years.len() else spec.title


def _drawn_as(spec: ChartSpec) -> str:
    if spec.drawn_as:
        return spec.drawn_as
    return "skraveret" if spec.mark == "bar" else "åben markør, prikket linje"


def subtitle(spec: ChartSpec, data: pl.DataFrame) -> str:
    """One line under the title: what is an estimate, or what a stock's count date is."""
    estimated = _rows(data, "estimated")
    if estimated:
        periods = dict.fromkeys(f"{r['reference_year']}: {_period(r)}" for r in estimated)
        return "; ".join(f"{period} er opgjort, resten af året er et skøn ({_drawn_as(spec)})" for period in periods)
    undated = [r for r in _rows(data) if r["kind"] == "stock" and r["status"] != "missing" and not r["count_date"]]
    if undated:
        return (
            f"Antal {undated[0]['unit']} på opgørelsesdatoen; datoen er ikke oplyst for "
            f"{fmt.year_ranges(r['reference_year'] for r in undated)}"
        )
    return ""


def _computation(row: dict) -> str:
    """'sigtelser 2.181 / 9 × 12 = 2.908' for the report's method; each other method in its own
    terms (pipeline/wording.py)."""
    label, observed, value = row["label_da"].lower(), _num(row["observed_value"], row), _num(row["value"], row)
    method = wording.parse_method(row["method"])
    if method.used != "linear":
        return wording.computation(
            method, label, row["observed_value"], row["value_unrounded"], _months(row), row["value"], value, observed
        )
    months = _months(row)
    equals = "=" if row["value_unrounded"] == row["value"] else "≈"
    return f"{label} {observed} / {_months_number(months)} × {MONTHS_IN_YEAR} {equals} {value}"


def _estimate_notes(spec: ChartSpec, data: pl.DataFrame) -> list[str]:
    groups: dict[tuple[int, str, wording.Method], list[dict]] = {}
    for row in _rows(data, "estimated"):
        groups.setdefault((row["reference_year"], _period(row), wording.parse_method(row["method"])), []).append(row)
    notes = []
    for (year, period, method), rows in groups.items():
        fallback = wording.fallback_sentence(
            method, wording.listing([r["label_da"].lower() for r in rows]), describe=False
        )
        notes.append(
            f"Skøn: {year} er kun opgjort for {period} ({_months_text(_months(rows[0]))}). Helårstallet "
            f"({_drawn_as(spec)}) er fremskrevet {wording.how_estimated(method, period, _rest_of_year(rows[0]))}: "
            f"{'; '.join(_computation(r) for r in rows)}. Det er et skøn, ikke en opgørelse."
            + (f" {fallback}" if fallback else "")
        )
    return notes


def _interval_notes(data: pl.DataFrame) -> list[str]:
    """'Den lodrette streg viser et 95 %-interval for skønnet: <how>.' The method text is
    'code: description'; the Danish description of the code is shown (pipeline/wording.py)."""
    rows = [r for r in _rows(data, "estimated") if r["interval_lower"] is not None and r["interval_level"]]
    notes = []
    # a full-year interval is said by its assumptions (below); another kind by its description
    for level in sorted({r["interval_level"] for r in rows if r.get("interval_kind") == "full_year"}):
        notes.append(f"Den lodrette streg viser et {fmt.percent(level)}-interval for hele årets tal.")
    methods = {(r["interval_level"], r["interval_method"]) for r in rows if r.get("interval_kind") != "full_year"}
    for level, method in sorted(methods, key=lambda m: (m[0], m[1] or "")):
        how = wording.interval_description(method)
        notes.append(
            f"Den lodrette streg viser et {fmt.percent(level)}-interval for skønnet" + (f": {how}." if how else ".")
        )
    assumptions = wording.interval_assumptions(_rows(data, "estimated"))
    return notes + ([assumptions] if assumptions else [])


def _count_date_notes(data: pl.DataFrame) -> list[str]:
    notes = []
    stocks = [r for r in _rows(data) if r["kind"] == "stock" and r["status"] != "missing"]
    for label in dict.fromkeys(r["label_da"] for r in stocks):
        rows = [r for r in stocks if r["label_da"] == label]
        undated = [r["reference_year"] for r in rows if not r["count_date"]]
        dated = "; ".join(
            f"{r['reference_year']} er opgjort pr. {fmt.date_text(r['count_date'])}" for r in rows if r["count_date"]
        )
        text = f"{label} er en bestand (antal på en dato), ikke et antal over året."
        if undated:
            text += (
                f" Opgørelsesdatoen er ikke oplyst for {fmt.year_ranges(undated)}, så tallene er ikke "
                "nødvendigvis opgjort på samme dato hvert år."
            )
        if dated:
            text += f" {dated[0].upper()}{dated[1:]}."
        notes.append(text)
    return notes


def _missing_notes(data: pl.DataFrame) -> list[str]:
    missing: dict[str, list[int]] = {}
    for row in _rows(data, "missing"):
        missing.setdefault(row["label_da"], []).append(row["reference_year"])
    return [f"{label}: ingen offentliggjorte tal for {fmt.year_ranges(years)}." for label, years in missing.items()]


def _context_notes(data: pl.DataFrame) -> list[str]:
    """'2017 (Bandekonflikten 2017) er vist til sammenligning, adskilt fra 2021–2024; 2018–2020 er ikke vist.'"""
    if "context" not in data.columns:
        return []
    context = {r["reference_year"]: r["context"] for r in _rows(data) if r["context"]}
    if not context:
        return []
    span = sorted({r["reference_year"] for r in _rows(data) if not r["context"]})
    shown = "; ".join(label if str(year) in label else f"{year} ({label})" for year, label in sorted(context.items()))
    gap = [y for y in range(max(context) + 1, span[0]) if y not in context]
    return [
        f"{shown[0].upper()}{shown[1:]} er vist til sammenligning, adskilt fra {fmt.year_ranges(span)}"
        + (f"; {fmt.year_ranges(gap)} er ikke vist." if gap else ".")
    ]


def chart_notes(spec: ChartSpec, data: pl.DataFrame) -> list[str]:
    if spec.describe:
        return [*spec.describe(spec, data), *spec.notes]
    return [
        *_estimate_notes(spec, data),
        *_interval_notes(data),
        *_count_date_notes(data),
        *_missing_notes(data),
        *_context_notes(data),
        *spec.notes,
    ]


def chart_source(spec: ChartSpec, data: pl.DataFrame) -> str:
    return spec.cite(data) if spec.cite else source_text(data)


def source_text(data: pl.DataFrame) -> str:
    """'Kilde: Figuren er baseret på nøgletal fra Rigspolitiet 2014, 2015; …' (as the tables'
    source line, pipeline.tables.source_text, with the publication years of the plotted rows)."""
    plotted = [r for r in _rows(data) if r["status"] != "missing" and r["publisher"]]
    by_publisher: dict[str, list[str]] = {}
    for row in sorted(plotted, key=lambda r: ((r["published"] or "")[:4], r["publisher"])):
        years = by_publisher.setdefault(row["publisher"], [])
        year = (row["published"] or "")[:4]
        if year and year not in years:
            years.append(year)
    listed = "; ".join(" ".join([p, ", ".join(y)]).strip() for p, y in by_publisher.items())
    return f"Kilde: Figuren er baseret på nøgletal fra {listed}."


def _hover(row: dict) -> str:
    lines = [f"<b>{row['label_da']} {row['reference_year']}</b>"]
    if row.get("context"):
        lines.append(row["context"])

    def unit(value):  # the unit in the number shown: '1 person', '2 personer' (pipeline/wording.py)
        shown = 0 if row.get("integer_valued") or value is None or float(value).is_integer() else 1
        return wording.unit_text(value, row["unit"], shown)

    if row["status"] == "missing":
        lines.append("Ingen offentliggjorte tal")
    elif row["status"] == "estimated":
        lines.append(f"Opgjort {_period(row)}: {_num(row['observed_value'], row)} {unit(row['observed_value'])}")
        lines.append(f"Skøn for hele året: {_num(row['value'], row)} {unit(row['value'])}")
        if interval := _interval(row):
            lines.append(interval)
    elif row["kind"] == "stock":
        lines.append(f"{_num(row['value'], row)} {unit(row['value'])}")
        date = fmt.date_text(row["count_date"]) if row["count_date"] else "ikke oplyst"
        lines.append(f"Opgørelsesdato: {date}")
    else:
        whole_year = " (hele året)" if row["months_covered"] == MONTHS_IN_YEAR else ""
        lines.append(f"{_num(row['value'], row)} {unit(row['value'])}{whole_year}")
    if row["status"] != "missing" and row["publisher"]:
        lines.append(f"Kilde: {row['publisher']} {(row['published'] or '')[:4]}".strip())
    return "<br>".join(lines)


# --- One style for every chart ------------------------------------------------------------

WIDTH = 900
PLOT_HEIGHT = 340  # the plotting area; title, legend and footer come on top of it
PNG_SCALE = 2  # 1800 px wide: sharp in print
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
INK = "#1a1a1a"
MUTED = "#555555"
GRID = "#e3e3e3"
BAR_SPAN = 0.8  # of a year's width, shared by the bars of one year
FOOTER_WRAP = 150  # characters per footer line (11 px, about 5 px a character, on 800 px)
FOOTER_LINE_PX = 15
ESTIMATE_PATTERN = "/"


@dataclass(frozen=True)
class SeriesStyle:
    """Series are told apart by lightness (about 20, 50, 80 % L*) and by marker and dash, so
    a greyscale print keeps them apart; `ink` (outline, hatching, lines) is a dark shade."""

    fill: str
    ink: str
    symbol: str
    dash: str


SERIES_STYLES = (
    SeriesStyle("#08306b", "#08306b", "circle", "solid"),
    SeriesStyle("#4a7fb5", "#234f7d", "square", "dash"),
    SeriesStyle("#a6c8e6", "#3d6a94", "diamond", "dot"),
    SeriesStyle("#d0d0d0", "#4d4d4d", "triangle-up", "dashdot"),
)


def y_title(spec: ChartSpec, rows: list[dict]) -> str:
    units = list(dict.fromkeys(r["unit"] for r in rows))
    if spec.y_title and not spec.panels:
        return spec.y_title
    return f"Antal {units[0]}" if len(units) == 1 else "Antal"


def _bar_traces(rows: list[dict], style: SeriesStyle, slot: int, slots: int, legend: bool) -> list:
    """Observed values as solid bars; a partial year's rest up to the full-year estimate as a
    hatched bar on top, with the interval as an error bar; value labels above."""
    width = BAR_SPAN / slots
    offset = -BAR_SPAN / 2 + slot * width
    centre = offset + width / 2
    s, label = rows[0]["series"], rows[0]["label_da"]
    drawn = [r for r in rows if r["status"] != "missing"]
    estimated = [r for r in rows if r["status"] == "estimated"]
    traces = [
        go.Bar(
            x=[r["x"] for r in drawn],
            y=[r["observed_value"] for r in drawn],
            offset=offset,
            width=width,
            name=label,
            legendgroup=s,
            showlegend=legend,
            uid=f"{s}-observed",
            marker=dict(color=style.fill, line=dict(color=style.ink, width=1)),
            hovertext=[_hover(r) for r in drawn],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    ]
    if estimated:
        traces.append(
            go.Bar(
                x=[r["x"] for r in estimated],
                y=[r["value"] - r["observed_value"] for r in estimated],
                base=[r["observed_value"] for r in estimated],
                offset=offset,
                width=width,
                name=f"{label}, skøn",
                legendgroup=s,
                showlegend=False,
                uid=f"{s}-estimated",
                marker=dict(color="white", line=dict(color=style.ink, width=1), pattern=_hatch(style.ink)),
                hovertext=[_hover(r) for r in estimated],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
        traces += _whiskers(estimated, [r["x"] + centre for r in estimated], s)
    traces.append(_labels(rows, [r["x"] + centre for r in rows], s, mark="bar"))
    return traces


def _line_traces(rows: list[dict], style: SeriesStyle, legend: bool) -> list:
    """Observed values as a line with filled markers; an estimate as an open marker on a
    dotted segment from the year before, with the interval as an error bar; value labels."""
    s, label = rows[0]["series"], rows[0]["label_da"]
    observed = {r["reference_year"]: r for r in rows if r["status"] == "observed"}
    traces = [
        go.Scatter(
            x=[r["x"] for r in rows],
            y=[r["value"] if r["status"] == "observed" else None for r in rows],
            mode="lines+markers",
            name=label,
            legendgroup=s,
            showlegend=legend,
            uid=f"{s}-observed",
            connectgaps=False,
            line=dict(color=style.ink, dash=style.dash, width=2),
            marker=dict(symbol=style.symbol, size=8, color=style.ink),
            hovertext=[_hover(r) for r in rows],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    ]
    for r in (r for r in rows if r["status"] == "estimated"):
        year = r["reference_year"]
        if before := observed.get(year - 1):
            traces.append(
                go.Scatter(
                    x=[before["x"], r["x"]],
                    y=[before["value"], r["value"]],
                    mode="lines",
                    showlegend=False,
                    legendgroup=s,
                    uid=f"{s}-{year}-estimate-segment",
                    hoverinfo="skip",
                    line=dict(color=style.ink, dash="dot", width=2),
                )
            )
        traces.append(
            go.Scatter(
                x=[r["x"]],
                y=[r["value"]],
                mode="markers",
                name=f"{label}, skøn",
                legendgroup=s,
                showlegend=False,
                uid=f"{s}-{year}-estimate",
                marker=dict(symbol=f"{style.symbol}-open", size=10, color=style.ink, line=dict(width=2)),
                hovertext=[_hover(r)],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
        traces += _whiskers([r], [r["x"]], f"{s}-{year}")
    traces.append(_labels(rows, [r["x"] for r in rows], s, mark="line"))
    return traces


def _hatch(colour: str) -> dict:
    return dict(shape=ESTIMATE_PATTERN, fgcolor=colour, fgopacity=1, bgcolor="white", solidity=0.3)


def _whiskers(rows: list[dict], x: list[float], uid: str) -> list:
    """The estimates' intervals as error bars: a dark line on a white halo, so that it shows
    on a dark bar as on white paper. Nothing when the rows have no interval."""
    rows_x = [(r, xi) for r, xi in zip(rows, x) if r["interval_lower"] is not None and r["interval_upper"] is not None]
    if not rows_x:
        return []
    error = dict(
        type="data",
        symmetric=False,
        array=[r["interval_upper"] - r["value"] for r, _ in rows_x],
        arrayminus=[r["value"] - r["interval_lower"] for r, _ in rows_x],
    )
    return [
        go.Scatter(
            x=[xi for _, xi in rows_x],
            y=[r["value"] for r, _ in rows_x],
            mode="markers",
            marker=dict(size=1, color="rgba(0,0,0,0)"),
            error_y=error | dict(color=colour, thickness=t, width=w),
            showlegend=False,
            hoverinfo="skip",
            uid=f"{uid}-interval-{part}",
        )
        for part, colour, t, w in (("halo", "white", 4, 7), ("line", INK, 1.5, 5))
    ]


def _top(row: dict) -> float:
    return max(v for v in (row["value"], row["observed_value"], row["interval_upper"], 0) if v is not None)


def _label_text(row: dict) -> str:
    if row["status"] == "missing":
        return "ingen<br>tal"
    text = _num(row["value"], row)
    if row["status"] == "estimated":
        return f"skøn<br>{text}"
    if row["kind"] == "stock" and row["count_date"]:
        return f"{text}<br>pr. {fmt.date_text(row['count_date'], 'medium')}"
    return text


def _labels(rows: list[dict], x: list[float], s: str, mark: str) -> go.Scatter:
    """Value labels above each bar or point (above the interval); "ingen tal" at the axis.
    On a line, an invisible marker keeps the label clear of the line's own marker."""
    return go.Scatter(
        x=x,
        y=[0 if r["status"] == "missing" else _top(r) for r in rows],
        mode="text" if mark == "bar" else "markers+text",
        marker=dict(size=14, opacity=0),
        text=[_label_text(r) for r in rows],
        textposition="top center",
        textfont=dict(size=11, color=[MUTED if r["status"] == "missing" else INK for r in rows]),
        showlegend=False,
        hoverinfo="skip",
        cliponaxis=False,
        uid=f"{s}-labels",
    )


def _legend_keys(spec: ChartSpec, data: pl.DataFrame) -> list:
    """Legend entries that explain the estimate and its interval once for the whole chart."""
    estimated = _rows(data, "estimated")
    if not estimated:
        return []
    if spec.mark == "bar":
        keys = [
            go.Bar(
                x=[None],
                y=[None],
                name="Skøn for resten af året",
                uid="key-estimate",
                showlegend=True,
                marker=dict(color="white", line=dict(color=INK, width=1), pattern=_hatch(INK)),
            )
        ]
    else:
        keys = [
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines+markers",
                name="Skøn for hele året",
                uid="key-estimate",
                showlegend=True,
                line=dict(color=INK, dash="dot"),
                marker=dict(symbol="circle-open", size=10, color=INK),
            )
        ]
    levels = sorted({r["interval_level"] for r in estimated if r["interval_lower"] is not None and r["interval_level"]})
    for level in levels:
        keys.append(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=f"{fmt.percent(level)}-interval for skønnet",
                uid=f"key-interval-{round(level * 1000)}",
                showlegend=True,
                marker=dict(symbol="line-ns-open", size=12, color=INK),
            )
        )
    return keys


CONTEXT_GAP = 1.6  # years of axis between the context years and the span
CONTEXT_FILL = "#ebebeb"


def year_positions(data: pl.DataFrame) -> dict[int, float]:
    """Where each year goes on the x axis: the span's years at themselves, context years just
    before it (CONTEXT_GAP apart), so that the years between them take no room."""
    rows = _rows(data)
    context = sorted({r["reference_year"] for r in rows if r.get("context")})
    span = sorted({r["reference_year"] for r in rows} - set(context))
    start = span[0] - CONTEXT_GAP - (len(context) - 1)
    return {**{y: start + i for i, y in enumerate(context)}, **{y: y for y in span}}


def _context_band(fig: go.Figure, rows: list[dict], positions: dict[int, float]) -> None:
    """A light band behind the context years, labelled (e.g. "Bandekonflikten 2017")."""
    labels: dict[str, list[int]] = {}
    for r in rows:
        if r.get("context"):
            labels.setdefault(r["context"], []).append(r["reference_year"])
    for label, years in labels.items():
        x0, x1 = min(positions[y] for y in years) - 0.5, max(positions[y] for y in years) + 0.5
        fig.add_shape(
            type="rect",
            x0=x0,
            x1=x1,
            y0=0,
            y1=1,
            xref="x",
            yref="y domain",
            layer="below",
            fillcolor=CONTEXT_FILL,
            line=dict(width=0),
            name=f"context-{label}",
        )
        fig.add_annotation(
            x=(x0 + x1) / 2,
            y=1,
            xref="x",
            yref="y domain",
            yanchor="top",
            showarrow=False,
            text=f"<b>{html.escape(label)}</b>",
            font=dict(size=12, color=INK),
            name=f"context-{label}",
        )


def draw_keyfigures(spec: ChartSpec, data: pl.DataFrame) -> go.Figure:
    """Bars (or lines) per series; one shared axis, or one panel per series."""
    positions = year_positions(data)
    rows = [r | {"x": positions[r["reference_year"]]} for r in _rows(data)]
    series_ids = list(dict.fromkeys(r["series"] for r in rows))
    years = sorted(positions, key=positions.get)
    groups = [[s] for s in series_ids] if spec.panels else [series_ids]
    labels = [next(r["label_da"] for r in rows if r["series"] == g[0]) for g in groups]
    fig = make_subplots(
        rows=1, cols=len(groups), horizontal_spacing=0.12, subplot_titles=labels if spec.panels else None
    )
    legend = len(series_ids) > 1 and not spec.panels
    for col, group in enumerate(groups, start=1):
        for slot, s in enumerate(group):
            style = SERIES_STYLES[series_ids.index(s) % len(SERIES_STYLES)]
            series_rows = [r for r in rows if r["series"] == s]
            traces = (
                _bar_traces(series_rows, style, slot, len(group), legend)
                if spec.mark == "bar"
                else _line_traces(series_rows, style, legend)
            )
            for trace in traces:
                fig.add_trace(trace, row=1, col=col)
        group_rows = [r for r in rows if r["series"] in group]
        top = max((_top(r) for r in group_rows if r["status"] != "missing"), default=0) or 1
        fig.update_yaxes(title_text=y_title(spec, group_rows), range=[0, top * 1.22], row=1, col=col)
    for key in _legend_keys(spec, data):
        fig.add_trace(key, row=1, col=1)
    if not spec.panels:
        _context_band(fig, rows, positions)
    fig.update_xaxes(
        tickmode="array",
        tickvals=[positions[y] for y in years],
        ticktext=[str(y) for y in years],
        range=[positions[years[0]] - 0.6, positions[years[-1]] + 0.6],
        showgrid=False,
        ticks="outside",
    )
    return fig


def apply_style(fig: go.Figure, spec: ChartSpec, data: pl.DataFrame) -> go.Figure:
    """The shared look: Danish separators, fonts, title and subtitle, legend, footer with the
    notes and the source line; sizes fixed so HTML, SVG and PNG look alike."""
    footer_lines = [
        line
        for text in [*chart_notes(spec, data), chart_source(spec, data)]
        for line in textwrap.wrap(text, FOOTER_WRAP)
    ]
    plot_height = spec.plot_height or PLOT_HEIGHT
    legend = any(trace.showlegend for trace in fig.data)
    legend_gap = 34 if spec.panels else 8  # room for the panels' titles
    top = (78 if subtitle(spec, data) else 56) + (28 if legend else 0) + legend_gap
    footer_gap = 46 + (20 if spec.horizontal else 0)  # below the tick labels (and the value axis' title)
    bottom = footer_gap + FOOTER_LINE_PX * len(footer_lines) + 8
    # the panels' titles; a drawing's own annotations are named and keep their look
    fig.update_annotations(font=dict(family=FONT, size=14, color=INK), selector=lambda a: not a.name)
    value_axis = dict(
        rangemode="tozero", tickformat=",~f", showgrid=True, gridcolor=GRID, ticks="outside", title_font=dict(size=12)
    )
    (fig.update_xaxes if spec.horizontal else fig.update_yaxes)(**value_axis)
    fig.update_layout(
        template="simple_white",
        separators=",.",
        width=WIDTH,
        height=plot_height + top + bottom,
        margin=dict(l=74, r=24, t=top, b=bottom),
        font=dict(family=FONT, size=13, color=INK),
        title=dict(
            text=f"<b>{html.escape(chart_title(spec, data))}</b>",
            x=0,
            xref="paper",
            xanchor="left",
            y=1 - 14 / (plot_height + top + bottom),
            yref="container",
            yanchor="top",
            font=dict(size=18),
            subtitle=dict(text=subtitle(spec, data), font=dict(size=13, color=MUTED)),
        ),
        showlegend=legend,
        legend=dict(
            orientation="h",
            x=0,
            xanchor="left",
            y=1 + legend_gap / plot_height,
            yanchor="bottom",
            font=dict(size=12),
            traceorder="normal",
        ),
        barmode="overlay",
        hovermode="closest",
        hoverlabel=dict(font=dict(family=FONT, size=12)),
    )
    fig.add_annotation(
        text="<br>".join(html.escape(line, quote=False) for line in footer_lines),
        showarrow=False,
        align="left",
        x=0,
        xref="paper",
        xanchor="left",
        y=-footer_gap / plot_height,
        yref="paper",
        yanchor="top",
        font=dict(size=11, color=MUTED),
        name="footer",
    )
    return fig


# --- Denmark against Sweden, per 100.000 inhabitants -----------------------------------------

COUNTRY_DA = {"DK": "Danmark", "SE": "Sverige"}
SIDES = ("dk", "se")  # the compare stage's prefixes; its rate_ratio is se / dk


def _without_country(label: str, country: str) -> str:
    return label.removesuffix(f" ({COUNTRY_DA.get(country, country)})")


def comparison_rows(spec: ChartSpec, paths: Paths) -> pl.DataFrame:
    """Each country's rate per year from the compare stage: one row per country and year, the
    Danish partial year as an estimate (its rate is per person-year over the months covered),
    with the publisher of the count used (from the figure the compare stage names)."""
    comparison = pl.read_parquet(paths.derived_comparison).sort("reference_year")
    series = {r["series"]: r for r in pl.read_parquet(paths.validated_series).iter_rows(named=True)}
    figures = pl.read_parquet(paths.derived_figures)
    # a file alone is the location of every sum of rows in it: series and year tell them apart
    provenance = {
        (fmt.source_location(r["source_file"], r["source_line"]), r["series"], r["reference_year"]): r
        for r in figures.iter_rows(named=True)
    }
    rows = []
    for side in SIDES:
        for c in comparison.iter_rows(named=True):
            meta = series[c[f"{side}_series"]]
            source = provenance.get((c[f"{side}_location"], c[f"{side}_series"], c["reference_year"]), {})
            months, rate = c[f"{side}_months"], c[f"{side}_rate"]
            partial = months is not None and months < MONTHS_IN_YEAR
            rows.append(
                {
                    "series": meta["series"],
                    "country": meta["country"],
                    "label_da": f"{COUNTRY_DA.get(meta['country'], meta['country'])}: "
                    f"{_without_country(meta['label_da'], meta['country']).lower()}",
                    "unit": f"pr. {fmt.number(c['per_inhabitants'])} indbyggere",
                    "kind": meta["kind"],
                    "integer_valued": False,
                    "reference_year": c["reference_year"],
                    "status": "missing" if rate is None else "estimated" if partial else "observed",
                    "months_covered": int(months) if months is not None and float(months).is_integer() else None,
                    "months_exposure": months,
                    "value": rate,
                    "value_unrounded": rate,
                    "method": c["partial_year_mode"] if partial else None,
                    "interval_lower": c[f"{side}_rate_lower"],
                    "interval_upper": c[f"{side}_rate_upper"],
                    "interval_level": c["interval_level"],
                    "interval_method": c["rate_interval_method"],
                    **{
                        k: source.get(k)
                        for k in (
                            "publisher",
                            "publication",
                            "published",
                            "reported_by",
                            "release_id",
                            "source_file",
                            "source_line",
                        )
                    },
                    "side": side,
                    "count": c[f"{side}_count"],
                    "per_inhabitants": c["per_inhabitants"],
                    "population": c[f"{side}_population"],
                    "population_date": str(c[f"{side}_population_date"]),
                    "population_source": c[f"{side}_population_source"],
                    "rate_ratio": c["rate_ratio"],
                    "rate_ratio_lower": c["rate_ratio_lower"],
                    "rate_ratio_upper": c["rate_ratio_upper"],
                    "ratio_interval_method": c["ratio_interval_method"],
                    "directly_comparable": c["directly_comparable"],
                    "comparability_reason": c["comparability_reason"],
                    "period_note": c["period_note"],
                }
            )
    return pl.DataFrame(rows, infer_schema_length=None)


def _rate(value: float | None) -> str:
    return fmt.number(value, 2)


def _rate_hover(row: dict) -> str:
    lines = [f"<b>{row['label_da']} {row['reference_year']}</b>"]
    count = fmt.number(row["count"])
    if row["status"] == "estimated":
        lines.append(f"Opgjort {_period(row)}: {count}; skøn for hele året: {_rate(row['value'])} {row['unit']}")
    else:
        lines.append(f"{_rate(row['value'])} {row['unit']} ({count} i alt)")
    if row["interval_lower"] is not None:
        lines.append(
            f"{fmt.percent(row['interval_level'])}-interval: "
            f"{_rate(row['interval_lower'])}–{_rate(row['interval_upper'])}"
        )
    lines.append(f"Folketal {fmt.number(row['population'])} pr. {row['population_date']}")
    if row["publisher"]:
        lines.append(f"Kilde: {row['publisher']} {(row['published'] or '')[:4]}".strip())
    return "<br>".join(lines)


def _ratio_label(rows: list[dict]) -> str:
    """'Sverige/Danmark: 7,5 gange (2,8–28,4)'; 'skøn:' before it when a side is an estimate."""
    first = rows[0]
    if first["rate_ratio"] is None:
        return "Forhold: ingen"
    estimate = "skøn: " if any(r["status"] == "estimated" for r in rows) else ""
    return (
        f"{estimate}{fmt.number(first['rate_ratio'], 1)} gange<br>"
        f"({fmt.number(first['rate_ratio_lower'], 1)}–{fmt.number(first['rate_ratio_upper'], 1)})"
    )


def draw_rates(spec: ChartSpec, data: pl.DataFrame) -> go.Figure:
    """Each country's rate as a marker with its interval as an error bar, side by side per
    year; an estimate as an open marker labelled "skøn"; the rate ratio above each year."""
    rows = _rows(data)
    sides = list(dict.fromkeys(r["series"] for r in rows))
    years = sorted({r["reference_year"] for r in rows})
    fig = go.Figure()
    for i, s in enumerate(sides):
        style = SERIES_STYLES[i % len(SERIES_STYLES)]
        offset = (i - (len(sides) - 1) / 2) * 0.28
        drawn = [r | {"x": r["reference_year"] + offset} for r in rows if r["series"] == s and r["status"] != "missing"]
        fig.add_traces(_whiskers(drawn, [r["x"] for r in drawn], s))
        fig.add_traces(_rate_points(drawn, style, s))
        fig.add_trace(
            go.Scatter(  # an invisible marker keeps the label clear of the whisker's cap
                x=[r["x"] for r in drawn],
                y=[_top(r) for r in drawn],
                mode="markers+text",
                cliponaxis=False,
                marker=dict(size=12, opacity=0),
                text=[("skøn<br>" if r["status"] == "estimated" else "") + _rate(r["value"]) for r in drawn],
                textposition="top center",
                textfont=dict(size=11, color=INK),
                showlegend=False,
                hoverinfo="skip",
                uid=f"{s}-labels",
            )
        )
    top = max((_top(r) for r in rows if r["status"] != "missing"), default=0) or 1
    by_year = {y: [r for r in rows if r["reference_year"] == y] for y in years}
    country = {r["side"]: COUNTRY_DA.get(r["country"], r["country"]) for r in rows}
    ratio_title = f"{country['se']}/{country['dk']}"  # the compare stage's rate_ratio is se / dk
    for year, year_rows in by_year.items():
        fig.add_annotation(
            x=year,
            y=1,
            xref="x",
            yref="y domain",
            yanchor="top",
            showarrow=False,
            text=_ratio_label(year_rows),
            font=dict(size=11, color=INK),
            name=f"ratio-{year}",
        )
    fig.add_annotation(
        x=0,
        xref="paper",
        xanchor="left",
        y=1,
        yref="y domain",
        yanchor="bottom",
        showarrow=False,
        text=f"Forhold {ratio_title}:",
        font=dict(size=11, color=MUTED),
        name="ratio-title",
    )
    for key in _rate_legend_keys(data):
        fig.add_trace(key)
    fig.update_yaxes(title_text=f"Rate {rows[0]['unit']}", range=[0, top * 1.5])
    fig.update_xaxes(
        tickmode="array",
        tickvals=years,
        ticktext=[str(y) for y in years],
        range=[years[0] - 0.6, years[-1] + 0.6],
        showgrid=False,
        ticks="outside",
    )
    return fig


def _rate_points(drawn: list[dict], style: SeriesStyle, s: str) -> list:
    """Observed rates as filled markers, estimates as open ones (not in the legend: a key
    explains them once)."""
    traces = []
    for status, open_marker in (("observed", False), ("estimated", True)):
        points = [r for r in drawn if r["status"] == status]
        if not points:
            continue
        marker = (
            dict(symbol=f"{style.symbol}-open", size=12, color=style.ink, line=dict(color=style.ink, width=2))
            if open_marker
            else dict(symbol=style.symbol, size=11, color=style.fill, line=dict(color=style.ink, width=1.5))
        )
        traces.append(
            go.Scatter(
                x=[r["x"] for r in points],
                y=[r["value"] for r in points],
                mode="markers",
                marker=marker,
                name=points[0]["label_da"],
                legendgroup=s,
                showlegend=not open_marker,
                uid=f"{s}-{status}",
                hovertext=[_rate_hover(r) for r in points],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    return traces


def _rate_legend_keys(data: pl.DataFrame) -> list:
    keys = []
    if _rows(data, "estimated"):
        keys.append(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name="Skøn for hele året (delår)",
                uid="key-estimate",
                showlegend=True,
                marker=dict(symbol="circle-open", size=12, color=INK, line=dict(width=2)),
            )
        )
    levels = sorted(
        {r["interval_level"] for r in _rows(data) if r["interval_lower"] is not None and r["interval_level"]}
    )
    keys += [
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=f"{fmt.percent(level)}-interval",
            uid=f"key-interval-{round(level * 1000)}",
            showlegend=True,
            marker=dict(symbol="line-ns-open", size=12, color=INK),
        )
        for level in levels
    ]
    return keys


def _population_dates(rows: list[dict]) -> str:
    """'Danmark pr. 1. januar samme år, Sverige pr. 31. december året før'."""
    parts = []
    for country in dict.fromkeys(r["country"] for r in rows):
        dates = {
            (d.strftime("%m-%d"), d.year - r["reference_year"], d)
            for r in rows
            if r["country"] == country
            for d in [date.fromisoformat(r["population_date"])]
        }
        when = {(md, offset) for md, offset, _ in dates}
        name = COUNTRY_DA.get(country, country)
        if len(when) == 1:
            (_, offset), example = next(iter(when)), next(iter(dates))[2]
            relative = {0: "samme år", -1: "året før"}.get(offset, f"{offset:+d} år")
            parts.append(f"{name} pr. {fmt.date_text(example, 'd. MMMM')} {relative}")
        else:
            listed = sorted(r["population_date"] for r in rows if r["country"] == country)
            parts.append(f"{name} pr. {', '.join(listed)}")
    return ", ".join(parts)


def comparison_notes(spec: ChartSpec, data: pl.DataFrame) -> list[str]:
    rows = _rows(data)
    shown = [r for r in rows if r["status"] != "missing"]
    notes = [
        f"Ikke direkte sammenlignelig: {reason}."
        for reason in dict.fromkeys(r["comparability_reason"] for r in rows if not r["directly_comparable"])
    ]
    for note in dict.fromkeys(r["period_note"] for r in rows if r["period_note"]):
        notes.append(note + (f" Skønnet er tegnet med {_drawn_as(spec)}." if _rows(data, "estimated") else ""))
    if shown:
        first = shown[0]
        notes.append(
            f"Rate {first['unit']}: antal pr. personår; folketal ved årets begyndelse ({_population_dates(shown)})."
        )
        level = fmt.percent(first["interval_level"])
        notes.append(
            f"De lodrette streger viser {level}-intervaller for raterne "
            f"({wording.comparison_interval_text(first['interval_method'])}); forholdet øverst har et "
            f"{level}-interval: {wording.comparison_interval_text(first['ratio_interval_method'])}."
        )
    return notes


def comparison_source(data: pl.DataFrame) -> str:
    populations = dict.fromkeys(
        r["population_source"].split(", læst i ")[0]
        for r in _rows(data)
        if r["status"] != "missing" and r["population_source"]
    )
    return f"{source_text(data)} Folketal: {'; '.join(populations)}."


# --- Custom notifications (VIVE section 2.6) -----------------------------------------------

# Fills for the breakdown, dark to white (lightness about 20, 50, 80 and 100 % L*); every
# segment is labelled inside, so the fills only group them
BREAKDOWN_FILLS = ("#08306b", "#4a7fb5", "#a6c8e6", "#ffffff")
GROUP_FILLS = ("#234f7d", "#c9dcee")


def notification_rows(spec: ChartSpec, paths: Paths) -> pl.DataFrame:
    """The custom notifications as a tree: the focus persons (root), reached or not (groups),
    and how (leaves). No reference year: the pilot period is one period."""
    items = pl.read_parquet(paths.validated_notifications)
    return items.select(
        pl.col("item").alias("series"),
        "label_da",
        pl.lit("personer").alias("unit"),
        pl.lit("count").alias("kind"),
        pl.lit(None, dtype=pl.Int64).alias("reference_year"),
        pl.lit("observed").alias("status"),
        pl.col("value").alias("observed_value"),
        "value",
        "publication",
        "source_file",
        "source_line",
        "parent",
        pl.col("approximate").str.to_lowercase().is_in(["true", "1"]).alias("approximate"),
        "location",
        "quote",
    )


def notification_tree(data: pl.DataFrame) -> tuple[dict, list[dict], dict[str, list[dict]]]:
    """(root, groups under it, leaves under each group)."""
    rows = _rows(data)
    roots = [r for r in rows if not r["parent"]]
    if len(roots) != 1:
        raise ValueError(f"custom notifications: expected one item without a parent, found {len(roots)}")
    root = roots[0]
    groups = [r for r in rows if r["parent"] == root["series"]]
    return root, groups, {g["series"]: [r for r in rows if r["parent"] == g["series"]] for g in groups}


def _short(label: str) -> str:
    """'Ikke fundet (ukendt adresse og telefonnummer)' -> 'Ikke fundet'."""
    return label.split(" (")[0]


def _approx(row: dict) -> str:
    return f"ca. {fmt.number(row['value'])}" if row["approximate"] else fmt.number(row["value"])


def _dark(fill: str) -> bool:
    r, g, b = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b < 140


def _sum_text(parts: list[dict]) -> str:
    return f"{' + '.join(fmt.number(p['value']) for p in parts)} = {fmt.number(sum(p['value'] for p in parts))}"


def _segment(row: dict, y: str, base: float, fill: str, axis_max: float) -> go.Bar:
    """One labelled piece of a bar; the label wrapped to the piece's width (about 690 px of
    plot and 6,3 px a character) rather than shrunk by plotly."""
    chars = max(6, int(row["value"] / axis_max * 690 / 6.3))
    label = "<br>".join(
        textwrap.wrap(f"{_short(row['label_da'])}: {fmt.number(row['value'])}", chars, break_long_words=False)
    )
    return go.Bar(
        y=[y],
        x=[row["value"]],
        base=[base],
        orientation="h",
        name=row["label_da"],
        uid=f"{row['series']}-bar",
        showlegend=False,
        width=0.7,
        marker=dict(color=fill, line=dict(color=INK, width=1)),
        text=[label],
        textposition="inside",
        insidetextanchor="middle",
        textfont=dict(size=11, color="white" if _dark(fill) else INK),
        hovertext=[
            f"<b>{row['label_da']}</b><br>{_approx(row)} {wording.unit_text(row['value'], row['unit'])}<br>"
            f"“{row['quote']}”<br>"
            f"{row['publication']}, {row['location']}"
        ],
        hovertemplate="%{hovertext}<extra></extra>",
    )


def draw_notifications(spec: ChartSpec, data: pl.DataFrame) -> go.Figure:
    """One horizontal bar of the groups (reached, not reached) against the root's value as a
    dashed line, then one bar per group split into its leaves; each bar with its sum."""
    root, groups, leaves = notification_tree(data)
    total_label = "I alt"
    categories = [total_label, *("<br>".join(textwrap.wrap(g["label_da"], 22)) for g in groups)]
    ends = [(total_label, groups), *((c, leaves[g["series"]]) for g, c in zip(groups, categories[1:]))]
    axis_max = max(root["value"], *(sum(p["value"] for p in parts) for _, parts in ends if parts)) * 1.3
    fig = go.Figure()
    base = 0.0
    for g, fill in zip(groups, GROUP_FILLS * len(groups)):
        fig.add_trace(_segment(g, total_label, base, fill, axis_max))
        base += g["value"]
    fills = iter(BREAKDOWN_FILLS * len(groups))
    for g, category in zip(groups, categories[1:]):
        base = 0.0
        for leaf in leaves[g["series"]]:
            fig.add_trace(_segment(leaf, category, base, next(fills), axis_max))
            base += leaf["value"]
    for category, parts in ends:
        if parts:
            fig.add_annotation(
                x=sum(p["value"] for p in parts),
                y=category,
                xanchor="left",
                xshift=6,
                showarrow=False,
                text=_sum_text(parts),
                font=dict(size=12, color=INK),
                name=f"sum-{category}",
            )
    fig.add_shape(
        type="line",
        x0=root["value"],
        x1=root["value"],
        y0=0,
        y1=1,
        xref="x",
        yref="paper",
        line=dict(color=INK, width=2, dash="dash"),
        opacity=1,
        layer="above",
        name="root",
    )
    label = _short(root["label_da"])
    fig.add_annotation(
        x=root["value"],
        y=1,
        xref="x",
        yref="paper",
        yanchor="bottom",
        xanchor="center",
        showarrow=False,
        text=f"{_approx(root)} {label[0].lower()}{label[1:]}",
        font=dict(size=12, color=INK),
        name="root-label",
    )
    fig.update_xaxes(title_text=f"Antal {root['unit']}", range=[0, axis_max])
    fig.update_yaxes(
        type="category",
        categoryorder="array",
        categoryarray=categories,
        autorange="reversed",
        automargin=True,
        showgrid=False,
        ticks="",
    )
    fig.update_layout(barmode="overlay")
    return fig


def _joined(labels: list[str]) -> str:
    """['Gennemført', 'Ikke nået'] -> 'Gennemført og ikke nået'."""
    rest = [label[0].lower() + label[1:] for label in labels[1:]]
    return " og ".join([", ".join(labels[:1] + rest[:-1]), rest[-1]]) if rest else "".join(labels)


def notification_notes(spec: ChartSpec, data: pl.DataFrame) -> list[str]:
    root, groups, leaves = notification_tree(data)
    total = sum(g["value"] for g in groups)
    notes = [
        f"Stiplet linje: {_approx(root)} {root['label_da'][0].lower()}{root['label_da'][1:]} "
        f"({root['location'][0].lower()}{root['location'][1:]}). "
        f"{_joined([_short(g['label_da']) for g in groups])} giver tilsammen {_sum_text(groups)}"
        + (f", mod {_approx(root)}." if total != root["value"] else ".")
    ]
    details = [r for parts in leaves.values() for r in parts if " (" in r["label_da"]]
    notes += [f"{_short(r['label_da'])}: {r['label_da'].split(' (', 1)[1].rstrip(')')}." for r in details]
    return notes


def notification_source(data: pl.DataFrame) -> str:
    rows = _rows(data)
    places = {}
    for r in rows:
        places.setdefault(r["publication"], {})[r["location"][0].lower() + r["location"][1:]] = None
    return "Kilde: " + "; ".join(f"{pub}, {', '.join(locs)}" for pub, locs in places.items()) + "."


# --- The long run: every year of the data, with the changes of source marked ---------------

# What names a figure's source, compared from one plotted year to the next: who produced it,
# the publication (whose title carries the definition as the source words it, e.g. "Sårede
# og døde i rocker- og bandekonflikten"), and the secondary source it was read in. By the
# raw format's convention `reported_by` names that source first and, after a comma, where in
# it ("VIVE (2025): Forenet Mod Vold, Tabel 1.1"): a table or page of the same source is no change.
SOURCE_PARTS = ("publisher", "publication", "read_in")
SOURCE_PART_WORDS = {"publisher": "udgiver", "publication": "opgørelse", "read_in": "kilde"}
LONGRUN_HEADROOM = 1.45  # of a panel's highest figure: room above the value labels for the marks' labels
PANEL_ORDER = ("stock", "flow")  # head-counts above, counts over the year below


def read_in(reported_by: str | None) -> str | None:
    """'VIVE (2025): Forenet Mod Vold, Tabel 1.1' -> 'VIVE (2025): Forenet Mod Vold'."""
    return reported_by.split(",", 1)[0].strip() if reported_by else None


def _source_of(row: dict) -> tuple:
    return row["publisher"], row["publication"], read_in(row["reported_by"])


OVERLAP_COLUMNS = {
    "other_publisher": pl.Utf8,
    "other_publication": pl.Utf8,
    "other_read_in": pl.Utf8,
    "other_observed_value": pl.Float64,
}


def longrun_rows(spec: ChartSpec, paths: Paths) -> pl.DataFrame:
    """The selected figures of the spec's series, each from its own first year in the data to
    the latest year of any; a year without a figure inside that span is 'missing'. Where a
    release from another source has the same figure for the same months (where two sources
    overlap, as members 2014), the first such release is named beside it (`other_*`)."""
    rows = keyfigure_rows(spec, paths)
    firsts = (
        rows.filter(pl.col("status") != "missing")
        .group_by("series")
        .agg(pl.col("reference_year").min().alias("_first"))
    )
    rows = (
        rows.join(firsts, on="series", how="inner")
        .filter(pl.col("reference_year") >= pl.col("_first"))
        .drop("_first")
        .with_columns(pl.col("reported_by").map_elements(read_in, return_dtype=pl.Utf8).alias("read_in"))
    )
    shown = {(r["series"], r["reference_year"]): r for r in rows.iter_rows(named=True) if r["status"] != "missing"}
    others: dict[tuple, dict] = {}
    not_selected = pl.read_parquet(paths.derived_figures).filter(
        ~pl.col("selected") & pl.col("series").is_in(spec.series)
    )
    for other in not_selected.sort("vintage_rank").iter_rows(named=True):
        key = (other["series"], other["reference_year"])
        mine = shown.get(key)
        if (
            mine is None
            or key in others
            or other["months_covered"] != mine["months_covered"]
            or _source_of(other) == _source_of(mine)
        ):
            continue
        others[key] = {
            "other_publisher": other["publisher"],
            "other_publication": other["publication"],
            "other_read_in": read_in(other["reported_by"]),
            "other_observed_value": other["observed_value"],
        }
    return rows.with_columns(
        pl.Series(
            column,
            [others.get((r["series"], r["reference_year"]), {}).get(column) for r in rows.iter_rows(named=True)],
            dtype=dtype,
        )
        for column, dtype in OVERLAP_COLUMNS.items()
    )


def source_changes(data: pl.DataFrame) -> list[dict]:
    """Where the source of a series changes between two plotted years: one entry per year and
    change, with the series it applies to (series changing alike share an entry), and for each
    part that changed its value before and after. Derived from the rows' provenance only."""
    changes: dict[tuple, dict] = {}
    for s in dict.fromkeys(data["series"]):
        plotted = [r for r in _rows(data.filter(pl.col("series") == s)) if r["status"] != "missing"]
        for before, after in zip(plotted, plotted[1:]):
            changed = tuple((part, before[part], after[part]) for part in SOURCE_PARTS if before[part] != after[part])
            if not changed:
                continue
            key = (after["kind"], after["reference_year"], changed)
            entry = changes.setdefault(
                key,
                {
                    "kind": after["kind"],
                    "reference_year": after["reference_year"],
                    "previous_year": before["reference_year"],
                    "series": [],
                    "labels": [],
                    "changed": [{"part": p, "before": b, "after": a} for p, b, a in changed],
                },
            )
            entry["series"].append(s)
            entry["labels"].append(after["label_da"])
    return sorted(changes.values(), key=lambda c: (c["reference_year"], c["series"]))


def change_label(change: dict) -> str:
    """The short label on the chart: 'Ny udgiver', 'Ny opgørelse og kilde'."""
    return "Ny " + _joined([SOURCE_PART_WORDS[c["part"]] for c in change["changed"]])


def _change_part_text(part: dict) -> str:
    def shown(value: str | None) -> str:
        if value is None:
            return "udgiveren selv" if part["part"] == "read_in" else "ikke oplyst"
        return f"»{value}«" if part["part"] == "publication" else value

    word = "gengivet i" if part["part"] == "read_in" else SOURCE_PART_WORDS[part["part"]]
    return f"{word} {shown(part['after'])} (før {shown(part['before'])})"


def change_note(change: dict) -> str:
    """'Sårede og dræbte fra 2017: opgørelse »…« (før »…«); gengivet i VIVE (2025) (før Nordjyske).'"""
    return (
        f"{_joined(change['labels'])} fra {change['reference_year']}: "
        f"{'; '.join(_change_part_text(p) for p in change['changed'])}."
    )


def _and(names: list[str]) -> str:
    """['A', 'B', 'C'] -> 'A, B og C' (names keep their capitals)."""
    return " og ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


def longrun_notes(spec: ChartSpec, data: pl.DataFrame) -> list[str]:
    changes = source_changes(data)
    missing: dict[tuple[int, ...], list[str]] = {}
    for label in dict.fromkeys(r["label_da"] for r in _rows(data, "missing")):
        missing.setdefault(
            tuple(r["reference_year"] for r in _rows(data, "missing") if r["label_da"] == label), []
        ).append(label)
    notes = [*_estimate_notes(spec, data), *_interval_notes(data), *_count_date_notes(data)]
    notes += [
        f"{_joined(labels)}: ingen tal i de anvendte udgivelser for {fmt.year_ranges(years)}."
        for years, labels in missing.items()
    ]
    for r in _rows(data):
        if r["other_publication"] is not None:
            other, mine = _num(r["other_observed_value"], r), _num(r["observed_value"], r)
            where = f", gengivet i {r['other_read_in']}" if r["other_read_in"] else ""
            notes.append(
                f"{r['label_da']} {r['reference_year']} findes også i »{r['other_publication']}« "
                f"({r['other_publisher']}{where}): {other}"
                + (
                    ", det samme tal."
                    if r["other_observed_value"] == r["observed_value"]
                    else f", mod {mine} i figuren."
                )
            )
    if changes:
        notes.append(
            " ".join(
                [
                    "Prikket lodret linje: kilden skifter mellem to år (udgiver, opgørelse eller den "
                    "kilde, tallet er gengivet i).",
                    *(change_note(c) for c in changes),
                ]
            )
        )
    return notes


def longrun_source(data: pl.DataFrame) -> str:
    """The key figures' source line, then where the figures were read, with their years."""
    read: dict[str, list[int]] = {}
    for r in _rows(data):
        if r["status"] != "missing" and r["read_in"]:
            read.setdefault(r["read_in"], []).append(r["reference_year"])
    places = [f"{place} ({fmt.year_ranges(years)})" for place, years in sorted(read.items(), key=lambda p: min(p[1]))]
    return source_text(data) + (f" Gengivet i {_and(places)}." if places else "")


def panel_groups(rows: list[dict]) -> list[list[str]]:
    """The series per panel: one panel per kind (stocks, then flows), series in the spec's order."""
    kinds = {r["series"]: r["kind"] for r in rows}
    ordered = sorted(dict.fromkeys(kinds.values()), key=lambda k: PANEL_ORDER.index(k) if k in PANEL_ORDER else 99)
    return [[s for s in kinds if kinds[s] == kind] for kind in ordered]


MARK_LINE_PX = 14  # one line of a mark's label
MARK_CHAR_PX = 6  # about, at 11 px


def _source_marks(fig: go.Figure, panel: int, changes: list[dict], n_years: int) -> None:
    """One dotted line per year of change in the panel, just before that year, labelled; the
    labels of series changing differently in one year are stacked, and a label that would run
    into the one before it goes a line lower."""
    by_year: dict[int, list[dict]] = {}
    for change in changes:
        by_year.setdefault(change["reference_year"], []).append(change)
    year_px = (WIDTH - 100) / (n_years + 1.2)  # the plot's width over the axis range
    ends: list[float] = []  # where each line of labels is taken up to, in years
    for year, here in sorted(by_year.items()):
        x = year - 0.5
        name = f"source-change-{year}-{'-'.join(s for c in here for s in c['series'])}"
        lines = (
            [change_label(c) for c in here]
            if len(here) == 1
            else [f"{change_label(c)} ({_joined(c['labels']).lower()})" for c in here]
        )
        width = (max(len(line) for line in lines) * MARK_CHAR_PX + 6) / year_px
        level = next(i for i in range(len(ends) + 1) if all(end < x for end in ends[i : i + len(lines)]))
        ends += [float("-inf")] * (level + len(lines) - len(ends))
        ends[level : level + len(lines)] = [x + width] * len(lines)
        fig.add_vline(
            x=x, row=panel, col=1, line=dict(color=INK, width=1.2, dash="dot"), name=name, exclude_empty_subplots=False
        )
        fig.add_annotation(
            x=x,
            y=1,
            yref="y domain",
            row=panel,
            col=1,
            xanchor="left",
            yanchor="top",
            xshift=3,
            yshift=-MARK_LINE_PX * level,
            showarrow=False,
            align="left",
            text="<br>".join(html.escape(line) for line in lines),
            font=dict(size=11, color=INK),
            name=name,
        )


def draw_longrun(spec: ChartSpec, data: pl.DataFrame) -> go.Figure:
    """One panel per kind sharing the year axis: stocks as lines, flows as bars (a partial
    year as the other charts draw it); a dotted vertical line with a short label wherever a
    series' source changes (source_changes), in the panel of that series."""
    rows = [r | {"x": r["reference_year"]} for r in _rows(data)]
    series_ids = list(dict.fromkeys(r["series"] for r in rows))
    years = sorted({r["reference_year"] for r in rows})
    groups = panel_groups(rows)
    titles = [f"{_joined([next(r['label_da'] for r in rows if r['series'] == s) for s in g])}" for g in groups]
    fig = make_subplots(rows=len(groups), cols=1, shared_xaxes=True, vertical_spacing=0.12, subplot_titles=titles)
    changes = source_changes(data)
    for panel, group in enumerate(groups, start=1):
        group_rows = [r for r in rows if r["series"] in group]
        # a year no series of the panel has gets one "ingen tal", not one per series
        empty = sorted(
            {r["reference_year"] for r in group_rows}
            - {r["reference_year"] for r in group_rows if r["status"] != "missing"}
        )
        bars = [s for s in group if next(r["kind"] for r in rows if r["series"] == s) != "stock"]
        for s in group:
            style = SERIES_STYLES[series_ids.index(s) % len(SERIES_STYLES)]
            series_rows = [r for r in group_rows if r["series"] == s and r["reference_year"] not in empty]
            traces = (
                _bar_traces(series_rows, style, bars.index(s), len(bars), True)
                if s in bars
                else _line_traces(series_rows, style, True)
            )
            for trace in traces:
                if trace.uid == f"{s}-labels" and s not in bars:
                    # the count date is in the notes and the hover: on 16 years a second line would collide
                    trace.text = [
                        _num(r["value"], r) if r["status"] == "observed" else _label_text(r) for r in series_rows
                    ]
                fig.add_trace(trace, row=panel, col=1)
        if empty:
            fig.add_trace(
                go.Scatter(
                    x=empty,
                    y=[0] * len(empty),
                    mode="text",
                    text=["ingen<br>tal"] * len(empty),
                    textposition="top center",
                    textfont=dict(size=11, color=MUTED),
                    showlegend=False,
                    hoverinfo="skip",
                    cliponaxis=False,
                    uid=f"panel{panel}-missing-labels",
                ),
                row=panel,
                col=1,
            )
        top = max((_top(r) for r in group_rows if r["status"] != "missing"), default=0) or 1
        fig.update_yaxes(title_text=y_title(spec, group_rows), range=[0, top * LONGRUN_HEADROOM], row=panel, col=1)
        _source_marks(fig, panel, [c for c in changes if set(c["series"]) & set(group)], len(years))
    for key in _legend_keys(spec, data):
        fig.add_trace(key, row=len(groups), col=1)
    fig.update_xaxes(
        tickmode="array",
        tickvals=years,
        ticktext=[str(y) for y in years],
        range=[years[0] - 0.6, years[-1] + 0.6],
        showgrid=False,
        ticks="outside",
    )
    return fig


# --- Charts -------------------------------------------------------------------------------

register(
    ChartSpec(
        name="medlemmer",
        title="Rocker-/bandemedlemmer i Danmark",
        series=("medlemmer",),
        first_year=2014,
        mark="line",
    )
)
register(
    ChartSpec(
        name="sigtelser_strafmasse",
        title="Sigtelser og strafmasse for rocker-/bandemedlemmer",
        series=("sigtelser", "strafmasse"),
        first_year=2021,
        mark="bar",
        panels=True,
    )
)
register(
    ChartSpec(
        name="skud_saarede_draebte",
        title="Rocker-/banderelaterede skudepisoder, sårede og dræbte",
        series=("skudepisoder", "saarede", "draebte"),
        first_year=2021,
        mark="bar",
        y_title="Antal",
        context=((2017, "Bandekonflikten 2017"),),
    )
)
register(
    ChartSpec(
        name="dk_se_rater",
        title="Dræbte i forhold til befolkningen i Danmark og Sverige",
        mark="line",
        drawn_as="åben markør",
        load=comparison_rows,
        draw=draw_rates,
        describe=comparison_notes,
        cite=comparison_source,
    )
)
register(
    ChartSpec(
        name="lang_udvikling",
        title="Rocker-/bandemedlemmer, sårede og dræbte i Danmark",
        series=("medlemmer", "saarede", "draebte"),
        mark="bar",
        panels=True,
        plot_height=560,
        load=longrun_rows,
        draw=draw_longrun,
        describe=longrun_notes,
        cite=longrun_source,
    )
)
register(
    ChartSpec(
        name="custom_notifications",
        title="Custom notifications i Forenet Mod Vold",
        mark="bar",
        horizontal=True,
        plot_height=210,
        load=notification_rows,
        draw=draw_notifications,
        describe=notification_notes,
        cite=notification_source,
    )
)


# --- Building and exporting ---------------------------------------------------------------


@dataclass
class BuiltChart:
    name: str
    data: pl.DataFrame
    figure: go.Figure
    metadata: dict = field(default_factory=dict)


def _metadata(spec: ChartSpec, data: pl.DataFrame) -> dict:
    rows = _rows(data)
    units = {r["series"]: r["unit"] for r in rows}
    estimates = [
        {
            k: r[k]
            for k in (
                "series",
                "label_da",
                "reference_year",
                "months_covered",
                "months_exposure",
                "period_end",
                "observed_value",
                "value",
                "value_unrounded",
                "method",
                "interval_lower",
                "interval_upper",
                "interval_level",
                "interval_method",
            )
        }
        | {"period_observed": _period(r), "drawn_as": _drawn_as(spec)}
        for r in _rows(data, "estimated")
    ]
    context = sorted({(r["reference_year"], r["context"]) for r in rows if r.get("context")})
    return {
        "name": spec.name,
        "title": chart_title(spec, data),
        "subtitle": subtitle(spec, data),
        "years": [data["reference_year"].min(), data["reference_year"].max()],
        "context": [{"reference_year": year, "label": label} for year, label in context],
        "series": [
            {k: r[k] for k in ("series", "label_da", "unit", "kind", "country")}
            for r in {r["series"]: r for r in rows}.values()
        ],
        "unit": next(iter(units.values())) if len(set(units.values())) == 1 else None,
        "units": units,
        "source": chart_source(spec, data),
        "notes": chart_notes(spec, data),
        "estimates": estimates,
        "missing": [{"series": r["series"], "reference_year": r["reference_year"]} for r in _rows(data, "missing")],
        "separators": ",.",
    }


def build(name: str, paths: Paths | None = None) -> BuiltChart:
    spec = get_spec(name)
    data = chart_data(name, paths)
    figure = apply_style((spec.draw or draw_keyfigures)(spec, data), spec, data)
    return BuiltChart(name, data, figure, _metadata(spec, data))


def build_figure(name: str, paths: Paths | None = None) -> go.Figure:
    return build(name, paths).figure


def chart_metadata(name: str, paths: Paths | None = None) -> dict:
    """What `<name>.json` holds, computed from the data without drawing the chart."""
    return _metadata(get_spec(name), chart_data(name, paths))


def _plotly_config(chart: BuiltChart) -> dict:
    return {
        "displaylogo": False,
        "responsive": True,
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
        "toImageButtonOptions": {"format": "svg", "filename": chart.name},
    }


def to_div(chart: BuiltChart) -> bytes:
    """The chart as one <div> to put into a page that loads plotly.js once (the report does;
    so can an author's own page), with the same fixed id as the standalone page."""
    return chart.figure.to_html(
        include_plotlyjs=False,
        include_mathjax=False,
        full_html=False,
        div_id=f"noegletal-{chart.name}",
        config=_plotly_config(chart),
    ).encode("utf-8")


def to_html(chart: BuiltChart) -> bytes:
    """A standalone page: plotly.js inline (no CDN, works offline), a fixed div id so that
    the page is the same from run to run."""
    page = chart.figure.to_html(
        include_plotlyjs=True,
        include_mathjax=False,
        full_html=True,
        div_id=f"noegletal-{chart.name}",
        config=_plotly_config(chart),
    )
    title = html.escape(chart.metadata.get("title", chart.name))
    page = page.replace("<html>", '<html lang="da">', 1).replace("<head>", f"<head>\n    <title>{title}</title>", 1)
    return page.encode("utf-8")


# plotly.js names its SVG definitions (clip paths, patterns) with a random id per render;
# it is replaced by one derived from the chart's name so that the SVG is the same every run.
_SVG_DEFS_ID = re.compile(rb'<defs id="defs-([0-9a-zA-Z]+)"')
_SVG_REFERENCES = re.compile(rb'id="[^"]*"|url\([^)]*\)|href="#[^"]*"')


def stable_svg(svg: bytes, name: str) -> bytes:
    found = _SVG_DEFS_ID.search(svg)
    if not found:
        return svg
    random_id = found.group(1)
    fixed = hashlib.sha1(name.encode()).hexdigest()[: len(random_id)].encode()
    return _SVG_REFERENCES.sub(lambda m: m.group(0).replace(random_id, fixed), svg)


RENDER_TIMEOUT = 60  # seconds kaleido may take for one image
STARTUP_ALLOWANCE = 60  # seconds on top of that for starting the browser


def browser_path() -> str:
    """The Chromium kaleido drives: $BROWSER_PATH, else one choreographer finds (Debian:
    /usr/bin/chromium, installed by bin/setup)."""
    from choreographer.browsers import Chromium

    found = os.environ.get("BROWSER_PATH") or Chromium.find_browser(skip_local=False)
    if not found or not os.access(found, os.X_OK):
        raise SystemExit(
            "noegletal charts: no Chromium found for the SVG and PNG charts; install it "
            "(apt-get install chromium, as bin/setup does) or set BROWSER_PATH"
        )
    return found


def _with_deadline(call: Callable[[], Any], seconds: float, alive: Callable[[], bool] = lambda: True) -> Any:
    """Run `call`, giving up after `seconds` or as soon as `alive()` says the server is gone:
    a browser that fails to start would otherwise leave kaleido's sync server waiting forever."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = call()
        except BaseException as exc:  # handed to the caller below
            result["error"] = exc

    worker = threading.Thread(target=target, name="noegletal-chart-image", daemon=True)
    worker.start()
    deadline = time.monotonic() + seconds
    while worker.is_alive() and time.monotonic() < deadline and alive():
        worker.join(0.2)
    if worker.is_alive():
        raise RuntimeError(
            f"noegletal charts: no image; the headless Chromium ({browser_path()}) did not "
            f"start or answer (see the error above, or waited {seconds:.0f} s)"
        )
    if "error" in result:
        raise result["error"]
    return result["value"]


class ImageRenderer:
    """SVG and PNG from one headless Chromium for a whole run: kaleido's sync server, started
    for the first image and stopped on exit (a bare write_image per figure would start a
    browser each time). MathJax is off and plotly.js comes from the plotly package: no
    network needed.

    With a `cache` folder, an image is drawn only when its chart changed: each image is kept
    there under a hash of everything it is made from (the figure, the image options, this
    module's code, kaleido's and plotly's versions and the browser), and an unchanged chart takes its image
    from there, without starting the browser at all when no chart changed. Images the run did
    not ask for are removed from the folder at the end."""

    def __init__(self, cache: Path | None = None) -> None:
        self._kaleido = None
        self._cache = cache
        self._used: set[str] = set()

    def __enter__(self) -> ImageRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._kaleido is not None:
            self._kaleido.stop_sync_server(silence_warnings=True)
        if self._cache is not None and self._cache.is_dir() and not any(exc):
            for stale in self._cache.iterdir():
                if stale.name not in self._used:
                    stale.unlink(missing_ok=True)

    def _start(self) -> None:
        import kaleido

        kaleido.start_sync_server(path=browser_path(), mathjax=False, timeout=RENDER_TIMEOUT)
        self._kaleido = kaleido

    def _server_alive(self) -> bool:
        # kaleido runs its server in a thread that ends if the browser fails to start; it has
        # no public way to ask, so look at the thread (and assume alive if that changes)
        thread = getattr(getattr(self._kaleido, "_global_server", None), "_thread", None)
        return thread is None or thread.is_alive()

    def image(self, chart: BuiltChart, image_format: str) -> bytes:
        layout = chart.figure.layout
        opts = {
            "format": image_format,
            "width": layout.width,
            "height": layout.height,
            "scale": PNG_SCALE if image_format == "png" else 1,
        }
        cached = self._cache / _image_key(chart, opts) if self._cache is not None else None
        if cached is not None:
            self._used.add(cached.name)
            if cached.is_file():
                return cached.read_bytes()
        if self._kaleido is None:
            self._start()
        figure = chart.figure.to_dict()
        image = _with_deadline(
            lambda: self._kaleido.calc_fig_sync(figure, opts=opts),
            RENDER_TIMEOUT + STARTUP_ALLOWANCE,
            self._server_alive,
        )
        image = stable_svg(image, chart.name) if image_format == "svg" else image
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(".tmp")
            partial.write_bytes(image)
            partial.replace(cached)
        return image


def _image_key(chart: BuiltChart, opts: dict) -> str:
    """A hash of everything an image is made from."""
    import importlib.metadata

    browser = browser_path()
    made_of = [
        chart.name,
        chart.figure.to_json(),
        json.dumps(opts, sort_keys=True),
        Path(__file__).read_text(encoding="utf-8"),
        importlib.metadata.version("kaleido"),
        importlib.metadata.version("plotly"),  # kaleido draws with the plotly package's plotly.js
        browser,
        str(os.stat(browser).st_mtime_ns),
    ]
    return hashlib.sha256("\0".join(made_of).encode("utf-8")).hexdigest() + "." + opts["format"]


def image_cache(paths: Paths) -> Path:
    """Where the charts stage keeps its drawn images (`ImageRenderer`): outside the outputs."""
    return paths.root / ".cache" / "chart-images"


def render(chart: BuiltChart, output_format: str, renderer: ImageRenderer | None) -> bytes:
    if output_format == "html":
        return to_html(chart)
    if output_format in STATIC_FORMATS:
        if renderer is None:
            raise ValueError(f"a {output_format} image needs an ImageRenderer")
        return renderer.image(chart, output_format)
    raise ValueError(f"unknown chart format '{output_format}'; formats: {', '.join(FORMATS)}")


def _check_formats(formats: Iterable[str]) -> list[str]:
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise SystemExit(f"noegletal charts: unknown format {', '.join(unknown)}; formats: {', '.join(FORMATS)}")
    return formats


def _renderer(formats: Iterable[str], cache: Path | None = None) -> ImageRenderer | nullcontext:
    return ImageRenderer(cache) if any(f in STATIC_FORMATS for f in formats) else nullcontext()


def export(
    names: Iterable[str] | None = None,
    formats: Iterable[str] = FORMATS,
    out_dir: Path | None = None,
    paths: Paths | None = None,
    image_cache: Path | None = None,
) -> list[Path]:
    """Write each chart in each format, with its data (CSV) and metadata (JSON) beside it,
    to out_dir (default outputs/charts/); all files are moved into place only at the end."""
    paths = paths or Paths()
    out_dir = out_dir or charts_dir(paths)
    formats = _check_formats(formats)
    charts = [build(name, paths) for name in (list(names) if names else list(CHARTS))]
    written = []
    with staged_outputs() as out, _renderer(formats, image_cache) as renderer:
        for chart in charts:
            for output_format in formats:
                target = out_dir / f"{chart.name}.{output_format}"
                out.path(target).write_bytes(render(chart, output_format, renderer))
                written.append(target)
            if "html" in formats:
                out.path(out_dir / f"{chart.name}.div.html").write_bytes(to_div(chart))
                written.append(out_dir / f"{chart.name}.div.html")
            chart.data.write_csv(out.path(out_dir / f"{chart.name}.csv"))
            out.write_text(
                out_dir / f"{chart.name}.json",
                json.dumps(chart.metadata, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n",
            )
            written += [out_dir / f"{chart.name}.csv", out_dir / f"{chart.name}.json"]
    return written


def write_chart(name: str, output_format: str, target: Path, paths: Paths | None = None) -> Path:
    """One chart in one format to one file (`noegletal chart export`)."""
    _check_formats([output_format])
    chart = build(name, paths)
    with staged_outputs() as out, _renderer([output_format]) as renderer:
        out.path(target).write_bytes(render(chart, output_format, renderer))
    return target


# --- Export for documents (`noegletal chart export`) -----------------------------------------

EXPORT_FORMATS = ("png", "svg", "pdf", "jpg", "html")
CM_PER_INCH = 2.54
CSS_DPI = 96  # a CSS pixel, plotly's unit, is 1/96 inch: how a size maps to paper
PRINT_DPI = 300
PRINT_WIDTH_CM = 16.0  # the text width of an A4 page with ordinary margins
DPI_RANGE = (72, 1200)
WIDTH_PX_RANGE = (200, 12000)
JPEG_QUALITY = 92
BARE_TOP_PX = 12  # above the legend (or the plot) once the title is gone
BARE_BOTTOM_PX = 6  # below the tick labels once the notes and source are gone
LEGEND_ROW_PX = 28  # the room apply_style gives the legend's row
_WIDTH = re.compile(r"\s*(\d+(?:[.,]\d+)?)\s*(cm|px)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class PrintSize:
    """An exported chart's size on paper: its width in cm, and for PNG and JPG the pixels
    that width gets at `dpi` (recorded in the file, so a word processor places it at that size)."""

    width_cm: float
    width_px: int
    dpi: int


def print_size(width: str | None = None, dpi: int = PRINT_DPI) -> PrintSize:
    """'16cm' (or '16,5 cm') or '1800px' at `dpi`; default 16 cm at 300 dpi (1.890 px)."""
    if not DPI_RANGE[0] <= dpi <= DPI_RANGE[1]:
        raise ValueError(f"--dpi {dpi} is outside {DPI_RANGE[0]}–{DPI_RANGE[1]}")
    match = _WIDTH.fullmatch(width or f"{PRINT_WIDTH_CM}cm")
    if not match:
        raise ValueError(f"--width {width!r} is not a width: give it in cm or px, e.g. 16cm or 1800px")
    number, unit = float(match[1].replace(",", ".")), match[2].lower()
    if unit == "cm":
        size = PrintSize(number, round(number / CM_PER_INCH * dpi), dpi)
    else:
        size = PrintSize(number / dpi * CM_PER_INCH, round(number), dpi)
    if not WIDTH_PX_RANGE[0] <= size.width_px <= WIDTH_PX_RANGE[1]:
        raise ValueError(
            f"--width {width} gives {size.width_px} px at {dpi} dpi; the limits are "
            f"{WIDTH_PX_RANGE[0]}–{WIDTH_PX_RANGE[1]} px"
        )
    return size


def bare_figure(figure: go.Figure) -> go.Figure:
    """The chart without its title, subtitle, notes and source (a document sets its own
    caption): the plotting area, legend and panel titles keep their size; the margins that
    held the texts shrink, so the image is shorter."""
    bare = go.Figure(figure)
    layout = bare.layout
    plot_height = layout.height - layout.margin.t - layout.margin.b
    footer = next((a for a in layout.annotations if a.name == "footer"), None)
    # the room above the plot that is not the title's: the gap under the legend (the panels'
    # titles sit in it) and the legend itself (apply_style sets both)
    gap = (layout.legend.y - 1) * plot_height if layout.legend.y is not None else 0
    top = round(gap + (LEGEND_ROW_PX if layout.showlegend else 0)) + BARE_TOP_PX
    bottom = round(-footer.y * plot_height) + BARE_BOTTOM_PX if footer else layout.margin.b
    bare.layout.annotations = [a for a in layout.annotations if a.name != "footer"]
    bare.update_layout(
        title=dict(text="", subtitle=dict(text="")), height=plot_height + top + bottom, margin=dict(t=top, b=bottom)
    )
    return bare


def caption_text(metadata: dict) -> str:
    """What `--bare` leaves out of the image, as paragraphs to paste as the caption: the
    title (and the line under it), the notes, the source."""
    heading = [metadata["title"], metadata.get("subtitle") or ""]
    paragraphs = ["\n".join(line for line in heading if line), *metadata.get("notes", []), metadata["source"]]
    return "\n\n".join(p for p in paragraphs if p) + "\n"


def _browser_image(figure: go.Figure, image_format: str, scale: float) -> bytes:
    """One image from a Chromium session of its own: an export writes one file. MathJax off,
    plotly.js from the plotly package: no network."""
    import kaleido

    opts = {"format": image_format, "width": figure.layout.width, "height": figure.layout.height, "scale": scale}
    kaleido.start_sync_server(path=browser_path(), mathjax=False, timeout=RENDER_TIMEOUT)
    try:
        return _with_deadline(
            lambda: kaleido.calc_fig_sync(figure.to_dict(), opts=opts), RENDER_TIMEOUT + STARTUP_ALLOWANCE
        )
    finally:
        kaleido.stop_sync_server(silence_warnings=True)


def _raster(figure: go.Figure, image_format: str, size: PrintSize) -> bytes:
    """PNG or JPG `size.width_px` wide, with `size.dpi` recorded in the file (PNG's pHYs
    chunk, JPEG's JFIF density), which the browser's screenshot does not do."""
    import io

    from PIL import Image

    png = _browser_image(figure, "png", size.width_px / figure.layout.width)
    image = Image.open(io.BytesIO(png))
    height = round(figure.layout.height * size.width_px / figure.layout.width)
    if image.size != (size.width_px, height):  # a pixel lost to rounding in the browser
        image = image.resize((size.width_px, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if image_format == "jpg":
        image.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, dpi=(size.dpi, size.dpi))
    else:
        image.save(out, "PNG", dpi=(size.dpi, size.dpi), optimize=True)
    return out.getvalue()


def _cm(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "cm"


def _svg_on_paper(svg: bytes, figure: go.Figure, size: PrintSize) -> bytes:
    """The SVG at its width on paper: the root's width and height in cm (the viewBox keeps
    the drawing's own units)."""
    height_cm = size.width_cm * figure.layout.height / figure.layout.width
    root = f'width="{figure.layout.width}" height="{figure.layout.height}"'.encode()
    return svg.replace(root, f'width="{_cm(size.width_cm)}" height="{_cm(height_cm)}"'.encode(), 1)


def document_image(chart: BuiltChart, output_format: str, size: PrintSize) -> bytes:
    """One chart as a file for a document, `size.width_cm` wide on paper."""
    figure = chart.figure
    if output_format == "html":
        return to_html(chart)
    if output_format in ("png", "jpg"):
        return _raster(figure, output_format, size)
    if output_format == "svg":
        return _svg_on_paper(stable_svg(_browser_image(figure, "svg", 1), chart.name), figure, size)
    if output_format == "pdf":  # the page is the chart, width_cm wide; text and lines stay vector
        return _browser_image(figure, "pdf", size.width_cm / CM_PER_INCH * CSS_DPI / figure.layout.width)
    raise ValueError(f"unknown chart format '{output_format}'; formats: {', '.join(EXPORT_FORMATS)}")


def export_for_document(
    name: str,
    output_format: str,
    target: Path,
    size: PrintSize | None = None,
    bare: bool = False,
    paths: Paths | None = None,
) -> list[Path]:
    """`noegletal chart export`: one chart in one format to `target`. With `bare`, the image
    has no title, notes or source; they go to `<target stem>.txt` beside it, as a caption."""
    chart = build(name, paths)
    if bare:
        chart = BuiltChart(chart.name, chart.data, bare_figure(chart.figure), chart.metadata)
    written = [target] + ([target.with_suffix(".txt")] if bare else [])
    with staged_outputs() as out:
        out.path(target).write_bytes(document_image(chart, output_format, size or print_size()))
        if bare:
            out.write_text(written[1], caption_text(chart.metadata))
    return written


def run(paths: Paths | None = None) -> None:
    paths = paths or Paths()
    export(list(CHARTS), FORMATS, charts_dir(paths), paths, image_cache=image_cache(paths))


if __name__ == "__main__":
    stage_main(run, "charts")
