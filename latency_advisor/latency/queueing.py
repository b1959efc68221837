"""Closed-form queueing at peak traffic: Erlang C (M/M/c) and Allen–Cunneen (M/G/c).

Requests arrive as a Poisson stream at `peak_rps` and are served first-come first-served by
`replicas` identical workers. These formulas are accurate (within a few percent) for
low-variance service up to about 80-90% utilization; beyond that, or with heavy-tailed service,
the estimator switches to simulation (see `simulation.py`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

EXACT_SERVERS = 2_000  # up to this many servers Erlang B is summed exactly; beyond, approximated
SATURATED = 1.0 - 1e-9  # a utilization this close to 1 is 1: the wait grows without bound


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (offered load a = lambda / mu).

    Up to `EXACT_SERVERS` servers, Erlang B comes from its stable recursion
    B(k) = a B(k-1) / (k + a B(k-1)), which never overflows. Beyond, B is the Poisson
    probability of exactly c over that of at most c, with the denominator from the normal
    approximation (continuity-corrected; within 0.1% there): constant cost, so a fleet of
    a million servers costs what ten do.
    """
    if offered_load <= 0:
        return 0.0
    if offered_load >= servers:
        return 1.0
    if servers <= EXACT_SERVERS:
        b = 1.0
        for k in range(1, servers + 1):
            b = offered_load * b / (k + offered_load * b)
    else:
        log_pmf = servers * math.log(offered_load) - offered_load - math.lgamma(servers + 1)
        z = (servers + 0.5 - offered_load) / math.sqrt(offered_load)
        cdf = 0.5 * math.erfc(-z / math.sqrt(2.0))
        b = min(1.0, math.exp(log_pmf) / cdf) if cdf > 0 else 1.0
    rho = offered_load / servers
    return b / (1.0 - rho * (1.0 - b))


@dataclass(frozen=True)
class WaitModel:
    """The waiting time before service: zero with probability 1 - p_wait, else exponential."""

    utilization: float
    p_wait: float
    mean_wait_ms: float

    @property
    def conditional_mean_ms(self) -> float:
        return self.mean_wait_ms / self.p_wait if self.p_wait > 0 else 0.0

    def sample_from_uniform(self, u: np.ndarray) -> np.ndarray:
        """Wait samples from uniforms (monotone in u, so stratified uniforms stay stratified)."""
        if self.p_wait <= 0 or self.mean_wait_ms <= 0:
            return np.zeros_like(u)
        tail = 1.0 - u
        waiting = tail < self.p_wait  # only these requests wait; dividing the rest may overflow
        ratio = np.divide(tail, self.p_wait, out=np.ones_like(tail), where=waiting)
        return np.where(waiting, -self.conditional_mean_ms * np.log(ratio), 0.0)


def allen_cunneen(
    arrival_per_ms: float,
    servers: int,
    mean_service_ms: float,
    service_scv: float,
    arrival_scv: float = 1.0,
) -> WaitModel:
    """G/G/c wait: Erlang C's wait probability, Allen–Cunneen's (Ca^2 + Cs^2) / 2 correction.

    Poisson arrivals have Ca^2 = 1; evenly spaced arrivals (video frames) have Ca^2 = 0.
    """
    offered = arrival_per_ms * mean_service_ms
    rho = offered / servers
    if offered <= 0:
        return WaitModel(utilization=0.0, p_wait=0.0, mean_wait_ms=0.0)
    if rho >= SATURATED:  # within rounding of 1: no steady state (the wait has no finite mean)
        return WaitModel(utilization=max(rho, 1.0), p_wait=1.0, mean_wait_ms=math.inf)
    p_wait = erlang_c(servers, offered)
    mm_c_wait = p_wait * mean_service_ms / (servers - offered)
    return WaitModel(
        utilization=rho,
        p_wait=p_wait,
        mean_wait_ms=mm_c_wait * (arrival_scv + service_scv) / 2.0,
    )


def mg1_waits(
    busy_ms: np.ndarray, utilization: float, u: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Exact M/G/1 FIFO waits by the Pollaczek–Khinchine (Beneš) construction.

    The stationary wait is a sum of K residual service times, K geometric with P(K >= k) = rho^k;
    a residual time is a length-biased service time times a uniform. `u` picks K (so stratified
    uniforms keep the wait stratified); `busy_ms` is the service distribution, as samples.
    """
    if utilization <= 0:
        return np.zeros_like(u)
    tail = np.clip(1.0 - u, 1e-300, 1.0)
    counts = np.floor(np.log(tail) / np.log(utilization)).astype(np.int64)
    draws = int(counts.sum())
    if draws == 0:
        return np.zeros_like(u)
    weights = busy_ms / busy_ms.sum()
    residual = rng.choice(busy_ms, size=draws, p=weights) * rng.random(draws)
    owner = np.repeat(np.arange(len(u)), counts)
    return np.bincount(owner, weights=residual, minlength=len(u))
