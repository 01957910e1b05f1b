"""The report's sentences on one series or several: from one year to another, a partial year and
how its full-year figure was made, the latest counts, and a warning on small numbers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from pipeline import fmt
from pipeline.wording.change import change_phrase, change_verb
from pipeline.wording.intervals import interval_range
from pipeline.wording.methods import fallback_sentence, method_name, parse_method
from pipeline.wording.numbers import counted, listing, number, percent
from pipeline.wording.periods import MONTHS_IN_YEAR, period_text, rest_of_year


def counts_listing(counts: Iterable[tuple[float, str]], decimals: int | None = None) -> str:
    """[(87, 'skudepisoder'), (45, 'sårede'), (1, 'dræbte')] -> '87 skudepisoder, 45 sårede og 1 dræbt'."""
    return listing([counted(v, plural, decimals) for v, plural in counts])


def from_to_sentence(
    subject: str, a: float, year_a: int, b: float, year_b: int, plural: str, decimals: int | None = None
) -> str:
    """'Antallet af sigtelser faldt fra 3.357 i 2021 til 3.118 i 2023, et fald på 239 sigtelser
    (7 %).' — the verb, the change and the nouns follow the numbers."""
    if year_a == year_b:
        return f"{subject} var {counted(b, plural, decimals)} i {year_b}."
    if a == b:
        return f"{subject} var uændret {counted(b, plural, decimals)} i både {year_a} og {year_b}."
    return (
        f"{subject} {change_verb(a, b)} fra {counted(a, plural, decimals)} i {year_a} til "
        f"{counted(b, plural, decimals)} i {year_b}, {change_phrase(a, b, plural, decimals)}."
    )


# Counts this small vary a lot from year to year by chance alone: a Poisson count of 50 has a
# relative standard deviation of 1/√50 ≈ 14 %. Below it, the report says so.
SMALL_COUNT = 50


def small_numbers_sentence(values: Iterable[float], estimated: bool) -> str:
    """'Så små tal svinger meget fra år til år, og en fremskrivning fra en del af året er
    usikker.' — only when some count is below SMALL_COUNT; the second clause only with an
    estimate. '' otherwise."""
    values = [v for v in values if v is not None]
    small = bool(values) and min(values) < SMALL_COUNT
    if small:
        return "Så små tal svinger meget fra år til år" + (
            ", og en fremskrivning fra en del af året er usikker." if estimated else "."
        )
    return "En fremskrivning fra en del af året er usikker." if estimated else ""


@dataclass(frozen=True)
class Figure:
    """One figure of one year as prose needs it (from a table cell or a derived row)."""

    plural: str  # the noun it is counted in (FORMS key)
    year: int
    value: float | None  # the full-year figure (the estimate for a partial year)
    observed: float | None = None  # what was counted; the value itself for a full year
    months: float | None = MONTHS_IN_YEAR
    method: str | None = None  # the `method` column, for an estimate
    monthly_mean: float | None = None
    period_end: date | None = None
    # the estimate's interval: lower, upper, level and kind (full_year or rate), if it has one
    interval: tuple[float, float, float, str] | None = None
    # what the note says the interval may do wrong, said with it (wording.interval_caveat)
    interval_caveat: str = ""
    unrounded: float | None = None  # the estimate before rounding (a share is worked out from it)

    @property
    def estimated(self) -> bool:
        return self.months is not None and self.months < MONTHS_IN_YEAR and self.value is not None

    @property
    def counted_value(self) -> float | None:
        return self.observed if self.observed is not None else self.value


