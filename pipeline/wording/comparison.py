"""The comparison with Sweden in Danish: the ratio over all the years compared, whether the
yearly ratios differ more than chance would make them, and the caveats a sentence with an
interval carries (the ones the comparison's notes give for its years). Every function takes
the fields of outputs/comparison/dk_se.json (`pooled` and rows of `figures`)."""

from __future__ import annotations

from pipeline import fmt
from pipeline.wording.numbers import counted, listing, number

MONTHS_IN_YEAR = 12
# pipeline/pooled_ratio.py records its interval and test in English; a reader gets these
POOLED_INTERVALS = {"profile_likelihood": "profillikelihood-interval"}
HOMOGENEITY_TESTS = {"likelihood_ratio": "kvotienttest (likelihood-ratio-test)"}


def _span(months: float) -> str:
    """9 -> 'januar–september'; 11,47 -> '11,47 måneder'."""
    return fmt.months_span(int(months)) if float(months).is_integer() else f"{fmt.months(months)} måneder"


def _partial_clause(row: dict) -> str:
    """What a row's partial year does to its rate, as an at-clause; '' for a full year on both
    sides (or a side without a count, which has no rate to caveat)."""
    year, dk_m, se_m = row["reference_year"], row["dk_months"], row["se_months"]
    dk_partial = dk_m is not None and dk_m < MONTHS_IN_YEAR
    se_partial = se_m is not None and se_m < MONTHS_IN_YEAR
    if dk_partial and se_partial:
        if dk_m == se_m:
            return f"at {year} kun dækker {_span(dk_m)} i begge lande"
        return f"at {year} indgår med helårsskøn ud fra {_span(dk_m)} i Danmark og {_span(se_m)} i Sverige"
    if dk_partial:
        return f"at {year} indgår med et dansk helårsskøn ud fra {_span(dk_m)}"
    if se_partial:
        return f"at {year} indgår med et svensk helårsskøn ud fra {_span(se_m)}"
    return ""


def caveats(rows: list[dict]) -> list[str]:
    """The caveats the comparison's notes give for these rows, as at-clauses: each partial
    year, and that the two countries' figures are not directly comparable (for which years,
    when not for all)."""
    clauses = [c for c in (_partial_clause(r) for r in rows) if c]
    apart = [r["reference_year"] for r in rows if not r["directly_comparable"]]
    if apart:
        which = "" if len(apart) == len(rows) else f" for {fmt.year_ranges(apart)}"
        clauses.append(f"at tallene{which} ikke er direkte sammenlignelige")
    return clauses


def with_caveats(rows: list[dict]) -> str:
    """', med det forbehold, at 2024 indgår med et dansk helårsskøn ud fra januar–september og
    at tallene ikke er direkte sammenlignelige'; '' when the rows carry none."""
    clauses = caveats(rows)
    return f", med det forbehold, {listing(clauses)}" if clauses else ""


def _interval(low: float, high: float) -> str:
    return f"{number(low, 1)}–{number(high, 1)}"


def p_value_text(p: float, alpha: float) -> str:
    """'p = 0,67'; 'p = 0,012'; 'p < 0,001'; never a rounded value on the other side of the
    significance level than the p-value itself ('p < 0,05' for 0,0496)."""
    if p < 0.001:
        return "p < 0,001"
    decimals = 2 if p >= 0.1 else 3
    if p < alpha <= round(p, decimals):
        return f"p < {number(alpha)}"
    return f"p = {number(p, decimals)}"


def significant(pooled: dict) -> bool:
    return pooled["p_value"] is not None and pooled["p_value"] < pooled["significance_level"]


def pooled_sentence(pooled: dict, rows: list[dict]) -> str:
    """The ratio over all the years compared with its interval and the caveats of those years;
    for a single year (the table's own ratio) nothing; or why there is no ratio."""
    years, empty = pooled["years"], pooled["years_without_events"]
    if not years:
        if not empty:
            return ""
        return f"I {fmt.year_ranges(empty)} var der hverken dræbte i Danmark eller i Sverige, så der er intet forhold at beregne."
    if pooled["rate_ratio"] is None:
        return (
            f"I {fmt.year_ranges(years)} var der ingen dræbte i Danmark, så forholdet mellem landene kan ikke beregnes."
        )
    if len(years) == 1:
        return ""
    used = [r for r in rows if r["reference_year"] in years]
    level = fmt.percent(pooled["interval_level"])
    interval = f"{level}-interval {_interval(pooled['rate_ratio_lower'], pooled['rate_ratio_upper'])}"
    counts = f"ud fra {counted(pooled['se_count'], 'dræbte')} i Sverige og {number(pooled['dk_count'])} i Danmark"
    left_out = (
        f" ({fmt.year_ranges(empty)} indgår ikke, da der hverken var dræbte i Danmark eller i Sverige)" if empty else ""
    )
    if pooled["se_count"] == 0:
        head = f"Regnet under ét for {fmt.year_ranges(years)} var der ingen dræbte i Sverige, så forholdet er 0 ({interval})"
    else:
        head = (
            f"Regnet under ét for {fmt.year_ranges(years)} var raten {number(pooled['rate_ratio'], 1)} gange så høj "
            f"i Sverige som i Danmark ({interval}), {counts}"
        )
    return f"{head}{left_out}{with_caveats(used)}."


