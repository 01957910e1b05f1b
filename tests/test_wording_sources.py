"""Where a figure comes from, in Danish (pipeline/wording/sources.py and the call sites that write
source lines, provenance, count dates and labels: tables, charts, the report and `noegletal
explain`): for any provenance — unknown dates, publishers and publications, a count of 1, a
secondary source that may be the publisher itself — every sentence is Danish, with no "None",
no plural after 1, no doubled label, and the years of figures never said as publication years.
Then one regression test per leak seen with real secondary sources."""

from __future__ import annotations

import re
from datetime import date

import polars as pl
from hypothesis import HealthCheck, given, settings, strategies as st

from pipeline import explain, fmt, report_helpers as rh, wording
from pipeline.charts import longrun, notes
from pipeline.report_helpers import audit_checks, audit_items

from conftest import examples

PROPERTY = settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])

# English (and library) words that must never reach a Danish sentence
ENGLISH = re.compile(
    r"\b(none|nan|null|the|and|of|unknown|undated|release|released|read|from|publisher|published|final"
    r"|preliminary|count|date|source)\b",
    re.I,
)
# a plural noun after the number 1 ('1 personer', 'ikke 1 gange'); '1.315 personer', '2,1 personer' are fine
PLURAL_AFTER_ONE = re.compile(
    r"(?<![\d.,])1 (" + "|".join(re.escape(p) for s, p in wording.FORMS.values() if s != p) + r")\b"
)
DOUBLED_LABEL = re.compile(r"(?:^|[\s(])([^\s:;.()][^:;.()]{2,}): \1:", re.I)

PUBLISHERS = ["Rigspolitiet", "Nationalt Efterforskningscenter", "National enhed for Særlig Kriminalitet"]
SECONDARY = ["VIVE (2025): Forenet Mod Vold, Tabel 1.1", "Ekstra Bladet, 2016-02-03", "Nordjyske, 2017-01, citing DR"]
SERIES = {
    "medlemmer": {"series": "medlemmer", "label_da": "Rocker-/bandemedlemmer", "unit": "personer", "kind": "stock"},
    "draebte": {"series": "draebte", "label_da": "Dræbte", "unit": "personer", "kind": "flow"},
    "sigtelser": {"series": "sigtelser", "label_da": "Sigtelser", "unit": "sigtelser", "kind": "flow"},
    "strafmasse": {"series": "strafmasse", "label_da": "Strafmasse", "unit": "år fængsel", "kind": "flow"},
}


def danish(text: str) -> None:
    """One sentence a reader gets: Danish, with no leak."""
    assert not ENGLISH.search(text), (ENGLISH.search(text), text)
    assert not PLURAL_AFTER_ONE.search(text), text
    assert not DOUBLED_LABEL.search(text), text
    assert "gengivet i udgiveren selv" not in text, text
    assert "opgjort pr. ukendt" not in text, text


@st.composite
def provenances(draw) -> dict:
    """One figure's row as the outputs hold it, with any of its provenance unknown."""
    series = draw(st.sampled_from(sorted(SERIES)))
    year = draw(st.integers(min_value=2009, max_value=2025))
    publisher = draw(st.one_of(st.none(), st.sampled_from(PUBLISHERS)))
    published = draw(
        st.one_of(
            st.none(),
            st.sampled_from([str(year), str(year + 1), f"{year + 1}-03", f"{year + 1}-03-14", str(year + 2)]),
        )
    )
    reported_by = draw(
        st.one_of(
            st.none(),
            st.sampled_from(SECONDARY),
            # the publisher itself, where in it after the comma: no secondary source
            st.just(f"{publisher}, side 4") if publisher else st.nothing(),
        )
    )
    kind = SERIES[series]["kind"]
    count_date = draw(st.one_of(st.none(), st.just(date(year, 9, 30)))) if kind == "stock" else None
    value = draw(st.sampled_from([0.0, 1.0, 2.0, 1315.0]))
    return {
        "series": series,
        "label_da": SERIES[series]["label_da"],
        "unit": SERIES[series]["unit"],
        "kind": kind,
        "reference_year": year,
        "year": year,
        "value": value,
        "observed_value": value,
        "full_year_value": value,
        "months": 12.0 if kind == "flow" else None,
        "months_covered": 12 if kind == "flow" else None,
        "months_exposure": 12.0 if kind == "flow" else None,
        "period_end": None,
        "count_date": count_date,
        "publisher": publisher,
        "publication": draw(st.one_of(st.none(), st.just("Politiets nøgletal på rocker-/bandeområdet"))),
        "published": published,
        "reported_by": reported_by,
        # where and when it was read, what kind of source, how exact (issue 22's format)
        "reported_on": draw(st.one_of(st.none(), st.sampled_from([f"{year + 1}-10", str(year + 2)])))
        if reported_by
        else None,
        "source_kind": draw(st.sampled_from(["primary", "official", "research", "press"])),
        "approximate": draw(st.booleans()),
        "count_date_precision": draw(st.sampled_from(["day", "month", "year"])) if count_date else None,
        "release_id": f"r{year}{draw(st.integers(0, 3))}",
        "release": "r",
        "release_status": draw(st.sampled_from(["final", "preliminary"])),
        "status": "observed",
        "selected": True,
        "integer_valued": True,
        "source_file": "data/raw/releases/r.csv",
        "source_line": 2,
        "rows_aggregated": 1,
    }


