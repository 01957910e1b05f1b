"""Properties of the choice of release, on generated sets of valid releases: flows and
stocks, partial and full years, final and preliminary, several vintages, count dates and
publication dates of every precision (or none)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import HealthCheck, given, settings, strategies as st

from pipeline.extrapolate import linear_figures

YEAR = 2024
MONTH_ENDS = {
    m: (dt.date(YEAR, m % 12 + 1, 1) if m < 12 else dt.date(YEAR + 1, 1, 1)) - dt.timedelta(days=1)
    for m in range(1, 13)
}


def span(published: str | None) -> tuple[dt.date | None, dt.date | None]:
    if published is None:
        return None, None
    parts = [int(p) for p in published.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        end = (dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)) - dt.timedelta(days=1)
        return dt.date(parts[0], parts[1], 1), end
    day = dt.date(*parts)
    return day, day


published_dates = st.one_of(
    st.none(),
    st.integers(2024, 2026).map(str),
    st.tuples(st.integers(2024, 2026), st.integers(1, 12)).map(lambda t: f"{t[0]}-{t[1]:02d}"),
    st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)).map(dt.date.isoformat),
)


@st.composite
def release(draw, kind: str):
    status = draw(st.sampled_from(["final", "preliminary"]))
    published = draw(published_dates)
    start, end = span(published)
    if kind == "flow":
        months = draw(st.integers(1, 12))
        period_end = draw(st.one_of(st.none(), st.integers(1, 27).map(lambda d: dt.date(YEAR, months, d))))
        count_date = None
    else:
        months, period_end = None, None
        count_date = draw(st.one_of(st.none(), st.dates(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))))
    return {
        "status": status,
        "published": published,
        "published_start": start,
        "published_end": end,
        "months_covered": months,
        "period_end": period_end,
        "count_date": count_date,
        "value": float(draw(st.integers(0, 5000))),
    }


def releases(kind: str):
    return st.lists(release(kind), min_size=1, max_size=7)


def frame(rows: list[dict], kind: str) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "release_id": f"r{i:02d}",
                "series": "x",
                "reference_year": YEAR,
                "kind": kind,
                "unit": "u",
                "country": "DK",
                "concept": "x",
                "publisher": "p",
                "publication": "q",
                "reported_by": None,
                "url": None,
                "note": None,
                "source_file": f"r{i:02d}.csv",
                "source_line": 2,
                "rows_aggregated": 1,
                "regions": 0,
                **r,
            }
            for i, r in enumerate(rows)
        ],
        schema_overrides={
            "months_covered": pl.Int64,
            "period_end": pl.Date,
            "count_date": pl.Date,
            "published": pl.Utf8,
            "published_start": pl.Date,
            "published_end": pl.Date,
            "reported_by": pl.Utf8,
            "url": pl.Utf8,
            "note": pl.Utf8,
        },
    )


# as many examples as the profile (conftest.py): a few dozen everyday, 2.000 in CI
FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ranked(project, rows, kind, rule="annual"):
    return linear_figures(frame(rows, kind), project, rule)


@FAST
@given(rows=releases("flow"))
def test_a_final_full_year_is_never_displaced(built, rows):
    out = ranked(built, rows, "flow")
    chosen = out.filter(pl.col("selected"))
    assert chosen.height == 1
    full_final = out.filter((pl.col("months_exposure") >= 12) & (pl.col("release_status") == "final"))
    if full_final.height:
        c = chosen.row(0, named=True)
        assert c["months_exposure"] >= 12 and c["release_status"] == "final"
    # a partial figure is selected only when no release covers more of the year
    assert chosen["months_exposure"][0] == out["months_exposure"].max()


@FAST
@given(rows=releases("flow"), seed=st.randoms())
def test_the_choice_does_not_depend_on_file_order(built, rows, seed):
    first = ranked(built, rows, "flow").filter(pl.col("selected"))["release_id"].to_list()
    shuffled = list(enumerate(rows))
    seed.shuffle(shuffled)
    # the same releases under the same ids, read in another order
    again = frame([r for _, r in shuffled], "flow").with_columns(
        pl.Series("release_id", [f"r{i:02d}" for i, _ in shuffled]),
        pl.Series("source_file", [f"r{i:02d}.csv" for i, _ in shuffled]),
    )
    assert linear_figures(again, built, "annual").filter(pl.col("selected"))["release_id"].to_list() == first


@FAST
@given(rows=releases("stock"))
def test_stocks_are_observations_on_their_dates(built, rows):
    out = ranked(built, rows, "stock")
    chosen = out.filter(pl.col("selected")).row(0, named=True)
    assert out.filter(pl.col("selected")).height == 1
    # vintages compete only within one count date
    for _, group in out.group_by("count_date"):
        assert sorted(group["vintage_rank"].to_list()) == list(range(1, group.height + 1))
        finals = group.filter(pl.col("release_status") == "final")
        top = group.filter(pl.col("vintage_rank") == 1).row(0, named=True)
        assert finals.height == 0 or top["release_status"] == "final"  # a preliminary never displaces a final
    # annual: the latest count, an undated one standing for the year's end
    year_end = dt.date(YEAR, 12, 31)
    latest = max(d or year_end for d in out["count_date"].to_list())
    assert (chosen["count_date"] or year_end) == latest
    dated = [d for d in out["count_date"].to_list() if d is not None]
    latest_dated = ranked(built, rows, "stock", "latest_dated").filter(pl.col("selected")).row(0, named=True)
    assert latest_dated["count_date"] == (max(dated) if dated else None)


@FAST
@given(rows=releases("flow"))
def test_later_publication_wins_among_equals(built, rows):
    """Among releases of the same period and status, one whose publication date is certainly
    later is chosen over one certainly earlier."""
    out = ranked(built, rows, "flow")
    top = out.filter(pl.col("vintage_rank") == 1).row(0, named=True)
    rivals = out.filter(
        (pl.col("months_exposure") == top["months_exposure"])
        & (pl.col("release_status") == top["release_status"])
        & (pl.col("vintage_rank") > 1)
    )
    for r in rivals.iter_rows(named=True):
        if top["published_end"] is not None and r["published_start"] is not None:
            assert not (r["published_start"] > top["published_end"]), (top, r)
        if top["published_start"] is None:
            assert r["published_start"] is None  # unknown dates rank last


# --- authority: the police's own release against quotes of it (issue 22) -------------------

# each example ranks up to seven releases in DuckDB: at most 300 in CI, enough for the
# generated kinds, dates and values to meet
AUTHORITY = settings(
    max_examples=min(settings().max_examples, 300), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

KINDS = ["primary", "official", "research", "press"]


@st.composite
def sourced_release(draw):
    """A flow release read at its publisher or in a quote: a quote keeps the original's
    `published` and has its own `reported_on`, on or after it."""
    r = draw(release("flow"))
    kind = draw(st.sampled_from(KINDS))
    reported_on = None
    if kind != "primary":
        reported_on = draw(published_dates)
        start, end = span(reported_on)
        if r["published_start"] is not None and end is not None and end < r["published_start"]:
            reported_on, start, end = r["published"], r["published_start"], r["published_end"]
    else:
        start = end = None
    return r | {
        "source_kind": kind,
        "reported_by": None if kind == "primary" else f"kilde {draw(st.integers(0, 3))}",
        "reported_on": reported_on,
        "reported_on_start": start,
        "reported_on_end": end,
        # a quote repeats the value, or misquotes it
        "value": r["value"] if kind == "primary" else float(draw(st.sampled_from([r["value"], r["value"] + 1]))),
    }


def sourced_frame(rows: list[dict]) -> pl.DataFrame:
    return frame(rows, "flow").with_columns(
        pl.col("reported_on").cast(pl.Utf8),
        pl.col("reported_on_start").cast(pl.Date),
        pl.col("reported_on_end").cast(pl.Date),
    )


@AUTHORITY
@given(rows=st.lists(sourced_release(), min_size=1, max_size=7))
def test_a_quote_never_takes_a_cell_from_a_more_authoritative_release(built, rows):
    out = linear_figures(sourced_frame(rows), built, "annual")
    chosen = out.filter(pl.col("selected")).row(0, named=True)
    # the releases that compete on everything ranked before authority
    rivals = out.filter(
        (pl.col("months_exposure") == chosen["months_exposure"])
        & ((pl.col("release_status") == "final") == (chosen["release_status"] == "final"))
    )
    best = min(KINDS.index(k) for k in rivals["source_kind"])
    # the value is the one the most authoritative source gives ...
    assert chosen["observed_value"] in rivals.filter(pl.col("source_kind") == KINDS[best])["observed_value"].to_list()
    # ... and where the publisher's own release gives it, that release is the cell's source
    if best == 0:
        assert chosen["source_kind"] == "primary"
    # of the releases giving that value, the date of a quote never decides against the original's
    same = rivals.filter(
        (pl.col("observed_value") == chosen["observed_value"])
        & ((pl.col("source_kind") == "primary") == (chosen["source_kind"] == "primary"))
    )
    for r in same.iter_rows(named=True):
        if chosen["published_end"] is not None and r["published_start"] is not None:
            assert not (r["published_start"] > chosen["published_end"])


@AUTHORITY
@given(rows=st.lists(sourced_release(), min_size=1, max_size=7), seed=st.randoms())
def test_the_choice_among_sources_does_not_depend_on_file_order(built, rows, seed):
    first = linear_figures(sourced_frame(rows), built, "annual").filter(pl.col("selected"))
    shuffled = list(enumerate(rows))
    seed.shuffle(shuffled)
    again = sourced_frame([r for _, r in shuffled]).with_columns(
        pl.Series("release_id", [f"r{i:02d}" for i, _ in shuffled]),
        pl.Series("source_file", [f"r{i:02d}.csv" for i, _ in shuffled]),
    )
    second = linear_figures(again, built, "annual").filter(pl.col("selected"))
    assert second["release_id"].to_list() == first["release_id"].to_list()


@AUTHORITY
@given(rows=st.lists(sourced_release(), min_size=2, max_size=6), data=st.data())
def test_a_correction_wins_whatever_its_authority(built, rows, data):
    """A release that declares it corrects another is chosen over it, for the same period and
    status, even when it is a quote and the corrected one the police's own release."""
    frame_ = sourced_frame(rows)
    fixer, fixed = data.draw(st.permutations(range(len(rows))))[:2]
    frame_ = frame_.with_columns(
        pl.when(pl.col("release_id") == f"r{fixer:02d}")
        .then(pl.lit(f"r{fixed:02d}"))
        .otherwise(None)
        .cast(pl.Utf8)
        .alias("supersedes")
    )
    out = linear_figures(frame_, built, "annual")
    by_id = {r["release_id"]: r for r in out.iter_rows(named=True)}
    a, b = by_id[f"r{fixer:02d}"], by_id[f"r{fixed:02d}"]
    if a["months_exposure"] == b["months_exposure"]:
        assert a["vintage_rank"] < b["vintage_rank"]
