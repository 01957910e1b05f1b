"""Danish wording: the one home for words that depend on data.

Everything a reader sees that changes with the data is built here: numbers with one minus
sign, rises and falls, singular and plural, partial and full years, what the data did over a
period, and how a full-year estimate was made (each method in its own words, a fallback said
in Danish). Tables, charts, the report and the audit's Danish text call these functions, so a
sentence is written once and is true for every state of the data.

Only text is built here: no files are read, nothing heavier than pipeline/fmt.py is imported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from pipeline import fmt

MONTHS_IN_YEAR = 12
MINUS = "\u2212"  # the minus sign of Danish prose; "-" is the table's mark for a missing figure

# A series is "stable" over a period when every year lies within this share of the period's
# mean. 20 % is a declared judgement, not a statistical test; the sentence that uses it says
# the rule, so it stays true whatever the data.
STABLE_WITHIN = 0.20


class WordingError(ValueError):
    """A word the data needs has no Danish form here: the message names what is missing."""


# --- numbers --------------------------------------------------------------------------------


def _decimals(value: float, decimals: int | None) -> int:
    """As told; else none for a whole number (also a float sum a hair off one), two otherwise."""
    if decimals is not None:
        return decimals
    return 0 if abs(value - round(value)) < 1e-9 else 2


def _half_up(value: float, decimals: int) -> Decimal:
    """|value| rounded half up at `decimals`, as the report rounds (2,5 -> 3), from the
    shortest decimal form of the float (so 0,125 is 0,125, not 0,12499…)."""
    return abs(Decimal(repr(float(value)))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def number(value: float | None, decimals: int | None = None) -> str:
    """1234 -> '1.234'; 2.666 -> '2,67'; -163 -> '−163' (one minus sign); a value that rounds
    to zero has no sign ('0,00', never '−0,00'); None -> the table's '-'. Rounded half up."""
    if value is None or value != value:  # None or NaN
        return fmt.MISSING
    d = _decimals(value, decimals)
    rounded = _half_up(value, d)
    text = fmt.number(rounded, d)
    return MINUS + text if value < 0 and rounded != 0 else text


def percent(fraction: float | None, decimals: int = 0) -> str:
    """-0.34 -> '−34 %' (no-break space, one minus sign). Rounded half up."""
    if fraction is None or fraction != fraction:
        return fmt.MISSING
    rounded = _half_up(fraction * 100, decimals)
    text = fmt.percent(rounded / 100, decimals)
    return MINUS + text if fraction < 0 and rounded != 0 else text


# --- singular and plural --------------------------------------------------------------------

# The forms of each noun a count is said in, keyed by the plural as data/raw/series.csv writes
# it (a series' `unit`, or its label when the label is itself a count noun: "Dræbte").
FORMS: dict[str, tuple[str, str]] = {
    "personer": ("person", "personer"),
    "dræbte": ("dræbt", "dræbte"),
    "sårede": ("såret", "sårede"),
    "sigtelser": ("sigtelse", "sigtelser"),
    "skudepisoder": ("skudepisode", "skudepisoder"),
    "skyderier": ("skyderi", "skyderier"),
    "tilfælde": ("tilfælde", "tilfælde"),
    "år fængsel": ("år fængsel", "års fængsel"),
    "år": ("år", "år"),
    "måneder": ("måned", "måneder"),
    "indbyggere": ("indbygger", "indbyggere"),
    "gange": ("gang", "gange"),
}


def forms(plural: str) -> tuple[str, str]:
    try:
        return FORMS[plural]
    except KeyError:
        raise WordingError(
            f"pipeline/wording.py: the unit '{plural}' has no Danish singular/plural forms; add it to FORMS"
        ) from None


def noun(value: float, plural: str, decimals: int | None = None) -> str:
    """The noun for a count: singular exactly when the number reads '1' ('1 dræbt'), plural
    otherwise ('0 dræbte', '1,50 dræbte', '2 dræbte')."""
    singular, plural_form = forms(plural)
    return singular if number(value, decimals) == "1" else plural_form


def unit_text(value: float | None, unit: str, decimals: int | None = None) -> str:
    """The unit after a printed value: a count noun in its number ('1 person', '2 personer');
    a rate ('pr. 100.000 indbyggere') as it is."""
    if unit.startswith("pr. ") or value is None:
        return unit
    return noun(value, unit, decimals)


def counted(value: float, plural: str, decimals: int | None = None) -> str:
    """1 -> '1 dræbt'; 12 -> '12 sårede'; 477 'år fængsel' -> '477 års fængsel'."""
    return f"{number(value, decimals)} {noun(value, plural, decimals)}"


