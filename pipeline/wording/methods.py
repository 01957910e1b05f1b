"""The extrapolation methods in Danish: their names and descriptions, a method that could not be
used and why (a fallback), and one estimate's arithmetic in its method's own terms."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline import fmt
from pipeline.wording.numbers import WordingError, number
from pipeline.wording.periods import MONTHS_IN_YEAR

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
        re.compile(r"no finite log-linear trend fits the earlier full years"),
        "ingen jævn udvikling passer til de tidligere hele år",
    ),
    (
        re.compile(r"the trend of the earlier years runs beyond any plausible count"),
        "udviklingen i de tidligere år fører ud over ethvert rimeligt tal",
    ),
    (
        re.compile(
            r"the trend of the earlier years predicts (?P<predicted>[\d.e+-]+) for the whole year, "
            r"fewer than the (?P<observed>[\d.e+-]+) already counted"
        ),
        "udviklingen i de tidligere år forudsiger {predicted} for hele året, færre end de {observed}, der allerede "
        "er opgjort",
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
            f"pipeline/wording/methods.py: cannot read the extrapolation method {text!r}; expected one of "
            f"{', '.join(sorted(METHOD_NAMES))}, or '<method> (fallback: <method>: <reason>)'"
        )
    return Method(match["used"], match["asked"], match["reason"])


def method_name(code: str) -> str:
    """'seasonal_share' -> 'sæsonandel'."""
    try:
        return METHOD_NAMES[code]
    except KeyError:
        raise WordingError(
            f"pipeline/wording/methods.py: the extrapolation method '{code}' has no Danish name"
        ) from None


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
            return danish.format(**{k: _reason_number(v) for k, v in match.groupdict().items()})
    return UNKNOWN_REASON


def _reason_number(text: str) -> str:
    """A number in an English reason ('14.2', '19') in Danish ('14,2'); counts stay whole."""
    value = float(text)
    return number(value, 0 if value == int(value) else 1)


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


def method_sentence(text: str | None, subject: str = "") -> str:
    """The method of an estimate in one Danish sentence, with a fallback said as such (for
    `subject`, the figures it concerns, where given)."""
    method = parse_method(text)
    if method.used == "none":
        return "Tallet er opgjort, ikke fremskrevet."
    if method.fell_back:
        return fallback_sentence(method, subject)
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
