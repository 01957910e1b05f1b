"""Sources an analyst actually has (issue 22): the police's own releases, and quotes of them in
the press, in answers to the Folketing, in the crime-prevention council's summaries. Each
scenario copies the project, adds releases of one kind, runs the core and the audit, and
checks that no table cell or source line changes unless a primary release changes it, and
that every disagreement is listed with both sources and dates."""

from __future__ import annotations

import json

import polars as pl
import pytest

from pipeline import audit, schemas
from pipeline.core_stages import run_core
from pipeline.errors import InputError

from conftest import copy_project, table_cells as cells, tables_of

HEADER = ",".join([*schemas.RELEASE_COLUMNS, "reported_on", "source_kind", "supersedes", "approximate"])
NSK = "National enhed for Særlig Kriminalitet"
RP = "Rigspolitiet"
KEY_FIGURES = "Politiets nøgletal på rocker-/bandeområdet"
UNITS = {
    "medlemmer": ("stock", "personer"),
    "strafmasse": ("flow", "år fængsel"),
    "sigtelser": ("flow", "sigtelser"),
    "skudepisoder": ("flow", "skudepisoder"),
    "saarede": ("flow", "personer"),
    "draebte": ("flow", "personer"),
}


def row(
    series,
    year,
    value,
    *,
    months="",
    count_date="",
    status="final",
    publisher=NSK,
    publication=KEY_FIGURES,
    published="",
    reported_by="",
    reported_on="",
    kind="",
    supersedes="",
    approximate="",
):
    flow_or_stock, unit = UNITS[series]
    if flow_or_stock == "flow" and not months:
        months = 12
    fields = [
        series,
        year,
        f'"{value}"' if "," in str(value) else value,
        months,
        "",
        count_date,
        flow_or_stock,
        unit,
        status,
        publisher,
        publication,
        published,
        f'"{reported_by}"' if "," in reported_by else reported_by,
        "",
        "",
        reported_on,
        kind,
        supersedes,
        approximate,
    ]
    return ",".join(str(f) for f in fields)


# The shipped figures for 2023 are NSK's key figures as VIVE's tables quote them (research).
NEWSPAPER = "Ekstra Bladet, artikel om bandekonflikten"
SCENARIOS = {
    # a newspaper repeating the police's 2023 figures a year later: one right, one misquoted
    "newspaper_repeats_a_year_later": {
        "ekstrabladet_202410": [
            row("sigtelser", 2023, "3.118", published=2023, reported_by=NEWSPAPER, reported_on="2024-10", kind="press"),
            row("skudepisoder", 2023, 25, published=2023, reported_by=NEWSPAPER, reported_on="2024-10", kind="press"),
        ]
    },
    # an answer to the Folketing quoting the police's 1 September count
    "answer_to_the_folketing": {
        "jm_svar_2022": [
            row(
                "medlemmer",
                2022,
                "1.290",
                count_date="2022-09-01",
                published="2022-09",
                reported_by="Justitsministeriet, svar på spørgsmål 123 (REU)",
                reported_on="2022-11-02",
                kind="official",
            )
        ]
    },
    # the crime-prevention council's summary: an undated page, a count known to the month
    "council_summary_undated": {
        "dkr_udateret": [
            row(
                "medlemmer",
                2016,
                "1.260",
                count_date="2016-01",
                publisher=RP,
                reported_by="Det Kriminalpræventive Råd, Bander i Danmark",
                kind="official",
            )
        ]
    },
    # a press release: the status at the start of 2014 given for 2013, an approximate value
    "press_release_start_of_year_and_approximate": {
        "rigspolitiet_pressemeddelelse_2014": [
            row("medlemmer", 2013, "1.450", count_date="2014-01-01", publisher=RP, published="2014-02", kind="primary"),
            row("strafmasse", 2013, 637, publisher=RP, published="2014-02", kind="primary", approximate="true"),
        ]
    },
    # a quote that names no release
    "quote_naming_no_release": {
        "bt_2019": [
            row(
                "skudepisoder",
                2012,
                30,
                publisher="",
                publication="",
                reported_by="B.T., ifølge politiet",
                reported_on="2019-05",
                kind="press",
            )
        ]
    },
}


def sources(paths):
    return {t: table["source"] for t, table in tables_of(paths).items()}


