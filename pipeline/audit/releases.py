"""Releases of the same figure against each other: where they disagree, the periods they
cover, and what has been revised since each publication."""

from __future__ import annotations

import polars as pl

from pipeline import fmt
from pipeline.audit.records import _cited, _input, _period, _period_text
from pipeline.audit.verdicts import MISMATCH


def with_period(derived: pl.DataFrame) -> pl.DataFrame:
    """Each release with its period as text (`period`): a flow's months, a stock's count date;
    releases of one figure with the same period are rival values of the same thing."""
    return derived.with_columns(
        pl.when(pl.col("kind") == "stock")
        .then(pl.lit("count ") + pl.col("count_date").cast(pl.Utf8).fill_null("undated"))
        .otherwise(pl.lit("months ") + pl.col("months_exposure").round(6).cast(pl.Utf8))
        .alias("period")
    )


class ReleaseChecks:
    """The audit's sections on releases. Part of `Auditor` (pipeline/audit/auditor.py), whose
    `derived`, `published`, `views` and `latest` it reads."""

    def _same_period(self, agree: bool) -> list[pl.DataFrame]:
        """The releases of each figure held by more than one release for the same period (a
        flow's months, a stock's count date), best-ranked first: those that give it one value
        (`agree`), or those that differ."""
        periods = with_period(self.derived)
        key = ["series", "reference_year", "period"]
        counts = periods.group_by(key).agg(
            pl.col("observed_value").n_unique().alias("distinct"), pl.len().alias("releases")
        )
        wanted = counts.filter(
            (pl.col("distinct") == 1) & (pl.col("releases") > 1) if agree else pl.col("distinct") > 1
        ).select(key)
        rows = periods.join(wanted, on=key, how="semi").sort(*key, "vintage_rank")
        return [group for _, group in rows.group_by(key, maintain_order=True)]

    def disagreements(self) -> list[dict]:
        """Every figure held by more than one release for the same period, where they differ.
        Generic over the data: no pair is named in code."""
        out = []
        for rows in self._same_period(agree=False):
            first = rows.row(0, named=True)
            out.append(
                {
                    "figure": f"{first['series']} {first['reference_year']}",
                    "months": first["months_exposure"] if first["kind"] == "flow" else None,
                    "count_date": first["count_date"] if first["kind"] == "stock" else None,
                    "releases": [
                        _input(r) | {"release_status": r["release_status"], "selected": r["selected"]}
                        for r in rows.iter_rows(named=True)
                    ],
                    "verdict": MISMATCH,
                    # quotes of one original release that give it different values: one misquotes
                    "misquote": _quotes_one_original(rows),
                    "used": first["release_id"],
                    "why": _why_first(rows),
                    "reason": "; ".join(
                        f"{_cited(r)}: {fmt.number(r['observed_value'])}" for r in rows.iter_rows(named=True)
                    )
                    + f"; the tables use {first['release_id']} ({WHY_USED[_why_first(rows)]})",
                }
            )
        return out

    def corroborations(self) -> list[dict]:
        """Figures that more than one release gives with the same value for the same period
        (a quote repeating the police's figure): listed, and they never change the figure's
        source, which stays the release ranked first."""
        out = []
        for rows in self._same_period(agree=True):
            first = rows.row(0, named=True)
            out.append(
                {
                    "figure": f"{first['series']} {first['reference_year']}",
                    "value": first["observed_value"],
                    "used": first["release_id"],
                    "why": _why_first(rows),
                    "releases": [
                        _input(r) | {"release_status": r["release_status"]} for r in rows.iter_rows(named=True)
                    ],
                    "reason": f"{fmt.number(first['observed_value'])} in "
                    + "; ".join(_cited(r) for r in rows.iter_rows(named=True))
                    + f"; the tables cite {first['release_id']} ({WHY_USED[_why_first(rows)]})",
                }
            )
        return out

    def corrections(self) -> list[dict]:
        """Releases that declare they correct another (`supersedes`): the correction is used
        for every figure both give, whatever its authority."""
        out = []
        fixes = self.derived.filter(pl.col("supersedes").is_not_null())
        for r in fixes.sort("release_id", "series", "reference_year").iter_rows(named=True):
            old = self.derived.filter(
                (pl.col("release_id") == r["supersedes"])
                & (pl.col("series") == r["series"])
                & (pl.col("reference_year") == r["reference_year"])
            )
            if not old.height:
                continue
            o = old.row(0, named=True)
            out.append(
                {
                    "figure": f"{r['series']} {r['reference_year']}",
                    "correction": _input(r),
                    "corrected": _input(o),
                    "reason": f"{r['release_id']} corrects {o['release_id']}: {fmt.number(r['observed_value'])} "
                    f"instead of {fmt.number(o['observed_value'])}; the correction is used",
                }
            )
        return out

    def vintages(self) -> list[dict]:
        """Releases of the same figure for different periods (a partial and a full year), and a
        stock's counts on different dates (observations, not vintages)."""
        periods = with_period(self.derived)
        multiple = (
            periods.group_by("series", "reference_year")
            .agg(pl.col("period").n_unique().alias("n"))
            .filter(pl.col("n") > 1)
            .sort("series", "reference_year")
        )
        out = []
        for g in multiple.iter_rows(named=True):
            rows = self.derived.filter(
                (pl.col("series") == g["series"]) & (pl.col("reference_year") == g["reference_year"])
            ).sort("observation_rank")
            out.append(
                {
                    "figure": f"{g['series']} {g['reference_year']}",
                    "releases": [
                        _input(r) | {"release_status": r["release_status"], "selected": r["selected"]}
                        for r in rows.iter_rows(named=True)
                    ],
                }
            )
        return out

    def revised_since(self) -> list[dict]:
        """For each publication: every figure it printed that a release published after its
        cut-off has changed (a full year where it had January–September, a revised count)."""
        out = []
        for view in self.views.values():
            printed = self.published.filter(pl.col("publication") == view.name)
            figures = sorted({(r["series"], r["reference_year"]) for r in printed.iter_rows(named=True)})
            for name, year in figures:
                then, now = view.figure(name, year), self.latest.figure(name, year)
                if now is None or (then is not None and then["release_id"] == now["release_id"]):
                    continue
                if then is not None and (then["observed_value"], _period(then)) == (
                    now["observed_value"],
                    _period(now),
                ):
                    continue
                shown = printed.filter((pl.col("series") == name) & (pl.col("reference_year") == year))
                out.append(
                    {
                        "publication": view.name,
                        "figure": f"{name} {year}",
                        "printed": shown["printed"].to_list(),
                        "then": _input(then) if then else None,
                        "now": _input(now),
                        "reason": (
                            f"{view.name} had {fmt.number(then['observed_value'])} ({_period_text(_input(then))}, "
                            f"{then['publisher']} {then['published'] or 'undated'})"
                            if then
                            else f"{view.name} had no figure"
                        )
                        + f"; now {fmt.number(now['observed_value'])} ({_period_text(_input(now))}, "
                        f"{now['publisher']} {now['published'] or 'undated'})",
                    }
                )
        return out


