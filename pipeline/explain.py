"""How one figure was made: inputs with sources, method, formula, result and the published
value it is compared with. Used by `noegletal explain`."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from pipeline import fmt, wording
from pipeline.paths import Paths

MONTHS_IN_YEAR = 12


@dataclass
class Explanation:
    title: str
    lines: list[str] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)  # the audit's results on the printed values


def _num(value: float | None, decimals: int = 0) -> str:
    return fmt.number(value, decimals)


def _period(row: dict) -> str:
    if row["kind"] == "stock":
        return (
            f"bestand, {wording.counted_on(row['count_date'], row.get('count_date_precision'), row['reference_year'])}"
        )
    if row["period_end"] is not None:
        return (
            f"strøm, 1. januar–{row['period_end'].day}. {fmt.month_name(row['period_end'].month)} "
            f"{row['reference_year']} ({wording.months_text(row['months_exposure'])})"
        )
    return f"strøm, {fmt.months_span(row['months_covered'])} {row['reference_year']} ({wording.months_text(row['months_covered'])})"


def _count_date(row: dict) -> str:
    return f"of {row['count_date'].isoformat()}" if row["count_date"] else "without a stated count date"


def _months(months: float) -> str:
    return _num(months, 0 if float(months).is_integer() else 2)


def explain(series: str, year: int, paths: Paths) -> Explanation:
    derived = (
        pl.read_parquet(paths.derived_figures)
        .filter((pl.col("series") == series) & (pl.col("reference_year") == year))
        .sort("observation_rank")
    )
    if derived.height == 0:
        known = pl.read_parquet(paths.derived_figures).select("series").unique().sort("series")["series"].to_list()
        raise SystemExit(f"noegletal explain: no figure for series '{series}' in {year}; series: {', '.join(known)}")
    published = pl.read_parquet(paths.validated_published).filter(
        (pl.col("series") == series) & (pl.col("reference_year") == year)
    )
    used = derived.row(0, named=True)
    out = Explanation(title=f"{series} {year}: {_num(used['value'])} ({used['status']})")

    out.lines.append("Input (the release the tables use):")
    out.lines.append(_input_line(used))
    for other in derived.filter(pl.col("observation_rank") > 1).iter_rows(named=True):
        if used["kind"] == "stock" and not wording.same_count_date(other["count_date"], used["count_date"]):
            # a head-count on another date is an observation of its own, not another value of this one
            out.lines.append(
                f"Also counted on another date ({_count_date(other)}; the tables show the count "
                f"{_count_date(used)}, params.yaml stocks.count): a count of its own, not another value of this figure:"
            )
        else:
            out.lines.append("Also released (kept for audit, not used):")
        out.lines.append(_input_line(other))

    method = wording.parse_method(used["method"]) if used["status"] == "estimated" else None
    if method and method.fell_back:
        out.lines.append(
            f"Fallback: params.yaml asked for {method.asked}, which could not be used "
            f"({method.reason}); {method.used} was used instead."
        )
    if method and method.used != "linear":
        out.lines += [
            f"Method: {method.used} — {wording.method_description(method.used)} "
            f"(params.yaml extrapolation.method; see pipeline/methods.py) from "
            f"{_num(used['observed_value'])} over {_months(used['months_exposure'])} months",
            f"Unrounded: {used['value_unrounded']!r}; rounded ({used['rounding']}): {_num(used['value'])}",
            f"For comparison, the report's linear method: {_num(used['value_linear'], 2)}",
        ]
    elif used["status"] == "estimated":
        months = _months(used["months_exposure"])
        out.lines += [
            f"Method: {method.used} — the monthly mean over the {months} months covered, times "
            f"{MONTHS_IN_YEAR}; assumes the remaining months look like the first {months}.",
            f"Formula: {_num(used['observed_value'])} / {months} = {_num(used['monthly_mean'], 2)} a month; "
            f"× {MONTHS_IN_YEAR} = {_num(used['value_unrounded'], 2)}",
            f"Unrounded: {used['value_unrounded']!r}; rounded ({used['rounding']}): {_num(used['value'])}",
        ]
    if used["status"] == "estimated":
        out.lines += _method_input_lines(used)
    else:
        out.lines.append(
            "Method: none — observed figure, used as published "
            + (
                "(a stock is never annualised)"
                if used["kind"] == "stock"
                else "(covers only part of the year, and is not the latest year of its series: shown as counted, "
                "not extrapolated; params.yaml extrapolation.past_partial_years)"
                if used["is_partial"]
                else "(covers the full year)"
            )
        )

    # A printed value is judged once, by the audit, on the data its publication had (its
    # data cut-off): its result is shown here as the audit wrote it, never judged again.
    if published.height:
        report = audit_report(paths)
        for r in report.get("revised_since", []):
            if r["figure"] == f"{series} {year}":
                out.lines.append(f"Revised since {r['publication']}: {r['reason']}")
        for pub in published.iter_rows(named=True):
            out.comparisons.extend(_audit_results(pub, report))
    return out


def audit_report(paths: Paths) -> dict:
    """The audit's results: outputs/audit/audit.json, or, before the audit stage has run, the
    same report built in memory (the audit's own code, not a second judgement)."""
    import json

    target = paths.audit / "audit.json"
    if target.exists():
        return json.loads(target.read_text(encoding="utf-8"))
    from pipeline.audit import audit_json, build

    return json.loads(audit_json(build(paths)))


@dataclass
class Comparison:
    """One value a publication printed, and the audit's result on it."""

    what: str
    computed: str
    printed: str
    verdict: str | None
    reason: str
    finding: str | None = None

    @property
    def match(self) -> bool:
        return self.verdict in ("exact", "consistent")

    def record(self) -> dict:
        return {
            "what": self.what,
            "computed": self.computed,
            "printed": self.printed,
            "match": self.match,
            "verdict": self.verdict,
            "reason": self.reason,
            "finding": self.finding,
        }


def _audit_results(pub: dict, report: dict) -> list[Comparison]:
    """The audit's result(s) on one printed value, found by what it is and where it was printed."""
    from pipeline.audit.printed_figures import published_value_id

    where = f"{pub['publication']}, {pub['location']}"
    figure = f"{pub['series']} {pub['reference_year']}"
    measure = pub["measure"]
    if measure in ("observed", "missing"):
        key = published_value_id(pub)
        return [
            Comparison(
                f"{'observed' if measure == 'observed' else 'missing'} value ({where})",
                _num(p["computed"]),
                pub["printed"],
                p["verdict"],
                p["reason"],
                p.get("finding"),
            )
            for p in report.get("published_values", [])
            if p.get("id") == key
        ]
    if measure == "full_year_estimate":
        return [
            Comparison(
                f"full-year estimate ({where})",
                _num(e["rounded"]),
                pub["printed"],
                e["verdict"],
                e["reason"],
            )
            for e in report.get("extrapolations", [])
            if e["as_of"] == pub["publication"] and e["figure"] == figure and e["published"]
        ]
    if measure == "monthly_mean":
        return [
            Comparison(
                f"monthly mean ({where}; statement {s['statement']})",
                f"{_num(s['computed'], 2)}",
                pub["printed"],
                s["verdict"],
                f"{s['formula']}; {s['reason']}",
            )
            for s in report.get("statements", [])
            if s["operation"] == "monthly_mean"
            and s["where"].startswith(pub["publication"])
            and any(i.get("series") == pub["series"] and i.get("year") == pub["reference_year"] for i in s["inputs"])
        ]
    return []


DISPERSION_RULES = {
    "estimated": "measured between the earlier final full years (Pearson χ² / (n − 2) around their log-linear "
    "trend); its uncertainty integrated over its posterior (the value shown is the posterior median)",
    "within_year": "measured within years, on earlier years with a partial and a final release (quasi-binomial "
    "Pearson dispersion); its uncertainty integrated over its posterior (the value shown is the posterior median)",
    "too_short": "too few earlier final full years and too few partial/final splits to measure: no interval",
    "too_few_events": "too few earlier years with events to measure: no interval",
    "no_fit": "no finite log-linear trend fits the earlier years, so the dispersion cannot be measured: no interval",
    "assumed_poisson": "Poisson variation (1) assumed by the interval method",
}


def _method_input_lines(row: dict) -> list[str]:
    """The method's inputs (pipeline/methods.py inputs_of): the years it fitted and left out,
    its fitted rate, the predicted rest, the dispersion, and the interval."""
    from pipeline.methods import inputs_of

    inputs = inputs_of(row)
    lines = []
    if inputs["method_years"]:
        lines.append(f"Earlier years the method used: {fmt.year_ranges(inputs['method_years'])}")
    if inputs["history_left_out"]:
        lines.append(
            f"Left out as exceptional (params.yaml extrapolation.leave_out_exceptional): "
            f"{fmt.year_ranges(inputs['history_left_out'])}"
        )
    if inputs["history_other_era"]:
        why = (
            "outside the series' window (params.yaml extrapolation.history)"
            if inputs["history_window"]
            else "from another publication (another source era)"
        )
        lines.append(f"Left out of the fits: {fmt.year_ranges(inputs['history_other_era'])} — {why}")
    if inputs["fitted_full_year"] is not None:
        lines.append(f"Fitted full-year count for {row['reference_year']}: {_num(inputs['fitted_full_year'], 2)}")
    if inputs["predicted_rest"] is not None:
        lines.append(
            f"Predicted rest of the year (mean of its predictive distribution): {_num(inputs['predicted_rest'], 2)}"
        )
    spread = inputs["dispersion"]
    if spread["rule"]:
        estimate = f"estimate {_num(spread['estimate'], 2)}, " if spread["estimate"] is not None else ""
        df = f" on {spread['degrees_of_freedom']} degrees of freedom" if spread["degrees_of_freedom"] else ""
        used = f"used {_num(spread['used'], 2)}" if spread["used"] is not None else "none used"
        lines.append(
            f"Dispersion: {estimate}{used}{df} from "
            f"{len(spread['years'])} earlier full years ({fmt.year_ranges(spread['years']) or 'none'}) — "
            f"{DISPERSION_RULES.get(spread['rule'], spread['rule'])}"
        )
    interval = inputs["interval"]
    if interval["lower"] is not None:
        what = "the annual rate" if interval["kind"] == "rate" else "the full-year count"
        lines.append(
            f"Interval ({fmt.percent(interval['level'])}, for {what}): {_num(interval['lower'], 2)}–"
            f"{_num(interval['upper'], 2)} — {interval['method']}"
        )
    elif interval["method"]:
        lines.append(f"Interval: {interval['method']}")
    return lines


def _input_line(row: dict) -> str:
    # the figure and its source in Danish (pipeline/wording/: an unknown field said as such,
    # a secondary source only when it is not the publisher itself)
    source = wording.provenance(row["publisher"], row["publication"], row["published"], row["reported_by"])
    return (
        f"  {_num(row['observed_value'])} {wording.unit_text(row['observed_value'], row['unit'], 0)}"
        f"{' (approximate: the source gives ca.)' if row.get('approximate') else ''} — {_period(row)}; {source}; "
        f"{_where(row)} [{row['release_status']}]"
    )


def _where(row: dict) -> str:
    if row["source_line"] is not None:
        return f"{row['source_file']} line {row['source_line']}"
    return f"{row['source_file']}, the sum of {_num(row['rows_aggregated'])} rows of this series and year"


COMPARISON_FIGURES = {
    "rate_dk": "the Danish rate per 100.000",
    "rate_se": "the Swedish rate per 100.000",
    "rate_ratio": "the Swedish/Danish rate ratio",
}


def explain_comparison(figure: str, year: int, paths: Paths) -> Explanation:
    """How a figure of the Denmark–Sweden comparison was made."""
    rows = pl.read_parquet(paths.derived_comparison).filter(pl.col("reference_year") == year)
    if rows.height == 0:
        raise SystemExit(f"noegletal explain: the comparison has no year {year}")
    r = rows.row(0, named=True)
    per = _num(r["per_inhabitants"])
    out = Explanation(title=f"{figure} {year}: {COMPARISON_FIGURES[figure]}")
    out.lines += [
        "Inputs:",
        f"  Sweden: {_num(r['se_count'])} ({r['se_series']}, {_months(r['se_months'] or 0)} months) — "
        f"{r['se_source']}; {r['se_location']}",
        f"  Denmark: {_num(r['dk_count'])} ({r['dk_series']}, {_months(r['dk_months'] or 0)} months) — "
        f"{r['dk_source']}; {r['dk_location']}",
        f"  Population Sweden: {_num(r['se_population'])} counted {r['se_population_date']} — {r['se_population_source']}",
        f"  Population Denmark: {_num(r['dk_population'])} counted {r['dk_population_date']} — {r['dk_population_source']}",
        f"Exposure (person-years = population × months / 12): Sweden {_num(r['se_exposure'], 1)}, "
        f"Denmark {_num(r['dk_exposure'], 1)}",
    ]
    if r["period_note"]:
        out.lines.append(f"Partial year ({r['partial_year_mode']}): {r['period_note']}")
    level = fmt.percent(r["interval_level"])
    if r["dk_rate"] is None:
        out.lines.append("No rates: a count or a population is missing for this year (see the note above).")
    elif figure == "rate_ratio":
        out.lines += [
            f"Formula: ({_num(r['se_count'])} / {_num(r['se_exposure'], 1)}) / ({_num(r['dk_count'])} / "
            f"{_num(r['dk_exposure'], 1)}) = {_num(r['rate_ratio'], 2)} ({_num(r['rate_ratio'], 1)} gange)",
            f"Interval ({level}): {_num(r['rate_ratio_lower'], 2)}–{_num(r['rate_ratio_upper'], 2)} — "
            f"{r['ratio_interval_method']}",
        ]
    else:
        side = "dk" if figure == "rate_dk" else "se"
        out.lines += [
            f"Formula: {_num(r[side + '_count'])} / {_num(r[side + '_exposure'], 1)} × {per} = "
            f"{_num(r[side + '_rate'], 4)} ({_num(r[side + '_rate'], 2)} pr. 100.000)",
            f"Interval ({level}): {_num(r[side + '_rate_lower'], 4)}–{_num(r[side + '_rate_upper'], 4)} — "
            f"{r['rate_interval_method']}",
        ]
    out.lines.append(
        "Comparability: "
        + (
            "directly comparable"
            if r["directly_comparable"]
            else f"ikke direkte sammenlignelig — {r['comparability_reason']}"
        )
    )
    return out
