"""Reading raw CSV files into string frames, refusing whatever the format does not allow.

The format (data/raw/README.md): UTF-8 (a byte-order mark is tolerated), comma-separated,
one header line with exactly the documented columns in any order, one record per line.
Every field is read as text; typing happens in sql/stg_*.sql and validation reports it."""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
from pathlib import Path

import polars as pl

from pipeline.errors import InputError, NotUtf8, Problem, utf8_text
from pipeline.paths import Paths

BOM = b"\xef\xbb\xbf"
# Control characters (and a carriage return not ending a line) have no place in a typed-in
# table, and CSV readers disagree about them: refuse them before anything else.
CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)")
CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def _has_control(data: bytes) -> bool:
    """A fast yes/no (C-speed byte operations); the regex only runs to locate a hit."""
    if len(data.translate(None, CONTROL_BYTES + b"\r")) == len(data):
        return False  # the common case, one pass: no control character, no carriage return
    return len(data.translate(None, CONTROL_BYTES)) != len(data) or data.count(b"\r") != data.count(b"\r\n")


def read_csv(path: Path, shown_as: str, columns: tuple[str, ...], optional: tuple[str, ...] = ()) -> pl.DataFrame:
    """All fields as strings, plus `source_file` and `source_line` (1-based; header is 1).

    `columns` must all be in the header; `optional` ones may be, and are blank otherwise.
    Plain strings, not categoricals: DuckDB has refused categorical text that polars accepted
    ("Invalid UTF-8 encountered"), and that error ends the whole in-memory database."""
    data = _checked_bytes(path.read_bytes(), shown_as)
    if _has_control(data) and (bad := CONTROL.search(data)):
        line = data.count(b"\n", 0, bad.start()) + 1
        raise InputError(
            [
                Problem(
                    shown_as,
                    line,
                    None,
                    "control_character",
                    f"holds the control character {chr(bad.group()[0])!r}; save the file as plain text",
                )
            ]
        )
    end = data.find(b"\n")  # not split(): that would copy the rest of the file
    first_line = data if end < 0 else data[:end]
    _require_utf8(first_line, shown_as)
    header = _header(first_line.decode("utf-8"), shown_as)
    _check_columns(header, columns, optional, shown_as)
    try:
        frame = pl.read_csv(data, infer_schema=False, has_header=True)
    except pl.exceptions.PolarsError as exc:
        _require_utf8(data, shown_as)
        raise InputError(_locate_ragged(data.decode("utf-8"), shown_as, len(header), exc)) from None
    if [c.strip() for c in frame.columns] != header:  # the two readers must agree on the header
        raise InputError([Problem(shown_as, 1, None, "csv_syntax", "has a header that cannot be read unambiguously")])
    frame = frame.rename({c: c.strip() for c in frame.columns})
    frame = frame.with_row_index("source_line", offset=2).with_columns(
        pl.col("source_line").cast(pl.Int64), pl.lit(shown_as).alias("source_file")
    )
    records = frame.height
    # A blank line reads as an all-null record; it is not a figure.
    frame = frame.filter(~pl.all_horizontal(pl.col(c).is_null() for c in header))
    if frame.height == 0:
        raise InputError([Problem(shown_as, None, None, "no_rows", "has a header but no records")])
    # Every record on a line of its own (blank lines read as empty records, removed above):
    # one count of the file's line ends instead of searching every field for a line break.
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    if records + 1 != lines:
        _check_line_breaks(frame, header, shown_as)
    absent = [pl.lit(None, dtype=pl.Utf8).alias(c) for c in optional if c not in header]
    return frame.with_columns(absent).select(*columns, *optional, "source_file", "source_line")


