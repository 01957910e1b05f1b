"""Danish tables and sentences for the report (reports/noegletal.qmd), built from the
pipeline's outputs: the comparison with Sweden (outputs/comparison/dk_se.json), the audit
(outputs/audit/audit.json) and the custom notifications (data/validated/notifications.parquet).

Every number comes from those files; the words are Danish, written from their structured
fields (the audit's own `reason` and `formula` texts are English and are not shown). Each
function returns markdown text; the report's cells display it."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from pipeline import fmt, wording
from pipeline.audit import round_half_up
from pipeline.backtest import MIN_CASES

MONTHS_IN_YEAR = 12
VERDICTS = {"exact": "eksakt", "consistent": "konsistent med afrundingen", "mismatch": "afvigelse", "finding": "fund"}
VERDICTS_PLURAL = {
    "exact": "eksakte",
    "consistent": "konsistente med afrundingen",
    "mismatch": "afvigelser",
    "finding": "fund",
}
RELEASE_STATUS = {"final": "endelig", "preliminary": "foreløbig"}
COUNTRIES = {"DK": "Danmark", "SE": "Sverige"}


# --- Markdown -----------------------------------------------------------------------------


def escape(text: str) -> str:
    """Plain text into markdown: pipeline text such as '1.234 (1.645)*' must print as it is;
    '$y$' is no formula, '&amp;' no entity, '~x^' no sub- or superscript."""
    return "".join("\\" + ch if ch in "\\`*_{}[]<>#|$@~^&" else ch for ch in str(text))


def markdown_table(
    header: Sequence[str], rows: Iterable[Sequence[str]], align: str | None = None, widths: Sequence[int] | None = None
) -> str:
    """A pipe table of plain text cells. `align`: 'l' or 'r' per column (default: first left,
    the rest right); `widths`: relative column widths, for tables with long text (pandoc
    takes them from the dashes under the header)."""
    align = align or "l" + "r" * (len(header) - 1)
    widths = widths or [3] * len(header)
    rule = [(":" + "-" * w if a == "l" else "-" * w + ":") for a, w in zip(align, widths)]
    lines = ["| " + " | ".join(escape(h) for h in header) + " |", "|" + "|".join(rule) + "|"]
    lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def compact(table: str) -> str:
    """A wide table in the PDF: smaller type and ragged lines (justified text in narrow cells
    leaves gaps); the HTML is unchanged."""
    return "\n\n".join(
        ["```{=typst}\n#[#set text(size: 8.5pt)\n#set par(justify: false)\n```", table, "```{=typst}\n]\n```"]
    )


def notes(*texts: str) -> str:
    """Notes and source lines under a table, in the report's small print."""
    return "\n\n".join(f"::: {{.float-note}}\n{escape(t)}\n:::" for t in texts if t)


def bullets(items: Iterable[str]) -> str:
    """A markdown list; the items are markdown already."""
    return "\n".join(f"- {item}" for item in items)


# --- Danish words for numbers, periods and verdicts -----------------------------------------

# Numbers in prose: whole numbers without decimals, others with two unless told; one minus
# sign '−' (pipeline/wording.py, the one home for Danish wording).
number = wording.number
percent = wording.percent


def verdict(code: str | None) -> str:
    return VERDICTS.get(code or "", "ikke kontrolleret")


def months_text(months: float | None) -> str:
    """12 -> 'hele året'; 9 -> 'januar–september'; 11,47 -> '11,47 måneder'."""
    if months is None:
        return "periode ikke oplyst"
    if months >= MONTHS_IN_YEAR:
        return "hele året"
    if float(months).is_integer():
        return fmt.months_span(int(months))
    return f"{fmt.months(months)} måneder"


def published_text(published: str | None) -> str:
    """'2023-09-16' -> '16. september 2023'; '2025-01' -> 'januar 2025'; '2023' -> '2023'."""
    if not published:
        return "udateret"
    parts = published.split("-")
    if len(parts) == 3:
        from datetime import date

        return fmt.date_text(date.fromisoformat(published))
    if len(parts) == 2:
        return f"{fmt.month_name(int(parts[1]))} {parts[0]}"
    return published


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def where_text(where: str) -> str:
    """'VIVE (2025): Forenet Mod Vold, Afsnit 2.6 against kapitel 3' -> 'afsnit 2.6 og kapitel 3'."""
    place = where.split(", ", 1)[1] if ", " in where else where
    return _lower_first(place.replace(" against ", " og "))


def _label(series: dict[str, dict], name: str) -> str:
    """A series' Danish label from data/validated/series.parquet (rows by series id)."""
    return series[name]["label_da"] if name in series else name


def _country(series: dict[str, dict], name: str) -> str:
    country = series[name]["country"] if name in series else None
    return COUNTRIES.get(country, country or name)


def figure_label(figure: str, series: dict[str, dict]) -> tuple[str, int]:
    """'draebte 2024' -> ('Dræbte', 2024)."""
    name, year = figure.rsplit(" ", 1)
    return _label(series, name), int(year)


