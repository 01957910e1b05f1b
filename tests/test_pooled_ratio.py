"""The Swedish/Danish ratio over all the years compared and the test of one common ratio
(pipeline/pooled_ratio.py), checked against statsmodels' binomial GLM and by hand; their
properties over generated counts and exposures; and the stage's outputs that carry them."""

from __future__ import annotations

import json
import math

import numpy as np
import polars as pl
import pytest
from hypothesis import assume, given, settings, strategies as st
from scipy import optimize, stats

from pipeline import compare, metrics
from pipeline.pooled_ratio import pool

SHIPPED = {  # counts and person-years of the kind the comparison has (Sweden first)
    "k1": [45, 62, 53, 44],
    "e1": [10379295, 10452326, 10521556, 10551707],
    "k2": [6, 4, 4, 2],
    "e2": [5840045, 5873420, 5932654, 4470936.75],
}


def glm(k1, e1, k2, e2):
    """The common-ratio model as statsmodels fits it: a binomial GLM of k1 out of k1 + k2 with
    only an intercept (log R) and the offset log(e1 / e2)."""
    import warnings

    import statsmodels.api as sm

    k1, e1, k2, e2 = (np.asarray(v, dtype=float) for v in (k1, e1, k2, e2))
    keep = (k1 + k2) > 0
    model = sm.GLM(
        np.column_stack([k1[keep], k2[keep]]),
        np.ones((int(keep.sum()), 1)),
        family=sm.families.Binomial(),
        offset=np.log(e1[keep] / e2[keep]),
    )
    with warnings.catch_warnings():  # one year leaves no residual degrees of freedom; that is fine here
        warnings.simplefilter("ignore")
        return model, model.fit()


def profile_bounds_statsmodels(model, fit, level):
    """The profile-likelihood interval from statsmodels' own log-likelihood of the model."""
    beta = float(fit.params[0])
    top = model.loglike(np.array([beta]))
    critical = stats.chi2.ppf(level, 1)

    def excess(b):
        return 2 * (top - model.loglike(np.array([b]))) - critical

    width = 20 * float(fit.bse[0]) + 1
    return (
        math.exp(optimize.brentq(excess, beta - width, beta)),
        math.exp(optimize.brentq(excess, beta, beta + width)),
    )


def test_shipped_kind_of_counts_match_statsmodels_glm():
    result = pool(**SHIPPED, level=0.95)
    model, fit = glm(**SHIPPED)
    assert result["rate_ratio"] == pytest.approx(math.exp(fit.params[0]), rel=1e-9)
    low, high = profile_bounds_statsmodels(model, fit, 0.95)
    assert result["rate_ratio_lower"] == pytest.approx(low, rel=1e-7)
    assert result["rate_ratio_upper"] == pytest.approx(high, rel=1e-7)
    assert result["statistic"] == pytest.approx(fit.deviance, rel=1e-9, abs=1e-9)
    assert result["df"] == 3 and result["p_value"] == pytest.approx(stats.chi2.sf(fit.deviance, 3), rel=1e-9)
    # the profile interval is not the Wald one, but close to it where the counts are not tiny
    wald = np.exp(fit.conf_int(alpha=0.05)[0])
    assert result["rate_ratio_lower"] != pytest.approx(wald[0], rel=1e-6)
    assert result["rate_ratio_lower"] == pytest.approx(wald[0], rel=0.1)


def test_by_hand_with_the_same_exposures_every_year():
    """With e1 / e2 the same each year, the estimate is the ratio of the totals, and the
    likelihood-ratio statistic is that of a 2 × years table (scipy's G-test)."""
    k1, k2 = [10, 30, 20], [5, 5, 10]
    result = pool(k1, [2, 2, 2], k2, [1, 1, 1], level=0.9)
    assert result["rate_ratio"] == pytest.approx(sum(k1) / sum(k2) / 2, rel=1e-10)
    g, p, df, _ = stats.chi2_contingency([k1, k2], correction=False, lambda_="log-likelihood")
    assert result["statistic"] == pytest.approx(g, rel=1e-9) and result["df"] == df == 2
    assert result["p_value"] == pytest.approx(p, rel=1e-9)


