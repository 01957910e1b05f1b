"""Stage tables: the report's Tables 1.1–1.3 in its layout, and the tidy figures behind them.

Writes, per table, CSV and Markdown in the report's layout (Danish formatting, "-" for a
missing figure, a partial year as "observed (estimate)" with a note) plus a JSON sidecar with
title, note, source and every cell's status; and the tidy figures with their metadata as
CSV and Parquet (outputs/data/)."""

from __future__ import annotations

import csv
import io
import json

import polars as pl

from pipeline import db, fmt, wording
from pipeline.io import staged_outputs
from pipeline.params import load_params
from pipeline.paths import Paths
from pipeline.stage import stage_main

MONTHS_IN_YEAR = 12


def table_file_stem(table_id: str) -> str:
    return "table_" + table_id.replace(".", "_")


def layout_frame(table_params: dict) -> pl.DataFrame:
    rows = [
        {"table_id": tid, "row_order": i, "series": s, "first_year": spec["first_year"]}
        for tid, spec in table_params.items()
        for i, s in enumerate(spec["series"])
    ]
    return pl.DataFrame(rows, schema={"table_id": pl.Utf8, "row_order": pl.Int64, "series": pl.Utf8,
                                      "first_year": pl.Int64})


def cells(derived: pl.DataFrame, series: pl.DataFrame, table_params: dict, paths: Paths) -> pl.DataFrame:
    con = db.connect()
    con.register("full_year_figures", derived)
    con.register("series_metadata", series)
    con.register("table_layout", layout_frame(table_params))
    return db.query(con, paths, "fct_keyfigure_tables")


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
    if marker == "header" and len(partial_months) == 1:
        return f"{year} ({fmt.months_span(next(iter(partial_months)), 'abbreviated')})"
    return str(year)


def note_text(table_cells: list[dict], marker: str) -> str | None:
    """The note under a table with estimates: method, assumption and each computation (the
    wording lives in pipeline/wording.py, with every other data-dependent text)."""
    return wording.table_note(table_cells, marker)


def source_text(table_cells: list[dict]) -> str:
    """'Kilde: … nøgletal fra Rigspolitiet 2014, 2015; Nationalt Efterforskningscenter 2018 …'."""
    by_publisher: dict[str, list[str]] = {}
    for c in sorted((c for c in table_cells if c["publisher"]), key=lambda c: (c["published"], c["publisher"])):
        years = by_publisher.setdefault(c["publisher"], [])
        if c["published"] not in years:
            years.append(c["published"])
    listed = "; ".join(f"{p} {', '.join(y)}" for p, y in by_publisher.items())
    return f"Kilde: Tabellen er baseret på nøgletal fra {listed}."


def _group(items, key):
    groups: dict = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def build_table(table_id: str, spec: dict, table_cells: list[dict]) -> dict:
    """One table as header, rows of formatted cells, note, source and cell metadata."""
    marker = spec.get("partial_marker", "asterisk")
    years = sorted({c["reference_year"] for c in table_cells})
    partial = _group([c for c in table_cells if c["status"] == "estimated"], lambda c: c["reference_year"])
    header = [""] + [year_header(y, {c["months_covered"] for c in partial.get(y, [])}, marker) for y in years]
    rows = []
    for _, row_cells in sorted(_group(table_cells, lambda c: c["row_order"]).items()):
        label = row_cells[0]["label_da"] if spec.get("row_labels", True) else ""
        rows.append([label] + [cell_text(c, marker) for c in sorted(row_cells, key=lambda c: c["reference_year"])])
    return {
        "table_id": table_id,
        "title": f"Tabel {table_id} {spec['title']}",
        "header": header,
        "rows": rows,
        "note": note_text(table_cells, marker),
        "source": source_text(table_cells),
        "cells": [
            {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in c.items()}
            for c in table_cells
        ],
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

    lines = [f"**{table['title']}**", "", line(table["header"]),
             "|" + "---|" + "---:|" * (len(table["header"]) - 1)]
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


def run(paths: Paths | None = None) -> None:
    paths = paths or Paths()
    table_params = load_params(paths)["tables"]
    derived = pl.read_parquet(paths.derived_figures)
    series = pl.read_parquet(paths.validated_series)

    all_cells = cells(derived, series, table_params, paths)
    tables = {
        tid: build_table(tid, spec, all_cells.filter(pl.col("table_id") == tid).to_dicts())
        for tid, spec in table_params.items()
    }
    tidy = tidy_figures(derived, series)

    with staged_outputs() as out:
        for tid, table in tables.items():
            stem = table_file_stem(tid)
            out.write_text(paths.tables / f"{stem}.csv", to_csv(table))
            out.write_text(paths.tables / f"{stem}.md", to_markdown(table))
            out.write_text(paths.tables / f"{stem}.json",
                           json.dumps(table, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
        tidy.write_parquet(out.path(paths.data_out / "keyfigures.parquet"))
        fmt.spreadsheet_safe_frame(tidy).write_csv(out.path(paths.data_out / "keyfigures.csv"))


if __name__ == "__main__":
    stage_main(run, "tables")
