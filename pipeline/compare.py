"""Stage compare: Denmark against Sweden, per inhabitant, like with like.

For each year: both counts, each country's rate per 100.000 inhabitants (person-years) and
the Swedish/Danish rate ratio, each with an interval whose method params.yaml names; a
partial Danish year handled as params.yaml says; and a pair whose series measure different
things (series.csv: concept) flagged "ikke direkte sammenlignelig" with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl

from pipeline import db, fmt, metrics, pooled_ratio, wording
from pipeline.io import staged_outputs
from pipeline.params import ParamsError, load_params, require_known, resolve_years, year_choice
from pipeline.paths import Paths
from pipeline.stage import stage_main
from pipeline.table_files import table_csv, table_markdown  # the layouts of the report's tables

MODES = ("annualise", "same_months")
RATIO_METHODS = ("conditional_binomial", "score")
NOT_COMPARABLE = "ikke direkte sammenlignelig"


# statsmodels takes seconds to import (pandas and most of scipy come with it). The default
# intervals are computed here with the very scipy calls statsmodels makes for them (0.15:
# stats/rates.py, confint_poisson "exact-c"; stats/proportion.py, proportion_confint "beta"),
# so they are the same numbers to the bit (tests/test_compare.py checks against statsmodels);
# statsmodels is imported only for the other methods.


def _exact_poisson(counts, exposures, alpha):
    """statsmodels' confint_poisson(method="exact-c"): Garwood's central interval."""
    from scipy import stats

    low = stats.gamma.ppf(alpha / 2, counts) / exposures
    high = stats.gamma.isf(alpha / 2, counts + 1) / exposures
    if np.isnan(low).any():  # a count of 0
        low[np.isnan(low)] = 0.0
    return low, high


def _clopper_pearson(count, nobs, alpha):
    """statsmodels' proportion_confint(method="beta") for arrays."""
    from scipy import stats

    count, nobs = np.asarray(count, dtype=np.double), np.asarray(nobs, dtype=np.double)
    q = count / nobs
    low = stats.beta.ppf(alpha / 2.0, count, nobs - count + 1)
    high = stats.beta.isf(alpha / 2.0, count + 1, nobs - count)
    low.flat[q.flat == 0] = 0
    high.flat[q.flat == 1] = 1
    return low, high


def rate_interval(counts, exposures, per, level, method):
    """Interval of count / exposure × per, as statsmodels' confint_poisson gives it."""
    if method == "exact-c":
        low, high = _exact_poisson(counts, exposures, 1 - level)
    else:
        from statsmodels.stats.rates import confint_poisson

        low, high = confint_poisson(counts, exposures, method=method, alpha=1 - level)
    return np.asarray(low) * per, np.asarray(high) * per


def ratio_interval(k1, e1, k2, e2, level, method):
    """Interval of (k1/e1) / (k2/e2).

    conditional_binomial: given n = k1 + k2, k1 is binomial with p = R·e1 / (R·e1 + e2);
    Clopper–Pearson for p, mapped to R = p / (1 - p) · e2 / e1."""
    if method == "conditional_binomial":
        # a year without counts (0 / 0) gets no interval; its rates are masked anyway
        with np.errstate(divide="ignore", invalid="ignore"):
            low_p, high_p = _clopper_pearson(k1, k1 + k2, 1 - level)
            return (
                np.asarray(low_p) / (1 - np.asarray(low_p)) * e2 / e1,
                np.asarray(high_p) / (1 - np.asarray(high_p)) * e2 / e1,
            )
    from statsmodels.stats.rates import confint_poisson_2indep

    low, high = confint_poisson_2indep(k1, e1, k2, e2, method=method, compare="ratio", alpha=1 - level)
    return np.asarray(low), np.asarray(high)


def _first_sentence(text: str) -> str:
    first = text.split(". ")[0]
    return first if first != text else text.rstrip(".") if text.endswith("..") else text


