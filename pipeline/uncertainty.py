"""How uncertain a full-year estimate is.

A partial-year count is a full-year count of which part is already known: the months observed
are counted, the months not yet observed are predicted. The prediction interval of the
full year is therefore the observed count plus an interval for the rest, and its lower bound
is never below the count already observed.

The rest is a count with two sources of spread:
- the months themselves vary (process variation): a Poisson count varies with variance equal
  to its mean; counts of gang violence vary more, by a factor, the dispersion φ;
- the level of the rest is itself estimated (estimation variation), by each method in its
  own way (pipeline/methods.py gives the mean of the rest and its variance).

Where the extra variation sits decides which φ is right. If a whole year runs high or low
(a gang conflict), the months already observed show that year's level, and a method that
scales them (linear, seasonal_share) needs only the variation *within* a year; annual totals
would overstate it. If the months themselves cluster, the variation within the year is the
variation. Annual totals cannot tell the two apart; a year with both a partial and a final
release can. So φ is measured:
- within years, where at least `min_split_years` earlier years have a partial and a final
  release: how much the partial counts stray from their share of the final count, beyond
  binomial chance (the quasi-binomial Pearson dispersion, one term per year);
- else between years: Pearson's χ² of a log-linear Poisson fit to the earlier final full
  years over its degrees of freedom (the quasi-Poisson dispersion). It includes any
  variation of a year's level, so for linear and seasonal_share it is an upper bound of the
  variation within the year, and the interval may be wider than needed; for trend, which
  predicts the rest from earlier years and not from the months observed, it is the right one.

An estimate of φ is uncertain (with five earlier years it rests on three degrees of
freedom). Its uncertainty is integrated out, not patched: with a 1/φ prior on φ ≥ 1 (counts of
events vary at least as a Poisson count does), the posterior of φ given the Pearson estimate
on d degrees of freedom is d·φ̂/χ²_d restricted to φ ≥ 1, and the rest's distribution is the
mixture, over that posterior, of negative binomials with the rest's mean and variance
φ·(mean + scaled part of the estimation variance) + fixed part. An estimate above 1 thus
keeps its size, and one below 1 is not lifted by a factor. Where φ cannot be measured at all
(fewer than `min_history_years` earlier full years and no splits, or too few years with
events), no interval is given, and every note says why: assuming Poisson variation there
would print a narrow interval the data do not support.

The `poisson` interval method assumes φ = 1 everywhere, as asked. The older intervals for
the annual *rate* (the observed count's Poisson interval scaled to 12 months) remain as
choices, labelled as rate intervals; they are not intervals for the full-year figure.
Amounts that are not counts (years of prison) get no interval. benchmarks/coverage.md shows
by simulation what each interval covers."""

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


# The posterior of φ is represented by this many equally likely values (quantile midpoints):
# enough that the 2,5 % and 97,5 % quantiles of the mixture move by less than one event
# against 4.096 nodes for the Danish series' sizes (tests/test_intervals.py checks).
POSTERIOR_NODES = 256
# Rules under which a full-year interval is given (the others give none, and say why).
WITH_INTERVAL = ("within_year", "estimated", "assumed_poisson")
NO_INTERVAL_RULES = ("too_short", "too_few_events", "no_fit")


