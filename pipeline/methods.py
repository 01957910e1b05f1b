"""Extrapolation methods: how a partial-year count becomes a full-year estimate, and what each
predicts for the months not yet observed.

Each method takes the partial-year rows to estimate and the history of figures (all
releases), and returns per partial row an estimate, or null where it cannot say (with the
reason), and the two moments of the rest of the year that its prediction interval needs
(pipeline/uncertainty.py): the rest's mean, and the variance of that mean's estimate. A
method only ever uses years before the one it estimates, so the same code serves the tables
and the backtest.

- linear: the report's method — the monthly mean over the months covered, times 12.
- seasonal_share: the observed count divided by the share of the year's total that the same
  months held in earlier years, where a partial and a final full release of an earlier year
  exist.
- trend: a Poisson regression of earlier final full-year counts on the year predicts the
  year; the observed count is kept and the unobserved months come from the prediction.

Earlier years a release marks as exceptional (`exceptional` in data/raw/releases/, such as
the 2017 gang conflict) can be left out of every fit to history (params.yaml
extrapolation.leave_out_exceptional); the output lists the years used and left out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import polars as pl

from pipeline import uncertainty
from pipeline.uncertainty import JEFFREYS, stated

MONTHS_IN_YEAR = 12
MIN_TREND_YEARS = 3
# A trend fitted to few years with a steep slope can predict any number; beyond this the
# method says it cannot estimate rather than print it.
TREND_CEILING = 1e9
KEY = ["series", "reference_year", "release_id"]
OUTPUT = {
    "series": pl.Utf8,
    "reference_year": pl.Int64,
    "release_id": pl.Utf8,
    "estimate": pl.Float64,
    "reason": pl.Utf8,
    "rest_mean": pl.Float64,
    "rest_var_scaled": pl.Float64,
    "rest_var_fixed": pl.Float64,
    "fitted_full_year": pl.Float64,
    "method_years": pl.List(pl.Int64),
    # what the rest of the year is predicted from: the months observed (linear,
    # seasonal_share: a high year shows in them) or the earlier years (trend); decides which
    # dispersion its interval needs (pipeline/uncertainty.py)
    "rest_basis": pl.Utf8,
}


def _period_key() -> pl.Expr:
    """Which part of the year a release covers: months, and the day it ends where given."""
    return pl.concat_str(
        pl.col("months_covered").cast(pl.Utf8),
        pl.col("period_end").dt.strftime("%m-%d").fill_null("end"),
        separator="/",
    )


def final_full_years(derived: pl.DataFrame) -> pl.DataFrame:
    """Each figure's final full-year count (the best-ranked vintage), and whether any release
    of it marks the year as exceptional."""
    # `exceptional` holds why a release marks the year as exceptional; blank when it does not
    exceptional = (
        pl.col("exceptional").is_not_null().any() if "exceptional" in derived.columns else pl.lit(False)
    ).alias("exceptional")
    marks = derived.group_by("series", "reference_year").agg(exceptional)
    return (
        derived.filter((pl.col("months_exposure") >= MONTHS_IN_YEAR) & (pl.col("release_status") == "final"))
        .sort("vintage_rank")
        .unique(["series", "reference_year"], keep="first", maintain_order=True)
        .select("series", "reference_year", pl.col("observed_value").alias("full_year"), era(derived.columns))
        .join(marks, on=["series", "reference_year"], how="left")
    )


def era(columns) -> pl.Expr:
    """The source era of a release: the publication it comes from, compared without case,
    Unicode form or spacing (a new publication may count by another definition; a renamed
    publisher of the same publication does not). Null where no publication is named."""
    if "publication" not in columns:  # figures built without sources (tests, simulations)
        return pl.lit(None, dtype=pl.Utf8).alias("era")
    name = pl.col("publication").str.normalize("NFKC").str.to_lowercase()
    return name.str.replace_all(r"\s+", " ").str.strip_chars().alias("era")


class Earlier(NamedTuple):
    """The final full years before an estimated year that a fit may use, and those left out."""

    years: list[int]
    counts: list[float]
    left_out: list[int]  # marked as exceptional (params.yaml extrapolation.leave_out_exceptional)
    other_era: list[int]  # from another publication, or outside the series' declared window


@dataclass
class History:
    """Every release of every figure, with the earlier final full years each estimate may use."""

    derived: pl.DataFrame
    leave_out_exceptional: bool = True
    # params.yaml extrapolation.history: per series, the first earlier year a fit may use
    # ({"first_year": 2021, "reason": "..."}), instead of the years of the same publication
    windows: dict = field(default_factory=dict)
    _fits: dict = field(default_factory=dict)

    def __post_init__(self):
        self.full = final_full_years(self.derived)
        # per series, its final full years in order: looked up once per estimate, not filtered
        self._by_series = {
            name: list(zip(*(group[c].to_list() for c in ("reference_year", "full_year", "exceptional", "era"))))
            for (name,), group in self.full.sort("reference_year").group_by("series", maintain_order=True)
        }
        self._splits = self._earlier_splits()

    def earlier(self, series: str, year: int, era: str | None = None) -> Earlier:
        """The final full years before `year` that a fit of a figure from publication `era`
        may use: within the series' declared window if it has one, else those of the same
        publication (a year or figure without one counts as the same); exceptional years left
        out where params.yaml says so."""
        window = self.windows.get(series)
        out = Earlier([], [], [], [])
        for y, count, exceptional, its_era in self._by_series.get(series, []):
            if y >= year:
                break
            if window is not None:
                belongs = window.get("first_year") is None or y >= window["first_year"]
            else:
                belongs = era is None or its_era is None or its_era == era
            if not belongs:
                out.other_era.append(y)
            elif exceptional and self.leave_out_exceptional:
                out.left_out.append(y)
            else:
                out.years.append(y)
                out.counts.append(count)
        return out

    def fit(self, series: str, year: int, era: str | None = None) -> uncertainty.HistoryFit | None:
        """The log-linear fit of the earlier full years; None unless two of them have events
        (with zeros before or after a single year with events, no finite fit exists: the
        maximum-likelihood trend runs off to infinity)."""
        if (series, year, era) not in self._fits:
            years, counts, *_ = self.earlier(series, year, era)
            usable = len(years) >= 2 and sum(c > 0 for c in counts) >= 2
            try:
                self._fits[series, year, era] = uncertainty.fit_history(years, counts) if usable else None
            except ValueError:
                # the fit diverges where no finite log-linear trend exists although two years
                # have events (1.479, then nine zeros, then 1): no fit, as with one such year
                self._fits[series, year, era] = None
        return self._fits[series, year, era]

    def events(self, series: str, year: int, era: str | None = None) -> int:
        """How many of the earlier full years a fit may use have any events."""
        return sum(c > 0 for c in self.earlier(series, year, era).counts)

    def _earlier_splits(self) -> dict:
        """Per series and year, its partial releases (months, count) that have a final
        full-year count: the splits that show how events fall within a year."""
        parts = (
            self.derived.filter((pl.col("months_exposure") < MONTHS_IN_YEAR) & (pl.col("months_exposure") > 0))
            .sort("vintage_rank")
            .unique(["series", "reference_year", "months_exposure"], keep="first", maintain_order=True)
            .join(self.full.select("series", "reference_year", "full_year"), on=["series", "reference_year"])
            .sort("series", "reference_year", "months_exposure")
        )
        splits: dict = {}
        for row in parts.select(
            "series", "reference_year", "months_exposure", "observed_value", "full_year"
        ).iter_rows():
            splits.setdefault((row[0], row[1]), []).append(row[2:])
        return splits

    def splits(self, series: str, year: int, months: float, era: str | None = None) -> tuple:
        """(year, partial count, final count, share of the year) for each earlier year the
        fits may use that has a partial and a final release: the partial for the same months
        as the estimated figure where there is one, else the longest."""
        out = []
        for y in self.earlier(series, year, era).years:
            known = self._splits.get((series, y))
            if known:
                same = [k for k in known if k[0] == months]
                m, part, full = (same or known)[-1]
                out.append((y, part, full, m / MONTHS_IN_YEAR))
        return tuple(out)


def _empty_inputs() -> list[pl.Expr]:
    return [
        pl.lit(None, dtype=pl.Float64).alias("fitted_full_year"),
        pl.lit([], dtype=pl.List(pl.Int64)).alias("method_years"),
        pl.lit("observed").alias("rest_basis"),
    ]


def _with_era(partial: pl.DataFrame) -> pl.DataFrame:
    """The partial figures with their source era (`era`), normalised as the history's is."""
    return partial.with_columns(era(partial.columns))


