"""One verdict vocabulary, computed once (pipeline/audit/verdicts.py): the verdict function on
generated values; a police release from before VIVE's cut-off that disagrees with what VIVE
printed, judged once and shown the same by audit.json, `noegletal explain` and the report;
and releases from after the cut-off, which leave the report's chapters on VIVE as they were
apart from the list of revisions."""

from __future__ import annotations

import json
import math
import os

import polars as pl
import pytest
from hypothesis import given, strategies as st
from typer.testing import CliRunner

from pipeline import audit, report_helpers as rh
from pipeline.audit.verdicts import (
    AGREEING,
    CONSISTENT,
    EXACT,
    FOLLOWS_OLDER_RELEASE,
    MISMATCH,
    NOT_CHECKABLE,
    VERDICTS,
    Source,
    judge,
    round_half_up,
    verdict,
)
from pipeline.cli import app
from pipeline.core_stages import run_core
from pipeline.explain import explain

from conftest import copy_project, dvc_not_asked, write_release
from test_refresh_scenarios import FULL_YEAR_2024, HALF_YEAR_2025

VIVE = "VIVE (2025): Forenet Mod Vold"
POLICE = "Rigspolitiet,Politiets nøgletal på rocker-/bandeområdet"
# made up for the test: the police's own count of 2017, published September 2018, before
# VIVE's data cut-off (31 December 2024), says 65 wounded and 4 killed where VIVE printed 45 and 3
CORRECTED_2017 = [
    f"saarede,2017,65,12,,,flow,personer,final,{POLICE},2018-09,,,made up for the test",
    f"draebte,2017,4,12,,,flow,personer,final,{POLICE},2018-09,,,made up for the test",
]


# --- the verdict function on generated values ------------------------------------------------

decimals = st.integers(-1, 2)
values = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


def printed_at(value: float, d: int) -> float:
    return round_half_up(value, d)


@given(computed=values, printed=values, d=decimals)
def test_a_verdict_is_one_of_the_declared_set_and_never_consistent_beyond_rounding(computed, printed, d):
    v, reason = verdict(computed, printed, d)
    assert v in VERDICTS and reason
    if v == EXACT:
        assert math.isclose(computed, printed, abs_tol=1e-9)
    if v in AGREEING:  # within half a unit of the printed precision
        assert abs(computed - printed) <= 0.5 * 10.0**-d + 1e-6 * max(1.0, abs(printed))
    if abs(computed - printed) > 0.5 * 10.0**-d + 1e-6 * max(1.0, abs(printed)):
        assert v == MISMATCH


@given(computed=values, d=decimals)
def test_a_number_rounded_as_printed_is_consistent_or_exact(computed, d):
    assert verdict(computed, printed_at(computed, d), d)[0] in AGREEING


@given(d=decimals)
def test_nothing_to_compare_with_is_not_checkable(d):
    assert verdict(None, 3.0, d)[0] == NOT_CHECKABLE
    assert judge(3.0, d, None, [])["verdict"] == NOT_CHECKABLE


def a_source(value: float, release: str, published: str = "2017") -> Source:
    return Source(value=value, release=release, publisher="Rigspolitiet", publication="Nøgletal", published=published)


@given(printed=st.integers(0, 10_000), best=st.integers(0, 10_000), older=st.lists(st.integers(0, 10_000), max_size=3))
def test_judge_names_the_older_release_the_printed_value_follows(printed, best, older):
    others = [a_source(v, f"older_{i}") for i, v in enumerate(older)]
    result = judge(printed, 0, a_source(best, "best", "2018-09"), others)
    assert result["verdict"] in VERDICTS and result["data"]["release"] == "best"
    if printed == best:
        assert result["verdict"] == EXACT
    elif printed in older:
        assert result["verdict"] == FOLLOWS_OLDER_RELEASE
        followed = result["followed"]
        assert followed["value"] == printed and followed["release"] == f"older_{older.index(printed)}"
        assert followed["release"] in result["reason"] and "best" in result["reason"]
    else:
        assert result["verdict"] == MISMATCH
    assert result["verdict"] != CONSISTENT  # whole numbers printed whole: equal or not


# --- a release from before the cut-off that disagrees with VIVE --------------------------------


