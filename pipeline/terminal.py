"""The command line's output for people: help without type clutter, and tables that fit the
terminal. A table is printed as it is when it fits; turned (columns become rows) when that
fits; otherwise as one block per row. No cell is ever cut: rich wraps text at spaces, and a
layout is only chosen when its narrowest form (each column as wide as its longest word) fits."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

import typer.core
from rich import box
from rich.console import Console, Group
from rich.measure import Measurement
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from pipeline import fmt

# --- help ---------------------------------------------------------------------------------


def _plain(params: list) -> list:
    """Typer prints each parameter's Python type beside it ("<str>", "<bool>"); the help texts
    say what a value is, so only an option's own metavar (FORMAT, PATH) is shown."""
    for param in params:
        param.display_type_rich = lambda ctx, shown=param.metavar: shown
    return params


class Command(typer.core.TyperCommand):
    def get_params(self, ctx):
        return _plain(super().get_params(ctx))


class Group_(typer.core.TyperGroup):
    def get_params(self, ctx):
        return _plain(super().get_params(ctx))


# --- cells --------------------------------------------------------------------------------


def cell(value, key: str = "") -> str:
    """A value from a JSON output as a person reads it: Danish numbers, years as years, '-'
    for none."""
    if value is None:
        return fmt.MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value) if "year" in key else fmt.number(value)
    if isinstance(value, float):
        return fmt.number(value, 0 if value.is_integer() else 2)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


NUMBER = re.compile(r"[−+-]?\d[\d.]*(,\d+)?(\s?%)?|[-–]?")


def numeric(column: Iterable[str]) -> bool:
    """Whether a column holds numbers only (or nothing), to be aligned on the right."""
    return all(NUMBER.fullmatch(text.strip()) for text in column)


def label(key: str) -> str:
    """A JSON key as a column heading: 'mean_absolute_error' -> 'mean absolute error'."""
    return key.replace("_", " ")


# --- tables -------------------------------------------------------------------------------

GAP = 3  # between two columns: a space of padding on each side and the (blank) divider


def _column_ranges(console: Console, header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[tuple[int, int]]:
    """Each column's narrowest width (its longest word) and its natural width (its longest text)."""
    options = console.options.update_width(10_000)
    ranges = []
    for i in range(len(header)):
        measured = [Measurement.get(console, options, Text(text)) for text in (header[i], *(r[i] for r in rows))]
        ranges.append((max(m.minimum for m in measured), max(m.maximum for m in measured)))
    return ranges


def column_widths(console: Console, header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int] | None:
    """Widths that fit the terminal: natural widths if they fit, else every column at least its
    longest word and the room left shared in proportion to what each would still need; None
    if even the narrowest widths do not fit."""
    ranges = _column_ranges(console, header, rows)
    room = console.width - GAP * (len(header) - 1)
    narrowest, natural = sum(lo for lo, _ in ranges), sum(hi for _, hi in ranges)
    if natural <= room:
        return [hi for _, hi in ranges]
    if narrowest > room:
        return None
    spare, wanted = room - narrowest, natural - narrowest
    widths = [lo + (hi - lo) * spare // wanted for lo, hi in ranges]
    for i in sorted(range(len(widths)), key=lambda i: ranges[i][0] - ranges[i][1])[: room - sum(widths)]:
        widths[i] += 1  # what the rounding down left over, to the columns that want most
    return widths


def grid(header: Sequence[str], rows: Iterable[Sequence[str]], widths: Sequence[int]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1), collapse_padding=False)
    rows = [list(row) for row in rows]
    for i, (name, width) in enumerate(zip(header, widths)):
        right = i > 0 and numeric(row[i] for row in rows)
        table.add_column(name, justify="right" if right else "left", width=width, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table


def turned(header: Sequence[str], rows: Sequence[Sequence[str]], corner: str = "") -> tuple[list[str], list[list[str]]]:
    """Columns as rows: the first column's values become the heading."""
    new_header = [corner or header[0], *(row[0] for row in rows)]
    return new_header, [[header[i], *(row[i] for row in rows)] for i in range(1, len(header))]


def blocks(header: Sequence[str], rows: Sequence[Sequence[str]]) -> Group:
    """One block per row: its first cell as the heading, then 'column: value' lines."""
    parts = []
    for row in rows:
        parts.append(Text(row[0], style="bold"))
        for name, value in zip(header[1:], row[1:]):
            parts.append(Padding(Text.assemble((f"{name}: ", "dim"), value), (0, 0, 0, 2)))
    return Group(*parts)


def fitted(console: Console, header: Sequence[str], rows: Sequence[Sequence[str]], corner: str = ""):
    """The table as it is if it fits the terminal, else turned, else as blocks."""
    if widths := column_widths(console, header, rows):
        return grid(header, rows, widths)
    if len(header) > 1 and rows:
        turned_header, turned_rows = turned(header, rows, corner)
        if widths := column_widths(console, turned_header, turned_rows):
            return grid(turned_header, turned_rows, widths)
    return blocks(header, rows)


def said_once(header: Sequence[str], rows: Sequence[Sequence[str]], every: str) -> tuple[list[int], list[str]]:
    """Columns whose text is the same on every row (of two or more): their index, and each as
    one line 'heading, <every>: text' to print once under the table instead of on every row."""
    same = [i for i in range(1, len(header)) if len(rows) > 1 and len({row[i] for row in rows}) == 1 and rows[0][i]]
    return same, [f"{header[i]}, {every}: {rows[0][i]}" for i in same]


def without(columns: Sequence[int], header: Sequence[str], rows: Sequence[Sequence[str]]):
    keep = [i for i in range(len(header)) if i not in set(columns)]
    return [header[i] for i in keep], [[row[i] for i in keep] for row in rows]


def print_table(
    console: Console,
    title: str | None,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    notes: Iterable[str] = (),
    corner: str = "",
) -> None:
    if title:
        console.print(Text(title, style="bold"))
    console.print(fitted(console, header, rows, corner))
    for note in notes:
        if note:
            console.print(Text(note))


def print_records(
    console: Console, title: str, records: list[dict], group_by: Sequence[str] = (), lead: Sequence[str] = ()
) -> None:
    """Dicts (the rows of a JSON output) whatever their keys. Grouped by `group_by` (the keys
    present): each group's heading names them and the values that are the same throughout the
    group; a table holds the rest, the `lead` keys first."""
    console.print(Text(title, style="bold underline"))
    keys = list(dict.fromkeys(k for r in records for k in r))
    by = [k for k in group_by if k in keys]
    groups: dict[tuple, list[dict]] = {}
    for record in records:
        groups.setdefault(tuple(record.get(k) for k in by), []).append(record)
    rest = [k for k in lead if k in keys and k not in by] + [k for k in keys if k not in by and k not in lead]
    constant = [k for k in rest if by and all(len({cell(r.get(k), k) for r in g}) == 1 for g in groups.values())]
    varying = [k for k in rest if k not in constant]
    for key, group in groups.items():
        if by:
            console.print()
            console.print(Text(" ".join(cell(v, k) for k, v in zip(by, key)), style="bold"))
        if constant:
            console.print(
                Padding(Text("; ".join(f"{label(k)}: {cell(group[0].get(k), k)}" for k in constant)), (0, 0, 0, 2))
            )
        if varying:
            rows = [[cell(r.get(k), k) for k in varying] for r in group]
            console.print(fitted(console, [label(k) for k in varying], rows))
