"""Denmark against Sweden, per 100.000 inhabitants (the compare stage's output)."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl

from pipeline import fmt, wording
from pipeline.charts.keyfigures import _top, _whiskers
from pipeline.charts.notes import _drawn_as, _period, _rows, source_text
from pipeline.charts.registry import MONTHS_IN_YEAR, ChartSpec
from pipeline.charts.style import INK, MUTED, SERIES_STYLES, SeriesStyle, year_axis
from pipeline.paths import Paths

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
    if row["publisher"] or row.get("reported_by"):
        lines.append(f"Kilde: {wording.source_listing([row], undated=False)}")
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
    year_axis(fig, years)
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
