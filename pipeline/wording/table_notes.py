"""The note under a table with estimates (pipeline/tables.py, pipeline/excel.py): for each year,
period and method, how the estimates were made, with each computation and its interval."""

from __future__ import annotations

from collections import Counter
from datetime import date

from pipeline import fmt
from pipeline.wording.counts import observed_part, past_partial_sentence
from pipeline.wording.intervals import group_by, interval_assumptions, interval_text
from pipeline.wording.methods import (
    METHOD_DESCRIPTIONS,
    Method,
    computation,
    fallback_sentence,
    method_name,
    parse_method,
)
from pipeline.wording.numbers import listing
from pipeline.wording.periods import MONTHS_IN_YEAR, months_of, months_text, period_end_of, period_text, rest_of_year
from pipeline.wording.sources import count_date_phrase, source_listing


def _value_text(value: float | None, integer_valued: bool) -> str:
    if value is None:
        return fmt.MISSING
    return fmt.number(value, 0 if integer_valued or float(value).is_integer() else 1)


# Where a table shows its estimates: in parentheses, as the report ("2.181 (2.908)*"), or in
# cells of their own in italics on a grey fill (the workbook); the note names them so.
ESTIMATES_IN_PARENTHESES = "Tallene i parentes"
ESTIMATES_IN_OWN_CELLS = "Tallene i kursiv på gråt felt"


def table_note(table_cells: list[dict], marker: str, estimates: str = ESTIMATES_IN_PARENTHESES) -> str | None:
    """The note under a table with estimates: for each year, period and method, how the
    estimates were made, with each computation; None without estimates. `estimates` names
    where the table shows them."""
    estimated = [c for c in table_cells if c["status"] == "estimated"]
    if not estimated:
        return None
    parts = []
    groups = group_by(
        estimated, lambda c: (c["reference_year"], months_of(c), period_end_of(c), parse_method(c["method"]))
    )
    for (year, months, end, method), group in groups.items():
        labels = listing([c["label_da"].lower() for c in group])
        fallback = fallback_sentence(method, labels, describe=False)
        parts += [p for p in (fallback, _estimate_note(method, year, months, end, group, estimates)) if p]
    prefix = "Note: * " if marker == "asterisk" else "Note: "
    return prefix + " ".join(parts)


def _estimate_note(
    method: Method, year: int, months: float, end: date | None, group: list[dict], estimates: str
) -> str:
    period = f"{period_text(year, months, end)} ({months_text(months)})"
    rest = rest_of_year(months, end)
    if method.used == "linear":
        computations = "; ".join(
            f"{c['label_da'].lower()} {fmt.number(c['observed_value'])} / {fmt.months(months)} × {MONTHS_IN_YEAR} = "
            f"{fmt.number(c['value_unrounded'], 2)} {'=' if c['value_unrounded'] == c['value'] else '≈'} "
            f"{_value_text(c['value'], c['integer_valued'])} "
            f"({fmt.number(c['monthly_mean'], 2)} om måneden{interval_text(c)})"
            for c in group
        )
        return (
            f"{estimates} er fremskrevet til hele {year} ud fra gennemsnittet pr. måned i "
            f"{period}, under antagelse af at {rest} "
            f"har samme gennemsnit: {computations}. Fremskrivningen er et skøn, ikke en opgørelse."
            + _with(interval_assumptions(group, rest))
        )
    computations = "; ".join(
        computation(
            method,
            c["label_da"].lower(),
            c["observed_value"],
            c["value_unrounded"],
            months,
            c["value"],
            _value_text(c["value"], c["integer_valued"]),
            fmt.number(c["observed_value"]),
        )
        + (f" ({interval_text(c)[2:]})" if c.get("interval_lower") is not None else "")
        for c in group
    )
    return (
        f"{estimates} er skøn for hele {year} ud fra {period} med "
        f"{method_name(method.used)}: {METHOD_DESCRIPTIONS[method.used]}: {computations}. "
        "Skønnet er ikke en opgørelse." + _with(interval_assumptions(group, rest))
    )


def _with(sentence: str) -> str:
    return f" {sentence}" if sentence else ""


def _count_day(cell: dict) -> tuple[int, int | None] | None:
    """The day of the year a stock was counted (month and day; the day None when the source
    gives only the month); None when not stated or known only to the year."""
    value = cell["count_date"]
    precision = cell.get("count_date_precision") or "day"
    if value is None or precision == "year":
        return None
    value = date.fromisoformat(value) if isinstance(value, str) else value
    if value.year > cell["reference_year"]:  # the start of the next year: a day of its own
        return 13, value.day
    return value.month, (value.day if precision == "day" else None)