@PROPERTY
@given(st.lists(provenances(), min_size=1, max_size=6), st.data())
def test_every_source_sentence_is_danish_for_any_provenance(rows, data):
    # one figure per series and year, as the tables have them
    rows = list({(r["series"], r["reference_year"]): r for r in rows}.values())
    texts = []
    for r in rows:
        texts += [
            wording.provenance(r["publisher"], r["publication"], r["published"], r["reported_by"]),
            wording.found_in(
                r["publisher"], r["publication"], wording.secondary_source(r["publisher"], r["reported_by"])
            ),
            wording.counted_on(r["count_date"]),
            wording.published_text(r["published"]),
            wording.counted(r["value"], r["unit"]),
            explain._period(r),
            audit_checks._release_text(r | {"count_date": r["count_date"] and r["count_date"].isoformat()}),
            audit_items._figure_text(r | {"count_date": r["count_date"] and r["count_date"].isoformat()}),
            rh.source_of({"x": r}, "x"),
            wording.data_differs_sentence(
                {"publication": "VIVE (2025): Forenet Mod Vold", "published": "2025", "value": 45}, r
            ),
            longrun.change_note(
                {
                    "labels": [r["label_da"]],
                    "reference_year": r["reference_year"],
                    "changed": [
                        {"part": "publisher", "before": "Rigspolitiet", "after": r["publisher"]},
                        {"part": "publication", "before": None, "after": r["publication"]},
                        {
                            "part": "read_in",
                            "before": "Nordjyske",
                            "after": longrun.read_in(r["reported_by"], r["publisher"]),
                        },
                    ],
                }
            ),
        ]
        # a chart's hover text, line by line (its first line is the label in bold)
        texts += notes._hover(r | {"context": None}).split("<br>")[1:]
        # explain's input line: its Danish part, before the file and line
        line = explain._input_line(r)
        assert "None" not in line and not PLURAL_AFTER_ONE.search(line), line
        texts.append(line.rsplit(";", 1)[0].split(";", 1)[1])
        if wording.secondary_source(r["publisher"], r["reported_by"]) is None and r["reported_by"]:
            assert "gengivet i" not in wording.provenance(
                r["publisher"], r["publication"], r["published"], r["reported_by"]
            )
    # source lines of a table and of a chart
    cells = [r | {"count_date": r["count_date"] and r["count_date"].isoformat(), "row_order": 1} for r in rows]
    table_source = wording.source_text(cells)
    texts += [table_source, wording.notes_under_table(cells, starred=True) or ""]
    frame = pl.DataFrame([{k: r[k] for k in ("status", "publisher", "published", "reported_by")} for r in rows])
    texts.append(notes.source_text(frame))
    # the audit's lists in the report: releases that disagree, sources dated before their figures
    releases = [
        r | {"count_date": r["count_date"] and r["count_date"].isoformat(), "release": f"r{i}", "selected": i == 0}
        for i, r in enumerate(rows)
    ]
    first = rows[0]
    why = data.draw(st.sampled_from(sorted(wording.WHY_USED)))
    audit = {
        "disagreements_between_releases": [
            {
                "figure": f"{first['series']} {first['reference_year']}",
                "releases": releases,
                "why": why,
            }
        ],
        "publication_dates": [
            {
                "figure": f"{first['series']} {first['reference_year']}",
                "release": "r0",
                "published": "2008",
                "verdict": "finding",
            }
        ],
    }
    by_release = {f"{first['series']} {first['reference_year']} r0": first}
    texts += audit_items.disagreement_items(audit, SERIES) + audit_items.publication_date_items(
        audit, SERIES, by_release
    )
    # the report's intro: the publishers with the years of their figures
    tables = {"1.1": {"cells": [r | {"count_date": None} for r in rows]}}
    intro = rh.releases_text(tables, rows)
    texts.append(intro)
    for i, text in enumerate(texts):
        assert isinstance(text, str), (i, text)
        danish(text)
    # years of figures are never said as publication years, nor the other way round
    cited = set(re.findall(r"\b(?:19|20)\d\d\b", re.sub(r"\(\d{4}\)", "", table_source)))
    assert cited <= {r["published"][:4] for r in rows if r["published"]}, table_source
    for publisher in {wording.publisher_text(r["publisher"]) for r in rows}:
        years = [r["reference_year"] for r in rows if wording.publisher_text(r["publisher"]) == publisher]
        assert f"{publisher} ({fmt.year_ranges(years)})" in intro, intro


