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


FORMULA_START = re.compile(r"^[=+@\t\r]|^-[^0-9 ]")


def spreadsheet_safe(cell: str) -> str:
    """'=HYPERLINK(…)' -> "'=HYPERLINK(…)"; numbers, '-163' and '-' pass unchanged."""
    return "'" + cell if FORMULA_START.search(cell) else cell


def spreadsheet_safe_frame(frame):
    """The same for every text column of a polars frame, before it is written as CSV."""
    import polars as pl

    return frame.with_columns(
        pl.when(pl.col(c).str.contains(FORMULA_START.pattern)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c, dtype in frame.schema.items() if dtype == pl.Utf8
    )
