"""Counts as counted (issue 22, items 4 and 5).

- A past year known only from a January–June release is shown as its count with its months,
  not extrapolated (only a series' latest year is; params.yaml
  extrapolation.past_partial_years: extrapolate turns it on for earlier years too).
- A stock counted on two dates in one year is two observations: wherever the two stand side
  by side (chart notes, explain, audit, report) both count dates are given, and they are not
  called a disagreement."""

from __future__ import annotations

import json

import polars as pl
from hypothesis import given, settings, strategies as st

from pipeline import audit, charts, explain, wording
from pipeline.core_stages import run_core
from pipeline.extrapolate import extrapolate
from pipeline.report_helpers.audit_items import count_date_items
from pipeline.table_files import table_file_stem

from conftest import examples, set_params, write_release

CHART = "lang_udvikling"
NEC = "Nationalt Efterforskningscenter,Politiets nøgletal på rocker-/bandeområdet"


def flow(series, year, value, months, published):
    return (
        f"{series},{year},{value},{months},,,flow,personer,final,{NEC},{published},"
        '"VIVE (2025): Forenet Mod Vold, afsnit 1.5",,made up for the test'
    )


# wounded and killed 2009 (no release has them) and 2019 (a year missing in the long run),
# each known only for January–June
HALF_YEARS = [
    flow("saarede", 2009, 6, 6, "2009-08"),
    flow("draebte", 2009, 1, 6, "2009-08"),
    flow("saarede", 2019, 14, 6, "2019-08"),
]


def figure(paths, series, year) -> dict:
    rows = pl.read_parquet(paths.derived_figures).filter(
        pl.col("selected") & (pl.col("series") == series) & (pl.col("reference_year") == year)
    )
    return rows.row(0, named=True)


def test_a_past_half_year_is_shown_as_counted_with_its_months(project):
    write_release(project, "nec_h1_test", HALF_YEARS)
    set_params(project, **{"tables.table_1_3.first_year": 2019})
    run_core(project)

    for series, year, count in (("saarede", 2009, 6), ("draebte", 2009, 1), ("saarede", 2019, 14)):
        f = figure(project, series, year)
        assert f["status"] == "observed" and f["is_partial"] and not f["is_extrapolated"], (series, year)
        assert f["value"] == f["observed_value"] == count and f["months_covered"] == 6  # not doubled
        assert f["method"] == "none" and f["interval_lower"] is None
    assert figure(project, "sigtelser", 2024)["status"] == "estimated"  # the latest year still is

    # the chart's data: the count, observed, with its months; labelled and hovered with them
    data = charts.chart_data(CHART, project)
    wounded = data.filter((pl.col("series") == "saarede") & (pl.col("reference_year") == 2009)).row(0, named=True)
    assert (wounded["status"], wounded["value"], wounded["months_covered"]) == ("observed", 6, 6)
    assert data.filter(pl.col("series") == "saarede")["reference_year"].min() == 2009
    meta = charts.chart_metadata(CHART, project)
    assert not [e for e in meta["estimates"] if e["reference_year"] in (2009, 2019)]
    assert {(p["series"], p["reference_year"]) for p in meta["partial_observed"]} == {
        ("saarede", 2009),
        ("draebte", 2009),
        ("saarede", 2019),
    }
    notes = " ".join(meta["notes"])
    assert "Sårede: 6 i januar–juni 2009 og 14 i januar–juni 2019; dræbte: 1 i januar–juni 2009. Årene er" in notes
    assert "ikke fremskrevet" in notes
    fig = charts.build_figure(CHART, project)
    bars = next(t for t in fig.data if t.uid == "saarede-observed")
    hover = dict(zip(bars.x, bars.hovertext))[2009]
    assert "6 personer i januar–juni 2009" in hover and "ikke fremskrevet" in hover
    labels = next(t for t in fig.data if t.uid == "saarede-labels")
    assert "6<br>jan.–jun." in labels.text
    estimated = next((t for t in fig.data if t.uid == "saarede-estimated"), None)
    assert estimated is None or 2009 not in estimated.x  # drawn as counted, not as an estimate
    assert dict(zip(bars.x, bars.y))[2009] == 6  # the bar is the count, not a doubled half year

    # the table: 2019 is shown as counted; its header names the months (marker: header)
    table = json.loads((project.tables / f"{table_file_stem('1.3')}.json").read_text(encoding="utf-8"))
    assert table["header"][1] == "2019 (jan.–jun.)"
    assert table["rows"][1][1] == "14"
    assert "Sårede: 14 i januar–juni 2019" in table["note"]
    # explain says why it is not extrapolated
    text = "\n".join(explain.explain("saarede", 2019, project).lines)
    assert "not the latest year of its series" in text and "past_partial_years" in text


def test_past_partial_years_can_be_extrapolated(project):
    write_release(project, "nec_h1_test", HALF_YEARS)
    set_params(project, **{"extrapolation.past_partial_years": "extrapolate"})
    run_core(project)
    f = figure(project, "saarede", 2009)
    assert f["status"] == "estimated" and f["value"] == 12 and f["observed_value"] == 6
    meta = charts.chart_metadata(CHART, project)
    assert ("saarede", 2009) in {(e["series"], e["reference_year"]) for e in meta["estimates"]}
    assert not meta["partial_observed"]


