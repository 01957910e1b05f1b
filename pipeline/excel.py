"""Stage excel: the report's tables, the tidy figures and the comparison in one workbook.

Writes outputs/excel/noegletal.xlsx for readers who work in a spreadsheet: a first sheet that
says what is where and from which inputs (the SHA-256 of each, as the audit records them), one
sheet per table in the report's layout, the tidy figures and the comparison with Sweden.
Numbers are stored as numbers; Danish display (1.315; 2,7; 95 %) comes from the number
formats, which a Danish spreadsheet shows with its own separators. A partial year's observed
figure and its full-year estimate stand in two cells, the estimate in a format of its own.

It runs after the tables and the comparison and reads what they published (the tables' and
the comparison's JSON, keyfigures.parquet), so the workbook holds the same values and the
same Danish notes as the other outputs. The same inputs give the same bytes: the workbook's
creation date is taken from the data, not the clock."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
import xlsxwriter

from pipeline import __version__, fmt, wording
from pipeline.io import staged_outputs
from pipeline.params import load_params
from pipeline.paths import Paths
from pipeline.rawfiles import file_hashes
from pipeline.stage import stage_main
from pipeline.table_files import table_file_stem, table_specs

CONTENTS_SHEET = "Indhold"
FIGURES_SHEET = "Nøgletal"
COMPARISON_SHEET = "Sammenligning"
# Number formats: Excel stores the format code in its own (English) notation, and a Danish
# Excel or LibreOffice shows "," as its thousands separator "." and "." as its decimal ",".
INTEGER = "#,##0"
ONE_DECIMAL = "#,##0.0"
TWO_DECIMALS = "#,##0.00"
PERCENT = "0 %"
DATE = "dd-mm-yyyy"
PLAIN = "0"
GENERAL = "General"
ESTIMATE_MARK = '"*"'
ESTIMATE_FILL = "#E7E6E6"
# A workbook without any publication date in its data still gets a fixed date.
FALLBACK_DATE = datetime(2000, 1, 1)
NOTE_CHARACTERS_PER_LINE = 110
LINE_HEIGHT = 15


def workbook_path(paths: Paths) -> Path:
    return paths.outputs / "excel" / "noegletal.xlsx"


class Formats:
    """The workbook's cell formats, made once (a format per use, not per cell)."""

    def __init__(self, book: xlsxwriter.Workbook):
        self._book = book
        self._made: dict[tuple, object] = {}
        self.title = book.add_format({"bold": True, "font_size": 13})
        self.header = book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "bottom"})
        self.header_right = book.add_format(
            {"bold": True, "bottom": 1, "align": "right", "text_wrap": True, "valign": "bottom"}
        )
        self.text = book.add_format({"valign": "top"})
        self.wrapped = book.add_format({"text_wrap": True, "valign": "top"})
        self.missing = book.add_format({"align": "right"})
        self.bold = book.add_format({"bold": True})

    def number(self, code: str, estimate: bool = False):
        key = (code, estimate)
        if key not in self._made:
            spec = {"num_format": code, "valign": "top"}
            if estimate:  # greyscale-safe: italic on a light grey fill
                spec |= {"italic": True, "bg_color": ESTIMATE_FILL}
            self._made[key] = self._book.add_format(spec)
        return self._made[key]


def value_format(value: float, integer_valued: bool) -> str:
    """The format that shows a value as the tables do: whole numbers without decimals, others
    with one (pipeline/tables.py writes '2,7')."""
    return INTEGER if integer_valued or float(value).is_integer() else ONE_DECIMAL


def created_date(figures: pl.DataFrame) -> datetime:
    """The latest publication date among the figures: a date that changes only with the data."""
    if "published_end" not in figures.columns:
        return FALLBACK_DATE
    latest = figures["published_end"].drop_nulls().max()
    return datetime.combine(latest, datetime.min.time()) if latest else FALLBACK_DATE


def _note_rows(sheet, formats: Formats, row: int, texts: list[str], width: int) -> int:
    """Notes and sources under a table, each in a cell as wide as the table, wrapped. The row
    height is set from the text's length, since spreadsheets do not grow merged rows."""
    for text in texts:
        lines = max(1, math.ceil(len(text) / NOTE_CHARACTERS_PER_LINE))
        if width > 1:
            sheet.merge_range(row, 0, row, width - 1, text, formats.wrapped)
        else:
            sheet.write_string(row, 0, text, formats.wrapped)
        sheet.set_row(row, LINE_HEIGHT * lines)
        row += 1
    return row


