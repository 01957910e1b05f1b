"""Danish wording: the one home for words that depend on data.

Everything a reader sees that changes with the data is built here: numbers with one minus
sign, rises and falls, singular and plural, partial and full years, what the data did over a
period, and how a full-year estimate was made (each method in its own words, a fallback said
in Danish). Tables, charts, the report and the audit's Danish text call these functions, so a
sentence is written once and is true for every state of the data.

Only text is built here: no files are read, nothing heavier than pipeline/fmt.py is imported.

A module per concern, from the bottom up: numbers (numbers and the nouns they count), periods
(the part of a year a figure covers), counts (a stock's count dates, counts side by side, an
earlier partial year shown as counted), change (rises, falls, a series over its years), methods
(the extrapolation methods and one estimate's arithmetic), intervals (an estimate's interval
and its assumptions), comparison (the comparison with Sweden over all its years, and the
caveats of a sentence with an interval), sources (publishers, publications, dates and secondary sources, any of
them unknown), table_notes (the note under a table with estimates), sentences (the report's
sentences on one series or several), backtest (the methods against later releases) and verdicts
(the audit's verdicts in Danish, and the
sentence on a printed number that the data at its cut-off do not hold). Callers import this
package as `wording` and
find every name here.
"""

from __future__ import annotations

from pipeline.wording.backtest import (
    SCALE_TEXT,
    case_item,
    cases_from_releases,
    comparison_item,
    counted_n,
    coverage_clause,
    group_sentence,
    headline_lead,
    part_of_year,
    printed_sentence,
    recommendation_sentence,
    revision_item,
    revisions_sentence,
    signed,
    signed_percent,
    unscored_item,
)
from pipeline.wording.change import (
    STABLE_WITHIN,
    change_phrase,
    change_verb,
    development,
    more_or_fewer,
    times_as_many,
)
from pipeline.wording.comparison import (
    HOMOGENEITY_TESTS,
    POOLED_INTERVALS,
    caveats,
    homogeneity_sentence,
    p_value_text,
    pooled_method_note,
    pooled_sentence,
    pooled_summary,
    with_caveats,
)
from pipeline.wording.counts import (
    UNDATED,
    counted_on,
    counts_of_year_sentence,
    observed_part,
    other_count_sentence,
    past_partial_sentence,
    same_count_date,
)
from pipeline.wording.intervals import (
    INTERVAL_DESCRIPTIONS,
    PARTIAL_YEAR_MODES,
    RATE_INTERVALS,
    RATIO_INTERVALS,
    _variation_clause as _variation_clause,  # tested on its own
    comparison_interval_text,
    interval_assumptions,
    interval_caveat,
    interval_description,
    interval_range,
    interval_text,
)
from pipeline.wording.methods import (
    METHOD_DESCRIPTIONS,
    METHOD_NAMES,
    METHOD_TITLES,
    REASONS,
    UNKNOWN_REASON,
    Method,
    computation,
    fallback_sentence,
    how_estimated,
    method_description,
    method_name,
    method_sentence,
    method_title,
    parse_method,
    reason_text,
)
from pipeline.wording.numbers import (
    FORMS,
    MINUS,
    WordingError,
    _decimals as _decimals,  # tested on its own
    about,
    counted,
    forms,
    listing,
    noun,
    number,
    percent,
    series_noun,
    unit_text,
)
from pipeline.wording.periods import (
    MONTHS_IN_YEAR,
    count_date_text,
    months_of,
    months_text,
    period_end_of,
    period_text,
    rest_of_year,
    the_months,
)
from pipeline.wording.sentences import (
    SMALL_COUNT,
    Figure,
    counts_listing,
    from_to_sentence,
    latest_counts_sentence,
    partial_year_sentence,
    small_numbers_sentence,
)
from pipeline.wording.sources import (
    NO_COUNT_DATE,
    UNDATED_PUBLICATION,
    UNKNOWN_PUBLISHER,
    WHY_USED,
    cited_publisher,
    count_date_phrase,
    found_in,
    labelled,
    provenance,
    published_text,
    published_when,
    published_year,
    publisher_genitive,
    publisher_text,
    read_in,
    read_in_text,
    read_where,
    secondary_source,
    source_listing,
    table_reference,
)
from pipeline.wording.table_notes import (
    ESTIMATES_IN_OWN_CELLS,
    ESTIMATES_IN_PARENTHESES,
    count_date_note,
    is_past_partial,
    notes_under_table,
    past_partial_note,
    source_text,
    table_note,
)
from pipeline.wording.verdicts import (
    VERDICT_NAMES,
    VERDICT_NAMES_PLURAL,
    data_differs_sentence,
    verdict_name,
)

