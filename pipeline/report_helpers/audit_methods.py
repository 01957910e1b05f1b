"""The audit (outputs/audit/audit.json), its methods: each extrapolation method against later
final releases, and the back-test's cases."""

from __future__ import annotations

from pipeline import fmt, wording
from pipeline.backtest import MIN_CASES
from pipeline.report_helpers.markdown import compact, markdown_table
from pipeline.report_helpers.words import _label, _lower_first, number, percent


def method_table(audit: dict) -> str:
    """Each extrapolation method against later final releases, on the cases every method can
    score: relative point error, the coverage of its intervals and their width."""
    header = [
        "Metode",
        "Fælles tilfælde",
        "Gns. absolut fejl",
        "Gns. fejl med fortegn",
        "Intervallet holdt",
        "Gns. intervalbredde",
        "Vurdering",
    ]
    rows = []
    for m in audit["methods"]["summary"]:
        enough = m["interval_cases"] >= MIN_CASES  # only partial-year cases tell methods apart
        coverage = (
            f"{m['covered']} af {m['interval_cases']} (usikkerhed: {percent(m['coverage_lower'])}–"
            f"{percent(m['coverage_upper'])})"
            if m["interval_cases"]
            else fmt.MISSING
        )
        rows.append(
            [
                wording.method_title(m["method"]),
                str(m["cases"]),
                _percent_or_missing(m["mean_absolute_percent_error"]),
                _percent_or_missing(m["mean_percent_error"]),
                coverage,
                number(m["mean_interval_width"], 1),
                (
                    f"nok tilfælde til en sammenligning (mindst {MIN_CASES})"
                    if enough
                    else f"for få delårstilfælde til at vurdere ({m['interval_cases']} af mindst {MIN_CASES})"
                ),
            ]
        )
    return compact(markdown_table(header, rows, align="lrrrlrl", widths=[20, 7, 8, 8, 14, 8, 20]))


def _percent_or_missing(value: float | None) -> str:
    return percent(value / 100, 2) if value is not None else fmt.MISSING


def backtest_sentences(audit: dict) -> str:
    """What the backtest says, true for any cases: the common cases, the linear method's
    relative error and its intervals' coverage, and whether a method can be recommended."""
    methods = {m["method"]: m for m in audit["methods"]["summary"]}
    rec = audit["methods"]["recommendation"]
    linear = methods.get("linear")
    partial = max((m["interval_cases"] for m in methods.values()), default=0)
    parts = []
    if linear and linear["cases"]:
        error = linear["mean_absolute_percent_error"]
        these = "det ene tilfælde" if linear["cases"] == 1 else f"de {linear['cases']} tilfælde"
        parts.append(
            f"På {these}, som alle metoder kan give et skøn for, ramte den lineære "
            f"metode (rapportens) i gennemsnit {percent(error / 100, 2)} ved siden af det endelige tal"
            if error is not None
            else f"{these[:1].upper()}{these[1:]} har intet endeligt tal over 0 at måle fejlen i procent på"
        )
        if linear["interval_cases"]:
            level = percent(linear["nominal_level"])
            parts[-1] += (
                f", og dens {level}-intervaller holdt det endelige tal i {linear['covered']} af "
                f"{linear['interval_cases']} tilfælde"
            )
        parts[-1] += "."
    else:
        parts.append("Der er endnu ingen tilfælde, som alle metoder kan give et skøn for.")
    if rec["method"]:
        parts.append(
            f"Med {rec['common_cases']} fælles tilfælde giver {wording.method_name(rec['method'])} de mindste "
            f"fejl blandt de metoder, hvis intervaller holder så ofte, som de lover."
        )
    else:
        parts.append(
            f"Der er for få fælles delårstilfælde ({partial} af mindst {MIN_CASES}) til at anbefale "
            "en metode frem for en anden."
            if partial < MIN_CASES
            else "Ingen metodes intervaller holdt så ofte, som de lover, så ingen metode anbefales."
        )
    return " ".join(parts)


def backtest_cases(audit: dict, series: dict[str, dict]) -> dict:
    """What the backtest rests on: the figures (series, year) with an earlier and a final
    release, and the estimates of the report that no later release can check yet."""
    cases = audit["methods"]["cases"]
    figures = dict.fromkeys((c["series"], c["reference_year"]) for c in cases)
    releases = dict.fromkeys((c["series"], c["reference_year"], c["release_id"]) for c in cases)
    unchecked = dict.fromkeys(
        (e["series"], e["reference_year"])
        for e in audit["methods"]["estimates"]
        if (e["series"], e["reference_year"]) not in figures
    )
    by_series: dict[str, list[int]] = {}
    for name, year in figures:
        by_series.setdefault(_label(series, name), []).append(year)
    unchecked_by: dict[str, list[int]] = {}
    for name, year in unchecked:
        unchecked_by.setdefault(_lower_first(_label(series, name)), []).append(year)
    return {
        "releases": len(releases),
        "figures": len(figures),
        "min_cases": MIN_CASES,
        # plain text: an inline value is escaped by the renderer, a note by notes()
        "listed": "; ".join(f"{s} {fmt.year_ranges(y)}" for s, y in by_series.items()),
        "unchecked": "; ".join(f"{s} {fmt.year_ranges(y)}" for s, y in unchecked_by.items()),
    }
