"""How uncertain a full-year estimate is.

A partial-year count is a full-year count of which part is already known: the months observed
are counted, the months not yet observed are predicted. The prediction interval of the
full year is therefore the observed count plus an interval for the rest, and its lower bound
is never below the count already observed.

The rest is a count whose distribution has two sources of spread:
- the months themselves vary (process variation): a Poisson count would vary with variance
  equal to its mean; counts of gang violence vary more, by a factor, the dispersion φ,
  estimated from how much the series' own earlier full years vary around their log-linear
  trend (Pearson's χ² over its degrees of freedom, the quasi-Poisson dispersion);
- the level of the rest is itself estimated (estimation variation), by each method in its
  own way (pipeline/methods.py gives the mean of the rest and its variance).

Both are combined into a negative binomial distribution with the same mean and variance
(the Poisson–gamma mixture: for the linear method with φ = 1 it is exactly the predictive
distribution of a Poisson rate under a Jeffreys prior), and its quantiles bound the rest.

With few earlier years the dispersion is poorly known: its estimate is scaled up by
(t/z)², as a t-interval widens a normal one, so that the interval keeps its level; with
fewer than `min_history_years` the series is assumed to vary like a Poisson count, and
every note says so, since that interval may be too narrow.

The older intervals for the annual *rate* (the observed count's Poisson interval scaled to
12 months) remain as choices, labelled as rate intervals; they are not intervals for the
full-year figure. Amounts that are not counts (years of prison) get no interval."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

MONTHS_IN_YEAR = 12
# Jeffreys' prior for a Poisson rate adds half an event: a rest predicted from zero observed
# events is not certainly zero.
JEFFREYS = 0.5
# What statsmodels fits is stated to 12 significant digits, here where it is computed and
# nowhere else. Its fits solve with numpy's linear algebra, i.e. OpenBLAS, whose kernel is
# chosen for the CPU (Haswell, SkylakeX, Prescott, …: OPENBLAS_CORETYPE), and the kernels
# round differently: the 13th to 17th digits of a dispersion estimate differ from machine to
# machine, and with them data/derived/figures_full_year.parquet, outputs/data/keyfigures.*
# and dvc.lock. 12 digits are far below the fit's own tolerance (IRLS stops at a relative
# change of 1e-8) and far beyond what any output shows. Everything computed from these
# numbers later is the same on every machine (scipy's quantiles and plain arithmetic, no BLAS).
SIGNIFICANT_DIGITS = 12


def stated(value: float) -> float:
    """`value` rounded to SIGNIFICANT_DIGITS significant digits (0, inf and nan as they are);
    decimal rounding in Python's own correctly rounded conversion, the same everywhere."""
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.{SIGNIFICANT_DIGITS - 1}e}")


# --- the dispersion and the log-linear fit of earlier full years ------------------------------


@dataclass(frozen=True)
class HistoryFit:
    """A Poisson regression of earlier full-year counts on the year (log link)."""

    years: tuple[int, ...]
    counts: tuple[float, ...]
    intercept: float
    slope: float
    centre: float  # the mean year, so that the two estimates are nearly uncorrelated
    covariance: tuple[tuple[float, float], tuple[float, float]]  # at dispersion 1
    pearson_dispersion: float | None  # χ² / (n − 2); None with fewer than 3 years

    def expected(self, year: int) -> float:
        """The fitted full-year count in `year` (inf where the trend runs beyond any count)."""
        log = self.intercept + self.slope * (year - self.centre)
        return math.exp(log) if log < 700 else math.inf

    def log_variance(self, year: int) -> float:
        """The variance of the fitted log count in `year`, at dispersion 1: x'Σx for x = (1, d),
        written out (a product through numpy would go through BLAS, whose kernels round
        differently on different CPUs; see SIGNIFICANT_DIGITS)."""
        d = year - self.centre
        (c00, c01), (c10, c11) = self.covariance
        return c00 + (c01 + c10) * d + c11 * d * d