def series_noun(series: dict) -> str:
    """The noun a series is counted in: its label when that is a count noun ('dræbte',
    'sigtelser'), else its unit ('personer', 'år fængsel')."""
    label = (series.get("label_da") or "").lower()
    return label if label in FORMS else series["unit"]


def listing(parts: Sequence[str]) -> str:
    """['a', 'b', 'c'] -> 'a, b og c'."""
    parts = [p for p in parts if p]
    return " og ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else "".join(parts)


# --- change ---------------------------------------------------------------------------------


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
        raise WordingError("pipeline/wording.py: development() needs at least one year")
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


# --- periods --------------------------------------------------------------------------------


def months_text(months: float) -> str:
    """9 -> '9 måneder'; 1 -> '1 måned'; 11,47 -> '11,47 måneder'."""
    return f"{fmt.months(months)} {noun(months, 'måneder')}"


def period_text(year: int, months: float | None, period_end: date | None = None) -> str:
    """The part of a year a figure covers: 'hele 2024', 'januar–september 2024', 'januar 2024',
    '1. januar–15. december 2024', or 'de første 11,47 måneder af 2024'."""
    if months is None or months >= MONTHS_IN_YEAR:
        return f"hele {year}"
    if period_end is not None:
        return f"1. januar–{fmt.date_text(period_end, 'd. MMMM')} {year}"
    if float(months).is_integer():
        return f"{fmt.months_span(int(months))} {year}"
    return f"de første {months_text(months)} af {year}"


def rest_of_year(months: float, period_end: date | None = None) -> str:
    """9 -> 'oktober–december'; else 'resten af året'."""
    if period_end is None and float(months).is_integer() and months < MONTHS_IN_YEAR:
        return fmt.months_span_from(int(months) + 1, MONTHS_IN_YEAR)
    return "resten af året"


# --- extrapolation methods ------------------------------------------------------------------

# Short names (in a sentence), names for a table and what each method does, for a reader.
METHOD_NAMES = {"linear": "lineær fremskrivning", "seasonal_share": "sæsonandel", "trend": "tendensfremskrivning"}
METHOD_TITLES = {
    "linear": "Lineær (gennemsnit pr. måned × 12; rapportens metode)",
    "seasonal_share": "Sæsonandel (de samme måneders andel af året i tidligere år)",
    "trend": "Tendens (udviklingen i tidligere hele år)",
}
METHOD_DESCRIPTIONS = {
    "linear": "gennemsnittet pr. måned i de opgjorte måneder gange 12, dvs. under antagelse af, at resten af "
    "året har samme gennemsnit pr. måned",
    "seasonal_share": "det opgjorte antal divideret med den andel af året, som de samme måneder udgjorde i "
    "tidligere år med både en delårsopgørelse og en endelig helårsopgørelse",
    "trend": "det opgjorte antal plus resten af året efter udviklingen i tidligere hele år (en log-lineær "
    "Poisson-regression af helårstallene på årstallet)",
}

# Why a method could not make an estimate (pipeline/methods.py writes the reason in English):
# each known reason as a Danish clause that follows "fordi".
REASONS: list[tuple[re.Pattern, str]] = [
    (
        re.compile(r"no earlier year has a release for the same months and a final full-year release"),
        "intet tidligere år har både en opgørelse for de samme måneder og en endelig helårsopgørelse",
    ),
    (
        re.compile(r"fewer than (?P<needed>\d+) earlier full years \((?P<found>\d+)\)"),
        "der kun er {found} tidligere hele år med en endelig opgørelse, og metoden kræver mindst {needed}",
    ),
    (
        re.compile(r"fewer than 2 earlier full years with any events"),
        "færre end 2 tidligere hele år har hændelser, så der ikke er nogen udvikling at følge",
    ),
    (
        re.compile(r"the trend of the earlier years runs beyond any plausible count"),
        "udviklingen i de tidligere år fører ud over ethvert rimeligt tal",
    ),
    (
        re.compile(r"the same months held none of an earlier year's total"),
        "de samme måneder ikke havde noget af et tidligere års antal",
    ),
]
UNKNOWN_REASON = "metoden ikke kunne give et skøn for tallet"

_METHOD = re.compile(r"(?P<used>[a-z_]+)(?: \(fallback: (?P<asked>[a-z_]+): (?P<reason>.*)\))?", re.S)


@dataclass(frozen=True)
class Method:
    """How an estimate was made: `used` made it; `asked` is the method params.yaml named when
    it could not be used, with its `reason` (English, from pipeline/methods.py)."""

    used: str
    asked: str | None = None
    reason: str | None = None

    @property
    def fell_back(self) -> bool:
        return self.asked is not None


