"""Stage audit: every derived figure and every statement of the report, checked.

Writes outputs/audit/audit.json and audit.md. For each derived figure: its inputs (source,
months), method, formula with numbers, unrounded and rounded result, the value the report
printed, and a verdict — exact, consistent (up to the stated rounding) or mismatch — with
the reason. Then the report's statements derived from its tables, every disagreement
between releases of the same figure, the count dates behind stocks, and each method's
error where a later release gives the final count. Same inputs, byte-identical JSON."""

from __future__ import annotations

import json
import math

import polars as pl

from pipeline import __version__, fmt, metrics
from pipeline.io import staged_outputs
from pipeline.paths import Paths
from pipeline.rawfiles import file_hashes  # shared with the workbook's run sheet
from pipeline.stage import stage_main

EXACT, CONSISTENT, MISMATCH, FINDING = "exact", "consistent", "mismatch", "finding"


def round_half_up(value: float, decimals: int) -> float:
    scale = 10.0**decimals
    return math.floor(value * scale + 0.5) / scale


def verdict(computed: float, printed: float, decimals: int) -> tuple[str, str]:
    """Compare a computed number with the one printed at the precision it was printed to."""
    if math.isclose(computed, printed, abs_tol=1e-9):
        return EXACT, f"{fmt.number(printed, max(decimals, 0))} is exactly what the inputs give"
    rounded = round_half_up(computed, decimals)
    shown = fmt.number(computed, 2)
    if math.isclose(rounded, printed, abs_tol=1e-9):
        return CONSISTENT, f"{shown} rounds to {fmt.number(printed, max(decimals, 0))}"
    scale = 10.0**decimals
    truncated = math.trunc(computed * scale) / scale
    if math.isclose(truncated, printed, abs_tol=1e-9):
        return MISMATCH, (
            f"{shown} rounds to {fmt.number(rounded, max(decimals, 0))}; the printed "
            f"{fmt.number(printed, max(decimals, 0))} is truncated, not rounded"
        )
    return (
        MISMATCH,
        f"the inputs give {shown} (rounded {fmt.number(rounded, max(decimals, 0))}), not {fmt.number(printed, max(decimals, 0))}",
    )


def _years(spec: str) -> list[list[int]]:
    """'2017;2021-2024' -> [[2017], [2021, 2022, 2023, 2024]]."""
    groups = []
    for part in spec.split(";"):
        first, _, last = part.partition("-")
        groups.append(list(range(int(first), int(last or first) + 1)))
    return groups


def _input(row: dict) -> dict:
    return {
        "series": row["series"],
        "year": row["reference_year"],
        "value": row["observed_value"],
        "full_year_value": row["value_unrounded"],
        "status": row["status"],
        "months": row["months_exposure"],
        "count_date": row["count_date"],
        "kind": row["kind"],
        "release": row["release_id"],
        "publisher": row["publisher"],
        "published": row["published"],
        "reported_by": row["reported_by"],
        "source": fmt.source_location(row["source_file"], row["source_line"]),
    }


def _period(row: dict) -> str:
    """What makes two releases the same figure: a flow's part of the year, a stock's count date."""
    if row["kind"] == "stock":
        return f"count {row['count_date'].isoformat() if row['count_date'] else 'undated'}"
    return f"months {round(row['months_exposure'], 6)}"


def _period_text(row: dict) -> str:
    if row.get("kind") == "stock":
        return f"counted {row['count_date']}" if row.get("count_date") else "count date not stated"
    return f"{fmt.months(row['months'])} months"


BEFORE, AFTER, UNCERTAIN = "before", "after", "uncertain"


def availability(cutoff) -> pl.Expr:
    """Whether a figure had appeared by a publication's data cut-off: `before` when its
    publication date (a span of days) ends by the cut-off, `after` when it begins later,
    `uncertain` when the date is unknown or the span straddles the cut-off. An uncertain
    figure is taken as available, and the audit lists it. Decided figure by figure: one file
    may gather figures published on different dates."""
    return (
        pl.when(pl.col("published_end") <= cutoff)
        .then(pl.lit(BEFORE))
        .when(pl.col("published_start") > cutoff)
        .then(pl.lit(AFTER))
        .otherwise(pl.lit(UNCERTAIN))
    )


