"""Verdicts: how a computed number is judged against the one a publication printed, at the
precision it was printed to."""

from __future__ import annotations

import math

from pipeline import fmt

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