def test_one_year_is_that_years_ratio_and_has_no_test():
    result = pool([44], [10551707], [2], [4470936.75], level=0.95)
    assert result["rate_ratio"] == pytest.approx(44 / 10551707 / (2 / 4470936.75), rel=1e-10)
    assert result["df"] == 0 and result["statistic"] is None and result["p_value"] is None


def test_zero_counts():
    # no Danish death: no ratio; no Swedish death: 0 with a finite upper bound
    assert pool([5, 3], [1, 1], [0, 0], [1, 1], 0.95)["rate_ratio"] is None
    zero = pool([0, 0], [1, 1], [3, 2], [1, 2], 0.95)
    assert zero["rate_ratio"] == 0 and zero["rate_ratio_lower"] == 0
    # the bound where the likelihood-ratio statistic against R = 0 (log L = 0) reaches χ²(1)
    b = math.log(zero["rate_ratio_upper"])
    assert -2 * stats.binom.logpmf([0, 0], [3, 2], [1 / (1 + math.exp(-b)), 1 / (1 + 2 * math.exp(-b))]).sum() == (
        pytest.approx(stats.chi2.ppf(0.95, 1))
    )
    # a year with no death on either side carries nothing: the same result without it
    with_empty = pool([45, 0, 62], [1e7, 1e7, 1e7], [6, 0, 4], [5e6, 5e6, 5e6], 0.95)
    without = pool([45, 62], [1e7, 1e7], [6, 4], [5e6, 5e6], 0.95)
    assert with_empty["used"] == [True, False, True] and with_empty["df"] == 1
    assert {k: v for k, v in with_empty.items() if k != "used"} == {k: v for k, v in without.items() if k != "used"}


years = st.lists(
    st.tuples(st.integers(0, 300), st.floats(1e5, 2e7), st.integers(0, 40), st.floats(1e5, 2e7)),
    min_size=1,
    max_size=8,
)


