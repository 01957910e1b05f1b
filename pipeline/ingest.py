"""Stage ingest: every raw file read, typed, validated, and written as tidy Parquet tables.

Reading (pipeline/rawfiles.py) refuses what cannot be read as the documented CSV format;
typing (sql/stg_*.sql) makes no judgement: values that do not parse become null with their
text kept; validation (pipeline/validate.py) then checks every row and refuses the whole
input if anything fails, before a single file is written.

Release files can hold millions of monthly and regional rows. They are first checked and
summed to national figures, one per release, series and year, by pipeline/release_scan.py,
which has DuckDB read them in one pass and checks groups of rows rather than rows. Only when
that scan cannot show that every row passes (a problem, or text it cannot be sure of) are the
rows read one by one: in batches of whole files, each read, typed, checked and summed
(sql/int_keyfigures_aggregated_to_country_year.sql), so memory grows with the largest batch,
not with all the data; and every problem is named with its file, line and column. The one
rule that compares rows of different files (a duplicated release) keeps a hash and the few
key columns of every row, in compact form, and runs exactly on the rows whose hashes collide."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from pipeline import db, fmt, release_scan, schemas, validate
from pipeline.errors import InputError, Problem
from pipeline.io import staged_outputs
from pipeline.params import load_params, reference_date
from pipeline.paths import Paths
from pipeline.rawfiles import raw_inputs, read_csv
from pipeline.stage import stage_main

SQL_PATTERNS = {
    "number_pattern": schemas.NUMBER_PATTERN,
    "year_pattern": schemas.YEAR_PATTERN,
    "months_pattern": schemas.MONTHS_PATTERN,
}
# Rows read before a batch of release files is typed and checked. Large enough that the
# shipped data is one batch; small enough that a batch stays well under a gigabyte.
BATCH_ROWS = 1_000_000


class _Reader:
    """Reads raw files, collecting problems instead of stopping at the first bad file, so
    one run reports the problems of all files."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths
        self.problems: list[Problem] = []

    def read(self, path: Path, columns, optional=(), **extra) -> pl.DataFrame | None:
        try:
            frame = read_csv(path, self.paths.relative(path), columns, optional)
            return frame.with_columns(pl.lit(v).alias(k) for k, v in extra.items())
        except InputError as exc:
            self.problems.extend(exc.problems)
            return None

    def read_all(self, folder: Path, columns) -> pl.DataFrame:
        """All files of one kind as one frame; an empty one with the right columns if none."""
        frames = [f for f in (self.read(p, columns) for p in sorted(folder.glob("*.csv"))) if f is not None]
        if frames:
            return pl.concat(frames)
        return pl.DataFrame(schema={c: pl.Utf8 for c in (*columns, "source_file")} | {"source_line": pl.Int64})

    def read_release(self, path: Path) -> pl.DataFrame | None:
        return self.read(path, schemas.RELEASE_COLUMNS, schemas.OPTIONAL_RELEASE_COLUMNS, release_id=path.stem)

    def release_files(self) -> list[Path]:
        return sorted(self.paths.raw_releases.glob("*.csv"))

    def release_batches(self) -> Iterator[pl.DataFrame]:
        """Release files as text frames, whole files together up to BATCH_ROWS rows."""
        batch: list[pl.DataFrame] = []
        for path in self.release_files():
            frame = self.read_release(path)
            if frame is not None:
                batch.append(frame)
            if sum(f.height for f in batch) >= BATCH_ROWS:
                yield pl.concat(batch)
                batch = []
        if batch:
            yield pl.concat(batch)


def _query(con, paths: Paths, name: str, raw: dict[str, pl.DataFrame], patterns: tuple[str, ...] = ()) -> pl.DataFrame:
    """The model sql/<name>.sql over the sources in `raw` (registered under their keys), with
    the raw formats' patterns it uses; its result is kept under its name for later models."""
    for table, frame in raw.items():
        db.source(con, table, frame)
    return db.model(con, paths, name, {k: SQL_PATTERNS[k] for k in patterns} or None)


