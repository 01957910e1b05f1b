"""The audit (outputs/audit/audit.json), its checks: the extrapolations behind each figure and
each statement of the VIVE report checked against the releases."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline import fmt, wording
from pipeline.report_helpers.comparison import _interval
from pipeline.report_helpers.markdown import compact, escape, markdown_table
from pipeline.report_helpers.words import (
    MONTHS_IN_YEAR,
    RELEASE_STATUS,
    _country,
    _date,
    _label,
    figure_label,
    months_text,
    number,
    percent,
    published_text,
    verdict,
    where_text,
)


def extrapolation_table(audit: dict, series: dict[str, dict], levels: dict[str, float] | None = None) -> str:
    """Each partial-year figure: observed months, the computation in its method's terms, the
    estimate with its interval, what the report printed and the verdict, all as the audit
    gives them (its interval and level, judged on the data of the estimate's own vintage; a
    later release does not take them away). `levels` is not used: the audit's level is."""
    header = ["Tal", "Data", "Opgjort", "Beregning", "Helårsskøn (interval)", "Trykt i rapporten", "Vurdering"]
    rows = []
    cutoffs = {p["publication"]: p["data_cutoff"] for p in audit.get("publications", [])}
    for e in audit["extrapolations"]:
        label, year = figure_label(e["figure"], series)
        source = e["inputs"][0]
        level = e.get("interval_level")
        low, high = e["interval"]
        decimals = 2 if abs(e["rounded"]) < 100 else 0
        if e.get("interval_kind") == "full_year":
            decimals = 0  # a full-year count's interval has whole bounds
        interval = (
            f"{fmt.percent(level)}: {_interval(low, high, decimals)}" if level and low is not None else "intet interval"
        )
        method = wording.parse_method(e["method"])
        # a publication's estimates are checked on the data it had, by its own method; the
        # latest data's own estimates (by the method of params.yaml) are shown beside them
        basis = (
            f"som ved rapportens dataafgrænsning {fmt.date_text(_date(cutoffs[e['as_of']]))}"
            if e.get("as_of") in cutoffs
            else "nyeste data"
        )
        rows.append(
            [
                f"{label} {year}",
                basis,
                f"{number(source['value'])} ({months_text(source['months'])})",
                wording.computation(method, "", source["value"], e["unrounded"], source["months"]),
                f"{number(e['rounded'])} ({interval})",
                e["published"]["printed"]
                if e["published"]
                else "ikke trykt med denne metode"
                if e.get("printed_by")
                else "ikke trykt",
                verdict(e["verdict"]),
            ]
        )
    rows = rows or [["ingen fremskrivninger", "", "", "", "", "", ""]]
    return compact(markdown_table(header, rows, align="llllrll", widths=[11, 13, 15, 17, 17, 9, 12]))


def extrapolation_methods(audit: dict, series: dict[str, dict] | None = None) -> str:
    """For the note under the table: each method used, in Danish (a fallback said as such),
    the interval's method with its assumptions, and the rounding."""
    extrapolations = audit["extrapolations"]
    if not extrapolations:
        return ""
    # a method used as asked is said once; a fallback for the figures it concerns
    fell_back: dict = {}
    for e in extrapolations:
        if wording.parse_method(e["method"]).fell_back:
            label = figure_label(e["figure"], series or {})[0].lower()
            fell_back.setdefault(e["method"], []).append(label)
    methods = dict.fromkeys(
        wording.method_sentence(e["method"], wording.listing(list(dict.fromkeys(fell_back.get(e["method"], [])))))
        for e in extrapolations
    )
    # a full-year interval is said by its assumptions; another kind (a rate) by its description
    intervals = dict.fromkeys(
        wording.interval_description(e["interval_method"])
        for e in extrapolations
        # an estimate whose variation cannot be measured is said by the assumptions' sentence
        if e["interval_method"]
        and e.get("interval_kind") != "full_year"
        and not e["interval_method"].startswith("unmeasured")
    )
    intervals.pop("", None)
    cells = [
        {
            "label_da": figure_label(e["figure"], series or {})[0],
            "interval_lower": e["interval"][0],
            "interval_kind": e.get("interval_kind"),
            "interval_level": e.get("interval_level"),
            "dispersion_rule": e["method_inputs"]["dispersion"]["rule"],
            "dispersion_years": e["method_inputs"]["dispersion"]["years"],
            "history_left_out": e["method_inputs"]["history_left_out"],
            "history_other_era": e["method_inputs"]["history_other_era"],
            "history_window": e["method_inputs"]["history_window"],
            "method": e.get("method"),
        }
        for e in extrapolations
        if e.get("method_inputs")
    ]
    assumptions = wording.interval_assumptions(cells)
    rounding = {"half_up": "halvt op (2,5 bliver 3)", "half_even": "halvt til lige (2,5 bliver 2)"}
    roundings = dict.fromkeys(rounding.get(e["rounding"], e["rounding"]) for e in extrapolations)
    return " ".join(
        [
            *methods,
            (f"Intervallet: {'; '.join(intervals)}. " if intervals else "")
            + (f"{assumptions} " if assumptions else "")
            + f"Afrunding: {', '.join(roundings)}.",
        ]
    )