def _allowed_years(partial: pl.DataFrame, history: History) -> pl.DataFrame:
    """Per partial figure, the earlier years its fits may use (History.earlier)."""
    rows = [
        {**{k: row[k] for k in KEY}, "earlier_year": y}
        for row in _with_era(partial).iter_rows(named=True)
        for y in history.earlier(row["series"], row["reference_year"], row["era"]).years
    ]
    schema = {k: OUTPUT[k] for k in KEY} | {"earlier_year": pl.Int64}
    return pl.DataFrame(rows, schema=schema)


def linear(partial: pl.DataFrame, history: History) -> pl.DataFrame:
    # The rest at the observed monthly mean; its estimate varies as the observed count does.
    jeffreys = pl.col("observed_value") + JEFFREYS
    rest = jeffreys * (MONTHS_IN_YEAR - pl.col("months_exposure")) / pl.col("months_exposure")
    return partial.select(
        *KEY,
        (pl.col("observed_value") * MONTHS_IN_YEAR / pl.col("months_exposure")).alias("estimate"),
        pl.lit(None, dtype=pl.Utf8).alias("reason"),
        rest.alias("rest_mean"),
        (rest**2 / jeffreys).alias("rest_var_scaled"),
        pl.lit(0.0).alias("rest_var_fixed"),
        *_empty_inputs(),
    ).cast(OUTPUT)