def table_columns(table: dict) -> list[dict]:
    """The table's columns after the row label: per year its observed figures, and right
    after it, when any figure of the year is estimated, a column of the full-year estimates."""
    years = sorted({c["reference_year"] for c in table["cells"]})
    columns = []
    for i, year in enumerate(years):
        header = table["header"][i + 1]
        columns.append({"year": year, "header": header, "estimate": False, "index": i + 1})
        if any(c["reference_year"] == year and c["status"] == "estimated" for c in table["cells"]):
            # the estimate is for the whole year, whatever months the year's header names
            columns.append({"year": year, "header": f"{year}: helårsskøn", "estimate": True, "index": i + 1})
    return columns


def write_table(book: xlsxwriter.Workbook, formats: Formats, table: dict) -> None:
    sheet = book.add_worksheet(f"Tabel {table['table_id']}")
    sheet.write_string(0, 0, table["title"], formats.title)
    columns = table_columns(table)
    sheet.write_string(2, 0, table["header"][0], formats.header)
    for j, column in enumerate(columns, start=1):
        sheet.write_string(2, j, column["header"], formats.header_right)
    by_row: dict[int, dict[int, dict]] = {}
    for c in table["cells"]:
        by_row.setdefault(c["row_order"], {})[c["reference_year"]] = c
    for i, (_, row_cells) in enumerate(sorted(by_row.items())):
        r = 3 + i
        shown = table["rows"][i]
        sheet.write_string(r, 0, shown[0], formats.text)
        for j, column in enumerate(columns, start=1):
            cell = row_cells.get(column["year"])
            if column["estimate"]:
                if cell and cell["status"] == "estimated":
                    # the asterisk where the report prints one ("2.181 (2.908)*"); a year
                    # whose header names the months has none, as in the report
                    code = value_format(cell["value"], cell["integer_valued"])
                    code += ESTIMATE_MARK if shown[column["index"]].endswith("*") else ""
                    sheet.write_number(r, j, cell["value"], formats.number(code, estimate=True))
            elif cell is None or cell["observed_value"] is None:
                sheet.write_string(r, j, fmt.MISSING, formats.missing)
            else:
                sheet.write_number(
                    r,
                    j,
                    cell["observed_value"],
                    formats.number(value_format(cell["observed_value"], cell["integer_valued"])),
                )
    # the table's own note, naming the estimates by where the workbook shows them
    starred = any(text.endswith("*") for row in table["rows"] for text in row[1:])
    note = wording.notes_under_table(table["cells"], starred, wording.ESTIMATES_IN_OWN_CELLS)
    _note_rows(sheet, formats, 3 + len(by_row) + 1, [n for n in (note, table["source"]) if n], len(columns) + 1)
    sheet.set_column(0, 0, 18 if any(row[0] for row in table["rows"]) else 4)
    sheet.set_column(1, len(columns), 12)
    sheet.set_row(2, LINE_HEIGHT * 2)
    sheet.freeze_panes(3, 1)


def _column_format(name: str, series: pl.Series) -> str | None:
    """How a column of the tidy figures is shown: years and ranks plain, levels as percent,
    counts with a thousands separator, other numbers with two decimals."""
    if series.dtype == pl.Boolean or series.dtype == pl.Utf8:
        return None
    if series.dtype == pl.Date:
        return DATE
    if name.endswith("_level"):
        return PERCENT
    if series.dtype.is_integer() or isinstance(series.dtype, pl.Decimal):
        return INTEGER if name in ("rows_aggregated",) else PLAIN
    values = series.drop_nulls().drop_nans() if series.dtype.is_float() else series.drop_nulls()
    return INTEGER if all(float(v).is_integer() for v in values) else TWO_DECIMALS


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _write_value(sheet, r: int, j: int, value, cell_format) -> None:
    if _missing(value):
        return
    if isinstance(value, bool):
        sheet.write_boolean(r, j, value)
    elif isinstance(value, (int, float, Decimal)):
        sheet.write_number(r, j, float(value), cell_format)
    elif isinstance(value, date):
        sheet.write_datetime(r, j, datetime.combine(value, datetime.min.time()), cell_format)
    else:
        sheet.write_string(r, j, str(value))


