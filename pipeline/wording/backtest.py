"""The backtest in Danish: how many cases and releases it rests on, the tables' method on its
cases by part of the year, each case's error, the coverage of the intervals, and why a method
is or is not recommended. Every sentence is built from the backtest's numbers
(outputs/audit/audit.json → methods), so it is true for any cases."""

from __future__ import annotations

from datetime import date

from pipeline import fmt
from pipeline.wording.methods import method_name, reason_text
from pipeline.wording.numbers import noun, number, percent

# what a scaled error is, for the sentences and the table's note
SCALE_TEXT = "en typisk årlig ændring"
COVERAGE_VERDICTS = {
    "below_level": "sjældnere, end deres niveau lover",
    "above_level": "oftere, end deres niveau lover (de er bredere end nødvendigt)",
}


def counted_n(value: int, plural: str) -> str:
    """1 -> 'ét tilfælde', 'én udgivelse'; 5 -> '5 tilfælde'."""
    if value == 1:
        return {"tilfælde": "ét tilfælde", "udgivelser": "én udgivelse"}.get(plural, f"1 {noun(1, plural)}")
    return f"{number(value)} {noun(value, plural)}"


def cases_from_releases(cases: int, releases: int) -> str:
    """'5 tilfælde fra 2 udgivelser'; 'ét tilfælde fra én udgivelse'."""
    return f"{counted_n(cases, 'tilfælde')} fra {counted_n(releases, 'udgivelser')}"


def part_of_year(group: dict) -> str:
    """The part of the year a group of cases covers: 'januar–juni', '1. januar–15. december',
    'de første 11,47 måneder'."""
    day = group.get("period_end_day")
    if day:
        month, day_of_month = (int(p) for p in day.split("-"))
        return f"1. januar–{fmt.date_text(date(2000, month, day_of_month), 'd. MMMM')}"
    months = float(group["months"])
    if months.is_integer():
        return fmt.months_span(int(months))
    return f"de første {fmt.months(months)} måneder"


def _times_scale(value: float | None) -> str:
    return f"{number(value, 2)} gange {SCALE_TEXT}"


def group_sentence(group: dict) -> str:
    """'Fremskrevet fra januar–juni (2 tilfælde fra én udgivelse) lå skønnene i gennemsnit 0,80
    gange en typisk årlig ændring fra det endelige tal, og 95 %-intervallerne holdt det endelige
    tal i 1 af 2 tilfælde; med én udgivelse kan det ikke afgøres, om de holder så ofte, som de
    lover (usikkerhed: 3 %–100 %).'"""
    head = f"Fremskrevet fra {part_of_year(group)} ({cases_from_releases(group['cases'], group['releases'])})"
    if group["cases"] == 0:
        return f"{head} kunne metoden ikke give noget skøn."
    if group["mean_scaled_absolute_error"] is None:
        text = f"{head} har ingen af serierne to endelige helårstal i træk at måle fejlen op imod"
    else:
        on = (
            f" (målt på {counted_n(group['scaled_cases'], 'tilfælde')}, hvis serie har to endelige helårstal i træk)"
            if group["scaled_cases"] < group["cases"]
            else ""
        )
        text = f"{head} lå skønnene i gennemsnit {_times_scale(group['mean_scaled_absolute_error'])} fra det endelige tal{on}"
    if group["interval_cases"]:
        level = percent(group["nominal_level"])
        text += (
            f", og {level}-intervallerne holdt det endelige tal i {group['covered']} af {group['interval_cases']} "
            f"tilfælde; {coverage_clause(group)}"
        )
    return text + "."


def coverage_clause(group: dict) -> str:
    """What the coverage shows, counted in releases: below or above the level, or that the
    releases cannot tell."""
    span = f"usikkerhed: {percent(group['coverage_lower'])}–{percent(group['coverage_upper'])}"
    releases = counted_n(group["interval_releases"], "udgivelser")
    verdict = group["coverage_verdict"]
    if verdict in COVERAGE_VERDICTS:
        return f"ud fra {releases} holder intervallerne {COVERAGE_VERDICTS[verdict]} ({span})"
    return f"med {releases} kan det ikke afgøres, om de holder så ofte, som de lover ({span})"


def signed(value: float, decimals: int | None = 0) -> str:
    """+7, −3, 0; +1,02 with decimals None (two for a number that is not whole)."""
    text = number(value, decimals)
    return f"+{text}" if value > 0 and text.strip("0,") else text


def signed_percent(fraction: float) -> str:
    """0.35 -> '+35,0 %'; -0.5 -> '−50,0 %'; 0.003 -> '+0,3 %'."""
    text = percent(fraction, 1)
    return f"+{text}" if fraction > 0 and text != percent(0, 1) else text


def case_item(label: str, case: dict) -> str:
    """'Sårede 2019 (januar–juni; nsk_2019_juni): skønnet 21,50 mod det endelige tal 28, en
    fejl på −6,50 (−23 %)' — the error in percent only where the final count is above 0."""
    share = f" ({signed_percent(case['error_percent'] / 100)})" if case["error_percent"] is not None else ""
    return (
        f"{label} {case['reference_year']} ({part_of_year(case)}; {case['release_id']}): skønnet "
        f"{number(case['estimate'])} mod det endelige tal {number(case['final'])}, en fejl på "
        f"{signed(case['error'], None)}{share}"
    )