def compare(derived: pl.DataFrame, series: pl.DataFrame, settings: dict, paths: Paths) -> pl.DataFrame:
    mode = settings.get("partial_year", "annualise")
    interval = settings.get("interval", {})
    level, rate_method = float(interval.get("level", 0.95)), interval.get("rate", "exact-c")
    ratio_method = interval.get("ratio", "conditional_binomial")
    if mode not in MODES:
        raise SystemExit(f"params.yaml: comparison.partial_year '{mode}' is not one of {', '.join(MODES)}")
    if ratio_method not in RATIO_METHODS:
        raise SystemExit(
            f"params.yaml: comparison.interval.ratio '{ratio_method}' is not one of {', '.join(RATIO_METHODS)}"
        )
    per = float(settings.get("per_inhabitants", 100_000))

    first_year, last_year = comparison_years(derived, settings)

    con = db.connect()
    db.source(con, "full_year_figures", derived)
    pairs = db.model(
        con,
        paths,
        "fct_comparison_dk_se",
        {
            "dk_series": settings["denmark"],
            "se_series": settings["sweden"],
            "se_release": settings.get("sweden_release") or "",
            "dk_population": settings["population"]["denmark"],
            "se_population": settings["population"]["sweden"],
            "first_year": first_year,
            "last_year": last_year,
            "mode": mode,
        },
    )
    check_populations(pairs, derived, settings)

    have = pairs.select(
        (
            pl.col("dk_count").is_not_null()
            & pl.col("se_count").is_not_null()
            & pl.col("dk_exposure").is_not_null()
            & pl.col("se_exposure").is_not_null()
        ).alias("ok")
    )["ok"].to_numpy()
    k_dk, e_dk = pairs["dk_count"].fill_null(0).to_numpy(), pairs["dk_exposure"].fill_null(1).to_numpy()
    k_se, e_se = pairs["se_count"].fill_null(0).to_numpy(), pairs["se_exposure"].fill_null(1).to_numpy()
    dk_low, dk_high = rate_interval(k_dk, e_dk, per, level, rate_method)
    se_low, se_high = rate_interval(k_se, e_se, per, level, rate_method)
    r_low, r_high = ratio_interval(k_se, e_se, k_dk, e_dk, level, ratio_method)

    def masked(values):
        return pl.Series(np.where(have, values, np.nan), dtype=pl.Float64).fill_nan(None)

    meta = {row["series"]: row for row in series.iter_rows(named=True)}
    dk_meta, se_meta = meta[settings["denmark"]], meta[settings["sweden"]]
    comparable = dk_meta["concept"] == se_meta["concept"]
    reason = (
        None
        if comparable
        else (
            f"forskellige definitioner — Danmark: {_first_sentence(dk_meta['definition_da'])}; "
            f"Sverige: {_first_sentence(se_meta['definition_da'])}"
        )
    )
    return pairs.with_columns(
        masked(k_dk / e_dk * per).alias("dk_rate"),
        masked(dk_low).alias("dk_rate_lower"),
        masked(dk_high).alias("dk_rate_upper"),
        masked(k_se / e_se * per).alias("se_rate"),
        masked(se_low).alias("se_rate_lower"),
        masked(se_high).alias("se_rate_upper"),
        masked(np.divide(k_se / e_se, k_dk / e_dk, out=np.full(len(k_dk), np.inf), where=k_dk > 0)).alias("rate_ratio"),
        masked(r_low).alias("rate_ratio_lower"),
        masked(r_high).alias("rate_ratio_upper"),
        pl.lit(per).alias("per_inhabitants"),
        pl.lit(level).alias("interval_level"),
        pl.lit(f"statsmodels confint_poisson, method {rate_method}").alias("rate_interval_method"),
        pl.lit(_ratio_method_text(ratio_method)).alias("ratio_interval_method"),
        pl.lit(mode).alias("partial_year_mode"),
        pl.lit(settings["denmark"]).alias("dk_series"),
        pl.lit(settings["sweden"]).alias("se_series"),
        pl.lit(comparable).alias("directly_comparable"),
        pl.lit(reason, dtype=pl.Utf8).alias("comparability_reason"),
    ).with_columns(pl.struct(pl.all()).map_elements(_period_note, return_dtype=pl.Utf8).alias("period_note"))


