"""Dates the audit cannot take on trust: choices of release resting on unknown or imprecise
publication dates, sources dated before their figures, stocks counted on different days."""

from __future__ import annotations

import polars as pl

from pipeline import fmt
from pipeline.audit.records import _span
from pipeline.audit.releases import with_period
from pipeline.audit.verdicts import FINDING
from pipeline.audit.vintage import UNCERTAIN


class DateChecks:
    """The audit's sections on dates. Part of `Auditor` (pipeline/audit/auditor.py), whose
    `availability`, `views`, `derived`, `selected` and `figures_used()` it reads."""

    def uncertain_dates(self) -> list[dict]:
        """Every choice of release that rests on a publication date that is unknown or not
        precise enough: a release taken as available to a publication though it may have
        appeared after its cut-off, and a figure whose release was chosen over another of the
        same period and status by dates that overlap or are unknown."""
        out = []
        for name, releases in self.availability.items():
            cutoff = self.views[name].publication["data_cutoff"]
            used = self.figures_used(name)
            holding = {
                r["release_id"]
                for r in self.derived.iter_rows(named=True)
                if (r["series"], r["reference_year"]) in used
            }
            for r in releases.filter(
                (pl.col("availability") == UNCERTAIN) & pl.col("release_id").is_in(sorted(holding))
            ).iter_rows(named=True):
                out.append(
                    {
                        "choice": "available_to_publication",
                        "publication": name,
                        "release": r["release_id"],
                        "published": r["published"],
                        "reason": (
                            f"{r['release_id']} has no publication date"
                            if r["published"] is None
                            else f"{r['release_id']} is dated {r['published']}, which straddles the cut-off "
                            f"{cutoff.isoformat()}"
                        )
                        + f"; taken as available to {name}",
                    }
                )
        periods = with_period(self.derived)
        key = ["series", "reference_year", "period"]
        for g in periods.group_by(key).agg(pl.len().alias("n")).filter(pl.col("n") > 1).sort(key).iter_rows(named=True):
            rows = (
                periods.filter(
                    (pl.col("series") == g["series"])
                    & (pl.col("reference_year") == g["reference_year"])
                    & (pl.col("period") == g["period"])
                )
                .sort("vintage_rank")
                .head(2)
                .rows(named=True)
            )
            first, second = rows
            if (first["months_exposure"], first["release_status"]) != (
                second["months_exposure"],
                second["release_status"],
            ):
                continue  # decided by the period or the status, not by a date
            unknown = first["published_start"] is None or second["published_start"] is None
            overlap = (
                not unknown
                and first["published_start"] <= second["published_end"]
                and second["published_start"] <= first["published_end"]
            )
            if unknown or overlap:
                out.append(
                    {
                        "choice": "latest_release",
                        "figure": f"{g['series']} {g['reference_year']}",
                        "chosen": first["release_id"],
                        "over": second["release_id"],
                        "values_differ": first["observed_value"] != second["observed_value"],
                        "reason": f"{g['series']} {g['reference_year']}: "
                        f"{first['release_id']} ({first['published'] or 'undated'}) is taken as later than "
                        f"{second['release_id']} ({second['published'] or 'undated'}), but the dates "
                        + ("are not both known" if unknown else "overlap"),
                    }
                )
        return out

    def publication_dates(self) -> list[dict]:
        """Flows whose source is dated before the year they report on had begun: the
        citation cannot be the source of the figure."""
        rows = self.derived.filter(
            (pl.col("kind") == "flow")
            & pl.col("published_end").is_not_null()
            & (pl.col("published_end").dt.year() < pl.col("reference_year"))
        )
        return [
            {
                "figure": f"{r['series']} {r['reference_year']}",
                "release": r["release_id"],
                "published": r["published"],
                "verdict": FINDING,
                "reason": f"{r['publisher']} is cited as published {r['published']}, before the year {r['reference_year']} "
                f"it reports on had begun: the citation cannot be the source of this figure",
            }
            for r in rows.sort("series", "reference_year").iter_rows(named=True)
        ]

    def count_dates(self) -> list[dict]:
        """Stocks whose count dates differ or are unknown across the years of a series, or
        that were counted on more than one date in a year. Every count of each year is listed
        (`counts`: each count date with its value and releases), with the one the tables show
        (params.yaml stocks.count); counts on different dates are observations of their own,
        not rival values of one figure."""
        out = []
        stocks = self.selected.filter((pl.col("kind") == "stock") & ~pl.col("series").str.starts_with("befolkning"))
        every = self.derived.filter(pl.col("kind") == "stock")
        for series in sorted(stocks["series"].unique().to_list()):
            rows = stocks.filter(pl.col("series") == series).sort("reference_year")
            known = rows.filter(pl.col("count_date").is_not_null())
            unknown = rows.filter(pl.col("count_date").is_null())["reference_year"].to_list()
            day_months = {d.strftime("%m-%d") for d in known["count_date"].to_list()}
            counts = _counts(every.filter(pl.col("series") == series))
            several = sorted({c["year"] for c in counts if sum(o["year"] == c["year"] for o in counts) > 1})
            if unknown or len(day_months) > 1 or several:
                out.append(
                    {
                        "series": series,
                        "verdict": FINDING,
                        "known": {
                            str(r["reference_year"]): r["count_date"].isoformat() for r in known.iter_rows(named=True)
                        },
                        "unknown_years": unknown,
                        "counts": counts,
                        "years_counted_more_than_once": several,
                        "reason": (
                            "the count date the tables show is "
                            + ", ".join(
                                f"{d.isoformat()} for {y}" for y, d in zip(known["reference_year"], known["count_date"])
                            )
                            + (f" and unknown for {_span(unknown)}" if unknown else "")
                            + ": the head-counts are not known to be taken on the same date every year"
                            + "".join(
                                "; "
                                + f"{year} was counted on {len([c for c in counts if c['year'] == year])} dates ("
                                + ", ".join(
                                    f"{_date_or_none(c['count_date'])}: {fmt.number(c['value'])}"
                                    + (" — shown in the tables" if c["shown"] else "")
                                    for c in counts
                                    if c["year"] == year
                                )
                                + "), counts of their own, not rival values of one figure"
                                for year in several
                            )
                        ),
                    }
                )
        return out


def _date_or_none(value: str | None) -> str:
    return value or "no count date stated"


def _counts(rows: pl.DataFrame) -> list[dict]:
    """Every count of a stock, one per year and count date (its releases of that date are
    vintages of one count: the best-ranked gives the value), with whether the tables show it."""
    out = []
    ordered = rows.sort("reference_year", "observation_rank")
    for (year, day), group in ordered.group_by("reference_year", "count_date", maintain_order=True):
        first = group.sort("vintage_rank").row(0, named=True)
        out.append(
            {
                "year": year,
                "count_date": day.isoformat() if day else None,
                "value": first["observed_value"],
                "releases": group.sort("vintage_rank")["release_id"].to_list(),
                "shown": bool(group["selected"].any()),
            }
        )
    return out
