"""Change in Danish: a rise or a fall and its size, what a series did over its years, and one
count against another."""

from __future__ import annotations

from pipeline import fmt
from pipeline.wording.numbers import WordingError, _decimals, _half_up, counted, noun, number, percent

# A series is "stable" over a period when every year lies within this share of the period's
# mean. 20 % is a declared judgement, not a statistical test; the sentence that uses it says
# the rule, so it stays true whatever the data.
STABLE_WITHIN = 0.20


def change_phrase(
    a: float, b: float, plural: str | None = None, decimals: int | None = None, with_percent: bool = True
) -> str:
    """From a to b: 'en stigning på 23 år (7 %)', 'et fald på 163 år (34 %)', 'uændret'. The
    size is |b − a| without a sign (the word says the direction); the percent is of a, left
    out when a is 0."""
    if a == b:
        return "uændret"
    size = abs(b - a)
    d = _decimals(size, decimals)
    if _half_up(size, d) == 0:  # too small to show at these decimals
        amount = f"under {fmt.number(10**-d, d)}"
    else:
        amount = number(size, d)
    if plural:
        amount += f" {noun(size, plural, d)}"
    share = f" ({percent(size / abs(a))})" if with_percent and a != 0 else ""
    return f"{'en stigning' if b > a else 'et fald'} på {amount}{share}"


def change_verb(a: float, b: float) -> str:
    """'steg', 'faldt' or 'var uændret'."""
    return "steg" if b > a else "faldt" if b < a else "var uændret"


def development(values: dict[int, float], plural: str | None = None, decimals: int | None = None) -> str:
    """What a series did over its years, by a stated rule, as the rest of a sentence starting
    'Antallet …':
    - one year: 'var 1.315 i 2024';
    - the same every year: 'var uændret 1.315 i 2014–2024';
    - rising (or falling) from each year to the next: 'steg fra 1.120 i 2018 til 1.315 i 2024';
    - every year within ±STABLE_WITHIN of the period mean: 'lå relativt stabilt i 2014–2024, …';
    - otherwise: 'svingede mellem 1.120 (2018) og 1.520 (2014) i 2014–2024'."""
    if not values:
        raise WordingError("pipeline/wording/change.py: development() needs at least one year")
    years = sorted(values)
    seq = [values[y] for y in years]
    span = fmt.year_ranges(years)

    def amount(v: float) -> str:
        return counted(v, plural, decimals) if plural else number(v, decimals)

    if len(years) == 1:
        return f"var {amount(seq[0])} i {years[0]}"
    if len(set(seq)) == 1:
        return f"var uændret {amount(seq[0])} i {span}"
    low_year = min(years, key=lambda y: (values[y], y))
    high_year = max(years, key=lambda y: (values[y], -y))
    between = f"mellem {amount(values[low_year])} ({low_year}) og {amount(values[high_year])} ({high_year})"
    steps = [b - a for a, b in zip(seq, seq[1:])]
    if all(s >= 0 for s in steps) or all(s <= 0 for s in steps):
        return f"{change_verb(seq[0], seq[-1])} fra {amount(seq[0])} i {years[0]} til {amount(seq[-1])} i {years[-1]}"
    mean = sum(seq) / len(seq)
    if mean > 0 and all(abs(v - mean) <= STABLE_WITHIN * mean for v in seq):
        return (
            f"lå relativt stabilt i {span}, {between}; hvert år lå inden for "
            f"{percent(STABLE_WITHIN)} af gennemsnittet for perioden ({number(mean, 0)})"
        )
    return f"svingede {between} i {span}"


def times_as_many(ratio: float, plural: str, decimals: int = 1) -> str:
    """One count against another, before the other's name ('… gennemsnittet'): 3,58 ->
    '3,6 gange så mange skudepisoder som'; 1 -> 'lige så mange skudepisoder som'; below 1,
    a share: 0,08 -> '8 % af'."""
    if number(ratio, decimals) == number(1, decimals):
        return f"lige så mange {noun(2, plural)} som"
    if ratio < 1:
        return f"{percent(ratio)} af"
    return f"{number(ratio, decimals)} gange så mange {noun(2, plural)} som"


def more_or_fewer(ratio: float | None) -> str:
    """How one count stands to another, in words: 'langt flere' (at least twice as many),
    'flere', 'lige så mange', 'færre', 'langt færre' (at most half); '' without a ratio."""
    if ratio is None:
        return ""
    if ratio >= 2:
        return "langt flere"
    if ratio > 1:
        return "flere"
    if ratio == 1:
        return "lige så mange"
    return "langt færre" if ratio <= 0.5 else "færre"
