"""Schemas: the raw file formats and the pandera rules every ingested row must pass.

One place for both, so the README's format description, the ingest's header check and the
validation agree. Checks run on a frame that holds each raw field twice: as typed by
sql/stg_*.sql (`value`) and as written (`value_text`), so a field that does not parse is
reported with the text the analyst typed.

The package: the formats (`formats`), how a rule is written (`rules`), and the rules of release
files (`releases`) and of the files they are read with (`reference_files`). Everything is
importable from `pipeline.schemas`."""

from pipeline.schemas.formats import *  # noqa: F403
from pipeline.schemas.reference_files import notifications, publications, published_values, series_metadata, statements
from pipeline.schemas.releases import DUPLICATE_RELEASE_KEY, VALUE_RULES, ValueRule, release_figures, releases_together
from pipeline.schemas.rules import BUILTIN_MESSAGES, Column, Rule, Schema, _rule, check_names, safe_text

__all__ = [
    "BUILTIN_MESSAGES",
    "DUPLICATE_RELEASE_KEY",
    "VALUE_RULES",
    "ValueRule",
    "Column",
    "Rule",
    "Schema",
    "_rule",
    "check_names",
    "notifications",
    "publications",
    "published_values",
    "release_figures",
    "releases_together",
    "safe_text",
    "series_metadata",
    "statements",
]
