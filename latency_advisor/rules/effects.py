"""A rule's effect as a what-if for the latency model: stage-sample transforms and traffic changes.

Effects go through the latency model, never by subtracting from a sum: a transform rewrites the
per-request samples of one stage (a new array, inputs untouched), the path is composed again and
queued at peak traffic, and the tail is read at the SLA percentile. Caching mixes hit latency into
a share of requests; hedging takes the faster of two draws after a delay; running a stage
alongside the previous one leaves only the part that sticks out; streaming changes the time to
first output, not the total. Traffic effects change the arrival rate or the servers.

A conditional stage's samples describe every request as if it had the stage; the latency model
zeroes the requests that skip it afterwards, so a transform acts on the requests that have the
stage only (a batching window or a cache lookup is not added where the stage does not run).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from latency_advisor.latency.model import StageSamples, Transform
from latency_advisor.rules.schema import Effect

Values = dict[str, float]


@dataclass(frozen=True)
class StageInfo:
    """What a stage transform needs to know about its stage besides its samples."""

    name: str
    p50_ms: float
    quantile: Any  # callable: percentile -> ms of one call (the stage's fitted curve)
    calls: int
    previous: tuple[str, ...]  # stages of the unit just before it (for overlap)
    # (stage, n) -> which of n requests have a conditional stage (None: all); for overlap
    presence_mask: Callable[[str, int], np.ndarray | None] | None = None


def clamp(values: Values) -> Values:
    """Keep effect sizes inside what they can mean (a cut above 100 % is a typo, not a gain)."""
    out = dict(values)
    for name in ("cut", "hit_rate", "perceived", "hit_fraction"):
        if name in out:
            out[name] = min(1.0, max(0.0, out[name]))
    if "speedup" in out:
        out["speedup"] = max(0.05, out["speedup"])
    if "servers_factor" in out:
        out["servers_factor"] = max(0.05, out["servers_factor"])
    if "load_kept" in out:
        out["load_kept"] = min(1.0, max(0.01, out["load_kept"]))
    for name in ("median_ms", "add_ms", "hit_ms"):
        if name in out:
            out[name] = max(0.0, out[name])
    if "clip_percentile" in out:
        out["clip_percentile"] = min(99.99, max(50.0, out["clip_percentile"]))
    return out


def end_values(ranges: dict[str, tuple[float, float]], end: str) -> Values:
    """One end of every range: 'low' (conservative), 'high' (optimistic) or 'mid'."""
    if end == "low":
        return clamp({k: a for k, (a, _b) in ranges.items()})
    if end == "high":
        return clamp({k: b for k, (_a, b) in ranges.items()})
    return clamp({k: (a + b) / 2.0 for k, (a, b) in ranges.items()})


def stage_key(effect: Effect, values: Values, perceived: bool = False) -> tuple:
    """A hashable identity of a stage transform, so equal what-ifs are computed once."""
    keep = {k: round(v, 6) for k, v in values.items() if k not in _TRAFFIC}
    if not perceived:
        keep.pop("perceived", None)
    return (
        tuple(sorted(keep.items())),
        effect.hedge_percentile,
        effect.overlap_previous,
    )


_TRAFFIC = ("servers_factor", "load_kept")


def has_stage_change(effect: Effect, values: Values) -> bool:
    keys = set(values) - set(_TRAFFIC) - {"perceived"}
    return bool(keys) or effect.hedge_percentile is not None or effect.overlap_previous


def stage_transform(
    info: StageInfo, effect: Effect, values: Values, perceived: bool = False
) -> Transform:
    """The transform of one stage's samples; `perceived` also applies the first-output share."""
    hedge_at = (
        info.quantile(effect.hedge_percentile) * info.calls
        if effect.hedge_percentile is not None
        else None
    )
    clip_at = (
        info.quantile(values["clip_percentile"]) * info.calls
        if "clip_percentile" in values
        else None
    )
    scale = 1.0
    if "speedup" in values:
        scale /= values["speedup"]
    if "cut" in values:
        scale *= 1.0 - values["cut"]
    if "median_ms" in values and info.p50_ms > 0:
        scale *= min(1.0, values["median_ms"] / (info.p50_ms * info.calls))
    if perceived and "perceived" in values:
        scale *= values["perceived"]
    add = values.get("add_ms", 0.0)
    hit_rate = values.get("hit_rate")
    hit_ms = values.get("hit_ms")
    hit_fraction = values.get("hit_fraction")
    overlap = effect.overlap_previous and bool(info.previous)

    def transform(samples: StageSamples, rng: np.random.Generator) -> StageSamples:
        x = samples[info.name]
        out = x
        if clip_at is not None:
            out = np.minimum(out, clip_at)
        if hedge_at is not None:
            out = np.minimum(out, hedge_at + rng.permutation(x))
        if scale != 1.0:
            out = out * scale
        if add:
            out = out + add
        if hit_rate:
            hits = rng.random(len(x)) < hit_rate
            cost = out * hit_fraction if hit_fraction is not None else hit_ms
            out = np.where(hits, cost, out)
        if overlap:  # only what the previous unit took on this request hides the stage
            before = _present(samples, info.previous[0], info.presence_mask)
            for name in info.previous[1:]:
                before = np.maximum(before, _present(samples, name, info.presence_mask))
            out = np.maximum(out - before, 0.0)
        if out is x:
            out = x.copy()
        return {**samples, info.name: out}

    return transform


def _present(
    samples: StageSamples, name: str, mask_of: Callable[[str, int], np.ndarray | None] | None
) -> np.ndarray:
    """A stage's samples with 0 ms on the requests that skip it."""
    values = samples[name]
    mask = mask_of(name, len(values)) if mask_of is not None else None
    return values if mask is None else values * mask


def traffic(
    values: Values, effect: Effect, rps: float, servers: int, capacity: dict[str, int]
) -> tuple[float, int]:
    """Peak rate and servers after the effect's traffic components."""
    if "load_kept" in values:
        rps *= values["load_kept"]
    if "servers_factor" in values:
        servers = max(1, round(servers * values["servers_factor"]))
    if effect.servers_for is not None:
        servers = max(servers, capacity[effect.servers_for])
    return rps, servers


def geometric_mid(a: float, b: float) -> float:
    return math.sqrt(a * b) if a > 0 and b > 0 else (a + b) / 2.0