def _inputs_by_year(s: dict) -> list[dict]:
    return sorted((i for i in s["inputs"] if isinstance(i, dict)), key=lambda i: i["year"])


def _estimated(inputs: list[dict], series: dict[str, dict]) -> str:
    estimated = [i for i in inputs if i["status"] == "estimated"]
    if not estimated:
        return ""
    return (
        f"; {fmt.year_ranges(i['year'] for i in estimated)} er helårsskønnet "
        f"({', '.join(number(i['value']) + ' i ' + months_text(i['months']) for i in estimated)})"
    )


def statement_check(s: dict, series: dict[str, dict], audit: dict) -> str:
    """The computation a statement implies, in Danish, with its numbers."""
    op = s["operation"]
    inputs = _inputs_by_year(s) if op not in ("equal", "sum", "same_period_pair") else []
    if op not in ("equal", "sum", "same_period_pair") and not inputs:
        return "de tal, udsagnet bygger på, findes ikke i de udgivelser, rapporten kunne bruge"
    check = _check(s, inputs, series, audit)
    if not inputs:
        return check
    label = _label(series, inputs[0]["series"])
    return wording.labelled(f"{label} {fmt.year_ranges(i['year'] for i in inputs)}", check)


def _check(s: dict, inputs: list[dict], series: dict[str, dict], audit: dict) -> str:
    """The audit's computation of a statement in Danish: its numbers and intermediate results
    as the audit gives them (the statement's `computed` and `steps`); nothing is computed again."""
    op, printed, steps = s["operation"], s["printed"], s.get("steps") or {}
    rounded = steps.get("rounded")
    if op == "change":
        a, b = inputs[0], inputs[-1]
        return f"{number(b['full_year_value'])} − {number(a['full_year_value'])} = {number(s['computed'])}"
    if op == "percent_change":
        a, b = number(inputs[0]["full_year_value"]), number(inputs[-1]["full_year_value"])
        return f"({b} − {a}) / {a} = {percent(s['computed'] / 100, 2)}, afrundet {percent(rounded / 100)}"
    if op == "mean":
        text = (
            f"({' + '.join(number(v) for v in steps['values'])}) / {steps['count']} = {number(steps['total'])} / "
            f"{steps['count']} = {number(s['computed'], 2)}, som afrundet giver {number(rounded)}"
        )
        if s["verdict"] == "mismatch":
            cut = steps.get("truncated") == printed
            text += f"; rapportens {number(printed)} er " + ("afkortet, ikke afrundet" if cut else "et andet tal")
        return text
    if op == "monthly_mean":
        i = inputs[0]
        unit = wording.unit_text(s["computed"], series[i["series"]]["unit"], 2) if i["series"] in series else ""
        text = (
            f"{number(i['value'])} / {fmt.months(i['months'])} = {number(s['computed'], 2)} {unit} om måneden, "
            f"afrundet {number(rounded)}"
            + (f", mens rapporten har {number(printed)}" if s["verdict"] == "mismatch" else "")
            + f"; men {number(printed)} × {MONTHS_IN_YEAR} = {number(printed * MONTHS_IN_YEAR)}"
        )
        if i["status"] != "estimated":
            return text + f" mod helårstallet {number(i['full_year_value'])}"
        return (
            text + f", mens helårsskønnet {number(i['full_year_value'])} bygger på det præcise gennemsnit "
            f"({number(s['computed'], 2)} × {MONTHS_IN_YEAR})"
        )
    if op == "year_to_year_change_range":
        changes = steps["changes"]
        listed = ", ".join(f"{y}: {number(c)}" for y, c in changes)
        low, high = s["computed"]
        return (
            f"ændringerne fra år til år er {listed}; {steps['outside']} af {len(changes)} ligger uden for "
            f"{number(printed)}–{number(s['printed_upper'])} (de går fra {number(low)} til "
            f"{number(high)}); største minus mindste antal er {number(steps['highest'])} − "
            f"{number(steps['lowest'])} = {number(steps['highest'] - steps['lowest'])}"
        )
    if op == "same_period_pair":
        return _pair_check(s, series, audit)
    if op == "ratio_to_mean":
        first, rest = inputs[0], inputs[1:]
        return (
            f"{number(first['full_year_value'])} mod gennemsnittet for {fmt.year_ranges(i['year'] for i in rest)}: "
            f"({' + '.join(number(v) for v in steps['rest'])}) / {len(steps['rest'])} = {number(steps['mean'], 2)}; "
            f"{number(steps['first'])} / {number(steps['mean'], 2)} = {wording.counted(s['computed'], 'gange', 2)}"
            + (
                f", afrundet {number(rounded)}"
                if s["verdict"] != "mismatch"
                else f", ikke {wording.counted(printed, 'gange')}"
            )
            + _estimated(rest, series)
        )
    if op == "equal":
        places = where_text(s["where"]).split(" og ")
        values = s["inputs"]
        if len(places) == len(values):
            return " mod ".join(f"{number(v)} ({p})" for v, p in zip(values, places)) + ": to tal for det samme"
        return " mod ".join(number(v) for v in values)
    if op == "sum":
        text = f"{' + '.join(number(v) for v in s['inputs'])} = {number(s['computed'])}"
        return text + (f", hvor rapporten har {number(printed)}" if s["verdict"] != "exact" else "")
    return f"beregning: {escape(s.get('formula', ''))}"


