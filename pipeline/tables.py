"""Stage tables: the report's Tables 1.1–1.3 in its layout, and the tidy figures behind them.

Writes, per table, CSV and Markdown in the report's layout (Danish formatting, "-" for a
missing figure, a partial year as "observed (estimate)" with a note) plus a JSON sidecar with
title, note, source and every cell's status; and the tidy figures with their metadata as
CSV and Parquet (outputs/data/)."""

from __future__ import annotations

import json

import polars as pl

from pipeline import db, fmt, metrics, wording
from pipeline.io import staged_outputs
from pipeline.params import load_params, require_known, resolve_years
from pipeline.paths import Paths
from pipeline.stage import stage_main
from pipeline.table_files import table_csv, table_file_stem, table_markdown, table_specs

MONTHS_IN_YEAR = 12


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
    observed = wording.about(_value_text(cell["observed_value"], cell["integer_valued"]), cell.get("approximate"))
    if wording.is_past_partial(cell):
        # an earlier year known in part: its count, and its months ("6 (jan.–jun.)") unless the header names them
        return (
            observed if marker == "header" else f"{observed} ({fmt.months_span(cell['months_covered'], 'abbreviated')})"
        )
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
        and all(_partial(c) for c in figures)
        and len({c["months_covered"] for c in figures}) == 1
    )


def _partial(cell: dict) -> bool:
    """A figure covering part of its year: estimated for the whole year, or (an earlier year)
    shown as counted."""
    return cell["status"] == "estimated" or wording.is_past_partial(cell)


def _group(items, key):
    groups: dict = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def build_table(table_id: str, spec: dict, table_cells: list[dict]) -> dict:
    """One table as header, rows of formatted cells, note, source and cell metadata."""
    marker = spec.get("partial_marker", "asterisk")
    by_year = _group(table_cells, lambda c: c["reference_year"])
    years = sorted(by_year)
    # per year: the months in the header, or an asterisk on each partial cell
    cell_marker = {y: "header" if months_in_header(by_year[y], marker) else "asterisk" for y in years}
    header = [""] + [
        year_header(y, {c["months_covered"] for c in by_year[y] if _partial(c)}, cell_marker[y]) for y in years
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
        "note": wording.notes_under_table(table_cells, starred),
        "source": wording.source_text(table_cells),
        "cells": [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in c.items()} for c in table_cells],
    }


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
            out.write_text(paths.tables / f"{stem}.csv", table_csv(table))
            out.write_text(paths.tables / f"{stem}.md", table_markdown(table))
            out.write_text(
                paths.tables / f"{stem}.json", json.dumps(table, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
            )
        tidy.write_parquet(out.path(paths.data_out / "keyfigures.parquet"))
        fmt.spreadsheet_safe_frame(tidy).write_csv(out.path(paths.data_out / "keyfigures.csv"))
        metrics.write(out, paths, "keyfigures", metrics.keyfigures(c for t in tables.values() for c in t["cells"]))


if __name__ == "__main__":
    stage_main(run, "tables")
