"""Release files checked and summed in one pass of DuckDB over the CSV files, on groups of rows.

The row path of pipeline/ingest.py reads every release row into memory, types it and runs
every rule on it; at millions of monthly and regional rows that is most of the pipeline's
time. Those rows repeat themselves: within a figure only `value` and `month` vary. So this
scan has DuckDB read all release files at once and group the rows on every other field
(sql/int_release_rows_grouped.sql), keeping per group what the rules and the sums need of
the two varying fields. The groups, one per region and figure, are then typed as rows are
(sql/int_release_groups_typed.sql) and checked:

- rules on the varying fields or across rows, by the test
  sql/tests/release_groups_break_no_rule.sql (which names each rule it decides: `decided_in_sql`);
- every other rule of pipeline/schemas/, by its own polars expression, on the distinct
  combinations of the columns it reads (pipeline/validate.py, `passes_on_distinct`);
- what the row reader (pipeline/rawfiles.py) refuses, by its header check on each file's
  first line, DuckDB's strict reader, and a look at every distinct text.

DuckDB's CSV reader and the row reader read plain fields alike but can differ around quotes
and carriage returns. Quoted files are read by DuckDB too, in bounded memory like plain ones,
when every quote opens or closes a whole field (checked by a streaming pass of DuckDB over
the lines); a file with any
other quote or a lone carriage return is read by the row reader instead, whole, and its rows
join the same grouping. The scan answers only when the rows provably pass; its
national figures are then those of the row path (tests/test_release_scan.py compares the
two; values are summed as decimals, exactly, so the sums are the same in any order). Whenever it cannot prove that (a rule fails, a reader refuses a file, a
text holds a control character) it returns None, and the row path reads the rows and names
each problem's file, line and column. A figure given on one row keeps its line when the row
reader read it; DuckDB's CSV reader does not number lines, so for the files it read
pipeline/ingest.py looks such lines up."""

from __future__ import annotations

import mmap
import re
from pathlib import Path

import duckdb
import polars as pl

from pipeline import db, schemas, validate
from pipeline.errors import InputError
from pipeline.paths import Paths
from pipeline.rawfiles import read_csv, read_header

# The test deciding the rules on the varying fields and across rows. Each of its queries
# names the rule it decides ("select 'month_format' as rule, ..."), or reads the rules on
# values as data (VALUE_RULES): a rule is decided in SQL by a query there or a line of
# VALUE_RULES, and nothing else lists it.
RULES_TEST = "tests/release_groups_break_no_rule"


def decided_in_sql(paths: Paths) -> frozenset[str]:
    """The rules sql/tests/release_groups_break_no_rule.sql decides: those it names, and the
    rules on values it reads as data (`value_rules`)."""
    named = re.findall(r"select '([a-z_:]+)'", db.sql_text(paths, RULES_TEST))
    return frozenset(named) | {r.name for r in schemas.VALUE_RULES}


def value_rules() -> pl.DataFrame:
    """The rules on values (pipeline/schemas/ VALUE_RULES) as the table the test reads."""
    return pl.DataFrame(
        [(r.name, r.minimum, r.maximum, r.whole_in_integer_series) for r in schemas.VALUE_RULES],
        schema={"name": pl.Utf8, "minimum": pl.Float64, "maximum": pl.Float64, "whole_in_integer_series": pl.Boolean},
        orient="row",
    )


