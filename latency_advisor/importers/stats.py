"""Percentiles from samples, bounded reservoirs and thinning to a few quantile points.

Imports can hold millions of observations of one stage; we keep a fixed-size uniform reservoir
per stage (memory stays bounded however long the file is) and write at most a few thousand
quantile points into the scenario, enough for the latency model's empirical distribution.
"""

from __future__ import annotations

import random
from array import array

import numpy as np

RESERVOIR_SIZE = 50_000
MAX_KEPT_SAMPLES = 2_000
MIN_SAMPLES_TO_KEEP = 20
REPORTED = (50.0, 95.0, 99.0)


class Reservoir:
    """A uniform sample of at most `size` values from a stream of any length (Algorithm R)."""

    __slots__ = ("_rng", "count", "size", "values")

    def __init__(self, size: int = RESERVOIR_SIZE, seed: int = 7):
        self.size = size
        self.count = 0
        self.values = array("d")
        self._rng = random.Random(seed)

    def add(self, value: float) -> None:
        self.count += 1
        if len(self.values) < self.size:
            self.values.append(value)
            return
        slot = self._rng.randrange(self.count)
        if slot < self.size:
            self.values[slot] = value

    def as_array(self) -> np.ndarray:
        return np.frombuffer(self.values, dtype=np.float64).copy()


def percentiles(samples: np.ndarray, points: tuple[float, ...] = REPORTED) -> list[float]:
    """Sample percentiles (linear interpolation between order statistics)."""
    if samples.size == 0:
        raise ValueError("no samples")
    return [float(v) for v in np.percentile(samples, points)]


def thin(samples: np.ndarray, limit: int = MAX_KEPT_SAMPLES) -> np.ndarray:
    """At most `limit` values that keep the shape: the samples themselves or evenly spaced
    quantiles (midpoints of equal-probability strata), always including min and max."""
    ordered = np.sort(samples)
    if ordered.size <= limit:
        return ordered
    probs = (np.arange(limit) + 0.5) / limit
    points = np.quantile(ordered, probs)
    points[0], points[-1] = ordered[0], ordered[-1]
    return points
