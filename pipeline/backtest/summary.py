"""The backtest's summaries: each method per part of the year covered, the methods pairwise,
and a recommendation only where the releases can tell methods apart."""

from __future__ import annotations

import math
from itertools import combinations

import polars as pl

from pipeline.methods import METHODS

GROUP = ["months", "period_end_day"]
_F, _I = pl.Float64, pl.Int64
SUMMARY_SCHEMA = {
    "months": _F,
    "period_end_day": pl.Utf8,
    "method": pl.Utf8,
    "table_method": pl.Boolean,
    "months_covered": _I,
    "cases": _I,
    "releases": _I,
    "unscored": _I,
    "scaled_cases": _I,
    "mean_scaled_absolute_error": _F,
    "mean_scaled_error": _F,
    "mean_scaled_score": _F,
    "distribution_cases": _I,
    "mean_scaled_interval_score": _F,
    "mean_pit": _F,
    "interval_cases": _I,
    "interval_releases": _I,
    "covered": _I,
    "coverage": _F,
    "coverage_lower": _F,
    "coverage_upper": _F,
    "nominal_level": _F,
    "coverage_verdict": pl.Utf8,
}


def releases_needed(level: float) -> int:
    """The fewest releases on which a two-sided sign test can show a difference at `level`:
    with fewer, even one method better on every release is no evidence."""
    from scipy.stats import binomtest

    n = 1
    while binomtest(n, n).pvalue > 1 - level:
        n += 1
    return n


def _share_interval(hits: int, n: int, releases: int, level: float) -> tuple[float | None, float | None]:
    """The exact (Clopper–Pearson) interval of a share of `hits` in `n` cases, counted as if
    each of `releases` were one observation: cases from one release may hold or miss together,
    so the evidence is the releases' number, not the cases'."""
    if n == 0 or releases == 0:
        return None, None
    from scipy.stats import binomtest

    share = hits / n
    low = binomtest(math.floor(share * releases), releases).proportion_ci(level, "exact").low
    high = binomtest(math.ceil(share * releases), releases).proportion_ci(level, "exact").high
    return float(low), float(high)


def _mean(values: pl.Series) -> float | None:
    values = values.drop_nulls()
    return float(values.mean()) if values.len() else None


def coverage_verdict(low: float | None, high: float | None, level: float) -> str | None:
    """'below_level' or 'above_level' where the coverage's interval excludes the level the
    intervals claim; 'cannot_tell' where it does not; None without intervals."""
    if low is None or high is None:
        return None
    if high < level:
        return "below_level"
    if low > level:
        return "above_level"
    return "cannot_tell"


def summary(scored: pl.DataFrame, level: float, table_method: str) -> pl.DataFrame:
    """Per method and part of the year covered, on every case the method scores: how many
    cases and releases, the mean scaled scores, and the coverage of its intervals with the
    coverage's exact interval counted in releases."""
    rows = []
    groups = scored.select(GROUP).unique().sort(GROUP, nulls_last=True).iter_rows(named=True) if scored.height else []
    for group in groups:
        in_group = scored.filter(
            (pl.col("months") == group["months"]) & pl.col("period_end_day").eq_missing(group["period_end_day"])
        )
        for method in METHODS:
            all_ = in_group.filter(pl.col("method") == method)
            own = all_.filter(pl.col("estimate").is_not_null())
            with_interval = own.filter(pl.col("covered").is_not_null())
            hits, n = int(with_interval["covered"].sum()), with_interval.height
            interval_releases = with_interval["release_id"].n_unique()
            low, high = _share_interval(hits, n, interval_releases, level)
            rows.append(
                group
                | {
                    "method": method,
                    "table_method": method == table_method,
                    "months_covered": int(in_group["months_covered"].max()),
                    "cases": own.height,
                    "releases": own["release_id"].n_unique(),
                    "unscored": all_.height - own.height,
                    "scaled_cases": own["scale"].drop_nulls().len(),
                    "mean_scaled_absolute_error": _mean(own["scaled_absolute_error"]),
                    "mean_scaled_error": _mean(own["scaled_error"]),
                    "mean_scaled_score": _mean(own["scaled_score"]),
                    "distribution_cases": own["rps"].drop_nulls().len(),
                    "mean_scaled_interval_score": _mean(own["scaled_interval_score"]),
                    "mean_pit": _mean(own["pit"]),
                    "interval_cases": n,
                    "interval_releases": interval_releases,
                    "covered": hits,
                    "coverage": hits / n if n else None,
                    "coverage_lower": low,
                    "coverage_upper": high,
                    "nominal_level": level,
                    "coverage_verdict": coverage_verdict(low, high, level),
                }
            )
    if not rows:
        return pl.DataFrame(schema=SUMMARY_SCHEMA)
    return pl.DataFrame(rows, schema=SUMMARY_SCHEMA)


