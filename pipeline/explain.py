"""How one figure was made: inputs with sources, method, formula, result and the published
value it is compared with. Used by `noegletal explain`."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from pipeline import fmt
from pipeline.paths import Paths

MONTHS_IN_YEAR = 12


@dataclass
class Explanation:
    title: str
    lines: list[str] = field(default_factory=list)
    comparisons: list[tuple[str, str, str, bool]] = field(default_factory=list)  # what, ours, published, match


def _num(value: float | None, decimals: int = 0) -> str:
    return fmt.number(value, decimals)


def _period(row: dict) -> str:
    if row["kind"] == "stock":
        date = row["count_date"].isoformat() if row["count_date"] else "ukendt (ikke oplyst i kilden)"
        return f"bestand, opgjort pr. {date}"
    return f"strøm, {fmt.months_span(row['months_covered'])} {row['reference_year']} ({row['months_covered']} måneder)"


def explain(series: str, year: int, paths: Paths) -> Explanation:
    derived = pl.read_parquet(paths.derived_figures).filter(
        (pl.col("series") == series) & (pl.col("reference_year") == year)
    ).sort("vintage_rank")
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
    for other in derived.filter(pl.col("vintage_rank") > 1).iter_rows(named=True):
        out.lines.append("Also released (kept for audit, not used):")
        out.lines.append(_input_line(other))

    if used["status"] == "estimated":
        months = used["months_covered"]
        out.lines += [
            f"Method: {used['method']} — the monthly mean over the {months} months covered, times "
            f"{MONTHS_IN_YEAR}; assumes the remaining months look like the first {months}.",
            f"Formula: {_num(used['observed_value'])} / {months} = {_num(used['monthly_mean'], 2)} a month; "
            f"× {MONTHS_IN_YEAR} = {_num(used['value_unrounded'], 2)}",
            f"Unrounded: {used['value_unrounded']!r}; rounded ({used['rounding']}): {_num(used['value'])}",
        ]
        if used["interval_lower"] is not None:
            out.lines.append(
                f"Interval ({fmt.percent(used['interval_level'])}): {_num(used['interval_lower'], 2)}–"
                f"{_num(used['interval_upper'], 2)} — {used['interval_method']}"
            )
        elif used["interval_method"]:
            out.lines.append(f"Interval: {used['interval_method']}")
    else:
        out.lines.append("Method: none — observed figure, used as published "
                         + ("(a stock is never annualised)" if used["kind"] == "stock" else "(covers the full year)"))

    for pub in published.iter_rows(named=True):
        out.comparisons.extend(_compare(pub, used))
    return out


def _input_line(row: dict) -> str:
    return (
        f"  {_num(row['observed_value'])} {row['unit']} — {_period(row)}; {row['publisher']}, "
        f"{row['publication']} ({row['published']}), read from {row['reported_by'] or 'the publisher'}; "
        f"{row['source_file']} line {row['source_line']} [{row['release_status']}]"
    )


def _compare(pub: dict, used: dict) -> list[tuple[str, str, str, bool]]:
    where = f"{pub['publication']}, {pub['location']}"
    measure = pub["measure"]
    if measure == "observed":
        return [(f"observed value ({where})", _num(used["observed_value"]), pub["printed"],
                 pub["value"] == used["observed_value"])]
    if measure == "full_year_estimate":
        return [(f"full-year estimate ({where})", _num(used["value"]), pub["printed"], pub["value"] == used["value"])]
    if measure == "missing":
        return [(f"missing value ({where})", _num(None if used is None else used["observed_value"]),
                 pub["printed"], used is None)]
    if measure == "monthly_mean" and used["monthly_mean"] is not None:
        exact = used["monthly_mean"]
        rounded_mean = float(_num(exact).replace(".", ""))
        back = pub["value"] * MONTHS_IN_YEAR
        return [
            (f"monthly mean ({where})", f"{_num(exact, 2)} (rounded {_num(exact)})", pub["printed"],
             pub["value"] == rounded_mean),
            (f"the quoted monthly mean × {MONTHS_IN_YEAR}", _num(back),
             f"{_num(used['value'])} (the full-year estimate uses the exact mean, not the rounded one)",
             back == used["value"]),
        ]
    return []
