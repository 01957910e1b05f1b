"""Stage audit: every derived figure and every statement of the report, checked.

Writes outputs/audit/audit.json and audit.md. For each derived figure: its inputs (source,
months), method, formula with numbers, unrounded and rounded result, the value the report
printed, and a verdict — exact, consistent (up to the stated rounding) or mismatch — with
the reason. Then the report's statements derived from its tables, every disagreement
between releases of the same figure, the count dates behind stocks, and each method's
error where a later release gives the final count. Same inputs, byte-identical JSON."""

from __future__ import annotations

import hashlib
import json
import math

import polars as pl

from pipeline import __version__, backtest, fmt
from pipeline.methods import estimate_all
from pipeline.io import staged_outputs
from pipeline.paths import Paths
from pipeline.stage import stage_main

EXACT, CONSISTENT, MISMATCH, FINDING = "exact", "consistent", "mismatch", "finding"


def round_half_up(value: float, decimals: int) -> float:
    scale = 10.0 ** decimals
    return math.floor(value * scale + 0.5) / scale


def verdict(computed: float, printed: float, decimals: int) -> tuple[str, str]:
    """Compare a computed number with the one printed at the precision it was printed to."""
    if math.isclose(computed, printed, abs_tol=1e-9):
        return EXACT, f"{fmt.number(printed, max(decimals, 0))} is exactly what the inputs give"
    rounded = round_half_up(computed, decimals)
    shown = fmt.number(computed, 2)
    if math.isclose(rounded, printed, abs_tol=1e-9):
        return CONSISTENT, f"{shown} rounds to {fmt.number(printed, max(decimals, 0))}"
    scale = 10.0 ** decimals
    truncated = math.trunc(computed * scale) / scale
    if math.isclose(truncated, printed, abs_tol=1e-9):
        return MISMATCH, (f"{shown} rounds to {fmt.number(rounded, max(decimals, 0))}; the printed "
                          f"{fmt.number(printed, max(decimals, 0))} is truncated, not rounded")
    return MISMATCH, f"the inputs give {shown} (rounded {fmt.number(rounded, max(decimals, 0))}), not {fmt.number(printed, max(decimals, 0))}"


def _years(spec: str) -> list[list[int]]:
    """'2017;2021-2024' -> [[2017], [2021, 2022, 2023, 2024]]."""
    groups = []
    for part in spec.split(";"):
        first, _, last = part.partition("-")
        groups.append(list(range(int(first), int(last or first) + 1)))
    return groups


def _input(row: dict) -> dict:
    return {
        "series": row["series"], "year": row["reference_year"], "value": row["observed_value"],
        "full_year_value": row["value_unrounded"], "status": row["status"], "months": row["months_exposure"],
        "release": row["release_id"], "publisher": row["publisher"], "published": row["published"],
        "reported_by": row["reported_by"], "source": fmt.source_location(row["source_file"], row["source_line"]),
    }


