"""Danish formatting of numbers, months and periods: the one place for it."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date

from babel.dates import format_date, get_month_names
from babel.numbers import format_decimal, format_percent

LOCALE = "da_DK"
MISSING = "-"


def number(value: float | int | None, decimals: int = 0) -> str:
    """1234 -> '1.234'; 12.5 with 2 decimals -> '12,50'; None -> '-'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    # babel rounds half-even; the figures are rounded by the pipeline before they get here
    return format_decimal(value, format=pattern, locale=LOCALE)


def percent(fraction: float, decimals: int = 0) -> str:
    """0.34 -> '34 %' (with a no-break space, as Danish typography has it)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "\u00a0%"
    return format_percent(fraction, format=pattern, locale=LOCALE)


def month_name(month: int, width: str = "wide") -> str:
    """1 -> 'januar'; with width='abbreviated', 9 -> 'sep.'."""
    return get_month_names(width, locale=LOCALE)[month]


def months_span(months_covered: int, width: str = "wide") -> str:
    """9 -> 'januar–september'; 1 -> 'januar'. Periods always start in January."""
    if months_covered == 1:
        return month_name(1, width)
    return f"{month_name(1, width)}–{month_name(months_covered, width)}"


def months_span_from(first: int, last: int, width: str = "wide") -> str:
    """10, 12 -> 'oktober–december'."""
    if first == last:
        return month_name(first, width)
    return f"{month_name(first, width)}–{month_name(last, width)}"


def date_text(value: date, width: str = "long") -> str:
    """date(2024, 9, 30) -> '30. september 2024'; with width='medium', '30. sep. 2024'."""
    return format_date(value, format=width, locale=LOCALE)


def year_ranges(years: Iterable[int]) -> str:
    """[2014, 2015, 2016, 2019] -> '2014–2016 og 2019': runs of consecutive years as spans."""
    runs: list[list[int]] = []
    for year in sorted(set(years)):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    parts = [str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs]
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} og {parts[-1]}"


def months(value: float) -> str:
    """9.0 -> '9'; 11.4739… -> '11,47' (a count up to a day inside a month)."""
    return number(value, 0 if float(value).is_integer() else 2)


# A cell starting like this is run as a formula by spreadsheets (CSV injection). Raw text
# like that is refused on input; CSV outputs neutralise it again with a leading apostrophe.
def source_location(file: str, line: int | None) -> str:
    """Where a figure is written: "file:line" for a figure on one row; the file alone for a
    sum of several rows (sql/macros.sql writes the same in SQL)."""
    return file if line is None else f"{file}:{line}"


# Every start a spreadsheet may take for a formula (OWASP's list); a cell that is a number as
# a whole ('-163', '1.234,5', '12 %') is not one, nor the missing-value dash.
FORMULA_START = re.compile(r"^[=+\-@\t\r]")
WHOLE_NUMBER = re.compile(r"^[+\-]?[0-9][0-9.,]*(\u00a0?%)?$|^-$")


def formula_like(cell: str) -> bool:
    # fullmatch: Python's `$` would also match before a final line break, polars' does not
    return bool(FORMULA_START.search(cell)) and not WHOLE_NUMBER.fullmatch(cell)


def spreadsheet_safe(cell) -> str:
    """'=HYPERLINK(…)' -> "'=HYPERLINK(…)"; '-2+3+cmd|…' -> "'-2+3+cmd|…"; numbers, '-163'
    and '-' pass unchanged. Anything that is not text is written as its text."""
    cell = "" if cell is None else str(cell)
    return "'" + cell if formula_like(cell) else cell


def spreadsheet_safe_frame(frame):
    """The same for every text column of a polars frame, before it is written as CSV."""
    import polars as pl

    def risky(c):
        return pl.col(c).str.contains(FORMULA_START.pattern) & ~pl.col(c).str.contains(WHOLE_NUMBER.pattern)

    return frame.with_columns(
        pl.when(risky(c)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c, dtype in frame.schema.items()
        if dtype == pl.Utf8
    )


# Characters that change how text is shown without being seen: bidirectional overrides and
# isolates, zero-width characters and other Unicode format characters (category Cf), and
# control characters. Refused in raw text; shown escaped in messages.
# Every character of Unicode's format (Cf) and control (Cc) categories but tab, line feed and
# carriage return (which the raw format handles), as one class; written out, since computing
# it at import costs every stage a tenth of a second (tests/test_value_sense.py computes it
# from unicodedata and compares). \UXXXXXXXX is the escape Python's and polars' regex share.
INVISIBLE = re.compile(
    r"[\U00000000-\U00000008\U0000000b-\U0000000c\U0000000e-\U0000001f\U0000007f-\U0000009f\U000000ad\U00000600-\U00000605\U00"
    r"00061c\U000006dd\U0000070f\U00000890-\U00000891\U000008e2\U0000180e\U0000200b-\U0000200f\U0000202a-\U0000202e\U00002060-"
    r"\U00002064\U00002066-\U0000206f\U0000feff\U0000fff9-\U0000fffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001"
    r"bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def visible(text: str) -> str:
    """Text for a message, with every invisible character written as its code (\\u202e)."""
    return INVISIBLE.sub(
        lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) <= 0xFFFF else f"\\U{ord(m.group()):08x}", text
    )