def write_figures(book: xlsxwriter.Workbook, formats: Formats, figures: pl.DataFrame) -> None:
    """Every column of keyfigures.csv, under the same column names, one row per figure."""
    sheet = book.add_worksheet(FIGURES_SHEET)
    for j, name in enumerate(figures.columns):
        sheet.write_string(0, j, name, formats.header)
        code = _column_format(name, figures[name])
        cell_format = formats.number(code) if code else None
        for i, value in enumerate(figures[name].to_list(), start=1):
            _write_value(sheet, i, j, value, cell_format)
        sheet.set_column(j, j, max(10, min(40, len(name) + 2)))
    sheet.autofilter(0, 0, figures.height, len(figures.columns) - 1)
    sheet.freeze_panes(1, 0)


COMPARISON_COLUMNS = (
    # (header, field, format): a header of None takes the comparison's own header at that place
    (0, "reference_year", PLAIN),
    (1, "se_count_as_quoted", INTEGER),
    ("Sverige, måneder", "se_months", GENERAL),
    (2, "dk_count", INTEGER),
    ("Danmark, måneder", "dk_months", GENERAL),
    (3, "se_rate", TWO_DECIMALS),
    ("nedre grænse", "se_rate_lower", TWO_DECIMALS),
    ("øvre grænse", "se_rate_upper", TWO_DECIMALS),
    (4, "dk_rate", TWO_DECIMALS),
    ("nedre grænse", "dk_rate_lower", TWO_DECIMALS),
    ("øvre grænse", "dk_rate_upper", TWO_DECIMALS),
    (5, "rate_ratio", ONE_DECIMAL),
    ("nedre grænse", "rate_ratio_lower", ONE_DECIMAL),
    ("øvre grænse", "rate_ratio_upper", ONE_DECIMAL),
)


def _write_pooled_row(sheet, formats: Formats, row: int, pooled: dict | None) -> int:
    """Under the years: the ratio over all of them with its interval (the compare stage's
    `pooled`), in the ratio's columns; the rows written (0 without a ratio over several years)."""
    if not pooled or pooled["rate_ratio"] is None or len(pooled["years"]) < 2:
        return 0
    fields = [field for _, field, _ in COMPARISON_COLUMNS]
    sheet.write_string(row, 0, f"{fmt.year_ranges(pooled['years'])} under ét", formats.bold)
    cells = {"se_count_as_quoted": "se_count", "dk_count": "dk_count"} | {
        name: name for name in ("rate_ratio", "rate_ratio_lower", "rate_ratio_upper")
    }
    for field, key in cells.items():
        j = fields.index(field)
        sheet.write_number(row, j, pooled[key], formats.number(COMPARISON_COLUMNS[j][2]))
    return 1


def write_comparison(book: xlsxwriter.Workbook, formats: Formats, comparison: dict) -> None:
    """The comparison's table with each rate, ratio and interval bound in a cell of its own,
    then its text columns (comparability, note) as the comparison states them."""
    sheet = book.add_worksheet(COMPARISON_SHEET)
    sheet.write_string(0, 0, comparison["title"], formats.title)
    header = comparison["header"]
    texts = (6, 7)  # Sammenlignelighed, Note: the comparison's own words
    for j, (head, _, _) in enumerate(COMPARISON_COLUMNS):
        sheet.write_string(2, j, header[head] if isinstance(head, int) else head, formats.header_right)
    for k, index in enumerate(texts):
        sheet.write_string(2, len(COMPARISON_COLUMNS) + k, header[index], formats.header)
    for i, (figure, shown) in enumerate(zip(comparison["figures"], comparison["rows"], strict=True)):
        r = 3 + i
        for j, (_, field, code) in enumerate(COMPARISON_COLUMNS):
            value = figure[field]
            if _missing(value):
                sheet.write_string(r, j, fmt.MISSING, formats.missing)
            else:
                sheet.write_number(r, j, value, formats.number(code))
        for k, index in enumerate(texts):
            if shown[index]:
                sheet.write_string(r, len(COMPARISON_COLUMNS) + k, shown[index], formats.wrapped)
        sheet.set_row(r, LINE_HEIGHT * 4)
    width = len(COMPARISON_COLUMNS) + len(texts)
    pooled = _write_pooled_row(sheet, formats, 3 + len(comparison["rows"]), comparison.get("pooled"))
    _note_rows(
        sheet, formats, 3 + len(comparison["rows"]) + pooled + 1, [comparison["note"], comparison["source"]], width
    )
    sheet.set_column(0, len(COMPARISON_COLUMNS) - 1, 11)
    sheet.set_column(len(COMPARISON_COLUMNS), width - 1, 45)
    sheet.set_row(2, LINE_HEIGHT * 2)
    sheet.freeze_panes(3, 1)


