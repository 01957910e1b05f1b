"""How uncertain a full-year estimate is.

A count observed over m months is treated as a Poisson count with exposure m/12 years; the
interval is for the expected count over the whole year. That captures the randomness of the
months observed, not a change of level in the months not observed (the report's assumption
that October–December look like January–September), so it is a lower bound on the real
uncertainty. Amounts that are not counts (years of prison) get no Poisson interval."""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy.special import gammaincinv

MONTHS_IN_YEAR = 12


def exact_poisson(counts: np.ndarray, months: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Garwood's exact (central) interval for a Poisson rate, per full year: the gamma
    quantiles k ↦ Γ⁻¹(k, α/2) and Γ⁻¹(k + 1, 1 − α/2) (the same as statsmodels'
    confint_poisson 'exact-c', without importing statsmodels on this path)."""
    alpha = 1 - level
    counts = np.asarray(counts, dtype=float)
    low = np.where(counts > 0, gammaincinv(np.maximum(counts, 1e-300), alpha / 2), 0.0)
    high = gammaincinv(counts + 1, 1 - alpha / 2)
    exposure = np.asarray(months, dtype=float) / MONTHS_IN_YEAR
    return low / exposure, high / exposure


def poisson_glm(counts: np.ndarray, months: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Model-based: a Poisson GLM (log link) with log(exposure) as offset, Wald interval on
    the log scale, transformed back. Undefined for a zero count (the estimate is -inf)."""
    import statsmodels.api as sm

    low = np.full(len(counts), np.nan)
    high = np.full(len(counts), np.nan)
    for i, (count, m) in enumerate(zip(counts, months)):
        if count <= 0:
            continue
        model = sm.GLM([count], [[1.0]], family=sm.families.Poisson(),
                       offset=[math.log(m / MONTHS_IN_YEAR)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # one observation: no dispersion to estimate
            fit = model.fit()
        lo, hi = fit.conf_int(alpha=1 - level)[0]
        low[i], high[i] = math.exp(lo), math.exp(hi)
    return low, high


INTERVAL_METHODS = {
    "exact_poisson": (exact_poisson, "eksakt Poisson-interval (Garwood) på det observerede antal, skaleret til 12 måneder"),
    "poisson_glm": (poisson_glm, "Poisson-GLM (statsmodels) med log(eksponering) som offset, Wald-interval på log-skala"),
}
