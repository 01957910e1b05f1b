"""Danish texts from the data: titles, notes, the source line and the hover texts."""

from __future__ import annotations

import polars as pl

from pipeline import fmt, wording
from pipeline.charts.registry import MONTHS_IN_YEAR, ChartSpec


def _rows(data: pl.DataFrame, status: str | None = None) -> list[dict]:
    rows = data.to_dicts()
    return [r for r in rows if status is None or r["status"] == status]


def _num(value: float | None, row: dict) -> str:
    """A figure as printed: whole numbers for integer series, else one decimal if needed; 'ca.'
    before a figure its source gives as approximate."""
    if value is None:
        return fmt.MISSING
    decimals = 0 if row.get("integer_valued") or float(value).is_integer() else 1
    return wording.about(fmt.number(value, decimals), row.get("approximate"))


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


def _past_partial(row: dict) -> bool:
    """An earlier year known only for part of the year, shown as counted, not extrapolated
    (params.yaml extrapolation.past_partial_years)."""
    months = _months(row) if row.get("status") == "observed" and row.get("kind") == "flow" else None
    return months is not None and months < MONTHS_IN_YEAR


def _observed_part(row: dict) -> str:
    """'6 i januar–juni 2020'."""
    return wording.observed_part(
        _num(row["observed_value"], row), row["reference_year"], _months(row), row.get("period_end")
    )


def _past_partial_notes(data: pl.DataFrame) -> list[str]:
    """'Sårede: 6 i januar–juni 2020. Året er kun opgjort for en del af året og vist som
    opgjort, ikke fremskrevet (…).'"""
    rows = [r for r in _rows(data) if _past_partial(r)]
    if not rows:
        return []
    return [wording.past_partial_sentence([(r["label_da"], _observed_part(r)) for r in rows])]


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
    return f"{_months_number(months)} {wording.noun(months, 'måneder')}"


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
    terms (pipeline/wording/)."""
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
    'code: description'; the Danish description of the code is shown (pipeline/wording/)."""
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
            f"{r['reference_year']} er opgjort "
            + wording.counted_on(r["count_date"], r.get("count_date_precision"), r["reference_year"])
            for r in rows
            if r["count_date"]
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
        *_past_partial_notes(data),
        *_count_date_notes(data),
        *_missing_notes(data),
        *_context_notes(data),
        *spec.notes,
    ]


def chart_source(spec: ChartSpec, data: pl.DataFrame) -> str:
    return spec.cite(data) if spec.cite else source_text(data)


def source_text(data: pl.DataFrame) -> str:
    """'Kilde: Figuren er baseret på nøgletal fra Rigspolitiet 2014, 2015; …' (as the tables'
    source line, wording.source_listing, with the publication years of the plotted rows; an
    undated release adds no year, an unknown publisher is cited by the source quoting it)."""
    plotted = [r for r in _rows(data) if r["status"] != "missing" and (r["publisher"] or r.get("reported_by"))]
    plotted.sort(key=lambda r: (not r["published"], (r["published"] or "")[:4], r["publisher"] or ""))
    return f"Kilde: Figuren er baseret på nøgletal fra {wording.source_listing(plotted, undated=False, ordered=True)}."


def _hover(row: dict) -> str:
    lines = [f"<b>{row['label_da']} {row['reference_year']}</b>"]
    if row.get("context"):
        lines.append(row["context"])

    def unit(value):  # the unit in the number shown: '1 person', '2 personer' (pipeline/wording/)
        shown = 0 if row.get("integer_valued") or value is None or float(value).is_integer() else 1
        return wording.unit_text(value, row["unit"], shown)

    if row["status"] == "missing":
        lines.append("Ingen offentliggjorte tal")
    elif row["status"] == "estimated":
        lines.append(f"Opgjort {_period(row)}: {_num(row['observed_value'], row)} {unit(row['observed_value'])}")
        lines.append(f"Skøn for hele året: {_num(row['value'], row)} {unit(row['value'])}")
        if interval := _interval(row):
            lines.append(interval)
    elif _past_partial(row):
        value = f"{_num(row['observed_value'], row)} {unit(row['observed_value'])}"
        lines.append(wording.observed_part(value, row["reference_year"], _months(row), row.get("period_end")))
        lines.append("Kun opgjort for en del af året; ikke fremskrevet")
    elif row["kind"] == "stock":
        lines.append(f"{_num(row['value'], row)} {unit(row['value'])}")
        date = (
            wording.count_date_text(row["count_date"], row.get("count_date_precision"), row["reference_year"])
            or "ikke oplyst"
        )
        lines.append(f"Opgørelsesdato: {date}")
    else:
        whole_year = " (hele året)" if row["months_covered"] == MONTHS_IN_YEAR else ""
        lines.append(f"{_num(row['value'], row)} {unit(row['value'])}{whole_year}")
    if row["status"] != "missing" and (row["publisher"] or row.get("reported_by")):
        cited = wording.source_listing([row], undated=False)
        lines.append(f"Kilde: {cited}")
    return "<br>".join(lines)