def write_contents(
    sheet, formats: Formats, tables: list[dict], comparison: dict, hashes: dict[str, str], version: str
) -> None:
    """What is where, how estimates are shown, and from which inputs the workbook was made."""
    sheet.write_string(0, 0, "Nøgletal på rocker-/bandeområdet", formats.title)
    sheet.write_string(2, 0, "Ark", formats.header)
    sheet.write_string(2, 1, "Indhold", formats.header)
    listing = [(f"Tabel {t['table_id']}", t["title"]) for t in tables] + [
        (
            FIGURES_SHEET,
            "Alle tal fra alle udgivelser, én række pr. serie, år og udgivelse: opgjort tal, "
            "helårstal, status, metode og kilde (samme kolonner som keyfigures.csv)",
        ),
        (COMPARISON_SHEET, comparison["title"]),
    ]
    row = 3
    for name, what in listing:
        sheet.write_url(row, 0, f"internal:'{name}'!A1", string=name)
        sheet.write_string(row, 1, what)
        row += 1
    row += 1
    for text in (
        "Tallene er gemt som tal og vises med dansk tusindtalsseparator og decimaltegn.",
        "Et delårstal og dets helårsskøn står i hver sin celle, helårsskønnet i kursiv på gråt felt "
        "i kolonnen ved siden af.",
        "Noter og kilder står under hver tabel.",
    ):
        sheet.write_string(row, 0, text)
        row += 1
    row += 1
    sheet.write_string(row, 0, "Kørsel", formats.bold)
    sheet.write_string(row + 1, 0, "Programversion")
    sheet.write_string(row + 1, 1, version)
    sheet.write_string(row + 2, 0, "Inddata og deres SHA-256-kontrolsum, som i revisionen (outputs/audit/audit.json):")
    row += 3
    sheet.write_string(row, 0, "Fil", formats.header)
    sheet.write_string(row, 1, "SHA-256", formats.header)
    for path, digest in hashes.items():
        row += 1
        sheet.write_string(row, 0, path)
        sheet.write_string(row, 1, digest)
    sheet.set_column(0, 0, 60)
    sheet.set_column(1, 1, 72)


def write_workbook(
    target: Path, tables: list[dict], figures: pl.DataFrame, comparison: dict, hashes: dict[str, str], version: str
) -> None:
    # explicit write_* calls only, and no text read as a formula or link: a figure's source
    # text stays text whatever it starts with
    book = xlsxwriter.Workbook(
        str(target), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    book.set_properties({"title": "Nøgletal på rocker-/bandeområdet", "created": created_date(figures)})
    formats = Formats(book)
    contents = book.add_worksheet(CONTENTS_SHEET)
    for table in tables:
        write_table(book, formats, table)
    write_figures(book, formats, figures)
    write_comparison(book, formats, comparison)
    write_contents(contents, formats, tables, comparison, hashes, version)
    book.close()


def run(paths: Paths | None = None) -> None:
    paths = paths or Paths()
    specs = table_specs(load_params(paths).get("tables"))
    tables = [
        json.loads((paths.tables / f"{table_file_stem(spec['number'])}.json").read_text(encoding="utf-8"))
        for spec in specs.values()
    ]
    figures = pl.read_parquet(paths.data_out / "keyfigures.parquet")
    comparison = json.loads((paths.comparison / "dk_se.json").read_text(encoding="utf-8"))
    with staged_outputs() as out:
        write_workbook(out.path(workbook_path(paths)), tables, figures, comparison, file_hashes(paths), __version__)


if __name__ == "__main__":
    stage_main(run, "excel")
