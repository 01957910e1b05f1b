"""One style for every chart: sizes, fonts, greyscale-safe colours, and apply_style."""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from pipeline.charts.notes import chart_notes, chart_source, chart_title, subtitle
from pipeline.charts.registry import ChartSpec

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


def year_axis(fig: go.Figure, years: list[int]) -> None:
    """One tick per year, half a year of room at each end, no vertical grid (every chart whose
    x axis is the years shown)."""
    fig.update_xaxes(
        tickmode="array",
        tickvals=years,
        ticktext=[str(y) for y in years],
        range=[years[0] - 0.6, years[-1] + 0.6],
        showgrid=False,
        ticks="outside",
    )


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
