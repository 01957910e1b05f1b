"""How a rule is written: a rule is a polars expression that must hold on every row, with
its name and its message; a column has a type, may be blank or must be unique, and has rules;
a schema is the columns of one table. pipeline/validate.py evaluates the rules (one pass of
polars, pandera for the failure cases); pipeline/release_scan.py decides them on groups of
rows."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import polars as pl

from pipeline import fmt
from pipeline.schemas.formats import DATE_PATTERN, FORMULA_START, MARKUP, MAX_TEXT


@dataclass(frozen=True)
class Rule:
    """A row rule: `passes` must be true (or null, when an input it needs is missing).

    `across_rows`: the verdict on a row depends on other rows too (a window or a duplicate
    check), so the rule cannot be decided on distinct values alone."""

    passes: pl.Expr
    message: str
    name: str
    across_rows: bool = False


class Column:
    """A column's type, whether it may be blank or must be unique, and its rules."""

    def __init__(self, dtype, checks: Rule | list[Rule] = (), nullable: bool = False, unique: bool = False):
        self.dtype = dtype
        self.checks = [checks] if isinstance(checks, Rule) else list(checks)
        self.nullable = nullable
        self.unique = unique


class Schema:
    """The rules of one table. pipeline/validate.py evaluates them all as polars expressions
    in one pass; only when one fails does it build the pandera schema (`pandera`), whose
    failure cases name each failing row. pandera is imported only then: importing it costs
    more than validating the shipped data."""

    def __init__(self, columns: dict[str, Column]):
        self.columns = columns

    @functools.cached_property
    def pandera(self):
        import pandera.polars as pa

        def check(rule: Rule):
            return pa.Check(lambda data: data.lazyframe.select(rule.passes), error=rule.message, name=rule.name)

        return pa.DataFrameSchema(
            {
                name: pa.Column(c.dtype, checks=[check(r) for r in c.checks], nullable=c.nullable, unique=c.unique)
                for name, c in self.columns.items()
            },
            strict=False,
        )


def _rule(expr: pl.Expr, message: str, name: str, across_rows: bool = False) -> Rule:
    """Every check is a rule with its polars expression, also those pandera has built in, so
    that all of a table's rules can run together."""
    return Rule(expr.fill_null(True), message, name, across_rows)


def _matches(column: str, pattern: str, message: str, name: str) -> Rule:
    return _rule(pl.col(column).str.contains(pattern), message, name)


def _one_of(column: str, values, message: str, name: str) -> Rule:
    return _rule(pl.col(column).is_in(list(values)), message, name)


def _between(column: str, low, high, message: str, name: str) -> Rule:
    return _rule(pl.col(column).is_between(low, high), message, name)


def _text(column: str, pattern: str, message: str, required: bool, name: str) -> Column:
    return Column(pl.Utf8, checks=[_matches(column, pattern, message, name)], nullable=not required)


def _real_date(column: str) -> Rule:
    """A date in the documented pattern that names no day of the calendar ("2024-02-30") is
    refused, not read as "not stated"."""
    text = pl.col(f"{column}_text")
    return _rule(
        ~text.str.contains(DATE_PATTERN) | pl.col(column).is_not_null(), "is not a real calendar date", "real_date"
    )


def boolean(column: str) -> Rule:
    """A yes/no field as the raw files write it: 'true' or 'false'."""
    return _one_of(column, ("true", "false"), "must be 'true' or 'false'", "boolean_values")


def date_checks(column: str) -> list[Rule]:
    """The checks of a date given as text (`<column>_text`): the documented pattern, and a
    day of the calendar."""
    return [
        _matches(f"{column}_text", DATE_PATTERN, "is not a date (YYYY-MM-DD)", "date_format"),
        _real_date(column),
    ]


def safe_text(column: str) -> list[Rule]:
    col = pl.col(column)
    return [
        _rule(
            ~(col.str.contains(FORMULA_START) & ~col.str.contains(fmt.WHOLE_NUMBER.pattern)),
            "starts like a spreadsheet formula (=, +, -, @); a spreadsheet would run it",
            "no_formula",
        ),
        _rule(
            ~col.str.contains(MARKUP),
            "contains HTML/XML markup ('<' before a letter, or an entity such as &amp;)",
            "no_markup",
        ),
        _rule(
            ~col.str.contains(fmt.INVISIBLE.pattern),
            "holds an invisible character (a direction override, a zero-width or control character) "
            "that would change how the text reads",
            "no_invisible",
        ),
        _rule(col.str.len_chars() <= MAX_TEXT, f"is longer than {MAX_TEXT} characters", "text_length"),
    ]


def check_names(schema: Schema) -> dict[str, str]:
    """pandera reports a failed check by its error message; this maps it back to the name,
    so two different checks must not share a message."""
    names: dict[str, str] = {}
    for column in schema.columns.values():
        for rule in column.checks:
            assert names.setdefault(rule.message, rule.name) == rule.name, rule.message
    return names


# Messages for pandera's own checks, in the words of this project.
BUILTIN_MESSAGES = {
    "not_nullable": "is blank but required",
    "field_uniqueness": "is not unique",
    "column_in_dataframe": "is missing",
    "dtype": "has the wrong type",
}