def add(paths, releases):
    for name, rows in releases.items():
        (paths.raw_releases / f"{name}.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    paths = copy_project(tmp_path_factory.mktemp("baseline"))
    run_core(paths)
    return cells(paths), sources(paths)


def refreshed(tmp_path, releases):
    paths = copy_project(tmp_path)
    add(paths, releases)
    run_core(paths)
    audit.run(paths)
    return paths, json.loads((paths.audit / "audit.json").read_text(encoding="utf-8"))


def _primary(releases) -> set[str]:
    return {name for name, rows in releases.items() if any(",primary," in r for r in rows)}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_no_cell_or_source_line_changes_unless_a_primary_release_changes_it(tmp_path, baseline, scenario):
    before, before_sources = baseline
    paths, _ = refreshed(tmp_path, SCENARIOS[scenario])
    after = cells(paths)
    primary = _primary(SCENARIOS[scenario])
    for key, cell in after.items():
        old = before.get(key)
        if cell["release_id"] in primary:
            continue
        assert old is not None, key
        assert (cell["release_id"], cell["value"], cell["observed_value"]) == (
            old["release_id"],
            old["value"],
            old["observed_value"],
        ), key
    if not primary:
        assert sources(paths) == before_sources


def test_a_newspaper_quote_corroborates_or_misquotes_and_the_audit_says_which(tmp_path):
    paths, report = refreshed(tmp_path, SCENARIOS["newspaper_repeats_a_year_later"])
    corroborated = {c["figure"]: c for c in report["corroborations"]}
    assert "sigtelser 2023" in corroborated
    c = corroborated["sigtelser 2023"]
    assert c["used"] == "nsk_2023"
    assert {r["release"] for r in c["releases"]} == {"nsk_2023", "ekstrabladet_202410"}
    assert "2024-10" in c["reason"] and "press" in c["reason"]
    misquotes = [d for d in report["disagreements_between_releases"] if d["figure"] == "skudepisoder 2023"]
    assert len(misquotes) == 1
    d = misquotes[0]
    assert d["misquote"] and d["used"] == "nsk_2023"
    # both sources with their dates, and why the tables keep the one they keep
    assert "21" in d["reason"] and "25" in d["reason"] and "2024-10" in d["reason"] and "(2023," in d["reason"]
    assert d["why"] == "authority" and "a more authoritative source gives its value" in d["reason"]
    # the report says the same, in Danish, with both sources and where the quote was read
    from pipeline import report_helpers as rh

    series = {r["series"]: r for r in pl.read_parquet(paths.validated_series).iter_rows(named=True)}
    item = next(i for i in rh.disagreement_items(report, series) if i.startswith("Skudepisoder 2023"))
    assert "gengivet i Ekstra Bladet (oktober 2024)" in item and ": 21" in item and ": 25" in item
    assert "den mest autoritative kilde giver dette tal" in item


def test_counts_known_to_the_month_or_at_the_start_of_the_next_year(tmp_path):
    releases = SCENARIOS["council_summary_undated"] | SCENARIOS["press_release_start_of_year_and_approximate"]
    paths, _ = refreshed(tmp_path, releases)
    figures = pl.read_parquet(paths.derived_figures)
    month = figures.filter(pl.col("release_id") == "dkr_udateret").row(0, named=True)
    assert month["count_date_precision"] == "month" and month["count_date"].isoformat() == "2016-01-01"
    assert not month["selected"]  # the annual count of 2016 is still the one the tables show
    start = figures.filter(
        (pl.col("release_id") == "rigspolitiet_pressemeddelelse_2014") & (pl.col("series") == "medlemmer")
    ).row(0, named=True)
    assert start["reference_year"] == 2013 and start["count_date"].isoformat() == "2014-01-01"
    approx = (
        figures.filter(pl.col("series") == "strafmasse").filter(pl.col("reference_year") == 2013).row(0, named=True)
    )
    assert approx["approximate"] and approx["observed_value"] == 637


def test_wording_of_counts_known_to_the_month_and_at_the_next_year():
    from pipeline import wording

    assert wording.count_date_text("2016-01-01", "month") == "januar 2016"
    assert wording.count_date_text("2016-01-01", "year") == "2016"
    assert wording.count_date_text("2014-01-01", "day", 2013) == "1. januar 2014, ved begyndelsen af året efter"
    assert wording.about("637", True) == "ca. 637"


def test_an_approximate_value_is_printed_as_such(tmp_path):
    # a primary release of an approximate value in a year Table 1.2 shows: "ca." in the cell
    releases = {
        "nsk_2023_strafmasse": [row("strafmasse", 2023, 390, published="2024-06", kind="primary", approximate="true")]
    }
    paths, _ = refreshed(tmp_path, releases)
    table = tables_of(paths)["1.2"]
    assert any("ca. 390" in cell for r in table["rows"] for cell in r)
    # the chart's hover and labels, and explain, say so too
    from pipeline import charts
    from pipeline.explain import explain

    figure = charts.build_figure("sigtelser_strafmasse", paths).to_json()
    assert "ca. 390" in figure
    lines = "\n".join(explain("strafmasse", 2023, paths).lines)
    assert "(approximate: the source gives ca.)" in lines


def test_a_correction_is_used_whatever_its_authority(tmp_path):
    releases = {
        "nsk_2023_egen": [row("skudepisoder", 2023, 22, published="2024-03", kind="primary")],
        "nsk_2023_rettelse": [
            row(
                "skudepisoder",
                2023,
                21,
                published="2024-03",
                reported_by="Rigspolitiets rettelsesblad",
                reported_on="2024-04",
                kind="press",
                supersedes="nsk_2023_egen",
            )
        ],
    }
    paths, report = refreshed(tmp_path, releases)
    assert cells(paths)[("skudepisoder", 2023)]["release_id"] == "nsk_2023_rettelse"
    assert any(c["figure"] == "skudepisoder 2023" for c in report["corrections"])


@pytest.mark.parametrize(
    ("fields", "column", "check"),
    [
        ({"kind": "rumour"}, "source_kind", "source_kind_values"),
        (
            {"reported_on": "2023-01", "reported_by": "Avisen", "published": "2024"},
            "reported_on",
            "reported_after_published",
        ),
        ({"reported_on": "2024-05"}, "reported_on", "reported_on_needs_reported_by"),
        ({"publisher": ""}, "publisher", "publisher_or_reported_by"),
        ({"supersedes": "no_such_release"}, "supersedes", "supersedes_known_release"),
        ({"approximate": "ca."}, "approximate", "boolean_values"),
        ({"status": "final_for_period"}, "status", "final_for_period_is_partial"),
    ],
)
def test_bad_provenance_is_refused_with_its_place(tmp_path, fields, column, check):
    paths = copy_project(tmp_path)
    add(paths, {"ny": [row("sigtelser", 2022, "3.000", **({"published": "2024"} | fields))]})
    with pytest.raises(InputError) as exc:
        run_core(paths)
    problems = [p for p in exc.value.problems if p.check == check]
    assert problems, [p.render() for p in exc.value.problems]
    assert problems[0].file == "data/raw/releases/ny.csv" and problems[0].column in (column, f"{column}_text")


def test_a_source_line_names_a_press_or_official_quote_and_cites_research_as_it_cites():
    from pipeline import wording

    def cell(kind, reported_by):
        return {
            "status": "observed",
            "publisher": RP,
            "published": "2020",
            "reported_by": reported_by,
            "source_kind": kind,
        }

    assert wording.source_text([cell("press", "Ekstra Bladet, 12. oktober 2021")]) == (
        "Kilde: Tabellen er baseret på nøgletal fra Rigspolitiet, som gengivet i Ekstra Bladet 2020."
    )
    assert wording.source_text([cell("research", "VIVE (2025): Forenet Mod Vold, Tabel 1.1")]) == (
        "Kilde: Tabellen er baseret på nøgletal fra Rigspolitiet 2020."
    )


def test_a_count_known_to_the_month_is_said_so_beside_the_count_shown(tmp_path):
    """The council's count of January 2016 beside the annual count of 2016 in the long-run
    chart's notes: its month, never a made-up day."""
    from pipeline import charts

    paths, _ = refreshed(tmp_path, SCENARIOS["council_summary_undated"])
    notes = " ".join(charts.chart_metadata("lang_udvikling", paths)["notes"])
    assert "2016 er også talt i januar 2016" in notes
    assert "1. januar 2016" not in notes