def typed_release_rows(con, paths: Paths, raw: pl.DataFrame) -> pl.DataFrame:
    """Release rows as text (`raw`) typed and joined to their series (the model
    stg_raw__series must be on `con`), as validation reads them."""
    db.source(con, "raw_releases", raw)
    # kept in DuckDB, not handed to polars: only the joined rows are needed there
    db.model_table(con, paths, "stg_raw__release_figures", SQL_PATTERNS)
    rows = db.model(con, paths, "int_release_figures_joined_to_series")
    # a registered frame stays alive as long as its registration: release the batch
    db.forget(con, "raw_releases", "stg_raw__release_figures", "int_release_figures_joined_to_series")
    return rows


def release_figures(reader: _Reader, series: pl.DataFrame, paths: Paths) -> tuple[pl.DataFrame, list[Problem]]:
    """National figures of every release file, and every problem of their rows."""
    con = db.connect()
    db.model_result(con, paths, "stg_raw__series", series)
    problems: list[Problem] = []
    national, keys, hashes = [], [], []
    for raw in reader.release_batches():
        rows = typed_release_rows(con, paths, raw)
        del raw
        found = validate.problems_from(rows, schemas.release_figures)
        problems += found
        # compact copies (text as categories, numbers as 32 bits): a few bytes per row, and
        # no column still pointing into this batch's memory, which can then be freed
        keys.append(
            rows.select(*schemas.DUPLICATE_RELEASE_KEY, "source_file", "source_line").with_columns(
                pl.col(pl.Utf8).cast(pl.Categorical), pl.col(pl.Int64).cast(pl.Int32)
            )
        )
        hashes.append(rows.select(pl.struct(*schemas.DUPLICATE_RELEASE_KEY).hash()).to_series())
        if not found:
            parts = rows.with_columns(rows_grouped=pl.lit(1, pl.Int64))
            national.append(
                _query(con, paths, "int_keyfigures_aggregated_to_country_year", {"validated_release_parts": parts})
            )
            del parts
            db.forget(con, "validated_release_parts", "int_keyfigures_aggregated_to_country_year")
    if keys:
        # Two rows can only be the same figure if their keys hash alike: the exact rule runs on
        # those rows alone (usually none), not on millions of rows of several columns.
        candidates = pl.concat(keys).filter(pl.concat(hashes).is_duplicated())
        problems += validate.problems_from(candidates, schemas.releases_together)
    if not keys and not reader.problems:
        problems.append(
            Problem(paths.relative(paths.raw_releases), None, None, "no_releases", "holds no release files (*.csv)")
        )
    figures = pl.concat(national) if national else pl.DataFrame()
    return figures, problems


def _with_lines(reader: _Reader, figures: pl.DataFrame, series: pl.DataFrame, paths: Paths) -> pl.DataFrame:
    """The scan's figures with the line of each figure given on one row, from the row reader
    where the scan read the file with DuckDB, which does not number lines; only the files
    holding such figures are read."""
    wanted = set(figures.filter((pl.col("rows_aggregated") == 1) & pl.col("source_line").is_null())["source_file"])
    frames = [
        f
        for f in (reader.read_release(p) for p in reader.release_files() if paths.relative(p) in wanted)
        if f is not None
    ]
    if not frames:
        return figures
    con = db.connect()
    db.model_result(con, paths, "stg_raw__series", series)
    rows = typed_release_rows(con, paths, pl.concat(frames))
    key = ["release_id", "series", "reference_year", "count_date"]
    lines = rows.group_by(key).agg(pl.col("source_line").min().alias("line"))
    return (
        figures.join(lines, on=key, how="left", nulls_equal=True)
        .with_columns(
            pl.when(pl.col("rows_aggregated") == 1).then(pl.coalesce("source_line", "line")).alias("source_line")
        )
        .drop("line")
    )


