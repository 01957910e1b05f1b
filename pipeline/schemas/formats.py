"""The raw file formats: each kind of file's columns, the values a field may take, and the
patterns a field's text must match (the README's format description, the ingest's header
check, the staging models' typing and the validation rules read them here)."""

from __future__ import annotations

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
# Where and when a figure was read, and how much it weighs (data/raw/README.md, "Sources"):
# `reported_on` is when the source that was read (an article, an answer to the Folketing)
# appeared, a date span like `published`, which stays the original release's date;
# `source_kind` says what kind of source it is (SOURCE_KINDS; blank: by the rule in
# `source_kind_rule`); `supersedes` names the release (file name) this one corrects;
# `approximate` "true" marks a value the source gives as approximate ("ca. 637").
OPTIONAL_RELEASE_COLUMNS = (
    "month",
    "region",
    "exceptional",
    "reported_on",
    "source_kind",
    "supersedes",
    "approximate",
)
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
# `final_for_period`: a count of part of a year that is final for that part (a half-year
# status report's January–June), worded as what it is, "opgjort for januar–juni".
STATUSES = ("preliminary", "final", "final_for_period")
# The kinds of source, most authoritative first (the ranking of releases reads this order):
#   primary  - the publisher's own publication, read there (a press release, a report);
#   official - an official secondary source: a ministry's answer to the Folketing, a
#              council's summary of the police's figures;
#   research - a quote in research (the VIVE report quoting the police's key figures);
#   press    - a quote in the press or on the web.
SOURCE_KINDS = ("primary", "official", "research", "press")
# A stock counted in the first days of the next year ("at the start of 2014") describes the
# year before, and may be given for it with its real date: up to this many days into the next
# year (1–7 January).
NEXT_YEAR_COUNT_DAYS = 7
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
# a count date, like a publication date, may be known to the year, the month or the day
COUNT_DATE_PATTERN = PUBLISHED_PATTERN

FIRST_PLAUSIBLE_YEAR = 1900
LAST_PLAUSIBLE_YEAR = 2100

# Text that a spreadsheet would run as a formula, or that a browser would run as markup, is
# refused at the door; outputs escape and neutralise as well (defence in depth).
FORMULA_START = fmt.FORMULA_START.pattern
# a tag, or a character entity ("&amp;"), which charts and HTML would decode
MARKUP = r"<\s*[A-Za-z/!?]|&#?[A-Za-z0-9]+;"
# Long enough for a quoted paragraph; a field longer than this is a paste gone wrong.
MAX_TEXT = 2000

NOT_A_NUMBER = (
    "is not a number in the documented format (digits; '.' only between groups of three "
    "as thousands separator, e.g. 1.520; ',' before decimals; at most "
    f"{MAX_WHOLE_DIGITS} digits before the comma and {MAX_DECIMALS} after)"
)