def comparisons(scored: pl.DataFrame, level: float) -> list[dict]:
    """Each pair of methods on the cases both score (with a scale): the mean difference of
    their scaled scores, each release weighing the same, and a sign test over releases (the
    share of releases on which the first scores better, against a coin)."""
    from scipy.stats import binomtest

    out = []
    usable = scored.filter(pl.col("scaled_score").is_not_null()) if scored.height else scored
    for a, b in combinations(METHODS, 2):
        if not usable.height:
            both = usable
        else:
            both = (
                usable.filter(pl.col("method") == a)
                .select("series", "reference_year", "release_id", pl.col("scaled_score").alias("a"))
                .join(
                    usable.filter(pl.col("method") == b).select(
                        "series", "reference_year", "release_id", pl.col("scaled_score").alias("b")
                    ),
                    on=["series", "reference_year", "release_id"],
                    how="inner",
                )
            )
        by_release = (
            both.group_by("release_id").agg((pl.col("a") - pl.col("b")).mean().alias("difference"))
            if both.height
            else pl.DataFrame({"difference": []}, schema={"difference": pl.Float64})
        )
        diff = by_release["difference"]
        a_better, b_better = int((diff < 0).sum()), int((diff > 0).sum())
        untied = a_better + b_better
        p = float(binomtest(a_better, untied).pvalue) if untied else None
        tells = p is not None and p <= 1 - level
        out.append(
            {
                "method": a,
                "other": b,
                "cases": both.height,
                "releases": by_release.height,
                "mean_scaled_score": _mean(both["a"]) if both.height else None,
                "other_mean_scaled_score": _mean(both["b"]) if both.height else None,
                "mean_difference": _mean(diff),
                "method_better_releases": a_better,
                "other_better_releases": b_better,
                "tied_releases": by_release.height - untied,
                "sign_test_p": p,
                "tells_apart": tells,
                "better": (a if a_better > b_better else b) if tells else None,
            }
        )
    return out


def recommendation(pairs: list[dict], level: float) -> dict:
    """The method to use, only where the releases tell it apart: the method that scores
    better than every other method on their shared releases, by a sign test at `level`."""
    needed = releases_needed(level)
    most = max((p["releases"] for p in pairs), default=0)
    base = {"releases_needed": needed, "most_shared_releases": most}
    for method in METHODS:
        own = [p for p in pairs if method in (p["method"], p["other"])]
        if own and all(p["better"] == method for p in own):
            return base | {
                "method": method,
                "code": "better_than_every_other",
                "reason": "scores better than every other method on their shared releases (sign test over releases)",
            }
    if most < needed:
        return base | {
            "method": None,
            "code": "too_few_releases",
            "reason": f"the cases cannot tell the methods apart: two methods share at most {most} releases, and a "
            f"sign test over releases needs at least {needed} to show a difference at the {level:g} level",
        }
    return base | {
        "method": None,
        "code": "no_clear_winner",
        "reason": "no method scores better than every other method on their shared releases",
    }
