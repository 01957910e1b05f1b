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
    "viser (inden for årene, hvor tidligere år har både en delårs- og en helårsopgørelse, ellers mellem "
    "hele år), usikkerheden på det mål og usikkerheden om niveauet",
    "poisson": "et interval for hele årets antal: de opgjorte måneder er kendt, og resten af året er forudsagt "
    "med den rent tilfældige variation og usikkerheden om niveauet (uden ekstra udsving)",
    "exact_poisson_rate": "et interval for den årlige rate, ikke for hele årets antal: det eksakte "
    "Poisson-interval (Garwood) for det opgjorte antal, skaleret til 12 måneder",
    "poisson_glm_rate": "et interval for den årlige rate, ikke for hele årets antal: Poisson-regression med "
    "eksponeringen som offset, Wald-interval på log-skalaen",
    "none": "intet interval, da tallet ikke er et antal",
    "unmeasured": "intet interval, da det ikke kan måles, hvor meget tallene svinger ud over ren tilfældighed",
}


# The dispersion rules (pipeline/uncertainty.py) under which an estimate gets no interval;
# each has its clause in _missing_clause.
NO_INTERVAL_RULES = ("too_short", "too_few_events", "no_fit")


def interval_assumptions(cells: list[dict], rest: str = "resten af året") -> str:
    """The assumptions of the intervals of `cells` (the estimates of one note or chart), in
    one or two sentences: what the interval is for, and for each figure how its variation was
    judged (within years or between them, on which years, which were left out and why), and
    for a figure without an interval why there is none. '' without either."""
    shown = [c for c in cells if c.get("interval_lower") is not None]
    missing = [c for c in cells if c.get("interval_lower") is None and c.get("dispersion_rule") in NO_INTERVAL_RULES]
    return " ".join(p for p in (_shown_assumptions(shown, rest), _no_interval_sentence(missing)) if p)


def _shown_assumptions(shown: list[dict], rest: str) -> str:
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
    rules = group_by([c for c in shown if c.get("interval_kind") != "rate"], _rule_key)
    parts = [_variation_clause(*key, _labels(group)) for key, group in rules.items()]
    return (
        f"{noun_} for hele året bygger på, at de opgjorte måneder er kendte, og at "
        f"{rest} kan forudsiges med både den tilfældige variation og usikkerheden om niveauet; "
        f"{'; '.join(p for p in parts if p)}. Under de antagelser ligger "
        + ("hvert tal for hele året inden for sit interval" if several else "hele årets tal inden for intervallet")
        + f" med {level} sandsynlighed."
    )


def _no_interval_sentence(missing: list[dict]) -> str:
    """'Der er ikke beregnet et interval for skudepisoder og sigtelser: der er kun 3 tidligere
    hele år (2021–2023), for få til at måle, …' '' when every estimate has its interval."""
    if not missing:
        return ""
    clauses = [
        _missing_clause(rule, years, history, _labels(group))
        for (rule, years, *history), group in group_by(
            missing, lambda c: (c["dispersion_rule"], _years(c.get("dispersion_years")), *_history(c))
        ).items()
    ]
    return (
        "Der er ikke beregnet et interval "
        + "; ".join(clauses)
        + ". Et interval, der antog rent tilfældig variation, ville være for smalt, hvis tallene svinger mere."
    )


def _missing_clause(rule: str, years: tuple, history: list, labels: str) -> str:
    earlier = _earlier(len(years)) + _span(years, *history)
    if rule == "too_few_events":
        return (
            f"for {labels}: for få af de {earlier} har hændelser til at måle, hvor meget tallene svinger "
            "ud over ren tilfældighed"
        )
    if rule == "no_fit":
        return (
            f"for {labels}: ingen jævn udvikling passer til de {earlier}, så det kan ikke måles, hvor meget "
            "tallene svinger ud over ren tilfældighed"
        )
    only = "kun " if years else ""
    return (
        f"for {labels}: der er {only}{earlier} og ikke tidligere år nok med både en delårs- og en "
        "helårsopgørelse til at måle, hvor meget tallene svinger ud over ren tilfældighed"
    )


def interval_caveat(cell: dict) -> str:
    """The caveat a sentence giving this estimate's interval carries, the one its note gives:
    'intervallet kan være bredere end nødvendigt, da udsvingene er målt mellem hele år'; ''
    where the note has none."""
    if cell.get("interval_lower") is None or cell.get("interval_kind") != "full_year":
        return ""
    rule = cell.get("dispersion_rule")
    if rule == "estimated" and not _from_history(cell):
        return "intervallet kan være bredere end nødvendigt, da udsvingene er målt mellem hele år"
    if rule == "assumed_poisson":
        return "intervallet kan være for smalt, da det er regnet uden ekstra udsving"
    return ""


def _from_history(cell: dict) -> bool:
    """Whether the estimate's rest comes from earlier years (trend) rather than the months
    observed: then the variation between whole years is the one it needs."""
    return "trend" in (cell.get("method") or "").split(" (")[0]


def _rule_key(cell: dict) -> tuple:
    return (
        cell.get("dispersion_rule"),
        _years(cell.get("dispersion_years")),
        *_history(cell),
        _from_history(cell),
    )


def _history(cell: dict) -> list:
    return [_years(cell.get("history_left_out")), _years(cell.get("history_other_era")), cell.get("history_window")]


def _labels(group: list[dict]) -> str:
    return listing(list(dict.fromkeys(c["label_da"].lower() for c in group)))  # a figure in two views once


def _years(value) -> tuple[int, ...]:
    """Years as a list, or as the CSV writes them ('2010;2011')."""
    if isinstance(value, str):
        return tuple(int(y) for y in value.split(";") if y)
    return tuple(value or ())


def _earlier(n: int) -> str:
    return {0: "ingen tidligere hele år", 1: "1 tidligere helt år"}.get(n, f"{n} tidligere hele år")


def _span(years: tuple, left_out: tuple, other_era: tuple, window: str | None) -> str:
    """' (2021–2023; 2017 er udeladt som et usædvanligt år; 2010–2016 er udeladt, da de er
    fra en anden opgørelse)' — the years used and why others were left out."""
    exceptional = "usædvanlige år" if len(left_out) > 1 else "et usædvanligt år"
    parts = [
        fmt.year_ranges(years),
        f"{fmt.year_ranges(left_out)} er udeladt som {exceptional}" if left_out else "",
    ]
    if other_era:
        them = "de" if len(other_era) > 1 else "det"
        why = f": {window}" if window else f", da {them} er fra en anden opgørelse"
        parts.append(f"{fmt.year_ranges(other_era)} er udeladt{why}")
    within = "; ".join(p for p in parts if p)
    return f" ({within})" if within else ""


def _variation_clause(
    rule: str | None, years: tuple, left_out: tuple, other_era: tuple, window: str | None, trend: bool, labels: str
) -> str:
    span = _span(years, left_out, other_era, window)
    if rule == "estimated":
        wider = (
            "" if trend else "; da et helt års niveau også indgår i dem, kan intervallet være bredere end nødvendigt"
        )
        return (
            f"udsvingene i {labels} er målt mellem {_earlier(len(years))}{span}, med usikkerheden på det mål "
            f"regnet med{wider}"
        )
    if rule == "within_year":
        return (
            f"udsvingene inden for året i {labels} er målt på {len(years)} tidligere år med både en "
            f"delårs- og en helårsopgørelse{span}, med usikkerheden på det mål regnet med"
        )
    if rule == "assumed_poisson":
        return f"for {labels} er der regnet med den rent tilfældige variation uden ekstra udsving, så intervallet kan være for smalt"
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
