"""The Excel workbook (outputs/excel/noegletal.xlsx) as its readers get it.

LibreOffice, the real client, opens it and exports every sheet to CSV: each value of Tables
1.1–1.3 comes back as a number equal to the figure in keyfigures.parquet, the comparison's as
the comparison's. Cell by cell (openpyxl): numbers are numbers with Danish-displaying number
formats, estimates in cells of their own, the tables' notes and sources under them, every
column of the tidy figures, the SHA-256 of every input. And the same inputs give the same bytes."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import shutil
import subprocess
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pipeline import compare, excel, fmt, table_files, tables, wording
from pipeline.params import load_params
from pipeline.paths import Paths

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# LibreOffice's CSV filter: separator, double quote, UTF-8, from line 1, (default cell format),
# (default language), quote every text cell, detect special numbers, raw values (false) or as
# shown (true), no formulas, keep spaces, every sheet to its own file (-1)
CSV_FILTER = "csv:Text - txt - csv (StarCalc):{separator},34,76,1,,0,true,true,{shown},false,false,-1"
# a LibreOffice profile whose locale is Danish, as a Danish reader's would be
DANISH_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>da-DK</value>
</prop></item>
</oor:items>
"""


def libreoffice_sheets(workbook: Path, work: Path, danish: bool) -> dict[str, str]:
    """Every sheet of the workbook as LibreOffice exports it to CSV: raw values with a comma
    separator, or (danish) each cell as a Danish LibreOffice shows it, with a semicolon."""
    if SOFFICE is None:
        pytest.fail("LibreOffice (soffice) is not installed; bin/setup installs libreoffice-calc-nogui")
    if danish:
        (work / "profile" / "user").mkdir(parents=True)
        (work / "profile" / "user" / "registrymodifications.xcu").write_text(DANISH_PROFILE, encoding="utf-8")
    csv_filter = CSV_FILTER.format(separator=59 if danish else 44, shown="true" if danish else "false")
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{work / 'profile'}",
            "--headless",
            "--convert-to",
            csv_filter,
            "--outdir",
            str(work / "csv"),
            str(workbook),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return {
        path.stem.removeprefix(workbook.stem + "-"): path.read_text(encoding="utf-8")
        for path in sorted((work / "csv").glob("*.csv"))
    }


@pytest.fixture(scope="module")
def workbook(built: Paths) -> Path:
    compare.run(built)
    excel.run(built)
    return excel.workbook_path(built)


@pytest.fixture(scope="module")
def specs(built: Paths) -> list[dict]:
    return list(table_files.table_specs(load_params(built)["tables"]).values())


@pytest.fixture(scope="module")
def selected(built: Paths) -> dict[tuple[str, int], dict]:
    """The figures the tables show, by series and year, from keyfigures.parquet."""
    figures = pl.read_parquet(built.data_out / "keyfigures.parquet").filter(pl.col("selected"))
    found = {(r["series"], r["reference_year"]): r for r in figures.iter_rows(named=True)}
    assert len(found) == figures.height, "one selected figure per series and year"
    return found


def table_json(paths: Paths, number: str) -> dict:
    return json.loads((paths.tables / f"{table_files.table_file_stem(number)}.json").read_text(encoding="utf-8"))


# --- LibreOffice --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def libreoffice_csv(workbook: Path, tmp_path_factory) -> dict[str, list[list]]:
    """Every sheet's raw values, read so that a cell LibreOffice quoted (text) stays a string
    and an unquoted one (a number) becomes a float; an empty cell is ''."""
    sheets = libreoffice_sheets(workbook, tmp_path_factory.mktemp("libreoffice"), danish=False)
    return {
        sheet: list(
            csv.reader(io.StringIO(text))
            if sheet == excel.FIGURES_SHEET  # dates come unquoted
            else csv.reader(io.StringIO(text), quoting=csv.QUOTE_NONNUMERIC)
        )
        for sheet, text in sheets.items()
    }


