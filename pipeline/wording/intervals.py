"""Intervals in Danish: an estimate's interval, the assumptions behind the intervals of a note,
and the interval methods of the estimates and of the comparison with Sweden, without library
names."""

from __future__ import annotations

import re

from pipeline import fmt
from pipeline.wording.numbers import listing


def group_by(items, key) -> dict:
    """Items by key, in the order the keys first occur."""
    groups: dict = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def interval_text(cell: dict) -> str:
    """The interval after a computation: '; mellem 2 og 6 i hele 2024 med 95 % sandsynlighed'
    for a full-year count, '; 95 %-interval for den årlige rate 0,3–9,6' for a rate; '' without."""
    if cell.get("interval_lower") is None:
        return ""
    return f"; {interval_range(cell)}"


def interval_range(cell: dict) -> str:
    """'mellem 2 og 6 i hele 2024 med 95 % sandsynlighed' (a full-year count), or
    '95 %-interval for den årlige rate 0,3–9,6'."""
    level, low, high = fmt.percent(cell["interval_level"]), cell["interval_lower"], cell["interval_upper"]
    if cell.get("interval_kind") == "rate":
        return f"{level}-interval for den årlige rate {fmt.number(low, 1)}–{fmt.number(high, 1)}"
    span = f"mellem {fmt.number(low)} og {fmt.number(high)}" if low != high else f"præcis {fmt.number(low)}"
    return f"{span} i hele {cell['reference_year']} med {level} sandsynlighed"


# The interval methods of pipeline/uncertainty.py, for a reader (no library names).
INTERVAL_DESCRIPTIONS = {
    "negative_binomial": "et interval for hele årets antal: de opgjorte måneder er kendt, og resten af året er "
    "forudsagt med både den tilfældige variation, de ekstra udsving, som seriens tidligere år "
    "viser, og usikkerheden om niveauet",
    "poisson": "et interval for hele årets antal: de opgjorte måneder er kendt, og resten af året er forudsagt "
    "med den rent tilfældige variation og usikkerheden om niveauet (uden ekstra udsving)",
    "exact_poisson_rate": "et interval for den årlige rate, ikke for hele årets antal: det eksakte "
    "Poisson-interval (Garwood) for det opgjorte antal, skaleret til 12 måneder",
    "poisson_glm_rate": "et interval for den årlige rate, ikke for hele årets antal: Poisson-regression med "
    "eksponeringen som offset, Wald-interval på log-skalaen",
    "none": "intet interval, da tallet ikke er et antal",
}


def interval_assumptions(cells: list[dict], rest: str = "resten af året") -> str:
    """The assumptions of the intervals of `cells` (the estimates of one note or chart), in
    one or two sentences: what the interval is for, and for each figure how its year-to-year
    variation was judged (measured on which years; too few years to measure, so the interval
    may be too narrow; years left out as exceptional). '' without intervals."""
    shown = [c for c in cells if c.get("interval_lower") is not None]
    if not shown:
        return ""
    several = len(shown) > 1
    noun_ = "Intervallerne" if several else "Intervallet"
    if all(c.get("interval_kind") == "rate" for c in shown):
        return (
            f"{noun_} gælder den årlige rate, ikke hele årets antal, og afspejler "
            "kun den tilfældige variation i de opgjorte måneder."
        )
    level = fmt.percent(shown[0]["interval_level"])
    rules = group_by(
        [c for c in shown if c.get("interval_kind") != "rate"],
        lambda c: (c.get("dispersion_rule"), _years(c.get("dispersion_years")), _years(c.get("history_left_out"))),
    )
    parts = [
        _variation_clause(rule, years, left_out, listing([c["label_da"].lower() for c in group]), len(group))
        for (rule, years, left_out), group in rules.items()
    ]
    return (
        f"{noun_} for hele året bygger på, at de opgjorte måneder er kendte, og at "
        f"{rest} kan forudsiges med både den tilfældige variation og usikkerheden om niveauet; "
        f"{'; '.join(p for p in parts if p)}. Under de antagelser ligger "
        + ("hvert tal for hele året inden for sit interval" if several else "hele årets tal inden for intervallet")
        + f" med {level} sandsynlighed."
    )


def _years(value) -> tuple[int, ...]:
    """Years as a list, or as the CSV writes them ('2010;2011')."""
    if isinstance(value, str):
        return tuple(int(y) for y in value.split(";") if y)
    return tuple(value or ())


