"""What a fix or a bundle of fixes does to the monthly bill and what it costs to build.

The money model is `latency_advisor.money`; this module applies it to the engine's candidates.
A bundle changes the fleet's price at peak: each stage's part of a replica is multiplied by what
is left of its work after the fixes that remove work (they compound: two fixes that each remove
half leave a quarter), capacity changes the replica count, and fixed additions (a GPU per
replica, a cache node, a cost word's share) are added on top. Ranges run over both ends of each
effect and of each cost word, so [low, high] holds the cheapest and the dearest outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product

from latency_advisor.money import CPU_REPLICA, DEFAULT_GPU, HOURS_PER_MONTH, PRICE_TABLE, Prices
from latency_advisor.rules.engine import Candidate, Projector

# share of what a fix touches that its cost word adds to the bill at peak: [low, high]
COST_WORD_SHARE = {"low": (0.0, 0.1), "medium": (0.1, 0.3), "high": (0.3, 1.0)}
WORK_KEYS = ("speedup", "cut", "hit_rate", "servers_factor", "median_ms")
CACHES = ("caching", "semantic_caching")


def work_removed(values: dict[str, float], stage_p50_ms: float) -> float:
    """The share of a stage's work an effect removes (negative when it adds work)."""
    left = 1.0
    if values.get("speedup", 0) > 0:
        left /= values["speedup"]
    if "cut" in values:
        left *= 1.0 - values["cut"]
    if "hit_rate" in values:
        left *= 1.0 - values["hit_rate"]
    if values.get("servers_factor", 0) > 0:
        left /= values["servers_factor"]
    if "median_ms" in values and stage_p50_ms > 0:
        left *= min(values["median_ms"] / stage_p50_ms, 1.0)
    return 1.0 - left


def replicas_after(fixes: Sequence[Candidate], projector: Projector) -> int:
    """Replicas at peak once the bundle's capacity fixes are in."""
    conc = projector.scenario.traffic.concurrency
    replicas = projector.scenario.traffic.replicas
    for c in fixes:
        wanted = c.rule.spec.effect.servers_for
        if wanted is not None:
            replicas = max(replicas, -(-projector.capacity[wanted] // conc))
    return replicas


def _month(
    fixes: Sequence[Candidate],
    prices: Prices,
    projector: Projector,
    end: str,
    word_end: int,
    replicas: int,
) -> float:
    """The month's bill after the bundle, at one end of every range."""
    left = {s.stage: 1.0 for s in prices.stages}
    gpus = {s.stage: 1.0 for s in prices.stages}
    added_per_replica = 0.0
    added_once = 0.0
    for c in fixes:
        spec = c.rule.spec
        values = c.ends.get(end) or c.ends["mid"]
        stage_p50 = float(c.facts.get("stage_p50_ms", 0.0) or 0.0)
        technique = spec.technique
        touched = prices.stage_hour_usd(c.stage)
        if technique == "capacity":
            continue
        if technique == "tensor_parallel" and c.stage is not None:
            gpus[c.stage] *= 2.0
            left[c.stage] *= 1.0 - work_removed(values, stage_p50)
            continue
        if technique == "hardware" and spec.cost in COST_WORD_SHARE:
            added_per_replica += PRICE_TABLE[DEFAULT_GPU].usd_per_hour
            continue
        removes_work = spec.cost == "saves" or technique in CACHES
        if removes_work and c.stage is not None and any(k in values for k in WORK_KEYS):
            left[c.stage] *= 1.0 - max(min(work_removed(values, stage_p50), 1.0), -1.0)
        if technique in CACHES:
            added_once += PRICE_TABLE[CPU_REPLICA].usd_per_hour  # one cache node
        elif spec.cost in COST_WORD_SHARE:
            share = COST_WORD_SHARE[spec.cost][word_end]
            whole = spec.level == "system" or c.stage is None
            added_per_replica += share * (prices.replica_hour_usd if whole else touched)
    per_replica = sum(s.usd_per_hour * left[s.stage] * gpus[s.stage] for s in prices.stages)
    # the fleet follows traffic; a cache node runs all month
    return (
        prices.fleet_monthly(replicas, per_replica + added_per_replica)
        + added_once * HOURS_PER_MONTH
    )


def monthly_change(
    fixes: Sequence[Candidate],
    prices: Prices,
    projector: Projector,
    replicas: int | None = None,
) -> tuple[float, float]:
    """[low, high] change of the monthly bill (negative: a saving) after the bundle."""
    n = replicas if replicas is not None else replicas_after(fixes, projector)
    today = prices.monthly_usd
    outcomes = [
        _month(fixes, prices, projector, end, w, n) - today
        for end, w in product(("low", "high"), (0, 1))
    ]
    lo, hi = min(outcomes), max(outcomes)
    return (_zero(lo), _zero(hi))


def _zero(x: float) -> float:
    return 0.0 if abs(x) < 0.005 else x