def count_by_verdict(items: Iterable[dict]) -> str:
    """'6 eksakte, 6 konsistente med afrundingen og 5 afvigelser'."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item.get("verdict") or ""] = counts.get(item.get("verdict") or "", 0) + 1
    parts = [
        f"{n} {(VERDICTS if n == 1 else VERDICTS_PLURAL).get(code, 'ikke kontrolleret')}"
        for code in VERDICTS
        if (n := counts.get(code, 0))
    ]
    if counts.get(""):
        parts.append(f"{counts['']} ikke kontrolleret")
    return " og ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else "".join(parts)


# --- Denmark against Sweden -------------------------------------------------------------------


def _interval(low: float | None, high: float | None, decimals: int) -> str:
    return f"{fmt.number(low, decimals)}–{fmt.number(high, decimals)}" if low is not None else fmt.MISSING


def _partial(months: float | None) -> str:
    if months is None or months >= MONTHS_IN_YEAR:
        return ""
    if float(months).is_integer():
        return f" ({fmt.months_span(int(months), 'abbreviated')})"
    return f" ({fmt.months(months)} mdr.)"


listing = wording.listing  # ['a', 'b', 'c'] -> 'a, b og c'


def pair_text(f: dict) -> str:
    """'45 mod 6 i 2021'; '44 mod 2 i 2024 (det danske tal dækker kun januar–september)'."""
    months = "" if f["dk_months"] >= MONTHS_IN_YEAR else f" (det danske tal dækker kun {months_text(f['dk_months'])})"
    return f"{fmt.number(f['se_count_as_quoted'])} mod {fmt.number(f['dk_count'])} i {f['reference_year']}{months}"


def quoted_pairs(published: list[dict], comparison: dict, audit: dict) -> list[str]:
    """The pairs as the publication printed them ('45 mod 6 i 2021'; '44 mod 2 i 2024 (det
    danske tal dækker kun januar–september)'), from its printed values: a later release
    changes the comparison, never what the publication is said to have printed."""
    first = comparison["figures"][0] if comparison["figures"] else {}
    dk, se = first.get("dk_series"), first.get("se_series")
    pairs: dict[tuple[str, int], dict[str, float]] = {}
    for p in published:
        if p["measure"] == "observed" and p["series"] in (dk, se):
            pairs.setdefault((p["location"], p["reference_year"]), {})[p["series"]] = p["value"]
    months = {e["figure"]: e["inputs"][0]["months"] for e in audit["extrapolations"] if e.get("as_of")}
    out = []
    for (_, year), pair in sorted(pairs.items(), key=lambda item: item[0][1]):
        if dk in pair and se in pair:
            covered = months.get(f"{dk} {year}")
            note = (
                f" (det danske tal dækker kun {months_text(covered)})"
                if covered is not None and covered < MONTHS_IN_YEAR
                else ""
            )
            out.append(f"{fmt.number(pair[se])} mod {fmt.number(pair[dk])} i {year}{note}")
    return out


def ratio_text(f: dict) -> str:
    """'7,5 gange i 2023'; 'skønsmæssigt 9,3 gange i 2024'; 'intet forhold for 2024'."""
    if f["rate_ratio"] is None:
        return f"intet forhold for {f['reference_year']}"
    estimate = "skønsmæssigt " if f["dk_status"] == "estimated" else ""
    return f"{estimate}{fmt.number(f['rate_ratio'], 1)} gange i {f['reference_year']}"


def swedish_caveats(comparison: dict, audit: dict) -> list[str]:
    """What the audit found about the Swedish figures the comparison uses: sources dated
    before their year, and a selected (final) release that differs from the figure quoted."""
    figures = comparison["figures"]
    swedish = figures[0]["se_series"]
    caveats = [
        f"Det svenske tal for {d['figure'].rsplit(' ', 1)[1]} er i rapporten henført til en kilde udgivet "
        f"{published_text(d['published'])}, altså før året var begyndt."
        for d in audit["publication_dates"]
        if d["figure"].startswith(f"{swedish} ")
    ]
    for f in figures:
        for d in audit["disagreements_between_releases"]:
            chosen = next((r for r in d["releases"] if r["selected"]), None)
            differs = chosen is not None and chosen["value"] != f["se_count_as_quoted"]
            if d["figure"] == f"{swedish} {f['reference_year']}" and differs:
                caveats.append(
                    f"For {f['reference_year']} gengiver rapporten {fmt.number(f['se_count_as_quoted'])}, "
                    f"mens {chosen['publisher']}s {RELEASE_STATUS.get(chosen['release_status'], '')}e tal "
                    f"fra {published_text(chosen['published'])} er {fmt.number(chosen['value'])}."
                )
    return caveats


def comparison_table(comparison: dict) -> str:
    """The report's pairs with rates, the ratio and the comparability flag, one row a year."""
    figures = comparison["figures"]
    first = figures[0]
    per, level = fmt.number(first["per_inhabitants"]), fmt.percent(first["interval_level"])
    header = [
        "År",
        "Sverige, antal",
        "Danmark, antal",
        f"Sverige pr. {per} ({level}-interval)",
        f"Danmark pr. {per} ({level}-interval)",
        f"Forhold Sverige/Danmark ({level}-interval)",
        "Sammenlignelighed",
    ]
    rows = []
    for f in figures:
        se = fmt.number(f["se_count_as_quoted"])
        if f["se_count"] is not None and f["se_count"] != f["se_count_as_quoted"]:
            se += f" (beregnet på {fmt.number(f['se_count'])})"
        rows.append(
            [
                str(f["reference_year"]),
                se,
                fmt.number(f["dk_count"]) + _partial(f["dk_months"]),
                _rate_cell(f, "se"),
                _rate_cell(f, "dk"),
                _ratio_cell(f),
                "direkte sammenlignelig" if f["directly_comparable"] else "ikke direkte sammenlignelig",
            ]
        )
    return compact(markdown_table(header, rows, align="lrrrrrl", widths=[5, 7, 10, 15, 17, 19, 14]))