def seasonal_share(partial: pl.DataFrame, history: History) -> pl.DataFrame:
    earlier = (
        history.derived.filter(pl.col("months_exposure") < MONTHS_IN_YEAR)
        .drop("exceptional", strict=False)  # the year's mark comes with its final count
        .with_columns(_period_key().alias("period"))
        # one release per earlier year and period: two vintages of it are one year, not two
        .sort("vintage_rank")
        .unique(["series", "reference_year", "period"], keep="first", maintain_order=True)
        .join(history.full, on=["series", "reference_year"], how="inner")
        .filter(pl.col("full_year") > 0)  # a year without events has no share
        .filter(~pl.col("exceptional") if history.leave_out_exceptional else pl.lit(True))
        # a part revised down below its year's final count held the whole year, not more
        .with_columns(pl.min_horizontal("observed_value", "full_year").alias("earlier_part"))
        .select(
            "series",
            "period",
            pl.col("reference_year").alias("earlier_year"),
            "full_year",
            "earlier_part",
            (pl.col("earlier_part") / pl.col("full_year")).alias("share"),
        )
    )
    matched = (
        partial.with_columns(_period_key().alias("period"))
        .join(earlier, on=["series", "period"], how="left")
        .filter(pl.col("earlier_year").is_null() | (pl.col("earlier_year") < pl.col("reference_year")))
        # only earlier years of the same source era, or in the series' declared window
        .join(_allowed_years(partial, history), on=[*KEY, "earlier_year"], how="semi")
        .group_by(KEY)
        .agg(
            pl.col("share").drop_nulls().mean().alias("share"),
            pl.col("share").drop_nulls().var().alias("share_var"),
            pl.col("earlier_part").drop_nulls().sum().alias("parts_total"),
            pl.col("full_year").drop_nulls().sum().alias("full_years_total"),
            pl.col("earlier_year").drop_nulls().sort().alias("method_years"),
        )
    )
    out = partial.select(*KEY, "observed_value", "months_exposure").join(matched, on=KEY, how="left")
    share, n = pl.col("share"), pl.col("method_years").list.len()
    # For the interval, the share pooled over the earlier years and drawn towards the months'
    # share of a year by one event's weight, so that a few small years (every event in the
    # months observed: share 1) do not make the rest certain.
    weight = pl.col("full_years_total") + 1
    pooled = (pl.col("parts_total") + pl.col("months_exposure") / MONTHS_IN_YEAR) / weight
    spread = pooled * (1 - pooled)
    jeffreys = pl.col("observed_value") + JEFFREYS
    rest = jeffreys * (1 - pooled) / pooled
    # the share's own uncertainty: how events split between months by chance (grows with φ),
    # and any spread between earlier years beyond that (with two or more years)
    chance = pooled * (1 - pooled) / weight
    between = pl.when(n >= 2).then((pl.col("share_var") / n - chance).clip(0)).otherwise(0.0)
    return (
        out.select(
            *KEY,
            # an earlier part above its final year (a revision down) gives a share over 1: the
            # estimate never goes below the count already made
            (pl.col("observed_value") / share.clip(upper_bound=1.0)).alias("estimate"),
            pl.when(share.is_null())
            .then(pl.lit("no earlier year has a release for the same months and a final full-year release"))
            .when(share <= 0)
            .then(pl.lit("the same months held none of an earlier year's total"))
            .alias("reason"),
            rest.alias("rest_mean"),
            (rest**2 * (1 / jeffreys + chance / spread**2)).alias("rest_var_scaled"),
            (rest**2 * between / spread**2).alias("rest_var_fixed"),
            pl.lit(None, dtype=pl.Float64).alias("fitted_full_year"),
            pl.col("method_years").fill_null([]),
            pl.lit("observed").alias("rest_basis"),
        )
        .with_columns(
            [
                pl.when(pl.col("reason").is_null()).then(pl.col(c)).alias(c)
                for c in ("estimate", "rest_mean", "rest_var_scaled", "rest_var_fixed")
            ]
        )
        .cast(OUTPUT)
    )


