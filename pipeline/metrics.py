"""DVC metrics: the run's headline numbers as small JSON files in outputs/metrics/, declared
under `metrics:` in dvc.yaml, so that `dvc exp show` and `dvc metrics diff` set methods and
runs side by side. One flat object of numbers per file; every key is dot-free (DVC reads a
dot as nesting and its `-S` parsing splits keys at dots): `draebte_2024`, `rate_ratio_2024`,
`linear_m9_mean_scaled_score`."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from pathlib import Path

from pipeline.paths import Paths

_NOT_IN_KEY = re.compile(r"[^0-9A-Za-z_]+")


def metrics_dir(paths: Paths) -> Path:
    return paths.outputs / "metrics"


def key(*parts) -> str:
    return _NOT_IN_KEY.sub("_", "_".join(str(p) for p in parts)).strip("_")


def _number(value) -> float | int | None:
    """A metric value: numbers only (DVC compares them), stable to 10 significant digits."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return None
    return value if isinstance(value, int) else float(f"{value:.10g}")


def keyfigures(cells: Iterable[dict]) -> dict[str, float]:
    """Each figure the tables show, `<series>_<year>`: the full-year value as printed (for a
    partial year the estimate, by the method of params.yaml)."""
    out = {}
    for c in cells:
        if (value := _number(c.get("value"))) is not None:
            out[key(c["series"], c["reference_year"])] = value
    return dict(sorted(out.items()))


COMPARISON_FIGURES = ("rate_ratio", "rate_ratio_lower", "rate_ratio_upper", "dk_rate", "se_rate")


POOLED_FIGURES = ("rate_ratio", "rate_ratio_lower", "rate_ratio_upper", "statistic", "p_value")


def comparison(figures: Iterable[dict], pooled: dict | None = None) -> dict[str, float]:
    """Per year of the comparison: the Swedish/Danish rate ratio with its interval and each
    country's rate per inhabitants (`rate_ratio_2024`, `dk_rate_2024`, …); over all the years:
    the ratio with its interval and the homogeneity test (`pooled_rate_ratio`, `pooled_p_value`)."""
    out = {
        key("pooled", name): value
        for name in POOLED_FIGURES
        if (value := _number((pooled or {}).get(name))) is not None
    }
    for row in figures:
        for name in COMPARISON_FIGURES:
            if (value := _number(row.get(name))) is not None:
                out[key(name, row["reference_year"])] = value
    return dict(sorted(out.items()))


def backtest(summary: Iterable[dict]) -> dict[str, float]:
    """Every number of the backtest's summary, per method and months covered:
    `<method>_m<months>_<column>` (`linear_m11_47_coverage`) — whatever columns
    pipeline/backtest/summary.py's summary() has."""
    out = {}
    for row in summary:
        months = f"m{fmt_months(row['months'])}"
        for column, value in row.items():
            if column not in ("method", "months") and (number := _number(value)) is not None:
                out[key(row["method"], months, column)] = number
    return dict(sorted(out.items()))


def fmt_months(months: float) -> str:
    """9.0 -> '9'; 11.47 -> '11_47' (a key's part: no dot)."""
    return key(f"{months:g}")


def write(out, paths: Paths, name: str, values: dict) -> None:
    """Into a stage's staged outputs (pipeline/io.py), moved into place with the rest."""
    out.write_text(metrics_dir(paths) / f"{name}.json", json.dumps(values, indent=2, sort_keys=True) + "\n")
