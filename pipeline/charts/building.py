"""A chart built from its data: the figure, its metadata and its HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import plotly.graph_objects as go
import polars as pl

from pipeline.charts.data import chart_data
from pipeline.charts.keyfigures import draw_keyfigures
from pipeline.charts.notes import (
    _drawn_as,
    _past_partial,
    _period,
    _rows,
    chart_notes,
    chart_source,
    chart_title,
    subtitle,
)
from pipeline.charts.registry import ChartSpec, get_spec
from pipeline.charts.style import apply_style
from pipeline.paths import Paths


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
        # earlier years known only in part, drawn as counted with their months (not estimates)
        "partial_observed": [
            {k: r[k] for k in ("series", "label_da", "reference_year", "months_covered", "observed_value")}
            | {"period_observed": _period(r)}
            for r in rows
            if _past_partial(r)
        ],
        "missing": [{"series": r["series"], "reference_year": r["reference_year"]} for r in _rows(data, "missing")],
        "separators": ",.",
    }


def build(name: str, paths: Paths | None = None) -> BuiltChart:
    spec = get_spec(name, paths)
    data = chart_data(name, paths)
    figure = apply_style((spec.draw or draw_keyfigures)(spec, data), spec, data)
    return BuiltChart(name, data, figure, _metadata(spec, data))


def build_figure(name: str, paths: Paths | None = None) -> go.Figure:
    return build(name, paths).figure


def chart_metadata(name: str, paths: Paths | None = None) -> dict:
    """What `<name>.json` holds, computed from the data without drawing the chart."""
    return _metadata(get_spec(name, paths), chart_data(name, paths))


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
