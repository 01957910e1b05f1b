"""Stage tables: the report's Tables 1.1–1.3 in its layout, and the tidy figures behind them.

Writes, per table, CSV and Markdown in the report's layout (Danish formatting, "-" for a
missing figure, a partial year as "observed (estimate)" with a note) plus a JSON sidecar with
title, note, source and every cell's status; and the tidy figures with their metadata as
CSV and Parquet (outputs/data/)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from datetime import date

import polars as pl

from pipeline import db, fmt, metrics, wording
from pipeline.io import staged_outputs
from pipeline.params import ParamsError, load_params, require_known, resolve_years, year_choice
from pipeline.paths import Paths
from pipeline.stage import stage_main

MONTHS_IN_YEAR = 12


def table_file_stem(table_id: str) -> str:
    return "table_" + table_id.replace(".", "_")


# A table's key in params.yaml holds no dot: DVC's `-S tables.<key>.first_year=…` splits keys at
# dots. The number the reader sees ("1.3") is the entry's `number`.
TABLE_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
TABLE_NUMBER = re.compile(r"^[A-Za-z0-9]+(\.[A-Za-z0-9]+)*$")
MARKERS = ("asterisk", "header")


def table_specs(table_params) -> dict[str, dict]:
    """The tables of params.yaml, checked, by key; each with its checked year keys (`years`)."""
    if not isinstance(table_params, dict) or not table_params:
        raise ParamsError("tables", 'no tables; each table is an entry like table_1_1: {number: "1.1", ...}')
    specs, stems = {}, {}
    for key, spec in table_params.items():
        where = f"tables.{key}"
        if not isinstance(key, str) or not TABLE_KEY.match(key):
            raise ParamsError(
                where,
                "a table's key holds letters, digits and _ only (no dots, which DVC's "
                '-S splits at), e.g. table_1_3 with number: "1.3"',
            )
        if not isinstance(spec, dict):
            raise ParamsError(where, "is not a table entry (title, number, series, …)")
        number = spec.get("number")
        if not isinstance(number, str) or not TABLE_NUMBER.match(number):
            raise ParamsError(f"{where}.number", f'{number!r} is not a table number in quotes, e.g. "1.3"')
        series = spec.get("series")
        if not isinstance(series, list) or not series or not all(isinstance(s, str) for s in series):
            raise ParamsError(f"{where}.series", f"{series!r} is not a list of series, e.g. [medlemmer]")
        if spec.get("partial_marker", "asterisk") not in MARKERS:
            raise ParamsError(
                f"{where}.partial_marker", f"{spec['partial_marker']!r} is not one of {', '.join(MARKERS)}"
            )
        stem = table_file_stem(number)
        if stem in stems:
            raise ParamsError(f"{where}.number", f"{number} is also the number of tables.{stems[stem]}")
        stems[stem] = key
        specs[key] = spec | {"years": year_choice(spec, where)}
    return specs


def table_years(specs: dict[str, dict], derived: pl.DataFrame) -> dict[str, tuple[int, int]]:
    """Each table's first and last year: pinned in params.yaml, else from the earliest to the
    latest year any of its series has a figure."""
    selected = derived.filter(pl.col("selected"))
    years = {}
    for key, spec in specs.items():
        have = selected.filter(pl.col("series").is_in(spec["series"]))["reference_year"]
        years[key] = resolve_years(spec["years"], f"tables.{key}", have.min(), have.max())
    return years


def layout_frame(specs: dict[str, dict], years: dict[str, tuple[int, int]]) -> pl.DataFrame:
    rows = [
        {
            "table_id": spec["number"],
            "row_order": i,
            "series": s,
            "first_year": years[key][0],
            "last_year": years[key][1],
        }
        for key, spec in specs.items()
        for i, s in enumerate(spec["series"])
    ]
    return pl.DataFrame(
        rows,
        schema={
            "table_id": pl.Utf8,
            "row_order": pl.Int64,
            "series": pl.Utf8,
            "first_year": pl.Int64,
            "last_year": pl.Int64,
        },
    )


def cells(derived: pl.DataFrame, series: pl.DataFrame, specs: dict[str, dict], paths: Paths) -> pl.DataFrame:
    con = db.connect()
    db.source(con, "full_year_figures", derived)
    db.source(con, "series_metadata", series)
    db.source(con, "table_layout", layout_frame(specs, table_years(specs, derived)))
    return db.model(con, paths, "fct_keyfigure_tables")


def _value_text(value: float | None, integer_valued: bool) -> str:
    if value is None:
        return fmt.MISSING
    decimals = 0 if integer_valued or float(value).is_integer() else 1
    return fmt.number(value, decimals)


def cell_text(cell: dict, marker: str) -> str:
    observed = _value_text(cell["observed_value"], cell["integer_valued"])
    if cell["status"] != "estimated":
        return observed
    star = "*" if marker == "asterisk" else ""
    return f"{observed} ({_value_text(cell['value'], cell['integer_valued'])}){star}"


def year_header(year: int, partial_months: set[int], marker: str) -> str:
    """'2024 (jan.–sep.)' when the header is to name the months (see `months_in_header`)."""
    if marker == "header" and len(partial_months) == 1:
        return f"{year} ({fmt.months_span(next(iter(partial_months)), 'abbreviated')})"
    return str(year)


def months_in_header(year_cells: list[dict], marker: str) -> bool:
    """A header names the months only when it is true of every figure below it: every cell
    of the year with a figure is partial, on the same months. Otherwise the header is the
    plain year and each partial cell carries the asterisk."""
    figures = [c for c in year_cells if c["status"] is not None]
    return (
        marker == "header"
        and bool(figures)
        and all(c["status"] == "estimated" for c in figures)
        and len({c["months_covered"] for c in figures}) == 1
    )


def _count_day(cell: dict) -> tuple[int, int] | None:
    value = cell["count_date"]
    if value is None:
        return None
    value = date.fromisoformat(value) if isinstance(value, str) else value
    return value.month, value.day


def _count_date_text(cell: dict) -> str:
    value = cell["count_date"]
    value = date.fromisoformat(value) if isinstance(value, str) else value
    return f"opgjort {fmt.date_text(value)}" if value else "opgørelsesdato ikke oplyst"


def count_date_note(table_cells: list[dict]) -> str | None:
    """For a stock: the years counted on another day of the year than the rest of its row
    (an unknown count date is a day of its own), e.g. '2025: opgjort 30. juni 2025. For de
    øvrige år er opgørelsesdatoen ikke oplyst.' None when every year is counted alike."""
    stocks = [c for c in table_cells if c.get("kind") == "stock" and c["status"] is not None]
    rows = _group(stocks, lambda c: c["row_order"])
    parts = []
    for _, row in sorted(rows.items()):
        row = sorted(row, key=lambda c: c["reference_year"])
        days = Counter(_count_day(c) for c in row)
        if len(days) < 2:
            continue
        # the usual day: the most common; on a tie, the earliest year's
        order = [_count_day(c) for c in row]
        usual = max(days, key=lambda d: (days[d], -order.index(d)))
        prefix = f"{row[0]['label_da']} " if len(rows) > 1 else ""
        if days[usual] == 1:  # no usual day: every year as it is
            parts.append(prefix + "; ".join(f"{c['reference_year']}: {_count_date_text(c)}" for c in row) + ".")
            continue
        odd = [c for c in row if _count_day(c) != usual]
        rest = (
            "for de øvrige år er opgørelsesdatoen ikke oplyst"
            if usual is None
            else f"de øvrige år er opgjort {usual[1]}. {fmt.month_name(usual[0])}"
        )
        parts.append(
            prefix
            + "; ".join(f"{c['reference_year']}: {_count_date_text(c)}" for c in odd)
            + f". {rest[:1].upper()}{rest[1:]}."
        )
    return " ".join(parts) or None