# Grouped rows hold no single value or month: a rule reading one must be decided in SQL.
VARYING = frozenset({"value", "value_text", "month", "month_text"})
RAW_COLUMNS = (*schemas.RELEASE_COLUMNS, *schemas.OPTIONAL_RELEASE_COLUMNS)
# Texts the row reader refuses (control characters but the tab, line breaks): the scan leaves
# them to it.
REFUSED_TEXT = r"[\x00-\x08\x0a-\x1f\x7f]"
# Where DuckDB's CSV reader and the row reader can read the same bytes differently: quotes
# (DuckDB drops spaces around a quoted field and takes a"b unquoted; the row reader keeps
# ' "x"' as it is and refuses both others) and a carriage return not ending a line. Files
# with either are read by the row reader, and its rows go into the same grouping. Quotes are
# left to DuckDB only where both readers read them alike: each quote opens or closes a whole
# field ("a, ""b"" c" right after a comma or the line's start, right before a comma or the
# line's end, no line break inside).
LONE_CR = re.compile(rb"\r(?!\n)")
# A line whose every field is either unquoted without a quote, or quoted whole with quotes
# inside doubled ("a, ""b"" c"); RE2 syntax, for DuckDB.
_FIELD = r'(?:[^",]*|"(?:[^"]|"")*")'
QUOTED_LINE = rf"{_FIELD}(?:,{_FIELD})*\r?"
# A record of empty fields some of them quoted: blank for DuckDB, empty texts for the row
# reader (which then refuses the blank series).
QUOTED_BLANK_RECORD = r'[,"]*""[,"]*\r?'


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _read_csv(files: list[Path], header: list[str], quoted: bool = False) -> str:
    """A select over DuckDB's strict CSV reader for files sharing one header: every field as
    text, no guessing of the dialect, every release column present (blank if absent), and no
    blank records (every field empty), which the row reader drops as well.

    Files without a quote are read with quoting off; `quoted` files (whose quotes both
    readers read alike, `_quotes_read_alike`) with the quote '"', doubled inside a field. An
    empty field is read as an empty text (the null string is one no field holds: a quote
    where quoting is off, a line break where it is on; a quoted field is never taken for
    it): with the empty null string DuckDB
    silently drops empty fields beyond the header's (a trailing comma), which the row reader
    refuses. Empty texts become null in the staging model, as the row reader's nulls do."""
    columns = "{" + ", ".join(f"{_sql_text(c)}: 'VARCHAR'" for c in header) + "}"
    fields = ", ".join(c if c in header else f"null::varchar as {c}" for c in RAW_COLUMNS)
    paths = "[" + ", ".join(_sql_text(str(p)) for p in files) + "]"
    blank_or = ", ".join(f"nullif({c}, '')" for c in header)
    quoting = (
        "quote = '\"', escape = '\"', allow_quoted_nulls = false, nullstr = '\n'"
        if quoted
        else "quote = '', escape = '', nullstr = '\"'"
    )
    return (
        f"select filename, null::bigint as source_line, {fields} from read_csv({paths}, columns = {columns}, header = true, "
        f"auto_detect = false, delim = ',', {quoting}, strict_mode = true, "
        f"filename = true) where coalesce({blank_or}) is not null"
    )


def _check_rules_are_placed(decided: frozenset[str]) -> None:
    """Every release rule is decided somewhere; a new rule on a varying field or across rows
    needs its query in sql/tests/release_groups_break_no_rule.sql."""
    for name, column in schemas.release_figures.columns.items():
        for rule in column.checks:
            reads_varying = VARYING & set(rule.passes.meta.root_names())
            if (rule.across_rows or reads_varying) and rule.name not in decided:
                raise AssertionError(
                    f"rule {rule.name} on {name} must be decided in sql/tests/release_groups_break_no_rule.sql"
                )
        if name in VARYING and not column.nullable and f"not_nullable:{name}" not in decided:
            raise AssertionError(f"blank {name} must be decided in sql/tests/release_groups_break_no_rule.sql")


def _reading(path: Path) -> str:
    """How the file is read: "row" when it holds bytes DuckDB's reader and the row reader may
    read differently (a lone carriage return), or has a name DuckDB would take for a pattern
    of several files; "quoted" when it holds quotes (`_quotes_read_alike` decides whether
    DuckDB may read them); "plain" otherwise. (A memory map and byte searches: no copy of
    the file.)"""
    if any(c in str(path) for c in "*?[]{}"):
        return "row"
    with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data.find(b"\r") >= 0 and LONE_CR.search(data) is not None:
            return "row"
        return "quoted" if data.find(b'"') >= 0 else "plain"


def _quotes_read_alike(con, files: list[Path]) -> set[Path]:
    """The `files` whose every quote opens or closes a whole field and which hold no record
    blank but for quoted empty fields: there DuckDB's reader and the row reader agree. One
    streaming pass of DuckDB over the files' lines (memory stays bounded), each line matched
    whole; a file it cannot split into lines is left out."""
    if not files:
        return set()
    try:
        found = con.execute(
            "select filename, count_if(not regexp_full_match(coalesce(line, ''), $line)) "
            "+ count_if(regexp_full_match(line, $blank)) as bad "
            "from read_csv($files, columns = {'line': 'VARCHAR'}, header = false, auto_detect = false, "
            "delim = '\x01', quote = '', escape = '', strict_mode = true, filename = true) group by filename",
            {"line": QUOTED_LINE, "blank": QUOTED_BLANK_RECORD, "files": [str(p) for p in files]},
        ).fetchall()
    except duckdb.Error:
        return set()
    alike = {name for name, bad in found if bad == 0}
    return {p for p in files if str(p) in alike}