def read_header(path: Path, shown_as: str, columns: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[str]:
    """The column names of a raw file's header from its first line alone, with `read_csv`'s
    checks of names, encoding and control characters. Not all of them: a header with quotes
    comes here only when each quote opens or closes a whole name (pipeline/release_scan.py
    hands files with other quotes to `read_csv`)."""
    with path.open("rb") as file:
        first_line = _checked_bytes(file.readline(), shown_as).removesuffix(b"\n")
    if CONTROL.search(first_line.removesuffix(b"\r")):
        raise InputError([Problem(shown_as, 1, None, "control_character", "holds a control character")])
    _require_utf8(first_line, shown_as)
    header = _header(first_line.decode("utf-8"), shown_as)
    _check_columns(header, columns, optional, shown_as)
    return header


def _checked_bytes(data: bytes, shown_as: str) -> bytes:
    """The file's bytes without a byte-order mark, once they are known not to be empty.

    Whether they are UTF-8 is checked on the header line here and on the rest by the CSV
    reader (polars refuses invalid UTF-8); `_require_utf8` then locates the offending byte. Decoding the whole file
    here would cost a copy of it, up to four times its size."""
    if data.startswith(BOM):
        data = data[len(BOM) :]
    if not data or data.isspace():
        raise InputError(
            [Problem(shown_as, None, None, "empty_file", "is empty; a raw file starts with its header line")]
        )
    return data


def _require_utf8(data: bytes, shown_as: str) -> None:
    try:
        utf8_text(data)
    except NotUtf8 as bad:
        raise InputError(
            [
                Problem(
                    shown_as,
                    bad.line,
                    None,
                    "encoding",
                    f"is not UTF-8 (byte 0x{bad.byte:02x} at line {bad.line}; a file saved as "
                    "Windows-1252/Latin-1 stores æ, ø, å like this): save it as UTF-8",
                )
            ]
        ) from None


def _header(first: str, shown_as: str) -> list[str]:
    # only "\n" ends a record, as for the CSV reader (str.splitlines would also split on
    # characters such as U+2028 and put line numbers out of step)
    first = first.removesuffix("\r")
    try:
        header = next(csv.reader(io.StringIO(first, newline="")), [""])
    except csv.Error as exc:
        raise InputError(
            [Problem(shown_as, 1, None, "csv_syntax", f"has a header that cannot be read as CSV: {exc}")]
        ) from None
    if len(header) == 1 and ";" in first:
        raise InputError(
            [
                Problem(
                    shown_as,
                    1,
                    None,
                    "separator",
                    "uses ';' as separator; the format is comma-separated (see data/raw/README.md)",
                )
            ]
        )
    return [h.strip() for h in header]


def _check_columns(header: list[str], columns: tuple[str, ...], optional: tuple[str, ...], shown_as: str) -> None:
    problems = []
    missing = [c for c in columns if c not in header]
    for name in header:
        if header.count(name) > 1 and name not in [p.column for p in problems]:
            problems.append(Problem(shown_as, 1, name, "duplicate_column", "appears more than once in the header"))
        if name not in columns and name not in optional:
            guess = difflib.get_close_matches(name, missing, n=1)
            hint = f"; did you mean '{guess[0]}'?" if guess else f"; expected columns: {', '.join(columns)}"
            problems.append(
                Problem(shown_as, 1, name or "(blank)", "unknown_column", f"is not a column of this format{hint}")
            )
    for name in missing:
        problems.append(Problem(shown_as, 1, name, "missing_column", "is missing from the header"))
    if problems:
        raise InputError(problems)


def _locate_ragged(text: str, shown_as: str, width: int, exc: Exception) -> list[Problem]:
    try:
        problems = [
            Problem(
                shown_as,
                reader_line,
                None,
                "field_count",
                f"has {len(record)} fields; the header has {width} (a comma inside a text must be quoted)",
            )
            for reader_line, record in _records(text)
            if record and len(record) > width
        ]
    except csv.Error as csv_exc:
        problems = [Problem(shown_as, None, None, "csv_syntax", f"cannot be read as CSV: {csv_exc}")]
    return (
        problems
        or _stray_quotes(text, shown_as)
        or [Problem(shown_as, None, None, "csv_syntax", f"cannot be read as CSV: {exc}")]
    )


# One field of a CSV line: quoted (with doubled quotes inside), or unquoted (group 1).
CSV_FIELD = re.compile(r'(?:^|,)(?:"(?:[^"]|"")*"(?=,|$)|([^,]*))')


def _stray_quotes(text: str, shown_as: str) -> list[Problem]:
    """A quote inside a field that does not start with one ('1"2'): the CSV readers disagree
    on what it means, so it is refused where it is, with the way to write it."""
    lines = text.split("\n")
    header = next(csv.reader([lines[0]]), [])
    for number, line in enumerate(lines[1:], start=2):
        if '"' not in line:
            continue
        for column, field in enumerate(m.group(1) for m in CSV_FIELD.finditer(line.rstrip("\r"))):
            if field is not None and '"' in field:
                name = header[column].strip() if column < len(header) else None
                return [
                    Problem(
                        shown_as,
                        number,
                        name,
                        "csv_syntax",
                        f"'{field.strip()}' has a quote (\") inside a field that does not start with one; "
                        'quote the whole field and double the quote: "a ""b"" c"',
                    )
                ]
    return []


def _records(text: str):
    reader = csv.reader(io.StringIO(text, newline=""))
    for record in reader:
        yield reader.line_num, record


def _check_line_breaks(frame: pl.DataFrame, header: list[str], shown_as: str) -> None:
    broken = frame.filter(pl.any_horizontal(pl.col(c).str.contains("\n") for c in header))
    if broken.height:
        raise InputError(
            [
                Problem(
                    shown_as,
                    None,
                    None,
                    "line_break",
                    "has a field with a line break; one record per line is required, so line "
                    "numbers in messages can be trusted",
                )
            ]
        )


DOCUMENTATION = "README.md"


def raw_inputs(paths: Paths) -> tuple[list[Path], list[Problem]]:
    """Every file of data/raw/ accounted for: the input files (series.csv and the .csv files
    of each kind's folder), and a problem for anything else — a file of another name, a
    folder where a file belongs, a link that leads nowhere or out of data/raw/. README.md
    files are documentation: neither an input nor a problem."""
    kinds = {
        paths.raw_releases,
        paths.raw_published,
        paths.raw_statements,
        paths.raw_notifications,
        paths.raw_publications,
    }
    inputs, problems = [], []
    raw_root = paths.raw.resolve()

    def refuse(entry: Path, message: str, check: str = "unknown_file") -> None:
        problems.append(
            Problem(
                paths.relative(entry) if not entry.is_symlink() else entry.relative_to(paths.root).as_posix(),
                None,
                None,
                check,
                message,
            )
        )

    def account(entry: Path, expect_csv: bool) -> None:
        if entry.name == DOCUMENTATION and entry.is_file():
            return
        if entry.is_symlink():
            target = entry.resolve()
            if not target.exists():
                return refuse(entry, "is a link that leads nowhere", "broken_link")
            if not target.is_relative_to(raw_root):
                return refuse(entry, "is a link out of data/raw/; copy the file in instead", "link_out_of_raw")
        if entry.is_dir():
            return refuse(
                entry, "is a folder where only files belong (data/raw/README.md lists the layout)", "unexpected_folder"
            )
        if not expect_csv or entry.suffix != ".csv":
            return refuse(
                entry,
                "is not a raw file this project reads (a .csv in releases/, published/, "
                "statements/, notifications/ or publications/, or series.csv); "
                "rename it to end in .csv, or move it out of data/raw/",
            )
        inputs.append(entry)

    for entry in sorted(paths.raw.iterdir()):
        if entry in kinds and entry.is_dir() and not entry.is_symlink():
            for inner in sorted(entry.iterdir()):
                account(inner, expect_csv=True)
        elif entry == paths.raw_series:
            account(entry, expect_csv=True)
        elif entry.name != DOCUMENTATION or not entry.is_file():
            account(entry, expect_csv=False)
    return inputs, problems


def file_hashes(paths: Paths) -> dict[str, str]:
    """The SHA-256 of every input: the raw files the ingest stage reads (not README.md, which
    is documentation) and params.yaml. The audit and the workbook both record them."""
    files = sorted(raw_inputs(paths)[0]) + [paths.params]
    return {paths.relative(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