def comparison_years(derived: pl.DataFrame, settings: dict) -> tuple[int, int]:
    """The years compared: pinned in params.yaml, else from the first year both countries
    have a figure (the Swedish one from the release compared) to the latest Danish year."""
    choice = year_choice(settings, "comparison")
    danish = set(derived.filter(pl.col("selected") & (pl.col("series") == settings["denmark"]))["reference_year"])
    release = settings.get("sweden_release") or None
    swedish = derived.filter(
        (pl.col("series") == settings["sweden"]) & (pl.col("release_id") == release if release else pl.col("selected"))
    )
    both = danish & set(swedish["reference_year"])
    if not both and choice["first_year"] is None and choice["last_n_years"] is None and danish:
        raise ParamsError(
            "comparison.first_year",
            f"no year has both a Danish ({settings['denmark']}) and a Swedish ({settings['sweden']}"
            f"{', release ' + release if release else ''}) figure; pin first_year and last_year",
        )
    return resolve_years(choice, "comparison", min(both, default=None), max(danish, default=None))


def check_populations(pairs: pl.DataFrame, derived: pl.DataFrame, settings: dict) -> None:
    """Every count compared needs the population at the start of its year. A missing one
    stops the stage with what to add where, rather than a row without rates."""
    for side, country in (("dk", "denmark"), ("se", "sweden")):
        missing = pairs.filter(pl.col(f"{side}_count").is_not_null() & pl.col(f"{side}_population").is_null())
        if missing.is_empty():
            continue
        name, year = settings["population"][country], missing["reference_year"][0]
        files = sorted({Path(f).name for f in derived.filter(pl.col("series") == name)["source_file"].drop_nulls()})
        held = f" ({', '.join(files)} {'holds' if len(files) == 1 else 'hold'} the others)" if files else ""
        raise SystemExit(
            f"noegletal compare: no population for {name} {year} (a count dated {year}-01-01 or "
            f"{year - 1}-12-31) for the comparison of {year}: add it to data/raw/releases/{held}"
        )


def _ratio_method_text(method: str) -> str:
    if method == "conditional_binomial":
        return "betinget binomialt (Clopper–Pearson på det svenske antal givet summen; statsmodels proportion_confint, beta)"
    return f"statsmodels confint_poisson_2indep, method {method}"


def _months(months: float) -> tuple[str, str]:
    """9 -> ('9', 'januar–september'); 11,47… -> ('11,47', '11,47 måneder')."""
    if float(months).is_integer():
        return str(int(months)), fmt.months_span(int(months))
    return fmt.number(months, 2), f"{fmt.number(months, 2)} måneder"


def _period_note(row: dict) -> str | None:
    """In words: what each country's count covers and what was done about it; true of the
    row as it is: a count missing, a partial year on either side, both on the same months.
    None when both counts cover the whole year."""
    year, mode = row["reference_year"], row["partial_year_mode"]
    dk_m, se_m = row["dk_months"], row["se_months"]
    if row["dk_count"] is None:
        return f"Der er intet dansk tal for {year}: ingen rater eller forhold for {year}."
    dk_partial = dk_m < 12
    dk_n, dk_span = _months(dk_m)
    dk_covers = f"Det danske tal for {year} dækker kun {dk_span} ({wording.months_text(dk_m)})"
    if row["se_count"] is None:
        if mode == "same_months" and dk_partial:
            return (
                f"{dk_covers}, og der findes ikke et svensk tal for de samme måneder: "
                f"ingen rater eller forhold for {year}."
            )
        return (
            f"{dk_covers}, og der er" if dk_partial else "Der er"
        ) + f" intet svensk tal for {year} i den valgte svenske kilde: ingen rater eller forhold for {year}."
    se_partial = se_m < 12
    if not dk_partial and not se_partial:
        return None
    se_n, se_span = _months(se_m)
    if dk_m == se_m:
        return f"Begge lande på de samme måneder ({dk_span} {year}); raterne er pr. personår for {wording.the_months(dk_m)}."
    if not dk_partial:
        return (
            f"Det svenske tal for {year} dækker kun {se_span} ({wording.months_text(se_m)}); raten er beregnet pr. "
            f"personår for {wording.the_months(se_m)}, dvs. som et helårsskøn, sat over for et dansk helår."
        )
    # the rate per person-year equals the monthly mean times 12, whatever method the tables use
    danish = (
        f"{dk_covers}; raten er beregnet pr. personår for {wording.the_months(dk_m)}, dvs. som et helårsskøn "
        f"({fmt.number(row['dk_count'])} / {dk_n} × 12 = {fmt.number(row['dk_count'] / dk_m * 12, 2)})"
    )
    if not se_partial:
        return danish + ", sat over for et svensk helår."
    return (
        f"{danish}. Det svenske tal dækker {se_span} ({wording.months_text(se_m)}); dets rate er ligeledes pr. personår "
        f"for {wording.the_months(se_m)}."
    )


