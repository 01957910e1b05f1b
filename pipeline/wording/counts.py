"""Counts as counted: a stock's count date ('pr. 1. september 2016', 'uden oplyst tælledato'),
two counts of a stock side by side (two observations on different dates, or two releases of
one count), and an earlier year known only in part, shown as its count with its months
('6 i januar–juni 2020'), not extrapolated."""

from __future__ import annotations

from datetime import date

from pipeline.wording.numbers import listing
from pipeline.wording.periods import count_date_text, period_text

UNDATED = "uden oplyst tælledato"


def _as_date(value) -> date | None:
    if value is None or value == "":
        return None
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def counted_on(value, precision: str | None = "day", year: int | None = None) -> str:
    """A stock's count date as it reads after the count: 'pr. 1. september 2016' (known to
    the day), 'i januar 2016' (to the month or year), or 'uden oplyst tælledato' for a blank
    count date (periods.count_date_text says the date itself)."""
    text = count_date_text(_as_date(value), precision or "day", year)
    if text is None:
        return UNDATED
    return f"pr. {text}" if (precision or "day") == "day" else f"i {text}"


def same_count_date(a, b) -> bool:
    """Whether two counts are of the same date (two blanks are: the source says no date)."""
    return _as_date(a) == _as_date(b)


def other_count_sentence(
    label: str,
    year: int,
    other: str,
    other_date,
    other_source: str,
    shown: str,
    shown_date,
    other_precision: str | None = "day",
    shown_precision: str | None = "day",
) -> str:
    """Another count of a stock beside the one a chart or table shows, both with their count
    dates. On the same date it is another release of the same count (the same figure, or a
    disagreement between releases); on another date it is a count of its own, never another
    value of the figure shown.

    'Rocker-/bandemedlemmer 2016 er også talt pr. 1. september 2016 (»…« (NSK)): 1.250.
    Figuren viser tællingen uden oplyst tælledato: 1.300. Det er to tællinger på hver sin
    dato, ikke to bud på det samme tal.'"""
    if same_count_date(other_date, shown_date):
        agreement = "det samme tal" if other == shown else f"mod {shown} i figuren"
        return (
            f"{label} {year} findes også i {other_source}: {other}, {agreement}; "
            f"begge {counted_on(shown_date, shown_precision, year)}."
        )
    return (
        f"{label} {year} er også talt {counted_on(other_date, other_precision, year)} ({other_source}): {other}. "
        f"Figuren viser tællingen {counted_on(shown_date, shown_precision, year)}: {shown}. "
        "Det er to tællinger på hver sin dato, ikke to bud på det samme tal."
    )


def observed_part(value: str, year: int, months: float, period_end=None) -> str:
    """A partial year's count with its months: '6 i januar–juni 2020'."""
    return f"{value} i {period_text(year, months, _as_date(period_end))}"


def past_partial_sentence(parts: list[tuple[str, str]]) -> str:
    """The note on earlier years known only in part, shown as counted, from (label, count with
    its months) pairs: 'Sårede: 6 i januar–juni 2009 og 14 i januar–juni 2019; dræbte: 1 i
    januar–juni 2009. Årene er kun opgjort for en del af året og vist som opgjort, ikke
    fremskrevet (kun seriens seneste år fremskrives).'"""
    by_label: dict[str, list[str]] = {}
    for label, part in parts:
        by_label.setdefault(label, []).append(part)
    listed = "; ".join(f"{label.lower()}: {listing(counts)}" for label, counts in by_label.items())
    years = "Årene er" if len(parts) > 1 else "Året er"
    return (
        f"{listed[:1].upper()}{listed[1:]}. {years} kun opgjort for en del af året og vist som opgjort, ikke "
        "fremskrevet (kun seriens seneste år fremskrives)."
    )


def counts_of_year_sentence(year: int, counts: list[tuple[str, object, bool]], shown_in: str = "tabellerne") -> str:
    """Every count of a stock in one year, each with its count date, and which one `shown_in`
    shows: '2016 er talt på 2 datoer: 1.300 uden oplyst tælledato (vist i tabellerne) og 1.250
    pr. 1. september 2016. Det er tællinger på hver sin dato, ikke to bud på det samme tal.'
    `counts`: (value as printed, count date or None, shown)."""
    parts = [f"{value} {counted_on(day)}" + (f" (vist i {shown_in})" if shown else "") for value, day, shown in counts]
    listed = listing(parts)
    return (
        f"{year} er talt på {len(counts)} datoer: {listed}. "
        "Det er tællinger på hver sin dato, ikke to bud på det samme tal."
    )
