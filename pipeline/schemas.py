"""Schemas: the raw file formats and the pandera rules every ingested row must pass.

One place for both, so the README's format description, the ingest's header check and the
validation agree. Checks run on a frame that holds each raw field twice: as typed by
sql/stg_*.sql (`value`) and as written (`value_text`), so a field that does not parse is
reported with the text the analyst typed."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import polars as pl

from pipeline import fmt

# Column order is the documented order; files must have exactly these columns (any order).
RELEASE_COLUMNS = (
    "series",
    "reference_year",
    "value",
    "months_covered",
    "period_end",
    "count_date",
    "kind",
    "unit",
    "status",
    "publisher",
    "publication",
    "published",
    "reported_by",
    "url",
    "note",
)
# Optional dimensions for monthly and regional series: a row with a `month` is the figure for
# that month alone; rows with a `region` are parts of the national figure. The ingest stage
# sums them to national years (sql/int_keyfigures_aggregated_to_country_year.sql).
# `exceptional`: why the release marks the year as exceptional (the 2017 gang conflict), so
# that fits to earlier years can leave it out (params.yaml extrapolation.leave_out_exceptional).
OPTIONAL_RELEASE_COLUMNS = ("month", "region", "exceptional")
PUBLISHED_COLUMNS = (
    "publication",
    "table_id",
    "location",
    "series",
    "reference_year",
    "measure",
    "value",
    "printed",
)
SERIES_COLUMNS = (
    "series",
    "country",
    "label_da",
    "unit",
    "kind",
    "concept",
    "integer",
    "definition_da",
    "definition_source",
)
# The largest national figure of a series that is plausible at all (an order of magnitude
# above anything recorded); a figure above it is refused with the limit named. Blank: none.
OPTIONAL_SERIES_COLUMNS = ("plausible_max",)

STATEMENT_COLUMNS = (
    "statement_id",
    "publication",
    "location",
    "quote",
    "operation",
    "series",
    "years",
    "operands",
    "printed",
    "printed_upper",
    "decimals",
    "note",
)
OPERATIONS = (
    "change",
    "percent_change",
    "mean",
    "monthly_mean",
    "year_to_year_change_range",
    "same_period_pair",
    "ratio_to_mean",
    "equal",
    "sum",
)

PUBLICATION_COLUMNS = ("publication", "published", "data_cutoff", "method", "note")
# The extrapolation methods a publication can declare (pipeline/methods.py holds them).
PUBLICATION_METHODS = ("linear", "seasonal_share", "trend")

NOTIFICATION_COLUMNS = ("item", "parent", "value", "approximate", "label_da", "publication", "location", "quote")

KINDS = ("flow", "stock")
STATUSES = ("preliminary", "final")
MEASURES = ("observed", "full_year_estimate", "monthly_mean", "missing")

# A number as typed in a raw file: digits, optionally '.' between groups of exactly three
# (Danish thousands separator) and ',' before decimals. "1.52" and "1.5.20" do not match:
# they are ambiguous or malformed, and are refused rather than read as 1,52. Digits are
# ASCII ([0-9]): polars' \d also takes other scripts' digits, which DuckDB's casts do not.
# At most 15 digits before the decimal comma (every whole number up to that is exact in the
# floating point the pipeline computes in) and 6 after: a 400-digit value is refused, not
# read as infinity.
MAX_WHOLE_DIGITS, MAX_DECIMALS = 15, 6
NUMBER_PATTERN = r"^-?([0-9]{1,3}(\.[0-9]{3}){1,4}|[0-9]{1,15})(,[0-9]{1,6})?$"
YEAR_PATTERN = r"^-?[0-9]{1,6}$"
MONTHS_PATTERN = r"^-?[0-9]{1,3}$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
PUBLISHED_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"

FIRST_PLAUSIBLE_YEAR = 1900
LAST_PLAUSIBLE_YEAR = 2100


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


# The rows that make up one national yearly figure of a release, and one region's part of it.
_NATION_KEY = ["release_id", "series", "reference_year"]
_REGION_KEY = [*_NATION_KEY, "region"]


def _duplicated(*keys: str) -> pl.Expr:
    # nulls compare equal here: two stocks without months, or two undated releases, still collide
    return pl.struct(*keys).is_duplicated() & pl.col("series").is_not_null() & pl.col("reference_year").is_not_null()


# Text that a spreadsheet would run as a formula, or that a browser would run as markup, is
# refused at the door; outputs escape and neutralise as well (defence in depth).
FORMULA_START = fmt.FORMULA_START.pattern
# a tag, or a character entity ("&amp;"), which charts and HTML would decode
MARKUP = r"<\s*[A-Za-z/!?]|&#?[A-Za-z0-9]+;"
# Long enough for a quoted paragraph; a field longer than this is a paste gone wrong.
MAX_TEXT = 2000


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


NOT_A_NUMBER = (
    "is not a number in the documented format (digits; '.' only between groups of three "
    "as thousands separator, e.g. 1.520; ',' before decimals; at most "
    f"{MAX_WHOLE_DIGITS} digits before the comma and {MAX_DECIMALS} after)"
)

release_figures = Schema(
    {
        "series": Column(
            pl.Utf8,
            nullable=False,
            checks=_rule(
                pl.col("series_kind").is_not_null() | pl.col("series").is_null(),
                "is not a series id listed in data/raw/series.csv",
                "known_series",
            ),
        ),
        "reference_year_text": _text(
            "reference_year_text", YEAR_PATTERN, "is not a year (four digits)", True, "year_format"
        ),
        "reference_year": Column(
            pl.Int64,
            nullable=True,
            checks=[
                _between(
                    "reference_year",
                    FIRST_PLAUSIBLE_YEAR,
                    LAST_PLAUSIBLE_YEAR,
                    f"is not a plausible year ({FIRST_PLAUSIBLE_YEAR}–{LAST_PLAUSIBLE_YEAR})",
                    "plausible_year",
                ),
                _rule(
                    ~_duplicated("release_id", "series", "reference_year", "month", "region", "count_date"),
                    "repeats a series and year (and month and region) already in this release",
                    "unique_in_release",
                    across_rows=True,
                ),
            ],
        ),
        "value_text": _text("value_text", NUMBER_PATTERN, NOT_A_NUMBER, True, "number_format"),
        "value": Column(
            pl.Float64,
            nullable=True,
            checks=[
                _rule(pl.col("value") >= 0, "is negative; counts and amounts cannot be", "non_negative"),
                _rule(
                    ~pl.col("series_integer") | (pl.col("value") == pl.col("value").floor()),
                    "is fractional, but this series counts whole units (series.csv: integer)",
                    "whole_number",
                ),
            ],
        ),
        "month_text": _text("month_text", MONTHS_PATTERN, "is not a month number", False, "month_format"),
        "month": Column(
            pl.Int64,
            nullable=True,
            checks=[
                _between("month", 1, 12, "is not a month (1–12)", "month_in_range"),
                _rule(
                    (pl.col("kind") != "stock") | pl.col("month").is_null(),
                    "is set for a stock; a stock is a head-count on its count_date",
                    "stock_has_no_month",
                ),
                _rule(
                    pl.col("months_covered_text").is_null() | pl.col("month").is_null(),
                    "is set together with months_covered; a monthly row covers its month only",
                    "month_or_months_covered",
                ),
                # each window rule groups the rows once (one `over`): at millions of rows the
                # grouping, not the comparison, is what costs
                _rule(
                    pl.col("month").is_null()
                    | ((pl.col("month").max() - pl.col("month").n_unique()).over(_REGION_KEY) == 0),
                    "leaves a gap: the months of a figure must run from January without gaps",
                    "months_from_january",
                    across_rows=True,
                ),
                _rule(
                    pl.col("month").is_null().n_unique().over(_REGION_KEY) == 1,
                    "mixes monthly rows and a row without a month for the same figure",
                    "monthly_or_not",
                    across_rows=True,
                ),
                _rule(
                    pl.col("month").is_null()
                    | (pl.col("month").n_unique().over(_REGION_KEY).n_unique().over(_NATION_KEY) == 1),
                    "covers other months in this region than in the figure's other regions",
                    "same_months_in_every_region",
                    across_rows=True,
                ),
            ],
        ),
        "region": Column(
            pl.Utf8,
            nullable=True,
            checks=[
                *safe_text("region"),
                _rule(
                    pl.col("region").is_null().n_unique().over(_NATION_KEY) == 1,
                    "mixes regional rows and a national row for the same figure",
                    "regional_or_not",
                    across_rows=True,
                ),
            ],
        ),
        "months_covered_text": _text(
            "months_covered_text", MONTHS_PATTERN, "is not a whole number of months", False, "months_format"
        ),
        "months_covered": Column(
            pl.Int64,
            nullable=True,
            checks=[
                _between("months_covered", 1, 12, "must be between 1 and 12", "months_in_range"),
                _rule(
                    (pl.col("kind") != "flow")
                    | pl.col("months_covered_text").is_not_null()
                    | pl.col("month_text").is_not_null(),
                    "is blank; a flow must state how many months (from January) it covers, or its month",
                    "flow_has_months",
                ),
                _rule(
                    (pl.col("kind") != "stock") | pl.col("months_covered_text").is_null(),
                    "is set for a stock; a stock is a head-count on a date, never a "
                    "partial-year flow: leave months_covered blank and give count_date",
                    "stock_not_partial_flow",
                ),
            ],
        ),
        "period_end_text": Column(
            pl.Utf8,
            nullable=True,
            checks=[
                _matches("period_end_text", DATE_PATTERN, "is not a date (YYYY-MM-DD)", "date_format"),
                _real_date("period_end"),
            ],
        ),
        "period_end": Column(
            pl.Date,
            nullable=True,
            checks=[
                _rule(
                    pl.col("period_end").dt.year() == pl.col("reference_year"),
                    "ends the period outside the reference year",
                    "period_end_in_year",
                ),
                _rule(
                    pl.col("period_end").dt.month() == pl.col("months_covered"),
                    "is not in the last month covered (months_covered)",
                    "period_end_in_last_month",
                ),
                _rule(
                    (pl.col("kind") != "stock") | pl.col("period_end").is_null(),
                    "is set for a stock; a stock has a count_date, not a period",
                    "stock_has_no_period",
                ),
            ],
        ),
        "count_date_text": Column(
            pl.Utf8,
            nullable=True,
            checks=[
                _matches("count_date_text", DATE_PATTERN, "is not a date (YYYY-MM-DD)", "date_format"),
                _real_date("count_date"),
            ],
        ),
        "count_date": Column(
            pl.Date,
            nullable=True,
            checks=_rule(
                pl.col("count_date").dt.year() == pl.col("reference_year"),
                "lies outside the reference year",
                "count_date_in_year",
            ),
        ),
        "kind": Column(
            pl.Utf8,
            nullable=False,
            checks=[
                _one_of("kind", KINDS, "must be 'flow' or 'stock'", "kind_values"),
                _rule(
                    pl.col("kind") == pl.col("series_kind"),
                    "disagrees with the series' kind in data/raw/series.csv",
                    "kind_matches_series",
                ),
            ],
        ),
        "unit": Column(
            pl.Utf8,
            nullable=False,
            checks=_rule(
                pl.col("unit") == pl.col("series_unit"),
                "disagrees with the series' unit in data/raw/series.csv",
                "unit_matches_series",
            ),
        ),
        "status": Column(
            pl.Utf8,
            nullable=False,
            checks=_one_of("status", STATUSES, "must be 'preliminary' or 'final'", "status_values"),
        ),
        "publisher": Column(pl.Utf8, nullable=False, checks=safe_text("publisher")),
        "publication": Column(pl.Utf8, nullable=False, checks=safe_text("publication")),
        "reported_by": Column(pl.Utf8, nullable=True, checks=safe_text("reported_by")),
        "url": Column(pl.Utf8, nullable=True, checks=safe_text("url")),
        "note": Column(pl.Utf8, nullable=True, checks=safe_text("note")),
        "exceptional": Column(pl.Utf8, nullable=True, checks=safe_text("exceptional")),
        "published": Column(
            pl.Utf8,
            nullable=True,
            checks=[
                _matches("published", PUBLISHED_PATTERN, "is not YYYY, YYYY-MM or YYYY-MM-DD", "published_format"),
                # the pattern admits "2024-13-45"; the span of days it names must exist
                _rule(
                    ~pl.col("published").str.contains(PUBLISHED_PATTERN) | pl.col("published_start").is_not_null(),
                    "is not a real calendar date",
                    "real_date",
                ),
            ],
        ),
    },
)

# The one rule across release files: checked on these columns of every row of every file
# (pipeline/ingest.py keeps only them, in compact form, while it reads file by file).
# (publisher_key: the publisher in lower case with runs of spaces as one, so that "NSK" and
# "nsk " are the same publisher)
DUPLICATE_RELEASE_KEY = [
    "series",
    "reference_year",
    "month",
    "region",
    "months_covered",
    "period_end",
    "count_date",
    "publisher_key",
    "published",
    "status",
]
releases_together = Schema(
    {
        "reference_year": Column(
            pl.Int32,
            nullable=True,
            checks=_rule(
                ~_duplicated(*DUPLICATE_RELEASE_KEY),
                "repeats a figure of another release (same series, year, months, "
                "publisher, publication date and status): a duplicated release?",
                "duplicate_release",
                across_rows=True,
            ),
        ),
    },
)

published_values = Schema(
    {
        "series": Column(
            pl.Utf8,
            nullable=False,
            checks=_rule(pl.col("series_known"), "is not a series id listed in data/raw/series.csv", "known_series"),
        ),
        "reference_year_text": _text(
            "reference_year_text", YEAR_PATTERN, "is not a year (four digits)", True, "year_format"
        ),
        "measure": Column(
            pl.Utf8,
            nullable=False,
            checks=_one_of("measure", MEASURES, f"must be one of {', '.join(MEASURES)}", "measure_values"),
        ),
        "value_text": _text("value_text", NUMBER_PATTERN, NOT_A_NUMBER, False, "number_format"),
        "printed": Column(pl.Utf8, nullable=False, checks=safe_text("printed")),
        "publication": Column(pl.Utf8, nullable=False, checks=safe_text("publication")),
        "location": Column(pl.Utf8, nullable=True, checks=safe_text("location")),
    },
)

statements = Schema(
    {
        "statement_id": Column(pl.Utf8, nullable=False, unique=True),
        "publication": Column(pl.Utf8, nullable=False, checks=safe_text("publication")),
        "location": Column(pl.Utf8, nullable=False, checks=safe_text("location")),
        "quote": Column(pl.Utf8, nullable=False, checks=safe_text("quote")),
        "note": Column(pl.Utf8, nullable=True, checks=safe_text("note")),
        "operation": Column(
            pl.Utf8,
            nullable=False,
            checks=_one_of("operation", OPERATIONS, f"must be one of {', '.join(OPERATIONS)}", "operation_values"),
        ),
        "series": Column(
            pl.Utf8,
            nullable=True,
            checks=_rule(pl.col("series_known"), "names a series not listed in data/raw/series.csv", "known_series"),
        ),
        "years": Column(
            pl.Utf8,
            nullable=True,
            checks=[
                _matches(
                    "years",
                    r"^[0-9]{4}(-[0-9]{4})?(;[0-9]{4}(-[0-9]{4})?)*$",
                    "is not years like 2021;2023 or 2021-2023",
                    "years_format",
                ),
                _rule(
                    ~pl.col("years_backwards"),
                    "has a range whose first year is after its last (write 2021-2023)",
                    "years_ascending",
                ),
            ],
        ),
        "operands": Column(
            pl.Utf8,
            nullable=True,
            checks=_matches(
                "operands",
                r"^-?[0-9]+(,[0-9]+)?(;-?[0-9]+(,[0-9]+)?)*$",
                "is not numbers separated by ';'",
                "operands_format",
            ),
        ),
        "printed_text": _text("printed_text", NUMBER_PATTERN, NOT_A_NUMBER, True, "number_format"),
        "printed_upper_text": _text("printed_upper_text", NUMBER_PATTERN, NOT_A_NUMBER, False, "number_format"),
        "decimals": Column(
            pl.Utf8,
            nullable=False,
            checks=_matches("decimals", r"^-?[0-9]$", "is not a whole number of decimals", "decimals_format"),
        ),
    },
)

notifications = Schema(
    {
        "item": Column(
            pl.Utf8,
            nullable=False,
            unique=True,
            checks=_matches("item", r"^[a-z][a-z0-9_]*$", "is not a lower-case id", "item_id_format"),
        ),
        "parent": Column(
            pl.Utf8,
            nullable=True,
            checks=_rule(
                pl.col("parent").is_in(pl.col("item").implode()) | pl.col("parent").is_null(),
                "is not an item of the same file",
                "known_parent",
                across_rows=True,
            ),
        ),
        "value_text": _text("value_text", NUMBER_PATTERN, NOT_A_NUMBER, True, "number_format"),
        "value": Column(
            pl.Float64,
            nullable=True,
            checks=[
                _rule(pl.col("value") >= 0, "is negative; counts cannot be", "non_negative"),
                _rule(
                    pl.col("value") == pl.col("value").floor(),
                    "is fractional; these are counts of persons",
                    "whole_number",
                ),
            ],
        ),
        "approximate": Column(
            pl.Utf8,
            nullable=False,
            checks=_one_of("approximate", ("true", "false"), "must be 'true' or 'false'", "boolean_values"),
        ),
        "label_da": Column(pl.Utf8, nullable=False, checks=safe_text("label_da")),
        "publication": Column(pl.Utf8, nullable=False, checks=safe_text("publication")),
        "location": Column(pl.Utf8, nullable=False, checks=safe_text("location")),
        "quote": Column(pl.Utf8, nullable=False, checks=safe_text("quote")),
    },
)

publications = Schema(
    {
        "publication": Column(pl.Utf8, nullable=False, unique=True, checks=safe_text("publication")),
        "published": Column(
            pl.Utf8,
            nullable=True,
            checks=[
                _matches("published", PUBLISHED_PATTERN, "is not YYYY, YYYY-MM or YYYY-MM-DD", "published_format"),
                _rule(
                    ~pl.col("published").str.contains(PUBLISHED_PATTERN) | pl.col("published_start").is_not_null(),
                    "is not a real calendar date",
                    "real_date",
                ),
            ],
        ),
        "data_cutoff_text": Column(
            pl.Utf8,
            nullable=False,
            checks=[
                _matches("data_cutoff_text", DATE_PATTERN, "is not a date (YYYY-MM-DD)", "date_format"),
                _real_date("data_cutoff"),
                _rule(
                    pl.col("published_end").is_null()
                    | pl.col("data_cutoff").is_null()
                    | (pl.col("data_cutoff") <= pl.col("published_end")),
                    "lies after the publication appeared",
                    "cutoff_before_publication",
                ),
            ],
        ),
        "method": Column(
            pl.Utf8,
            nullable=False,
            checks=_one_of(
                "method", PUBLICATION_METHODS, f"must be one of {', '.join(PUBLICATION_METHODS)}", "method_values"
            ),
        ),
        "note": Column(pl.Utf8, nullable=True, checks=safe_text("note")),
    },
)

series_metadata = Schema(
    {
        "series": Column(
            pl.Utf8,
            nullable=False,
            unique=True,
            checks=_matches("series", r"^[a-z][a-z0-9_]*$", "is not a lower-case id", "series_id_format"),
        ),
        "country": Column(pl.Utf8, nullable=False),
        "label_da": Column(pl.Utf8, nullable=False, checks=safe_text("label_da")),
        "unit": Column(pl.Utf8, nullable=False, checks=safe_text("unit")),
        "kind": Column(
            pl.Utf8, nullable=False, checks=_one_of("kind", KINDS, "must be 'flow' or 'stock'", "kind_values")
        ),
        "concept": Column(pl.Utf8, nullable=False),
        "integer": Column(
            pl.Utf8,
            nullable=False,
            checks=_one_of("integer", ("true", "false"), "must be 'true' or 'false'", "boolean_values"),
        ),
        "definition_da": Column(pl.Utf8, nullable=False, checks=safe_text("definition_da")),
        "definition_source": Column(pl.Utf8, nullable=False, checks=safe_text("definition_source")),
        "plausible_max_text": _text("plausible_max_text", NUMBER_PATTERN, NOT_A_NUMBER, False, "number_format"),
    },
)


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
