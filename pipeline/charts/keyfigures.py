"""The key figures' charts: bars for flows, lines for stocks, a partial year drawn as an estimate."""

from __future__ import annotations

import html

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from pipeline import fmt, wording
from pipeline.charts.notes import _hover, _num, _past_partial, _rows
from pipeline.charts.registry import ChartSpec
from pipeline.charts.style import BAR_SPAN, ESTIMATE_PATTERN, INK, MUTED, SERIES_STYLES, SeriesStyle, y_title


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
    if _past_partial(row):  # an earlier year known in part, drawn as counted: its months under the count
        return f"{text}<br>{fmt.months_span(row['months_covered'], 'abbreviated')}"
    if row["kind"] == "stock" and row["count_date"]:
        when = wording.count_date_text(
            row["count_date"], row.get("count_date_precision"), row["reference_year"], "medium"
        )
        return f"{text}<br>{'pr.' if (row.get('count_date_precision') or 'day') == 'day' else 'i'} {when}"
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
