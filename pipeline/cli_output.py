"""The command line's output for programs: JSON and CSV on stdout, for what has no output
file of that format to print as it is."""

from __future__ import annotations

import csv
import io
import json
import sys


def print_json(value) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def print_csv(records: list[dict]) -> None:
    """Rows of dicts as CSV, every key a column (in order of first appearance); text that a
    spreadsheet would run as a formula is neutralised, as in the CSV outputs."""
    from pipeline import fmt

    columns = list(dict.fromkeys(k for r in records for k in r))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([fmt.spreadsheet_safe(_csv_value(record.get(c))) for c in columns])
    sys.stdout.write(buffer.getvalue())


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value
