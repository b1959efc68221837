"""Latency statistics that can be trusted: percentiles with distribution-free confidence intervals.

A percentile estimated from n samples is an order statistic; the ranks that bracket the true
percentile with a given confidence follow from the binomial distribution alone, whatever the
latency distribution is. That is what lets the harness stop when it knows enough (the interval
of the percentile that matters is narrow enough) instead of after a fixed iteration count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

CONFIDENCE = 0.95


def binomial_cdf(n: int, q: float) -> np.ndarray:
    """P(Binomial(n, q) <= k) for k = 0..n, computed in log space (stable for large n)."""
    k = np.arange(n + 1, dtype=float)
    steps = np.log(n - k[1:] + 1.0) - np.log(k[1:])  # log C(n,k) = sum of these up to k
    log_choose = np.concatenate(([0.0], np.cumsum(steps)))
    log_pmf = log_choose + k * math.log(q) + (n - k) * math.log1p(-q)
    log_pmf -= log_pmf.max()
    pmf = np.exp(log_pmf)
    return np.cumsum(pmf) / pmf.sum()


def quantile_ci_ranks(
    n: int, q: float, confidence: float = CONFIDENCE
) -> tuple[int | None, int | None]:
    """1-based ranks (lo, hi) so that X(lo) <= true q-quantile <= X(hi) with `confidence`.

    A bound is None when n is too small to give it (e.g. fewer than 299 samples for any
    upper bound on p99 at one-sided 95%).
    """
    if n <= 0:
        return None, None
    alpha = (1.0 - confidence) / 2.0
    cdf = binomial_cdf(n, q)  # cdf[k] = P(B <= k)
    # P(X(l) <= xi) = P(B >= l) = 1 - cdf[l-1] >= 1 - alpha  <=>  cdf[l-1] <= alpha
    lows = np.nonzero(cdf[:n] <= alpha)[0]
    lo = int(lows[-1]) + 1 if lows.size else None
    # P(X(u) >= xi) = P(B <= u-1) = cdf[u-1] >= 1 - alpha
    highs = np.nonzero(cdf[:n] >= 1.0 - alpha)[0]
    hi = int(highs[0]) + 1 if highs.size else None
    return lo, hi


@dataclass(frozen=True)
class Percentile:
    """One percentile of a sample with its confidence interval (None where n is too small)."""

    q: float
    value: float
    ci_low: float | None
    ci_high: float | None

    @property
    def relative_half_width(self) -> float:
        """Half the CI width relative to the estimate; infinite when a bound is missing."""
        if self.ci_low is None or self.ci_high is None or self.value <= 0:
            return math.inf
        return (self.ci_high - self.ci_low) / 2.0 / self.value


def percentile(
    samples: np.ndarray, pct: float, confidence: float = CONFIDENCE, presorted: bool = False
) -> Percentile:
    """The `pct` percentile (0-100) of `samples` with its order-statistic confidence interval."""
    data = np.asarray(samples, dtype=float)
    if not presorted:
        data = np.sort(data)
    n = data.size
    if n == 0:
        raise ValueError("no samples")
    q = pct / 100.0
    # the estimate: the order statistic at rank ceil(n q) (the "nearest rank" percentile)
    rank = min(max(math.ceil(n * q), 1), n)
    lo, hi = quantile_ci_ranks(n, q, confidence)
    return Percentile(
        q=pct,
        value=float(data[rank - 1]),
        ci_low=float(data[lo - 1]) if lo is not None else None,
        ci_high=float(data[hi - 1]) if hi is not None else None,
    )


@dataclass(frozen=True)
class Summary:
    """What one timed variant reports: p50/p95/p99 with CIs, mean and spread, in ms."""

    samples: int
    p50: Percentile
    p95: Percentile
    p99: Percentile
    mean_ms: float
    scv: float  # squared coefficient of variation (the queueing formulas need it)


def summarize(samples_ms: np.ndarray, confidence: float = CONFIDENCE) -> Summary:
    data = np.sort(np.asarray(samples_ms, dtype=float))
    mean = float(data.mean())
    var = float(data.var(ddof=1)) if data.size > 1 else 0.0
    return Summary(
        samples=int(data.size),
        p50=percentile(data, 50, confidence, presorted=True),
        p95=percentile(data, 95, confidence, presorted=True),
        p99=percentile(data, 99, confidence, presorted=True),
        mean_ms=mean,
        scv=var / mean**2 if mean > 0 else 0.0,
    )


@dataclass(frozen=True)
class StopRule:
    """Adaptive stopping: enough samples, the CI of `pct` within `rel_half_width`, or budget."""

    pct: float = 99.0
    rel_half_width: float = 0.05
    min_samples: int = 100
    max_samples: int = 200_000
    budget_s: float = 5.0
    confidence: float = CONFIDENCE

    def satisfied(self, samples_ms: np.ndarray) -> bool:
        n = len(samples_ms)
        if n < self.min_samples:
            return False
        if n >= self.max_samples:
            return True
        est = percentile(samples_ms, self.pct, self.confidence)
        return est.relative_half_width <= self.rel_half_width


def ratio_interval(
    num: Percentile, den: Percentile, scale: float = 1.0
) -> tuple[float, float] | None:
    """A conservative interval for scale * num / den from the two CIs (None if one is open)."""
    if None in (num.ci_low, num.ci_high, den.ci_low, den.ci_high):
        return None
    assert num.ci_low is not None and num.ci_high is not None
    assert den.ci_low is not None and den.ci_high is not None
    if den.ci_high <= 0 or den.ci_low <= 0:
        return None
    return scale * num.ci_low / den.ci_high, scale * num.ci_high / den.ci_low
