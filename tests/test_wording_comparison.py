"""The Danish sentences on the comparison over all its years (pipeline/wording/comparison.py)
are true in every generated state of the comparison: many years or one, a ratio that differs
between years or not, years without any death, no Danish or no Swedish death at all, partial
years on either side, comparable figures or not."""

from __future__ import annotations

import re

import polars as pl
from hypothesis import given, settings, strategies as st

from pipeline import compare, fmt, wording
from pipeline.report_helpers import comparison_notes, pooled_text

LIBRARIES = re.compile(r"statsmodels|scipy|GLM|brentq|\bnan\b|\binf\b|None", re.I)


@st.composite
def comparisons(draw) -> dict:
    """A comparison's JSON: rows as the compare stage writes them and its pooled result."""
    n = draw(st.integers(1, 6))
    first = draw(st.integers(2000, 2030))
    rows = []
    for year in range(first, first + n):
        dk_months = draw(st.sampled_from([12, 12, 9, 6.5]))
        se_months = draw(st.sampled_from([12, 12, 12, dk_months]))
        k1, k2 = draw(st.integers(0, 120)), draw(st.integers(0, 12))
        e1, e2 = draw(st.floats(5e6, 1.1e7)), draw(st.floats(3e6, 6e6)) * dk_months / 12
        rated = draw(st.booleans()) or n == 1  # a year without rates: one count missing
        rows.append(
            {
                "reference_year": year,
                "se_count": k1,
                "dk_count": k2,
                "se_exposure": e1,
                "dk_exposure": e2,
                "se_rate": k1 / e1 * 1e5 if rated else None,
                "dk_rate": k2 / e2 * 1e5 if rated else None,
                "rate_ratio": (k1 / e1 / (k2 / e2) if k2 else float("inf")) if rated and k1 + k2 else None,
                "dk_months": dk_months,
                "se_months": se_months,
                "directly_comparable": draw(st.booleans()),
                "interval_level": draw(st.sampled_from([0.9, 0.95])),
            }
        )
    level = rows[0]["interval_level"]
    for r in rows:
        r["interval_level"] = level
    pooled = compare.pooled(pl.DataFrame(rows))
    return {"figures": rows, "pooled": pooled}


def assert_p_text_is_true(text: str, p: float) -> None:
    shown = re.search(r"p ([<=]) (\d+,\d+)", text)
    assert shown, text
    value = float(shown[2].replace(",", "."))
    if shown[1] == "<":
        assert p < value
    else:
        assert abs(p - value) <= 0.5 * 10 ** -len(shown[2].split(",")[1]) + 1e-12


@settings(deadline=None)
@given(comparison=comparisons())
def test_the_sentences_say_what_the_result_is(comparison):
    pooled, rows = comparison["pooled"], comparison["figures"]
    pooled_sentence = wording.pooled_sentence(pooled, rows)
    test = wording.homogeneity_sentence(pooled, rows)
    text = pooled_text(comparison)
    assert not LIBRARIES.search(text), text
    used = [r for r in rows if r["reference_year"] in pooled["years"]]

    if len(pooled["years"]) == 1:
        assert "kan ikke testes" in test and str(pooled["years"][0]) in test
    elif pooled["p_value"] is None or pooled["se_count"] == 0:
        assert test == ""
    else:
        assert_p_text_is_true(test, pooled["p_value"])
        differs = pooled["p_value"] < pooled["significance_level"]
        assert ("afviger ikke mere" in test) == (not differs) and ("afviger mere" in test) == differs
        # a rise or a fall is named only to say the figures give no ground for it
        assert ("stigning" in test) == (not differs) and "ikke grundlag" in test or differs
        finite = [r["rate_ratio"] for r in used if r["dk_count"] > 0]
        assert wording.number(min(finite), 1) in test and wording.number(max(finite), 1) in test

    if pooled["rate_ratio"] is not None and len(pooled["years"]) > 1:
        level = fmt.percent(pooled["interval_level"])
        interval = f"{wording.number(pooled['rate_ratio_lower'], 1)}–{wording.number(pooled['rate_ratio_upper'], 1)}"
        assert f"{level}-interval {interval}" in pooled_sentence
        assert fmt.year_ranges(pooled["years"]) in pooled_sentence
        # the caveats the notes give for these years, in the sentence with the interval
        for r in used:
            partial = r["dk_months"] < 12 or r["se_months"] < 12
            assert (f"at {r['reference_year']} " in pooled_sentence) == partial, r
        apart = any(not r["directly_comparable"] for r in used)
        assert ("ikke er direkte sammenlignelige" in pooled_sentence) == apart
        for year in pooled["years_without_events"]:
            assert str(year) in pooled_sentence and "indgår ikke" in pooled_sentence
    elif pooled["rate_ratio"] is None and pooled["years"]:
        assert "ingen dræbte i Danmark" in pooled_sentence and pooled["dk_count"] == 0
    elif not pooled["years"] and pooled["years_without_events"]:
        assert "hverken" in pooled_sentence


@settings(deadline=None)
@given(p=st.floats(0, 1), alpha=st.sampled_from([0.01, 0.05, 0.1, 0.2]))
def test_the_p_value_is_never_rounded_across_the_level(p, alpha):
    text = wording.p_value_text(p, alpha)
    assert_p_text_is_true(text, p)
    shown = float(text.split(" ")[-1].replace(",", "."))
    if p < alpha:
        assert shown <= alpha and (shown < alpha or "<" in text)
    else:
        assert shown >= alpha or "<" not in text and shown >= round(alpha, 3)


def test_p_values_by_hand():
    assert wording.p_value_text(0.6687, 0.05) == "p = 0,67"
    assert wording.p_value_text(0.0496, 0.05) == "p < 0,05"
    assert wording.p_value_text(0.012, 0.05) == "p = 0,012"
    assert wording.p_value_text(0.0004, 0.05) == "p < 0,001"
    assert wording.p_value_text(0.05, 0.05) == "p = 0,050"


def test_the_caveats_follow_the_rows():
    full = {"reference_year": 2023, "dk_months": 12, "se_months": 12, "directly_comparable": True}
    partial = full | {"reference_year": 2024, "dk_months": 9}
    assert wording.with_caveats([full]) == ""
    assert wording.caveats([full, partial]) == ["at 2024 indgår med et dansk helårsskøn ud fra januar–september"]
    assert wording.caveats([partial | {"se_months": 9}]) == ["at 2024 kun dækker januar–september i begge lande"]
    apart = [full | {"directly_comparable": False}, partial]
    assert wording.caveats(apart)[-1] == "at tallene for 2023 ikke er direkte sammenlignelige"


@settings(deadline=None)
@given(comparison=comparisons())
def test_the_notes_name_the_method_only_for_a_ratio_over_several_years(comparison):
    pooled = comparison["pooled"]
    rows = [
        r | {"comparability_reason": "x", "period_note": None, "per_inhabitants": 1e5} for r in comparison["figures"]
    ]
    rows = [
        r | {"rate_interval_method": "statsmodels confint_poisson, method exact-c", "ratio_interval_method": "y"}
        for r in rows
    ]
    text = comparison_notes({"figures": rows, "pooled": pooled, "source": "Kilde: z."})
    several = pooled["rate_ratio"] is not None and len(pooled["years"]) > 1
    assert ("profillikelihood-interval" in text) == several
    assert ("frihedsgrader" in text) == (several and pooled["p_value"] is not None)
    assert not LIBRARIES.search(text), text