def _other_releases(
    name: str,
    year: int,
    printed: float,
    audit: dict,
    groups: Sequence[str] = ("disagreements_between_releases", "vintages"),
) -> list[dict]:
    """Releases of the same figure that hold another value (from the audit's lists)."""
    figure = f"{name} {year}"
    found: dict[str, dict] = {}
    for group in groups:
        for item in audit[group]:
            if item["figure"] == figure:
                for r in item["releases"]:
                    if r["value"] != printed:
                        found.setdefault(r["release"], r)
    return list(found.values())


def _period_of(r: dict) -> str:
    """A flow's part of the year, or a stock's count date."""
    if r.get("kind") == "stock":
        return wording.count_date_phrase(r.get("count_date"))
    return months_text(r["months"])


def _release_text(r: dict) -> str:
    status = RELEASE_STATUS.get(r.get("release_status"), r.get("release_status") or "")
    who = wording.publisher_text(r.get("publisher"))
    where = wording.read_where(r.get("publisher"), r.get("reported_by"), r.get("reported_on"))
    return f"{who} ({published_text(r.get('published'))}, {status}, {_period_of(r)}{where}): {wording.about(number(r['value']), r.get('approximate'))}"


def _pair_check(s: dict, series: dict[str, dict], audit: dict) -> str:
    sides = s["inputs"]
    year = sides[0]["year"] if sides else None
    parts = [f"{_country(series, i['series'])} {number(i['value'])} ({months_text(i['months'])})" for i in sides]
    text = " mod ".join(parts)
    months = [i["months"] for i in sides]
    if len(set(months)) > 1:
        text += "; ikke samme periode"
    # only the releases the publication could have had: a later one is a revision, listed
    # under "revised since", not a release the publication passed over
    later = {
        r
        for p in audit.get("publications", [])
        if s["where"].startswith(p["publication"])
        for r in p["releases"]["after"]
    }
    others = [
        r
        for i, printed in zip(sides, (s["printed"], s["printed_upper"]))
        for r in _other_releases(i["series"], year, printed, audit)
        if r["release"] not in later
    ]
    if others:
        text += "; andre udgivelser: " + "; ".join(_release_text(r) for r in others)
    return text
