"""The audit written out: audit.json (stable, so the same inputs give the same bytes) and
audit.md for reading."""

from __future__ import annotations

import json
import math

from pipeline import fmt
from pipeline.audit.records import _period_text
from pipeline.audit.verdicts import EXACT


def _clean(value):
    """JSON-safe and stable: floats rounded to 10 significant digits, dates as ISO text."""
    if isinstance(value, float):
        return None if math.isnan(value) else float(f"{value:.10g}")
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def audit_json(report: dict) -> str:
    return json.dumps(_clean(report), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def audit_markdown(report: dict) -> str:
    lines = [
        "# Audit",
        "",
        f"noegletal {report['package_version']}. Verdicts on what a publication printed: exact, "
        "consistent (up to the stated rounding), follows_older_release (the value of an older release, "
        "where the best one available at the cut-off says another), mismatch, not_checkable; a note on "
        "the data: finding.",
        "",
    ]
    lines += ["## Extrapolations", ""]
    for e in report["extrapolations"]:
        i = e["inputs"][0]
        lines.append(
            f"- **{e['figure']}**{' (as of ' + e['as_of'] + ')' if e['as_of'] else ' (latest data)'} — {e['verdict'] or 'unchecked'}: {e['formula']}, rounded ({e['rounding']}) "
            f"{fmt.number(e['rounded'])}; printed {e['published']['printed'] if e['published'] else '—'}. "
            f"Input {fmt.number(i['value'])} over {_period_text(i)}, {i['publisher']} "
            f"{i['published']} ({i['source']}). Method {e['method']}. "
            + (
                f"{fmt.percent(e['interval_level'])} interval for "
                f"{'the annual rate' if e.get('interval_kind') == 'rate' else 'the full-year count'} "
                f"{fmt.number(e['interval'][0], 2)}–{fmt.number(e['interval'][1], 2)}. "
                if e["interval"][0] is not None
                else ""
            )
            + e["reason"]
            + "."
        )
    lines += ["", "## The report's statements", ""]
    for s in report["statements"]:
        lines.append(
            f"- **{s['statement']}** ({s['where']}) — {s['verdict']}: “{s['quote']}”. {s.get('formula', '')}. {s['reason']}."
        )
    lines += ["", "## Published values against the data", ""]
    bad = [p for p in report["published_values"] if p["verdict"] != EXACT]
    lines.append(
        f"{len(report['published_values']) - len(bad)} of {len(report['published_values'])} printed values are exactly the figures the tables use."
    )
    lines += [
        f"- {p['figure']} ({p['where']}) — {p['verdict']}: {p['reason']}"
        + (f" Finding: {p['finding']}" if p.get("finding") else "")
        for p in bad
    ]
    lines += ["", "## Revised since the publication", ""]
    lines += [
        f"- **{r['figure']}** ({r['publication']}; printed {', '.join(r['printed'])}): {r['reason']}"
        for r in report["revised_since"]
    ] or ["Nothing the publications printed has been revised since."]
    lines += ["", "## Disagreements between releases of the same figure", ""]
    lines += [
        f"- **{d['figure']}** ({fmt.months(d['months']) + ' months' if d['months'] is not None else 'count ' + (d['count_date'].isoformat() if d['count_date'] else 'undated')}): {d['reason']}"
        for d in report["disagreements_between_releases"]
    ]
    lines += ["", "## The same figure in several sources (corroborations)", ""]
    lines += [f"- **{c['figure']}**: {c['reason']}" for c in report["corroborations"]] or [
        "No figure is given alike by more than one release."
    ]
    lines += ["", "## Corrections", ""]
    lines += [f"- **{c['figure']}**: {c['reason']}" for c in report["corrections"]] or [
        "No release declares that it corrects another."
    ]
    lines += ["", "## Choices resting on unknown or imprecise dates", ""]
    lines += [f"- {u['reason']}" for u in report["uncertain_dates"]]
    lines += ["", "## Sources dated before their figures", ""]
    lines += [f"- {d['figure']} ({d['release']}): {d['reason']}" for d in report["publication_dates"]]
    lines += ["", "## Count dates of stocks", ""]
    for c in report["count_dates"]:
        lines.append(f"- **{c['series']}**: {c['reason']}. Every count, by year:")
        lines += [f"  - {line}" for line in _counts_by_year(c.get("counts", []))]
    lines += [
        "",
        "## Methods against later releases (backtest)",
        "",
        "Every method on every partial-year case it can score, per months covered. Scores are scaled "
        "by the series' mean absolute change between consecutive final full years; score: the ranked "
        "probability score (the absolute error for a point forecast). Coverage: final counts inside "
        "the interval, with its exact interval counted in releases (cases from one release are not "
        "independent).",
        "",
        "| method | months | cases (releases) | mean scaled abs. error | mean scaled score | "
        "mean scaled interval score | coverage | coverage verdict |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for m in report["methods"]["summary"]:
        coverage = (
            f"{m['covered']} of {m['interval_cases']} ({fmt.number(m['coverage_lower'] * 100, 0)}–"
            f"{fmt.number(m['coverage_upper'] * 100, 0)} %, {m['interval_releases']} releases)"
            if m["interval_cases"]
            else "-"
        )
        lines.append(
            f"| {m['method']} | {fmt.months(m['months'])} | {m['cases']} ({m['releases']}) | "
            f"{fmt.number(m['mean_scaled_absolute_error'], 2)} | {fmt.number(m['mean_scaled_score'], 2)} | "
            f"{fmt.number(m['mean_scaled_interval_score'], 2)} | {coverage} | {m['coverage_verdict'] or '-'} |"
        )
    lines += ["", "Pairwise, on the cases both methods score (sign test over releases):", ""]
    for p in report["methods"]["comparisons"]:
        lines.append(
            f"- {p['method']} against {p['other']}: {p['cases']} cases from {p['releases']} releases; better on "
            f"{p['method_better_releases']} and {p['other_better_releases']} releases; "
            + (f"{p['better']} is better" if p["better"] else "cannot tell them apart")
        )
    for group in report["methods"]["headline"].get("printed", []):
        lines.append(
            f"\nThe tables' estimates from {fmt.months(group['months'])} months: {group['cases']} cases of the "
            f"tables' method ({group['releases']} releases) were extrapolated from as few months or fewer."
        )
    revised = report["methods"]["revisions"]
    lines += ["", "Preliminary full-year counts (revisions, not forecasts; not scored):", ""]
    lines += [
        f"- {r['series']} {r['reference_year']} ({r['release_id']}): {fmt.number(r['preliminary'])} → "
        f"{fmt.number(r['final'])}"
        for r in revised
    ] or ["- none"]
    rec = report["methods"]["recommendation"]
    lines += ["", f"Recommendation: {rec['method'] or 'none'} ({rec['reason']})."]
    lines += ["", "## Input files (SHA-256)", ""]
    lines += [f"- `{path}` {digest}" for path, digest in report["inputs_sha256"].items()]
    return "\n".join(lines) + "\n"


def _counts_by_year(counts: list[dict]) -> list[str]:
    """'2016: 1.257, no count date stated (rigspolitiet_2016; shown in the tables); 1.250 on
    2016-09-01 (nsk_2016_september)' — every count of each year, and the one the tables show."""
    years: dict[int, list[str]] = {}
    for c in counts:
        when = f"on {c['count_date']}" if c["count_date"] else "no count date stated"
        shown = "; shown in the tables" if c["shown"] else ""
        years.setdefault(c["year"], []).append(f"{fmt.number(c['value'])}, {when} ({', '.join(c['releases'])}{shown})")
    return [f"{year}: " + "; ".join(parts) for year, parts in sorted(years.items())]
