"""The auditor: the data it judges by, and each section of the audit, a module each."""

from __future__ import annotations

import polars as pl

from pipeline.audit.dates import DateChecks
from pipeline.audit.printed_figures import PrintedFigureChecks
from pipeline.audit.records import _years
from pipeline.audit.releases import ReleaseChecks
from pipeline.audit.statements import StatementChecks
from pipeline.audit.vintage import View


class Auditor(PrintedFigureChecks, StatementChecks, ReleaseChecks, DateChecks):
    """Two clocks. The latest data (`derived`, what the tables show) for the sections about
    the data; and, for each publication in data/raw/publications/, the data as of its cut-off
    (`views`) for the verdicts on what it printed, so a later release never changes them."""

    def __init__(
        self,
        derived: pl.DataFrame,
        published: pl.DataFrame,
        statements: pl.DataFrame,
        views: dict[str, View] | None = None,
        availability: dict[str, pl.DataFrame] | None = None,
        extrapolation: dict | None = None,
        labels: dict[str, str] | None = None,
    ):
        self.derived, self.published, self.statements = derived, published, statements
        from pipeline import extrapolate
        from pipeline.methods import estimate_all

        extrapolation = extrapolation or {}
        # every method, with its interval, on every partial figure (the backtest)
        self.interval_level = float(extrapolate.interval_spec(extrapolation)["level"])
        # the method the tables use: the backtest's headline
        self.table_method = str(extrapolation.get("method") or "linear")
        self.estimates = estimate_all(
            derived,
            extrapolate.interval_spec(extrapolation),
            bool(extrapolation.get("leave_out_exceptional", True)),
            extrapolate.history_windows(extrapolation, derived),
        )
        self.selected = derived.filter(pl.col("selected"))
        self.latest = View(derived)
        self.views = views or {}
        self.availability = availability or {}
        self.labels = labels or {}  # each series' Danish label, for the audit's Danish sentences

    def view(self, publication: str | None) -> View:
        """The data as `publication` had it; the latest data for a publication not declared."""
        return self.views.get(publication, self.latest)

    def figure(self, series: str, year: int) -> dict | None:
        return self.latest.figure(series, year)

    def figures_used(self, publication: str) -> set[tuple[str, int]]:
        """The figures (series, year) a publication printed or built a statement on."""
        printed = self.published.filter(pl.col("publication") == publication)
        used = {(r["series"], r["reference_year"]) for r in printed.iter_rows(named=True)}
        for s in self.statements.filter(
            (pl.col("publication") == publication) & pl.col("series").is_not_null() & pl.col("years").is_not_null()
        ).iter_rows(named=True):
            used |= {(name, year) for name in s["series"].split(";") for group in _years(s["years"]) for year in group}
        return used

    def method_errors(self) -> dict:
        from pipeline import backtest

        # the tables' estimates, with the part of the year each is extrapolated from
        estimated = self.selected.filter(pl.col("status") == "estimated")
        printed = self.estimates.join(
            estimated.select(
                "series",
                "reference_year",
                "release_id",
                pl.col("months_exposure").round(2).alias("months"),
                backtest.period_day(estimated).alias("period_end_day"),
            ),
            on=["series", "reference_year", "release_id"],
            how="inner",
        )
        out = backtest.report(self.derived, self.estimates, self.interval_level, self.table_method, printed)
        out["estimates"] = printed.to_dicts()
        return out