@dataclass(frozen=True)
class Dispersion:
    """How much more than a Poisson count a series varies, as an interval uses it.

    rule: 'within_year' (measured on earlier partial/final splits), 'estimated' (on earlier
    full years), 'assumed_poisson' (the `poisson` interval method), or, without an interval,
    'too_short' (too few earlier years and splits) and 'too_few_events'."""

    estimate: float | None  # the Pearson estimate, if any
    df: int | None  # its degrees of freedom, where the interval uses it
    years: tuple[int, ...]  # the earlier years it rests on
    rule: str

    @property
    def has_interval(self) -> bool:
        return self.rule in WITH_INTERVAL

    def nodes(self) -> np.ndarray:
        """Equally likely values of φ under its posterior (module docstring); [1] for Poisson."""
        if self.rule == "assumed_poisson" or not self.df:
            return np.ones(1)
        from scipy.stats import chi2

        # φ ≥ 1 ⇔ χ²_d ≤ d·φ̂: the χ² draws are restricted to below that point. A Pearson
        # estimate of 0 (years on the trend exactly) is taken as a very small one: the
        # posterior then has a Pareto tail of index d/2 above 1.
        scale = self.df * max(float(self.estimate), 1e-9)
        top = chi2.cdf(scale, self.df)
        u = (np.arange(POSTERIOR_NODES) + 0.5) / POSTERIOR_NODES * top
        return np.maximum(scale / chi2.ppf(u, self.df), 1.0)

    @property
    def used(self) -> float | None:
        """The posterior median of φ (what explain shows as the value used); None without
        an interval."""
        if not self.has_interval:
            return None
        if self.rule == "assumed_poisson" or not self.df:
            return 1.0
        from scipy.stats import chi2

        scale = self.df * max(float(self.estimate), 1e-9)
        return stated(max(scale / chi2.ppf(chi2.cdf(scale, self.df) / 2, self.df), 1.0))


def split_dispersion(parts, totals, shares) -> float | None:
    """The quasi-binomial Pearson dispersion of partial counts `parts` of final counts
    `totals`, each expected to hold `shares` of its year: Σ (x − n·p)² / (n·p·(1 − p)) over the
    years with events, divided by their number (p is given, not fitted: no degree of freedom
    is spent). 1 for binomial chance; None without a year with events."""
    parts, totals, shares = (np.asarray(v, dtype=float) for v in (parts, totals, shares))
    usable = (totals > 0) & (shares > 0) & (shares < 1)
    if not usable.any():
        return None
    x, n, p = np.minimum(parts, totals)[usable], totals[usable], shares[usable]
    return stated(float(np.sum((x - n * p) ** 2 / (n * p * (1 - p)))) / int(usable.sum()))


def dispersion(
    fit: HistoryFit | None,
    years: tuple[int, ...],
    min_years: int,
    overdispersion: bool,
    events: int | None = None,
    splits: tuple[tuple[int, float, float, float], ...] = (),
    min_splits: int = 3,
) -> Dispersion:
    """The dispersion an interval uses, by the rule the module docstring states. `years`: the
    earlier full years there are (the fit exists only where two of them have events);
    `splits`: (year, partial count, final count, share of the year) of earlier years with both,
    given only to a method that scales the months observed."""
    estimate = fit.pearson_dispersion if fit else None
    if not overdispersion:
        return Dispersion(estimate, None, years, "assumed_poisson")
    within = split_dispersion(*zip(*[s[1:] for s in splits])) if len(splits) >= min_splits else None
    if within is not None:
        used = tuple(s[0] for s in splits if s[2] > 0)
        return Dispersion(within, len(used), used, "within_year")
    if len(years) < min_years:
        return Dispersion(estimate, None, years, "too_short")
    if fit is None or estimate is None:  # enough years, but too few with events, or no fit
        rule = "no_fit" if events is not None and events >= 2 else "too_few_events"
        return Dispersion(estimate, None, years, rule)
    return Dispersion(estimate, len(years) - 2, years, "estimated")


# --- the prediction interval of the full year -------------------------------------------------