def note_text(table_cells: list[dict], marker: str, estimates: str = wording.ESTIMATES_IN_PARENTHESES) -> str | None:
    """The note under a table with estimates: method, assumption and each computation (the
    wording lives in pipeline/wording/, with every other data-dependent text)."""
    return wording.table_note(table_cells, marker, estimates)


def source_text(table_cells: list[dict]) -> str:
    """'Kilde: … nøgletal fra Rigspolitiet 2014, 2015; Nationalt Efterforskningscenter 2018 …'."""
    by_publisher: dict[str, list[str]] = {}
    # cited by publisher and year, as the report cites the police's key figures (a release
    # dated to the day is still cited by its year); an undated one as such, last
    for c in sorted(
        (c for c in table_cells if c["publisher"]),
        key=lambda c: (c["published"] is None, c["published"] or "", c["publisher"]),
    ):
        years = by_publisher.setdefault(c["publisher"], [])
        cited = c["published"][:4] if c["published"] else "udateret"
        if cited not in years:
            years.append(cited)
    listed = "; ".join(f"{p} {', '.join(y)}" for p, y in by_publisher.items())
    return f"Kilde: Tabellen er baseret på nøgletal fra {listed}."


def _group(items, key):
    groups: dict = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def table_notes(
    table_cells: list[dict], starred: bool, estimates: str = wording.ESTIMATES_IN_PARENTHESES
) -> str | None:
    """The note under a table: how its estimates were made (`starred`: the estimates carry the
    asterisk) and the count dates of its stocks; None when there is nothing to note."""
    notes = [note_text(table_cells, "asterisk" if starred else "header", estimates), count_date_note(table_cells)]
    if notes[0] is None and notes[1] is not None:
        notes[1] = "Note: " + notes[1]
    return " ".join(n for n in notes if n) or None