def test_a_second_member_count_on_another_date(project):
    write_release(
        project,
        "nsk_2016_september",
        [
            "medlemmer,2016,1.250,,,2016-09-01,stock,personer,final,National enhed for Særlig Kriminalitet,"
            "Statusopgørelse september 2016,2016-10,,,made up for the test"
        ],
    )
    run_core(project)
    audit.run(project)
    shown = figure(project, "medlemmer", 2016)
    assert shown["release_id"] == "rigspolitiet_2016" and shown["count_date"] is None  # the annual count

    # chart notes: both count dates, and no disagreement
    notes = charts.chart_metadata(CHART, project)["notes"]
    note = next(n for n in notes if n.startswith("Rocker-/bandemedlemmer 2016"))
    assert "pr. 1. september 2016" in note and "uden oplyst tælledato" in note
    assert "mod " not in note and "ikke to bud på det samme tal" in note
    assert "None" not in note and "ukendt" not in note

    # explain: the other count is a count of its own, with both dates
    lines = explain.explain("medlemmer", 2016, project).lines
    text = "\n".join(lines)
    assert "bestand, uden oplyst tælledato" in text and "bestand, pr. 1. september 2016" in text
    assert "Also counted on another date (of 2016-09-01" in text and "not another value of this figure" in text
    assert "None" not in text and "ukendt" not in text

    # the audit: every count of each year, and which one the tables show; not a disagreement
    report = json.loads((project.audit / "audit.json").read_text(encoding="utf-8"))
    finding = next(c for c in report["count_dates"] if c["series"] == "medlemmer")
    counts_2016 = [c for c in finding["counts"] if c["year"] == 2016]
    assert {(c["count_date"], c["value"], c["shown"]) for c in counts_2016} == {
        (None, 1257, True),
        ("2016-09-01", 1250, False),
    }
    assert finding["years_counted_more_than_once"] == [2016]
    assert {c["year"] for c in finding["counts"]} == set(range(2009, 2025))  # every year, not only 2016
    assert "2016 was counted on 2 dates" in finding["reason"] and "shown in the tables" in finding["reason"]
    assert "medlemmer 2016" not in {d["figure"] for d in report["disagreements_between_releases"]}
    markdown = (project.audit / "audit.md").read_text(encoding="utf-8")
    assert (
        "  - 2016: 1.257, no count date stated (rigspolitiet_2016; shown in the tables); "
        "1.250, on 2016-09-01 (nsk_2016_september)"
    ) in markdown
    # the report's Danish item
    series = {"medlemmer": {"label_da": "Rocker-/bandemedlemmer"}}
    item = next(i for i in count_date_items(report, series, {"medlemmer": "1.1"}))
    assert "2016 er talt på 2 datoer" in item and "pr. 1. september 2016" in item
    assert "1.257 uden oplyst tælledato (vist i tabellerne)" in item


def test_counts_side_by_side_wording():
    same = wording.other_count_sentence("Medlemmer", 2014, "1.520", None, "»X« (P)", "1.520", None)
    assert same == "Medlemmer 2014 findes også i »X« (P): 1.520, det samme tal; begge uden oplyst tælledato."
    rival = wording.other_count_sentence("Medlemmer", 2024, "1.300", "2024-09-30", "»X« (P)", "1.298", "2024-09-30")
    assert "mod 1.298 i figuren; begge pr. 30. september 2024" in rival
    apart = wording.other_count_sentence("Medlemmer", 2016, "1.250", "2016-09-01", "»X« (P)", "1.300", None)
    assert "pr. 1. september 2016" in apart and "uden oplyst tælledato: 1.300" in apart and "mod" not in apart


# --- The rule, on generated releases --------------------------------------------------------


def _releases(draw_rows):
    rows = []
    for i, (year, months, value) in enumerate(draw_rows):
        rows.append(
            {
                "series": "saarede",
                "reference_year": year,
                "release_id": f"r{i}",
                "value": float(value),
                "months_covered": months,
                "period_end": None,
                "count_date": None,
                "kind": "flow",
                "unit": "personer",
                "status": "final",
                "publisher": "P",
                "publication": f"pub{i}",
                "published": str(year + 1),
                "published_start": None,
                "published_end": None,
                "reported_by": None,
                "url": None,
                "note": None,
                "exceptional": None,
                "country": "DK",
                "concept": "c",
                "series_integer": True,
                "source_file": f"r{i}.csv",
                "source_line": 2,
                "rows_aggregated": 1,
                "regions": None,
            }
        )
    return rows


RELEASE = st.tuples(st.integers(2000, 2012), st.integers(1, 12), st.integers(0, 500))


@settings(max_examples=examples(), deadline=None)
@given(st.lists(RELEASE, min_size=1, max_size=12, unique_by=lambda r: (r[0], r[1])))
def test_only_the_latest_year_is_ever_estimated(built, releases):
    import datetime as dt

    rows = _releases(releases)
    for r in rows:
        start = dt.date(int(r["published"]), 1, 1)
        r["published_start"], r["published_end"] = start, dt.date(start.year, 12, 31)
    template = pl.read_parquet(built.validated_figures)
    frame = pl.DataFrame(rows).select(
        [
            pl.col(c).cast(template.schema[c]) if c in rows[0] else pl.lit(None, template.schema[c]).alias(c)
            for c in template.columns
        ]
    )
    out = extrapolate(frame, {"method": "linear"}, built)
    latest = max(year for year, _, _ in releases)
    estimated = out.filter(pl.col("status") == "estimated")
    assert set(estimated["reference_year"]) <= {latest}
    # every partial figure of the latest year is estimated; every other is its own count
    partial = out.filter(pl.col("months_covered") < 12)
    assert set(partial.filter(pl.col("reference_year") == latest)["release_id"]) == set(estimated["release_id"])
    past = out.filter(pl.col("reference_year") != latest)
    assert (past["value"] == past["observed_value"]).all()