def _quotes_one_original(rows: pl.DataFrame) -> bool:
    """Whether two rows that disagree cite the same original release (publisher, publication
    and its date) and differ in value: then a quote misquotes it."""
    by_original = rows.group_by("publisher", "publication", "published").agg(
        pl.col("observed_value").n_unique().alias("values")
    )
    return bool((by_original["values"] > 1).any())


def _why_first(rows: pl.DataFrame) -> str:
    """Why the first-ranked release of a figure is used, as a code of the ranking's rule
    (WHY_USED; the Danish words are pipeline/wording/sources.py's)."""
    first, second = rows.row(0, named=True), rows.row(1, named=True)
    if second.get("superseded") and second["release_id"] == first.get("supersedes"):
        return "correction"
    if (first["months_exposure"] or 12) != (second["months_exposure"] or 12):
        return "more_months"
    if first["release_status"] != second["release_status"] and "preliminary" in (
        first["release_status"],
        second["release_status"],
    ):
        return "final"
    if first["observed_value"] != second["observed_value"] and first.get("authority_rank") != second.get(
        "authority_rank"
    ):
        return "authority"
    if first.get("source_kind") == "primary" and second.get("source_kind") != "primary":
        return "own_release"
    return "later_original" if first["published"] != second["published"] else "earlier_quote"


# The ranking's rules, as the audit names the one that decided (the order of
# sql/int_keyfigures_ranked_by_vintage.sql).
WHY_USED = {
    "correction": "it corrects the other release",
    "more_months": "it covers more of the year",
    "final": "a final count before a preliminary one",
    "authority": "a more authoritative source gives its value",
    "own_release": "the publisher's own release",
    "later_original": "the later original publication",
    "earlier_quote": "the earlier quote",
}
