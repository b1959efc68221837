"""Per-stage latency distributions fitted from the percentiles a user measured.

A stage is described by p50 and optionally p95/p99. We fit a log-quantile curve: log latency is
piecewise linear in the standard-normal score z, passing exactly through every given percentile.
With two points this is exactly a lognormal; with three it bends to follow a heavier (or lighter)
tail than a lognormal would. Beyond the last given point the last segment's slope continues.
With only p50 the spread is assumed from the stage kind, and the assumption is reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

_NORMAL = NormalDist()
FLOOR_MS = 1e-3

# Assumed log-spread (lognormal sigma) when a stage gives only p50: typical shapes by kind.
# sigma 0.25 means p95 ~ 1.5 x p50; 0.45 means p95 ~ 2.1 x p50 (network and stores are spikier).
ASSUMED_SIGMA: dict[str, float] = {
    "network": 0.45,
    "feature_fetch": 0.45,
    "retrieval": 0.35,
    "queueing": 0.8,
    "cold_start": 0.5,
    "model": 0.2,
    "preprocessing": 0.25,
    "postprocessing": 0.25,
    "serialization": 0.25,
    "other": 0.3,
}


def z_of(percentile: float) -> float:
    """Standard-normal score of a percentile (95 -> 1.645)."""
    return _NORMAL.inv_cdf(percentile / 100.0)


@dataclass(frozen=True)
class StageFit:
    """Log-quantile knots (z, log ms); `assumed_sigma` is set when the spread was assumed."""

    z: tuple[float, ...]
    log_ms: tuple[float, ...]
    constant_ms: float | None = None
    assumed_sigma: float | None = None

    @classmethod
    def from_percentiles(
        cls,
        p50: float,
        p95: float | None = None,
        p99: float | None = None,
        kind: str = "other",
    ) -> StageFit:
        points = [(50.0, p50)] + [(p, v) for p, v in ((95.0, p95), (99.0, p99)) if v is not None]
        if all(v == 0 for _, v in points):
            return cls(z=(0.0,), log_ms=(0.0,), constant_ms=0.0)
        assumed = None
        if len(points) == 1:
            assumed = ASSUMED_SIGMA.get(kind, ASSUMED_SIGMA["other"])
            points.append((95.0, p50 * float(np.exp(assumed * z_of(95.0)))))
        z = tuple(z_of(p) for p, _ in points)
        logs = [float(np.log(max(v, FLOOR_MS))) for _, v in points]
        # equal percentiles (a constant stage) still need a strictly rising curve for sampling
        for i in range(1, len(logs)):
            logs[i] = max(logs[i], logs[i - 1])
        return cls(z=z, log_ms=tuple(logs), assumed_sigma=assumed)

    @classmethod
    def from_samples(cls, samples: np.ndarray | list[float], knots: int = 128) -> StageFit:
        """The empirical distribution of measured samples, as log-quantile knots.

        Knots sit at evenly spaced normal scores between the smallest and largest plotting
        positions, so the tails keep as much detail as the body.
        """
        values = np.sort(np.asarray(samples, dtype=float))
        n = len(values)
        if n == 0:
            raise ValueError("no samples")
        if values[-1] <= 0:
            return cls(z=(0.0,), log_ms=(0.0,), constant_ms=0.0)
        positions = (np.arange(n) + 0.5) / n
        z_all = np.array([_NORMAL.inv_cdf(float(p)) for p in positions[[0, -1]]])
        z = np.linspace(z_all[0], z_all[1], min(knots, max(2, n)))
        probs = np.array([_NORMAL.cdf(float(v)) for v in z])
        quantiles = np.quantile(values, np.clip(probs, 0.0, 1.0), method="hazen")
        logs = np.maximum.accumulate(np.log(np.maximum(quantiles, FLOOR_MS)))
        # keep the curve strictly rising so every knot segment has a finite slope
        logs = logs + np.arange(len(logs)) * 1e-12
        return cls(z=tuple(float(v) for v in z), log_ms=tuple(float(v) for v in logs))

    def quantile_from_z(self, zs: np.ndarray) -> np.ndarray:
        """Latency (ms) at standard-normal scores `zs`, vectorised."""
        if self.constant_ms is not None:
            return np.full_like(zs, self.constant_ms, dtype=float)
        knots_z = np.asarray(self.z)
        knots_l = np.asarray(self.log_ms)
        slopes = np.diff(knots_l) / np.diff(knots_z)
        # segment index per sample: below the first knot uses the first slope, above the last
        # knot uses the last slope (tail extrapolation)
        seg = np.clip(np.searchsorted(knots_z, zs, side="right") - 1, 0, len(slopes) - 1)
        logs = knots_l[seg] + slopes[seg] * (zs - knots_z[seg])
        return np.exp(logs)

    def quantile(self, percentile: float) -> float:
        return float(self.quantile_from_z(np.array([z_of(percentile)]))[0])

    @property
    def sigma_upper(self) -> float:
        """The log-spread of the upper tail (the last segment's slope)."""
        if self.constant_ms is not None or len(self.z) < 2:
            return 0.0
        return (self.log_ms[-1] - self.log_ms[-2]) / (self.z[-1] - self.z[-2])
