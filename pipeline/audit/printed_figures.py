"""What the publications printed, against the data as of each one's cut-off: their
extrapolations, recomputed by their own method (with the latest data's estimates beside them),
and their observed values."""

from __future__ import annotations

import polars as pl

from pipeline import fmt, wording
from pipeline.audit.records import _input, _inputs_of
from pipeline.audit.verdicts import AGREEING, EXACT, MISMATCH, Source, judge, verdict


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
        """Each value a publication printed, judged once against the data it had: one result
        with the verdict, its reason, both sources and, where the data at its cut-off differ,
        one Danish sentence naming both (`finding`)."""
        out = []
        for p in self.published.filter(pl.col("measure").is_in(["observed", "missing"])).iter_rows(named=True):
            view = self.view(p["publication"])
            row = view.figure(p["series"], p["reference_year"])
            where = f"{p['publication']}, {p['location']}"
            item = {
                "id": published_value_id(p),
                "figure": f"{p['series']} {p['reference_year']}",
                "where": where,
                "printed": p["printed"],
                "computed": None if row is None else row["observed_value"],
                "sources": {
                    "printed": self._printed_source(p),
                    "data": None if row is None else Source.of_release(row).record(),
                    "followed": None,
                },
                "finding": None,
            }
            if p["measure"] == "missing":
                ok = row is None
                out.append(
                    item
                    | {
                        "verdict": EXACT if ok else MISMATCH,
                        "reason": "no release holds this figure" if ok else "a release holds it, the report prints '-'",
                    }
                )
                continue
            others = [
                Source.of_release(o)
                for o in view.derived.filter(
                    (pl.col("series") == p["series"]) & (pl.col("reference_year") == p["reference_year"])
                )
                .sort("observation_rank", "vintage_rank")
                .iter_rows(named=True)
                if row is None or o["release_id"] != row["release_id"]
            ]
            judged = judge(p["value"], 0, None if row is None else Source.of_release(row), others)
            item |= {"verdict": judged["verdict"], "reason": judged["reason"]}
            item["sources"]["followed"] = judged.get("followed")
            if judged["verdict"] not in AGREEING and row is not None:
                item["finding"] = wording.data_differs_sentence(
                    item["sources"]["printed"], item["sources"]["data"], self._label(p["series"], p["reference_year"])
                )
            out.append(item)
        return out

    def _printed_source(self, p: dict) -> dict:
        publication = self.views.get(p["publication"])
        return Source(
            value=p["value"],
            publication=p["publication"],
            published=publication.publication["published"] if publication else None,
            location=p["location"],
        ).record()

    def _label(self, series: str, year: int) -> str:
        """'sårede 2017': the series' Danish label, as the data give it."""
        labels = self.labels.get(series)
        return f"{labels[:1].lower() + labels[1:]} {year}" if labels else f"{series} {year}"


def published_value_id(p: dict) -> str:
    """The key of a printed value's result: figure and where it was printed."""
    return f"{p['series']} {p['reference_year']} | {p['publication']}, {p['location']}"
