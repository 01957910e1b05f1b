"""The audit (outputs/audit/audit.json), its methods: each extrapolation method against later
final releases, the tables' method on its cases, the methods pairwise, and the revisions of
preliminary counts."""

from __future__ import annotations

from pipeline import fmt, wording
from pipeline.report_helpers.markdown import compact, markdown_table
from pipeline.report_helpers.words import _label, _lower_first, number, percent


def method_table(audit: dict) -> str:
    """Each method per part of the year covered, on every case it can score: the cases and
    releases, the mean scaled error, its bias, the scaled scores and the intervals' coverage."""
    header = [
        "Metode",
        "Opgjort",
        "Tilfælde (udgivelser)",
        "Gns. fejl",
        "Gns. fejl med fortegn",
        "Sandsynlig\u00adhedsscore",
        "Interval\u00adscore",
        "Intervallet holdt",
    ]
    rows = []
    for m in audit["methods"]["summary"]:
        coverage = (
            f"{m['covered']} af {m['interval_cases']} (usikkerhed: {percent(m['coverage_lower'])}–"
            f"{percent(m['coverage_upper'])}, {wording.counted_n(m['interval_releases'], 'udgivelser')})"
            if m["interval_cases"]
            else fmt.MISSING
        )
        title = wording.method_title(m["method"]) + (" *" if m["table_method"] else "")
        rows.append(
            [
                title,
                wording.part_of_year(m),
                f"{m['cases']} ({m['releases']})",
                number(m["mean_scaled_absolute_error"], 2),
                number(m["mean_scaled_error"], 2),
                number(m["mean_scaled_score"], 2),
                number(m["mean_scaled_interval_score"], 2),
                coverage,
            ]
        )
    return compact(markdown_table(header, rows, align="llrrrrrl", widths=[20, 12, 8, 7, 7, 8, 8, 16]))


def method_table_note(audit: dict, listed: str) -> str:
    """The note under the method table: what each measure is, in plain Danish."""
    nominal = audit["methods"]["nominal_level"]
    level = percent(nominal)
    # the interval score's penalty per unit outside: 2 / α (Gneiting & Raftery)
    penalty = number(2 / (1 - nominal), None)
    return (
        f"* Metoden, som tabellerne bruger. Fejl = metodens skøn fra den tidlige udgivelse minus det endelige tal. "
        f"Alle mål i tabellen er i typiske årlige ændringer: den gennemsnitlige ændring mellem to på hinanden "
        f"følgende endelige helårstal i samme serie (0,50 = en halv typisk årlig ændring). Sådan kan serier af "
        f"forskellig størrelse lægges sammen, også hvor det endelige tal er 0. Gns. fejl er fejlenes størrelse "
        f"uden fortegn; med fortegn viser den, om skønnene i gennemsnit lå over (+) eller under (−) det endelige "
        f"tal. Sandsynlighedsscoren måler hele metodens fordeling for årets tal mod det endelige tal (0 er et "
        f"sikkert og rigtigt skøn; jo større, jo dårligere; uden fordeling er den fejlen uden fortegn). "
        f"Intervalscoren er intervallets bredde plus, hvor det endelige tal lå uden for, {penalty} gange "
        f"afstanden til intervallet. Intervallet holdt: hvor mange endelige tal der lå inden for metodens "
        f"{level}-interval, med usikkerheden på den andel (et eksakt {level}-interval, talt i udgivelser, fordi "
        f"tilfælde fra samme udgivelse kan ramme ved siden af sammen). Tilfælde: {listed}."
    )


def figures_text(figures, series: dict[str, dict]) -> str:
    """(series, year) pairs as the reader says them: 'dræbte, sårede og sigtelser 2024';
    series with different years apart: 'sigtelser 2023 og 2024; dræbte 2024'."""
    years: dict[str, list[int]] = {}
    for name, year in figures:
        years.setdefault(_lower_first(_label(series, name)), []).append(year)
    by_years: dict[str, list[str]] = {}
    for label, its in years.items():
        by_years.setdefault(fmt.year_ranges(its), []).append(label)
    return "; ".join(f"{wording.listing(labels)} {span}" for span, labels in by_years.items())


def backtest_sentences(audit: dict, series: dict[str, dict] | None = None) -> str:
    """The tables' method on all its cases, by part of the year covered, what of that speaks
    to the estimates the tables print, and whether a method can be recommended: true for any
    cases."""
    methods = audit["methods"]
    head = methods["headline"]
    cases = head["cases"]
    releases = len({c["release_id"] for c in cases})
    parts = [wording.headline_lead(head["method"], len(cases), releases, len(head["unscored"]))]
    parts += [wording.group_sentence(g) for g in head["groups"] if g["cases"]]
    parts += [
        wording.printed_sentence(
            figures_text(((f["series"], f["reference_year"]) for f in g["figures"]), series or {}), g
        )
        for g in head.get("printed", [])
    ]
    parts.append(wording.recommendation_sentence(methods["recommendation"]))
    return " ".join(parts)


def backtest_case_items(audit: dict, series: dict[str, dict]) -> list[str]:
    """The tables' method's cases, one item each, with the error of each."""
    head = audit["methods"]["headline"]
    return [wording.case_item(_label(series, c["series"]), c) for c in head["cases"]] + [
        wording.unscored_item(_label(series, c["series"]), c) for c in head["unscored"]
    ]


def comparison_items(audit: dict) -> list[str]:
    """Each pair of methods on the cases both score, counted in releases."""
    return [wording.comparison_item(p) for p in audit["methods"]["comparisons"]]


def revision_items(audit: dict, series: dict[str, dict]) -> list[str]:
    """Each preliminary full-year count against its final count."""
    return [wording.revision_item(_label(series, r["series"]), r) for r in audit["methods"]["revisions"]]


def revisions_sentence(backtest: dict) -> str:
    """The revised preliminary counts, before their list (backtest: backtest_cases' result)."""
    return wording.revisions_sentence(backtest["revisions"], backtest["revised"])


def backtest_cases(audit: dict, series: dict[str, dict]) -> dict:
    """What the backtest rests on: the partial-year cases (figures with an earlier release and
    a final count) and their releases, the revised preliminary counts, and the estimates of the
    report that no later release can check yet."""
    methods = audit["methods"]
    cases = methods["cases"]
    figures = dict.fromkeys((c["series"], c["reference_year"]) for c in cases)
    revised = dict.fromkeys((r["series"], r["reference_year"]) for r in methods["revisions"])
    unchecked = dict.fromkeys(
        (e["series"], e["reference_year"])
        for e in methods["estimates"]
        if (e["series"], e["reference_year"]) not in figures
    )

    def listed(keys) -> str:
        by_series: dict[str, list[int]] = {}
        for name, year in keys:
            by_series.setdefault(_label(series, name), []).append(year)
        return "; ".join(f"{s} {fmt.year_ranges(y)}" for s, y in by_series.items())

    n_cases = len(dict.fromkeys((c["series"], c["reference_year"], c["release_id"]) for c in cases))
    n_releases = len({c["release_id"] for c in cases})
    return {
        "cases": n_cases,
        "releases": n_releases,
        "figures": len(figures),
        "revisions": len(methods["revisions"]),
        # plain text: an inline value is escaped by the renderer, a note by notes()
        "rests_on": wording.cases_from_releases(n_cases, n_releases),
        "listed": listed(figures),
        "revised": listed(revised),
        "unchecked": figures_text(unchecked, series),
    }
