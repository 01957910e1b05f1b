"""The rules of release files (data/raw/releases/): every row, and the rows of all files together."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipeline.schemas.formats import (
    COUNT_DATE_PATTERN,
    FIRST_PLAUSIBLE_YEAR,
    KINDS,
    LAST_PLAUSIBLE_YEAR,
    MONTHS_PATTERN,
    NEXT_YEAR_COUNT_DAYS,
    NOT_A_NUMBER,
    NUMBER_PATTERN,
    PUBLISHED_PATTERN,
    SOURCE_KINDS,
    STATUSES,
    YEAR_PATTERN,
)
from pipeline.schemas.rules import (
    Column,
    Rule,
    Schema,
    _between,
    _matches,
    _one_of,
    _rule,
    _text,
    boolean,
    date_checks,
    safe_text,
)


def _named_unless_quoted(column: str) -> Column:
    """`publisher` or `publication` of the original release: required, unless the figure is
    a quote that names neither (`reported_by` says where it was read)."""
    return Column(
        pl.Utf8,
        nullable=True,
        checks=[
            *safe_text(column),
            _rule(
                pl.col(column).is_not_null() | pl.col("reported_by").is_not_null(),
                f"is blank; give the {column}, or, for a quote that does not name it, reported_by",
                f"{column}_or_reported_by",
            ),
        ],
    )


def _date_span_checks(column: str, start: str) -> list[Rule]:
    """A date known to the year, the month or the day (`published`, `reported_on`,
    `count_date`): the pattern, and a span of days that exists (the pattern admits
    "2024-13-45")."""
    text = pl.col(column)
    return [
        _matches(column, PUBLISHED_PATTERN, "is not YYYY, YYYY-MM or YYYY-MM-DD", "date_span_format"),
        _rule(
            ~text.str.contains(PUBLISHED_PATTERN) | pl.col(start).is_not_null(),
            "is not a real calendar date",
            "real_date",
        ),
    ]


@dataclass(frozen=True)
class ValueRule:
    """A rule on a release row's `value`, as data: the least and the most it may be, and
    whether it must be whole in a series that counts whole units (series.csv: integer). Each
    evaluator reads it: the row rule made from it (`rule`: polars, and pandera for the failure
    cases), and the release scan, which decides it on each group of rows' smallest and largest
    value and whether one is fractional (sql/tests/release_groups_break_no_rule.sql reads
    `VALUE_RULES` as the source `release_value_rules`)."""

    name: str
    message: str
    minimum: float | None = None
    maximum: float | None = None
    whole_in_integer_series: bool = False

    def rule(self) -> Rule:
        value = pl.col("value")
        conditions = [
            *([value >= self.minimum] if self.minimum is not None else []),
            *([value <= self.maximum] if self.maximum is not None else []),
            *([~pl.col("series_integer") | (value == value.floor())] if self.whole_in_integer_series else []),
        ]
        return _rule(pl.all_horizontal(conditions) if len(conditions) > 1 else conditions[0], self.message, self.name)


# A new rule on a value is a line here.
VALUE_RULES = (
    ValueRule("non_negative", "is negative; counts and amounts cannot be", minimum=0),
    ValueRule(
        "whole_number",
        "is fractional, but this series counts whole units (series.csv: integer)",
        whole_in_integer_series=True,
    ),
)


# The rows that make up one national yearly figure of a release, and one region's part of it.
_NATION_KEY = ["release_id", "series", "reference_year"]
_REGION_KEY = [*_NATION_KEY, "region"]


def _duplicated(*keys: str) -> pl.Expr:
    # nulls compare equal here: two stocks without months, or two undated releases, still collide
    return pl.struct(*keys).is_duplicated() & pl.col("series").is_not_null() & pl.col("reference_year").is_not_null()


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
        "value": Column(pl.Float64, nullable=True, checks=[r.rule() for r in VALUE_RULES]),
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
                *date_checks("period_end"),
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
                _matches(
                    "count_date_text", COUNT_DATE_PATTERN, "is not YYYY, YYYY-MM or YYYY-MM-DD", "date_span_format"
                ),
                _rule(
                    ~pl.col("count_date_text").str.contains(COUNT_DATE_PATTERN) | pl.col("count_date").is_not_null(),
                    "is not a real calendar date",
                    "real_date",
                ),
            ],
        ),
        "count_date": Column(
            pl.Date,
            nullable=True,
            checks=_rule(
                (pl.col("count_date").dt.year() == pl.col("reference_year"))
                # a count at the very start of the next year describes the year before
                | (
                    (pl.col("count_date_precision") == "day")
                    & (pl.col("count_date").dt.year() == pl.col("reference_year") + 1)
                    & (pl.col("count_date").dt.ordinal_day() <= NEXT_YEAR_COUNT_DAYS)
                ),
                f"lies outside the reference year (a count in the first {NEXT_YEAR_COUNT_DAYS} days of the "
                "next year may describe the year before, given to the day)",
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
            checks=[
                _one_of("status", STATUSES, "must be 'preliminary', 'final' or 'final_for_period'", "status_values"),
                _rule(
                    (pl.col("status") != "final_for_period")
                    | ((pl.col("kind") == "flow") & ~(pl.col("months_covered") >= 12).fill_null(False)),
                    "is 'final_for_period', which is for a flow counted for part of a year "
                    "(months_covered below 12); a full year's count is 'final'",
                    "final_for_period_is_partial",
                ),
            ],
        ),
        # unknown for a quote that names neither, when reported_by says where it was read
        "publisher": _named_unless_quoted("publisher"),
        "publication": _named_unless_quoted("publication"),
        "reported_by": Column(pl.Utf8, nullable=True, checks=safe_text("reported_by")),
        "reported_on": Column(
            pl.Utf8,
            nullable=True,
            checks=[
                *_date_span_checks("reported_on", "reported_on_start"),
                _rule(
                    pl.col("reported_by").is_not_null() | pl.col("reported_on").is_null(),
                    "is set without reported_by; it is when the source named in reported_by appeared",
                    "reported_on_needs_reported_by",
                ),
                _rule(
                    ~(pl.col("reported_on_end") < pl.col("published_start")).fill_null(False),
                    "is before the original release was published (published); a quote cannot precede its source",
                    "reported_after_published",
                ),
            ],
        ),
        "source_kind_text": Column(
            pl.Utf8,
            nullable=True,
            checks=_one_of(
                "source_kind_text", SOURCE_KINDS, f"must be one of {', '.join(SOURCE_KINDS)}", "source_kind_values"
            ),
        ),
        "supersedes": Column(
            pl.Utf8,
            nullable=True,
            checks=[
                *safe_text("supersedes"),
                _rule(
                    pl.col("supersedes") != pl.col("release_id"),
                    "names the release itself; it names the release this one corrects",
                    "supersedes_other",
                ),
            ],
        ),
        "approximate_text": Column(
            pl.Utf8,
            nullable=True,
            checks=boolean("approximate_text"),
        ),
        "url": Column(pl.Utf8, nullable=True, checks=safe_text("url")),
        "note": Column(pl.Utf8, nullable=True, checks=safe_text("note")),
        "exceptional": Column(pl.Utf8, nullable=True, checks=safe_text("exceptional")),
        "published": Column(pl.Utf8, nullable=True, checks=_date_span_checks("published", "published_start")),
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
    # two quotes of one release, read in different places, corroborate; they are no duplicate
    "reported_by",
    "reported_on",
]
releases_together = Schema(
    {
        "reference_year": Column(
            pl.Int32,
            nullable=True,
            checks=_rule(
                ~_duplicated(*DUPLICATE_RELEASE_KEY),
                "repeats a figure of another release (same series, year, months, "
                "publisher, publication date, status and where it was read): a duplicated release?",
                "duplicate_release",
                across_rows=True,
            ),
        ),
    },
)
