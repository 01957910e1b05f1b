"""DuckDB: one in-process engine for every SQL transformation in sql/.

Lineage reads as in dbt: a model (sql/<name>.sql) reads other models by their names, because
each model's result is kept under its own name (`model`, `model_table`); what comes from
outside SQL (raw files read by Python, earlier stages' Parquet, params.yaml) is registered
once, under the name the models read it by (`source`). Tests (sql/tests/<name>.sql) are
queries returning the rows that break them (`failing_rows`)."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipeline.errors import Problem
from pipeline.paths import Paths


def _open(database: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(
        database,
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )
    con.execute("set threads to 2")
    return con


@functools.cache
def _memory() -> duckdb.DuckDBPyConnection:
    return _open(":memory:")


def connect(database: str | Path = ":memory:") -> duckdb.DuckDBPyConnection:
    """A connection that never reaches for the network to fetch extensions.

    In-memory work gets a cursor on one shared database (opening a database costs more than
    the small queries here); registered frames are per cursor, so callers do not collide."""
    if str(database) == ":memory:":
        return _memory().cursor()
    return _open(str(database))


def sql_text(paths: Paths, name: str) -> str:
    return (paths.sql / f"{name}.sql").read_text(encoding="utf-8")


# What the models read that no model makes: each registered by Python under one name.
SOURCES = {
    "raw_releases": "the rows of data/raw/releases/*.csv as text (read by pipeline/rawfiles.py, or by DuckDB in pipeline/release_scan.py)",
    "raw_series": "data/raw/series.csv as text",
    "raw_published": "data/raw/published/*.csv as text",
    "raw_statements": "data/raw/statements/*.csv as text",
    "raw_notifications": "data/raw/notifications/*.csv as text",
    "raw_publications": "data/raw/publications/*.csv as text",
    "release_files": "each release file's path as DuckDB's reader names it, its release id and its path in the project",
    "row_read_releases": "the release rows of the files the release scan leaves to the row reader",
    "release_value_rules": "the rules on a release row's value, as data (pipeline/schemas/ VALUE_RULES)",
    "validated_release_parts": "release rows, or groups of rows, that have passed every rule (pipeline/ingest.py, pipeline/release_scan.py)",
    "validated_figures": "data/validated/figures.parquet",
    "series_metadata": "data/validated/series.parquet",
    "full_year_figures": "data/derived/figures_full_year.parquet",
    "table_layout": "each table's series and years, from params.yaml (pipeline/tables.py)",
}


def source(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame | duckdb.DuckDBPyRelation) -> None:
    """Register a frame made outside SQL under the name the models read it by (`SOURCES`).
    A relation (rows already in DuckDB) becomes a view: the rows stay where they are, not
    copied out and back (at millions of rows that copy doubled the stage's memory)."""
    if name not in SOURCES:
        raise ValueError(f"{name} is not a source of the SQL models (pipeline/db.py: SOURCES)")
    if isinstance(frame, duckdb.DuckDBPyRelation):
        frame.create_view(name, replace=True)
    else:
        con.register(name, frame)


def model_result(con: duckdb.DuckDBPyConnection, paths: Paths, name: str, frame: pl.DataFrame) -> None:
    """Keep a model's result, computed on another connection, under the model's name."""
    if not (paths.sql / f"{name}.sql").is_file():
        raise ValueError(f"{name} is not a model of sql/")
    con.register(name, frame)


def _used(text: str, params: dict[str, Any] | None) -> dict[str, Any] | None:
    """The parameters a query names ($name): DuckDB refuses any other."""
    return {k: v for k, v in (params or {}).items() if re.search(rf"\${k}\b", text)} or None


def query(
    con: duckdb.DuckDBPyConnection,
    paths: Paths,
    name: str,
    params: dict[str, Any] | None = None,
) -> pl.DataFrame:
    """Run sql/<name>.sql (with the macros of sql/macros.sql) and return its result as a polars frame."""
    con.execute(sql_text(paths, "macros"))
    text = sql_text(paths, name)
    if params := _used(text, params):
        return con.sql(text, params=params).pl()
    return con.sql(text).pl()


def model(
    con: duckdb.DuckDBPyConnection,
    paths: Paths,
    name: str,
    params: dict[str, Any] | None = None,
) -> pl.DataFrame:
    """Run the model sql/<name>.sql and keep its result under `name`, for the models that read it."""
    frame = query(con, paths, name, params)
    con.register(name, frame)
    return frame


def model_table(
    con: duckdb.DuckDBPyConnection,
    paths: Paths,
    name: str,
    params: dict[str, Any] | None = None,
) -> None:
    """Run the model sql/<name>.sql into the temporary table `name`, for work too large to
    hand back and forth between DuckDB and polars."""
    con.execute(sql_text(paths, "macros"))
    text = sql_text(paths, name)
    con.execute(f"create or replace temp table {name} as " + text, _used(text, params))


def failing_rows(
    con: duckdb.DuckDBPyConnection,
    paths: Paths,
    test: str,
    params: dict[str, Any] | None = None,
) -> pl.DataFrame:
    """Run the test sql/tests/<name>.sql (`test` is "tests/<name>"): the rows that break it, none when it passes."""
    if not test.startswith("tests/"):
        raise ValueError(f"{test} is not a test of sql/tests/")
    return query(con, paths, test, params)


def problems(
    con: duckdb.DuckDBPyConnection,
    paths: Paths,
    test: str,
    params: dict[str, Any] | None = None,
) -> list[Problem]:
    """The rows breaking the test sql/tests/<name>.sql as the project's problems, each named by
    the test: its rows give `source_file`, `source_line`, `column` and `message`."""
    return [
        Problem(row["source_file"], row["source_line"], row["column"], test.removeprefix("tests/"), row["message"])
        for row in failing_rows(con, paths, test, params).iter_rows(named=True)
    ]


def forget(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    """Drop registered sources and models (and their memory) once no model needs them."""
    kinds = dict(con.execute("select table_name, table_type from information_schema.tables").fetchall())
    for name in names:
        if kinds.get(name) == "VIEW":
            con.execute(f"drop view {name}")  # a registered frame, or a view of a source
        elif name in kinds:
            con.execute(f"drop table {name}")