def _rate_cell(f: dict, side: str) -> str:
    if f[f"{side}_rate"] is None:
        return fmt.MISSING
    estimate = "skøn " if side == "dk" and f["dk_status"] == "estimated" else ""
    return (
        f"{estimate}{fmt.number(f[f'{side}_rate'], 2)} "
        f"({_interval(f[f'{side}_rate_lower'], f[f'{side}_rate_upper'], 2)})"
    )


def _ratio_cell(f: dict) -> str:
    if f["rate_ratio"] is None:
        return fmt.MISSING
    estimate = "skøn " if f["dk_status"] == "estimated" else ""
    return (
        f"{estimate}{fmt.number(f['rate_ratio'], 1)} gange "
        f"({_interval(f['rate_ratio_lower'], f['rate_ratio_upper'], 1)})"
    )


def comparison_notes(comparison: dict) -> str:
    figures = comparison["figures"]
    first = figures[0]
    reasons = dict.fromkeys(f["comparability_reason"] for f in figures if not f["directly_comparable"])
    periods = dict.fromkeys(f["period_note"] for f in figures if f["period_note"])
    level = fmt.percent(first["interval_level"])
    method = wording.comparison_interval_text(first["rate_interval_method"])
    return notes(
        *(f"Ikke direkte sammenlignelig: {reason}." for reason in reasons),
        *periods,
        f"Rater pr. {fmt.number(first['per_inhabitants'])} indbyggere pr. år (personår), med folketallet ved årets "
        f"begyndelse. {level}-intervaller: raterne {method}; "
        f"forholdet {wording.comparison_interval_text(first['ratio_interval_method'])}.",
        comparison["source"],
    )


# --- The audit ----------------------------------------------------------------------------------


