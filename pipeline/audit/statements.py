"""The report's statements (data/raw/statements/): each sum, change, mean or quoted pair
recomputed from the figures as of the publication's cut-off.

A statement is checked against what its publication printed: where the publication printed a
figure the statement uses (data/raw/published/) and the data at its cut-off hold another, the
statement is computed with the printed figure, and the difference is the printed value's own
result (`published_values`, its `finding`), which the statement names in `quoted`."""

from __future__ import annotations

import polars as pl

from pipeline import fmt
from pipeline.audit.printed_figures import published_value_id
from pipeline.audit.records import _input, _period_text, _years
from pipeline.audit.verdicts import CONSISTENT, EXACT, MISMATCH, NOT_CHECKABLE, round_half_up, truncated, verdict
from pipeline.audit.vintage import View


class StatementChecks:
    """The audit's section on the statements. Part of `Auditor` (pipeline/audit/auditor.py),
    whose `statements` and `view()` it reads."""

    def statements_checked(self) -> list[dict]:
        return [self.statement(s) for s in self.statements.sort("source_file", "source_line").iter_rows(named=True)]

    def statement(self, s: dict) -> dict:
        view = self.view(s["publication"])
        op, decimals = s["operation"], int(s["decimals"])
        base = {
            "statement": s["statement_id"],
            "where": f"{s['publication']}, {s['location']}",
            "quote": s["quote"],
            "operation": op,
            "printed": s["printed"],
            "printed_upper": s["printed_upper"],
            "quoted": [],  # ids of printed values the statement is checked with (published_values)
        }
        if op in ("equal", "sum"):
            operands = [float(x.replace(",", ".")) for x in s["operands"].split(";")]
            if op == "sum":
                computed = sum(operands)
                v, reason = verdict(computed, s["printed"], decimals)
                return base | {
                    "inputs": operands,
                    "formula": " + ".join(fmt.number(x) for x in operands) + f" = {fmt.number(computed)}",
                    "computed": computed,
                    "verdict": v,
                    "reason": reason,
                }
            same = len(set(operands)) == 1
            return base | {
                "inputs": operands,
                "formula": " = ".join(fmt.number(x) for x in operands),
                "computed": operands[0],
                "verdict": EXACT if same else MISMATCH,
                "reason": "the figures agree"
                if same
                else "the report gives " + " and ".join(fmt.number(x) for x in operands) + " for the same thing",
            }
        series = s["series"].split(";")
        groups = _years(s["years"])
        if op == "same_period_pair":
            return base | self._pair(view, series, groups[0][0], s)
        rows = {y: view.figure(series[0], y) for g in groups for y in g}
        missing = [y for y, r in rows.items() if r is None]
        if missing:
            return base | {
                "inputs": [],
                "computed": None,
                "verdict": NOT_CHECKABLE,
                "reason": f"no figure in data/raw for {series[0]} {missing}",
            }
        inputs, quoted = [], []
        for y, r in rows.items():
            record, quote = self._as_printed(s, series[0], y, r)
            inputs.append(record)
            if quote:
                quoted.append(quote)
        base["quoted"] = quoted
        full = {i["year"]: i["full_year_value"] for i in inputs}
        steps: dict = {}  # the computation's intermediate numbers, for whoever writes it out
        if op in ("change", "percent_change"):
            a, b = groups[0][0], groups[1][0] if len(groups) > 1 else groups[0][-1]
            computed = full[b] - full[a] if op == "change" else (full[b] - full[a]) / full[a] * 100
            formula = (
                f"{fmt.number(full[b])} − {fmt.number(full[a])} = {fmt.number(computed)}"
                if op == "change"
                else f"({fmt.number(full[b])} − {fmt.number(full[a])}) / {fmt.number(full[a])} × 100 = {fmt.number(computed, 2)} %"
            )
        elif op == "mean":
            values = [full[y] for y in groups[0]]
            computed = sum(values) / len(values)
            steps = {"values": values, "total": sum(values), "count": len(values)}
            formula = f"({' + '.join(fmt.number(v) for v in values)}) / {len(values)} = {fmt.number(sum(values))} / {len(values)} = {fmt.number(computed, 2)}"
        elif op == "monthly_mean":
            r = rows[groups[0][0]]  # a partial year: the publication's count is checked as printed
            computed = r["observed_value"] / r["months_exposure"]
            back = s["printed"] * 12
            formula = (
                f"{fmt.number(r['observed_value'])} / {fmt.number(r['months_exposure'])} = {fmt.number(computed, 2)} a month; "
                f"the printed {fmt.number(s['printed'])} × 12 = {fmt.number(back)}, while the full-year "
                f"estimate {fmt.number(r['value'])} uses the exact mean"
            )
        elif op == "ratio_to_mean":
            first, rest = full[groups[0][0]], [full[y] for y in groups[1]]
            mean = sum(rest) / len(rest)
            computed = first / mean
            steps = {"first": first, "rest": rest, "mean": mean}
            formula = (
                f"{fmt.number(first)} / (({' + '.join(fmt.number(v, 2) for v in rest)}) / {len(rest)}) = "
                f"{fmt.number(first)} / {fmt.number(mean, 2)} = {fmt.number(computed, 2)}"
            )
        elif op == "year_to_year_change_range":
            years = groups[0]
            changes = [(y, abs(full[y] - full[y - 1])) for y in years[1:]]
            outside = [(y, c) for y, c in changes if not s["printed"] <= c <= s["printed_upper"]]
            values = [full[y] for y in years]
            formula = (
                "year-to-year changes: "
                + ", ".join(f"{y}: {fmt.number(c)}" for y, c in changes)
                + f"; highest − lowest = {fmt.number(max(values))} − {fmt.number(min(values))} = "
                f"{fmt.number(max(values) - min(values))}"
            )
            ok = not outside
            steps = {
                "changes": [[y, c] for y, c in changes],
                "outside": len(outside),
                "highest": max(values),
                "lowest": min(values),
            }
            return base | {
                "steps": steps,
                "inputs": inputs,
                "formula": formula,
                "computed": [min(c for _, c in changes), max(c for _, c in changes)],
                "verdict": CONSISTENT if ok else MISMATCH,
                "reason": "every change lies in the printed range"
                if ok
                else f"{len(outside)} of {len(changes)} changes lie outside {fmt.number(s['printed'])}–"
                f"{fmt.number(s['printed_upper'])} (from {fmt.number(min(c for _, c in changes))} to "
                f"{fmt.number(max(c for _, c in changes))})",
            }
        v, reason = verdict(computed, s["printed"], decimals)
        steps |= {"rounded": round_half_up(computed, decimals), "truncated": truncated(computed, decimals)}
        for i in inputs:
            if "as_printed" in i:
                reason += (
                    f"; {i['series']} {i['year']} as the publication printed it, {fmt.number(i['value'])} "
                    f"(the data at its cut-off: {fmt.number(i['data_value'])})"
                )
        estimated = [i for i in inputs if i["status"] == "estimated"]
        if estimated:
            reason += "; uses the full-year estimate for " + ", ".join(f"{i['series']} {i['year']}" for i in estimated)
        return base | {
            "inputs": inputs,
            "formula": formula,
            "computed": computed,
            "steps": steps,
            "verdict": v,
            "reason": reason,
        }

    def _as_printed(self, s: dict, series: str, year: int, row: dict) -> tuple[dict, str | None]:
        """A figure of a statement as its publication printed it. Where the publication printed
        the full-year figure (at the statement's place, or elsewhere) and the data at its cut-off
        hold another, the statement is checked with the printed number; the printed value's
        result (its id returned) says how the two differ."""
        record = _input(row)
        if row["status"] == "estimated":
            return record, None
        printed = self.published.filter(
            (pl.col("publication") == s["publication"])
            & (pl.col("series") == series)
            & (pl.col("reference_year") == year)
            & (pl.col("measure") == "observed")
        )
        if printed.height == 0:
            return record, None
        p = printed.sort(pl.col("location") != s["location"], "source_file", "source_line").row(0, named=True)
        if p["value"] == row["observed_value"]:
            return record, None
        return record | {
            "value": p["value"],
            "full_year_value": p["value"],
            "as_printed": published_value_id(p),
            "data_value": row["observed_value"],
        }, published_value_id(p)

    def _pair(self, view: View, series: list[str], year: int, s: dict) -> dict:
        """A quoted pair of counts, e.g. Swedish against Danish killed: is each the figure in
        data/raw, and do both cover the same months?"""
        sides, notes = [], []
        for name, printed in zip(series, (s["printed"], s["printed_upper"])):
            releases = view.derived.filter((pl.col("series") == name) & (pl.col("reference_year") == year))
            hit = releases.filter(pl.col("observed_value") == printed).sort("observation_rank")
            row = hit.row(0, named=True) if hit.height else view.figure(name, year)
            sides.append(row)
            others = releases.filter(pl.col("observed_value") != printed)
            if hit.height == 0:
                notes.append(f"{name} {year}: no release holds {fmt.number(printed)}")
            for o in others.iter_rows(named=True):
                notes.append(
                    f"{name} {year}: {o['publisher']} ({o['published'] or 'undated'}, {o['release_status']}, "
                    f"{_period_text(_input(o))}) has {fmt.number(o['observed_value'])}"
                )
        months = [r["months_exposure"] if r else None for r in sides]
        same = months[0] is not None and months[0] == months[1]
        if not same:
            notes.insert(
                0,
                "not the same period: "
                + ", ".join(
                    f"{name} {_period_text(_input(r)) if r else 'has no figure'}" for name, r in zip(series, sides)
                ),
            )
        v = (
            EXACT
            if same and all(r is not None for r in sides) and not any("no release holds" in n for n in notes)
            else MISMATCH
        )
        held = ", ".join(f"{r['series']} in {r['release_id']}" for r in sides if r)
        return {
            "inputs": [_input(r) for r in sides if r],
            "formula": f"{fmt.number(s['printed'])} against {fmt.number(s['printed_upper'])}",
            "computed": [r["observed_value"] if r else None for r in sides],
            "verdict": v,
            "reason": (f"as in data/raw ({held})" if v == EXACT else "")
            + ("; other releases: " if v == EXACT and notes else "")
            + "; ".join(notes)
            if notes or v != EXACT
            else f"as in data/raw ({held}), same period",
        }