class View:
    """The figures as one vintage of the data saw them: every release in `derived`, and the
    ones the tables would select."""

    def __init__(self, derived: pl.DataFrame, publication: dict | None = None):
        self.derived = derived
        self.selected = derived.filter(pl.col("selected"))
        self.publication = publication

    @property
    def name(self) -> str | None:
        return self.publication["publication"] if self.publication else None

    def figure(self, series: str, year: int) -> dict | None:
        rows = self.selected.filter((pl.col("series") == series) & (pl.col("reference_year") == year))
        return rows.row(0, named=True) if rows.height else None


def as_of(figures: pl.DataFrame, publication: dict, params: dict, paths: Paths) -> tuple[View, pl.DataFrame]:
    """The data as a publication had it: only the releases that had appeared by its data
    cut-off, ranked and extrapolated as then, by the method the publication used. Returns the
    view and each release's availability."""
    cutoff = publication["data_cutoff"]
    marked = figures.with_columns(availability(cutoff).alias("availability"))
    known = marked.filter(pl.col("availability") != AFTER).drop("availability")
    # per release, each availability its figures have (a file of mixed dates is in several)
    releases = (
        marked.select("release_id", "published", "availability")
        .unique()
        .sort("release_id", "availability", "published", nulls_last=True)
    )
    settings = {**(params.get("extrapolation") or {}), "method": publication["method"]}
    from pipeline import extrapolate  # here, not at the top: the report imports this module for its rounding

    derived = extrapolate.extrapolate(known, settings, paths, extrapolate.stock_count(params))
    return View(derived, publication), releases