# --- one regression test per leak ------------------------------------------------------------


def _row(**changes) -> dict:
    row = {
        "series": "draebte",
        "label_da": "Dræbte",
        "unit": "personer",
        "kind": "flow",
        "reference_year": 2015,
        "observed_value": 5.0,
        "months_covered": 12,
        "months_exposure": 12.0,
        "period_end": None,
        "count_date": None,
        "publisher": "Rigspolitiet",
        "publication": "Politiets nøgletal på rocker-/bandeområdet",
        "published": "2016",
        "reported_by": None,
        "release_status": "final",
        "source_file": "data/raw/releases/r.csv",
        "source_line": 2,
        "rows_aggregated": 1,
    }
    return row | changes


def test_unknown_fields_are_said_in_danish_not_glued_in():
    # "(None)": a blank `published`
    line = explain._input_line(_row(published=None, reported_by="Ekstra Bladet, 2016-02-03"))
    assert "None" not in line
    assert "(udateret), som gengivet i Ekstra Bladet, 2016-02-03" in line
    # "opgjort pr. ukendt": a blank `count_date`
    stock = _row(series="medlemmer", kind="stock", count_date=None, reference_year=2024)
    assert explain._period(stock) == "bestand, uden oplyst tælledato"
    assert explain._period(stock | {"count_date": date(2024, 9, 30)}) == "bestand, pr. 30. september 2024"
    # "Rigspolitiet None" / "None (...)": a blank publisher or publication
    assert wording.provenance(None, None, None, "Ekstra Bladet, 2016-02-03") == (
        "politiets tal (udateret), som gengivet i Ekstra Bladet, 2016-02-03"
    )
    assert wording.provenance("Rigspolitiet", None, "2016", None) == "Rigspolitiet (2016)"
    release = {"publisher": None, "published": None, "release_status": "final", "months": 12.0, "value": 1.0}
    assert audit_checks._release_text(release) == "politiet (udateret, endelig, hele året): 1"
    assert rh.source_of({"x": {"publisher": None, "published": None, "reported_by": "Ekstra Bladet, s. 4"}}, "x") == (
        "politiet, som gengivet i Ekstra Bladet, udateret"
    )
    assert wording.source_text([{"status": "observed", "publisher": None, "published": "2016"}]) == (
        "Kilde: Tabellen er baseret på nøgletal fra politiet 2016."
    )
    assert wording.found_in("Rigspolitiet", None, "Ekstra Bladet") == "Rigspolitiets tal (gengivet i Ekstra Bladet)"
    # a newspaper quote naming no release (data/raw/README.md): cited by the quote, after the dated ones
    frame = pl.DataFrame(
        [
            {
                "status": "observed",
                "publisher": None,
                "published": None,
                "reported_by": "Ekstra Bladet, 12. oktober 2020",
            },
            {"status": "observed", "publisher": "Rigspolitiet", "published": "2014", "reported_by": None},
        ]
    )
    assert notes.source_text(frame) == (
        "Kilde: Figuren er baseret på nøgletal fra Rigspolitiet 2014; politiet, som gengivet i Ekstra Bladet."
    )
    printed = {"publication": "VIVE (2025): Forenet Mod Vold", "published": "2025", "value": 45}
    assert wording.data_differs_sentence(
        printed, {"publisher": None, "publication": None, "published": None, "value": 65}
    ) == (
        "VIVE (2025): Forenet Mod Vold, udgivet 2025, skrev 45; opgørelsen fra politiet, uden oplyst udgivelsesdato, har 65."
    )


