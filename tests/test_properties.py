"""Property-based tests (hypothesis; as many examples as the profile in conftest.py says: a
few dozen everyday, 2.000 in CI): the raw parser never fails with a foreign exception, and the
extrapolation keeps its promises."""

from __future__ import annotations

import shutil

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pipeline import ingest
from pipeline.errors import InputError
from pipeline.extrapolate import extrapolate
from pipeline.paths import Paths
from pipeline.schemas import RELEASE_COLUMNS

from conftest import REPO, copy_project
from test_extrapolate import figures

FILE_LEVEL = {
    "encoding",
    "field_count",
    "separator",
    "empty_file",
    "no_rows",
    "line_break",
    "csv_syntax",
    "control_character",
}
PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

VALID = {
    "series": ["sigtelser", "draebte", "medlemmer", "x", ""],
    "reference_year": ["2025", "1899", "2200", "25", "2o25", ""],
    "value": ["1.520", "1.5.20", "1.52", "-5", "2,5", '"2,5"', "NA", "", "0", "12"],
    "months_covered": ["6", "12", "0", "13", "", "x"],
    "period_end": ["", "2025-06-30", "2025-13-01"],
    "count_date": ["", "2025-06-30", "2024-01-01", "30/6"],
    "kind": ["flow", "stock", "strøm"],
    "unit": ["sigtelser", "personer", ""],
    "status": ["final", "preliminary", "?"],
    "publisher": ["NSK", "=1+1", "<b>x</b>", ""],
    "publication": ["Nøgletal"],
    "published": ["2025", "2025-02", "x", ""],
    "reported_by": [""],
    "url": [""],
    "note": ["", "æøå", "<script>"],
}
junk = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
field = {c: st.one_of(st.sampled_from(v), junk) for c, v in VALID.items()}
row = st.fixed_dictionaries(field).map(lambda r: ",".join(r[c] for c in RELEASE_COLUMNS))
csv_text = st.lists(row, max_size=4).map(lambda rows: "\n".join([",".join(RELEASE_COLUMNS), *rows]) + "\n")
raw_bytes = st.one_of(
    csv_text.map(lambda t: t.encode("utf-8")),
    st.binary(max_size=200),
    csv_text.map(lambda t: t.encode("utf-8", "replace")[: len(t) // 2]),
)


@pytest.fixture(scope="module")
def minimal(tmp_path_factory) -> Paths:
    """A project with only series.csv and one release file, so each example is quick."""
    paths = copy_project(tmp_path_factory.mktemp("prop"))
    for f in paths.raw_releases.glob("*.csv"):
        f.unlink()
    shutil.rmtree(paths.raw_published)
    shutil.rmtree(paths.raw_statements)
    return paths


@pytest.mark.slow
@PROPERTY
@given(content=raw_bytes)
def test_parser_returns_valid_rows_or_locates_the_problem(minimal, content):
    (minimal.raw_releases / "case.csv").write_bytes(content)
    try:
        tables = ingest.load(minimal)
    except InputError as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.file in ("data/raw/releases/case.csv", "data/raw/releases")
            assert p.check and p.message
            # a row-level problem names its line and column; file-level ones (encoding, CSV
            # syntax) name the line where they can
            if p.line not in (None, 1) and p.check not in FILE_LEVEL:
                assert p.column, p
        return
    figures_ = tables["figures"]
    assert figures_["value"].null_count() == 0 and (figures_["value"] >= 0).all()
    assert figures_["source_line"].min() >= 2


counts = st.integers(0, 5_000_000)
months = st.integers(1, 12)
roundings = st.sampled_from(["half_up", "half_even"])


def estimate(value, months_covered, rounding):
    out = extrapolate(
        figures([{"value": float(value), "months_covered": months_covered}]),
        {"method": "linear", "rounding": rounding},
        Paths(REPO),
    )
    return out.row(0, named=True)


@PROPERTY
@given(value=counts, rounding=roundings)
def test_full_year_flow_is_unchanged(value, rounding):
    row = estimate(value, 12, rounding)
    assert row["value"] == value and row["status"] == "observed"


@PROPERTY
@given(value=counts, months_covered=months, rounding=roundings)
def test_extrapolation_never_decreases_a_count(value, months_covered, rounding):
    assert estimate(value, months_covered, rounding)["value"] >= value


@PROPERTY
@given(value=counts, months_covered=st.integers(1, 11), rounding=roundings)
def test_rounding_follows_params(value, months_covered, rounding):
    row = estimate(value, months_covered, rounding)
    exact = value * 12 / months_covered
    assert row["value_unrounded"] == exact and row["rounding"] == rounding
    floor = int(exact)
    fraction = exact - floor
    if fraction > 0.5 + 1e-9:
        assert row["value"] == floor + 1
    elif fraction < 0.5 - 1e-9:
        assert row["value"] == floor
    elif rounding == "half_up":
        assert row["value"] == floor + 1
    else:
        assert row["value"] == (floor if floor % 2 == 0 else floor + 1)


# --- the one-pass verdict of pipeline/validate.py agrees with pandera's ---------------------


def _pandera_fails(frame: pl.DataFrame, schema) -> bool:
    import pandera.polars as pa
    from pandera.config import ValidationDepth, config_context

    with config_context(validation_depth=ValidationDepth.SCHEMA_AND_DATA):
        try:
            schema.pandera.validate(frame, lazy=True)
        except pa.errors.SchemaErrors:
            return True
    return False


@pytest.fixture(scope="module")
def typed_rows() -> pl.DataFrame:
    """The shipped release rows as validation reads them (sql/int_release_figures_joined_to_series.sql; all valid)."""
    from pipeline import db, schemas

    paths = Paths(REPO)
    reader = ingest._Reader(paths)
    con = db.connect()
    ingest._query(  # the series, under the model's name, for the rows to be joined to
        con,
        paths,
        "stg_raw__series",
        {"raw_series": reader.read(paths.raw_series, schemas.SERIES_COLUMNS, schemas.OPTIONAL_SERIES_COLUMNS)},
        ("number_pattern",),
    )
    raw = next(reader.release_batches())
    return ingest.typed_release_rows(con, paths, raw)


MUTATIONS = {
    "negative": ("value", -1.0),
    "fractional": ("value", 0.5),
    "year": ("reference_year", 1800),
    "kind": ("kind", "flux"),
    "status": ("status", "draft"),
    "formula": ("publisher", "=1+1"),
    "markup": ("note", "<b>x</b>"),
    "month": ("month", 13),
    "month_on_stock": ("month", 1),
    "months": ("months_covered", 0),
    "no_series": ("series", None),
    "unknown_series": ("series_kind", None),
    "region": ("region", "Nord"),
    "period": ("period_end", None),
    "same": ("value", None),
}


# 15 mutations × duplicated or not × the row: a few hundred examples cover the combinations
@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutation=st.sampled_from(sorted(MUTATIONS)), row=st.integers(0, 10_000), duplicate=st.booleans())
def test_one_pass_verdict_equals_pandera(typed_rows, mutation, row, duplicate):
    from pipeline import schemas, validate

    row %= typed_rows.height
    column, value = MUTATIONS[mutation]
    frame = typed_rows.with_columns(
        pl.when(pl.int_range(pl.len()) == row)
        .then(pl.lit(value, dtype=typed_rows.schema[column]))
        .otherwise(pl.col(column))
        .alias(column)
    )
    if duplicate:
        frame = pl.concat([frame, frame.slice(row, 1)])
    assert validate.passes(frame, schemas.release_figures) == (not _pandera_fails(frame, schemas.release_figures))


def test_shipped_rows_pass_and_pandera_gets_every_rule(typed_rows):
    from pipeline import schemas, validate

    assert validate.passes(typed_rows, schemas.release_figures)
    for schema in (*validate.TABLES.values(), schemas.release_figures, schemas.releases_together):
        for name, column in schema.columns.items():
            built = schema.pandera.columns[name]
            assert [c.name for c in built.checks] == [r.name for r in column.checks]
            assert (built.nullable, built.unique, built.dtype.type) == (column.nullable, column.unique, column.dtype)
