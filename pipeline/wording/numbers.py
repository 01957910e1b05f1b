"""Numbers as Danish prose writes them (one minus sign, rounded half up) and the nouns they
count, in singular or plural as the number reads."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from pipeline import fmt

MINUS = "\u2212"  # the minus sign of Danish prose; "-" is the table's mark for a missing figure


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


def about(text: str, approximate: bool | None) -> str:
    """A number the source gives as approximate, as it gives it: 'ca. 637'."""
    return f"ca. {text}" if approximate else text


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
    "udgivelser": ("udgivelse", "udgivelser"),
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
            f"pipeline/wording/numbers.py: the unit '{plural}' has no Danish singular/plural forms; add it to FORMS"
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