def trend(partial: pl.DataFrame, history: History) -> pl.DataFrame:
    rows = []
    for row in _with_era(partial).iter_rows(named=True):  # one small model per partial figure
        era_ = row["era"]
        years = history.earlier(row["series"], row["reference_year"], era_).years
        out = {k: row[k] for k in KEY} | {
            "estimate": None,
            "reason": None,
            "rest_mean": None,
            "rest_var_scaled": None,
            "rest_var_fixed": None,
            "fitted_full_year": None,
            "method_years": years,
            "rest_basis": "history",
        }
        fit = history.fit(row["series"], row["reference_year"], era_)
        if len(years) < MIN_TREND_YEARS:
            out["reason"] = f"fewer than {MIN_TREND_YEARS} earlier full years ({len(years)})"
        elif fit is None and history.events(row["series"], row["reference_year"], era_) < 2:
            out["reason"] = "fewer than 2 earlier full years with any events"
        elif fit is None:
            out["reason"] = "no finite log-linear trend fits the earlier full years"
        elif not (expected := fit.expected(row["reference_year"])) < TREND_CEILING:
            out["reason"] = "the trend of the earlier years runs beyond any plausible count"
        elif expected < row["observed_value"]:
            # the year has already passed what the trend predicts for all of it: the trend
            # is contradicted by the months observed, and its rest would rest on a wrong level
            out["reason"] = (
                f"the trend of the earlier years predicts {stated(expected)} for the whole year, "
                f"fewer than the {row['observed_value']:g} already counted"
            )
            out["fitted_full_year"] = expected
        else:
            rest = expected * (MONTHS_IN_YEAR - row["months_exposure"]) / MONTHS_IN_YEAR
            out |= {
                "estimate": row["observed_value"] + rest,
                "rest_mean": rest,
                "rest_var_scaled": rest**2 * fit.log_variance(row["reference_year"]),
                "rest_var_fixed": 0.0,
                "fitted_full_year": expected,
            }
        rows.append(out)
    return pl.DataFrame(rows, schema=OUTPUT)