def _poisson_glm():
    """statsmodels' GLM and Poisson family, imported only when a figure is fitted and from
    their own modules: `statsmodels.api` would also import the time-series, plotting and
    formula parts, a second or more of a stage's start on a loaded machine."""
    from statsmodels.genmod.families import Poisson
    from statsmodels.genmod.generalized_linear_model import GLM

    return GLM, Poisson


def fit_history(years: list[int], counts: list[float]) -> HistoryFit:
    """The log-linear Poisson fit of `counts` (two or more years) on `years`, its numbers
    stated to SIGNIFICANT_DIGITS."""
    GLM, Poisson = _poisson_glm()
    from statsmodels.tools.tools import add_constant

    y = np.asarray(counts, dtype=float)
    t = np.asarray(years, dtype=float)
    centre = float(t.mean())
    x = add_constant(t - centre, has_constant="add")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # perfect fits and all-zero years warn; handled below
        fit = GLM(y, x, family=Poisson()).fit()
    df = len(y) - 2
    pearson = stated(fit.pearson_chi2 / df) if df > 0 else None
    cov = np.asarray(fit.cov_params())
    return HistoryFit(
        tuple(int(v) for v in years),
        tuple(float(v) for v in y),
        stated(fit.params[0]),
        stated(fit.params[1]),
        centre,
        ((stated(cov[0, 0]), stated(cov[0, 1])), (stated(cov[1, 0]), stated(cov[1, 1]))),
        pearson if pearson is not None and math.isfinite(pearson) else None,
    )


@dataclass(frozen=True)
class Dispersion:
    """How much more than a Poisson count a series varies, as used by an interval."""

    used: float  # the factor the interval uses (≥ 1)
    estimate: float | None  # the Pearson estimate from the earlier years, if any
    years: tuple[int, ...]  # the earlier full years it rests on
    rule: str  # 'estimated' | 'floor' (estimate below 1) | 'too_short' | 'assumed_poisson'


def dispersion(
    fit: HistoryFit | None, years: tuple[int, ...], level: float, min_years: int, overdispersion: bool
) -> Dispersion:
    """The dispersion an interval uses, by the rule the module docstring states. `years`: the
    earlier full years there are (the fit exists only where two of them have events)."""
    estimate = fit.pearson_dispersion if fit else None
    if not overdispersion:
        return Dispersion(1.0, estimate, years, "assumed_poisson")
    if len(years) < min_years:
        return Dispersion(1.0, estimate, years, "too_short")
    if fit is None or estimate is None:  # enough years, but too few of them with events
        return Dispersion(1.0, estimate, years, "too_few_events")
    from scipy.stats import norm, t

    quantile = 1 - (1 - level) / 2
    widen = (t.ppf(quantile, len(years) - 2) / norm.ppf(quantile)) ** 2
    scaled = fit.pearson_dispersion * widen
    if scaled <= 1:
        return Dispersion(1.0, fit.pearson_dispersion, years, "floor")
    return Dispersion(float(scaled), fit.pearson_dispersion, years, "estimated")


# --- the prediction interval of the full year -------------------------------------------------


def rest_quantiles(means: np.ndarray, variances: np.ndarray, q: float) -> np.ndarray:
    """The q-quantile of counts with these means and variances: negative binomial where they
    vary more than a Poisson count, else Poisson (vectorised: one call for every estimate)."""
    from scipy.stats import nbinom, poisson

    means = np.asarray(means, dtype=float)
    variances = np.asarray(variances, dtype=float)
    over = variances > means * (1 + 1e-12)
    p = np.where(over, means / np.where(over, variances, 1.0), 0.5)
    size = np.where(over, means * p / (1 - p), 1.0)
    with np.errstate(invalid="ignore"):
        return np.where(means > 0, np.where(over, nbinom.ppf(q, size, p), poisson.ppf(q, np.maximum(means, 0))), 0.0)


