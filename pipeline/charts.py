"""Stage charts: the key figures as charts for report authors.

Every chart is registered in CHARTS by name: which series and years it shows, how it is
drawn, and its Danish title. All charts share one style: Danish number formatting on axes,
labels and hover; greyscale-safe colours (distinct lightness, dashes, markers, hatching); a
source line built from the plotted rows' provenance. A partial year is drawn so that the
estimate cannot be taken for an observation: the observed months as a solid bar (or filled
marker), the rest of the year as a hatched bar (or an open marker on a dotted segment)
labelled "skøn", with the estimate's interval as an error bar when the extrapolate stage
provides one.

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
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from pipeline import fmt
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
    latest in the data). Charts on other data replace `load` (it must return REQUIRED_COLUMNS;
    the rest of CHART_COLUMNS is optional) and may replace `draw`; title, notes, source and
    style are shared."""

    name: str
    title: str                          # Danish; the data's year span is appended
    series: tuple[str, ...] = ()
    first_year: int | None = None
    mark: str = "bar"                   # "bar" for flows (counts over a year), "line" for stocks
    panels: bool = False                # one panel per series (different units) or one shared axis
    y_title: str | None = None          # default "Antal <unit>"
    notes: tuple[str, ...] = ()         # extra Danish notes under the chart
    load: Callable[[ChartSpec, Paths], pl.DataFrame] | None = None
    draw: Callable[[ChartSpec, pl.DataFrame], go.Figure] | None = None


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
INTERVAL_COLUMNS = {"interval_lower": pl.Float64, "interval_upper": pl.Float64,
                    "interval_level": pl.Float64, "interval_method": pl.Utf8}
