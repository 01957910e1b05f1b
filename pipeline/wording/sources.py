"""Where a figure comes from, in Danish: its publisher, publication, publication date, count
date and the secondary source it was read in, each of which may be unknown (None). Every
source line, provenance phrase and count-date phrase of the tables, charts, report and
`noegletal explain` is written here, so an unknown field is said in Danish, never glued in
as "None", and a figure read at its own publisher is not called "gengivet i" it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pipeline import fmt
from pipeline.wording.periods import count_date_text

# An unknown publisher: every key figure in data/raw/ is the police's own (a secondary source
# may quote it without naming the unit that produced it); said "politiets tal, som gengivet i …".
UNKNOWN_PUBLISHER = "politiet"
UNKNOWN_PUBLISHER_GENITIVE = "politiets"
UNDATED_PUBLICATION = "udateret"
NO_COUNT_DATE = "opgørelsesdato ikke oplyst"


def _blank(value) -> bool:
    return value is None or value != value or (isinstance(value, str) and not value.strip())


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def read_in(reported_by: str | None) -> str | None:
    """'VIVE (2025): Forenet Mod Vold, Tabel 1.1' -> 'VIVE (2025): Forenet Mod Vold' (the raw
    format's convention: the source first, then where in it); None for none."""
    if _blank(reported_by):
        return None
    return reported_by.split(",", 1)[0].strip() or None


def secondary_source(publisher: str | None, reported_by: str | None) -> str | None:
    """The secondary source a figure was read in, or None when it was read at its publisher
    (no `reported_by`, or one naming the publisher itself: 'Rigspolitiet, side 4')."""
    source = read_in(reported_by)
    if source is None or (not _blank(publisher) and _key(source) == _key(publisher)):
        return None
    return source


def publisher_text(publisher: str | None) -> str:
    """'Rigspolitiet'; an unknown publisher as 'politiet'."""
    return UNKNOWN_PUBLISHER if _blank(publisher) else publisher.strip()


def publisher_genitive(publisher: str | None) -> str:
    """'Polismyndighetens', 'politiets'; a name ending in s, x or z takes an apostrophe."""
    if _blank(publisher):
        return UNKNOWN_PUBLISHER_GENITIVE
    name = publisher.strip()
    return f"{name}'" if name[-1:].lower() in "sxz" else f"{name}s"


def published_text(published: str | None) -> str:
    """'2023-09-16' -> '16. september 2023'; '2025-01' -> 'januar 2025'; '2023' -> '2023';
    unknown -> 'udateret'."""
    if _blank(published):
        return UNDATED_PUBLICATION
    published = str(published)
    parts = published.split("-")
    if len(parts) == 3:
        return fmt.date_text(date.fromisoformat(published))
    if len(parts) == 2:
        return f"{fmt.month_name(int(parts[1]))} {parts[0]}"
    return published


def published_when(published: str | None, verb: str = "offentliggjort") -> str:
    """'offentliggjort september 2018'; unknown: 'uden oplyst udgivelsesdato' (not
    'offentliggjort udateret')."""
    return "uden oplyst udgivelsesdato" if _blank(published) else f"{verb} {published_text(published)}"


def published_year(published: str | None) -> str:
    """The year a source is cited by ('2024' of '2024-09-30'); 'udateret' when unknown."""
    return UNDATED_PUBLICATION if _blank(published) else str(published)[:4]


def count_date_phrase(count_date, precision: str | None = "day", year: int | None = None) -> str:
    """A stock's count date in a list of years ('2025: opgjort 30. juni 2025'): 'opgjort 30.
    september 2024', 'opgjort januar 2016' (as precisely as the source says,
    wording.count_date_text); unknown: 'opgørelsesdato ikke oplyst' (never 'opgjort pr.
    ukendt'). After a count, counts.counted_on says 'pr. 30. september 2024'."""
    text = None if _blank(count_date) else count_date_text(count_date, precision or "day", year)
    return f"opgjort {text}" if text else NO_COUNT_DATE


def provenance(
    publisher: str | None, publication: str | None, published: str | None, reported_by: str | None = None
) -> str:
    """One figure's source in a phrase: 'Rigspolitiet, »Politiets nøgletal …« (2014), som
    gengivet i VIVE (2025): Forenet Mod Vold, Tabel 1.1'; with every field unknown but the
    secondary source, 'politiets tal (udateret), som gengivet i Ekstra Bladet'."""
    who = None if _blank(publisher) else publisher.strip()
    what = None if _blank(publication) else f"»{publication.strip()}«"
    if who and what:
        text = f"{who}, {what}"
    elif who:
        text = who
    elif what:
        text = f"{UNKNOWN_PUBLISHER_GENITIVE} tal, {what}"
    else:
        text = f"{UNKNOWN_PUBLISHER_GENITIVE} tal"
    text += f" ({published_text(published)})"
    if secondary_source(publisher, reported_by) is not None:
        text += f", som gengivet i {reported_by.strip()}"
    return text


# Quotes a source line names: a figure read in the press or in an official secondary source
# is cited as read there; a quote in research (VIVE's tables quoting the police) cites the
# police's release as the research itself does.
NAMED_QUOTES = ("press", "official")


def cited_publisher(publisher: str | None, reported_by: str | None = None, source_kind: str | None = None) -> str:
    """Who a source line cites: the publisher; a figure known from a press or official quote
    as read there ('Rigspolitiet, som gengivet i Ekstra Bladet'); an unknown publisher by the
    source that quotes it ('politiet, som gengivet i Ekstra Bladet'), or 'politiet'."""
    if not _blank(publisher):
        source = read_in(reported_by) if source_kind in NAMED_QUOTES else None
        if source is not None and secondary_source(publisher, reported_by) is not None:
            return f"{publisher.strip()}, som gengivet i {source}"
        return publisher.strip()
    source = read_in(reported_by)
    return f"{UNKNOWN_PUBLISHER}, som gengivet i {source}" if source else UNKNOWN_PUBLISHER


def source_listing(rows: Iterable[dict], undated: bool = True, ordered: bool = False) -> str:
    """'Rigspolitiet 2014, 2015; Nationalt Efterforskningscenter 2018; politiet, som gengivet
    i Ekstra Bladet 2016': each publisher with the years it published (a source line cites by
    publication year); an undated release as 'udateret', last (left out when not `undated`).
    `rows`: dicts with publisher, published and reported_by (any may be None); `ordered`: cite
    them in the order given, else by date."""
    by_publisher: dict[str, list[str]] = {}
    if not ordered:
        rows = sorted(
            rows,
            key=lambda r: (_blank(r.get("published")), str(r.get("published") or ""), str(r.get("publisher") or "")),
        )
    for r in rows:
        years = by_publisher.setdefault(
            cited_publisher(r.get("publisher"), r.get("reported_by"), r.get("source_kind")), []
        )
        year = published_year(r.get("published"))
        if (undated or year != UNDATED_PUBLICATION) and year not in years:
            years.append(year)
    return "; ".join(" ".join([p, ", ".join(y)]).strip() for p, y in by_publisher.items())


def found_in(publisher: str | None, publication: str | None, source: str | None) -> str:
    """Another release of a figure, after 'findes også i': '»Rigspolitiets rapporter 2009–2014«
    (Rigspolitiet, gengivet i Socialstyrelsen)'; with the publication unknown, 'Rigspolitiets
    tal (gengivet i …)' or 'politiets tal'. `source`: the secondary source, if any."""
    where = f"gengivet i {source}" if source else ""
    if _blank(publication):
        return f"{publisher_genitive(publisher)} tal" + (f" ({where})" if where else "")
    return f"»{publication.strip()}« ({', '.join(p for p in (publisher_text(publisher), where) if p)})"


def read_in_text(source: str | None) -> str:
    """Where a figure was read, as a change of source says it: 'gengivet i Nordjyske'; at the
    publisher itself: 'læst hos udgiveren selv'."""
    return f"gengivet i {source}" if source else "læst hos udgiveren selv"


def labelled(label: str, text: str) -> str:
    """'Dræbte 2015: …' — the label before a text, once: a text that already starts with it
    is not labelled again ('draebte 2015: draebte 2015: …')."""
    label, text = label.strip(), text.strip()
    if not label:
        return text
    if text.casefold().startswith(f"{label}:".casefold()):
        return text
    return f"{label}: {text}"


def table_reference(table_id: str, table_years: Iterable[int], years: Iterable[int]) -> str:
    """Which table shows a series, by the table's own years: 'Tabel 1.1' when every year the
    sentence names is in it, 'Tabel 1.1 viser 2014–2024' when some are not, '' when none is."""
    shown, named = set(table_years), set(years)
    if not shown or (named and not named & shown):
        return ""
    if named <= shown:
        return f"Tabel {table_id}"
    return f"Tabel {table_id} viser {fmt.year_ranges(shown)}"


# Why a figure's release is the one used, in the audit's codes (pipeline/audit/releases.py
# WHY_USED), for "Udvalgt: … (…)".
WHY_USED = {
    "correction": "den retter den anden udgivelse",
    "more_months": "den dækker mest af året",
    "final": "en endelig opgørelse går forud for en foreløbig",
    "authority": "den mest autoritative kilde giver dette tal",
    "own_release": "udgiverens egen udgivelse",
    "later_original": "den senest offentliggjorte udgivelse",
    "earlier_quote": "den tidligste gengivelse",
}


def read_where(publisher: str | None, reported_by: str | None, reported_on: str | None = None) -> str:
    """Where a release was read, after its own date and status: ', gengivet i Ekstra Bladet
    (oktober 2025)'; empty when read at the publisher."""
    source = secondary_source(publisher, reported_by)
    if source is None:
        return ""
    return f", gengivet i {source}" + (f" ({published_text(reported_on)})" if not _blank(reported_on) else "")