__all__ = [
    # backtest
    "SCALE_TEXT",
    "case_item",
    "cases_from_releases",
    "comparison_item",
    "counted_n",
    "coverage_clause",
    "group_sentence",
    "headline_lead",
    "part_of_year",
    "printed_sentence",
    "recommendation_sentence",
    "revision_item",
    "revisions_sentence",
    "signed",
    "signed_percent",
    "unscored_item",
    "WHY_USED",
    "read_where",
    # numbers
    "FORMS",
    "about",
    "MINUS",
    "WordingError",
    "counted",
    "forms",
    "listing",
    "noun",
    "number",
    "percent",
    "series_noun",
    "unit_text",
    # periods
    "MONTHS_IN_YEAR",
    "count_date_text",
    "months_of",
    "months_text",
    "period_end_of",
    "period_text",
    "rest_of_year",
    "the_months",
    # counts
    "UNDATED",
    "counted_on",
    "counts_of_year_sentence",
    "observed_part",
    "other_count_sentence",
    "past_partial_sentence",
    "same_count_date",
    # change
    "STABLE_WITHIN",
    "change_phrase",
    "change_verb",
    "development",
    "more_or_fewer",
    "times_as_many",
    # methods
    "METHOD_DESCRIPTIONS",
    "METHOD_NAMES",
    "METHOD_TITLES",
    "REASONS",
    "UNKNOWN_REASON",
    "Method",
    "computation",
    "fallback_sentence",
    "how_estimated",
    "method_description",
    "method_name",
    "method_sentence",
    "method_title",
    "parse_method",
    "reason_text",
    # comparison
    "HOMOGENEITY_TESTS",
    "POOLED_INTERVALS",
    "caveats",
    "homogeneity_sentence",
    "p_value_text",
    "pooled_method_note",
    "pooled_sentence",
    "pooled_summary",
    "with_caveats",
    # intervals
    "INTERVAL_DESCRIPTIONS",
    "PARTIAL_YEAR_MODES",
    "RATE_INTERVALS",
    "RATIO_INTERVALS",
    "comparison_interval_text",
    "interval_assumptions",
    "interval_caveat",
    "interval_description",
    "interval_range",
    "interval_text",
    # sources
    "NO_COUNT_DATE",
    "UNDATED_PUBLICATION",
    "UNKNOWN_PUBLISHER",
    "cited_publisher",
    "count_date_phrase",
    "found_in",
    "labelled",
    "provenance",
    "published_text",
    "published_when",
    "published_year",
    "publisher_genitive",
    "publisher_text",
    "read_in",
    "read_in_text",
    "secondary_source",
    "source_listing",
    "table_reference",
    # table notes
    "ESTIMATES_IN_OWN_CELLS",
    "ESTIMATES_IN_PARENTHESES",
    "table_note",
    "notes_under_table",
    "count_date_note",
    "is_past_partial",
    "past_partial_note",
    "source_text",
    # sentences
    "SMALL_COUNT",
    "Figure",
    "counts_listing",
    "from_to_sentence",
    "latest_counts_sentence",
    "partial_year_sentence",
    "small_numbers_sentence",
    # verdicts
    "VERDICT_NAMES",
    "VERDICT_NAMES_PLURAL",
    "data_differs_sentence",
    "verdict_name",
]