def _component_cdf(rest: np.ndarray, means: np.ndarray, variances: np.ndarray) -> np.ndarray:
    """P(rest count ≤ `rest`) for counts with these means and variances: negative binomial
    where they vary more than a Poisson count, else Poisson (arrays of one shape)."""
    from scipy.stats import nbinom, poisson

    over = variances > means * (1 + 1e-12)
    p = np.where(over, means / np.where(over, variances, 1.0), 0.5)
    size = np.where(over, means * p / (1 - p), 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        cdf = np.where(over, nbinom.cdf(rest, size, p), poisson.cdf(rest, np.maximum(means, 0)))
    return np.where(means > 0, cdf, np.where(rest >= 0, 1.0, 0.0))


def _component_ppf(q: float, means: np.ndarray, variances: np.ndarray) -> np.ndarray:
    from scipy.stats import nbinom, poisson

    over = variances > means * (1 + 1e-12)
    p = np.where(over, means / np.where(over, variances, 1.0), 0.5)
    size = np.where(over, means * p / (1 - p), 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ppf = np.where(over, nbinom.ppf(q, size, p), poisson.ppf(q, np.maximum(means, 0)))
    return np.where(means > 0, ppf, 0.0)


def _moments(means, scaled, fixed, phis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per estimate (rows) and value of φ (columns): the rest's mean and variance."""
    means = np.asarray(means, dtype=float)[:, None]
    variances = rest_variance(
        means, np.asarray(scaled, dtype=float)[:, None], np.asarray(fixed, dtype=float)[:, None], phis
    )
    return np.broadcast_to(means, variances.shape), variances


def rest_quantiles(means, scaled, fixed, phis: np.ndarray, q: float) -> np.ndarray:
    """The q-quantile of each rest: the smallest count whose mixture CDF (the mean over the
    columns of `phis`, equally likely values of φ per row) reaches q, by bisection between the
    smallest and largest quantile of the mixture's parts (the mixture's lies between them)."""
    m, v = _moments(means, scaled, fixed, phis)
    low = np.nanmin(_component_ppf(q, m, v), axis=1)
    high = np.nanmax(_component_ppf(q, m, v), axis=1)
    bad = ~(np.isfinite(low) & np.isfinite(high))
    low, high = np.where(bad, 0.0, low), np.where(bad, 0.0, high)
    while (open_ := low < high).any():
        mid = np.floor((low + high) / 2)
        reached = _component_cdf(mid[:, None], m, v).mean(axis=1) >= q
        high = np.where(open_ & reached, mid, high)
        low = np.where(open_ & ~reached, mid + 1, low)
    return np.where(bad, np.nan, low)


def full_year_intervals(
    observed, rest_means, scaled, fixed, spreads: list[Dispersion], level: float
) -> tuple[np.ndarray, np.ndarray]:
    """The observed counts plus the central `level` interval of their rests, each rest's φ
    integrated over its posterior (`spreads`, one per estimate)."""
    alpha = 1 - level
    observed = np.asarray(observed, dtype=float)
    if not len(spreads):
        return observed.copy(), observed.copy()
    nodes = [s.nodes() for s in spreads]
    width = max(len(n) for n in nodes)
    phis = np.stack([np.resize(n, width) for n in nodes])  # a single φ repeated: the same mixture
    return (
        observed + rest_quantiles(rest_means, scaled, fixed, phis, alpha / 2),
        observed + rest_quantiles(rest_means, scaled, fixed, phis, 1 - alpha / 2),
    )


def full_year_cdf(row, values) -> np.ndarray | None:
    """P(full-year count <= v) for each of `values`, under the predictive distribution whose
    central part is the estimate's full-year interval; None where the estimate has no
    full-year interval. `row`: one estimate as methods.with_intervals gives it, with its
    `observed_value` (the backtest and the coverage study score forecasts with this)."""
    if row.get("interval_kind") != "full_year" or row.get("rest_mean") is None:
        return None
    spread = Dispersion(row.get("dispersion_estimate"), row.get("dispersion_df"), (), row.get("dispersion_rule") or "")
    rest = np.floor(np.asarray(values, dtype=float) - float(row["observed_value"]))
    mean = np.full(rest.shape, float(row["rest_mean"]))
    total = np.zeros(rest.shape)
    phis = spread.nodes()
    for phi in phis:  # one value of φ at a time: memory in the number of values, not times the nodes
        variance = rest_variance(mean, float(row["rest_var_scaled"]), float(row["rest_var_fixed"]), phi)
        total += _component_cdf(rest, mean, variance)
    return np.where(rest >= 0, total / len(phis), 0.0)


def rest_variance(rest_mean, scaled, fixed, phi):
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
        "prediction interval for the full-year count: the observed count plus quantiles of "
        "the rest, a negative binomial mixed over the posterior of its dispersion (measured within "
        "years on earlier partial/final splits, else between earlier full years; none where it "
        "cannot be measured), with process and estimation variance",
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