def parse_method(text: str | None) -> Method:
    """The `method` column of data/derived/figures.parquet: 'linear', 'trend', 'none', or
    'linear (fallback: seasonal_share: <reason>)'. The one reader of that column's structure."""
    match = _METHOD.fullmatch((text or "none").strip())
    known = set(METHOD_NAMES) | {"none"}
    if not match or match["used"] not in known or (match["asked"] and match["asked"] not in METHOD_NAMES):
        raise WordingError(
            f"pipeline/wording.py: cannot read the extrapolation method {text!r}; expected one of "
            f"{', '.join(sorted(METHOD_NAMES))}, or '<method> (fallback: <method>: <reason>)'"
        )
    return Method(match["used"], match["asked"], match["reason"])


def method_name(code: str) -> str:
    """'seasonal_share' -> 'sæsonandel'."""
    try:
        return METHOD_NAMES[code]
    except KeyError:
        raise WordingError(f"pipeline/wording.py: the extrapolation method '{code}' has no Danish name") from None


def method_title(code: str) -> str:
    return METHOD_TITLES.get(code) or method_name(code).capitalize()


def method_description(code: str) -> str:
    method_name(code)  # a clear error for an unknown method
    return METHOD_DESCRIPTIONS[code]


def reason_text(reason: str | None) -> str:
    """A reason from pipeline/methods.py as a Danish clause after 'fordi'; unknown -> a
    generic Danish clause, never the English text."""
    for pattern, danish in REASONS:
        match = pattern.fullmatch((reason or "").strip())
        if match:
            return danish.format(**match.groupdict())
    return UNKNOWN_REASON


def fallback_sentence(method: Method, subject: str = "", describe: bool = True) -> str:
    """'Sæsonandel kunne ikke bruges for dræbte, fordi …; i stedet er brugt lineær
    fremskrivning: …' Empty when the method asked for was used."""
    if not method.fell_back:
        return ""
    target = f" for {subject}" if subject else ""
    how = f": {METHOD_DESCRIPTIONS[method.used]}" if describe else ""
    return (
        f"{method_name(method.asked).capitalize()} kunne ikke bruges{target}, fordi {reason_text(method.reason)}; "
        f"i stedet er brugt {method_name(method.used)}{how}."
    )


def method_sentence(text: str | None) -> str:
    """The method of an estimate in one Danish sentence, with a fallback said as such."""
    method = parse_method(text)
    if method.used == "none":
        return "Tallet er opgjort, ikke fremskrevet."
    if method.fell_back:
        return fallback_sentence(method)
    return f"Metoden er {method_name(method.used)}: {METHOD_DESCRIPTIONS[method.used]}."


# --- one estimate, in its method's words ----------------------------------------------------


def computation(
    method: Method,
    label: str,
    observed: float,
    unrounded: float,
    months: float,
    rounded: float | None = None,
    rounded_text: str | None = None,
    observed_text: str | None = None,
) -> str:
    """The arithmetic of one estimate with its numbers, in its method's own terms:
    linear 'sigtelser 2.181 / 9 × 12 = 2.908,00'; seasonal share 'sigtelser 2.181 / 0,7512
    ≈ 2.903,43' (the share the same months held); trend 'sigtelser 2.181 + 712,33 for resten
    af året = 2.893,33'. `rounded` adds '≈ 2.908' ('= 2.908' when exact), as `rounded_text`
    when given."""
    observed_text = observed_text or number(observed)
    if method.used == "seasonal_share":
        share = observed / unrounded if unrounded else None
        share_text = fmt.number(share, 4) if share is not None else fmt.MISSING
        step = f"{observed_text} / {share_text} ≈ {number(unrounded, 2)}"
    elif method.used == "trend":
        step = f"{observed_text} + {number(unrounded - observed, 2)} = {number(unrounded, 2)}"
    else:
        step = f"{observed_text} / {fmt.months(months)} × {MONTHS_IN_YEAR} = {number(unrounded, 2)}"
    if rounded is not None:
        step += f" {'=' if unrounded == rounded else '≈'} {rounded_text or number(rounded)}"
    return f"{label} {step}".strip()


def how_estimated(method: Method, period: str, rest: str) -> str:
    """The assumption of a method, after 'Helårstallet er fremskrevet …' / 'skønnet …':
    linear 'under antagelse af, at oktober–december har samme gennemsnit pr. måned'."""
    if method.used == "seasonal_share":
        return (
            f"ud fra den andel af året, som {period} udgjorde i tidligere år med både en delårsopgørelse og "
            f"en endelig helårsopgørelse"
        )
    if method.used == "trend":
        return f"ved at lægge {rest} til efter udviklingen i tidligere hele år"
    return f"under antagelse af, at {rest} har samme gennemsnit pr. måned"