METHODS = {"linear": linear, "seasonal_share": seasonal_share, "trend": trend}


# --- the interval of each estimate ------------------------------------------------------------

INTERVAL_DEFAULTS = {"method": "negative_binomial", "level": 0.95, "min_history_years": 5, "min_split_years": 3}


def _spread(row: dict, history: History, spec: dict) -> tuple[uncertainty.Dispersion, Earlier]:
    """The dispersion of one estimate's interval (pipeline/uncertainty.py) and the earlier
    years behind it: within-year splits only for a rest predicted from the months observed."""
    era_ = row["era"]
    series, year = row["series"], row["reference_year"]
    earlier = history.earlier(series, year, era_)
    splits = history.splits(series, year, row["months_exposure"], era_) if row["rest_basis"] == "observed" else ()
    spread = uncertainty.dispersion(
        history.fit(series, year, era_),
        tuple(earlier.years),
        spec["min_history_years"],
        overdispersion=spec["method"] == "negative_binomial",
        events=history.events(series, year, era_),
        splits=splits,
        min_splits=spec["min_split_years"],
    )
    return spread, earlier


def with_intervals(estimates: pl.DataFrame, partial: pl.DataFrame, history: History, spec: dict) -> pl.DataFrame:
    """Each estimate's interval by params.yaml extrapolation.interval (`spec`: method, level,
    min_history_years, min_split_years): for a count a full-year prediction interval from the
    method's own rest, or the older rate interval where asked for; none for amounts that are
    not counts, and none where the dispersion cannot be measured (the rule says why)."""
    spec = INTERVAL_DEFAULTS | spec
    name, level = spec["method"], float(spec["level"])
    kind = uncertainty.INTERVAL_METHODS[name][0]
    rows = estimates.join(
        _with_era(partial).select(*KEY, "observed_value", "months_exposure", "series_integer", "era"),
        on=KEY,
        how="left",
    )
    spreads, earliers = [], []
    for row in rows.iter_rows(named=True):
        spread, earlier = _spread(row, history, spec)
        spreads.append(spread)
        earliers.append(earlier)
    counted = (rows["series_integer"].fill_null(False) & rows["estimate"].is_not_null()).to_numpy()
    observed = rows["observed_value"].to_numpy()
    if kind == "rate":
        compute = uncertainty.RATE_INTERVALS[name]
        low, high = compute(observed, rows["months_exposure"].to_numpy(), level) if rows.height else ([], [])
    else:
        counted &= np.array([s.has_interval for s in spreads], dtype=bool)
        moments = [rows[c].to_numpy().astype(float) for c in ("rest_mean", "rest_var_scaled", "rest_var_fixed")]
        # a rest whose mean or variance is not a finite number has no interval (none is made up)
        finite = np.logical_and.reduce([np.isfinite(m) for m in moments]) if rows.height else np.zeros(0, bool)
        counted &= finite
        safe = [np.where(counted, m, 0.0) for m in moments]
        low, high = uncertainty.full_year_intervals(observed, *safe, spreads, level)
        low, high = np.where(counted, low, np.nan), np.where(counted, high, np.nan)
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    if kind == "full_year":
        # the interval always holds the estimate it goes with, however it is rounded (a rest
        # predicted from a steep trend can be 0 with 95 % probability yet have a mean of 0,5)
        estimate = rows["estimate"].to_numpy().astype(float)
        with np.errstate(invalid="ignore"):
            low = np.maximum(observed, np.minimum(low, np.floor(estimate)))
            high = np.maximum(high, np.ceil(estimate))
    shown = counted & np.isfinite(low) & np.isfinite(high)  # a rate interval is undefined for a zero count
    full_year = kind == "full_year"
    estimated = rows["estimate"].is_not_null().to_numpy()
    # the rule is kept where a count's full-year interval was asked for, given or not: a
    # missing interval says why
    ruled = full_year & estimated & rows["series_integer"].fill_null(False).to_numpy()
    intervals = rows.select(KEY).with_columns(
        pl.Series("interval_lower", np.where(shown, low, np.nan)).fill_nan(None),
        pl.Series("interval_upper", np.where(shown, high, np.nan)).fill_nan(None),
        pl.Series("interval_kind", [kind if s else None for s in shown], dtype=pl.Utf8),
        pl.Series("dispersion_estimate", [s.estimate for s in spreads], dtype=pl.Float64),
        pl.Series("dispersion_df", [s.df if r else None for s, r in zip(spreads, ruled)], dtype=pl.Int64),
        pl.Series(
            "dispersion_used", [s.used if f else None for s, f in zip(spreads, shown & full_year)], dtype=pl.Float64
        ),
        pl.Series("dispersion_rule", [s.rule if r else None for s, r in zip(spreads, ruled)], dtype=pl.Utf8),
        pl.Series("dispersion_years", [list(s.years) for s in spreads], dtype=pl.List(pl.Int64)),
        pl.Series("history_left_out", [e.left_out for e in earliers], dtype=pl.List(pl.Int64)),
        pl.Series("history_other_era", [e.other_era for e in earliers], dtype=pl.List(pl.Int64)),
        pl.Series(
            "history_window",
            [
                (history.windows.get(s) or {}).get("reason") if history.windows.get(s) is not None else None
                for s in rows["series"]
            ],
            dtype=pl.Utf8,
        ),
    )
    return estimates.join(intervals, on=KEY, how="left")


