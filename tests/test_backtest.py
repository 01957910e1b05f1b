"""The backtest judges what the tables print: the tables' method on all its cases, every
method on every case it can score, proper scores, uncertainty counted in releases, and the
preliminary full-year counts kept out of the errors."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

from pipeline import audit, backtest, report_helpers as rh, wording
from pipeline.backtest.cases import distribution_scores
from pipeline.core_stages import run_core
from pipeline.methods import METHODS, estimate_all
from simulate import frame, release_rows

from conftest import examples, set_params, write_release

SPEC = {"method": "negative_binomial", "level": 0.95, "min_history_years": 5}
NSK = "National enhed for Særlig Kriminalitet,Politiets nøgletal på rocker-/bandeområdet"


def half_year(series, year, value):
    return (
        f"{series},{year},{value},6,,,flow,personer,final,{NSK},{year}-08,"
        '"VIVE (2025): Forenet Mod Vold, afsnit 1.5",,made up for the test'
    )


def test_a_danish_half_year_release_is_a_case_of_the_tables_method(project):
    """January–June 2023 of the wounded and the killed, with the final 2023 counts later: a
    case of the linear and the trend method, in the headline, with its error in the report."""
    write_release(project, "nsk_2023_h1_test", [half_year("saarede", 2023, 18), half_year("draebte", 2023, 1)])
    # of the current publication only 2021–2022 come before 2023, and trend needs 3 earlier
    # years: the analyst declares the police's figures from 2010 comparable
    window = {"first_year": 2010, "reason": "politiets tal fra 2010 tælles på samme måde"}
    set_params(project, **{"extrapolation.history": {"saarede": window, "draebte": window}})
    run_core(project)
    audit.run(project)
    methods = json.loads((project.audit / "audit.json").read_text(encoding="utf-8"))["methods"]
    ours = [c for c in methods["cases"] if c["release_id"] == "nsk_2023_h1_test"]
    scored = {(c["series"], c["method"]) for c in ours if c["estimate"] is not None}
    assert {("saarede", "linear"), ("saarede", "trend"), ("draebte", "linear"), ("draebte", "trend")} <= scored
    wounded = next(c for c in ours if c["series"] == "saarede" and c["method"] == "linear")
    assert wounded["estimate"] == 36 and wounded["error"] == 36 - wounded["final"]
    assert wounded["rps"] is not None and wounded["interval_score"] is not None

    head = methods["headline"]
    assert head["method"] == "linear"
    assert ("saarede", 2023, "nsk_2023_h1_test") in {
        (c["series"], c["reference_year"], c["release_id"]) for c in head["cases"]
    }
    half = next(g for g in head["groups"] if g["months"] == 6)
    assert half["cases"] == 2 and half["releases"] == 1

    series = {r["series"]: r for r in pl.read_parquet(project.validated / "series.parquet").iter_rows(named=True)}
    audit_json = {"methods": methods}
    items = rh.backtest_case_items(audit_json, series)
    error = wording.signed(wounded["error"], None)
    assert any("2023 (januar–juni; nsk_2023_h1_test)" in i and f"fejl på {error}" in i for i in items)
    sentences = rh.backtest_sentences(audit_json)
    assert "Fremskrevet fra januar–juni (2 tilfælde fra én udgivelse)" in sentences
    assert "gange en typisk årlig ændring" in sentences
    assert "januar–juni" in rh.method_table(audit_json)
    # the tables' 2024 estimates are from January–September: the half-year cases speak to them
    assert [(g["months"], g["cases"], g["releases"]) for g in head["printed"]] == [(9.0, 2, 1)]
    assert "2 tilfælde fra én udgivelse er fremskrevet fra lige så lidt af året" in rh.backtest_sentences(
        audit_json, series
    )


def test_the_headline_follows_the_tables_method(project):
    set_params(project, **{"extrapolation.method": "trend"})
    run_core(project)
    audit.run(project)
    methods = json.loads((project.audit / "audit.json").read_text(encoding="utf-8"))["methods"]
    assert methods["headline"]["method"] == methods["table_method"] == "trend"
    series = {r["series"]: r for r in pl.read_parquet(project.validated / "series.parquet").iter_rows(named=True)}
    text = rh.backtest_sentences({"methods": methods}, series)
    assert text.startswith("Tabellerne bruger tendensfremskrivning")
    # the shipped cases all run to 15 December; the tables extrapolate from September
    assert all(c["months"] > 9 for c in methods["headline"]["cases"])
    assert (
        "Tabellernes skøn for dræbte, sårede, sigtelser og skudepisoder 2024 er fremskrevet fra januar–september; "
        "ingen af tilfældene er fremskrevet fra så lidt af året"
    ) in text


def test_figures_are_listed_by_their_years():
    series = {"a": {"label_da": "Sigtelser"}, "b": {"label_da": "Dræbte"}}
    assert rh.figures_text([("a", 2024), ("b", 2024)], series) == "sigtelser og dræbte 2024"
    assert rh.figures_text([("a", 2023), ("a", 2024), ("b", 2024)], series) == "sigtelser 2023–2024; dræbte 2024"


# --- the rules, on generated data -------------------------------------------------------------


@st.composite
def histories(draw):
    """Series with final full years, earlier January–September (or –June) releases of some
    years, and preliminary full-year counts of some, each release its own id and date."""
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    rows = []
    for i in range(draw(st.integers(1, 4))):
        years = draw(st.integers(1, 8))
        counts = rng.poisson(draw(st.sampled_from([0.5, 5, 40])), years)
        for k, count in enumerate(counts):
            rows.append(release_rows(f"s{i}", 2000 + k, count, 12) | {"vintage_rank": 1})
            kind = draw(st.sampled_from(["none", "partial", "preliminary"]))
            if kind == "partial":
                months = draw(st.sampled_from([6, 9]))
                part = int(rng.binomial(count, months / 12))
                rows.append(
                    release_rows(f"s{i}", 2000 + k, part, months) | {"vintage_rank": 2, "release_id": f"r{k}_{months}"}
                )
            elif kind == "preliminary":
                rows.append(
                    release_rows(f"s{i}", 2000 + k, max(count - 1, 0), 12)
                    | {"vintage_rank": 2, "release_id": f"p{k}", "release_status": "preliminary"}
                )
    derived = frame(rows).with_columns(
        pl.lit("P").alias("publisher"), pl.lit("2024").alias("published"), pl.lit("e").alias("method")
    )
    return derived


@settings(deadline=None, max_examples=examples(25))
@given(derived=histories(), method=st.sampled_from(list(METHODS)))
def test_the_headline_uses_every_case_its_method_scores_and_no_preliminary_count(derived, method):
    report = backtest.report(derived, estimate_all(derived, SPEC), 0.95, method)
    own = [c for c in report["cases"] if c["method"] == method and c["estimate"] is not None]
    head = report["headline"]
    assert len(head["cases"]) == len(own) == sum(g["cases"] for g in head["groups"])
    assert sum(g["cases"] for g in report["summary"] if g["method"] == method) == len(own)
    # a preliminary full-year count is a revision, never a case of any method
    preliminary = {r["release_id"] for r in report["revisions"]}
    assert not preliminary & {c["release_id"] for c in report["cases"]}
    assert all(c["months_exposure"] < 12 for c in report["cases"])
    expected = derived.filter(pl.col("release_status") == "preliminary").height
    assert len(report["revisions"]) == expected
    # every method on every case it can score, not only the cases all methods score
    for m in METHODS:
        scored = [c for c in report["cases"] if c["method"] == m and c["estimate"] is not None]
        assert sum(g["cases"] for g in report["summary"] if g["method"] == m) == len(scored)


@settings(deadline=None, max_examples=examples(25))
@given(derived=histories(), months=st.sampled_from([3.0, 6.0, 9.0, 11.47]))
def test_the_printed_estimates_are_judged_by_the_cases_from_as_few_months(derived, months):
    estimates = estimate_all(derived, SPEC)
    tables = pl.DataFrame(
        {"series": ["s0"], "reference_year": [2030], "release_id": ["t"], "method": ["linear"]}
        | {"months": [months], "period_end_day": [None]},
        schema_overrides={"period_end_day": pl.Utf8},
    )
    report = backtest.report(derived, estimates, 0.95, "linear", tables)
    (group,) = report["headline"]["printed"]
    early = [c for c in report["headline"]["cases"] if c["months"] <= months]
    assert group["cases"] == len(early) and group["releases"] == len({c["release_id"] for c in early})
    text = rh.backtest_sentences({"methods": report})
    assert ("ingen af tilfældene er fremskrevet fra så lidt af året" in text) == (not early)


@settings(deadline=None, max_examples=examples(25))
@given(derived=histories())
def test_uncertainty_counts_releases_and_a_method_is_recommended_only_when_releases_tell(derived):
    report = backtest.report(derived, estimate_all(derived, SPEC), 0.95)
    for g in report["summary"]:
        assert g["releases"] <= g["cases"]
        if g["interval_cases"]:
            assert g["coverage_lower"] <= g["coverage"] <= g["coverage_upper"]
            assert g["coverage_verdict"] != "above_level" or g["interval_releases"] >= 59  # never on a few
    for p in report["comparisons"]:
        assert p["method_better_releases"] + p["other_better_releases"] + p["tied_releases"] == p["releases"]
        if p["releases"] < backtest.releases_needed(0.95):
            assert not p["tells_apart"]
    rec = report["recommendation"]
    if rec["method"]:
        pairs = [p for p in report["comparisons"] if rec["method"] in (p["method"], p["other"])]
        assert pairs and all(p["better"] == rec["method"] and p["tells_apart"] for p in pairs)
    else:
        assert rec["code"] in ("too_few_releases", "no_clear_winner")
    # the report's words hold for whatever the numbers are
    text = rh.backtest_sentences({"methods": report})
    assert "anbefales" in text and "Tabellerne bruger" in text


def test_releases_needed_is_where_a_sign_test_can_first_tell():
    assert backtest.releases_needed(0.95) == 6  # 2 · 0,5⁶ = 0,031 ≤ 0,05 < 2 · 0,5⁵
    assert backtest.releases_needed(0.80) == 4  # 2 · 0,5⁴ = 0,125 ≤ 0,2 < 2 · 0,5³


@settings(deadline=None, max_examples=examples(50))
# a subnormal mean is no count forecast (it underflows in the distribution)
@given(final=st.integers(0, 500), estimate=st.floats(0, 1000, allow_subnormal=False), spread=st.floats(0, 3))
def test_a_perfect_point_forecast_scores_no_worse_than_any_other(final, estimate, spread):
    """The ranked probability score of a forecast certain of the final count is 0; any other
    forecast, certain or spread, scores at least that."""
    base = {"interval_kind": "full_year", "rest_var_fixed": 0.0, "final": float(final), "interval_upper": None}
    # certain of the final count: all of it observed, nothing left to predict
    certain = distribution_scores(
        base
        | {"estimate": float(final), "observed_value": float(final), "rest_mean": 0.0}
        | {"rest_var_scaled": 0.0, "dispersion_rule": "assumed_poisson"}
    )
    other = distribution_scores(
        base
        | {"estimate": estimate, "observed_value": 0.0, "rest_mean": estimate}
        | {"rest_var_scaled": estimate * spread, "dispersion_rule": "estimated"}
        | {"dispersion_estimate": 1.0 + spread, "dispersion_df": 8}
    )
    assert certain["rps"] == pytest.approx(0, abs=1e-9)
    assert other["rps"] >= certain["rps"] - 1e-9
    assert 0 <= other["pit_lower"] <= other["pit_upper"] <= 1


def test_preliminary_counts_are_revisions_not_errors():
    rows = [release_rows("s", 2000 + k, 40 + k, 12) | {"vintage_rank": 1} for k in range(5)]
    rows.append(
        release_rows("s", 2004, 10, 12) | {"vintage_rank": 2, "release_id": "p", "release_status": "preliminary"}
    )
    derived = frame(rows).with_columns(pl.lit("P").alias("publisher"), pl.lit("2024").alias("published"))
    report = backtest.report(derived, estimate_all(derived, SPEC), 0.95)
    assert report["cases"] == [] and report["summary"] == []
    assert report["revisions"] == [
        {
            "series": "s",
            "reference_year": 2004,
            "release_id": "p",
            "preliminary": 10.0,
            "final": 44.0,
            "revision": 34.0,
            "final_release": report["revisions"][0]["final_release"],
        }
    ]
    assert report["recommendation"]["code"] == "too_few_releases"


def test_a_final_count_of_zero_has_scores_but_no_percent():
    rows = [release_rows("s", 2000 + k, c, 12) | {"vintage_rank": 1} for k, c in enumerate([2, 0, 3, 1, 0])]
    rows.append(release_rows("s", 2004, 0, 6) | {"vintage_rank": 2, "release_id": "h"})
    derived = frame(rows).with_columns(pl.lit("P").alias("publisher"), pl.lit("2024").alias("published"))
    case = next(
        c for c in backtest.report(derived, estimate_all(derived, SPEC), 0.95)["cases"] if c["method"] == "linear"
    )
    assert case["final"] == 0 and case["error_percent"] is None
    assert case["scaled_absolute_error"] == 0 and case["score"] is not None