@settings(deadline=None)
@given(years=years, level=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_properties_over_generated_years(years, level):
    k1, e1, k2, e2 = (np.array(v, dtype=float) for v in zip(*years))
    result = pool(k1, e1, k2, e2, level)
    informative = (k1 + k2) > 0
    assert result["used"] == informative.tolist() and result["df"] == max(int(informative.sum()) - 1, 0)
    if k2.sum() == 0:
        assert result["rate_ratio"] is None and result["p_value"] is None
        return
    r = result["rate_ratio"]
    assert result["rate_ratio_lower"] <= r <= result["rate_ratio_upper"] < math.inf
    # between the smallest and the largest yearly ratio of the years that carry information
    with np.errstate(divide="ignore"):
        yearly = (k1 / e1 / (k2 / e2))[informative]
    assert yearly.min() * (1 - 1e-9) <= r <= yearly.max() * (1 + 1e-9)
    # the maximum: the expected Swedish total under R equals the observed one
    n = k1 + k2
    assert (n * r * e1 / (r * e1 + e2)).sum() == pytest.approx(k1.sum(), rel=1e-8, abs=1e-8)
    model, fit = glm(k1, e1, k2, e2)
    if k1.sum() > 0 and fit.converged and abs(fit.params[0]) < 30:  # IRLS can run off near separation
        assert r == pytest.approx(math.exp(fit.params[0]), rel=1e-6)
        if result["df"] > 0:
            assert result["statistic"] == pytest.approx(fit.deviance, rel=1e-6, abs=1e-6)
            assert 0 <= result["p_value"] <= 1


@settings(deadline=None)
@given(
    base=st.lists(st.tuples(st.integers(1, 30), st.floats(1e5, 1e7)), min_size=2, max_size=8),
    a=st.integers(1, 20),
    b=st.integers(1, 5),
    scale=st.floats(0.2, 5),
)
def test_identical_yearly_ratios_give_a_statistic_of_about_zero(base, a, b, scale):
    """k1 = a·m, k2 = b·m and e1 = scale·e2 every year: every yearly ratio is a / (b·scale)."""
    m, e2 = (np.array(v, dtype=float) for v in zip(*base))
    result = pool(a * m, scale * e2, b * m, e2, 0.95)
    assert result["rate_ratio"] == pytest.approx(a / (b * scale), rel=1e-9)
    assert result["statistic"] == pytest.approx(0, abs=1e-6) and result["p_value"] == pytest.approx(1, abs=1e-4)


@settings(deadline=None)
@given(counts=st.tuples(st.integers(0, 500), st.integers(0, 500), st.integers(1, 60), st.integers(1, 60)))
def test_two_years_with_equal_exposures_match_scipys_g_test(counts):
    """Equal exposures: the test of one common ratio is the G-test of independence of the
    2 × 2 table of counts (country by year), which scipy computes on its own."""
    a, b, c, d = counts
    assume(a + b > 0)
    result = pool([a, b], [1, 1], [c, d], [1, 1], 0.95)
    g, p, _, _ = stats.chi2_contingency([[a, b], [c, d]], correction=False, lambda_="log-likelihood")
    assert result["statistic"] == pytest.approx(g, rel=1e-7, abs=1e-9)
    assert result["p_value"] == pytest.approx(p, rel=1e-6, abs=1e-12)


# --- the stage ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compared(built):
    compare.run(built)
    return json.loads((built.comparison / "dk_se.json").read_text(encoding="utf-8"))


def test_the_stage_pools_the_years_with_rates(built, compared):
    figures = [f for f in compared["figures"] if f["rate_ratio"] is not None]
    pooled = compared["pooled"]
    assert pooled["years"] == [f["reference_year"] for f in figures] and pooled["years_without_events"] == []
    model, fit = glm(*([f[c] for f in figures] for c in ("se_count", "se_exposure", "dk_count", "dk_exposure")))
    assert pooled["rate_ratio"] == pytest.approx(math.exp(fit.params[0]), rel=1e-9)
    low, high = profile_bounds_statsmodels(model, fit, compared["figures"][0]["interval_level"])
    assert (pooled["rate_ratio_lower"], pooled["rate_ratio_upper"]) == pytest.approx((low, high), rel=1e-7)
    assert pooled["p_value"] == pytest.approx(stats.chi2.sf(fit.deviance, len(figures) - 1), rel=1e-9)
    assert pooled["significance_level"] == pytest.approx(1 - compared["figures"][0]["interval_level"])
    # the yearly figures are untouched: the pool sits next to them
    assert [f["rate_ratio"] for f in figures] == pl.read_parquet(built.derived_comparison)["rate_ratio"].to_list()


def test_the_csv_the_metrics_and_the_note_carry_the_same_result(built, compared):
    pooled = compared["pooled"]
    row = pl.read_csv(built.comparison / "dk_se_pooled.csv").row(0, named=True)
    for name in ("rate_ratio", "rate_ratio_lower", "rate_ratio_upper", "statistic", "p_value"):
        assert row[name] == pytest.approx(pooled[name], rel=1e-12), name
    assert row["df"] == pooled["df"] and row["years"] == ";".join(map(str, pooled["years"]))
    values = json.loads((metrics.metrics_dir(built) / "comparison.json").read_text(encoding="utf-8"))
    assert values["pooled_rate_ratio"] == pytest.approx(pooled["rate_ratio"])
    assert values["pooled_p_value"] == pytest.approx(pooled["p_value"])
    assert "Alle år under ét" in compared["note"] and "gange" in compared["note"]
    assert "Alle år under ét" in (built.comparison / "dk_se.md").read_text(encoding="utf-8")


def test_the_chapter_says_it_in_the_shipped_state_and_with_same_months(built, compared, project):
    """The chapter's sentences with an interval carry the caveats of their years: the shipped
    data (2024 annualised from January–September), and with same_months (2024 without rates,
    so neither in the ratio over the years nor in its caveats)."""
    from pipeline import report_helpers as rh
    from pipeline.core_stages import run_core

    from conftest import set_params

    text = rh.pooled_text(compared)
    assert "Regnet under ét for 2021–2024" in text and "at 2024 indgår med et dansk helårsskøn" in text
    assert "at tallene ikke er direkte sammenlignelige" in text
    assert "afviger ikke mere fra hinanden" in text and "p = " in text
    assert "med det forbehold, at tallene ikke er direkte sammenlignelige" in rh.comparison_rates_text(compared)

    set_params(project, **{"comparison.partial_year": "same_months"})
    run_core(project)
    compare.run(project)
    same = json.loads((project.comparison / "dk_se.json").read_text(encoding="utf-8"))
    assert same["pooled"]["years"] == [2021, 2022, 2023]
    text = rh.pooled_text(same)
    assert "Regnet under ét for 2021–2023" in text and "2024" not in text
