"""The rules of the raw files releases are read with or compared against: series metadata,
publications, the values they printed, their statements and the notifications' reach."""

from __future__ import annotations

import polars as pl

from pipeline.schemas.formats import (
    KINDS,
    MEASURES,
    NOT_A_NUMBER,
    NUMBER_PATTERN,
    OPERATIONS,
    PUBLICATION_METHODS,
    PUBLISHED_PATTERN,
    YEAR_PATTERN,
)
from pipeline.schemas.rules import Column, Schema, _matches, _one_of, _rule, _text, boolean, date_checks, safe_text

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
            checks=boolean("approximate"),
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
                *date_checks("data_cutoff"),
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