def built_with(tmp_path_factory, name: str, releases: dict[str, list[str]]):
    paths = copy_project(tmp_path_factory.mktemp(name))
    for release, rows in releases.items():
        write_release(paths, release, rows)
    run_core(paths)
    audit.run(paths)
    return paths, json.loads((paths.audit / "audit.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def corrected(tmp_path_factory):
    return built_with(tmp_path_factory, "corrected", {"rigspolitiet_2017_rettet": CORRECTED_2017})


def series_of(paths) -> dict[str, dict]:
    return {r["series"]: r for r in pl.read_parquet(paths.validated_series).iter_rows(named=True)}


@pytest.mark.parametrize(("series", "printed", "data"), [("saarede", 45, 65), ("draebte", 3, 4)])
def test_a_pre_cut_off_correction_is_one_result_everywhere(corrected, series, printed, data):
    paths, report = corrected
    results = [p for p in report["published_values"] if p["figure"] == f"{series} 2017"]
    assert len(results) == 1  # one result for the printed value
    result = results[0]
    assert result["verdict"] == FOLLOWS_OLDER_RELEASE
    sources = result["sources"]
    assert sources["printed"]["publication"] == VIVE and sources["printed"]["published"] == "2025"
    assert sources["printed"]["value"] == printed
    assert sources["data"]["release"] == "rigspolitiet_2017_rettet" and sources["data"]["value"] == data
    assert sources["data"]["published"] == "2018-09" and sources["data"]["publisher"] == "Rigspolitiet"
    assert sources["followed"]["release"] == "rigspolitiet_2017" and sources["followed"]["value"] == printed

    # the finding: one Danish sentence with both sources and both dates
    finding = result["finding"]
    assert finding.count(". ") == 0 and finding.endswith(".") and "\n" not in finding
    for part in (VIVE, "2025", f"skrev {printed}", "Rigspolitiet", "september 2018", f"har {data}"):
        assert part in finding, (part, finding)

    # `noegletal explain` (in-process and as JSON) shows the audit's result, not its own judgement
    shown = [c for c in explain(series, 2017, paths).comparisons if "bandekrigen" in c.what]
    assert [(c.verdict, c.reason, c.finding) for c in shown] == [(result["verdict"], result["reason"], finding)]
    with dvc_not_asked():
        out = CliRunner().invoke(
            app, ["explain", series, "2017", "--format", "json"], env=os.environ | {"NOEGLETAL_ROOT": str(paths.root)}
        )
    assert out.exit_code == 0, out.output
    as_json = [c for c in json.loads(out.output)["comparisons"] if "bandekrigen" in c["what"]]
    assert [(c["verdict"], c["finding"], c["match"]) for c in as_json] == [(result["verdict"], finding, False)]

    # the report's helpers render the same result: its verdict in Danish and the same sentence
    items = [
        i
        for i in rh.published_value_items(report, series_of(paths))
        if f"{series_of(paths)[series]['label_da']} 2017" in i
    ]
    assert len(items) == 1 and "følger en ældre udgivelse" in items[0] and rh.escape(finding) in items[0]

    # the statement quoting it is checked with what VIVE printed, and names the same finding
    statement = next(s for s in report["statements"] if s["statement"] == f"bandekrig_2017_{series}")
    assert statement["quoted"] == [result["id"]]
    assert statement["verdict"] == CONSISTENT  # 45 (3) against the 2021–2024 mean, as printed
    assert any(i["year"] == 2017 and i["full_year_value"] == printed for i in statement["inputs"])
    rendered = next(i for i in rh.statement_items(report, series_of(paths)) if statement["quote"] in i)
    assert rh.escape(finding) in rendered and "truncated" not in statement["reason"]


def test_the_shipped_data_keep_their_verdicts_on_2017(tmp_path_factory):
    """Without the correction the 2017 figures are what VIVE printed."""
    _, report = built_with(tmp_path_factory, "shipped", {})
    for series in ("saarede", "draebte"):
        result = next(p for p in report["published_values"] if p["figure"] == f"{series} 2017")
        assert result["verdict"] == EXACT and result["finding"] is None
        statement = next(s for s in report["statements"] if s["statement"] == f"bandekrig_2017_{series}")
        assert statement["verdict"] == CONSISTENT and statement["quoted"] == []


# --- releases from after the cut-off leave the chapters on VIVE as they were ------------------


def vive_chapters(paths, report) -> dict[str, str]:
    """The markdown the report's helpers write for the chapters about VIVE's report, as
    reports/noegletal.qmd calls them; "revised since" apart."""
    series = series_of(paths)
    judged = rh.publication_view(report)
    return {
        "summary": rh.count_by_verdict(report["statements"])
        + f"; {sum(p['verdict'] == 'exact' for p in report['published_values'])} of {len(report['published_values'])}",
        "extrapolations": "\n\n".join(
            [
                rh.extrapolations_sentence(judged),
                rh.extrapolation_table(judged, series),
                rh.notes(rh.extrapolation_methods(judged, series)),
            ]
        ),
        "statements": rh.bullets(rh.statement_items(report, series)),
        "published_values": rh.bullets(rh.published_value_items(report, series)),
    }


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    return built_with(tmp_path_factory, "shipped_chapters", {})


@pytest.mark.parametrize(
    "releases",
    [{"nsk_2024_helaar": FULL_YEAR_2024}, {"nsk_2024_helaar": FULL_YEAR_2024, "nsk_2025_h1": HALF_YEAR_2025}],
    ids=["full_year_2024", "full_year_2024_and_h1_2025"],
)
def test_later_releases_leave_the_chapters_on_vive_unchanged(tmp_path_factory, shipped, releases):
    before_paths, before = shipped
    paths, after = built_with(tmp_path_factory, "later", releases)
    assert all(r in after["publications"][0]["releases"]["after"] for r in releases)
    old, new = vive_chapters(before_paths, before), vive_chapters(paths, after)
    for part in old:
        assert new[part] == old[part], part
    # Table 4.1 judges VIVE's estimates on the data VIVE had: a later full year of 2024 gives
    # them no interval they did not have (3 earlier years of the publication: none)
    assert new["extrapolations"] == old["extrapolations"] and "intet interval" in new["extrapolations"]
    # only "revised since" grows
    assert len(after["revised_since"]) > len(before["revised_since"])
    assert len(rh.revised_items(after, series_of(paths))) > len(rh.revised_items(before, series_of(before_paths)))


def _pdf_section(pdf, first: str, until: str) -> str:
    """The text of the rendered PDF from the heading `first` to the heading `until`, with page
    numbers and line breaks (which move with the pages before it) taken out."""
    import re
    import subprocess

    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    start = text.rindex(first)  # the heading in the body, after any table of contents
    part = text[start : text.index(until, start)]
    part = "\n".join(line for line in part.splitlines() if not re.fullmatch(r"\s*\d+\s*", line))
    return " ".join(part.replace("\u00ad\n", "").split())


TABLE_HEADER_WORDS = {
    "Tal",
    "Data",
    "Opgjort",
    "Beregning",
    "Helårsskøn",
    "(interval)",
    "Trykt",
    "i",
    "rapporten",
    "Vurdering",
}


def _words(text: str):
    from collections import Counter

    return Counter(w for w in text.split() if w not in TABLE_HEADER_WORDS)


@pytest.mark.slow
def test_later_releases_leave_the_printed_chapters_on_vive_unchanged(report, tmp_path):
    """The rendered PDF, read as a reader's tool reads it: the sections judging VIVE's
    estimates and statements say the same after the full year 2024 and January–June 2025."""
    import shutil

    from pipeline import charts, compare, render
    from pipeline.paths import Paths

    root = tmp_path / "later"
    shutil.copytree(report.root, root)
    paths = Paths(root)
    for name, rows in {"nsk_2024_helaar": FULL_YEAR_2024, "nsk_2025_h1": HALF_YEAR_2025}.items():
        write_release(paths, name, rows)
    dst = paths.raw_releases / "dst_folketal.csv"  # the population at the start of 2025, for the comparison
    header = dst.read_text(encoding="utf-8").splitlines()[0].split(",")
    row = dict.fromkeys(header, "") | {
        "series": "befolkning_dk",
        "reference_year": "2025",
        "value": "5.961.249",
        "count_date": "2025-01-01",
        "kind": "stock",
        "unit": "personer",
        "status": "final",
        "publisher": "Danmarks Statistik",
        "publication": "Folketal",
        "note": "made up for the test",
    }
    dst.write_text(dst.read_text(encoding="utf-8") + ",".join(row[c] for c in header) + "\n", encoding="utf-8")
    run_core(paths)
    compare.run(paths)
    audit.run(paths)
    charts.run(paths)
    render.render_embedded(paths)
    pdf = "reports/_output/noegletal.pdf"
    import subprocess

    later = subprocess.run(["pdftotext", str(root / pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "2025 (jan.–jun.)" in later  # the rendered report is the refreshed one
    for first, until in (("4.1 Fremskrivninger", "4.3 Revideret siden rapporten"),):
        before, after = _pdf_section(report.root / pdf, first, until), _pdf_section(root / pdf, first, until)
        # a table split over two pages elsewhere repeats its header there, and pdftotext may
        # read the rows around the break in another order: compare the words, each as often
        # as it stands, once the repeated header words are left out
        assert _words(after) == _words(before)
        assert after.split()[:40] == before.split()[:40]  # the section's opening as it was
