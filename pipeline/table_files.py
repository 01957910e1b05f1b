"""A table's declaration in params.yaml (`tables:`) and the files it is written to: the
file stem, and the CSV and Markdown layouts the tables stage and the comparison share."""

from __future__ import annotations

import csv
import io
import re

from pipeline import fmt
from pipeline.params import ParamsError, year_choice


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


def table_csv(table: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([fmt.spreadsheet_safe(c) for c in table["header"]])
    writer.writerows([fmt.spreadsheet_safe(c) for c in row] for row in table["rows"])
    return buffer.getvalue()


def table_markdown(table: dict) -> str:
    def line(cells):
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    lines = [f"**{table['title']}**", "", line(table["header"]), "|" + "---|" + "---:|" * (len(table["header"]) - 1)]
    lines += [line(r) for r in table["rows"]]
    lines.append("")
    if table["note"]:
        lines += [table["note"], ""]
    lines.append(table["source"])
    return "\n".join(lines) + "\n"