def _ratio_range(rows: list[dict]) -> str:
    """'fra 4,2 til 9,3 gange'; 'alle 4,2 gange'; '4,2 gange i 2023'; with the years without a Danish death (an
    infinite ratio) named: '…; i 2025 var der ingen dræbte i Danmark'."""
    finite = [r for r in rows if r["dk_count"] > 0]
    low, high = (number(f(r["rate_ratio"] for r in finite), 1) for f in (min, max))
    if len(finite) == 1:
        text = f"{low} gange i {finite[0]['reference_year']}"
    else:
        text = f"alle {low} gange" if low == high else f"fra {low} til {high} gange"
    none = [r["reference_year"] for r in rows if r["dk_count"] == 0]
    return text + (f"; i {fmt.year_ranges(none)} var der ingen dræbte i Danmark" if none else "")


def homogeneity_sentence(pooled: dict, rows: list[dict]) -> str:
    """Whether the yearly ratios differ more than chance would make them under one common
    ratio, with the p-value; that a single year cannot be tested; nothing when there is no
    ratio to test (no Danish or no Swedish death in any year)."""
    years = pooled["years"]
    if len(years) == 1:
        return f"Kun {years[0]} har dræbte at sammenligne, så det kan ikke testes, om forholdet skifter fra år til år."
    if pooled["p_value"] is None or pooled["se_count"] == 0:
        return ""
    used = [r for r in rows if r["reference_year"] in years]
    p = p_value_text(pooled["p_value"], pooled["significance_level"])
    spread = f"De enkelte års forhold ({_ratio_range(used)})"
    chance = "end tilfældigheder ville få dem til, hvis forholdet var det samme alle årene"
    if significant(pooled):
        return (
            f"{spread} afviger mere fra hinanden, {chance} ({p}). Det tyder på, at forholdet ikke har været det "
            "samme hvert år, og forholdet for årene under ét er da et gennemsnit over forskellige år."
        )
    return (
        f"{spread} afviger ikke mere fra hinanden, {chance} ({p}). Forskellene mellem årene er altså ikke "
        "grundlag for at tale om en stigning eller et fald i forholdet."
    )


def pooled_method_note(pooled: dict) -> str:
    """How the ratio over the years and the test were made, for the notes under the table;
    '' when there is neither."""
    if pooled["rate_ratio"] is None or len(pooled["years"]) < 2:
        return ""
    interval = POOLED_INTERVALS.get(pooled["interval_method"], pooled["interval_method"])
    text = (
        f"Forholdet for {fmt.year_ranges(pooled['years'])} under ét er det fælles forhold, der passer bedst til alle "
        f"årenes tal (størst sandsynlighed), med {interval}"
    )
    if pooled["p_value"] is None:
        return text + "."
    test = HOMOGENEITY_TESTS.get(pooled["test"], pooled["test"])
    return (
        f"{text}; om de enkelte års forhold afviger mere fra hinanden end tilfældigt, er prøvet med en {test} "
        f"med {pooled['df']} frihedsgrader: {p_value_text(pooled['p_value'], pooled['significance_level'])}."
    )


def pooled_summary(pooled: dict) -> str:
    """One line for the comparison's own table note (CSV, Markdown, Excel, the terminal):
    'Alle år under ét (2021–2024): 6,8 gange (95 %-interval 4,2–11,8); de enkelte års forhold
    afviger ikke mere fra hinanden end tilfældigt (p = 0,67).'"""
    if pooled["rate_ratio"] is None or len(pooled["years"]) < 2:
        return ""
    level = fmt.percent(pooled["interval_level"])
    text = (
        f"Alle år under ét ({fmt.year_ranges(pooled['years'])}): {number(pooled['rate_ratio'], 1)} gange "
        f"({level}-interval {_interval(pooled['rate_ratio_lower'], pooled['rate_ratio_upper'])}, "
        f"{POOLED_INTERVALS.get(pooled['interval_method'], pooled['interval_method'])})"
    )
    if pooled["p_value"] is None:
        return text + "."
    verdict = (
        "afviger mere fra hinanden end tilfældigt"
        if significant(pooled)
        else "afviger ikke mere fra hinanden end tilfældigt"
    )
    return (
        f"{text}; de enkelte års forhold {verdict} ({p_value_text(pooled['p_value'], pooled['significance_level'])})."
    )
