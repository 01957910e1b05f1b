"""Which earlier years an interval and a trend rest on, and what they may never do: years of
another publication or outside a declared window change no fit, a trend never predicts a
full year below what is already counted, and earlier partial/final splits measure the
variation within a year."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings, strategies as st

from pipeline import uncertainty
from pipeline.methods import estimate_all
from simulate import frame, release_rows

SPEC = {"method": "negative_binomial", "level": 0.95, "min_history_years": 5, "min_split_years": 3}
KEY = ["series", "reference_year", "release_id", "method"]
# what a fit gives; `history_other_era` names the years left out and may differ
FITTED = [
    "estimate",
    "reason",
    "rest_mean",
    "fitted_full_year",
    "method_years",
    "interval_lower",
    "interval_upper",
    "dispersion_estimate",
    "dispersion_rule",
    "dispersion_years",
]


def published(row: dict, publication: str) -> dict:
    return row | {"publication": publication}


@st.composite
def eras(draw):
    """A series whose earlier years from 2010 are of one publication, a partial latest year,
    and earlier years (before 2010) of another publication, with any counts."""
    n = draw(st.integers(0, 9))
    counts = draw(st.lists(st.integers(0, 400), min_size=n, max_size=n))
    observed = draw(st.integers(0, 400))
    months = float(draw(st.integers(1, 11)))
    splits = draw(st.booleans())
    rows = []
    for k, count in enumerate(counts):
        rows.append(published(release_rows("s", 2010 + k, count, 12), "Nøgletal"))
        if splits:
            rows.append(published(release_rows("s", 2010 + k, int(count * months / 12), months), "Nøgletal"))
    rows.append(published(release_rows("s", 2010 + n, observed, months), "Nøgletal"))
    older = draw(st.lists(st.integers(0, 5000), min_size=1, max_size=6))
    other = [published(release_rows("s", 2009 - k, c, 12), "En avis") for k, c in enumerate(older)]
    return rows, other


def fits(rows, windows=None) -> pl.DataFrame:
    return estimate_all(frame(rows), SPEC, True, windows).filter(pl.col("reference_year") >= 2010)


@settings(deadline=None, max_examples=60)
@given(eras())
def test_earlier_years_of_another_publication_change_no_fit(era):
    rows, other = era
    base = fits(rows)
    more = fits(rows + other)
    joined = base.select(*KEY, *FITTED).join(more.select(*KEY, *FITTED), on=KEY, suffix="_more")
    assert joined.height == base.height
    for column in FITTED:
        assert joined[column].to_list() == joined[f"{column}_more"].to_list(), column
    assert all(set(y) <= {2009 - k for k in range(6)} for y in more["history_other_era"].to_list())


@settings(deadline=None, max_examples=60)
@given(eras())
def test_a_declared_window_keeps_older_years_out_whatever_their_source(era):
    rows, other = era
    # the older years now claim the same publication: only the window keeps them out
    same = [r | {"publication": "Nøgletal"} for r in other]
    window = {"s": {"first_year": 2010, "reason": "anden definition før 2010"}}
    base = fits(rows, window)
    more = fits(rows + same, window)
    joined = base.select(*KEY, *FITTED).join(more.select(*KEY, *FITTED), on=KEY, suffix="_more")
    for column in FITTED:
        assert joined[column].to_list() == joined[f"{column}_more"].to_list(), column
    assert set(more["history_window"].drop_nulls()) <= {"anden definition før 2010"}


@settings(deadline=None, max_examples=80)
@given(
    counts=st.lists(st.integers(0, 300), min_size=3, max_size=10),
    observed=st.integers(0, 600),
    months=st.integers(1, 11),
)
def test_a_trend_never_predicts_a_full_year_below_the_count_already_made(counts, observed, months):
    rows = [release_rows("s", 2000 + k, c, 12) for k, c in enumerate(counts)]
    rows.append(release_rows("s", 2000 + len(counts), observed, months))
    trend = estimate_all(frame(rows), SPEC).filter(pl.col("method") == "trend").row(0, named=True)
    if trend["estimate"] is not None:
        assert trend["estimate"] >= observed and trend["fitted_full_year"] >= observed
    elif trend["fitted_full_year"] is not None:  # the trend ran below the count: said, not used
        assert trend["fitted_full_year"] < observed and "fewer than the" in trend["reason"]


def test_the_trend_falls_back_when_the_year_has_passed_it(project):
    """19 shootings by September against a falling trend of 33, 18, 21 → 14,2 for 2024: trend
    is not used, linear is, and the notes say why in Danish."""
    import json

    from pipeline.core_stages import run_core

    from conftest import set_params

    set_params(project, **{"extrapolation.method": "trend"})
    run_core(project)
    derived = pl.read_parquet(project.derived_figures).filter(
        pl.col("selected") & (pl.col("series") == "skudepisoder") & (pl.col("reference_year") == 2024)
    )
    assert derived["method"][0].startswith("linear (fallback: trend: the trend of the earlier years predicts 14.")
    assert derived["value"][0] == 25
    note = json.loads((project.tables / "table_1_3.json").read_text(encoding="utf-8"))["note"]
    assert "forudsiger 14,2 for hele året, færre end de 19, der allerede er opgjort" in note


def test_splits_measure_the_variation_within_a_year():
    """Years that run high or low as a whole (a level shift) but split their events by chance:
    the splits show binomial chance, and the interval of a linear estimate is measured within
    years; trend, whose rest comes from earlier years, keeps the variation between years."""
    finals = [40, 90, 35, 120, 50, 80]
    rows = []
    for k, full in enumerate(finals):
        rows.append(release_rows("s", 2010 + k, full, 12))
        rows.append(release_rows("s", 2010 + k, round(full * 0.75) + (-1) ** k, 9))
    rows.append(release_rows("s", 2016, 60, 9))
    estimates = estimate_all(frame(rows), SPEC).filter(pl.col("reference_year") == 2016)
    by_method = {r["method"]: r for r in estimates.iter_rows(named=True)}
    linear, trend = by_method["linear"], by_method["trend"]
    assert linear["dispersion_rule"] == "within_year" and linear["dispersion_estimate"] < 1
    assert trend["dispersion_rule"] == "estimated" and trend["dispersion_estimate"] > 5
    width = linear["interval_upper"] - linear["interval_lower"]
    between = estimate_all(frame(rows), SPEC | {"min_split_years": 99}).filter(
        (pl.col("reference_year") == 2016) & (pl.col("method") == "linear")
    )
    assert between["dispersion_rule"][0] == "estimated"
    assert width < between["interval_upper"][0] - between["interval_lower"][0]
    assert uncertainty.WITH_INTERVAL[0] == "within_year"