# The rows every chart plots, one per series and year; `status` is observed, estimated or
# missing (a year inside the chart's span without a figure). Written beside each chart as CSV.
# A loader must give REQUIRED_COLUMNS; any other of these it lacks is null, and columns of its
# own follow them. `period_end` and `months_exposure` describe a period ending inside a month
# ("up to 15 December"); without them a period is January to the end of `months_covered`.
CHART_SCHEMA = {
    "series": pl.Utf8, "label_da": pl.Utf8, "country": pl.Utf8, "unit": pl.Utf8, "kind": pl.Utf8,
    "integer_valued": pl.Boolean, "reference_year": pl.Int64, "status": pl.Utf8,
    "observed_value": pl.Float64, "months_covered": pl.Int64, "period_end": pl.Date,
    "months_exposure": pl.Float64, "count_date": pl.Date, "value": pl.Float64, "value_unrounded": pl.Float64,
    "method": pl.Utf8, **INTERVAL_COLUMNS,
    "publisher": pl.Utf8, "publication": pl.Utf8, "published": pl.Utf8, "reported_by": pl.Utf8,
    "release_id": pl.Utf8, "source_file": pl.Utf8, "source_line": pl.Int64,
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
    """The selected full-year figures of the spec's series, every year of the span."""
    series = pl.read_parquet(paths.validated_series).filter(pl.col("series").is_in(spec.series))
    unknown = sorted(set(spec.series) - set(series["series"]))
    if unknown:
        raise SystemExit(f"noegletal charts: chart '{spec.name}': unknown series {', '.join(unknown)}")
    figures = pl.read_parquet(paths.derived_figures).filter(
        pl.col("selected") & pl.col("series").is_in(spec.series)
    )
    if spec.first_year is not None:
        figures = figures.filter(pl.col("reference_year") >= spec.first_year)
    if figures.is_empty():
        raise SystemExit(f"noegletal charts: chart '{spec.name}': no figures for {', '.join(spec.series)}")

    first = spec.first_year if spec.first_year is not None else figures["reference_year"].min()
    years = pl.DataFrame({"reference_year": list(range(first, figures["reference_year"].max() + 1))})
    order = {s: i for i, s in enumerate(spec.series)}
    grid = series.select(
        "series", "label_da", "country", "unit", "kind",
        pl.col("integer").cast(pl.Utf8).str.to_lowercase().is_in(["true", "1"]).alias("integer_valued"),
    ).join(years, how="cross")
    rows = grid.join(figures.drop(["label_da", "country", "unit", "kind"], strict=False),
                     on=["series", "reference_year"], how="left")
    return (
        rows.with_columns(pl.col("status").fill_null("missing"),
                          pl.col("series").replace_strict(order, return_dtype=pl.Int64).alias("_order"))
        .sort("_order", "reference_year")
        .select(c for c in CHART_COLUMNS if c in rows.columns)
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
    first, last = data["reference_year"].min(), data["reference_year"].max()
    return f"{spec.title}, {first}" if first == last else f"{spec.title}, {first}–{last}"


def _drawn_as(spec: ChartSpec) -> str:
    return "skraveret" if spec.mark == "bar" else "åben markør, prikket linje"


def subtitle(spec: ChartSpec, data: pl.DataFrame) -> str:
    """One line under the title: what is an estimate, or what a stock's count date is."""
    estimated = _rows(data, "estimated")
    if estimated:
        periods = dict.fromkeys(f"{r['reference_year']}: {_period(r)}" for r in estimated)
        return "; ".join(f"{period} er opgjort, resten af året er et skøn ({_drawn_as(spec)})" for period in periods)
    undated = [r for r in _rows(data) if r["kind"] == "stock" and r["status"] != "missing" and not r["count_date"]]
    if undated:
        return (f"Antal {undated[0]['unit']} på opgørelsesdatoen; datoen er ikke oplyst for "
                f"{fmt.year_ranges(r['reference_year'] for r in undated)}")
    return ""


def _computation(row: dict) -> str:
    """'sigtelser 2.181 / 9 × 12 = 2.908' for the report's method, else input and result."""
    label, observed, value = row["label_da"].lower(), _num(row["observed_value"], row), _num(row["value"], row)
    if row["method"] != "linear":
        return f"{label} {observed} → {value} (metode: {row['method']})"
    months = _months(row)
    equals = "=" if row["value_unrounded"] == row["value"] else "≈"
    return f"{label} {observed} / {_months_number(months)} × {MONTHS_IN_YEAR} {equals} {value}"


def _estimate_notes(spec: ChartSpec, data: pl.DataFrame) -> list[str]:
    groups: dict[tuple[int, str], list[dict]] = {}
    for row in _rows(data, "estimated"):
        groups.setdefault((row["reference_year"], _period(row)), []).append(row)
    return [
        f"Skøn: {year} er kun opgjort for {period} ({_months_text(_months(rows[0]))}). Helårstallet "
        f"({_drawn_as(spec)}) er fremskrevet under antagelse af, at {_rest_of_year(rows[0])} har samme "
        f"gennemsnit pr. måned: {'; '.join(_computation(r) for r in rows)}. Det er et skøn, ikke en opgørelse."
        for (year, period), rows in groups.items()
    ]


def _interval_notes(data: pl.DataFrame) -> list[str]:
    """'Den lodrette streg viser et 95 %-interval for skønnet: <how>.' The method text is
    'code: Danish description'; the description is shown."""
    methods = {(r["interval_level"], r["interval_method"]) for r in _rows(data, "estimated")
               if r["interval_lower"] is not None and r["interval_level"]}
    notes = []
    for level, method in sorted(methods, key=lambda m: (m[0], m[1] or "")):
        how = (method or "").split(": ", 1)[-1].strip()
        notes.append(f"Den lodrette streg viser et {fmt.percent(level)}-interval for skønnet"
                     + (f": {how}." if how else "."))
    return notes


def _count_date_notes(data: pl.DataFrame) -> list[str]:
    notes = []
    stocks = [r for r in _rows(data) if r["kind"] == "stock" and r["status"] != "missing"]
    for label in dict.fromkeys(r["label_da"] for r in stocks):
        rows = [r for r in stocks if r["label_da"] == label]
        undated = [r["reference_year"] for r in rows if not r["count_date"]]
        dated = "; ".join(f"{r['reference_year']} er opgjort pr. {fmt.date_text(r['count_date'])}"
                          for r in rows if r["count_date"])
        text = f"{label} er en bestand (antal på en dato), ikke et antal over året."
        if undated:
            text += (f" Opgørelsesdatoen er ikke oplyst for {fmt.year_ranges(undated)}, så tallene er ikke "
                     "nødvendigvis opgjort på samme dato hvert år.")
        if dated:
            text += f" {dated[0].upper()}{dated[1:]}."
        notes.append(text)
    return notes


def _missing_notes(data: pl.DataFrame) -> list[str]:
    missing: dict[str, list[int]] = {}
    for row in _rows(data, "missing"):
        missing.setdefault(row["label_da"], []).append(row["reference_year"])
    return [f"{label}: ingen offentliggjorte tal for {fmt.year_ranges(years)}." for label, years in missing.items()]


def chart_notes(spec: ChartSpec, data: pl.DataFrame) -> list[str]:
    return [*_estimate_notes(spec, data), *_interval_notes(data), *_count_date_notes(data),
            *_missing_notes(data), *spec.notes]


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
    unit = row["unit"]
    if row["status"] == "missing":
        lines.append("Ingen offentliggjorte tal")
    elif row["status"] == "estimated":
        lines.append(f"Opgjort {_period(row)}: {_num(row['observed_value'], row)} {unit}")
        lines.append(f"Skøn for hele året: {_num(row['value'], row)} {unit}")
        if interval := _interval(row):
            lines.append(interval)
    elif row["kind"] == "stock":
        lines.append(f"{_num(row['value'], row)} {unit}")
        date = fmt.date_text(row["count_date"]) if row["count_date"] else "ikke oplyst"
        lines.append(f"Opgørelsesdato: {date}")
    else:
        whole_year = " (hele året)" if row["months_covered"] == MONTHS_IN_YEAR else ""
        lines.append(f"{_num(row['value'], row)} {unit}{whole_year}")
    if row["status"] != "missing" and row["publisher"]:
        lines.append(f"Kilde: {row['publisher']} {(row['published'] or '')[:4]}".strip())
    return "<br>".join(lines)


# --- One style for every chart ------------------------------------------------------------

WIDTH = 900
PLOT_HEIGHT = 340        # the plotting area; title, legend and footer come on top of it
PNG_SCALE = 2            # 1800 px wide: sharp in print
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
INK = "#1a1a1a"
MUTED = "#555555"
GRID = "#e3e3e3"
BAR_SPAN = 0.8           # of a year's width, shared by the bars of one year
FOOTER_WRAP = 150        # characters per footer line (11 px, about 5 px a character, on 800 px)
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
    traces = [go.Bar(
        x=[r["reference_year"] for r in drawn], y=[r["observed_value"] for r in drawn],
        offset=offset, width=width, name=label, legendgroup=s, showlegend=legend, uid=f"{s}-observed",
        marker=dict(color=style.fill, line=dict(color=style.ink, width=1)),
        hovertext=[_hover(r) for r in drawn], hovertemplate="%{hovertext}<extra></extra>",
    )]
    if estimated:
        traces.append(go.Bar(
            x=[r["reference_year"] for r in estimated],
            y=[r["value"] - r["observed_value"] for r in estimated],
            base=[r["observed_value"] for r in estimated],
            offset=offset, width=width, name=f"{label}, skøn", legendgroup=s, showlegend=False,
            uid=f"{s}-estimated",
            marker=dict(color="white", line=dict(color=style.ink, width=1), pattern=_hatch(style.ink)),
            hovertext=[_hover(r) for r in estimated], hovertemplate="%{hovertext}<extra></extra>",
        ))
        traces += _whiskers(estimated, [r["reference_year"] + centre for r in estimated], s)
    traces.append(_labels(rows, [r["reference_year"] + centre for r in rows], s, mark="bar"))
    return traces


def _line_traces(rows: list[dict], style: SeriesStyle, legend: bool) -> list:
    """Observed values as a line with filled markers; an estimate as an open marker on a
    dotted segment from the year before, with the interval as an error bar; value labels."""
    s, label = rows[0]["series"], rows[0]["label_da"]
    observed = {r["reference_year"]: r for r in rows if r["status"] == "observed"}
    traces = [go.Scatter(
        x=[r["reference_year"] for r in rows],
        y=[r["value"] if r["status"] == "observed" else None for r in rows],
        mode="lines+markers", name=label, legendgroup=s, showlegend=legend, uid=f"{s}-observed",
        connectgaps=False, line=dict(color=style.ink, dash=style.dash, width=2),
        marker=dict(symbol=style.symbol, size=8, color=style.ink),
        hovertext=[_hover(r) for r in rows], hovertemplate="%{hovertext}<extra></extra>",
    )]
    for r in (r for r in rows if r["status"] == "estimated"):
        year = r["reference_year"]
        if before := observed.get(year - 1):
            traces.append(go.Scatter(
                x=[year - 1, year], y=[before["value"], r["value"]], mode="lines", showlegend=False,
                legendgroup=s, uid=f"{s}-{year}-estimate-segment", hoverinfo="skip",
                line=dict(color=style.ink, dash="dot", width=2),
            ))
        traces.append(go.Scatter(
            x=[year], y=[r["value"]], mode="markers", name=f"{label}, skøn", legendgroup=s, showlegend=False,
            uid=f"{s}-{year}-estimate",
            marker=dict(symbol=f"{style.symbol}-open", size=10, color=style.ink, line=dict(width=2)),
            hovertext=[_hover(r)], hovertemplate="%{hovertext}<extra></extra>",
        ))
        traces += _whiskers([r], [year], f"{s}-{year}")
    traces.append(_labels(rows, [r["reference_year"] for r in rows], s, mark="line"))
    return traces


def _hatch(colour: str) -> dict:
    return dict(shape=ESTIMATE_PATTERN, fgcolor=colour, fgopacity=1, bgcolor="white", solidity=0.3)


def _whiskers(rows: list[dict], x: list[float], uid: str) -> list:
    """The estimates' intervals as error bars: a dark line on a white halo, so that it shows
    on a dark bar as on white paper. Nothing when the rows have no interval."""
    rows_x = [(r, xi) for r, xi in zip(rows, x) if r["interval_lower"] is not None and r["interval_upper"] is not None]
    if not rows_x:
        return []
    error = dict(type="data", symmetric=False,
                 array=[r["interval_upper"] - r["value"] for r, _ in rows_x],
                 arrayminus=[r["value"] - r["interval_lower"] for r, _ in rows_x])
    return [
        go.Scatter(x=[xi for _, xi in rows_x], y=[r["value"] for r, _ in rows_x], mode="markers",
                   marker=dict(size=1, color="rgba(0,0,0,0)"), error_y=error | dict(color=colour, thickness=t, width=w),
                   showlegend=False, hoverinfo="skip", uid=f"{uid}-interval-{part}")
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
        x=x, y=[0 if r["status"] == "missing" else _top(r) for r in rows],
        mode="text" if mark == "bar" else "markers+text", marker=dict(size=14, opacity=0),
        text=[_label_text(r) for r in rows], textposition="top center",
        textfont=dict(size=11, color=[MUTED if r["status"] == "missing" else INK for r in rows]),
        showlegend=False, hoverinfo="skip", cliponaxis=False, uid=f"{s}-labels",
    )


def _legend_keys(spec: ChartSpec, data: pl.DataFrame) -> list:
    """Legend entries that explain the estimate and its interval once for the whole chart."""
    estimated = _rows(data, "estimated")
    if not estimated:
        return []
    if spec.mark == "bar":
        keys = [go.Bar(x=[None], y=[None], name="Skøn for resten af året", uid="key-estimate", showlegend=True,
                       marker=dict(color="white", line=dict(color=INK, width=1), pattern=_hatch(INK)))]
    else:
        keys = [go.Scatter(x=[None], y=[None], mode="lines+markers", name="Skøn for hele året", uid="key-estimate",
                           showlegend=True, line=dict(color=INK, dash="dot"),
                           marker=dict(symbol="circle-open", size=10, color=INK))]
    levels = sorted({r["interval_level"] for r in estimated if r["interval_lower"] is not None and r["interval_level"]})
    for level in levels:
        keys.append(go.Scatter(x=[None], y=[None], mode="markers", name=f"{fmt.percent(level)}-interval for skønnet",
                               uid=f"key-interval-{round(level * 1000)}", showlegend=True,
                               marker=dict(symbol="line-ns-open", size=12, color=INK)))
    return keys


def draw_keyfigures(spec: ChartSpec, data: pl.DataFrame) -> go.Figure:
    """Bars (or lines) per series; one shared axis, or one panel per series."""
    rows = _rows(data)
    series_ids = list(dict.fromkeys(r["series"] for r in rows))
    years = sorted({r["reference_year"] for r in rows})
    groups = [[s] for s in series_ids] if spec.panels else [series_ids]
    labels = [next(r["label_da"] for r in rows if r["series"] == g[0]) for g in groups]
    fig = make_subplots(rows=1, cols=len(groups), horizontal_spacing=0.12,
                        subplot_titles=labels if spec.panels else None)
    legend = len(series_ids) > 1 and not spec.panels
    for col, group in enumerate(groups, start=1):
        for slot, s in enumerate(group):
            style = SERIES_STYLES[series_ids.index(s) % len(SERIES_STYLES)]
            series_rows = [r for r in rows if r["series"] == s]
            traces = (_bar_traces(series_rows, style, slot, len(group), legend) if spec.mark == "bar"
                      else _line_traces(series_rows, style, legend))
            for trace in traces:
                fig.add_trace(trace, row=1, col=col)
        group_rows = [r for r in rows if r["series"] in group]
        top = max((_top(r) for r in group_rows if r["status"] != "missing"), default=0) or 1
        fig.update_yaxes(title_text=y_title(spec, group_rows), range=[0, top * 1.22], row=1, col=col)
    for key in _legend_keys(spec, data):
        fig.add_trace(key, row=1, col=1)
    fig.update_xaxes(tickmode="array", tickvals=years, ticktext=[str(y) for y in years],
                     range=[years[0] - 0.6, years[-1] + 0.6], showgrid=False, ticks="outside")
    return fig


def apply_style(fig: go.Figure, spec: ChartSpec, data: pl.DataFrame) -> go.Figure:
    """The shared look: Danish separators, fonts, title and subtitle, legend, footer with the
    notes and the source line; sizes fixed so HTML, SVG and PNG look alike."""
    footer_lines = [line for text in [*chart_notes(spec, data), source_text(data)]
                    for line in textwrap.wrap(text, FOOTER_WRAP)]
    legend = any(trace.showlegend for trace in fig.data)
    legend_gap = 34 if spec.panels else 8          # room for the panels' titles
    top = 78 + (28 if legend else 0) + legend_gap
    bottom = 46 + FOOTER_LINE_PX * len(footer_lines) + 8
    fig.update_annotations(font=dict(family=FONT, size=14, color=INK))  # the panels' titles
    fig.update_yaxes(rangemode="tozero", tickformat=",~f", showgrid=True, gridcolor=GRID, ticks="outside",
                     title_font=dict(size=12))
    fig.update_layout(
        template="simple_white", separators=",.",
        width=WIDTH, height=PLOT_HEIGHT + top + bottom,
        margin=dict(l=74, r=24, t=top, b=bottom),
        font=dict(family=FONT, size=13, color=INK),
        title=dict(text=f"<b>{html.escape(chart_title(spec, data))}</b>", x=0, xref="paper", xanchor="left",
                   y=1 - 14 / (PLOT_HEIGHT + top + bottom), yref="container", yanchor="top",
                   font=dict(size=18), subtitle=dict(text=subtitle(spec, data), font=dict(size=13, color=MUTED))),
        showlegend=legend,
        legend=dict(orientation="h", x=0, xanchor="left", y=1 + legend_gap / PLOT_HEIGHT, yanchor="bottom",
                    font=dict(size=12), traceorder="normal"),
        barmode="overlay", hovermode="closest", hoverlabel=dict(font=dict(family=FONT, size=12)),
    )
    fig.add_annotation(
        text="<br>".join(html.escape(line) for line in footer_lines), showarrow=False, align="left",
        x=0, xref="paper", xanchor="left", y=-46 / PLOT_HEIGHT, yref="paper", yanchor="top",
        font=dict(size=11, color=MUTED),
    )
    return fig


# --- Charts -------------------------------------------------------------------------------

register(ChartSpec(
    name="medlemmer", title="Rocker-/bandemedlemmer i Danmark",
    series=("medlemmer",), first_year=2014, mark="line",
))
register(ChartSpec(
    name="sigtelser_strafmasse", title="Sigtelser og strafmasse for rocker-/bandemedlemmer",
    series=("sigtelser", "strafmasse"), first_year=2021, mark="bar", panels=True,
))
register(ChartSpec(
    name="skud_saarede_draebte", title="Rocker-/banderelaterede skudepisoder, sårede og dræbte",
    series=("skudepisoder", "saarede", "draebte"), first_year=2021, mark="bar", y_title="Antal",
))


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
        {k: r[k] for k in ("series", "label_da", "reference_year", "months_covered", "months_exposure",
                           "period_end", "observed_value", "value",
                           "value_unrounded", "method", "interval_lower", "interval_upper", "interval_level",
                           "interval_method")}
        | {"period_observed": _period(r), "drawn_as": _drawn_as(spec)}
        for r in _rows(data, "estimated")
    ]
    return {
        "name": spec.name,
        "title": chart_title(spec, data),
        "subtitle": subtitle(spec, data),
        "years": [data["reference_year"].min(), data["reference_year"].max()],
        "series": [{k: r[k] for k in ("series", "label_da", "unit", "kind", "country")}
                   for r in {r["series"]: r for r in rows}.values()],
        "unit": next(iter(units.values())) if len(set(units.values())) == 1 else None,
        "units": units,
        "source": source_text(data),
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
    return build(name, paths).metadata


def to_html(chart: BuiltChart) -> bytes:
    """A standalone page: plotly.js inline (no CDN, works offline), a fixed div id so that
    the page is the same from run to run."""
    page = chart.figure.to_html(
        include_plotlyjs=True, include_mathjax=False, full_html=True, div_id=f"noegletal-{chart.name}",
        config={"displaylogo": False, "responsive": True,
                "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
                "toImageButtonOptions": {"format": "svg", "filename": chart.name}},
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


RENDER_TIMEOUT = 60          # seconds kaleido may take for one image
STARTUP_ALLOWANCE = 60       # seconds on top of that for starting the browser


def browser_path() -> str:
    """The Chromium kaleido drives: $BROWSER_PATH, else one choreographer finds (Debian:
    /usr/bin/chromium, installed by bin/setup)."""
    from choreographer.browsers import Chromium

    found = os.environ.get("BROWSER_PATH") or Chromium.find_browser(skip_local=False)
    if not found or not os.access(found, os.X_OK):
        raise SystemExit("noegletal charts: no Chromium found for the SVG and PNG charts; install it "
                         "(apt-get install chromium, as bin/setup does) or set BROWSER_PATH")
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
        raise RuntimeError(f"noegletal charts: no image; the headless Chromium ({browser_path()}) did not "
                           f"start or answer (see the error above, or waited {seconds:.0f} s)")
    if "error" in result:
        raise result["error"]
    return result["value"]


class ImageRenderer:
    """SVG and PNG from one headless Chromium for a whole run: kaleido's sync server, started
    on entry and stopped on exit (a bare write_image per figure would start a browser each
    time). MathJax is off and plotly.js comes from the plotly package: no network needed."""

    def __enter__(self) -> ImageRenderer:
        import kaleido

        self._kaleido = kaleido
        kaleido.start_sync_server(path=browser_path(), mathjax=False, timeout=RENDER_TIMEOUT)
        return self

    def __exit__(self, *exc: object) -> None:
        self._kaleido.stop_sync_server(silence_warnings=True)

    def _server_alive(self) -> bool:
        # kaleido runs its server in a thread that ends if the browser fails to start; it has
        # no public way to ask, so look at the thread (and assume alive if that changes)
        thread = getattr(getattr(self._kaleido, "_global_server", None), "_thread", None)
        return thread is None or thread.is_alive()

    def image(self, chart: BuiltChart, image_format: str) -> bytes:
        layout = chart.figure.layout
        opts = {"format": image_format, "width": layout.width, "height": layout.height,
                "scale": PNG_SCALE if image_format == "png" else 1}
        figure = chart.figure.to_dict()
        image = _with_deadline(lambda: self._kaleido.calc_fig_sync(figure, opts=opts),
                               RENDER_TIMEOUT + STARTUP_ALLOWANCE, self._server_alive)
        return stable_svg(image, chart.name) if image_format == "svg" else image


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


def _renderer(formats: Iterable[str]) -> ImageRenderer | nullcontext:
    return ImageRenderer() if any(f in STATIC_FORMATS for f in formats) else nullcontext()


def export(names: Iterable[str] | None = None, formats: Iterable[str] = FORMATS,
           out_dir: Path | None = None, paths: Paths | None = None) -> list[Path]:
    """Write each chart in each format, with its data (CSV) and metadata (JSON) beside it,
    to out_dir (default outputs/charts/); all files are moved into place only at the end."""
    paths = paths or Paths()
    out_dir = out_dir or charts_dir(paths)
    formats = _check_formats(formats)
    charts = [build(name, paths) for name in (list(names) if names else list(CHARTS))]
    written = []
    with staged_outputs() as out, _renderer(formats) as renderer:
        for chart in charts:
            for output_format in formats:
                target = out_dir / f"{chart.name}.{output_format}"
                out.path(target).write_bytes(render(chart, output_format, renderer))
                written.append(target)
            chart.data.write_csv(out.path(out_dir / f"{chart.name}.csv"))
            out.write_text(out_dir / f"{chart.name}.json",
                           json.dumps(chart.metadata, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n")
            written += [out_dir / f"{chart.name}.csv", out_dir / f"{chart.name}.json"]
    return written


def write_chart(name: str, output_format: str, target: Path, paths: Paths | None = None) -> Path:
    """One chart in one format to one file (`noegletal chart export`)."""
    _check_formats([output_format])
    chart = build(name, paths)
    with staged_outputs() as out, _renderer([output_format]) as renderer:
        out.path(target).write_bytes(render(chart, output_format, renderer))
    return target


def run(paths: Paths | None = None) -> None:
    paths = paths or Paths()
    export(list(CHARTS), FORMATS, charts_dir(paths), paths)


if __name__ == "__main__":
    stage_main(run, "charts")
