"""Danish words for numbers, periods, places and verdicts, from the outputs' structured fields."""

from __future__ import annotations

from collections.abc import Iterable

from pipeline import fmt, wording

MONTHS_IN_YEAR = 12
VERDICTS = wording.VERDICT_NAMES  # the audit's verdicts in Danish (pipeline/wording/verdicts.py)
VERDICTS_PLURAL = wording.VERDICT_NAMES_PLURAL
# the publisher's word for a release; a count final for its part of the year is worded as
# what it is (the months follow it in the text)
RELEASE_STATUS = {"final": "endelig", "preliminary": "foreløbig", "final_for_period": "opgjort for perioden"}
# the same before a noun in the plural ("de endelige tal")
RELEASE_STATUS_ADJECTIVE = {"final": "endelige", "preliminary": "foreløbige", "final_for_period": "endelige"}
COUNTRIES = {"DK": "Danmark", "SE": "Sverige"}


# Numbers in prose: whole numbers without decimals, others with two unless told; one minus
# sign '−' (pipeline/wording/, the one home for Danish wording).
number = wording.number
percent = wording.percent


def verdict(code: str | None) -> str:
    return wording.verdict_name(code)


def months_text(months: float | None) -> str:
    """12 -> 'hele året'; 9 -> 'januar–september'; 11,47 -> '11,47 måneder'."""
    if months is None:
        return "periode ikke oplyst"
    if months >= MONTHS_IN_YEAR:
        return "hele året"
    if float(months).is_integer():
        return fmt.months_span(int(months))
    return f"{fmt.months(months)} måneder"


published_text = wording.published_text  # '2025-01' -> 'januar 2025'


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


listing = wording.listing  # ['a', 'b', 'c'] -> 'a, b og c'


def _date(text: str):
    from datetime import date

    return date.fromisoformat(text)