def _parent_cycles(items: pl.DataFrame) -> list[Problem]:
    """Notification items whose parents lead back to themselves: such items belong to no
    tree and would vanish from the table and the chart."""
    parent = {r["item"]: r["parent"] for r in items.iter_rows(named=True) if r["item"]}
    problems, reported = [], set()
    for row in items.filter(pl.col("item").is_not_null()).iter_rows(named=True):
        chain, node = [row["item"]], parent.get(row["item"])
        while node is not None and node not in chain and node in parent:
            chain.append(node)
            node = parent.get(node)
        if node == row["item"] and row["item"] not in reported:
            reported |= set(chain)
            problems.append(
                Problem(
                    row["source_file"],
                    row["source_line"],
                    "parent",
                    "parent_cycle",
                    f"'{row['parent']}' leads back to this item ({' → '.join([*chain, node])}); "
                    "the items of a cycle belong to no whole",
                )
            )
    return problems


def _implausible(figures: pl.DataFrame, series: pl.DataFrame) -> list[Problem]:
    """National figures above their series' plausible maximum (data/raw/series.csv): a typing
    slip such as 1.000.000.000 killed is refused, with the limit named."""
    limits = series.select("series", "plausible_max").filter(pl.col("plausible_max").is_not_null())
    over = figures.join(limits, on="series").filter(pl.col("value") > pl.col("plausible_max"))
    return [
        Problem(
            r["source_file"],
            r["source_line"],
            "value",
            "plausible_max",
            f"'{fmt.number(r['value'])}' for {r['series']} {r['reference_year']}"
            + ("" if r["source_line"] is not None else f" (the sum of {r['rows_aggregated']} rows)")
            + f" is above the plausible maximum {fmt.number(r['plausible_max'])} "
            "(data/raw/series.csv, plausible_max)",
        )
        for r in over.sort("source_file", "series", "reference_year").iter_rows(named=True)
    ]


def _undecidable(figures: pl.DataFrame) -> list[Problem]:
    """Releases that give one figure different values with nothing to choose between them:
    the same period (a flow's months and period end, a stock's count date), the same status
    and the same publication date, the same kind of source read on the same date, and no
    correction (`supersedes`) between them. Which one the tables used would rest on file names."""
    period = [
        "series",
        "reference_year",
        "kind",
        "months_covered",
        "period_end",
        "count_date",
        "status",
        "published",
        "source_kind",
        "reported_on",
    ]
    corrections = set(figures["supersedes"].drop_nulls()) if "supersedes" in figures.columns else set()
    ties = (
        figures.filter(~pl.col("release_id").is_in(list(corrections)) & pl.col("supersedes").is_null())
        .group_by(period, maintain_order=True)
        .agg(
            pl.col("value").n_unique().alias("values"),
            pl.col("source_file"),
            pl.col("source_line"),
            pl.col("value").alias("each"),
        )
        .filter(pl.col("values") > 1)
    )
    problems = []
    for t in ties.iter_rows(named=True):
        files = ", ".join(f"{f} ({fmt.number(v)})" for f, v in zip(t["source_file"], t["each"]))
        for file, line in zip(t["source_file"], t["source_line"]):
            problems.append(
                Problem(
                    file,
                    line,
                    "published",
                    "undecidable_releases",
                    f"{t['series']} {t['reference_year']} has different values in {files}, for the same period, "
                    f"status and publication date ({t['published'] or 'unknown'}): nothing says which is later; "
                    "give the later release its more precise publication date",
                )
            )
    return problems


def _unknown_corrections(figures: pl.DataFrame) -> list[Problem]:
    """A release that says it corrects (`supersedes`) a release no file holds: a misspelt
    file name would leave the correction silently out of the ranking."""
    known = set(figures["release_id"])
    return [
        Problem(
            r["source_file"],
            r["source_line"],
            "supersedes",
            "supersedes_known_release",
            f"'{r['supersedes']}' is not a release in data/raw/releases/ (it names the file, without .csv, "
            "of the release this one corrects)",
        )
        for r in figures.filter(pl.col("supersedes").is_not_null() & ~pl.col("supersedes").is_in(list(known)))
        .sort("source_file", "series", "reference_year")
        .iter_rows(named=True)
    ]