def partial_year_sentence(f: Figure, decimals: int | None = None) -> str:
    """What is known of a partial year and how the full-year figure was made, in the
    method's words: 'For 2024 foreligger kun januar–september: 2.181 sigtelser, eller 242,33
    om måneden. Fortsætter det gennemsnit resten af året, bliver det 2.908 sigtelser for hele
    2024.' '' for a full year or no figure."""
    if not f.estimated:
        return ""
    method = parse_method(f.method)
    period = period_text(f.year, f.months, f.period_end).removesuffix(f" {f.year}")
    rest = rest_of_year(f.months, f.period_end)
    known = f"For {f.year} foreligger kun {period}: {counted(f.observed, f.plural, decimals)}"
    whole = f"bliver det {counted(f.value, f.plural, 0)} for hele {f.year}{_interval_aside(f)}."
    if method.used == "seasonal_share":
        whole_year = f.unrounded if f.unrounded is not None else f.value
        share = f.observed / whole_year if whole_year else None
        text = (
            f"{known}. Udgjorde {period} samme andel af året som i tidligere år "
            f"({percent(share, 1) if share is not None else fmt.MISSING}), {whole}"
        )
    elif method.used == "trend":
        text = f"{known}. Lægges {rest} til efter udviklingen i tidligere hele år, {whole}"
    else:
        mean = f.monthly_mean if f.monthly_mean is not None else f.observed / f.months
        text = (
            f"{known}, eller {number(mean, 2)} om måneden. Fortsætter det gennemsnit "
            f"{'resten af året' if rest == 'resten af året' else f'i {rest}'}, {whole}"
        )
    fallback = fallback_sentence(method, describe=False)
    return f"{text} {fallback}".strip()


def _interval_aside(f: Figure, with_level: bool = True) -> str:
    """' (mellem 2.848 og 2.970 med 95 % sandsynlighed)' after a full-year estimate; for a
    rate interval ' (95 %-interval for den årlige rate 2.787,2–3.032,7)'; '' without one."""
    if not f.interval:
        return ""
    low, high, level, kind = f.interval
    cell = {
        "interval_lower": low,
        "interval_upper": high,
        "interval_level": level,
        "interval_kind": kind,
        "reference_year": f.year,
    }
    text = interval_range(cell).replace(f" i hele {f.year}", "")
    if kind == "full_year" and not with_level:
        text = text.removesuffix(f" med {fmt.percent(level)} sandsynlighed")
    caveat = f"; {f.interval_caveat}" if f.interval_caveat else ""
    return f" ({text}{caveat})"


def latest_counts_sentence(figures: Sequence[Figure | None], labels: Sequence[str]) -> str:
    """The latest year of several series, each by the period it covers, the estimates with
    their method, and the series with no figure: 'I januar–september 2024 var der 19
    skudepisoder, 22 sårede og 2 dræbte; fremskrevet til hele året svarer det til 25
    skudepisoder, 29 sårede og 3 dræbte.' `labels` name each series for 'ingen tal for …'."""
    present = [f for f in figures if f is not None and f.counted_value is not None]
    missing = [label for f, label in zip(figures, labels) if f is None or f.counted_value is None]
    if not present:
        return f"Der foreligger endnu ingen tal for {listing(list(labels))}."
    year = max(f.year for f in present)
    by_period: dict[str, list[Figure]] = {}
    for f in present:
        by_period.setdefault(period_text(f.year, f.months, f.period_end), []).append(f)
    clauses = [
        f"i {period} var der {counts_listing((f.counted_value, f.plural) for f in group)}"
        for period, group in by_period.items()
    ]
    text = ", og ".join(clauses)
    text = text[0].upper() + text[1:]
    estimated = [f for f in present if f.estimated]
    if estimated:
        methods = dict.fromkeys(parse_method(f.method) for f in estimated)
        used = list(dict.fromkeys(m.used for m in methods))
        how = "" if used == ["linear"] else f" ({listing([method_name(u) for u in used])})"
        # several full-year intervals of one level: the level said once, after them
        levels = {f.interval[2] if f.interval and f.interval[3] == "full_year" else None for f in estimated}
        shared = len(estimated) > 1 and len(levels) == 1 and None not in levels
        text += f"; fremskrevet til hele året{how} svarer det til " + listing(
            [counted(f.value, f.plural) + _interval_aside(f, with_level=not shared) for f in estimated]
        )
        if shared:
            text += f", hvert med {fmt.percent(levels.pop())} sandsynlighed inden for intervallet i parentes"
        # each fallback names the figures it concerns (another method may be used for the rest)
        fell_back = {}
        for f in estimated:
            if parse_method(f.method).fell_back:
                fell_back.setdefault(parse_method(f.method), []).append(f.plural)
        fallbacks = " ".join(
            dict.fromkeys(fallback_sentence(m, listing(names), describe=False) for m, names in fell_back.items())
        )
    else:
        fallbacks = ""
    text += "."
    if missing:
        text += f" For {listing(list(missing))} foreligger der endnu ingen tal for {year}."
    return f"{text} {fallbacks}".strip()