def pooled(comparison: pl.DataFrame) -> dict:
    """The ratio over every year with rates (pipeline/pooled_ratio.py): which years went in,
    which were left out for want of any death on either side, and the homogeneity test."""
    rated = comparison.filter(pl.col("dk_rate").is_not_null() & pl.col("se_rate").is_not_null())
    level = float(comparison["interval_level"][0]) if comparison.height else 0.95
    result = pooled_ratio.pool(
        rated["se_count"].to_numpy(),
        rated["se_exposure"].to_numpy(),
        rated["dk_count"].to_numpy(),
        rated["dk_exposure"].to_numpy(),
        level,
    )
    used = result.pop("used")
    years = rated["reference_year"].to_list()
    return result | {
        "years": [y for y, u in zip(years, used, strict=True) if u],
        "years_without_events": [y for y, u in zip(years, used, strict=True) if not u],
        # the test's verdict at the level of the intervals: a 95 % interval, a 5 % test
        "significance_level": round(1 - level, 10),
    }


POOLED_COLUMNS = (
    "first_year",
    "last_year",
    "years",
    "years_without_events",
    "se_count",
    "dk_count",
    "rate_ratio",
    "rate_ratio_lower",
    "rate_ratio_upper",
    "interval_level",
    "interval_method",
    "test",
    "statistic",
    "df",
    "p_value",
    "significance_level",
)


def pooled_csv(result: dict) -> str:
    """The pooled result as one tidy row under English column names (as keyfigures.csv)."""
    row = result | {
        "first_year": min(result["years"], default=None),
        "last_year": max(result["years"], default=None),
        "years": ";".join(map(str, result["years"])),
        "years_without_events": ";".join(map(str, result["years_without_events"])),
    }
    return pl.DataFrame([{c: row[c] for c in POOLED_COLUMNS}], infer_schema_length=None).write_csv()


def danish_rows(comparison: pl.DataFrame) -> tuple[list[str], list[list[str]]]:
    per = fmt.number(comparison["per_inhabitants"][0]) if comparison.height else fmt.number(100_000)
    header = [
        "År",
        "Sverige",
        "Danmark",
        f"Sverige pr. {per}",
        f"Danmark pr. {per}",
        "Forhold Sverige/Danmark",
        "Sammenlignelighed",
        "Note",
    ]
    rows = []
    for r in comparison.iter_rows(named=True):
        rows.append(
            [
                str(r["reference_year"]),
                fmt.number(r["se_count_as_quoted"]),
                fmt.number(r["dk_count"]) + _partial_marker(r["dk_months"]),
                _rate_text(r, "se"),
                _rate_text(r, "dk"),
                _ratio_text(r),
                "direkte sammenlignelig"
                if r["directly_comparable"]
                else f"{NOT_COMPARABLE}: {r['comparability_reason']}",
                r["period_note"] or "",
            ]
        )
    return header, rows


def _partial_marker(months: float | None) -> str:
    if months is None or months >= 12:
        return ""
    if float(months).is_integer():
        return f" ({fmt.months_span(int(months), 'abbreviated')})"
    return f" ({fmt.number(months, 2)} mdr.)"


