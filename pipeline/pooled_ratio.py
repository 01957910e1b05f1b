"""The Swedish/Danish rate ratio over all the years compared, and whether the yearly ratios
differ more than chance would make them.

Under one rate ratio R common to every year, k1_y given n_y = k1_y + k2_y is binomial with
p_y = R·e1_y / (R·e1_y + e2_y), e the person-years (so an annualised partial year counts with
the months it covers): a binomial GLM with a logit link, the intercept log R and the offset
log(e1_y / e2_y). With one parameter the likelihood is maximised by the root of its score,
which falls monotonically in log R; scipy's binomial log-pmf gives the likelihood and its root
finder the estimate (tests/test_pooled_ratio.py checks both against statsmodels' GLM).

The interval is the profile-likelihood interval: the log R whose likelihood-ratio statistic
against the estimate stays within the χ²(1) quantile of the level. Unlike a Wald interval on
the log scale it needs no normal approximation of log R̂, which the few Danish deaths make
poor, and it still has an upper bound when no Swedish death was counted (R̂ = 0).

The homogeneity test is the model's deviance (the likelihood ratio of one ratio per year
against one common ratio) on years − 1 degrees of freedom. Its χ² reference is approximate
with counts this small; it tells a large spread from chance, not a small one."""

from __future__ import annotations

import math

import numpy as np

# the test and interval as the JSON records them (English); pipeline/wording says them in Danish
INTERVAL_METHOD = "profile_likelihood"
HOMOGENEITY_TEST = "likelihood_ratio"


def _root(f, start: float, step: float) -> float:
    """The root of f found from start: walking by doubling steps (negative: downwards) until f
    changes sign, then scipy's Brent method within that bracket."""
    from scipy import optimize

    here, f_here = start, f(start)
    for _ in range(200):
        if f_here == 0:
            return here
        there = here + step
        if (f(there) > 0) != (f_here > 0):
            return optimize.brentq(f, min(here, there), max(here, there))
        here, f_here, step = there, f(there), step * 2
    raise ArithmeticError("no sign change")  # unreachable for counts with both totals > 0


def pool(k1, e1, k2, e2, level: float) -> dict:
    """The common ratio (k1/e1) / (k2/e2) with its interval at `level`, and the homogeneity
    test, from the years' counts and exposures. Years without a count on either side (n = 0)
    carry no information and are left out (`used` marks the others); with no Danish count in
    any year the ratio is undefined (None), with no Swedish count it is 0."""
    from scipy import special, stats

    k1, e1, k2, e2 = (np.asarray(v, dtype=np.double) for v in (k1, e1, k2, e2))
    used = (k1 + k2) > 0
    k1, k2, n, offset = k1[used], k2[used], (k1 + k2)[used], np.log(e1[used] / e2[used])
    result = {
        "used": used.tolist(),
        "se_count": float(k1.sum()),
        "dk_count": float(k2.sum()),
        "rate_ratio": None,
        "rate_ratio_lower": None,
        "rate_ratio_upper": None,
        "interval_level": level,
        "interval_method": INTERVAL_METHOD,
        "test": HOMOGENEITY_TEST,
        "statistic": None,
        "df": max(int(used.sum()) - 1, 0),
        "p_value": None,
    }
    if not used.any() or k2.sum() == 0:
        return result

    def loglik(beta: float) -> float:
        return float(stats.binom.logpmf(k1, n, special.expit(beta + offset)).sum())

    critical = stats.chi2.ppf(level, 1)
    # a start near the estimate: the ratio of the summed rates
    start = math.log(max(k1.sum(), 0.5) / k2.sum() * e2[used].sum() / e1[used].sum())
    if k1.sum() == 0:  # the likelihood rises towards R = 0, where it is 1 (log 0)
        beta, top, low = -math.inf, 0.0, 0.0
    else:

        def score(b: float) -> float:  # the derivative of loglik: falls as b rises
            return float((k1 - n * special.expit(b + offset)).sum())

        beta = _root(score, start, 1.0 if score(start) > 0 else -1.0)
        top = loglik(beta)

    def beyond(b: float) -> float:
        """> 0 outside the interval; capped, as the likelihood of p = 1 (or 0) is 0."""
        return min(2 * (top - loglik(b)) - critical, 1e300)

    if k1.sum() > 0:
        low = math.exp(_root(beyond, beta, -1.0))
    else:  # from where the likelihood is within the interval: far enough towards R = 0
        inside = start
        while beyond(inside) >= 0:
            inside -= 1.0
    high = math.exp(_root(beyond, beta if k1.sum() > 0 else inside, 1.0))
    result |= {"rate_ratio": math.exp(beta), "rate_ratio_lower": low, "rate_ratio_upper": high}
    if result["df"] > 0:
        saturated = float(stats.binom.logpmf(k1, n, k1 / n).sum())
        statistic = max(2 * (saturated - top), 0.0)
        result |= {"statistic": statistic, "p_value": float(stats.chi2.sf(statistic, result["df"]))}
    return result