def _count_date_text(cell: dict) -> str:
    return count_date_phrase(cell["count_date"], cell.get("count_date_precision") or "day", cell["reference_year"])


def _usual_day_text(day: tuple[int, int | None]) -> str:
    if day[0] == 13:
        return f"{day[1]}. januar året efter"
    return f"{day[1]}. {fmt.month_name(day[0])}" if day[1] is not None else f"i {fmt.month_name(day[0])}"


def count_date_note(table_cells: list[dict]) -> str | None:
    """For a stock: the years counted on another day of the year than the rest of its row
    (an unknown count date is a day of its own), e.g. '2025: opgjort 30. juni 2025. For de
    øvrige år er opgørelsesdatoen ikke oplyst.' None when every year is counted alike."""
    stocks = [c for c in table_cells if c.get("kind") == "stock" and c["status"] is not None]
    rows = group_by(stocks, lambda c: c["row_order"])
    parts = []
    for _, row in sorted(rows.items()):
        row = sorted(row, key=lambda c: c["reference_year"])
        days = Counter(_count_day(c) for c in row)
        if len(days) < 2:
            continue
        # the usual day: the most common; on a tie, the earliest year's
        order = [_count_day(c) for c in row]
        usual = max(days, key=lambda d: (days[d], -order.index(d)))
        prefix = f"{row[0]['label_da']} " if len(rows) > 1 else ""
        if days[usual] == 1:  # no usual day: every year as it is
            parts.append(prefix + "; ".join(f"{c['reference_year']}: {_count_date_text(c)}" for c in row) + ".")
            continue
        odd = [c for c in row if _count_day(c) != usual]
        rest = (
            "for de øvrige år er opgørelsesdatoen ikke oplyst"
            if usual is None
            else f"de øvrige år er opgjort {_usual_day_text(usual)}"
        )
        parts.append(
            prefix
            + "; ".join(f"{c['reference_year']}: {_count_date_text(c)}" for c in odd)
            + f". {rest[:1].upper()}{rest[1:]}."
        )
    return " ".join(parts) or None


def source_text(table_cells: list[dict]) -> str:
    """'Kilde: … nøgletal fra Rigspolitiet 2014, 2015; Nationalt Efterforskningscenter 2018 …':
    cited by publisher and year, as the report cites the police's key figures (a release dated
    to the day is still cited by its year); an undated one as such, last; an unknown publisher
    by the source quoting it (wording.source_listing)."""
    cited = [c for c in table_cells if c.get("status") is not None or c.get("publisher")]
    return f"Kilde: Tabellen er baseret på nøgletal fra {source_listing(cited)}."


def is_past_partial(cell: dict) -> bool:
    """A figure known only for part of its year and shown as counted, not extrapolated (an
    earlier year than its series' latest; params.yaml extrapolation.past_partial_years)."""
    return bool(cell.get("is_partial")) and cell.get("status") == "observed"


def past_partial_note(table_cells: list[dict]) -> str | None:
    """'Sårede: 6 i januar–juni 2020. Året er kun opgjort for en del af året og vist som
    opgjort, ikke fremskrevet (…).' None without such a figure."""
    cells = sorted((c for c in table_cells if is_past_partial(c)), key=lambda c: (c["row_order"], c["reference_year"]))
    if not cells:
        return None
    parts = [
        (
            c["label_da"],
            observed_part(
                _value_text(c["observed_value"], c["integer_valued"]),
                c["reference_year"],
                months_of(c),
                period_end_of(c),
            ),
        )
        for c in cells
    ]
    return past_partial_sentence(parts)


def notes_under_table(table_cells: list[dict], starred: bool, estimates: str = ESTIMATES_IN_PARENTHESES) -> str | None:
    """The note under a table: how its estimates were made (`starred`: the estimates carry the
    asterisk), earlier years shown as counted for part of the year, and the count dates of its
    stocks; None when there is nothing to note."""
    notes = [
        table_note(table_cells, "asterisk" if starred else "header", estimates),
        past_partial_note(table_cells),
        count_date_note(table_cells),
    ]
    first = next((i for i, n in enumerate(notes) if n), None)
    if first is not None and first > 0:
        notes[first] = "Note: " + notes[first]
    return " ".join(n for n in notes if n) or None