def full_year_intervals(
    observed: np.ndarray, rest_means: np.ndarray, rest_variances: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """The observed counts plus the central `level` interval of their rests."""
    alpha = 1 - level
    observed = np.asarray(observed, dtype=float)
    return (
        observed + rest_quantiles(rest_means, rest_variances, alpha / 2),
        observed + rest_quantiles(rest_means, rest_variances, 1 - alpha / 2),
    )


def full_year_cdf(row, values) -> np.ndarray | None:
    """P(full-year count <= v) for each of `values`, under the predictive distribution whose
    central part is the estimate's full-year interval; None where the estimate has no
    full-year interval. `row`: one estimate as methods.with_intervals gives it, with its
    `observed_value` (the backtest and the coverage study score forecasts with this)."""
    if row.get("interval_kind") != "full_year" or row.get("rest_mean") is None:
        return None
    from scipy.stats import nbinom, poisson

    values = np.asarray(values, dtype=float)
    mean = float(row["rest_mean"])
    variance = rest_variance(
        mean, float(row["rest_var_scaled"]), float(row["rest_var_fixed"]), float(row["dispersion_used"] or 1.0)
    )
    rest = np.floor(values - float(row["observed_value"]))
    if mean <= 0:
        return np.where(rest >= 0, 1.0, 0.0)
    if variance > mean * (1 + 1e-12):
        p = mean / variance
        cdf = nbinom.cdf(rest, mean * p / (1 - p), p)
    else:
        cdf = poisson.cdf(rest, mean)
    return np.where(rest >= 0, cdf, 0.0)


def rest_variance(rest_mean: float, scaled: float, fixed: float, phi: float) -> float:
    """Process variation φ·mean plus the method's estimation variance (its `scaled` part
    grows with φ, its `fixed` part does not)."""
    return phi * (rest_mean + scaled) + fixed


# --- the older intervals for the annual rate --------------------------------------------------


def exact_poisson(counts: np.ndarray, months: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Garwood's exact (central) interval for a Poisson rate, per full year: the gamma
    quantiles k ↦ Γ⁻¹(k, α/2) and Γ⁻¹(k + 1, 1 − α/2) (the same as statsmodels'
    confint_poisson 'exact-c', without importing statsmodels on this path)."""
    from scipy.special import gammaincinv

    alpha = 1 - level
    counts = np.asarray(counts, dtype=float)
    low = np.where(counts > 0, gammaincinv(np.maximum(counts, 1e-300), alpha / 2), 0.0)
    high = gammaincinv(counts + 1, 1 - alpha / 2)
    exposure = np.asarray(months, dtype=float) / MONTHS_IN_YEAR
    return low / exposure, high / exposure


def poisson_glm(counts: np.ndarray, months: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Model-based: a Poisson GLM (log link) with log(exposure) as offset, Wald interval on
    the log scale, transformed back. Undefined for a zero count (the estimate is -inf)."""
    GLM, Poisson = _poisson_glm()

    low = np.full(len(counts), np.nan)
    high = np.full(len(counts), np.nan)
    for i, (count, m) in enumerate(zip(counts, months)):
        if count <= 0:
            continue
        model = GLM([count], [[1.0]], family=Poisson(), offset=[math.log(m / MONTHS_IN_YEAR)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # one observation: no dispersion to estimate
            fit = model.fit()
        lo, hi = fit.conf_int(alpha=1 - level)[0]
        low[i], high[i] = stated(math.exp(lo)), stated(math.exp(hi))
    return low, high


# params.yaml extrapolation.interval.method -> (kind, what it is, in English for explain and
# the JSON; pipeline/wording/ says it in Danish for readers)
INTERVAL_METHODS = {
    "negative_binomial": (
        "full_year",
        "prediction interval for the full-year count: the observed count plus "
        "negative binomial quantiles of the rest (process and estimation variance, dispersion "
        "from the series' earlier full years)",
    ),
    "poisson": (
        "full_year",
        "prediction interval for the full-year count: the observed count plus quantiles of "
        "the rest, assuming Poisson variation (no overdispersion)",
    ),
    "exact_poisson_rate": (
        "rate",
        "interval for the annual rate: Garwood's exact Poisson interval of the observed count, scaled to 12 months",
    ),
    "poisson_glm_rate": (
        "rate",
        "interval for the annual rate: Poisson GLM with log(exposure) offset, Wald on the log scale",
    ),
}
RATE_INTERVALS = {"exact_poisson_rate": exact_poisson, "poisson_glm_rate": poisson_glm}