@pytest.fixture(scope="module")
def danish_libreoffice(workbook: Path, tmp_path_factory) -> dict[str, list[list[str]]]:
    sheets = libreoffice_sheets(workbook, tmp_path_factory.mktemp("libreoffice_da"), danish=True)
    return {sheet: list(csv.reader(io.StringIO(text), delimiter=";")) for sheet, text in sheets.items()}


@pytest.mark.slow
def test_libreoffice_opens_every_sheet(libreoffice_csv, specs):
    assert list(libreoffice_csv) == sorted(
        [excel.CONTENTS_SHEET, *(f"Tabel {s['number']}" for s in specs), excel.FIGURES_SHEET, excel.COMPARISON_SHEET]
    )


@pytest.mark.slow
def test_libreoffice_reads_every_table_value_as_the_figure(libreoffice_csv, specs, selected):
    """Each observed value and each estimate is a number (not text) equal to keyfigures.parquet;
    a cell without a figure shows the tables' '-'; every estimate of a year shown is there."""
    for spec in specs:
        rows = libreoffice_csv[f"Tabel {spec['number']}"]
        header, body = rows[2], rows[3 : 3 + len(spec["series"])]
        checked_estimates = 0
        for series, row in zip(spec["series"], body, strict=True):
            for head, got in zip(header[1:], row[1:], strict=True):
                year = int(head[:4])
                figure = selected.get((series, year))
                if head.endswith("helårsskøn"):
                    if figure is not None and figure["status"] == "estimated":
                        assert isinstance(got, float), (spec["number"], series, head, got)
                        assert got == pytest.approx(figure["value"], rel=1e-12)
                        checked_estimates += 1
                    else:
                        assert got == "", (spec["number"], series, head, got)
                elif figure is None:
                    assert got == "-", (spec["number"], series, head, got)
                else:
                    assert isinstance(got, float), (spec["number"], series, head, got)
                    assert got == pytest.approx(figure["observed_value"], rel=1e-12)
        years = {int(h[:4]) for h in header[1:]}
        assert checked_estimates == sum(
            1 for (s, y), f in selected.items() if s in spec["series"] and y in years and f["status"] == "estimated"
        )


@pytest.mark.slow
def test_a_danish_spreadsheet_shows_the_tables_as_the_report_does(danish_libreoffice, built, specs):
    """In a Danish LibreOffice the number formats give the tables' Danish text: an observed
    value and its estimate side by side read as the table's cell '2.181 (2.908)*'."""
    for spec in specs:
        table = table_json(built, spec["number"])
        rows = danish_libreoffice[f"Tabel {spec['number']}"]
        header, body = rows[2], rows[3 : 3 + len(table["rows"])]
        for expected, row in zip(table["rows"], body, strict=True):
            shown = []
            for head, text in zip(header[1:], row[1:], strict=True):
                if head.endswith("helårsskøn"):
                    if text:
                        star = "*" if text.endswith("*") else ""
                        shown[-1] = f"{shown[-1]} ({text.removesuffix('*')}){star}"
                else:
                    shown.append(text)
            assert shown == expected[1:], (spec["number"], row)


@pytest.mark.slow
def test_libreoffice_reads_the_comparison_as_numbers(libreoffice_csv, built):
    comparison = pl.read_parquet(built.derived_comparison)
    rows = libreoffice_csv[excel.COMPARISON_SHEET]
    body = rows[3 : 3 + comparison.height]
    for figure, row in zip(comparison.iter_rows(named=True), body, strict=True):
        for j, (_, field, _) in enumerate(excel.COMPARISON_COLUMNS):
            if figure[field] is None:
                assert row[j] == "-"
            else:
                assert isinstance(row[j], float) and row[j] == pytest.approx(figure[field], rel=1e-12), field