def _rate_text(r: dict, side: str) -> str:
    if r[f"{side}_rate"] is None:
        return fmt.MISSING
    return (
        f"{fmt.number(r[f'{side}_rate'], 2)} pr. {fmt.number(r['per_inhabitants'])} "
        f"({fmt.number(r[f'{side}_rate_lower'], 2)}–{fmt.number(r[f'{side}_rate_upper'], 2)})"
    )


def _ratio_text(r: dict) -> str:
    if r["rate_ratio"] is None:
        return fmt.MISSING
    return (
        f"{fmt.number(r['rate_ratio'], 1)} gange "
        f"({fmt.number(r['rate_ratio_lower'], 1)}–{fmt.number(r['rate_ratio_upper'], 1)})"
    )


def _title(series: pl.DataFrame, settings: dict) -> str:
    label = dict(zip(series["series"], series["label_da"]))
    sweden = label[settings["sweden"]]
    return (
        f"{label[settings['denmark']]} (Danmark) og {sweden[:1].lower() + sweden[1:]} "
        f"pr. {fmt.number(settings.get('per_inhabitants', 100_000))} indbyggere"
    )


def source_text(comparison: pl.DataFrame) -> str:
    def listed(column: str) -> str:
        return ", ".join(dict.fromkeys(comparison[column].drop_nulls().to_list()))

    def population(column: str) -> str:
        return ", ".join(dict.fromkeys(v.split(", læst i ")[0] for v in comparison[column].drop_nulls().to_list()))

    return (
        f"Kilde: Danmark: {listed('dk_source')}; folketal: {population('dk_population_source')}. "
        f"Sverige: {listed('se_source')}; folketal: {population('se_population_source')}."
    )


def run(paths: Paths | None = None) -> None:
    paths = paths or Paths()
    settings = load_params(paths)["comparison"]
    derived = pl.read_parquet(paths.derived_figures)
    series = pl.read_parquet(paths.validated_series)
    ids = series["series"]
    for key in ("denmark", "sweden"):
        require_known(f"comparison.{key}", settings[key], ids, "series", "data/raw/series.csv")
    for key in ("denmark", "sweden"):
        require_known(f"comparison.population.{key}", settings["population"][key], ids, "series", "data/raw/series.csv")
    if settings.get("sweden_release"):
        require_known(
            "comparison.sweden_release",
            settings["sweden_release"],
            derived.filter(pl.col("series") == settings["sweden"])["release_id"],
            f"release of {settings['sweden']}",
            "data/raw/releases/",
        )

    comparison = compare(derived, series, settings, paths)
    pooled_result = pooled(comparison)
    header, rows = danish_rows(comparison)
    table = {
        "title": _title(series, settings),
        "header": header,
        "rows": rows,
        "note": (
            f"Intervaller: {fmt.percent(comparison['interval_level'][0])}. Rater: "
            f"{wording.comparison_interval_text(comparison['rate_interval_method'][0])}; forhold: "
            f"{wording.comparison_interval_text(comparison['ratio_interval_method'][0])}. "
            f"Delår: {wording.PARTIAL_YEAR_MODES[settings['partial_year']]}. Befolkning ved årets begyndelse."
            + (f" {summary}" if (summary := wording.pooled_summary(pooled_result)) else "")
        ),
        "source": source_text(comparison),
    }

    with staged_outputs() as out:
        comparison.write_parquet(out.path(paths.derived_comparison))
        out.write_text(paths.comparison / "dk_se.csv", table_csv(table))
        out.write_text(paths.comparison / "dk_se.md", table_markdown(table))
        out.write_text(paths.comparison / "dk_se_pooled.csv", pooled_csv(pooled_result))
        out.write_text(
            paths.comparison / "dk_se.json",
            json.dumps(
                table | {"figures": comparison.to_dicts(), "pooled": pooled_result},
                ensure_ascii=False,
                indent=2,
                sort_keys=True,
                default=str,
            )
            + "\n",
        )
        metrics.write(out, paths, "comparison", metrics.comparison(comparison.to_dicts(), pooled_result))


if __name__ == "__main__":
    stage_main(run, "compare")