# --- table notes (pipeline/tables.py) -------------------------------------------------------


def _group(items, key) -> dict:
    groups: dict = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def _value_text(value: float | None, integer_valued: bool) -> str:
    if value is None:
        return fmt.MISSING
    return fmt.number(value, 0 if integer_valued or float(value).is_integer() else 1)


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


def period_end_of(cell: dict) -> date | None:
    end = cell.get("period_end")
    return date.fromisoformat(end[:10]) if isinstance(end, str) and end else end or None


def months_of(cell: dict) -> float:
    """The months a figure covers: the exposure where the cell has it (a period ending inside a
    month, e.g. 11,47), else the whole months covered."""
    exposure = cell.get("months_exposure")
    return exposure if exposure is not None else cell["months_covered"]


# Where a table shows its estimates: in parentheses, as the report ("2.181 (2.908)*"), or in
# cells of their own in italics on a grey fill (the workbook); the note names them so.
ESTIMATES_IN_PARENTHESES = "Tallene i parentes"
ESTIMATES_IN_OWN_CELLS = "Tallene i kursiv på gråt felt"


def table_note(table_cells: list[dict], marker: str, estimates: str = ESTIMATES_IN_PARENTHESES) -> str | None:
    """The note under a table with estimates: for each year, period and method, how the
    estimates were made, with each computation; None without estimates. `estimates` names
    where the table shows them."""
    estimated = [c for c in table_cells if c["status"] == "estimated"]
    if not estimated:
        return None
    parts = []
    groups = _group(
        estimated, lambda c: (c["reference_year"], months_of(c), period_end_of(c), parse_method(c["method"]))
    )
    for (year, months, end, method), group in groups.items():
        labels = listing([c["label_da"].lower() for c in group])
        fallback = fallback_sentence(method, labels, describe=False)
        parts += [p for p in (fallback, _estimate_note(method, year, months, end, group, estimates)) if p]
    prefix = "Note: * " if marker == "asterisk" else "Note: "
    return prefix + " ".join(parts)


def _estimate_note(
    method: Method, year: int, months: float, end: date | None, group: list[dict], estimates: str
) -> str:
    period = f"{period_text(year, months, end)} ({months_text(months)})"
    rest = rest_of_year(months, end)
    if method.used == "linear":
        computations = "; ".join(
            f"{c['label_da'].lower()} {fmt.number(c['observed_value'])} / {fmt.months(months)} × {MONTHS_IN_YEAR} = "
            f"{fmt.number(c['value_unrounded'], 2)} {'=' if c['value_unrounded'] == c['value'] else '≈'} "
            f"{_value_text(c['value'], c['integer_valued'])} "
            f"({fmt.number(c['monthly_mean'], 2)} om måneden{interval_text(c)})"
            for c in group
        )
        return (
            f"{estimates} er fremskrevet til hele {year} ud fra gennemsnittet pr. måned i "
            f"{period}, under antagelse af at {rest} "
            f"har samme gennemsnit: {computations}. Fremskrivningen er et skøn, ikke en opgørelse."
            + _with(interval_assumptions(group, rest))
        )
    computations = "; ".join(
        computation(
            method,
            c["label_da"].lower(),
            c["observed_value"],
            c["value_unrounded"],
            months,
            c["value"],
            _value_text(c["value"], c["integer_valued"]),
            fmt.number(c["observed_value"]),
        )
        + (f" ({interval_text(c)[2:]})" if c.get("interval_lower") is not None else "")
        for c in group
    )
    return (
        f"{estimates} er skøn for hele {year} ud fra {period} med "
        f"{method_name(method.used)}: {METHOD_DESCRIPTIONS[method.used]}: {computations}. "
        "Skønnet er ikke en opgørelse." + _with(interval_assumptions(group, rest))
    )


def _with(sentence: str) -> str:
    return f" {sentence}" if sentence else ""


# --- intervals ------------------------------------------------------------------------------

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
    rules = _group(
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


# --- report sentences on one series ---------------------------------------------------------


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
    return f" ({text})"


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
        fallbacks = " ".join(dict.fromkeys(fallback_sentence(m, describe=False) for m in methods if m.fell_back))
    else:
        fallbacks = ""
    text += "."
    if missing:
        text += f" For {listing(list(missing))} foreligger der endnu ingen tal for {year}."
    return f"{text} {fallbacks}".strip()
