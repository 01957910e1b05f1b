"""The part of a year a figure covers, in Danish: 'hele 2024', 'januar–september 2024', and the
months a table cell covers."""

from __future__ import annotations

from datetime import date

from pipeline import fmt
from pipeline.wording.numbers import noun

MONTHS_IN_YEAR = 12


def months_text(months: float) -> str:
    """9 -> '9 måneder'; 1 -> '1 måned'; 11,47 -> '11,47 måneder'."""
    return f"{fmt.months(months)} {noun(months, 'måneder')}"


def the_months(months: float) -> str:
    """After 'for': 9 -> 'de 9 måneder'; 1 -> 'den ene måned'; 11,47 -> 'de 11,47 måneder'."""
    return "den ene måned" if fmt.months(months) == "1" else f"de {months_text(months)}"


def period_text(year: int, months: float | None, period_end: date | None = None) -> str:
    """The part of a year a figure covers: 'hele 2024', 'januar–september 2024', 'januar 2024',
    '1. januar–15. december 2024', or 'de første 11,47 måneder af 2024'."""
    if months is None or months >= MONTHS_IN_YEAR:
        return f"hele {year}"
    if period_end is not None:
        return f"1. januar–{fmt.date_text(period_end, 'd. MMMM')} {year}"
    if float(months).is_integer():
        return f"{fmt.months_span(int(months))} {year}"
    return f"de første {months_text(months)} af {year}"


def rest_of_year(months: float, period_end: date | None = None) -> str:
    """9 -> 'oktober–december'; else 'resten af året'."""
    if period_end is None and float(months).is_integer() and months < MONTHS_IN_YEAR:
        return fmt.months_span_from(int(months) + 1, MONTHS_IN_YEAR)
    return "resten af året"


def period_end_of(cell: dict) -> date | None:
    end = cell.get("period_end")
    return date.fromisoformat(end[:10]) if isinstance(end, str) and end else end or None


def months_of(cell: dict) -> float:
    """The months a figure covers: the exposure where the cell has it (a period ending inside a
    month, e.g. 11,47), else the whole months covered."""
    exposure = cell.get("months_exposure")
    return exposure if exposure is not None else cell["months_covered"]


def count_date_text(
    value: date | str | None, precision: str | None = "day", year: int | None = None, width: str = "long"
) -> str | None:
    """When a stock was counted, as precisely as the source says: '30. juni 2025', 'januar
    2016', '2016'; a count in the first days of the year after the one it describes (`year`)
    says so: '1. januar 2014, ved begyndelsen af året efter'. None when not stated."""
    if value is None:
        return None
    value = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    if precision == "year":
        text = str(value.year)
    elif precision == "month":
        text = f"{fmt.month_name(value.month)} {value.year}"
    else:
        text = fmt.date_text(value, width)  # width 'medium' for a chart's label: '30. sep. 2024'
    if year is not None and value.year > year:
        text += ", ved begyndelsen af året efter"
    return text