def _no_refused_text(con) -> bool:
    """No text the row reader would refuse: each column's distinct texts, not every group.
    (Values and months must parse as numbers, which such texts never do.)"""
    for column in (c for c in RAW_COLUMNS if c not in ("value", "month")):
        texts = con.sql(
            f"select distinct {column} as text from int_release_rows_grouped where {column} is not null"
        ).pl()["text"]
        if texts.str.contains(REFUSED_TEXT).any():
            return False
    return True


def scan(paths: Paths, series: pl.DataFrame, files: list[Path]) -> pl.DataFrame | None:
    """National figures of the release `files` (typed series metadata in `series`), or None
    when the rows cannot be shown to pass every rule this way."""
    decided = decided_in_sql(paths)
    _check_rules_are_placed(decided)
    if not files:
        return None
    shapes: dict[tuple[bool, tuple[str, ...]], list[Path]] = {}
    row_read: list[pl.DataFrame] = []
    con = db.connect()
    try:
        readings = {path: _reading(path) for path in files}
    except ValueError:  # an empty file cannot be mapped
        return None
    quoted = [p for p, r in readings.items() if r == "quoted"]
    alike = _quotes_read_alike(con, quoted)
    readings |= {p: "row" for p in quoted if p not in alike}
    for path in files:
        reading = readings[path]
        try:
            if reading == "row":
                row_read.append(
                    read_csv(
                        path, paths.relative(path), schemas.RELEASE_COLUMNS, schemas.OPTIONAL_RELEASE_COLUMNS
                    ).with_columns(filename=pl.lit(str(path)))
                )
                continue
            header = read_header(path, paths.relative(path), schemas.RELEASE_COLUMNS, schemas.OPTIONAL_RELEASE_COLUMNS)
        except (InputError, ValueError):  # ValueError: an empty file cannot be mapped
            return None
        shapes.setdefault((reading == "quoted", tuple(header)), []).append(path)
    db.source(
        con,
        "release_files",
        pl.DataFrame(
            {
                "filename": [str(p) for p in files],
                "release_id": [p.stem for p in files],
                "source_file": [paths.relative(p) for p in files],
            }
        ),
    )
    db.model_result(con, paths, "stg_raw__series", series)
    try:
        return _scan(con, paths, files, shapes, row_read)
    finally:
        db.forget(
            con,
            "raw_releases",
            "row_read_releases",
            "release_files",
            "stg_raw__series",
            "int_release_rows_grouped",
            "int_release_groups_typed",
            "release_value_rules",
            "validated_release_parts",
            "int_keyfigures_aggregated_to_country_year",
        )


def _scan(
    con,
    paths: Paths,
    files: list[Path],
    shapes: dict[tuple[bool, tuple[str, ...]], list[Path]],
    row_read: list[pl.DataFrame],
) -> pl.DataFrame | None:
    sources = [_read_csv(group, list(header), quoted) for (quoted, header), group in shapes.items()]
    if row_read:
        db.source(con, "row_read_releases", pl.concat(row_read).select("filename", "source_line", *RAW_COLUMNS))
        sources.append(f"select filename, source_line, {', '.join(RAW_COLUMNS)} from row_read_releases")
    # the source `raw_releases`: every release file's rows as text, read by DuckDB where it
    # reads them as the row reader does, else by the row reader
    con.execute("create or replace temp view raw_releases as " + " union all ".join(sources))
    patterns = {
        "number_pattern": schemas.NUMBER_PATTERN,
        "year_pattern": schemas.YEAR_PATTERN,
        "months_pattern": schemas.MONTHS_PATTERN,
    }
    try:
        db.model_table(con, paths, "int_release_rows_grouped", patterns)
    except duckdb.Error:
        return None  # DuckDB's reader refuses something; the row reader will say what
    [(files_read,)] = con.execute("select count(distinct source_file) from int_release_rows_grouped").fetchall()
    if files_read < len(files) or not _no_refused_text(con):
        return None  # a file without records, or texts the row reader refuses

    db.model_table(con, paths, "int_release_groups_typed", patterns)
    db.source(con, "release_value_rules", value_rules())
    if not db.failing_rows(con, paths, RULES_TEST).is_empty():
        return None

    def distinct(columns: list[str]) -> pl.DataFrame:
        return con.sql(f"select distinct {', '.join(columns)} from int_release_groups_typed").pl()

    if not validate.passes_on_distinct(distinct, schemas.release_figures, decided_in_sql(paths)):
        return None
    # every row passes: the groups are the validated parts of national figures
    db.source(con, "validated_release_parts", con.table("int_release_groups_typed"))
    return db.query(con, paths, "int_keyfigures_aggregated_to_country_year")
