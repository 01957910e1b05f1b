"""The audit's verdicts in Danish, and the sentence that says where a publication's number and
the data it had differ. The verdicts themselves are declared in pipeline/audit/verdicts.py."""

from __future__ import annotations

from pipeline.wording.numbers import number
from pipeline.wording.sources import published_when, publisher_text

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


def data_differs_sentence(printed: dict, data: dict, what: str = "") -> str:
    """One sentence with both sources and their dates: 'VIVE (2025): Forenet Mod Vold,
    udgivet 2025, skrev 45 (sårede 2017); opgørelsen fra Rigspolitiet (Politiets nøgletal på
    rocker-/bandeområdet), offentliggjort september 2018, har 65.' `printed` and `data` are
    the audit's records of the two sources (publication, published, value; publisher,
    publication, published, value)."""
    about = f" ({what})" if what else ""
    return (
        f"{printed['publication']}, {published_when(printed.get('published'), 'udgivet')}, skrev "
        f"{number(printed['value'])}{about}; opgørelsen fra {_source(data)}, "
        f"{published_when(data.get('published'))}, har {number(data['value'])}."
    )


def _source(data: dict) -> str:
    """'Rigspolitiet (Politiets nøgletal på rocker-/bandeområdet)'; an unknown publication left
    out, an unknown publisher said as 'politiet' (pipeline/wording/sources.py)."""
    publication = data.get("publication")
    return publisher_text(data.get("publisher")) + (f" ({publication})" if publication else "")