def _variation_clause(rule: str | None, years: tuple, left_out: tuple, labels: str, count: int) -> str:
    n = len(years)
    skipped = (
        f"{fmt.year_ranges(left_out)} er udeladt som {'usædvanlige år' if len(left_out) > 1 else 'et usædvanligt år'}"
        if left_out
        else ""
    )
    # '(2010–2016 og 2021–2023; 2017 er udeladt som et usædvanligt år)'
    within = "; ".join(p for p in (fmt.year_ranges(years), skipped) if p)
    span = f" ({within})" if within else ""
    earlier = {0: "ingen tidligere hele år", 1: "1 tidligere helt år"}.get(n, f"{n} tidligere hele år")
    if rule == "estimated":
        return f"udsvingene fra år til år i {labels} er målt på {earlier}{span}"
    if rule == "floor":
        return (
            f"{labels} har i {earlier}{span} ikke svinget mere end ren tilfældighed, "
            "så der er regnet med den rent tilfældige variation"
        )
    if rule == "too_short":
        narrow = "intervallerne kan være for smalle" if count > 1 else "intervallet kan være for smalt"
        return (
            f"for {labels} er der {'kun ' if n else ''}{earlier}{span}, for få til at måle udsvingene fra år til år, "
            f"så der er regnet med den rent tilfældige variation, og {narrow}"
        )
    if rule == "too_few_events":
        narrow = "intervallerne kan være for smalle" if count > 1 else "intervallet kan være for smalt"
        return (
            f"for {labels} har for få af de {earlier}{span} hændelser til at måle udsvingene fra år til år, så "
            f"der er regnet med den rent tilfældige variation, og {narrow}"
        )
    if rule == "assumed_poisson":
        return f"for {labels} er der regnet med den rent tilfældige variation uden ekstra udsving"
    return ""


def interval_description(text: str | None) -> str:
    """The `interval_method` column ('exact_poisson: <description>') for a reader: the Danish
    description of a known code, else the Danish description the column carries; '' when
    there is none."""
    if not text:
        return ""
    code, _, described = text.partition(":")
    return INTERVAL_DESCRIPTIONS.get(code.strip()) or _LIBRARY.sub("", described).strip()


# The comparison's interval methods: pipeline/compare.py records the library function and its
# method ('statsmodels confint_poisson, method exact-c'); a reader gets what the interval is.
RATE_INTERVALS = {
    "exact-c": "eksakt Poisson-interval (Garwood)",
    "score": "score-interval",
    "wald": "Wald-interval",
    "waldccv": "Wald-interval med kontinuitetskorrektion",
    "midp-c": "mid-p-interval",
    "jeff": "Jeffreys-interval",
    "sqrt": "interval på kvadratrodsskala",
    "sqrt-a": "interval på kvadratrodsskala (Anscombe)",
    "sqrt-v": "interval på kvadratrodsskala (variansstabiliserende)",
    "sqrt-cent": "centralt interval på kvadratrodsskala",
    "sqrt-centcc": "centralt interval på kvadratrodsskala med kontinuitetskorrektion",
}
# How a partial Danish year meets the Swedish figure (params.yaml comparison.partial_year).
PARTIAL_YEAR_MODES = {
    "annualise": "et dansk delår regnes pr. personår, som et helårsskøn",
    "same_months": "begge lande på de samme måneder, hvor der er et svensk tal for dem",
}
RATIO_INTERVALS = {
    "score": "score-interval for forholdet mellem to Poisson-rater",
    "wald": "Wald-interval for forholdet mellem to Poisson-rater",
    "sqrt": "interval på kvadratrodsskala for forholdet mellem to Poisson-rater",
    "exact-cond": "eksakt betinget interval for forholdet mellem to Poisson-rater",
    "cond-midp": "betinget mid-p-interval for forholdet mellem to Poisson-rater",
}
_LIBRARY = re.compile(r";?\s*statsmodels\b[^;)]*")


def comparison_interval_text(text: str | None) -> str:
    """'statsmodels confint_poisson, method exact-c' -> 'eksakt Poisson-interval (Garwood)';
    a Danish description with a library named in it loses that part. No library names."""
    if not text:
        return ""
    match = re.fullmatch(r"statsmodels (confint_poisson(?:_2indep)?), method ([\w-]+)", text.strip())
    if match:
        ratio = match[1].endswith("_2indep")
        known = (RATIO_INTERVALS if ratio else RATE_INTERVALS).get(match[2])
        return (
            known
            or f"{'interval for forholdet mellem to Poisson-rater' if ratio else 'Poisson-interval'} "
            f"(metode {match[2]})"
        )
    return _LIBRARY.sub("", text).strip()
