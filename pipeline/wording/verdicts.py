"""The audit's verdicts in Danish, and the sentence that says where a publication's number and
the data it had differ. The verdicts themselves are declared in pipeline/audit/verdicts.py."""

from __future__ import annotations

from datetime import date

from pipeline import fmt
from pipeline.wording.numbers import number

VERDICT_NAMES = {
    "exact": "eksakt",
    "consistent": "konsistent med afrundingen",
    "follows_older_release": "følger en ældre udgivelse",
    "mismatch": "afvigelse",
    "not_checkable": "kan ikke kontrolleres",
    "finding": "fund",
}
VERDICT_NAMES_PLURAL = {
    "exact": "eksakte",
    "consistent": "konsistente med afrundingen",
    "follows_older_release": "følger en ældre udgivelse",
    "mismatch": "afvigelser",
    "not_checkable": "kan ikke kontrolleres",
    "finding": "fund",
}
UNCHECKED = "ikke kontrolleret"


def verdict_name(code: str | None, plural: bool = False) -> str:
    return (VERDICT_NAMES_PLURAL if plural else VERDICT_NAMES).get(code or "", UNCHECKED)


def published_text(published: str | None) -> str:
    """'2023-09-16' -> '16. september 2023'; '2018-09' -> 'september 2018'; '2025' -> '2025'."""
    if not published:
        return "udateret"
    parts = str(published).split("-")
    if len(parts) == 3:
        return fmt.date_text(date.fromisoformat(str(published)))
    if len(parts) == 2:
        return f"{fmt.month_name(int(parts[1]))} {parts[0]}"
    return str(published)


def data_differs_sentence(printed: dict, data: dict, what: str = "") -> str:
    """One sentence with both sources and their dates: 'VIVE (2025): Forenet Mod Vold,
    udgivet 2025, skrev 45 (sårede 2017); opgørelsen fra Rigspolitiet (Politiets nøgletal på
    rocker-/bandeområdet), offentliggjort september 2018, har 65.' `printed` and `data` are
    the audit's records of the two sources (publication, published, value; publisher,
    publication, published, value)."""
    about = f" ({what})" if what else ""
    return (
        f"{printed['publication']}, udgivet {published_text(printed.get('published'))}, skrev "
        f"{number(printed['value'])}{about}; opgørelsen fra {data['publisher']} ({data['publication']}), "
        f"offentliggjort {published_text(data.get('published'))}, har {number(data['value'])}."
    )
