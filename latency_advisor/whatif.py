"""What-ifs: the same serving path under other traffic, replicas, percentile or a response cache.

A what-if never edits the scenario; it answers "what would the tail be if ...?" so a user can try
levers before committing to them. Traffic, replicas and percentile are plain scenario changes;
a response cache is a change to the latency distribution (a share of requests skip the work), so
it is applied as a transform of the stage samples the latency model composes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from latency_advisor.latency.model import NON_OCCUPYING_KINDS, StageSamples, Transform
from latency_advisor.scenario import PERCENTILES, Scenario
from latency_advisor.sizing import path_model

CACHE_LOOKUP_MS = 2.0


@dataclass(frozen=True)
class WhatIf:
    """The levers of a what-if; the defaults leave the scenario as it is."""

    traffic_multiplier: float = 1.0
    replicas: int | None = None
    percentile: float | None = None
    cache_hit_rate: float = 0.0
    cache_lookup_ms: float = CACHE_LOOKUP_MS

    def __post_init__(self) -> None:
        if not 0 <= self.traffic_multiplier <= 1000:
            raise ValueError("traffic_multiplier must be between 0 and 1000")
        if self.replicas is not None and self.replicas < 1:
            raise ValueError("replicas must be at least 1")
        if self.percentile is not None and self.percentile not in PERCENTILES:
            raise ValueError(f"percentile must be one of {PERCENTILES}")
        if not 0 <= self.cache_hit_rate < 1:
            raise ValueError("cache_hit_rate must be in [0, 1)")


@dataclass(frozen=True)
class WhatIfResult:
    """The end-to-end estimate under the what-if, beside the SLA it is read against."""

    percentile: float
    target_ms: float
    at_percentile_ms: float
    meets_sla: bool
    utilization: float
    steady_state: bool
    queueing_wait_ms: float | None
    peak_rps: float
    replicas: int


def apply_levers(scenario: Scenario, what_if: WhatIf) -> Scenario:
    """The scenario with the traffic, replica and percentile levers applied (cache excluded)."""
    traffic = scenario.traffic.model_copy(
        update={
            "peak_rps": scenario.traffic.peak_rps * what_if.traffic_multiplier,
            "replicas": what_if.replicas or scenario.traffic.replicas,
        }
    )
    sla = scenario.sla.model_copy(
        update={"percentile": what_if.percentile or scenario.sla.percentile}
    )
    return scenario.model_copy(update={"traffic": traffic, "sla": sla})


def cache_transform(scenario: Scenario, hit_rate: float, lookup_ms: float) -> Transform:
    """A response cache after the network: a hit skips every other stage and costs `lookup_ms`.

    Network stages (the request's trip to the service and back) are kept for every request.
    The lookup is charged to the first work stage that every request passes through (a
    conditional stage's time is dropped where a request skips it, and the lookup with it).
    """
    work = [s.name for s in scenario.stages if s.kind not in NON_OCCUPYING_KINDS]
    always = [s.name for s in scenario.stages if s.name in work and s.share_of_requests >= 1.0]
    if always:  # the lookup's stage first
        work = [always[0]] + [name for name in work if name != always[0]]

    def transform(samples: StageSamples, rng: np.random.Generator) -> StageSamples:
        if not work or hit_rate <= 0:
            return samples
        n = len(next(iter(samples.values())))
        hit = rng.random(n) < hit_rate
        out = dict(samples)
        for i, name in enumerate(work):
            out[name] = np.where(hit, lookup_ms if i == 0 else 0.0, samples[name])
        return out

    return transform


def evaluate(scenario: Scenario, what_if: WhatIf) -> WhatIfResult:
    """The end-to-end estimate of `scenario` under `what_if` (may simulate at high load)."""
    changed = apply_levers(scenario, what_if)
    transforms = (
        [cache_transform(changed, what_if.cache_hit_rate, what_if.cache_lookup_ms)]
        if what_if.cache_hit_rate > 0
        else None
    )
    est = path_model(changed).estimate(
        changed.traffic.peak_rps,
        changed.traffic.servers,
        changed.sla.percentile,
        transforms=transforms,
        with_shares=False,
    )
    return WhatIfResult(
        percentile=changed.sla.percentile,
        target_ms=changed.sla.target_ms,
        at_percentile_ms=est.at_percentile_ms,
        meets_sla=est.stable and est.at_percentile_ms <= changed.sla.target_ms,
        utilization=est.utilization,
        steady_state=est.stable,
        queueing_wait_ms=est.mean_wait_ms,
        peak_rps=changed.traffic.peak_rps,
        replicas=changed.traffic.replicas,
    )


__all__ = ["WhatIf", "WhatIfResult", "apply_levers", "cache_transform", "evaluate"]
