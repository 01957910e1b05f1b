"""What the publications printed, against the data as of each one's cut-off: their
extrapolations, recomputed by their own method (with the latest data's estimates beside them),
and their observed values."""

from __future__ import annotations

import polars as pl

from pipeline import fmt
from pipeline.audit.records import _input, _inputs_of
from pipeline.audit.verdicts import CONSISTENT, EXACT, MISMATCH, verdict


class PrintedFigureChecks:
    """The audit's sections on what was printed. Part of `Auditor` (pipeline/audit/auditor.py),
    whose `views`, `published`, `selected`, `view()` and `figures_used()` it reads."""

    def extrapolations(self) -> list[dict]:
        """Each publication's estimates checked as of its cut-off, by its own method; then the
        latest data's estimates that no publication printed (unchecked)."""
        out, seen = [], {}
        for view in self.views.values():
            printed = self.published.filter(pl.col("publication") == view.name)
            used = self.figures_used(view.name)
            for row in (
                view.selected.filter(pl.col("status") == "estimated")
                .sort("series", "reference_year")
                .iter_rows(named=True)
            ):
                if (row["series"], row["reference_year"]) not in used:
                    continue  # an estimate the publication had no use for
                out.append(self._extrapolation(row, view.name, printed))
                seen.setdefault((row["series"], row["reference_year"], row["release_id"]), []).append(
                    (view.name, row["method"])
                )
        for row in (
            self.selected.filter(pl.col("status") == "estimated").sort("series", "reference_year").iter_rows(named=True)
        ):
            checked = seen.get((row["series"], row["reference_year"], row["release_id"]), [])
            if any(method == row["method"] for _, method in checked):
                continue  # the same estimate, already checked above
            item = self._extrapolation(row, None, self.published.clear())
            # the same partial figure, estimated by a publication with its own method
            item["printed_by"] = [name for name, _ in checked]
            if checked:
                item["reason"] = "the latest data, by the method of params.yaml; " + ", ".join(
                    f"{name} estimated it by its own method ({method})" for name, method in checked
                )
            out.append(item)
        return out

    @staticmethod
    def _extrapolation(row: dict, publication: str | None, printed_values: pl.DataFrame) -> dict:
        printed = printed_values.filter(
            (pl.col("series") == row["series"])
            & (pl.col("reference_year") == row["reference_year"])
            & (pl.col("measure") == "full_year_estimate")
        )
        if row["method"] == "linear":
            formula = (
                f"{fmt.number(row['observed_value'])} / {fmt.months(row['months_exposure'])} × 12"
                f" = {fmt.number(row['value_unrounded'], 2)}"
            )
        else:
            formula = (
                f"{row['method']}: {fmt.number(row['observed_value'])} over {fmt.months(row['months_exposure'])} "
                f"months → {fmt.number(row['value_unrounded'], 2)}"
            )
        item = {
            "figure": f"{row['series']} {row['reference_year']}",
            "as_of": publication,
            "inputs": [_input(row)],
            "method": row["method"],
            "formula": formula,
            "unrounded": row["value_unrounded"],
            "rounded": row["value"],
            "rounding": row["rounding"],
            "interval": [row["interval_lower"], row["interval_upper"]],
            "interval_method": row["interval_method"],
            "interval_kind": row.get("interval_kind"),
            "interval_level": row.get("interval_level"),
            "method_inputs": _inputs_of(row),
            "published": None,
            "verdict": None,
            "reason": "no published value to compare with"
            if publication
            else "the latest data; no publication printed it",
        }
        if printed.height:
            p = printed.row(0, named=True)
            v, reason = verdict(row["value_unrounded"], p["value"], 0)
            item |= {
                "published": {
                    "value": p["value"],
                    "printed": p["printed"],
                    "where": f"{p['publication']}, {p['location']}",
                },
                "verdict": v,
                "reason": reason,
            }
        return item

    def published_values(self) -> list[dict]:
        out = []
        for p in self.published.filter(pl.col("measure").is_in(["observed", "missing"])).iter_rows(named=True):
            view = self.view(p["publication"])
            row = view.figure(p["series"], p["reference_year"])
            where = f"{p['publication']}, {p['location']}"
            if p["measure"] == "missing":
                ok = row is None
                out.append(
                    {
                        "figure": f"{p['series']} {p['reference_year']}",
                        "where": where,
                        "printed": p["printed"],
                        "computed": None if row is None else row["observed_value"],
                        "verdict": EXACT if ok else MISMATCH,
                        "reason": "no release holds this figure" if ok else "a release holds it, the report prints '-'",
                    }
                )
                continue
            matches = view.derived.filter(
                (pl.col("series") == p["series"])
                & (pl.col("reference_year") == p["reference_year"])
                & (pl.col("observed_value") == p["value"])
            )
            v = (
                EXACT
                if row is not None and row["observed_value"] == p["value"]
                else (CONSISTENT if matches.height else MISMATCH)
            )
            chosen = "the one its data selects" if view.name else "the one the tables use"
            reason = (
                f"equals the figure {'its data' if view.name else 'the tables'} select"
                if v == EXACT
                else f"equals release {matches['release_id'][0]}, not {chosen} "
                f"({row['release_id']}, published {row['published'] or 'undated'}: "
                f"{fmt.number(row['observed_value'])})"
                if v == CONSISTENT and row
                else "no release available to it holds this value"
                if view.name
                else "no release in data/raw holds this value"
            )
            out.append(
                {
                    "figure": f"{p['series']} {p['reference_year']}",
                    "where": where,
                    "printed": p["printed"],
                    "computed": None if row is None else row["observed_value"],
                    "verdict": v,
                    "reason": reason,
                }
            )
        return out
