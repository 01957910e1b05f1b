"""Stage ingest: every raw file read, typed, validated, and written as tidy Parquet tables.

Reading (pipeline/rawfiles.py) refuses what cannot be read as the documented CSV format;
typing (sql/stg_*.sql) makes no judgement: values that do not parse become null with their
text kept; validation (pipeline/validate.py) then checks every row and refuses the whole
input if anything fails, before a single file is written. Release figures are written as
national figures, one per release, series and year (monthly and regional rows summed by
sql/int_keyfigures_aggregated_to_country_year.sql), so row-level detail never has to be
stored; each figure keeps its first source line and how many rows it sums."""

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


def read_all(paths: Paths) -> dict[str, pl.DataFrame]:
    """Series metadata, release figures, published values, statements and notifications as
    string frames.

    Reads every file before raising, so one run reports the problems of all files."""
    problems = []

    def attempt(path, columns, optional=(), **extra):
        try:
            frame = read_csv(path, paths.relative(path), columns, optional)
            return frame.with_columns(pl.lit(v).alias(k) for k, v in extra.items())
        except InputError as exc:
            problems.extend(exc.problems)
            return None

    series = attempt(paths.raw_series, schemas.SERIES_COLUMNS)
    releases = [attempt(p, schemas.RELEASE_COLUMNS, schemas.OPTIONAL_RELEASE_COLUMNS, release_id=p.stem)
                for p in sorted(paths.raw_releases.glob("*.csv"))]
    published = [attempt(p, schemas.PUBLISHED_COLUMNS) for p in sorted(paths.raw_published.glob("*.csv"))]
    statements = [attempt(p, schemas.STATEMENT_COLUMNS) for p in sorted(paths.raw_statements.glob("*.csv"))]
    notifications = [attempt(p, schemas.NOTIFICATION_COLUMNS) for p in sorted(paths.raw_notifications.glob("*.csv"))]
    if problems:
        raise InputError(problems)
    if not releases:
        raise InputError([Problem(paths.relative(paths.raw_releases), None, None, "no_releases",
                                  "holds no release files (*.csv)")])
    return {
        "series": series,
        "releases": pl.concat(releases),
        "published": _concat(published, schemas.PUBLISHED_COLUMNS),
        "statements": _concat(statements, schemas.STATEMENT_COLUMNS),
        "notifications": _concat(notifications, schemas.NOTIFICATION_COLUMNS),
    }


def _concat(frames: list[pl.DataFrame], columns: tuple[str, ...]) -> pl.DataFrame:
    """All files of one kind as one frame; an empty one with the right columns if none."""
    if frames:
        return pl.concat(frames)
    return pl.DataFrame(schema={c: pl.Utf8 for c in (*columns, "source_file")} | {"source_line": pl.Int64})


def stage(raw: dict[str, pl.DataFrame], paths: Paths) -> dict[str, pl.DataFrame]:
    con = db.connect()
    for name, frame in raw.items():
        con.register(f"raw_{name}", db.arrow(frame))
    series = db.query(con, paths, "stg_raw__series")
    con.register("stg_series", series)
    figures = db.query(con, paths, "stg_raw__release_figures", SQL_PATTERNS)
    published = db.query(con, paths, "stg_raw__published_values",
                         {k: SQL_PATTERNS[k] for k in ("number_pattern", "year_pattern")})
    number = {"number_pattern": SQL_PATTERNS["number_pattern"]}
    return {
        "series": series, "figures": figures, "published": published,
        "statements": db.query(con, paths, "stg_raw__statements", number),
        "notifications": db.query(con, paths, "stg_raw__notifications", number),
    }


def load(paths: Paths) -> dict[str, pl.DataFrame]:
    """Read, type and check every raw file; raise InputError naming every problem."""
    tables = stage(read_all(paths), paths)
    validate.check(tables)
    return tables


def national_figures(rows: pl.DataFrame, paths: Paths) -> pl.DataFrame:
    con = db.connect()
    con.register("validated_rows", db.arrow(rows))
    figures = db.query(con, paths, "int_keyfigures_aggregated_to_country_year")
    return figures.sort("release_id", "series", "reference_year")


def run(paths: Paths | None = None) -> None:
    paths = paths or Paths()
    tables = load(paths)
    tables["figures"] = national_figures(tables["figures"], paths)

    with staged_outputs() as out:
        for name, frame in tables.items():
            frame.select(pl.exclude("^.*_text$")).write_parquet(out.path(paths.validated / f"{name}.parquet"))


if __name__ == "__main__":
    stage_main(run, "ingest")