def test_the_comparison_sheet_gives_the_ratio_over_all_the_years(workbook, built):
    """The row under the years holds the compare stage's pooled ratio and interval as numbers,
    in the ratio's columns, and the note says it with the test."""
    comparison = json.loads((built.comparison / "dk_se.json").read_text(encoding="utf-8"))
    pooled = comparison["pooled"]
    sheet = openpyxl.load_workbook(workbook)[excel.COMPARISON_SHEET]
    row = [c.value for c in sheet[4 + len(comparison["rows"])]]
    assert row[0] == f"{fmt.year_ranges(pooled['years'])} under ét"
    fields = [field for _, field, _ in excel.COMPARISON_COLUMNS]
    for name in ("rate_ratio", "rate_ratio_lower", "rate_ratio_upper"):
        assert row[fields.index(name)] == pytest.approx(pooled[name], rel=1e-12), name
    assert row[fields.index("dk_count")] == pooled["dk_count"]
    assert comparison["note"] in _note_cells(sheet, 5 + len(comparison["rows"]))


@pytest.mark.slow
def test_libreoffice_reads_every_column_of_the_tidy_figures(libreoffice_csv, built):
    figures = pl.read_parquet(built.data_out / "keyfigures.parquet")
    rows = libreoffice_csv[excel.FIGURES_SHEET]
    assert rows[0] == figures.columns
    assert len(rows) == figures.height + 1
    values = rows[1:]
    column = figures.columns.index("observed_value")
    assert [float(r[column]) for r in values] == pytest.approx(figures["observed_value"].to_list(), rel=1e-12)


# --- cell by cell -------------------------------------------------------------------------------


def _note_cells(sheet, first_row: int) -> list[str]:
    return [sheet.cell(r, 1).value for r in range(first_row, sheet.max_row + 1) if sheet.cell(r, 1).value]


def test_table_cells_are_numbers_with_danish_displaying_formats(workbook, built, specs, selected):
    book = openpyxl.load_workbook(workbook)
    for spec in specs:
        sheet = book[f"Tabel {spec['number']}"]
        table = table_json(built, spec["number"])
        assert sheet["A1"].value == table["title"]
        headers = [c.value for c in sheet[3]]
        assert (headers[0] or "") == table["header"][0]
        for i, (series, shown) in enumerate(zip(spec["series"], table["rows"], strict=True)):
            cells = sheet[4 + i]
            assert (cells[0].value or "") == shown[0]
            for head, cell in zip(headers[1:], cells[1:], strict=True):
                figure = selected.get((series, int(head[:4])))
                estimate = head.endswith("helårsskøn")
                if estimate and (figure is None or figure["status"] != "estimated"):
                    assert cell.value is None
                    continue
                if figure is None:
                    assert cell.value == "-" and cell.data_type == "s"
                    continue
                assert cell.data_type == "n"
                assert cell.value == (figure["value"] if estimate else figure["observed_value"])
                shown_value = figure["value"] if estimate else figure["observed_value"]
                code = excel.INTEGER if float(shown_value).is_integer() else excel.ONE_DECIMAL
                # the report's asterisk, where it prints one, is part of the number format
                starred = estimate and any(t.endswith("*") for t in shown[1:])
                assert cell.number_format == code + (excel.ESTIMATE_MARK if starred else "")
                assert bool(cell.font.i) == estimate
                assert (cell.fill.fgColor.rgb == "FF" + excel.ESTIMATE_FILL[1:]) == estimate


def test_notes_and_sources_under_each_table_are_the_tables_own(workbook, built, specs):
    """The same Danish note as the table outputs, naming the estimates where the workbook shows
    them, and the same source line."""
    book = openpyxl.load_workbook(workbook)
    for spec in specs:
        sheet = book[f"Tabel {spec['number']}"]
        table = table_json(built, spec["number"])
        expected = [table["source"]]
        if table["note"]:
            expected.insert(0, table["note"].replace(wording.ESTIMATES_IN_PARENTHESES, wording.ESTIMATES_IN_OWN_CELLS))
        assert _note_cells(sheet, 4 + len(table["rows"])) == expected
        if any(c["status"] == "estimated" for c in table["cells"]):
            assert wording.ESTIMATES_IN_OWN_CELLS in expected[0]
            assert wording.ESTIMATES_IN_PARENTHESES not in expected[0]


