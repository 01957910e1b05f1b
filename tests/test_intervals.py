"""The interval of a full-year estimate: never below what is already counted, honest about
its level on simulated series, and said the same way in notes, explain and the JSON."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import polars as pl
import pytest
import yaml
from hypothesis import given, settings, strategies as st

from pipeline import backtest, fmt, uncertainty
from pipeline.explain import explain
from pipeline.methods import METHODS, History, estimate_all, with_intervals
from simulate import frame, release_rows, simulate

FULL_YEAR_INTERVALS = [name for name, (kind, _) in uncertainty.INTERVAL_METHODS.items() if kind == "full_year"]
SPEC = {"method": "negative_binomial", "level": 0.95, "min_history_years": 5, "min_split_years": 3}


# --- the lower bound ------------------------------------------------------------------------


@st.composite
def histories(draw):
    """One series: earlier final full years (some marked exceptional, some with a release of
    the same months as the partial year) and a partial year."""
    months = draw(st.one_of(st.integers(1, 11).map(float), st.floats(0.5, 11.99)))
    n_years = draw(st.integers(0, 12))
    rows = []
    for k in range(n_years):
        full = draw(st.integers(0, 5000))
        rows.append(release_rows("s", 2000 + k, full, 12, exceptional=draw(st.sampled_from([None, "a conflict"]))))
        if draw(st.booleans()):
            # a part may be above its year's final count: the final was revised down
            rows.append(release_rows("s", 2000 + k, draw(st.integers(0, full + full // 5 + 2)), months))
    observed = draw(st.integers(0, 5000))
    rows.append(release_rows("s", 2000 + n_years, observed, months))
    return frame(rows)


@settings(deadline=None)
@given(
    derived=histories(),
    interval=st.sampled_from(FULL_YEAR_INTERVALS),
    level=st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99]),
    min_years=st.integers(4, 8),
    leave_out=st.booleans(),
)
def test_the_interval_never_goes_below_the_count_already_observed(derived, interval, level, min_years, leave_out):
    spec = {"method": interval, "level": level, "min_history_years": min_years, "min_split_years": 3}
    estimates = estimate_all(derived, spec, leave_out).join(
        derived.filter(pl.col("is_partial")).select("series", "reference_year", "release_id", "observed_value"),
        on=["series", "reference_year", "release_id"],
    )
    assert set(estimates["method"]) == set(METHODS)
    for row in estimates.filter(pl.col("estimate").is_not_null()).iter_rows(named=True):
        # a count estimated gets its interval exactly where its variation can be measured
        assert (row["interval_lower"] is not None) == (row["dispersion_rule"] in uncertainty.WITH_INTERVAL), row
        if row["interval_lower"] is None:
            assert row["dispersion_rule"] in uncertainty.NO_INTERVAL_RULES and interval == "negative_binomial"
            if row["dispersion_rule"] == "too_short":
                assert len(row["dispersion_years"]) < min_years
            continue
        assert row["observed_value"] <= row["interval_lower"] <= row["interval_upper"], row
        # at the levels a table shows, the estimate (rounded as the tables show it) lies inside
        # its interval; a 50 % interval of a rest predicted from no events need not hold 0
        if level >= 0.9:
            assert (
                row["interval_lower"] <= math.floor(row["estimate"] + 0.5) <= row["interval_upper"]
                or row["interval_lower"] <= row["estimate"] <= row["interval_upper"]
            ), row
        assert row["interval_kind"] == "full_year"
        assert row["dispersion_used"] >= 1
        # an estimate of φ above 1 is never replaced by 1: the interval's φ is at least as large
        if row["dispersion_rule"] in ("estimated", "within_year") and row["dispersion_estimate"] > 1:
            assert row["dispersion_used"] >= row["dispersion_estimate"] > 1
        # the predicted rest is a count to come: not negative, with a finite spread
        assert row["rest_mean"] >= 0 and math.isfinite(row["rest_mean"]) and math.isfinite(row["rest_var_scaled"])
        if leave_out:
            assert not set(row["history_left_out"]) & set(row["dispersion_years"])


def test_every_partial_figure_of_the_shipped_data_for_every_method(built):
    derived = pl.read_parquet(built.derived_figures)
    for interval in FULL_YEAR_INTERVALS:
        estimates = estimate_all(derived, SPEC | {"method": interval}).join(
            derived.select("series", "reference_year", "release_id", "observed_value", "series_integer"),
            on=["series", "reference_year", "release_id"],
        )
        counted = estimates.filter(pl.col("estimate").is_not_null() & pl.col("series_integer"))
        shown = counted.filter(pl.col("interval_lower").is_not_null())
        assert counted.height >= 9 and (shown["interval_lower"] >= shown["observed_value"]).all()
        # none is given only where the variation cannot be measured, and then the rule says so
        missing = counted.filter(pl.col("interval_lower").is_null())
        assert set(missing["dispersion_rule"]) <= set(uncertainty.NO_INTERVAL_RULES)
        assert interval == "negative_binomial" or missing.height == 0
    # the old rate interval of 2 killed in 9 months went below what was already counted
    rate = estimate_all(derived, SPEC | {"method": "exact_poisson_rate"}).filter(
        (pl.col("series") == "draebte") & (pl.col("reference_year") == 2024) & (pl.col("method") == "linear")
    )
    assert rate["interval_kind"].to_list() == ["rate"] and rate["interval_lower"][0] < 2


# --- the level, on series from a known process --------------------------------------------


@pytest.mark.slow
def test_coverage_on_simulated_overdispersed_series():
    """2.000 series whose months vary three times as much as a Poisson count: the 95 %
    interval holds the true full year in 93–97 % of them for every method; a Poisson interval
    (no overdispersion) falls short."""
    derived, truth = simulate(
        np.random.default_rng(20261127), 2000, monthly_mean=10, dispersion=3.0, history_years=12, months_observed=9
    )
    history = History(derived)
    partial = derived.filter(pl.col("is_partial") & (pl.col("reference_year") == 2012))
    truths = pl.DataFrame({"series": list(truth), "truth": list(truth.values())})

    def coverage(name, interval):
        est = with_intervals(METHODS[name](partial, history), partial, history, SPEC | {"method": interval})
        est = est.join(truths, on="series")
        return est.select(pl.col("truth").is_between("interval_lower", "interval_upper").mean()).item()

    for name in METHODS:
        assert 0.93 <= coverage(name, "negative_binomial") <= 0.97, name
        assert coverage(name, "poisson") < 0.90, name


def test_dispersion_rule():
    fit = uncertainty.fit_history(list(range(2010, 2022)), [30, 50, 20, 60, 25, 55, 30, 45, 20, 70, 35, 40])
    assert fit.pearson_dispersion > 3
    years = tuple(range(2010, 2022))
    used = uncertainty.dispersion(fit, years, 5, overdispersion=True)
    # the estimate keeps its size; its uncertainty is a posterior, not a factor
    assert used.rule == "estimated" and used.df == 10 and used.used > fit.pearson_dispersion
    assert uncertainty.dispersion(fit, years, 13, overdispersion=True).rule == "too_short"
    assert uncertainty.dispersion(fit, years, 13, overdispersion=True).has_interval is False
    assert uncertainty.dispersion(fit, years, 5, overdispersion=False).used == 1
    # a calm history is not lifted by a factor: its posterior starts at 1, and with four
    # degrees of freedom its median is √2 (a posterior ∝ φ⁻³ on φ ≥ 1), not 42 times anything
    calm = uncertainty.fit_history(list(range(2010, 2016)), [40, 40, 41, 39, 40, 40])
    quiet = uncertainty.dispersion(calm, tuple(range(2010, 2016)), 5, overdispersion=True)
    assert quiet.rule == "estimated" and quiet.estimate < 0.1 and quiet.used == pytest.approx(2**0.5, rel=0.01)
    assert 1 <= quiet.nodes().min() < 1.01
    # three earlier years with a partial and a final release measure the variation within a year
    splits = ((2019, 30, 40, 0.75), (2020, 28, 40, 0.75), (2021, 33, 40, 0.75))
    within = uncertainty.dispersion(None, (), 5, overdispersion=True, splits=splits)
    assert within.rule == "within_year" and within.df == 3 and within.years == (2019, 2020, 2021)
    assert within.estimate == pytest.approx(sum((x - 30) ** 2 / (40 * 0.75 * 0.25) for x in (30, 28, 33)) / 3)
    assert uncertainty.dispersion(None, (), 5, overdispersion=True, splits=splits[:2]).rule == "too_short"


@pytest.mark.parametrize("estimate, df", [(0.3, 3), (1.0, 8), (2.4, 3), (45.0, 5), (3.0, 10)])
@pytest.mark.parametrize("rest, observed", [(0.8, 2), (7.5, 22), (727.0, 2181)])
def test_the_mixture_is_resolved_finely_enough(estimate, df, rest, observed):
    """POSTERIOR_NODES values of φ give the mixture's 2,5 % and 97,5 % quantiles within one
    event of 16 times as many (what its comment claims)."""
    spread = uncertainty.Dispersion(estimate, df, (), "estimated")
    scaled = rest**2 / (observed + 0.5)
    low, high = uncertainty.full_year_intervals([observed], [rest], [scaled], [0.0], [spread], 0.95)
    fine = uncertainty.POSTERIOR_NODES * 16
    from scipy.stats import chi2

    scale = df * estimate
    u = (np.arange(fine) + 0.5) / fine * chi2.cdf(scale, df)
    phis = np.maximum(scale / chi2.ppf(u, df), 1.0)[None, :]
    for q, bound in ((0.025, low[0]), (0.975, high[0])):
        exact = observed + uncertainty.rest_quantiles([rest], [scaled], [0.0], phis, q)[0]
        assert abs(bound - exact) <= 1, (q, bound, exact)


def test_the_cdf_and_the_interval_are_one_distribution():
    """full_year_cdf (what the backtest scores) is the distribution whose quantiles the
    interval gives."""
    row = {
        "interval_kind": "full_year",
        "observed_value": 22.0,
        "rest_mean": 7.5,
        "rest_var_scaled": 7.5**2 / 22.5,
        "rest_var_fixed": 0.0,
        "dispersion_estimate": 2.4,
        "dispersion_df": 8,
        "dispersion_rule": "estimated",
    }
    spread = uncertainty.Dispersion(2.4, 8, (), "estimated")
    low, high = uncertainty.full_year_intervals([22], [7.5], [row["rest_var_scaled"]], [0.0], [spread], 0.95)
    cdf = uncertainty.full_year_cdf(row, np.array([low[0] - 1, low[0], high[0] - 1, high[0]]))
    assert cdf[0] < 0.025 <= cdf[1] and cdf[2] < 0.975 <= cdf[3]
    assert uncertainty.full_year_cdf(row, np.array([21.0]))[0] == 0  # below what is counted


def test_the_fits_numbers_are_stated_to_12_significant_digits():
    """What statsmodels fits (through BLAS, whose kernels round differently on different CPUs)
    is rounded to 12 significant digits where it is computed, so that every file written from
    it has the same bytes on every machine (tests/test_reproducible.py runs two kernels)."""
    assert uncertainty.stated(0.8188802329757708) == 0.818880232976
    assert uncertainty.stated(0.8188802329757706) == 0.818880232976
    assert uncertainty.stated(-2.0640757400518974e-7) == -2.06407574005e-7
    assert uncertainty.stated(1234.0) == 1234.0 and uncertainty.stated(0.0) == 0.0
    assert uncertainty.stated(math.inf) == math.inf and math.isnan(uncertainty.stated(math.nan))
    fit = uncertainty.fit_history(list(range(2010, 2022)), [30, 50, 20, 60, 25, 55, 30, 45, 20, 70, 35, 40])
    numbers = [fit.intercept, fit.slope, fit.pearson_dispersion, *fit.covariance[0], *fit.covariance[1]]
    assert all(uncertainty.stated(v) == v for v in numbers)
    # x'Σx written out, as numpy's product computes it up to rounding
    x = np.array([1.0, 2024 - fit.centre])
    assert fit.log_variance(2024) == pytest.approx(float(x @ np.array(fit.covariance) @ x), rel=1e-12)
    low, high = uncertainty.poisson_glm(np.array([20.0]), np.array([9.0]), 0.95)
    assert uncertainty.stated(low[0]) == low[0] and uncertainty.stated(high[0]) == high[0]


def test_the_rest_is_negative_binomial_when_it_varies_more_than_poisson():
    from scipy.stats import nbinom, poisson

    poisson_ = [uncertainty.Dispersion(None, None, (), "assumed_poisson")]
    # 2 killed in 9 months, Poisson variation: the Poisson–gamma predictive (Jeffreys prior);
    # mean 2,5 × 3 / 9 with an estimation variance of mean² / 2,5 = mean × 3 / 9
    rest = 2.5 * 3 / 9
    low, high = uncertainty.full_year_intervals([2], [rest], [rest * 3 / 9], [0.0], poisson_, 0.95)
    assert low[0] == 2 + nbinom.ppf(0.025, 2.5, 9 / 12) and high[0] == 2 + nbinom.ppf(0.975, 2.5, 9 / 12)
    low, high = uncertainty.full_year_intervals([5], [3.0], [0.0], [0.0], poisson_, 0.9)
    assert (low[0], high[0]) == (5 + poisson.ppf(0.05, 3), 5 + poisson.ppf(0.95, 3))


# --- said the same way everywhere -----------------------------------------------------------


WINDOW = "politiets tal fra 2010 tælles på samme måde"


@pytest.fixture(scope="module")
def windowed(tmp_path_factory):
    """The shipped data with a declared window for wounded and killed: their fits use every
    earlier year from 2010 (without one, only 2021–2023 are of the same publication)."""
    from pipeline.core_stages import run_core

    from conftest import copy_project, set_params

    paths = copy_project(tmp_path_factory.mktemp("windowed"))
    window = {"first_year": 2010, "reason": WINDOW}
    set_params(paths, **{"extrapolation.history": {"saarede": window, "draebte": window}})
    run_core(paths)
    return paths


def test_notes_explain_and_json_give_the_same_interval(windowed):
    derived = pl.read_parquet(windowed.derived_figures).filter(pl.col("selected") & (pl.col("status") == "estimated"))
    notes = {
        t: json.loads((windowed.tables / f"table_{t}.json").read_text(encoding="utf-8"))["note"] for t in ("1_2", "1_3")
    }
    text = " ".join(notes.values())
    shown = derived.filter(pl.col("series").is_in(["saarede", "draebte"]))
    for row in shown.iter_rows(named=True):
        low, high, year = row["interval_lower"], row["interval_upper"], row["reference_year"]
        assert row["dispersion_rule"] == "estimated" and row["history_window"] == WINDOW
        assert f"mellem {fmt.number(low)} og {fmt.number(high)} i hele {year} med 95\xa0% sandsynlighed" in text
        lines = "\n".join(explain(row["series"], year, windowed).lines)
        assert f"{fmt.number(low, 2)}–{fmt.number(high, 2)}" in lines and "for the full-year count" in lines
    # sigtelser and skudepisoder: 3 earlier years, no interval, and the note says why
    for row in derived.filter(pl.col("series").is_in(["sigtelser", "skudepisoder"])).iter_rows(named=True):
        assert row["interval_lower"] is None and row["dispersion_rule"] == "too_short"
    assert "Der er ikke beregnet et interval for sigtelser" in notes["1_2"]
    assert "Der er ikke beregnet et interval for skudepisoder" in notes["1_3"]
    # the caveat of a variation measured between whole years, and the years used
    assert "kan intervallet være bredere end nødvendigt" in notes["1_3"]
    assert "statsmodels" not in text and "2010–2016 og 2021–2023" in notes["1_3"]


def test_a_rate_interval_is_labelled_as_one(project):
    from pipeline.core_stages import run_core

    params = yaml.safe_load(project.params.read_text(encoding="utf-8"))
    params["extrapolation"]["interval"]["method"] = "exact_poisson_rate"
    project.params.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    run_core(project)
    note = json.loads((project.tables / "table_1_3.json").read_text(encoding="utf-8"))["note"]
    assert "95\xa0%-interval for den årlige rate" in note and "i hele 2024 med" not in note
    assert "gælder den årlige rate, ikke hele årets antal" in note


# --- the backtest ---------------------------------------------------------------------------


@settings(deadline=None, max_examples=30)
@given(n_series=st.integers(1, 9), seed=st.integers(0, 2**16), history_years=st.integers(0, 6))
def test_backtest_scores_every_method_on_every_case_it_can(n_series, seed, history_years):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_series):
        counts = rng.poisson(20, history_years + 1)
        for k, count in enumerate(counts):
            rows.append(release_rows(f"s{i}", 2000 + k, count, 12) | {"vintage_rank": 1})
            if k < history_years:  # an earlier January–September release, for the seasonal share
                rows.append(release_rows(f"s{i}", 2000 + k, int(rng.binomial(count, 0.75)), 9) | {"vintage_rank": 2})
        partial = int(rng.binomial(counts[-1], 0.7))
        rows.append(release_rows(f"s{i}", 2000 + history_years, partial, 9) | {"vintage_rank": 2})
    derived = frame(rows).with_columns(
        pl.lit("P").alias("publisher"), pl.lit("2024").alias("published"), pl.lit("e").alias("method")
    )
    report = backtest.report(derived, estimate_all(derived, SPEC), 0.95)
    summary = {m["method"]: m for m in report["summary"]}
    for method in METHODS:
        scored = [c for c in report["cases"] if c["method"] == method and c["estimate"] is not None]
        if not scored:
            continue
        m = summary[method]
        assert m["cases"] == len(scored)  # its own cases, whatever the other methods score
        if m["interval_cases"]:
            assert m["coverage"] == m["covered"] / m["interval_cases"]
            assert m["coverage_lower"] <= m["coverage"] <= m["coverage_upper"]
    rec = report["recommendation"]
    if rec["method"]:
        pairs = [p for p in report["comparisons"] if rec["method"] in (p["method"], p["other"])]
        assert all(p["better"] == rec["method"] for p in pairs)


def test_backtest_json_has_the_documented_keys(built):
    from pipeline import audit

    audit.run(built)
    methods = json.loads((built.audit / "audit.json").read_text(encoding="utf-8"))["methods"]
    assert set(methods) >= {"cases", "summary", "comparisons", "recommendation", "revisions", "headline"}
    for m in methods["summary"]:
        assert set(m) >= {
            "method",
            "months",
            "cases",
            "releases",
            "mean_scaled_absolute_error",
            "mean_scaled_score",
            "mean_scaled_interval_score",
            "coverage",
            "coverage_lower",
            "coverage_upper",
            "interval_releases",
            "coverage_verdict",
        }


# --- years a release marks as exceptional ---------------------------------------------------


def test_a_year_marked_exceptional_is_left_out_of_the_fits_and_said(built):
    derived = pl.read_parquet(built.derived_figures).filter(
        pl.col("selected") & (pl.col("status") == "estimated") & pl.col("series").is_in(["saarede", "draebte"])
    )
    for row in derived.iter_rows(named=True):
        assert row["history_left_out"] == [2017] and 2017 not in row["dispersion_years"]
        lines = "\n".join(explain(row["series"], 2024, built).lines)
        assert "Left out as exceptional (params.yaml extrapolation.leave_out_exceptional): 2017" in lines
    note = json.loads((built.tables / "table_1_3.json").read_text(encoding="utf-8"))["note"]
    assert "2017 er udeladt som et usædvanligt år" in note
    # the figure itself stays in the tables and charts as published
    kept = pl.read_parquet(built.derived_figures).filter(
        (pl.col("series") == "skudepisoder") & (pl.col("reference_year") == 2017)
    )
    assert kept["value"].to_list() == [87] and kept["exceptional"][0].startswith("bandekonflikten i 2017")


def test_leaving_out_is_a_choice(project):
    from pipeline.core_stages import run_core

    params = yaml.safe_load(project.params.read_text(encoding="utf-8"))
    params["extrapolation"]["leave_out_exceptional"] = False
    project.params.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    run_core(project)
    derived = pl.read_parquet(project.derived_figures).filter(
        pl.col("selected") & (pl.col("status") == "estimated") & (pl.col("series") == "saarede")
    )
    assert derived["history_left_out"].to_list() == [[]] and 2017 in derived["dispersion_years"][0]
    note = json.loads((project.tables / "table_1_3.json").read_text(encoding="utf-8"))["note"]
    assert "udeladt som" not in note  # 2010–2016 stay out as another publication


@given(
    cells=st.lists(
        st.fixed_dictionaries(
            {
                "label_da": st.sampled_from(["Dræbte", "Sårede", "Sigtelser"]),
                "dispersion_rule": st.sampled_from([*uncertainty.WITH_INTERVAL, *uncertainty.NO_INTERVAL_RULES]),
                "dispersion_years": st.lists(st.integers(1990, 2030), unique=True, max_size=12).map(sorted),
                "history_left_out": st.lists(st.integers(1990, 2030), unique=True, max_size=3).map(sorted),
                "history_other_era": st.lists(st.integers(1980, 1989), unique=True, max_size=3).map(sorted),
                "history_window": st.sampled_from([None, WINDOW]),
                "method": st.sampled_from(["linear", "trend", "linear (fallback: trend: x)"]),
                "interval_level": st.just(0.95),
                "interval_kind": st.just("full_year"),
            }
        ),
        min_size=1,
        max_size=4,
    )
)
def test_the_interval_notes_are_danish_and_true_in_every_state(cells):
    from pipeline import wording

    for c in cells:
        shown = c["dispersion_rule"] in uncertainty.WITH_INTERVAL
        c["interval_lower"] = 1.0 if shown else None
        if c["dispersion_rule"] in ("estimated", "within_year"):  # measured on at least 2 years
            c["dispersion_years"] = sorted({*c["dispersion_years"], 2000, 2001})
    text = wording.interval_assumptions(cells)
    assert text and not re.search(r"\b0 tidligere|\b1 tidligere hele|\(\)|  ", text)
    if any(c["interval_lower"] is None for c in cells):
        assert "Der er ikke beregnet et interval" in text
    if any(c["interval_lower"] is not None for c in cells):
        assert "95\xa0% sandsynlighed" in text
    if any(c["history_other_era"] and c["history_window"] and c["dispersion_rule"] != "assumed_poisson" for c in cells):
        assert WINDOW in text  # why earlier years were left out, wherever years are named
    for c in cells:  # a sentence giving an interval carries the note's caveat
        caveat = wording.interval_caveat(c)
        for phrase in ("bredere end nødvendigt", "for smalt"):
            if phrase in caveat:
                assert phrase in text


@pytest.mark.parametrize(
    "counts",
    [[0, 0, 0, 5], [9, 0, 0, 0], [0] * 12 + [1], [2, 1, 0, 0, 0][:1] + [0] * 4, [0] * 10],
    ids=["zeros then one year", "one year then zeros", "one event in 13 years", "one year of two", "all zero"],
)
def test_a_history_without_two_years_of_events_gives_no_trend_and_says_why(counts):
    """A log-linear trend through zeros and one year with events runs off to infinity: the
    trend method says it cannot estimate, and the interval says the variation was not measured."""
    rows = [release_rows("s", 2000 + k, c, 12) for k, c in enumerate(counts)]
    rows.append(release_rows("s", 2000 + len(counts), 3, 9))
    derived = frame(rows)
    estimates = estimate_all(derived, SPEC).filter(pl.col("reference_year") == 2000 + len(counts))
    trend = estimates.filter(pl.col("method") == "trend").row(0, named=True)
    assert trend["estimate"] is None and "fewer than 2 earlier full years with any events" in trend["reason"]
    linear = estimates.filter(pl.col("method") == "linear").row(0, named=True)
    assert linear["dispersion_years"] == list(range(2000, 2000 + len(counts)))  # the years there are
    assert linear["dispersion_rule"] == ("too_few_events" if len(counts) >= SPEC["min_history_years"] else "too_short")
    # the variation could not be measured: no interval, rather than a Poisson one
    assert linear["estimate"] == 4 and linear["interval_lower"] is None


def test_a_part_revised_down_never_makes_the_rest_negative():
    """2019: January–September 10, the final year 8 (revised down); 2020: 5 in January–September."""
    rows = [release_rows("s", 2019, 8, 12), release_rows("s", 2019, 10, 9), release_rows("s", 2020, 5, 9)]
    seasonal = (
        estimate_all(frame(rows), SPEC)
        .filter((pl.col("reference_year") == 2020) & (pl.col("method") == "seasonal_share"))
        .row(0, named=True)
    )
    assert seasonal["estimate"] == 5 and seasonal["rest_mean"] > 0
    assert seasonal["interval_lower"] is None and seasonal["dispersion_rule"] == "too_short"


def test_two_vintages_of_an_earlier_part_count_as_one_year():
    rows = [
        release_rows("s", 2019, 40, 12),
        release_rows("s", 2019, 30, 9, release_id="a") | {"vintage_rank": 2},
        release_rows("s", 2019, 31, 9, release_id="b") | {"vintage_rank": 3},
        release_rows("s", 2020, 20, 9),
    ]
    seasonal = (
        estimate_all(frame(rows), SPEC)
        .filter((pl.col("reference_year") == 2020) & (pl.col("method") == "seasonal_share"))
        .row(0, named=True)
    )
    assert seasonal["method_years"] == [2019] and seasonal["estimate"] == 20 / (30 / 40)


def test_the_backtest_uses_only_what_was_published_before_the_release():
    """A partial 2021 release published in December 2021 is scored without the finals of
    earlier years published only in 2023."""
    dated = {"published_start": None, "published_end": None}

    def at(row, start, end):
        return row | dated | {"published_start": start, "published_end": end}

    from datetime import date

    rows = [at(release_rows("s", 2017 + k, 40 + k, 12), date(2023, 9, 16), date(2023, 9, 16)) for k in range(4)]
    rows.append(at(release_rows("s", 2021, 30, 9), date(2021, 12, 15), date(2021, 12, 15)))
    derived = frame(rows)
    trend = estimate_all(derived, SPEC).filter(pl.col("method") == "trend").row(0, named=True)
    assert trend["estimate"] is None and trend["dispersion_years"] == []
