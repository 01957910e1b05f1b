"""The data as a publication had it: which releases had appeared by its data cut-off, and the
figures ranked and extrapolated from those alone."""

from __future__ import annotations

import polars as pl

from pipeline.paths import Paths

BEFORE, AFTER, UNCERTAIN = "before", "after", "uncertain"


def availability(cutoff) -> pl.Expr:
    """Whether a figure had appeared by a publication's data cut-off: `before` when its
    publication date (a span of days) ends by the cut-off, `after` when it begins later,
    `uncertain` when the date is unknown or the span straddles the cut-off. An uncertain
    figure is taken as available, and the audit lists it. Decided figure by figure: one file
    may gather figures published on different dates."""
    return (
        pl.when(pl.col("published_end") <= cutoff)
        .then(pl.lit(BEFORE))
        .when(pl.col("published_start") > cutoff)
        .then(pl.lit(AFTER))
        .otherwise(pl.lit(UNCERTAIN))
    )


class View:
    """The figures as one vintage of the data saw them: every release in `derived`, and the
    ones the tables would select."""

    def __init__(self, derived: pl.DataFrame, publication: dict | None = None):
        self.derived = derived
        self.selected = derived.filter(pl.col("selected"))
        self.publication = publication

    @property
    def name(self) -> str | None:
        return self.publication["publication"] if self.publication else None

    def figure(self, series: str, year: int) -> dict | None:
        rows = self.selected.filter((pl.col("series") == series) & (pl.col("reference_year") == year))
        return rows.row(0, named=True) if rows.height else None


def as_of(figures: pl.DataFrame, publication: dict, params: dict, paths: Paths) -> tuple[View, pl.DataFrame]:
    """The data as a publication had it: only the releases that had appeared by its data
    cut-off, ranked and extrapolated as then, by the method the publication used. Returns the
    view and each release's availability."""
    cutoff = publication["data_cutoff"]
    marked = figures.with_columns(availability(cutoff).alias("availability"))
    known = marked.filter(pl.col("availability") != AFTER).drop("availability")
    # per release, each availability its figures have (a file of mixed dates is in several)
    releases = (
        marked.select("release_id", "published", "availability")
        .unique()
        .sort("release_id", "availability", "published", nulls_last=True)
    )
    settings = {**(params.get("extrapolation") or {}), "method": publication["method"]}
    from pipeline import extrapolate  # here, not at the top: the report imports this package for its rounding

    derived = extrapolate.extrapolate(known, settings, paths, extrapolate.stock_count(params))
    return View(derived, publication), releases