def test_the_tidy_figures_sheet_holds_every_column_and_value(workbook, built):
    figures = pl.read_parquet(built.data_out / "keyfigures.parquet")
    csv_columns = (built.data_out / "keyfigures.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    sheet = openpyxl.load_workbook(workbook)[excel.FIGURES_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == figures.columns == csv_columns
    assert len(rows) == figures.height + 1
    for expected, got in zip(figures.iter_rows(), rows[1:], strict=True):
        for name, want, value in zip(figures.columns, expected, got, strict=True):
            if want is None or (isinstance(want, float) and math.isnan(want)):
                assert value is None, name
            elif isinstance(want, bool):
                assert value is want, name
            elif isinstance(want, (int, float, Decimal)):
                # a spreadsheet keeps 15 to 16 significant digits
                assert isinstance(value, (int, float)) and value == pytest.approx(float(want), rel=1e-15), name
            elif isinstance(want, date):
                assert value == datetime.combine(want, datetime.min.time()), name
            else:
                assert value == want, name
    # years plain (2024, not 2.024), levels as percent, counts with a thousands separator
    header = {c.value: c.column for c in sheet[1]}
    assert sheet.cell(2, header["reference_year"]).number_format == excel.PLAIN
    assert sheet.cell(2, header["observed_value"]).number_format == excel.INTEGER


def test_the_first_sheet_lists_the_sheets_and_the_hash_of_every_input(workbook, built, specs):
    sheet = openpyxl.load_workbook(workbook)[excel.CONTENTS_SHEET]
    book_sheets = openpyxl.load_workbook(workbook).sheetnames
    assert book_sheets[0] == excel.CONTENTS_SHEET
    values = [row for row in sheet.iter_rows(values_only=True)]
    listed = [r[0] for r in values if r[0] in book_sheets]
    assert listed == book_sheets[1:]
    hashes = {r[0]: r[1] for r in values if r[0] and isinstance(r[1], str) and len(r[1]) == 64}
    inputs = sorted(p for p in built.raw.rglob("*.csv")) + [built.params]
    assert hashes == {built.relative(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in inputs}


def test_the_same_inputs_give_the_same_bytes(workbook, built):
    first = workbook.read_bytes()
    time.sleep(1.1)  # a clock in the file would now differ
    excel.run(built)
    assert workbook.read_bytes() == first


def test_the_workbook_is_dated_by_its_data(workbook, built):
    figures = pl.read_parquet(built.data_out / "keyfigures.parquet")
    created = openpyxl.load_workbook(workbook).properties.created
    assert created.date() == figures["published_end"].drop_nulls().max()


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    """A note or label is written as text whatever it starts with; nothing is run as a formula."""
    table = {
        "table_id": "9",
        "title": "=1+1",
        "header": ["", "2024"],
        "rows": [["@x", "1"]],
        "note": "=SUM(A1)",
        "source": "+kilde",
        "cells": [
            {
                "reference_year": 2024,
                "row_order": 0,
                "status": "observed",
                "observed_value": 1.0,
                "value": 1.0,
                "integer_valued": True,
            }
        ],
    }
    comparison = {
        "title": "-t",
        "header": ["År", "S", "D", "a", "b", "c", "d", "e"],
        "rows": [],
        "figures": [],
        "note": "=n",
        "source": "=s",
    }
    target = tmp_path / "book.xlsx"
    excel.write_workbook(target, [table], pl.DataFrame({"series": ["=x"]}), comparison, {}, "0")
    book = openpyxl.load_workbook(target)
    texts = [
        c
        for sheet in book
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value[:1] in "=+-@"
    ]
    assert texts and all(c.data_type == "s" for c in texts)


# --- the layout rule on generated tables -------------------------------------------------------


def _cell(row: int, year: int, status: str | None, observed: float, integer_valued: bool) -> dict:
    """A table cell as the tables stage makes it: missing, observed, or a partial year of 9
    months estimated for the whole year by the report's method."""
    base = {
        "count_date": None,
        "integer_valued": integer_valued,
        "interval_level": None,
        "interval_lower": None,
        "interval_method": None,
        "interval_upper": None,
        "kind": "flow",
        "label_da": f"Række {row + 1}",
        "reference_year": year,
        "row_order": row,
        "series": f"s{row}",
        "table_id": "9.9",
        "unit": "antal",
        "status": status,
    }
    if status is None:
        return base | {
            "method": None,
            "monthly_mean": None,
            "months_covered": None,
            "observed_value": None,
            "published": None,
            "publisher": None,
            "release_id": None,
            "value": None,
            "value_unrounded": None,
        }
    months = 9 if status == "estimated" else 12
    unrounded = observed / months * 12
    value = float(round(unrounded)) if integer_valued else round(unrounded, 1)
    return base | {
        "method": "linear" if status == "estimated" else "none",
        "monthly_mean": observed / months,
        "months_covered": months,
        "observed_value": observed,
        "published": str(year),
        "publisher": "Udgiver",
        "release_id": f"r{year}",
        "value": value,
        "value_unrounded": unrounded,
    }


@st.composite
def generated_tables(draw) -> dict:
    rows = draw(st.integers(1, 3))
    years = range(2020, 2020 + draw(st.integers(1, 4)))
    integer_valued = draw(st.booleans())
    value = st.integers(0, 99_999).map(float) if integer_valued else st.integers(0, 99_999).map(lambda v: v / 10)
    cells = [
        _cell(r, y, draw(st.sampled_from([None, "observed", "estimated"])), draw(value), integer_valued)
        for r in range(rows)
        for y in years
    ]
    spec = {
        "title": "Prøve",
        "row_labels": draw(st.booleans()),
        "partial_marker": draw(st.sampled_from(table_files.MARKERS)),
    }
    # through JSON, as the workbook stage reads the tables
    return json.loads(json.dumps(tables.build_table("9.9", spec, cells)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=generated_tables())
def test_every_generated_table_keeps_each_value_in_its_own_numeric_cell(tmp_path, table):
    """Whatever the table holds: each observed value in its year's column, each estimate in the
    estimate column right after it (which only a year with an estimate has), a missing figure
    as '-', and the note naming the estimates where the workbook shows them."""
    target = tmp_path / "table.xlsx"
    comparison = {
        "title": "t",
        "header": ["År", "S", "D", "a", "b", "c", "d", "e"],
        "rows": [],
        "figures": [],
        "note": "n",
        "source": "s",
    }
    excel.write_workbook(target, [table], pl.DataFrame({"series": ["x"]}), comparison, {}, "0")
    sheet = openpyxl.load_workbook(target)["Tabel 9.9"]
    headers = [c.value for c in sheet[3]][1:]
    cells = {(c["row_order"], c["reference_year"]): c for c in table["cells"]}
    years = sorted({c["reference_year"] for c in table["cells"]})
    estimated_years = [y for y in years if any(cells[k]["status"] == "estimated" for k in cells if k[1] == y)]
    assert len(headers) == len(years) + len(estimated_years)
    for r in range(len(table["rows"])):
        values = [c.value for c in sheet[4 + r]][1:]
        for head, got in zip(headers, values, strict=True):
            year = int(head[:4])
            cell = cells[(r, year)]
            if head.endswith("helårsskøn"):
                assert got == (cell["value"] if cell["status"] == "estimated" else None)
            else:
                assert got == (fmt.MISSING if cell["status"] is None else cell["observed_value"])
    notes = [sheet.cell(r, 1).value for r in range(4 + len(table["rows"]), sheet.max_row + 1)]
    notes = [n for n in notes if n]
    assert notes[-1] == table["source"]
    if estimated_years:
        assert notes[0].startswith("Note: ") and wording.ESTIMATES_IN_OWN_CELLS in notes[0]
        assert notes[0] == table["note"].replace(wording.ESTIMATES_IN_PARENTHESES, wording.ESTIMATES_IN_OWN_CELLS)
    else:
        assert len(notes) == 1