def test_one_is_singular():
    # "1 personer" in explain's input line
    assert explain._input_line(_row(observed_value=1.0)).startswith("  1 person — ")
    # "ikke 1 gange" in the check of a ratio to a mean
    s = {
        "operation": "ratio_to_mean",
        "printed": 1,
        "computed": 1.6,
        "verdict": "mismatch",
        "steps": {"rest": [6.0, 4.0], "mean": 5.0, "first": 3.0, "rounded": 2},
        "inputs": [
            {"series": "draebte", "year": y, "full_year_value": v, "status": "observed", "value": v, "months": 12.0}
            for y, v in ((2017, 3.0), (2021, 6.0), (2022, 4.0))
        ],
    }
    text = rh.statement_check(s, SERIES, {})
    assert "ikke 1 gang" in text and "1 gange" not in text, text
    assert "= 1,60 gange" in text
    # "(1 måneder)": a figure for January alone, in explain, the charts' notes and the comparison
    assert explain._period(_row(months_covered=1)) == "strøm, januar 2015 (1 måned)"
    assert notes._months_text(1.0) == "1 måned" and notes._months_text(11.4516) == "11,45 måneder"
    assert wording.the_months(1) == "den ene måned" and wording.the_months(9) == "de 9 måneder"


def test_a_figure_read_at_its_publisher_is_not_gengivet_i_it():
    # "gengivet i udgiveren selv": a change of source to the publisher itself
    change = {
        "labels": ["Dræbte"],
        "reference_year": 2016,
        "changed": [{"part": "read_in", "before": "Nordjyske", "after": None}],
    }
    assert longrun.change_note(change) == "Dræbte fra 2016: læst hos udgiveren selv (før Nordjyske)."
    # `reported_by` naming the publisher itself is no secondary source
    assert wording.secondary_source("Rigspolitiet", "Rigspolitiet, side 4") is None
    assert longrun.read_in("Rigspolitiet, side 4", "Rigspolitiet") is None
    assert "gengivet" not in wording.provenance("Rigspolitiet", "Årsrapport", "2017", "Rigspolitiet, side 4")
    rows = [
        _row(reference_year=2015, release_id="a", reported_by="VIVE (2025): Forenet Mod Vold, Tabel 1.3"),
        _row(reference_year=2016, release_id="b", reported_by="Rigspolitiet, side 4"),
    ]
    tables = {"1.3": {"cells": [r | {"status": "observed"} for r in rows]}}
    text = rh.releases_text(tables, rows)
    assert "i Rigspolitiet" not in text
    assert text == (
        "nøgletallene fra Rigspolitiet (2015–2016), som de gengives i VIVE (2025): Forenet Mod Vold (2015) "
        "og i udgivelserne selv (2016)"
    )


def test_a_label_is_not_repeated():
    assert wording.labelled("draebte 2015", "draebte 2015: 5 mod 1") == "draebte 2015: 5 mod 1"
    assert wording.labelled("Dræbte 2015", "5 mod 1") == "Dræbte 2015: 5 mod 1"
    s = {"operation": "sum", "printed": 18, "computed": 18, "inputs": [11, 7], "verdict": "exact"}
    assert rh.statement_check(s, SERIES, {}) == "11 + 7 = 18"


def test_intro_speaks_of_the_years_of_the_figures():
    # NSK published its 2024 figures in 2025: the intro names the figures' years, 2021–2024
    nsk = "National enhed for Særlig Kriminalitet"
    rows = [
        _row(publisher=nsk, reference_year=y, published=str(p), release_id=str(y))
        for y, p in ((2021, 2021), (2022, 2022), (2023, 2023), (2024, 2025))
    ]
    tables = {"1.3": {"cells": [r | {"status": "observed"} for r in rows]}}
    assert rh.releases_text(tables, rows) == f"nøgletallene fra {nsk} (2021–2024)"


def test_a_table_is_named_only_for_the_years_it_holds():
    # §4.5 said the count dates of 2009–2023 were in Table 1.1, which starts in 2014
    audit = {
        "count_dates": [
            {
                "series": "medlemmer",
                "known": {"2024": "2024-09-30"},
                "unknown_years": list(range(2009, 2024)),
                "verdict": "finding",
            }
        ]
    }
    [item] = rh.count_date_items(audit, SERIES, {"medlemmer": "1.1"}, {"medlemmer": list(range(2014, 2025))})
    assert item.startswith("Rocker-/bandemedlemmer (Tabel 1.1 viser 2014–2024): opgørelsesdatoen"), item
    [item] = rh.count_date_items(audit, SERIES, {"medlemmer": "1.1"}, {"medlemmer": list(range(2009, 2025))})
    assert item.startswith("Rocker-/bandemedlemmer (Tabel 1.1): "), item
    assert wording.table_reference("1.1", range(2014, 2025), [2009, 2010]) == ""