class Auditor:
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
    ):
        self.derived, self.published, self.statements = derived, published, statements
        from pipeline import extrapolate
        from pipeline.methods import estimate_all

        extrapolation = extrapolation or {}
        # every method, with its interval, on every partial figure (the backtest)
        self.interval_level = float(extrapolate.interval_spec(extrapolation)["level"])
        self.estimates = estimate_all(
            derived, extrapolate.interval_spec(extrapolation), bool(extrapolation.get("leave_out_exceptional", True))
        )
        self.selected = derived.filter(pl.col("selected"))
        self.latest = View(derived)
        self.views = views or {}
        self.availability = availability or {}

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

    # -- derived figures -------------------------------------------------------------------
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

    # -- the report's statements -----------------------------------------------------------
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
                "verdict": MISMATCH,
                "reason": f"no figure in data/raw for {series[0]} {missing}",
            }
        inputs = [_input(r) for r in rows.values()]
        full = {y: r["value_unrounded"] for y, r in rows.items()}
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
            formula = f"({' + '.join(fmt.number(v) for v in values)}) / {len(values)} = {fmt.number(sum(values))} / {len(values)} = {fmt.number(computed, 2)}"
        elif op == "monthly_mean":
            r = rows[groups[0][0]]
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
            return base | {
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
        estimated = [i for i in inputs if i["status"] == "estimated"]
        if estimated:
            reason += "; uses the full-year estimate for " + ", ".join(f"{i['series']} {i['year']}" for i in estimated)
        return base | {"inputs": inputs, "formula": formula, "computed": computed, "verdict": v, "reason": reason}

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

    # -- releases against each other ------------------------------------------------------
    def _with_period(self) -> pl.DataFrame:
        return self.derived.with_columns(
            pl.when(pl.col("kind") == "stock")
            .then(pl.lit("count ") + pl.col("count_date").cast(pl.Utf8).fill_null("undated"))
            .otherwise(pl.lit("months ") + pl.col("months_exposure").round(6).cast(pl.Utf8))
            .alias("period")
        )

    def disagreements(self) -> list[dict]:
        """Every figure held by more than one release for the same period (a flow's months, a
        stock's count date), where they differ. Generic over the data: no pair is named in code."""
        periods = self._with_period()
        groups = (
            periods.group_by("series", "reference_year", "period")
            .agg(pl.col("observed_value").n_unique().alias("distinct"), pl.len().alias("releases"))
            .filter(pl.col("distinct") > 1)
            .sort("series", "reference_year", "period")
        )
        out = []
        for g in groups.iter_rows(named=True):
            rows = periods.filter(
                (pl.col("series") == g["series"])
                & (pl.col("reference_year") == g["reference_year"])
                & (pl.col("period") == g["period"])
            ).sort("vintage_rank")
            first = rows.row(0, named=True)
            out.append(
                {
                    "figure": f"{g['series']} {g['reference_year']}",
                    "months": first["months_exposure"] if first["kind"] == "flow" else None,
                    "count_date": first["count_date"] if first["kind"] == "stock" else None,
                    "releases": [
                        _input(r) | {"release_status": r["release_status"], "selected": r["selected"]}
                        for r in rows.iter_rows(named=True)
                    ],
                    "verdict": MISMATCH,
                    "reason": "; ".join(
                        f"{r['publisher']} ({r['published'] or 'undated'}, {r['release_status']}"
                        f"{', read in ' + r['reported_by'] if r['reported_by'] else ''}): "
                        f"{fmt.number(r['observed_value'])}"
                        for r in rows.iter_rows(named=True)
                    ),
                }
            )
        return out

    def vintages(self) -> list[dict]:
        """Releases of the same figure for different periods (a partial and a full year), and a
        stock's counts on different dates (observations, not vintages)."""
        periods = self._with_period()
        multiple = (
            periods.group_by("series", "reference_year")
            .agg(pl.col("period").n_unique().alias("n"))
            .filter(pl.col("n") > 1)
            .sort("series", "reference_year")
        )
        out = []
        for g in multiple.iter_rows(named=True):
            rows = self.derived.filter(
                (pl.col("series") == g["series"]) & (pl.col("reference_year") == g["reference_year"])
            ).sort("observation_rank")
            out.append(
                {
                    "figure": f"{g['series']} {g['reference_year']}",
                    "releases": [
                        _input(r) | {"release_status": r["release_status"], "selected": r["selected"]}
                        for r in rows.iter_rows(named=True)
                    ],
                }
            )
        return out

    def revised_since(self) -> list[dict]:
        """For each publication: every figure it printed that a release published after its
        cut-off has changed (a full year where it had January–September, a revised count)."""
        out = []
        for view in self.views.values():
            printed = self.published.filter(pl.col("publication") == view.name)
            figures = sorted({(r["series"], r["reference_year"]) for r in printed.iter_rows(named=True)})
            for name, year in figures:
                then, now = view.figure(name, year), self.latest.figure(name, year)
                if now is None or (then is not None and then["release_id"] == now["release_id"]):
                    continue
                if then is not None and (then["observed_value"], _period(then)) == (
                    now["observed_value"],
                    _period(now),
                ):
                    continue
                shown = printed.filter((pl.col("series") == name) & (pl.col("reference_year") == year))
                out.append(
                    {
                        "publication": view.name,
                        "figure": f"{name} {year}",
                        "printed": shown["printed"].to_list(),
                        "then": _input(then) if then else None,
                        "now": _input(now),
                        "reason": (
                            f"{view.name} had {fmt.number(then['observed_value'])} ({_period_text(_input(then))}, "
                            f"{then['publisher']} {then['published'] or 'undated'})"
                            if then
                            else f"{view.name} had no figure"
                        )
                        + f"; now {fmt.number(now['observed_value'])} ({_period_text(_input(now))}, "
                        f"{now['publisher']} {now['published'] or 'undated'})",
                    }
                )
        return out

    def uncertain_dates(self) -> list[dict]:
        """Every choice of release that rests on a publication date that is unknown or not
        precise enough: a release taken as available to a publication though it may have
        appeared after its cut-off, and a figure whose release was chosen over another of the
        same period and status by dates that overlap or are unknown."""
        out = []
        for name, releases in self.availability.items():
            cutoff = self.views[name].publication["data_cutoff"]
            used = self.figures_used(name)
            holding = {
                r["release_id"]
                for r in self.derived.iter_rows(named=True)
                if (r["series"], r["reference_year"]) in used
            }
            for r in releases.filter(
                (pl.col("availability") == UNCERTAIN) & pl.col("release_id").is_in(sorted(holding))
            ).iter_rows(named=True):
                out.append(
                    {
                        "choice": "available_to_publication",
                        "publication": name,
                        "release": r["release_id"],
                        "published": r["published"],
                        "reason": (
                            f"{r['release_id']} has no publication date"
                            if r["published"] is None
                            else f"{r['release_id']} is dated {r['published']}, which straddles the cut-off "
                            f"{cutoff.isoformat()}"
                        )
                        + f"; taken as available to {name}",
                    }
                )
        periods = self._with_period()
        key = ["series", "reference_year", "period"]
        for g in periods.group_by(key).agg(pl.len().alias("n")).filter(pl.col("n") > 1).sort(key).iter_rows(named=True):
            rows = (
                periods.filter(
                    (pl.col("series") == g["series"])
                    & (pl.col("reference_year") == g["reference_year"])
                    & (pl.col("period") == g["period"])
                )
                .sort("vintage_rank")
                .head(2)
                .rows(named=True)
            )
            first, second = rows
            if (first["months_exposure"], first["release_status"]) != (
                second["months_exposure"],
                second["release_status"],
            ):
                continue  # decided by the period or the status, not by a date
            unknown = first["published_start"] is None or second["published_start"] is None
            overlap = (
                not unknown
                and first["published_start"] <= second["published_end"]
                and second["published_start"] <= first["published_end"]
            )
            if unknown or overlap:
                out.append(
                    {
                        "choice": "latest_release",
                        "figure": f"{g['series']} {g['reference_year']}",
                        "chosen": first["release_id"],
                        "over": second["release_id"],
                        "values_differ": first["observed_value"] != second["observed_value"],
                        "reason": f"{g['series']} {g['reference_year']}: "
                        f"{first['release_id']} ({first['published'] or 'undated'}) is taken as later than "
                        f"{second['release_id']} ({second['published'] or 'undated'}), but the dates "
                        + ("are not both known" if unknown else "overlap"),
                    }
                )
        return out

    def publication_dates(self) -> list[dict]:
        """Flows whose source is dated before the year they report on had begun: the
        citation cannot be the source of the figure."""
        rows = self.derived.filter(
            (pl.col("kind") == "flow")
            & pl.col("published_end").is_not_null()
            & (pl.col("published_end").dt.year() < pl.col("reference_year"))
        )
        return [
            {
                "figure": f"{r['series']} {r['reference_year']}",
                "release": r["release_id"],
                "published": r["published"],
                "verdict": FINDING,
                "reason": f"{r['publisher']} is cited as published {r['published']}, before the year {r['reference_year']} "
                f"it reports on had begun: the citation cannot be the source of this figure",
            }
            for r in rows.sort("series", "reference_year").iter_rows(named=True)
        ]

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
                out.append(
                    {
                        "series": series,
                        "verdict": FINDING,
                        "known": {
                            str(r["reference_year"]): r["count_date"].isoformat() for r in known.iter_rows(named=True)
                        },
                        "unknown_years": unknown,
                        "reason": (
                            "the count date is "
                            + ", ".join(
                                f"{d.isoformat()} for {y}" for y, d in zip(known["reference_year"], known["count_date"])
                            )
                            + (f" and unknown for {_span(unknown)}" if unknown else "")
                            + ": the head-counts are not known to be taken on the same date every year"
                        ),
                    }
                )
        return out

    def method_errors(self) -> dict:
        from pipeline import backtest

        out = backtest.report(self.derived, self.estimates, self.interval_level)
        out["estimates"] = self.estimates.join(
            self.selected.filter(pl.col("status") == "estimated").select("series", "reference_year", "release_id"),
            on=["series", "reference_year", "release_id"],
            how="inner",
        ).to_dicts()
        return out


def _inputs_of(row: dict) -> dict:
    from pipeline.methods import inputs_of  # here, not at the top: the report imports this module

    return inputs_of(row)


def _span(years: list[int]) -> str:
    return (
        f"{years[0]}–{years[-1]}"
        if len(years) > 2 and years == list(range(years[0], years[-1] + 1))
        else ", ".join(map(str, years))
    )


def build(paths: Paths) -> dict:
    from pipeline.params import load_params

    params = load_params(paths)
    figures = pl.read_parquet(paths.validated_figures)
    views, availability_by = {}, {}
    for publication in pl.read_parquet(paths.validated_publications).iter_rows(named=True):
        view, releases = as_of(figures, publication, params, paths)
        views[publication["publication"]] = view
        availability_by[publication["publication"]] = releases
    auditor = Auditor(
        pl.read_parquet(paths.derived_figures),
        pl.read_parquet(paths.validated_published),
        pl.read_parquet(paths.validated_statements),
        views,
        availability_by,
        params.get("extrapolation"),
    )
    sections = {
        "publications": [
            {
                "publication": name,
                "published": v.publication["published"],
                "data_cutoff": v.publication["data_cutoff"],
                "method": v.publication["method"],
                "releases": {
                    a: availability_by[name]
                    .filter(pl.col("availability") == a)["release_id"]
                    .unique(maintain_order=True)
                    .to_list()
                    for a in (BEFORE, UNCERTAIN, AFTER)
                },
            }
            for name, v in views.items()
        ],
        "extrapolations": auditor.extrapolations(),
        "published_values": auditor.published_values(),
        "statements": auditor.statements_checked(),
        "disagreements_between_releases": auditor.disagreements(),
        "vintages": auditor.vintages(),
        "publication_dates": auditor.publication_dates(),
        "count_dates": auditor.count_dates(),
        "revised_since": auditor.revised_since(),
        "uncertain_dates": auditor.uncertain_dates(),
        "methods": auditor.method_errors(),
    }
    return {
        "package_version": __version__,
        "inputs_sha256": file_hashes(paths),
        **sections,
        "summary": summarise(sections),
    }


def summarise(sections: dict) -> dict:
    counts: dict[str, dict[str, int]] = {}
    for name in (
        "extrapolations",
        "published_values",
        "statements",
        "disagreements_between_releases",
        "publication_dates",
        "count_dates",
    ):
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
    lines = [
        "# Audit",
        "",
        f"noegletal {report['package_version']}. Verdicts: exact, consistent (up to the "
        "stated rounding), mismatch, finding.",
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
    lines += [f"- {p['figure']} ({p['where']}) — {p['verdict']}: {p['reason']}" for p in bad]
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
    lines += ["", "## Choices resting on unknown or imprecise dates", ""]
    lines += [f"- {u['reason']}" for u in report["uncertain_dates"]]
    lines += ["", "## Sources dated before their figures", ""]
    lines += [f"- {d['figure']} ({d['release']}): {d['reason']}" for d in report["publication_dates"]]
    lines += ["", "## Count dates of stocks", ""]
    lines += [f"- **{c['series']}**: {c['reason']}" for c in report["count_dates"]]
    lines += [
        "",
        "## Methods against later releases (backtest)",
        "",
        "Scored on the cases every method can score (the common cases); coverage: the share of final "
        "counts inside the interval, with its exact interval.",
        "",
        "| method | common cases | mean abs. % error | mean % error | coverage | mean width | verdict |",
        "|---|---:|---:|---:|---|---:|---|",
    ]
    for m in report["methods"]["summary"]:
        coverage = (
            f"{m['covered']} of {m['interval_cases']} ({fmt.number(m['coverage_lower'] * 100, 0)}–"
            f"{fmt.number(m['coverage_upper'] * 100, 0)} %)"
            if m["interval_cases"]
            else "-"
        )
        lines.append(
            f"| {m['method']} | {m['cases']} | {fmt.number(m['mean_absolute_percent_error'], 2)} | "
            f"{fmt.number(m['mean_percent_error'], 2)} | {coverage} | "
            f"{fmt.number(m['mean_interval_width'], 1)} | {m['verdict']} |"
        )
    rec = report["methods"]["recommendation"]
    lines += ["", f"Recommendation: {rec['method'] or 'none'} ({rec['reason']})."]
    lines += ["", "## Input files (SHA-256)", ""]
    lines += [f"- `{path}` {digest}" for path, digest in report["inputs_sha256"].items()]
    return "\n".join(lines) + "\n"


def run(paths: Paths | None = None) -> None:
    paths = paths or Paths()
    report = build(paths)
    with staged_outputs() as out:
        out.write_text(paths.audit / "audit.json", to_json(report))
        out.write_text(paths.audit / "audit.md", to_markdown(report))
        metrics.write(out, paths, "backtest", metrics.backtest(report["methods"]["summary"]))


if __name__ == "__main__":
    stage_main(run, "audit")
