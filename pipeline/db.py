"""DuckDB: one in-process engine for every SQL transformation in sql/."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

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


def query(
    con: duckdb.DuckDBPyConnection,
    paths: Paths,
    name: str,
    params: dict[str, Any] | None = None,
) -> pl.DataFrame:
    """Run sql/<name>.sql (with the macros of sql/macros.sql) and return its result as a polars frame."""
    con.execute(sql_text(paths, "macros"))
    text = sql_text(paths, name)
    if params:
        return con.sql(text, params=params).pl()
    return con.sql(text).pl()


def create_table(
    con: duckdb.DuckDBPyConnection,
    paths: Paths,
    name: str,
    table: str,
    params: dict[str, Any] | None = None,
) -> None:
    """Run sql/<name>.sql into the temporary table `table`, for work too large to hand back
    and forth between DuckDB and polars."""
    con.execute(sql_text(paths, "macros"))
    con.execute(f"create or replace temp table {table} as " + sql_text(paths, name), params)
