"""The audit (outputs/audit/audit.json), its lists: statements, disagreements between sources,
published values, revisions, publication and count dates."""

from __future__ import annotations

from pipeline import fmt, wording
from pipeline.report_helpers.audit_checks import _period_of, _release_text, statement_check
from pipeline.report_helpers.markdown import escape
from pipeline.report_helpers.words import (
    _date,
    _label,
    _upper_first,
    figure_label,
    number,
    published_text,
    verdict,
    where_text,
)


def statement_items(audit: dict, series: dict[str, dict]) -> list[str]:
    """One markdown list item per statement: verdict, where, the quote, the check, and, where
    the statement is checked with a figure as the report printed it, the audit's finding on
    that figure."""
    items = []
    for s in audit["statements"]:
        found = quoted_findings(s, audit)
        items.append(
            f"**{_upper_first(verdict(s['verdict']))}** ({escape(where_text(s['where']))}): "
            f"»{escape(s['quote'])}«. {escape(_upper_first(statement_check(s, series, audit)))}."
            + (
                " Udsagnet er kontrolleret med rapportens egne tal. " + " ".join(escape(f) for f in found)
                if found
                else ""
            )
        )
    return items


def disagreement_items(audit: dict, series: dict[str, dict]) -> list[str]:
    items = []
    for d in audit["disagreements_between_releases"]:
        label, year = figure_label(d["figure"], series)
        chosen = next((r for r in d["releases"] if r["selected"]), None)
        text = f"{label} {year} ({_period_of(d['releases'][0])}): " + "; ".join(_release_text(r) for r in d["releases"])
        if chosen:
            text += (
                f". Udvalgt: {wording.publisher_text(chosen['publisher'])}, {published_text(chosen['published'])}"
                + wording.read_where(chosen["publisher"], chosen.get("reported_by"), chosen.get("reported_on"))
                + f" ({wording.WHY_USED[d['why']]})"
            )
        items.append(escape(text) + ".")
    return items


def published_value_items(audit: dict, series: dict[str, dict]) -> list[str]:
    """The printed values that are not exactly the figures the tables use: the audit's verdict
    on each and, where the data at the publication's cut-off differ, its one sentence naming
    both sources (audit.json → published_values; nothing is judged here)."""
    items = []
    for p in audit["published_values"]:
        if p["verdict"] == "exact":
            continue
        label, year = figure_label(p["figure"], series)
        text = p.get("finding") or (
            "ingen udgivelse, rapporten kunne bruge, har tallet"
            if p["computed"] is None
            else f"de udgivelser, rapporten kunne bruge, har {number(p['computed'])}"
        )
        items.append(
            escape(
                f"{label} {year}: rapportens »{p['printed']}« ({where_text(p['where'])}) — {verdict(p['verdict'])}. "
            )
            + escape(_upper_first(text.rstrip(".")) + ".")
        )
    return items


def quoted_findings(s: dict, audit: dict) -> list[str]:
    """The findings on the printed values a statement is checked with (audit.json → the
    statement's `quoted`, each a result in published_values)."""
    results = {p.get("id"): p for p in audit["published_values"]}
    return [results[q]["finding"] for q in s.get("quoted", []) if results.get(q, {}).get("finding")]


def publication_view(audit: dict) -> dict:
    """The audit as it judges the publications: their own extrapolations only (each checked on
    the data the publication had), so that a release published after a cut-off changes
    nothing in the chapters about a publication but the list of revisions."""
    return {**audit, "extrapolations": [e for e in audit["extrapolations"] if e.get("as_of")]}


def _figure_text(i: dict) -> str:
    """'2.181 (januar–september 2024, National enhed for Særlig Kriminalitet, 2024)'; a stock
    with its count date."""
    if i.get("kind") == "stock":
        period = wording.count_date_phrase(i.get("count_date"))
    else:
        period = wording.period_text(i["year"], i["months"])
    return f"{number(i['value'])} ({period}, {wording.publisher_text(i.get('publisher'))}, {published_text(i.get('published'))})"


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
        value, publisher = figure.get("observed_value"), wording.publisher_text(figure.get("publisher"))
        items.append(
            escape(
                f"{label} {year}"
                + (f" ({number(value)})" if value is not None else "")
                + f": kilden, {publisher}, er angivet som udgivet {published_text(d['published'])}, før året {year} var "
                f"begyndt. Den kan ikke være kilden til tallet ({verdict(d['verdict'])})."
            )
        )
    return items


def count_date_items(
    audit: dict, series: dict[str, dict], tables: dict[str, str], table_years: dict[str, list[int]] | None = None
) -> list[str]:
    """Stocks whose count dates are unknown or differ. `tables`: table id per series;
    `table_years`: the years the table shows of each series (a table is named only for the
    years it holds, wording.table_reference)."""
    items = []
    for c in audit["count_dates"]:
        label = _label(series, c["series"])
        known = "; ".join(f"{y}: {fmt.date_text(_date(d))}" for y, d in sorted(c["known"].items()))
        named = [int(y) for y in c["known"]] + [int(y) for y in c["unknown_years"]]
        shown = (table_years or {}).get(c["series"], named)
        reference = wording.table_reference(tables[c["series"]], shown, named) if c["series"] in tables else ""
        table = f" ({reference})" if reference else ""
        items.append(
            escape(
                f"{label}{table}: opgørelsesdatoen er oplyst for {known or 'ingen år'}"
                + (f" og ukendt for {fmt.year_ranges(c['unknown_years'])}" if c["unknown_years"] else "")
                + ". Antallene er derfor ikke nødvendigvis opgjort på samme dato hvert år"
                + "".join(
                    ". "
                    + wording.counts_of_year_sentence(
                        year,
                        [
                            (number(o["value"]), o["count_date"], o["shown"])
                            for o in c.get("counts", [])
                            if o["year"] == year
                        ],
                    )[:-1]
                    for year in c.get("years_counted_more_than_once", [])
                )
                + f" ({verdict(c['verdict'])})."
            )
        )
    return items
