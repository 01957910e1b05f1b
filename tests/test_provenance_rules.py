"""The rules of a release's provenance (issue 22: where and when a figure was read, the kind
of source, count dates of any precision, approximate values, a count final for part of a
year), on generated rows: every rule refuses exactly what a plain statement of it refuses, and
the release scan and the row path agree on every generated file."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pipeline import schemas

from test_release_scan import assert_scan_agrees, write

HEADER = [*schemas.RELEASE_COLUMNS, "reported_on", "source_kind", "supersedes", "approximate"]
YEAR = 2019
# the rules this file states; others (duplicates, ties) are tested where they are built
RULES = {
    "date_span_format",
    "real_date",
    "count_date_in_year",
    "reported_on_needs_reported_by",
    "reported_after_published",
    "source_kind_values",
    "boolean_values",
    "publisher_or_reported_by",
    "publication_or_reported_by",
    "final_for_period_is_partial",
}


def span(text: str) -> tuple[dt.date, dt.date] | None:
    """A date as the raw format reads it: a year, a month or a day, as the span of its days;
    None when it names no real day."""
    parts = text.split("-")
    try:
        if len(parts) == 1:
            return dt.date(int(parts[0]), 1, 1), dt.date(int(parts[0]), 12, 31)
        if len(parts) == 2:
            y, m = int(parts[0]), int(parts[1])
            return dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])
        day = dt.date(*map(int, parts))
        return day, day
    except ValueError:
        return None


dates = st.one_of(
    st.just(""),
    st.integers(YEAR - 1, YEAR + 2).map(str),
    st.tuples(st.integers(YEAR - 1, YEAR + 1), st.integers(0, 13)).map(lambda t: f"{t[0]}-{t[1]:02d}"),
    st.tuples(st.integers(YEAR, YEAR + 1), st.integers(1, 12), st.integers(1, 31)).map(
        lambda t: f"{t[0]}-{t[1]:02d}-{t[2]:02d}"
    ),
    st.sampled_from(["2019-1-5", "januar 2019", "2019/06"]),
    # the edge of the next-year rule: the first days of the next year, to the day or not
    st.sampled_from(["2020-01-01", "2020-01-07", "2020-01-08", "2020-01", "2018-12-31"]),
)


@st.composite
def provenance(draw) -> dict:
    return {
        "count_date": draw(dates),
        "published": draw(st.sampled_from(["", "2019", "2020-03", "2020-03-14"])),
        "reported_by": draw(st.sampled_from(["", "Ekstra Bladet", "Justitsministeriet, svar på spørgsmål 12"])),
        "reported_on": draw(st.sampled_from(["", "2019-11", "2020", "2021-02-30", "2020-2"])),
        "source_kind": draw(st.sampled_from(["", "primary", "official", "research", "press", "rygte"])),
        "approximate": draw(st.sampled_from(["", "true", "false", "ca."])),
        "publisher": draw(st.sampled_from(["", "Rigspolitiet"])),
        "publication": draw(st.sampled_from(["", "Nøgletal"])),
        "status": draw(st.sampled_from(["final", "preliminary", "final_for_period"])),
        "months": draw(st.sampled_from(["6", "12"])),
    }


def rows(p: dict) -> list[list[str]]:
    """A member count (a stock, with the count date) and a flow (with the months) of one
    release, sharing its provenance."""
    common = [p["publisher"], p["publication"], p["published"], p["reported_by"], "", ""]
    extra = [p["reported_on"], p["source_kind"], "", p["approximate"]]
    stock = ["medlemmer", str(YEAR), "1.200", "", "", p["count_date"], "stock", "personer", "final", *common, *extra]
    flow = ["sigtelser", str(YEAR), "1.500", p["months"], "", "", "flow", "sigtelser", p["status"], *common, *extra]
    return [stock, flow]


def expected(p: dict) -> set[str]:
    """The rules, stated plainly, that refuse this provenance."""
    refused = set()
    formats = {"count_date": p["count_date"], "published": p["published"], "reported_on": p["reported_on"]}
    spans = {}
    for name, text in formats.items():
        if not text:
            continue
        if not any(
            len(text) == n and text.replace("-", "").isdigit() and text.count("-") == (n - 4) // 3 for n in (4, 7, 10)
        ):
            refused.add("date_span_format")
        elif (spans.setdefault(name, span(text))) is None:
            refused.add("real_date")
    count = spans.get("count_date")
    if count is not None:
        start = count[0]
        next_year_start = (
            len(p["count_date"]) == 10
            and start.year == YEAR + 1
            and start.timetuple().tm_yday <= schemas.NEXT_YEAR_COUNT_DAYS
        )
        if start.year != YEAR and not next_year_start:
            refused.add("count_date_in_year")
    if p["reported_on"] and not p["reported_by"]:
        refused.add("reported_on_needs_reported_by")
    if spans.get("reported_on") and spans.get("published") and spans["reported_on"][1] < spans["published"][0]:
        refused.add("reported_after_published")
    if p["source_kind"] and p["source_kind"] not in schemas.SOURCE_KINDS:
        refused.add("source_kind_values")
    if p["approximate"] not in ("", "true", "false"):
        refused.add("boolean_values")
    for field in ("publisher", "publication"):
        if not p[field] and not p["reported_by"]:
            refused.add(f"{field}_or_reported_by")
    if p["status"] == "final_for_period" and p["months"] == "12":
        refused.add("final_for_period_is_partial")
    return refused


@pytest.fixture(scope="module")
def alone(tmp_path_factory):
    """A project copy whose only release is the generated one (rewritten for each example)."""
    from conftest import copy_project

    paths = copy_project(tmp_path_factory.mktemp("provenance"))
    for path in paths.raw_releases.glob("*.csv"):
        path.unlink()
    return paths


# each example reads the file twice (the scan and the row path): at most 150 in CI
@settings(
    max_examples=min(settings().max_examples, 150),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(p=provenance())
def test_each_provenance_rule_refuses_what_it_says(alone, p):
    write(alone, "zz_generated", rows(p), header=HEADER)
    _, problems = assert_scan_agrees(alone)
    found = {q.check for q in problems} & RULES
    assert found == expected(p), [q.render() for q in problems]
    for q in problems:
        assert q.file == "data/raw/releases/zz_generated.csv" and q.line in (2, 3), q.render()
