"""Stage validate: the gate. Every rule of pipeline/schemas.py runs on every row, every
failure is collected, and only fully valid data is written on for the later stages."""

from __future__ import annotations

import polars as pl
import pandera.polars as pa
from pandera.config import ValidationDepth, config_context

from pipeline import schemas
from pipeline.errors import InputError, Problem
from pipeline.io import staged_outputs
from pipeline.paths import Paths
from pipeline.stage import stage_main

TEXT_SUFFIX = "_text"


def problems_from(frame: pl.DataFrame, schema: pa.DataFrameSchema) -> list[Problem]:
    """Validate values, not only the schema, and turn pandera's failure cases into problems
    that name the raw file, line and column."""
    try:
        # Data checks are skipped for lazy frames unless the depth says otherwise.
        with config_context(validation_depth=ValidationDepth.SCHEMA_AND_DATA):
            schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return _to_problems(frame, exc.failure_cases, schemas.check_names(schema))
    return []


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


# Each ingested table and the schema that checks it.
TABLES = {
    "series": schemas.series_metadata,
    "figures": schemas.release_figures,
    "published": schemas.published_values,
    "statements": schemas.statements,
    "notifications": schemas.notifications,
}


def check(tables: dict[str, pl.DataFrame]) -> None:
    """Raise InputError with every problem of every ingested table, if there is any."""
    problems = [p for name, schema in TABLES.items() for p in problems_from(tables[name], schema)]
    if problems:
        raise InputError(problems)


def run(paths: Paths | None = None) -> None:
    paths = paths or Paths()
    tables = {name: pl.read_parquet(paths.ingested / f"{name}.parquet") for name in TABLES}

    check(tables)

    with staged_outputs() as out:
        for name, frame in tables.items():
            frame.select(pl.exclude("^.*_text$")).write_parquet(out.path(paths.validated / f"{name}.parquet"))


if __name__ == "__main__":
    stage_main(run, "validate")