def unscored_item(label: str, case: dict) -> str:
    """'Dræbte 2021 (…): intet skøn, fordi …'"""
    return f"{label} {case['reference_year']} ({part_of_year(case)}; {case['release_id']}): intet skøn, fordi {reason_text(case['reason'])}"


def headline_lead(method: str, cases: int, releases: int, unscored: int) -> str:
    """'Tabellerne bruger lineær fremskrivning; den kan prøves på 5 tilfælde fra 2 udgivelser.'"""
    name = method_name(method)
    if cases == 0:
        return f"Tabellerne bruger {name}, og den kan endnu ikke prøves på noget tilfælde."
    rest = f" ({counted_n(unscored, 'tilfælde')} kunne den ikke give et skøn for)" if unscored else ""
    return f"Tabellerne bruger {name}; den kan prøves på {cases_from_releases(cases, releases)}{rest}."


def printed_sentence(figures: str, group: dict) -> str:
    """'Tabellernes skøn for dræbte og sårede 2024 er fremskrevet fra januar–september; ingen
    af tilfældene er fremskrevet fra så lidt af året, så de siger ikke, hvor godt netop de skøn
    rammer.' — group: one of the backtest headline's `printed`."""
    head = f"Tabellernes skøn for {figures} er fremskrevet fra {part_of_year(group)}"
    if group["cases"] == 0:
        return (
            f"{head}; ingen af tilfældene er fremskrevet fra så lidt af året, så de siger ikke, hvor godt netop "
            f"{'det skøn' if len(group['figures']) == 1 else 'de skøn'} rammer."
        )
    return (
        f"{head}; {cases_from_releases(group['cases'], group['releases'])} er fremskrevet fra lige så lidt af "
        "året eller mindre."
    )


def comparison_item(pair: dict) -> str:
    """'Lineær fremskrivning mod tendensfremskrivning: 3 tilfælde fra én udgivelse; lineær
    fremskrivning scorede bedst på 1 udgivelse, tendensfremskrivning på 0.'"""
    a, b = method_name(pair["method"]), method_name(pair["other"])
    head = f"{a[:1].upper()}{a[1:]} mod {b}"
    if not pair["cases"]:
        return f"{head}: intet tilfælde, som begge kan give et skøn for"
    verdict = (
        f"{method_name(pair['better'])} er bedst"
        if pair["better"]
        else "forskellen kan ikke skelnes fra tilfældigheder"
    )
    return (
        f"{head}: {cases_from_releases(pair['cases'], pair['releases'])}; {a} var bedst på "
        f"{counted_n(pair['method_better_releases'], 'udgivelser')}, {b} på "
        f"{counted_n(pair['other_better_releases'], 'udgivelser')}; {verdict}"
    )


def recommendation_sentence(rec: dict) -> str:
    """Why a method is or is not recommended, from the recommendation's code and numbers."""
    if rec["method"]:
        return (
            f"{method_name(rec['method'])[:1].upper()}{method_name(rec['method'])[1:]} gav bedre skøn end hver af de "
            "andre metoder på de udgivelser, de har fælles, så tydeligt, at det ikke kan skyldes tilfældigheder, "
            "og anbefales derfor."
        )
    if rec["code"] == "too_few_releases":
        most = rec["most_shared_releases"]
        shared = (
            "ingen to metoder har en udgivelse fælles"
            if most == 0
            else f"to metoder har højst {counted_n(most, 'udgivelser')} fælles"
        )
        return (
            f"Tilfældene kan ikke skille metoderne ad: {shared}, og først når én metode er bedst på hver eneste "
            f"af mindst {number(rec['releases_needed'])} fælles udgivelser, kan det ikke længere skyldes "
            "tilfældigheder. Derfor anbefales ingen metode frem for en anden."
        )
    return (
        "Ingen metode gav bedre skøn end hver af de andre på de udgivelser, de har fælles, så tydeligt, at det "
        "ikke kan skyldes tilfældigheder; derfor anbefales ingen metode frem for en anden."
    )


def revision_item(label: str, revision: dict) -> str:
    """'Skyderier (Sverige) 2022: foreløbigt 388, endeligt 391 (rettet med +3)'."""
    change = revision["revision"]
    return (
        f"{label} {revision['reference_year']} ({revision['release_id']}): foreløbigt {number(revision['preliminary'])}, "
        f"endeligt {number(revision['final'])}" + (f" (rettet med {signed(change)})" if change else " (uændret)")
    )


def revisions_sentence(count: int, listed: str) -> str:
    """The preliminary full-year counts with a later final count: not forecasts, so outside
    every method's errors."""
    if count == 0:
        return "Intet foreløbigt helårstal er senere fulgt af et endeligt helårstal."
    if count == 1:
        what, rest = "ét foreløbigt helårstal", "Det er et opgjort tal, der senere er rettet, ikke en fremskrivning"
    else:
        what, rest = (
            f"{number(count)} foreløbige helårstal",
            "De er opgjorte tal, der senere er rettet, ikke fremskrivninger",
        )
    return (
        f"Desuden er {what} ({listed}) senere fulgt af et endeligt helårstal. {rest}, så "
        f"{'det' if count == 1 else 'de'} indgår ikke i metodernes fejl:"
    )
