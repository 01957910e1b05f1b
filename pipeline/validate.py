"""Validation, the gate: every rule of pipeline/schemas/ runs on every row, every failure is
collected, and the ingest stage writes nothing unless all rows pass.

Two evaluators for the one set of rules: all rules of a schema as polars expressions in a
single pass (`passes`), which decides; and, only when something fails, pandera, whose
failure cases name each failing row, column and check (it makes one pass per check, which
is fine for reporting and slow at millions of rows)."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from pipeline import fmt, schemas
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


def passes_on_distinct(
    distinct: Callable[[list[str]], pl.DataFrame], schema: schemas.Schema, decided_elsewhere: frozenset[str]
) -> bool:
    """`passes` for rows known only by `distinct(columns)`, the distinct combinations of
    those columns' values (pipeline/release_scan.py, where each row stands for many): each
    rule runs once on the combinations of the columns it reads, which decides it for every
    row. Rules in `decided_elsewhere` (by name, or "not_nullable:<column>") are skipped: the
    caller decides them. A rule across rows, or a
    unique column, cannot be decided this way and must be among them."""
    checks: dict[tuple[str, ...], list[pl.Expr]] = {}

    def check(columns, failure: pl.Expr) -> None:
        checks.setdefault(tuple(sorted(set(columns))), []).append(failure)

    for name, column in schema.columns.items():
        if not column.nullable and f"not_nullable:{name}" not in decided_elsewhere:
            check([name], pl.col(name).is_null())
        if column.unique and f"unique:{name}" not in decided_elsewhere:
            raise ValueError(f"uniqueness of {name} is a rule across rows; it must be decided elsewhere")
        for rule in column.checks:
            if rule.name in decided_elsewhere:
                continue
            if rule.across_rows:
                raise ValueError(f"rule {rule.name} on {name} reads several rows; it must be decided elsewhere")
            check(rule.passes.meta.root_names(), ~rule.passes)
    for columns, failures in checks.items():
        values = distinct(list(columns))
        if any(values.schema[c] != schema.columns[c].dtype for c in columns if c in schema.columns):
            return False  # pandera would refuse the type
        if values.select(pl.any_horizontal(failures).any()).item():
            return False
    return True


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
        value = f"'{fmt.visible(str(shown))}' " if shown is not None and column else ""
        problems.append(Problem(row["source_file"], row["source_line"], raw_column, check, f"{value}{message}".strip()))
    return sorted(set(problems))


# The schema of each table typed from the raw files. Release figures are checked batch by
# batch with `release_figures` and, across files, with `releases_together` (pipeline/ingest.py).
TABLES = {
    "series": schemas.series_metadata,
    "published": schemas.published_values,
    "statements": schemas.statements,
    "notifications": schemas.notifications,
    "publications": schemas.publications,
}
