"""Validation, the gate: every rule of pipeline/schemas.py runs on every row, every failure is
collected, and the ingest stage writes nothing unless all rows pass.

Two evaluators for the one set of rules: all rules of a schema as polars expressions in a
single pass (`passes`), which decides; and, only when something fails, pandera, whose
failure cases name each failing row, column and check (it makes one pass per check, which
is fine for reporting and slow at millions of rows)."""

from __future__ import annotations

import polars as pl

from pipeline import schemas
from pipeline.errors import Problem

TEXT_SUFFIX = "_text"


def passes(frame: pl.DataFrame, schema: schemas.Schema) -> bool:
    """True when every row passes every rule of `schema`, decided in one pass over `frame`.

    False also when a column is missing or of another type: pandera then reports it."""
    failures = []
    for name, column in schema.columns.items():
        if frame.schema.get(name) != column.dtype:
            return False
        if not column.nullable:
            failures.append(pl.col(name).is_null())
        if column.unique:
            failures.append(pl.col(name).is_duplicated())
        failures += [~rule.passes for rule in column.checks]
    if not failures:
        return True
    found = frame.lazy().select(f.any().alias(str(i)) for i, f in enumerate(failures)).collect()
    return not any(found.row(0))


def problems_from(frame: pl.DataFrame, schema: schemas.Schema) -> list[Problem]:
    """Validate values, not only the schema, and turn pandera's failure cases into problems
    that name the raw file, line and column."""
    if passes(frame, schema):
        return []
    import pandera.polars as pa
    from pandera.config import ValidationDepth, config_context

    try:
        # Data checks are skipped for lazy frames unless the depth says otherwise.
        with config_context(validation_depth=ValidationDepth.SCHEMA_AND_DATA):
            schema.pandera.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return _to_problems(frame, exc.failure_cases, schemas.check_names(schema))
    # the single pass found a failure that pandera does not: the two evaluators of the same
    # rules disagree (on blanks or types, say), which is a bug here, not a problem of the input
    raise AssertionError(f"pandera finds nothing wrong where the one-pass check failed: {sorted(schema.columns)}")


def _to_problems(frame: pl.DataFrame, cases: pl.DataFrame, names: dict[str, str]) -> list[Problem]:
    where = frame.select("source_file", "source_line").with_row_index("index")
    problems = []
    for case in cases.iter_rows(named=True):
        column = case["column"] or None
        raw_column = column.removesuffix(TEXT_SUFFIX) if column else None
        message = schemas.BUILTIN_MESSAGES.get(case["check"], case["check"])
        check = names.get(case["check"], case["check"])
        if case["index"] is None:
            problems.append(Problem("(all files)", None, raw_column, check, f"{message}: {case['failure_case']}"))
            continue
        row = where.row(int(case["index"]), named=True)
        shown = case["failure_case"]
        if column and frame.schema[column] != pl.Utf8 and column + TEXT_SUFFIX in frame.columns:
            shown = frame[column + TEXT_SUFFIX][int(case["index"])]
        value = f"'{shown}' " if shown is not None and column else ""
        problems.append(Problem(row["source_file"], row["source_line"], raw_column, check, f"{value}{message}".strip()))
    return sorted(set(problems))


# The schema of each table typed from the raw files. Release figures are checked batch by
# batch with `release_figures` and, across files, with `releases_together` (pipeline/ingest.py).
TABLES = {
    "series": schemas.series_metadata,
    "published": schemas.published_values,
    "statements": schemas.statements,
    "notifications": schemas.notifications,
}