class Auditor:
    def __init__(self, derived: pl.DataFrame, published: pl.DataFrame, statements: pl.DataFrame):
        self.derived, self.published, self.statements = derived, published, statements
        self.estimates = estimate_all(derived)  # every method on every partial figure
        self.selected = derived.filter(pl.col("selected"))

    def figure(self, series: str, year: int) -> dict | None:
        rows = self.selected.filter((pl.col("series") == series) & (pl.col("reference_year") == year))
        return rows.row(0, named=True) if rows.height else None

    # -- derived figures -------------------------------------------------------------------
    def extrapolations(self) -> list[dict]:
        out = []
        for row in self.selected.filter(pl.col("status") == "estimated").sort("series", "reference_year").iter_rows(named=True):
            printed = self.published.filter(
                (pl.col("series") == row["series"]) & (pl.col("reference_year") == row["reference_year"])
                & (pl.col("measure") == "full_year_estimate"))
            item = {
                "figure": f"{row['series']} {row['reference_year']}",
                "inputs": [_input(row)],
                "method": row["method"],
                "formula": (f"{fmt.number(row['observed_value'])} / {fmt.months(row['months_exposure'])} × 12"
                            f" = {fmt.number(row['value_unrounded'], 2)}"),
                "unrounded": row["value_unrounded"], "rounded": row["value"], "rounding": row["rounding"],
                "interval": [row["interval_lower"], row["interval_upper"]], "interval_method": row["interval_method"],
                "published": None, "verdict": None, "reason": "no published value to compare with",
            }
            if printed.height:
                p = printed.row(0, named=True)
                v, reason = verdict(row["value_unrounded"], p["value"], 0)
                item |= {"published": {"value": p["value"], "printed": p["printed"], "where": f"{p['publication']}, {p['location']}"},
                         "verdict": v, "reason": reason}
            out.append(item)
        return out

    def published_values(self) -> list[dict]:
        out = []
        for p in self.published.filter(pl.col("measure").is_in(["observed", "missing"])).iter_rows(named=True):
            row = self.figure(p["series"], p["reference_year"])
            where = f"{p['publication']}, {p['location']}"
            if p["measure"] == "missing":
                ok = row is None
                out.append({"figure": f"{p['series']} {p['reference_year']}", "where": where, "printed": p["printed"],
                            "computed": None if row is None else row["observed_value"],
                            "verdict": EXACT if ok else MISMATCH,
                            "reason": "no release holds this figure" if ok else "a release holds it, the report prints '-'"})
                continue
            matches = self.derived.filter((pl.col("series") == p["series"]) & (pl.col("reference_year") == p["reference_year"])
                                          & (pl.col("observed_value") == p["value"]))
            v = EXACT if row is not None and row["observed_value"] == p["value"] else (CONSISTENT if matches.height else MISMATCH)
            reason = ("equals the figure the tables use" if v == EXACT else
                      f"equals release {matches['release_id'][0]}, not the one the tables use "
                      f"({row['release_id']}: {fmt.number(row['observed_value'])})" if v == CONSISTENT and row else
                      "no release in data/raw holds this value")
            out.append({"figure": f"{p['series']} {p['reference_year']}", "where": where, "printed": p["printed"],
                        "computed": None if row is None else row["observed_value"], "verdict": v, "reason": reason})
        return out

    # -- the report's statements -----------------------------------------------------------
    def statements_checked(self) -> list[dict]:
        return [self.statement(s) for s in self.statements.sort("source_file", "source_line").iter_rows(named=True)]

    def statement(self, s: dict) -> dict:
        op, decimals = s["operation"], int(s["decimals"])
        base = {"statement": s["statement_id"], "where": f"{s['publication']}, {s['location']}", "quote": s["quote"],
                "operation": op, "printed": s["printed"], "printed_upper": s["printed_upper"]}
        if op in ("equal", "sum"):
            operands = [float(x.replace(",", ".")) for x in s["operands"].split(";")]
            if op == "sum":
                computed = sum(operands)
                v, reason = verdict(computed, s["printed"], decimals)
                return base | {"inputs": operands, "formula": " + ".join(fmt.number(x) for x in operands)
                               + f" = {fmt.number(computed)}", "computed": computed, "verdict": v, "reason": reason}
            same = len(set(operands)) == 1
            return base | {"inputs": operands, "formula": " = ".join(fmt.number(x) for x in operands),
                           "computed": operands[0], "verdict": EXACT if same else MISMATCH,
                           "reason": "the figures agree" if same else
                           "the report gives " + " and ".join(fmt.number(x) for x in operands) + " for the same thing"}
        series = s["series"].split(";")
        groups = _years(s["years"])
        if op == "same_period_pair":
            return base | self._pair(series, groups[0][0], s)
        rows = {y: self.figure(series[0], y) for g in groups for y in g}
        missing = [y for y, r in rows.items() if r is None]
        if missing:
            return base | {"inputs": [], "computed": None, "verdict": MISMATCH,
                           "reason": f"no figure in data/raw for {series[0]} {missing}"}
        inputs = [_input(r) for r in rows.values()]
        full = {y: r["value_unrounded"] for y, r in rows.items()}
        if op in ("change", "percent_change"):
            a, b = groups[0][0], groups[1][0] if len(groups) > 1 else groups[0][-1]
            computed = full[b] - full[a] if op == "change" else (full[b] - full[a]) / full[a] * 100
            formula = (f"{fmt.number(full[b])} − {fmt.number(full[a])} = {fmt.number(computed)}" if op == "change" else
                       f"({fmt.number(full[b])} − {fmt.number(full[a])}) / {fmt.number(full[a])} × 100 = {fmt.number(computed, 2)} %")
        elif op == "mean":
            values = [full[y] for y in groups[0]]
            computed = sum(values) / len(values)
            formula = f"({' + '.join(fmt.number(v) for v in values)}) / {len(values)} = {fmt.number(sum(values))} / {len(values)} = {fmt.number(computed, 2)}"
        elif op == "monthly_mean":
            r = rows[groups[0][0]]
            computed = r["observed_value"] / r["months_exposure"]
            back = s["printed"] * 12
            formula = (f"{fmt.number(r['observed_value'])} / {fmt.number(r['months_exposure'])} = {fmt.number(computed, 2)} a month; "
                       f"the printed {fmt.number(s['printed'])} × 12 = {fmt.number(back)}, while the full-year "
                       f"estimate {fmt.number(r['value'])} uses the exact mean")
        elif op == "ratio_to_mean":
            first, rest = full[groups[0][0]], [full[y] for y in groups[1]]
            mean = sum(rest) / len(rest)
            computed = first / mean
            formula = (f"{fmt.number(first)} / (({' + '.join(fmt.number(v, 2) for v in rest)}) / {len(rest)}) = "
                       f"{fmt.number(first)} / {fmt.number(mean, 2)} = {fmt.number(computed, 2)}")
        elif op == "year_to_year_change_range":
            years = groups[0]
            changes = [(y, abs(full[y] - full[y - 1])) for y in years[1:]]
            outside = [(y, c) for y, c in changes if not s["printed"] <= c <= s["printed_upper"]]
            values = [full[y] for y in years]
            formula = ("year-to-year changes: " + ", ".join(f"{y}: {fmt.number(c)}" for y, c in changes)
                       + f"; highest − lowest = {fmt.number(max(values))} − {fmt.number(min(values))} = "
                       f"{fmt.number(max(values) - min(values))}")
            ok = not outside
            return base | {"inputs": inputs, "formula": formula, "computed": [min(c for _, c in changes), max(c for _, c in changes)],
                           "verdict": CONSISTENT if ok else MISMATCH,
                           "reason": "every change lies in the printed range" if ok else
                           f"{len(outside)} of {len(changes)} changes lie outside {fmt.number(s['printed'])}–"
                           f"{fmt.number(s['printed_upper'])} (from {fmt.number(min(c for _, c in changes))} to "
                           f"{fmt.number(max(c for _, c in changes))})"}
        v, reason = verdict(computed, s["printed"], decimals)
        estimated = [i for i in inputs if i["status"] == "estimated"]
        if estimated:
            reason += "; uses the full-year estimate for " + ", ".join(f"{i['series']} {i['year']}" for i in estimated)
        return base | {"inputs": inputs, "formula": formula, "computed": computed, "verdict": v, "reason": reason}

    def _pair(self, series: list[str], year: int, s: dict) -> dict:
        """A quoted pair of counts, e.g. Swedish against Danish killed: is each the figure in
        data/raw, and do both cover the same months?"""
        sides, notes = [], []
        for name, printed in zip(series, (s["printed"], s["printed_upper"])):
            releases = self.derived.filter((pl.col("series") == name) & (pl.col("reference_year") == year))
            hit = releases.filter(pl.col("observed_value") == printed).sort("vintage_rank")
            row = hit.row(0, named=True) if hit.height else self.figure(name, year)
            sides.append(row)
            others = releases.filter(pl.col("observed_value") != printed)
            if hit.height == 0:
                notes.append(f"{name} {year}: no release holds {fmt.number(printed)}")
            for o in others.iter_rows(named=True):
                notes.append(f"{name} {year}: {o['publisher']} ({o['published'] or 'udateret'}, {o['release_status']}, "
                             f"{fmt.months(o['months_exposure'])} months) has {fmt.number(o['observed_value'])}")
        months = [r["months_exposure"] if r else None for r in sides]
        same = months[0] is not None and months[0] == months[1]
        if not same:
            notes.insert(0, f"not the same period: {series[0]} covers {fmt.months(months[0] or 0)} months, "
                            f"{series[1]} {fmt.months(months[1] or 0)} months")
        v = EXACT if same and all(r is not None for r in sides) and not any("no release holds" in n for n in notes) else MISMATCH
        held = ", ".join(f"{r['series']} in {r['release_id']}" for r in sides if r)
        return {"inputs": [_input(r) for r in sides if r], "formula": f"{fmt.number(s['printed'])} against {fmt.number(s['printed_upper'])}",
                "computed": [r["observed_value"] if r else None for r in sides], "verdict": v,
                "reason": (f"as in data/raw ({held})" if v == EXACT else "") + ("; other releases: " if v == EXACT and notes else "")
                + "; ".join(notes) if notes or v != EXACT else f"as in data/raw ({held}), same period"}

    # -- releases against each other ------------------------------------------------------
    def disagreements(self) -> list[dict]:
        """Every figure held by more than one release for the same period, where they differ.
        Generic over the data: no pair is named in code."""
        groups = (self.derived.with_columns(pl.col("months_exposure").round(6).alias("period"))
                  .group_by("series", "reference_year", "period")
                  .agg(pl.col("observed_value").n_unique().alias("distinct"), pl.len().alias("releases"))
                  .filter(pl.col("distinct") > 1).sort("series", "reference_year", "period"))
        out = []
        for g in groups.iter_rows(named=True):
            rows = self.derived.filter((pl.col("series") == g["series"]) & (pl.col("reference_year") == g["reference_year"])
                                       & (pl.col("months_exposure").round(6) == g["period"])).sort("vintage_rank")
            out.append({"figure": f"{g['series']} {g['reference_year']}", "months": g["period"],
                        "releases": [_input(r) | {"release_status": r["release_status"], "selected": r["selected"]}
                                     for r in rows.iter_rows(named=True)],
                        "verdict": MISMATCH,
                        "reason": "; ".join(f"{r['publisher']} ({r['published'] or 'udateret'}, {r['release_status']}"
                                            f"{', read in ' + r['reported_by'] if r['reported_by'] else ''}): "
                                            f"{fmt.number(r['observed_value'])}" for r in rows.iter_rows(named=True))})
        return out

    def vintages(self) -> list[dict]:
        """Releases of the same figure for different periods (a partial and a full year)."""
        periods = (self.derived.group_by("series", "reference_year").agg(pl.col("months_exposure").n_unique().alias("n"))
                   .filter(pl.col("n") > 1).sort("series", "reference_year"))
        out = []
        for g in periods.iter_rows(named=True):
            rows = self.derived.filter((pl.col("series") == g["series"]) & (pl.col("reference_year") == g["reference_year"])).sort("vintage_rank")
            out.append({"figure": f"{g['series']} {g['reference_year']}",
                        "releases": [_input(r) | {"release_status": r["release_status"], "selected": r["selected"]}
                                     for r in rows.iter_rows(named=True)]})
        return out

    def publication_dates(self) -> list[dict]:
        """Flows published before their period could have ended."""
        rows = self.derived.filter((pl.col("kind") == "flow") & pl.col("published").is_not_null()
                                   & (pl.col("published").str.slice(0, 4).cast(pl.Int64) < pl.col("reference_year")))
        return [{"figure": f"{r['series']} {r['reference_year']}", "release": r["release_id"], "published": r["published"],
                 "verdict": FINDING,
                 "reason": f"{r['publisher']} is cited as published {r['published']}, before the year {r['reference_year']} "
                           f"it reports on had begun: the citation cannot be the source of this figure"}
                for r in rows.sort("series", "reference_year").iter_rows(named=True)]

    def count_dates(self) -> list[dict]:
        """Stocks whose count dates differ or are unknown across the years of a series."""
        out = []
        stocks = self.selected.filter((pl.col("kind") == "stock") & ~pl.col("series").str.starts_with("befolkning"))
        for series in sorted(stocks["series"].unique().to_list()):
            rows = stocks.filter(pl.col("series") == series).sort("reference_year")
            known = rows.filter(pl.col("count_date").is_not_null())
            unknown = rows.filter(pl.col("count_date").is_null())["reference_year"].to_list()
            day_months = {d.strftime("%m-%d") for d in known["count_date"].to_list()}
            if unknown or len(day_months) > 1:
                out.append({"series": series, "verdict": FINDING,
                            "known": {str(r["reference_year"]): r["count_date"].isoformat() for r in known.iter_rows(named=True)},
                            "unknown_years": unknown,
                            "reason": ("the count date is " + ", ".join(f"{d.isoformat()} for {y}" for y, d in zip(known['reference_year'], known['count_date']))
                                       + (f" and unknown for {_span(unknown)}" if unknown else "")
                                       + ": the head-counts are not known to be taken on the same date every year")})
        return out

    def method_errors(self) -> dict:
        scored = backtest.cases(self.derived, self.estimates)
        return {"cases": scored.to_dicts(), "summary": backtest.summary(scored).to_dicts(),
                "estimates": self.estimates.join(
                    self.selected.filter(pl.col("status") == "estimated").select("series", "reference_year", "release_id"),
                    on=["series", "reference_year", "release_id"], how="inner").to_dicts()}


