"""National figures are exact sums of their rows, whatever the rows' order; numbers beyond
what the format allows are refused where they are written.

Monthly and regional rows are summed as decimals (sql/macros.sql, `danish_decimal`), not as
doubles: a double cannot hold 9.007.199.254,740992 (2^53 millionths) plus one millionth, so a
sum of doubles loses the small values added after the large one but keeps those added
before it. The result becomes a double once, at the end: the double nearest the exact sum."""

from __future__ import annotations

import csv
import io
import random
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pipeline import db, ingest, release_scan, schemas
from pipeline.errors import InputError

from conftest import copy_project

# the monthly and regional optional columns (`exceptional` may be left out; the rows are laid out without it)
HEADER = [*schemas.RELEASE_COLUMNS, "month", "region"]
SERIES = "zz_eksakt"
# 2^53 millionths: above it a double no longer holds every millionth
LARGE = "9.007.199.254,740992"
SMALL = "0,000001"
MONTHS, REGIONS = 12, 3001  # 36.012 rows: the large value among 36.011 small ones


def _danish(text: str) -> Decimal:
    return Decimal(text.replace(".", "").replace(",", "."))


EXACT = _danish(LARGE) + (MONTHS * REGIONS - 1) * _danish(SMALL)


def _row(value: str, month: int, region: str, series: str = SERIES, unit: str = "år") -> list[str]:
    return [
        series,
        "2025",
        value,
        "",
        "",
        "",
        "flow",
        unit,
        "final",
        "NSK",
        "Nøgletal",
        "2026",
        "",
        "",
        "",
        str(month),
        region,
    ]


def _rows(large_at: int, seed: int) -> list[list[str]]:
    cells = [(m, f"R{r:04d}") for r in range(REGIONS) for m in range(1, MONTHS + 1)]
    random.Random(seed).shuffle(cells)
    return [_row(LARGE if i == large_at else SMALL, m, r) for i, (m, r) in enumerate(cells)]


def _write(paths, name: str, rows: list[list[str]], quoting=csv.QUOTE_MINIMAL) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=quoting)
    writer.writerow(HEADER)
    writer.writerows(rows)
    (paths.raw_releases / f"{name}.csv").write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def exact_project(tmp_path_factory):
    """The shipped data plus a fractional series without a plausible maximum."""
    paths = copy_project(tmp_path_factory.mktemp("exact"))
    with paths.raw_series.open("a", encoding="utf-8") as file:
        file.write(f"{SERIES},DK,Eksakt sum,år,flow,{SERIES},false,Til testen af eksakte summer.,tests,\n")
    return paths


def _figure(figures: pl.DataFrame) -> float:
    return figures.filter(series=SERIES)["value"].item()


def test_a_double_sum_would_depend_on_the_order():
    """The case bites: added to the large value one by one, the small ones vanish."""
    large, small = float(_danish(LARGE)), float(_danish(SMALL))
    first = large
    for _ in range(MONTHS * REGIONS - 1):
        first += small
    last = small * 0
    for _ in range(MONTHS * REGIONS - 1):
        last += small
    assert first != last + large
    assert first != float(EXACT)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(large_at=st.integers(0, MONTHS * REGIONS - 1), seed=st.integers(0, 2**32 - 1))
def test_the_national_sum_is_exact_in_any_row_order(exact_project, large_at, seed):
    _write(exact_project, "zz_exact", _rows(large_at, seed))
    figure = _figure(ingest.load(exact_project)["figures"])
    assert figure == float(EXACT)


@pytest.mark.parametrize("quoting", [csv.QUOTE_MINIMAL, csv.QUOTE_ALL], ids=["unquoted", "quoted"])
def test_scan_and_row_path_sum_exactly(exact_project, quoting):
    """Both ways of reading release rows (pipeline/release_scan.py and the row path of
    pipeline/ingest.py) give the exact sum, for a plain and for a quoted file."""
    _write(exact_project, "zz_exact", _rows(0, 1), quoting)
    reader = ingest._Reader(exact_project)
    con = db.connect()
    series = ingest._query(
        con,
        exact_project,
        "stg_raw__series",
        {"raw_series": reader.read(exact_project.raw_series, schemas.SERIES_COLUMNS, schemas.OPTIONAL_SERIES_COLUMNS)},
        ("number_pattern",),
    )
    scanned = release_scan.scan(exact_project, series, reader.release_files())
    rows, problems = ingest.release_figures(reader, series, exact_project)
    assert not problems and scanned is not None
    assert _figure(scanned) == _figure(rows) == float(EXACT)


# -- numbers the format does not allow -------------------------------------------------------

TOO_LONG = {
    "400 digits": "9" * 400,
    "400 digits in groups": "1" + ".000" * 133,
    "2^53": "9007199254740992",
    "2^53 in groups": "9.007.199.254.740.992",
    "seven decimals": "1,0000001",
}


@pytest.mark.parametrize("quoting", [csv.QUOTE_MINIMAL, csv.QUOTE_ALL], ids=["unquoted", "quoted"])
@pytest.mark.parametrize("value", list(TOO_LONG.values()), ids=list(TOO_LONG))
def test_a_number_beyond_the_format_is_refused_where_it_is(project, value, quoting):
    """At most 15 digits before the decimal comma and 6 after (pipeline/schemas/): a longer
    number is refused with its file, line and column, through the whole ingest, never read as
    infinity or rounded."""
    rows = [_row(value if m == 2 else "1", m, "Nord", "strafmasse", "år fængsel") for m in range(1, 4)]
    _write(project, "zz_long", rows, quoting)
    with pytest.raises(InputError) as caught:
        ingest.load(project)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.column, problem.check) == (
        "data/raw/releases/zz_long.csv",
        3,
        "value",
        "number_format",
    )
    assert value[:20] in problem.message
