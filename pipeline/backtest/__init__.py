"""Backtest: every extrapolation method, and its predictive distribution, against what later
releases showed.

A case is a figure (series, year) with a partial-year release and a later final full-year
release, from every vintage in data/raw/. Each method's estimate from the earlier release, its
interval and the predictive distribution behind it (pipeline.uncertainty.full_year_cdf) are
set against the final count. Every method is scored on every case it can score; no case is
dropped because another method cannot score it.

Scores, per case (Gneiting & Raftery 2007; Czado, Gneiting & Held 2009):
- the error (estimate minus final count) and its absolute value, in counts;
- the ranked probability score of the predictive distribution of the full-year count (for a
  method without a distribution, the absolute error: the score of a point forecast);
- the interval score of the prediction interval, and whether it held the final count;
- the probability integral transform (PIT) of the final count, for calibration;
- each of them scaled by how much the series moves from one full year to the next (the mean
  absolute change between consecutive final full years, the yardstick of Hyndman & Koehler's
  scaled errors), so that sigtelser (thousands) and the killed (units) can be averaged, and a
  final count of 0 is no problem, as it is for an error in percent.

Cases from one release are not independent (a release that comes early misses every series
alike): every uncertainty counts releases, not cases. Summaries are per method and part of
the year covered (cases.py, summary.py); the headline is the method the tables use
(params.yaml extrapolation.method), on all its cases. Methods are compared pairwise on the
cases both score, by a sign test over releases; a method is recommended only when those
comparisons tell it apart from every other. A preliminary full-year count is not a forecast:
it is listed as a revision, never scored."""

from __future__ import annotations

import polars as pl

from pipeline.backtest.cases import CASE, cases, finals, period_day, revisions, scales
from pipeline.backtest.summary import comparisons, coverage_verdict, recommendation, releases_needed, summary

__all__ = [
    "CASE",
    "cases",
    "comparisons",
    "coverage_verdict",
    "finals",
    "headline",
    "period_day",
    "printed",
    "recommendation",
    "releases_needed",
    "report",
    "revisions",
    "scales",
    "summary",
]


def headline(scored: pl.DataFrame, scores: pl.DataFrame, table_method: str) -> dict:
    """The method the tables use, on all its cases, by part of the year covered: its summary
    and the cases beside it, and the cases it could not score with why."""
    own = scored.filter(pl.col("method") == table_method) if scored.height else scored
    return {
        "method": table_method,
        "groups": scores.filter(pl.col("method") == table_method).to_dicts(),
        "cases": own.filter(pl.col("estimate").is_not_null()).to_dicts() if own.height else [],
        "unscored": own.filter(pl.col("estimate").is_null()).to_dicts() if own.height else [],
    }


def printed(estimates: pl.DataFrame, cases: list[dict], table_method: str) -> list[dict]:
    """The parts of the year the tables' estimates are extrapolated from, each with the
    tables' method's cases extrapolated from as few months or fewer: only those speak to how
    well the printed estimates hit (a case from 15 December says little about one from
    September). `estimates`: the tables' estimates, with `months` and `period_end_day`."""
    own = estimates.filter(pl.col("method") == table_method) if estimates.height else estimates
    out = []
    for group in own.select("months", "period_end_day").unique().sort("months").iter_rows(named=True):
        figures = own.filter(
            (pl.col("months") == group["months"]) & pl.col("period_end_day").eq_missing(group["period_end_day"])
        ).sort("series", "reference_year")
        early = [c for c in cases if c["months"] <= group["months"]]
        out.append(
            group
            | {
                "figures": figures.select("series", "reference_year").to_dicts(),
                "cases": len(early),
                "releases": len({c["release_id"] for c in early}),
            }
        )
    return out


def report(
    derived: pl.DataFrame,
    estimates: pl.DataFrame,
    level: float,
    table_method: str = "linear",
    tables: pl.DataFrame | None = None,
) -> dict:
    """The backtest as the audit, its JSON and `noegletal backtest` give it. `tables`: the
    estimates the tables print (with `months`, `period_end_day`), if any."""
    scored = cases(derived, estimates, level)
    scores = summary(scored, level, table_method)
    pairs = comparisons(scored, level)
    head = headline(scored, scores, table_method)
    head["printed"] = printed(tables, head["cases"], table_method) if tables is not None else []
    return {
        "table_method": table_method,
        "headline": head,
        "cases": scored.to_dicts(),
        "summary": scores.to_dicts(),
        "comparisons": pairs,
        "recommendation": recommendation(pairs, level),
        "revisions": revisions(derived).to_dicts(),
        "nominal_level": level,
    }
