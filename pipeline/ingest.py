"""Stage ingest: every raw file → one tidy, typed table (DuckDB database and Parquet).

No judgement here: fields are trimmed and typed, values that do not parse become null with
their text kept, and the validate stage decides what is acceptable."""

from __future__ import annotations

import polars as pl

from pipeline import db, schemas, validate
from pipeline.errors import InputError, Problem
from pipeline.io import staged_outputs
from pipeline.paths import Paths
from pipeline.rawfiles import read_csv
from pipeline.stage import stage_main

SQL_PATTERNS = {
    "number_pattern": schemas.NUMBER_PATTERN,
    "year_pattern": schemas.YEAR_PATTERN,
    "months_pattern": schemas.MONTHS_PATTERN,
}


def read_all(paths: Paths) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Series metadata, release figures, published values and statements as string frames.

    Reads every file before raising, so one run reports the problems of all files."""
    problems = []

    def attempt(path, columns, **extra):
        try:
            frame = read_csv(path, paths.relative(path), columns)
            return frame.with_columns(pl.lit(v).alias(k) for k, v in extra.items())
        except InputError as exc:
            problems.extend(exc.problems)
            return None

    series = attempt(paths.raw_series, schemas.SERIES_COLUMNS)
    releases = [attempt(p, schemas.RELEASE_COLUMNS, release_id=p.stem)
                for p in sorted(paths.raw_releases.glob("*.csv"))]
    published = [attempt(p, schemas.PUBLISHED_COLUMNS) for p in sorted(paths.raw_published.glob("*.csv"))]
    statements = [attempt(p, schemas.STATEMENT_COLUMNS) for p in sorted(paths.raw_statements.glob("*.csv"))]
    if problems:
        raise InputError(problems)
    if not releases:
        raise InputError([Problem(paths.relative(paths.raw_releases), None, None, "no_releases",
                                  "holds no release files (*.csv)")])
    return series, pl.concat(releases), _concat(published, schemas.PUBLISHED_COLUMNS), \
        _concat(statements, schemas.STATEMENT_COLUMNS)


def _concat(frames: list[pl.DataFrame], columns: tuple[str, ...]) -> pl.DataFrame:
    """All files of one kind as one frame; an empty one with the right columns if none."""
    if frames:
        return pl.concat(frames)
    return pl.DataFrame(schema={c: pl.Utf8 for c in (*columns, "source_file")} | {"source_line": pl.Int64})


def stage(raw_series: pl.DataFrame, raw_releases: pl.DataFrame, raw_published: pl.DataFrame,
          raw_statements: pl.DataFrame, paths: Paths) -> dict[str, pl.DataFrame]:
    con = db.connect()
    con.register("raw_series", raw_series)
    con.register("raw_releases", raw_releases)
    con.register("raw_published", raw_published)
    con.register("raw_statements", raw_statements)
    series = db.query(con, paths, "stg_raw__series")
    con.register("stg_series", series)
    figures = db.query(con, paths, "stg_raw__release_figures", SQL_PATTERNS)
    published = db.query(con, paths, "stg_raw__published_values",
                         {k: SQL_PATTERNS[k] for k in ("number_pattern", "year_pattern")})
    statements = db.query(con, paths, "stg_raw__statements", {"number_pattern": SQL_PATTERNS["number_pattern"]})
    return {"series": series, "figures": figures, "published": published, "statements": statements}


def load(paths: Paths) -> dict[str, pl.DataFrame]:
    """Read, type and check every raw file; raise InputError naming every problem."""
    tables = stage(*read_all(paths), paths)
    # Refuse before writing anything, so a bad raw file leaves every earlier output as it
    # was; the validate stage checks again what it reads from here.
    validate.check(tables["series"], tables["figures"], tables["published"], tables["statements"])
    return tables


def run(paths: Paths | None = None) -> None:
    paths = paths or Paths()
    tables = load(paths)

    with staged_outputs() as out:
        tmp_db = out.path(paths.ingested_db)
        con = db.connect(tmp_db)
        for name, frame in tables.items():
            con.register(f"frame_{name}", frame)
            con.execute(f"create table {name} as select * from frame_{name}")
        con.close()
        tables["figures"].write_parquet(out.path(paths.ingested_figures))
        tables["published"].write_parquet(out.path(paths.ingested_published))
        tables["series"].write_parquet(out.path(paths.ingested_series))
        tables["statements"].write_parquet(out.path(paths.ingested_statements))


if __name__ == "__main__":
    stage_main(run, "ingest")