def build_table(table_id: str, spec: dict, table_cells: list[dict]) -> dict:
    """One table as header, rows of formatted cells, note, source and cell metadata."""
    marker = spec.get("partial_marker", "asterisk")
    by_year = _group(table_cells, lambda c: c["reference_year"])
    years = sorted(by_year)
    # per year: the months in the header, or an asterisk on each partial cell
    cell_marker = {y: "header" if months_in_header(by_year[y], marker) else "asterisk" for y in years}
    header = [""] + [
        year_header(y, {c["months_covered"] for c in by_year[y] if c["status"] == "estimated"}, cell_marker[y])
        for y in years
    ]
    rows = []
    for _, row_cells in sorted(_group(table_cells, lambda c: c["row_order"]).items()):
        label = row_cells[0]["label_da"] if spec.get("row_labels", True) else ""
        rows.append(
            [label]
            + [
                cell_text(c, cell_marker[c["reference_year"]])
                for c in sorted(row_cells, key=lambda c: c["reference_year"])
            ]
        )
    starred = any(c["status"] == "estimated" and cell_marker[c["reference_year"]] == "asterisk" for c in table_cells)
    return {
        "table_id": table_id,
        "title": f"Tabel {table_id} {spec['title']}",
        "header": header,
        "rows": rows,
        "note": table_notes(table_cells, starred),
        "source": source_text(table_cells),
        "cells": [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in c.items()} for c in table_cells],
    }


def to_csv(table: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([fmt.spreadsheet_safe(c) for c in table["header"]])
    writer.writerows([fmt.spreadsheet_safe(c) for c in row] for row in table["rows"])
    return buffer.getvalue()


def to_markdown(table: dict) -> str:
    def line(cells):
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    lines = [f"**{table['title']}**", "", line(table["header"]), "|" + "---|" + "---:|" * (len(table["header"]) - 1)]
    lines += [line(r) for r in table["rows"]]
    lines.append("")
    if table["note"]:
        lines += [table["note"], ""]
    lines.append(table["source"])
    return "\n".join(lines) + "\n"


def tidy_figures(derived: pl.DataFrame, series: pl.DataFrame) -> pl.DataFrame:
    """Every figure of every release, full-year values and metadata, for people who want data."""
    meta = series.select("series", "label_da", "definition_da", "definition_source")
    return derived.join(meta, on="series", how="left").sort("series", "reference_year", "vintage_rank")


def _flat(frame: pl.DataFrame) -> pl.DataFrame:
    """A CSV has no lists: a list of years becomes '2010;2011;2012'."""
    return frame.with_columns(
        pl.col(c).cast(pl.List(pl.Utf8)).list.join(";")
        for c, dtype in frame.schema.items()
        if isinstance(dtype, pl.List)
    )


def run(paths: Paths | None = None) -> None:
    paths = paths or Paths()
    specs = table_specs(load_params(paths).get("tables"))
    derived = pl.read_parquet(paths.derived_figures)
    series = pl.read_parquet(paths.validated_series)
    for key, spec in specs.items():
        require_known(f"tables.{key}.series", spec["series"], series["series"], "series", "data/raw/series.csv")

    all_cells = cells(derived, series, specs, paths)
    tables = {
        spec["number"]: build_table(
            spec["number"], spec, all_cells.filter(pl.col("table_id") == spec["number"]).to_dicts()
        )
        for spec in specs.values()
    }
    tidy = _flat(tidy_figures(derived, series))  # the same columns in the parquet, the CSV and the workbook

    with staged_outputs() as out:
        for number, table in tables.items():
            stem = table_file_stem(number)
            out.write_text(paths.tables / f"{stem}.csv", to_csv(table))
            out.write_text(paths.tables / f"{stem}.md", to_markdown(table))
            out.write_text(
                paths.tables / f"{stem}.json", json.dumps(table, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
            )
        tidy.write_parquet(out.path(paths.data_out / "keyfigures.parquet"))
        fmt.spreadsheet_safe_frame(tidy).write_csv(out.path(paths.data_out / "keyfigures.csv"))
        metrics.write(out, paths, "keyfigures", metrics.keyfigures(c for t in tables.values() for c in t["cells"]))


if __name__ == "__main__":
    stage_main(run, "tables")