def _published_middle() -> pl.Expr:
    """The middle day of a release's publication span (as the vintage ranking orders them)."""
    return pl.col("published_start") + (pl.col("published_end") - pl.col("published_start")) / 2


def estimate_all(
    derived: pl.DataFrame, spec: dict, leave_out_exceptional: bool = True, windows: dict | None = None
) -> pl.DataFrame:
    """Every method's estimate and interval for every partial-year figure of every release.

    Each partial figure is estimated from the history as it stood when its release appeared
    (releases published no later than it, by the middle of their publication spans; a release
    of unknown date is taken as known), so that the backtest scores a method on what it could
    have done then, not with later revisions. Without publication dates, from all of it."""
    partial = derived.filter(pl.col("is_partial"))
    dated = {"published_start", "published_end"} <= set(derived.columns)
    groups = (
        partial.with_columns(_published_middle().alias("_as_of")).partition_by("_as_of", as_dict=True)
        if dated and partial.height
        else {(None,): partial}
    )
    parts = []
    for (as_of,), rows in groups.items():
        rows = rows.drop("_as_of", strict=False)
        known = derived
        if as_of is not None:
            middle = _published_middle()
            known = derived.filter(middle.is_null() | (middle <= as_of))
        history = History(known, leave_out_exceptional, windows or {})
        parts += [
            with_intervals(fn(rows, history), rows, history, spec).with_columns(pl.lit(name).alias("method"))
            for name, fn in METHODS.items()
        ]
    return pl.concat(parts, how="diagonal_relaxed").sort(*KEY, "method")


def inputs_of(row: dict) -> dict:
    """What one estimate rests on besides its observed count, for explain, the audit and the
    JSON: the years the method fitted and left out, its fitted rate, the predicted rest of the
    year, and the dispersion and interval."""

    def years(value) -> list[int]:
        return [int(y) for y in (value or [])]

    return {
        "method_years": years(row.get("method_years")),
        "history_left_out": years(row.get("history_left_out")),
        "history_other_era": years(row.get("history_other_era")),
        "history_window": row.get("history_window"),
        "fitted_full_year": row.get("fitted_full_year"),
        "predicted_rest": row.get("rest_mean"),
        "dispersion": {
            "estimate": row.get("dispersion_estimate"),
            "used": row.get("dispersion_used"),
            "rule": row.get("dispersion_rule"),
            "degrees_of_freedom": row.get("dispersion_df"),
            "years": years(row.get("dispersion_years")),
        },
        "interval": {
            "kind": row.get("interval_kind"),
            "lower": row.get("interval_lower"),
            "upper": row.get("interval_upper"),
            "level": row.get("interval_level"),
            "method": row.get("interval_method"),
        },
    }