def _span(years: list[int]) -> str:
    return f"{years[0]}–{years[-1]}" if len(years) > 2 and years == list(range(years[0], years[-1] + 1)) else ", ".join(map(str, years))


def file_hashes(paths: Paths) -> dict[str, str]:
    files = sorted(p for p in paths.raw.rglob("*") if p.is_file()) + [paths.params]
    return {paths.relative(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def build(paths: Paths) -> dict:
    auditor = Auditor(pl.read_parquet(paths.derived_figures), pl.read_parquet(paths.validated_published),
                      pl.read_parquet(paths.validated_statements))
    sections = {
        "extrapolations": auditor.extrapolations(),
        "published_values": auditor.published_values(),
        "statements": auditor.statements_checked(),
        "disagreements_between_releases": auditor.disagreements(),
        "vintages": auditor.vintages(),
        "publication_dates": auditor.publication_dates(),
        "count_dates": auditor.count_dates(),
        "methods": auditor.method_errors(),
    }
    return {"package_version": __version__, "inputs_sha256": file_hashes(paths), **sections,
            "summary": summarise(sections)}


def summarise(sections: dict) -> dict:
    counts: dict[str, dict[str, int]] = {}
    for name in ("extrapolations", "published_values", "statements", "disagreements_between_releases",
                 "publication_dates", "count_dates"):
        for item in sections[name]:
            counts.setdefault(name, {}).setdefault(item["verdict"] or "unchecked", 0)
            counts[name][item["verdict"] or "unchecked"] += 1
    return counts


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


def to_json(report: dict) -> str:
    return json.dumps(_clean(report), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def to_markdown(report: dict) -> str:
    lines = ["# Audit", "", f"noegletal {report['package_version']}. Verdicts: exact, consistent (up to the "
             "stated rounding), mismatch, finding.", ""]
    lines += ["## Extrapolations", ""]
    for e in report["extrapolations"]:
        i = e["inputs"][0]
        lines.append(f"- **{e['figure']}** — {e['verdict'] or 'unchecked'}: {e['formula']}, rounded ({e['rounding']}) "
                     f"{fmt.number(e['rounded'])}; printed {e['published']['printed'] if e['published'] else '—'}. "
                     f"Input {fmt.number(i['value'])} over {fmt.months(i['months'])} months, {i['publisher']} "
                     f"{i['published']} ({i['source']}). Method {e['method']}. "
                     + (f"Interval {fmt.number(e['interval'][0], 2)}–{fmt.number(e['interval'][1], 2)}. " if e["interval"][0] is not None else "")
                     + e["reason"] + ".")
    lines += ["", "## The report's statements", ""]
    for s in report["statements"]:
        lines.append(f"- **{s['statement']}** ({s['where']}) — {s['verdict']}: “{s['quote']}”. {s.get('formula', '')}. {s['reason']}.")
    lines += ["", "## Published values against the data", ""]
    bad = [p for p in report["published_values"] if p["verdict"] != EXACT]
    lines.append(f"{len(report['published_values']) - len(bad)} of {len(report['published_values'])} printed values are exactly the figures the tables use.")
    lines += [f"- {p['figure']} ({p['where']}) — {p['verdict']}: {p['reason']}" for p in bad]
    lines += ["", "## Disagreements between releases of the same figure", ""]
    lines += [f"- **{d['figure']}** ({fmt.months(d['months'])} months): {d['reason']}" for d in report["disagreements_between_releases"]]
    lines += ["", "## Sources dated before their figures", ""]
    lines += [f"- {d['figure']} ({d['release']}): {d['reason']}" for d in report["publication_dates"]]
    lines += ["", "## Count dates of stocks", ""]
    lines += [f"- **{c['series']}**: {c['reason']}" for c in report["count_dates"]]
    lines += ["", "## Methods against later releases (backtest)", "", "| method | cases | mean abs. error | mean abs. % error | verdict |", "|---|---:|---:|---:|---|"]
    for m in report["methods"]["summary"]:
        lines.append(f"| {m['method']} | {m['cases']} | {fmt.number(m['mean_absolute_error'], 2)} | "
                     f"{fmt.number(m['mean_absolute_percent_error'], 2)} | {m['verdict']} |")
    lines += ["", "## Input files (SHA-256)", ""]
    lines += [f"- `{path}` {digest}" for path, digest in report["inputs_sha256"].items()]
    return "\n".join(lines) + "\n"


def run(paths: Paths | None = None) -> None:
    paths = paths or Paths()
    report = build(paths)
    with staged_outputs() as out:
        out.write_text(paths.audit / "audit.json", to_json(report))
        out.write_text(paths.audit / "audit.md", to_markdown(report))


if __name__ == "__main__":
    stage_main(run, "audit")