def extrapolation_table(audit: dict, series: dict[str, dict], levels: dict[str, float]) -> str:
    """Each partial-year figure: observed months, the computation in its method's terms, the
    estimate with its interval, what the report printed and the verdict. `levels`: interval
    level per figure."""
    header = ["Tal", "Data", "Opgjort", "Beregning", "Helårsskøn (interval)", "Trykt i rapporten", "Vurdering"]
    rows = []
    cutoffs = {p["publication"]: p["data_cutoff"] for p in audit.get("publications", [])}
    for e in audit["extrapolations"]:
        label, year = figure_label(e["figure"], series)
        source = e["inputs"][0]
        level = levels.get(e["figure"])
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
    methods = dict.fromkeys(wording.method_sentence(e["method"]) for e in extrapolations)
    # a full-year interval is said by its assumptions; another kind (a rate) by its description
    intervals = dict.fromkeys(
        wording.interval_description(e["interval_method"])
        for e in extrapolations
        if e["interval_method"] and e.get("interval_kind") != "full_year"
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
    return f"{label} {fmt.year_ranges(i['year'] for i in inputs)}: {check}"


def _check(s: dict, inputs: list[dict], series: dict[str, dict], audit: dict) -> str:
    op, printed = s["operation"], s["printed"]
    if op == "change":
        a, b = inputs[0], inputs[-1]
        return f"{number(b['full_year_value'])} − {number(a['full_year_value'])} = {number(s['computed'])}"
    if op == "percent_change":
        a, b = number(inputs[0]["full_year_value"]), number(inputs[-1]["full_year_value"])
        return (
            f"({b} − {a}) / {a} = {percent(s['computed'] / 100, 2)}, "
            f"afrundet {percent(round_half_up(s['computed'], 0) / 100)}"
        )
    if op == "mean":
        values = [i["full_year_value"] for i in inputs]
        rounded = round_half_up(s["computed"], 0)
        text = (
            f"({' + '.join(number(v) for v in values)}) / {len(values)} = {number(sum(values))} / {len(values)} = "
            f"{number(s['computed'], 2)}, som afrundet giver {number(rounded)}"
        )
        if rounded != printed:
            cut = math.trunc(s["computed"]) == printed
            text += f"; rapportens {number(printed)} er " + ("afkortet, ikke afrundet" if cut else "et andet tal")
        return text
    if op == "monthly_mean":
        i = inputs[0]
        unit = series[i["series"]]["unit"] if i["series"] in series else ""
        rounded = round_half_up(s["computed"], 0)
        text = (
            f"{number(i['value'])} / {fmt.months(i['months'])} = {number(s['computed'], 2)} {unit} om måneden, "
            f"afrundet {number(rounded)}"
            + (f", mens rapporten har {number(printed)}" if rounded != printed else "")
            + f"; men {number(printed)} × {MONTHS_IN_YEAR} = {number(printed * MONTHS_IN_YEAR)}"
        )
        if i["status"] != "estimated":
            return text + f" mod helårstallet {number(i['full_year_value'])}"
        return (
            text + f", mens helårsskønnet {number(i['full_year_value'])} bygger på det præcise gennemsnit "
            f"({number(s['computed'], 2)} × {MONTHS_IN_YEAR})"
        )
    if op == "year_to_year_change_range":
        changes = [(b["year"], abs(b["full_year_value"] - a["full_year_value"])) for a, b in zip(inputs, inputs[1:])]
        outside = [c for _, c in changes if not printed <= c <= s["printed_upper"]]
        listed = ", ".join(f"{y}: {number(c)}" for y, c in changes)
        values = [i["full_year_value"] for i in inputs]
        sizes = [c for _, c in changes]
        return (
            f"ændringerne fra år til år er {listed}; {len(outside)} af {len(changes)} ligger uden for "
            f"{number(printed)}–{number(s['printed_upper'])} (de går fra {number(min(sizes))} til "
            f"{number(max(sizes))}); største minus mindste antal er {number(max(values))} − "
            f"{number(min(values))} = {number(max(values) - min(values))}"
        )
    if op == "same_period_pair":
        return _pair_check(s, series, audit)
    if op == "ratio_to_mean":
        first, rest = inputs[0], inputs[1:]
        mean = sum(i["full_year_value"] for i in rest) / len(rest)
        rounded = round_half_up(s["computed"], 0)
        return (
            f"{number(first['full_year_value'])} mod gennemsnittet for {fmt.year_ranges(i['year'] for i in rest)}: "
            f"({' + '.join(number(i['full_year_value']) for i in rest)}) / {len(rest)} = {number(mean, 2)}; "
            f"{number(first['full_year_value'])} / {number(mean, 2)} = {number(s['computed'], 2)} gange"
            + (f", afrundet {number(rounded)}" if rounded == printed else f", ikke {number(printed)} gange")
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
        return text + (f", hvor rapporten har {number(printed)}" if s["computed"] != printed else "")
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
        return (
            f"opgjort {fmt.date_text(_date(r['count_date']))}" if r.get("count_date") else "opgørelsesdato ikke oplyst"
        )
    return months_text(r["months"])


def _release_text(r: dict) -> str:
    status = RELEASE_STATUS.get(r.get("release_status"), r.get("release_status") or "")
    return f"{r['publisher']} ({published_text(r['published'])}, {status}, {_period_of(r)}): {number(r['value'])}"


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


def statement_items(audit: dict, series: dict[str, dict]) -> list[str]:
    """One markdown list item per statement: verdict, where, the quote, the check."""
    return [
        f"**{_upper_first(verdict(s['verdict']))}** ({escape(where_text(s['where']))}): "
        f"»{escape(s['quote'])}«. {escape(_upper_first(statement_check(s, series, audit)))}."
        for s in audit["statements"]
    ]


def disagreement_items(audit: dict, series: dict[str, dict]) -> list[str]:
    items = []
    for d in audit["disagreements_between_releases"]:
        label, year = figure_label(d["figure"], series)
        chosen = next((r for r in d["releases"] if r["selected"]), None)
        text = f"{label} {year} ({_period_of(d['releases'][0])}): " + "; ".join(_release_text(r) for r in d["releases"])
        if chosen:
            text += (
                f". Udvalgt (den fyldigste, endelige og nyeste udgivelse): {chosen['publisher']}, "
                f"{published_text(chosen['published'])}"
            )
        items.append(escape(text) + ".")
    return items


def published_value_items(audit: dict, series: dict[str, dict]) -> list[str]:
    """The printed values that are not exactly the figures the tables use."""
    items = []
    for p in audit["published_values"]:
        if p["verdict"] == "exact":
            continue
        label, year = figure_label(p["figure"], series)
        name = p["figure"].rsplit(" ", 1)[0]
        others = _other_releases(
            name,
            year,
            p["computed"] if p["computed"] is not None else math.nan,
            audit,
            groups=("disagreements_between_releases",),
        )
        if p["verdict"] == "consistent" and others:
            found = "; ".join(_release_text(r) for r in others)
            text = (
                f"tallet findes i en anden udgivelse af samme periode ({found}) end den, pipelinen har udvalgt "
                f"({number(p['computed'])})"
            )
        else:
            text = f"ingen udgivelse har tallet; pipelinen har {number(p['computed'])}"
        items.append(escape(f"{label} {year}: rapportens »{p['printed']}« ({where_text(p['where'])}): {text}."))
    return items


def _figure_text(i: dict) -> str:
    """'2.181 (januar–september 2024, National enhed for Særlig Kriminalitet, 2024)'; a stock
    with its count date."""
    if i.get("kind") == "stock":
        period = (
            f"opgjort {fmt.date_text(_date(i['count_date']))}" if i.get("count_date") else "opgørelsesdato ikke oplyst"
        )
    else:
        period = wording.period_text(i["year"], i["months"])
    return f"{number(i['value'])} ({period}, {i['publisher']}, {published_text(i['published'])})"


def revised_items(audit: dict, series: dict[str, dict]) -> list[str]:
    """Each figure a publication printed that a release published after its data cut-off
    has changed: what the publication had, and what the data say now."""
    items = []
    for r in audit.get("revised_since", []):
        label, year = figure_label(r["figure"], series)
        had = _figure_text(r["then"]) if r["then"] else "intet tal"
        items.append(escape(f"{label} {year}: rapporten havde {had}; nu {_figure_text(r['now'])}."))
    return items


def revised_sentence(audit: dict) -> str:
    """The lead-in to the list of revisions, or that there are none."""
    publications = audit.get("publications", [])
    cutoff = (
        f" (efter rapportens dataafgrænsning {fmt.date_text(_date(publications[0]['data_cutoff']))})"
        if len(publications) == 1
        else ""
    )
    if not audit.get("revised_since"):
        return f"Ingen af de tal, rapporten trykte, er ændret af en udgivelse, der er kommet senere{cutoff}."
    n = len(audit["revised_since"])
    return (
        f"{'Ét tal' if n == 1 else f'{n} tal'}, som rapporten trykte, er ændret af en udgivelse, der er kommet "
        f"senere{cutoff}. Rapportens tal vurderes ud fra de data, den havde; ændringerne er:"
    )


def publication_date_items(audit: dict, series: dict[str, dict], figures: dict[str, dict]) -> list[str]:
    """Sources dated before their figures. `figures`: the derived figures by 'series year release'."""
    items = []
    for d in audit["publication_dates"]:
        label, year = figure_label(d["figure"], series)
        figure = figures.get(f"{d['figure']} {d['release']}", {})
        value, publisher = figure.get("observed_value"), figure.get("publisher") or "kilden"
        items.append(
            escape(
                f"{label} {year}"
                + (f" ({number(value)})" if value is not None else "")
                + f": kilden, {publisher}, er angivet som udgivet {published_text(d['published'])}, før året {year} var "
                f"begyndt. Den kan ikke være kilden til tallet ({verdict(d['verdict'])})."
            )
        )
    return items


def count_date_items(audit: dict, series: dict[str, dict], tables: dict[str, str]) -> list[str]:
    """Stocks whose count dates are unknown or differ. `tables`: table id per series."""
    items = []
    for c in audit["count_dates"]:
        label = _label(series, c["series"])
        known = "; ".join(f"{y}: {fmt.date_text(_date(d))}" for y, d in sorted(c["known"].items()))
        table = f" (Tabel {tables[c['series']]})" if c["series"] in tables else ""
        items.append(
            escape(
                f"{label}{table}: opgørelsesdatoen er oplyst for {known or 'ingen år'}"
                + (f" og ukendt for {fmt.year_ranges(c['unknown_years'])}" if c["unknown_years"] else "")
                + ". Antallene er derfor ikke nødvendigvis opgjort på samme dato hvert år "
                f"({verdict(c['verdict'])})."
            )
        )
    return items


def _date(text: str):
    from datetime import date

    return date.fromisoformat(text)


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
        enough = m["cases"] >= MIN_CASES
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
                    else f"for få tilfælde til at vurdere ({m['cases']} af mindst {MIN_CASES})"
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
    parts = []
    if linear and linear["cases"]:
        error = linear["mean_absolute_percent_error"]
        parts.append(
            f"På de {linear['cases']} tilfælde, som alle metoder kan give et skøn for, ramte den lineære "
            f"metode (rapportens) i gennemsnit {percent(error / 100, 2)} ved siden af det endelige tal"
            if error is not None
            else f"De {linear['cases']} fælles tilfælde har intet endeligt tal over 0 at måle fejlen i procent på"
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
            f"Der er for få fælles tilfælde ({rec['common_cases']} af mindst {MIN_CASES}) til at anbefale "
            "en metode frem for en anden."
            if rec["common_cases"] < MIN_CASES
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


# --- Custom notifications -------------------------------------------------------------------------


def notification_tree(items: list[dict]) -> list[tuple[int, dict]]:
    """The items in tree order with their depth: root, then each child and its children."""

    def walk(parent: str | None, depth: int) -> list[tuple[int, dict]]:
        out = []
        for item in items:
            if (item["parent"] or None) == parent:
                out += [(depth, item), *walk(item["item"], depth + 1)]
        return out

    return walk(None, 0)


def approx(item: dict) -> str:
    return f"ca. {number(item['value'])}" if str(item["approximate"]).lower() == "true" else number(item["value"])


def notification_table(items: list[dict]) -> str:
    indent = "\u00a0" * 4
    rows = [
        [indent * depth + item["label_da"], approx(item), f"»{item['quote']}«"]
        for depth, item in notification_tree(items)
    ]
    return compact(
        markdown_table(["", "Personer", "Sådan står det i rapporten"], rows, align="lrl", widths=[20, 6, 30])
    )


def notification_notes(items: list[dict]) -> str:
    """Under the table: each sum of parts against its whole, and the source."""
    texts = [
        f"{s['item']['label_da']}: {s['formula']}"
        + (f" (rapporten: {approx(s['item'])})" if s["sum"] != s["item"]["value"] else "")
        + "."
        for s in notification_sums(items)
    ]
    places = dict.fromkeys(f"{i['publication']}, {section_of(i['location'])}" for i in items)
    return notes(*texts, f"Kilde: {'; '.join(places)}.")


def notification_sums(items: list[dict]) -> list[dict]:
    """Each item with children: its value against the sum of its children."""
    out = []
    for item in items:
        children = [c for c in items if c["parent"] == item["item"]]
        if children:
            out.append(
                {
                    "item": item,
                    "children": children,
                    "sum": sum(c["value"] for c in children),
                    "formula": f"{' + '.join(number(c['value']) for c in children)} = "
                    f"{number(sum(c['value'] for c in children))}",
                }
            )
    return out


def section_of(location: str) -> str:
    """'Afsnit 2.6' -> 'afsnit 2.6'."""
    return _lower_first(location)


def statement(audit: dict, statement_id: str) -> dict:
    found = [s for s in audit["statements"] if s["statement"] == statement_id]
    if not found:
        raise KeyError(f"outputs/audit/audit.json has no statement '{statement_id}'")
    return found[0]


# --- The key figures in prose (chapter "Rocker-/banderelateret vold i Danmark") ---------------
# Each function takes the tables' JSON (outputs/tables/table_*.json, by table id) and returns a
# sentence that is true for the data it is given: rise or fall, singular or plural, a partial
# year or none, a figure missing, any extrapolation method. The words: pipeline/wording.py.


def series_cells(tables: dict[str, dict], name: str) -> list[dict]:
    """A series' cells in the tables, by year (status None where the year has no figure)."""
    by_year: dict[int, dict] = {}
    for table in tables.values():
        for cell in table["cells"]:
            if cell["series"] == name:
                by_year.setdefault(cell["reference_year"], cell)
    return [by_year[year] for year in sorted(by_year)]


def full_years(tables: dict[str, dict], name: str) -> list[dict]:
    return [c for c in series_cells(tables, name) if c["status"] == "observed"]


def partial_year(tables: dict[str, dict], name: str) -> dict | None:
    """The latest estimated (partial) year of a series, or None."""
    return next((c for c in reversed(series_cells(tables, name)) if c["status"] == "estimated"), None)


def with_figures(tables: dict[str, dict], name: str) -> list[dict]:
    """The cells with a figure, observed or estimated."""
    return [c for c in series_cells(tables, name) if c["status"] in ("observed", "estimated")]


def key_figure_years(tables: dict[str, dict]) -> tuple[int, int]:
    years = [c["reference_year"] for t in tables.values() for c in t["cells"] if c["status"]]
    return min(years), max(years)


def figure(cell: dict | None, series: dict[str, dict]) -> wording.Figure | None:
    """A table cell as wording.Figure, counted in its series' noun."""
    if cell is None or cell["status"] not in ("observed", "estimated"):
        return None
    estimated = cell["status"] == "estimated"
    return wording.Figure(
        plural=wording.series_noun(series.get(cell["series"], cell)),
        year=cell["reference_year"],
        value=cell["value"],
        observed=cell["observed_value"],
        months=wording.months_of(cell) if estimated else MONTHS_IN_YEAR,
        method=cell["method"] if estimated else None,
        monthly_mean=cell["monthly_mean"],
        period_end=wording.period_end_of(cell) if estimated else None,
        interval=(cell["interval_lower"], cell["interval_upper"], cell["interval_level"], cell.get("interval_kind"))
        if estimated and cell.get("interval_lower") is not None
        else None,
    )


def releases_text(tables: dict[str, dict], figures: Iterable[dict]) -> str:
    """Which releases the key-figure tables use, from the data: 'nøgletallene fra Rigspolitiet
    (2014–2017), … og National enhed for Særlig Kriminalitet (2021–2024), som de gengives i VIVE
    (2025): Forenet Mod Vold'. `figures`: the derived figures' rows (for where each was read)."""
    used = {
        (c["series"], c["reference_year"], c["release_id"])
        for t in tables.values()
        for c in t["cells"]
        if c["status"] in ("observed", "estimated")
    }
    rows = [r for r in figures if (r["series"], r["reference_year"], r["release_id"]) in used]
    years: dict[str, set[int]] = {}
    for r in sorted(rows, key=lambda r: (r["published"] or "", r["publisher"] or "")):
        if r["publisher"]:
            years.setdefault(r["publisher"], set())
            if r["published"]:
                years[r["publisher"]].add(int(r["published"][:4]))
    publishers = wording.listing([f"{p} ({fmt.year_ranges(y)})" if y else p for p, y in years.items()])
    # where each figure was read: a publication quoting it, or the release itself; with the
    # years each covers when there is more than one
    read_in: dict[str, set[int]] = {}
    for r in rows:
        read_in.setdefault((r["reported_by"] or "").split(", ")[0], set()).add(r["reference_year"])
    text = f"nøgletallene fra {publishers}"
    if set(read_in) == {""}:
        return escape(text)
    places = [
        (f"i {source}" if source else "i udgivelserne selv") + (f" ({fmt.year_ranges(y)})" if len(read_in) > 1 else "")
        for source, y in read_in.items()
    ]
    return escape(f"{text}, som de gengives {wording.listing(places)}")


def as_of(cell: dict) -> str:
    """'pr. 30. september 2024' when the count date is known, else 'i 2024'."""
    if not cell["count_date"]:
        return f"i {cell['reference_year']}"
    return f"pr. {fmt.date_text(_date(cell['count_date']))}"


def years_text(tables: dict[str, dict], name: str) -> str:
    """'fra 2014 til 2024' over the years with a figure; 'for 2024' for one; 'for ingen år
    endnu' for none."""
    years = [c["reference_year"] for c in with_figures(tables, name)]
    if not years:
        return "for ingen år endnu"
    return f"for {years[0]}" if min(years) == max(years) else f"fra {min(years)} til {max(years)}"


def latest_sentence(tables: dict[str, dict], name: str, series: dict[str, dict], template: str) -> str:
    """The report's sentence on a series' latest observed figure, with `{count}` ('1.315
    personer', '1 person') and `{as_of}` ('pr. 30. september 2024', else 'i 2024') filled in;
    '' when the series has no observed figure."""
    cells = full_years(tables, name)
    if not cells:
        return ""
    latest = cells[-1]
    return template.format(count=wording.counted(latest["value"], series[name]["unit"]), as_of=as_of(latest))


def counted(value: float, plural: str, decimals: int | None = None) -> str:
    return wording.counted(value, plural, decimals)


def development_text(tables: dict[str, dict], name: str) -> str:
    """The rest of 'Antallet …' over the years observed: 'lå relativt stabilt …', 'steg fra …',
    'svingede mellem …' (the rule: wording.development)."""
    cells = full_years(tables, name)
    if not cells:
        return "er endnu ikke opgjort for noget helt år"
    return wording.development({c["reference_year"]: c["value"] for c in cells})


def change_sentence(
    tables: dict[str, dict], name: str, subject: str, series: dict[str, dict], decimals: int | None = None
) -> str:
    """'Antallet af sigtelser faldt fra 3.357 sigtelser i 2021 til 3.118 sigtelser i 2023, et
    fald på 239 sigtelser (7 %).' — first and last full year; '' without a full year."""
    cells = full_years(tables, name)
    if not cells:
        return ""
    plural = wording.series_noun(series[name])
    a, b = cells[0], cells[-1]
    return wording.from_to_sentence(
        subject, a["value"], a["reference_year"], b["value"], b["reference_year"], plural, decimals
    )


def mean_sentence(tables: dict[str, dict], name: str, series: dict[str, dict], verb: str) -> str:
    """'I perioden 2021–2023 blev der i gennemsnit idømt 389 års fængsel om året.' with `verb`
    'blev der i gennemsnit idømt'; '' with fewer than two full years."""
    cells = full_years(tables, name)
    if len(cells) < 2:
        return ""
    mean = sum(c["value"] for c in cells) / len(cells)
    span = fmt.year_ranges(c["reference_year"] for c in cells)
    return f"I perioden {span} {verb} {wording.counted(mean, wording.series_noun(series[name]), 0)} om året."


def missing_sentence(tables: dict[str, dict], name: str, subject: str) -> str:
    """'Strafmassen for 2024 er endnu ikke offentliggjort.' for the years without a figure."""
    missing = [c["reference_year"] for c in series_cells(tables, name) if c["status"] not in ("observed", "estimated")]
    if not missing:
        return ""
    return f"{subject} for {fmt.year_ranges(missing)} er endnu ikke offentliggjort."


def partial_sentence(tables: dict[str, dict], name: str, series: dict[str, dict]) -> str:
    """What is known of the latest partial year and how it was estimated; '' without one."""
    cell = partial_year(tables, name)
    return wording.partial_year_sentence(figure(cell, series)) if cell else ""


def first_year_sentence(tables: dict[str, dict], names: Sequence[str], series: dict[str, dict]) -> str:
    """'I 2021 var der 33 skudepisoder.' for the first full year of the first series; '' without
    one, or when it is the latest year (latest_counts_sentence says that one)."""
    name = names[0]
    cells = full_years(tables, name)
    if not cells or cells[0]["reference_year"] == latest_year(tables, names):
        return ""
    first = cells[0]
    return f"I {first['reference_year']} var der {wording.counted(first['value'], wording.series_noun(series[name]))}."


def latest_year(tables: dict[str, dict], names: Sequence[str]) -> int | None:
    years = [c["reference_year"] for n in names for c in with_figures(tables, n)]
    return max(years) if years else None


def latest_counts_sentence(tables: dict[str, dict], names: Sequence[str], series: dict[str, dict]) -> str:
    """The latest year of several series, each by the period it covers, with the estimates
    (wording.latest_counts_sentence); after the first full year, so only when it is later."""
    year = latest_year(tables, names)
    if year is None:
        return ""
    cells = {n: next((c for c in series_cells(tables, n) if c["reference_year"] == year), None) for n in names}
    return wording.latest_counts_sentence(
        [figure(cells[n], series) for n in names], [wording.noun(2, wording.series_noun(series[n])) for n in names]
    )


def small_numbers_sentence(tables: dict[str, dict], names: Sequence[str]) -> str:
    cells = [c for n in names for c in with_figures(tables, n)]
    return wording.small_numbers_sentence(
        [c["observed_value"] for c in cells], any(c["status"] == "estimated" for c in cells)
    )


def comparison_with_year(
    tables: dict[str, dict],
    names: Sequence[str],
    series: dict[str, dict],
    other: dict[str, dict],
    year: int,
    source: str,
) -> str:
    """The figures of another year (the gang conflict) set against the mean of the years in
    the tables: 'Under bandekonflikten i 2017 var der til sammenligning 87 skudepisoder, … Det
    er 3,6 gange så mange skudepisoder som gennemsnittet for 2021–2024 (24,33 om året, med
    helårsskønnet for 2024), mens der i gennemsnit var 34,58 sårede og 4,25 dræbte om året i
    2021–2024.' `other`: that year's derived rows by series."""
    nouns = {n: wording.series_noun(series[n]) for n in names}
    shown = [n for n in names if n in other and other[n]["value"] is not None]
    text = (
        f"Under bandekonflikten i {year} var der til sammenligning "
        f"{wording.counts_listing((other[n]['value'], nouns[n]) for n in shown)} ({escape(source)})."
    )
    cells = {n: with_figures(tables, n) for n in names}
    first = names[0]
    if first not in shown or not cells[first] or not sum(c["value_unrounded"] for c in cells[first]):
        return text
    span = fmt.year_ranges(c["reference_year"] for c in cells[names[0]])
    means = {n: sum(c["value_unrounded"] for c in cs) / len(cs) for n, cs in cells.items() if cs}
    estimated = [c["reference_year"] for c in cells[first] if c["status"] == "estimated"]
    text += (
        f" Det er {wording.times_as_many(other[first]['value'] / means[first], nouns[first])} "
        f"gennemsnittet for {span} ({number(means[first], 2)} om året"
        + (f", med helårsskønnet for {fmt.year_ranges(estimated)}" if estimated else "")
        + ")"
    )
    rest = [n for n in names[1:] if n in means]
    spans = {n: fmt.year_ranges(c["reference_year"] for c in cells[n]) for n in rest}
    if rest:  # each mean over its own years, said where they differ from the first series'
        text += (
            ", mens der i gennemsnit var "
            + wording.listing(
                [wording.counted(means[n], nouns[n]) + (f" ({spans[n]})" if spans[n] != span else "") for n in rest]
            )
            + f" om året i {span}"
        )
    return text + "."


def extrapolations_sentence(audit: dict) -> str:
    """After '… viser hver fremskrivning af et delår til hele året:': 'de 4 fremskrivninger er
    1 eksakt og 3 konsistente med afrundingen.', or that there is none."""
    items = audit["extrapolations"]
    if not items:
        return "der er ingen, for alle de tal, tabellerne bruger, dækker hele året."
    checked = [e for e in items if e.get("as_of")]
    latest = [e for e in items if not e.get("as_of")]
    parts = []
    if checked:
        n = len(checked)
        method = wording.method_name(wording.parse_method(checked[0]["method"]).used)
        parts.append(
            f"{'rapportens ene fremskrivning er' if n == 1 else f'rapportens {n} fremskrivninger er'} "
            f"{count_by_verdict(checked)}, regnet på de udgivelser, der forelå ved rapportens "
            f"dataafgrænsning, og med rapportens egen metode ({method})"
        )
    if latest:
        methods = listing(
            list(dict.fromkeys(wording.method_name(wording.parse_method(e["method"]).used) for e in latest))
        )
        again = [e for e in latest if e.get("printed_by")]
        new = [e for e in latest if not e.get("printed_by")]
        if again:
            n = len(again)
            parts.append(
                f"{'det samme tal' if n == 1 else f'de samme {n} tal'} er i de nyeste data fremskrevet efter "
                f"{methods}, som valgt til tabellerne"
            )
        if new:
            n = len(new)
            parts.append(
                f"{'ét tal' if n == 1 else f'{n} tal'} i de nyeste data er fremskrevet efter {methods} "
                "og er ikke trykt i nogen udgivelse"
            )
    return _upper_first(listing(parts)) + "." if not checked else listing(parts) + "."


def unchecked_sentence(backtest: dict) -> str:
    """'Rapportens egne skøn (sigtelser 2024; …) kan først kontrolleres, når de endelige
    helårstal foreligger.' — or, when every partial-year figure has a final one, that."""
    if not backtest["unchecked"]:
        return "Hvert delårstal i udgivelserne er nu fulgt af et endeligt helårstal, som skønnene kan kontrolleres mod."
    return f"Skønnene for {backtest['unchecked']} kan først kontrolleres, når de endelige helårstal foreligger."


def source_of(figures: dict[str, dict], name: str) -> str:
    """'Rigspolitiet, 2017': the publisher and year of a figure, as a source in brackets."""
    row = figures.get(name)
    if row is None:
        return "kilde ikke oplyst"
    return f"{row['publisher']}, {row['published'][:4] if row['published'] else 'udateret'}"


def comparison_rates_text(comparison: dict, counted_word: str = "dræbte") -> str:
    """The rates of the latest full year with a ratio, the population behind them, and why the
    intervals are wide; or that no year has rates to compare."""
    pairs = comparison["figures"]
    full = [f for f in pairs if f["dk_status"] != "estimated" and f["rate_ratio"] is not None]
    if not full:
        return "Der er intet helt år med både et dansk og et svensk tal, som rater kan beregnes for."
    f = full[-1]
    per, level = fmt.number(f["per_inhabitants"]), fmt.percent(f["interval_level"])
    return (
        f"Sverige havde i {f['reference_year']} {number(f['se_population'] / f['dk_population'], 1)} gange så "
        f"mange indbyggere som Danmark. I {f['reference_year']} var raten {number(f['se_rate'], 2)} pr. {per} "
        f"indbyggere i Sverige og {number(f['dk_rate'], 2)} i Danmark, dvs. {number(f['rate_ratio'], 1)} gange så "
        f"høj i Sverige ({level}-interval {number(f['rate_ratio_lower'], 1)}–{number(f['rate_ratio_upper'], 1)}). "
        f"Intervallerne er brede, fordi de danske tal er små: med {counted(f['dk_count'], counted_word)} på et år "
        "kan raten tilfældigt blive lav eller høj."
    )


def comparability_text(comparison: dict) -> str:
    """Whether the two countries' figures measure the same thing, and why not."""
    pairs = comparison["figures"]
    reasons = list(dict.fromkeys(f["comparability_reason"] for f in pairs if not f["directly_comparable"]))
    if not reasons:
        return "Tallene er direkte sammenlignelige: de to lande opgør det samme efter samme definition."
    return (
        f"Tallene er dog **ikke direkte sammenlignelige**, fordi de bygger på {escape(' '.join(reasons))}. "
        "Forholdene viser derfor en størrelsesorden, ikke en præcis forskel."
    )


def more_than_usual(tables: dict[str, dict], name: str, other: dict[str, dict]) -> str:
    """'langt flere' / 'flere' / … : another year's count (the gang conflict) against the mean
    of the years in the tables (estimates included, as comparison_with_year)."""
    cells = with_figures(tables, name)
    mean = sum(c["value_unrounded"] for c in cells) / len(cells) if cells else 0
    value = other.get(name, {}).get("value") or 0
    ratio = value / mean if mean else (1 if value == 0 else float("inf"))
    return wording.more_or_fewer(ratio)
