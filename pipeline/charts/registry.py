"""The charts by name: what a chart is (ChartSpec), the registry and the formats the stage writes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from pipeline.paths import Paths

MONTHS_IN_YEAR = 12
FORMATS = ("html", "svg", "png")
STATIC_FORMATS = ("svg", "png")


def charts_dir(paths: Paths) -> Path:
    return paths.outputs / "charts"


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