def _from_the_future(figures: pl.DataFrame, paths: Paths) -> list[Problem]:
    """A release dated after the run's reference date, or a figure for a later year: a typing
    slip (2099 for 2019), which would otherwise win the ranking or stretch the tables."""
    today = reference_date(load_params(paths))
    where = "params.yaml as_of" if load_params(paths).get("as_of") else "today"
    problems = []
    for r in figures.filter(pl.col("published_start") > today).iter_rows(named=True):
        problems.append(
            Problem(
                r["source_file"],
                r["source_line"],
                "published",
                "published_in_future",
                f"'{r['published']}' is after the run's reference date {today.isoformat()} ({where})",
            )
        )
    for r in figures.filter(pl.col("reported_on_start") > today).iter_rows(named=True):
        problems.append(
            Problem(
                r["source_file"],
                r["source_line"],
                "reported_on",
                "reported_in_future",
                f"'{r['reported_on']}' is after the run's reference date {today.isoformat()} ({where})",
            )
        )
    for r in figures.filter(pl.col("reference_year") > today.year).iter_rows(named=True):
        problems.append(
            Problem(
                r["source_file"],
                r["source_line"],
                "reference_year",
                "year_in_future",
                f"'{r['reference_year']}' is after the year of the run's reference date {today.isoformat()} ({where})",
            )
        )
    return problems


def load(paths: Paths) -> dict[str, pl.DataFrame]:
    """Read, type and check every raw file; raise InputError naming every problem."""
    _, unaccounted = raw_inputs(paths)
    if unaccounted:
        raise InputError(unaccounted)
    reader = _Reader(paths)
    raw = {
        "raw_series": reader.read(paths.raw_series, schemas.SERIES_COLUMNS, schemas.OPTIONAL_SERIES_COLUMNS),
        "raw_published": reader.read_all(paths.raw_published, schemas.PUBLISHED_COLUMNS),
        "raw_statements": reader.read_all(paths.raw_statements, schemas.STATEMENT_COLUMNS),
        "raw_notifications": reader.read_all(paths.raw_notifications, schemas.NOTIFICATION_COLUMNS),
        "raw_publications": reader.read_all(paths.raw_publications, schemas.PUBLICATION_COLUMNS),
    }
    if raw["raw_series"] is None:  # nothing can be typed; still report every file's problems
        for path in reader.release_files():
            reader.read_release(path)
        raise InputError(reader.problems)
    con = db.connect()
    series = _query(con, paths, "stg_raw__series", raw, ("number_pattern",))
    if series["series"].is_duplicated().any():
        # every release row would match a repeated id twice and seem wrong: report the
        # series file alone
        raise InputError(reader.problems + validate.problems_from(series, schemas.series_metadata))
    _query(con, paths, "stg_raw__published_values", {}, ("number_pattern", "year_pattern"))
    _query(con, paths, "stg_raw__statements", {}, ("number_pattern",))
    tables = {
        "series": series,
        "published": _query(con, paths, "int_published_values_matched_to_series", {}),
        "statements": _query(con, paths, "int_statements_flagged", {}),
        "notifications": _query(con, paths, "stg_raw__notifications", {}, ("number_pattern",)),
        "publications": _query(con, paths, "stg_raw__publications", {}),
    }
    figures = release_scan.scan(paths, series, reader.release_files())
    if figures is None:
        figures, problems = release_figures(reader, series, paths)
    else:
        figures, problems = _with_lines(reader, figures, series, paths), []
    problems += [p for name, table in tables.items() for p in validate.problems_from(table, validate.TABLES[name])]
    problems += db.problems(con, paths, "tests/declared_publication") + _parent_cycles(tables["notifications"])
    if not problems and figures.height:
        problems += (
            _implausible(figures, series)
            + _undecidable(figures)
            + _unknown_corrections(figures)
            + _from_the_future(figures, paths)
        )
    if reader.problems or problems:
        raise InputError(reader.problems + problems)
    return tables | {"figures": figures.sort("release_id", "series", "reference_year")}


def run(paths: Paths | None = None) -> None:
    paths = paths or Paths()
    tables = load(paths)

    with staged_outputs() as out:
        for name, frame in tables.items():
            frame.select(pl.exclude("^.*_text$")).write_parquet(out.path(paths.validated / f"{name}.parquet"))


if __name__ == "__main__":
    stage_main(run, "ingest")
