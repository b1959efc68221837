"""Conditional stages (`presence`): the composed path against a direct Monte Carlo reference.

The reference is written here with numpy alone: every stage a lognormal through its p50 and p95,
`calls` independent draws added up, present on a request with probability `presence`
independently of the other stages (0 ms otherwise), parallel groups taking their slowest member.
It shares no code with the latency model, so the model's stratified sampling, its presence masks
and its composition are all checked against it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from latency_advisor.analysis import analyze, naive_sum, path_model
from latency_advisor.latency.distributions import StageFit, z_of
from latency_advisor.latency.model import NON_OCCUPYING_KINDS, WAIT_LABEL, PathModel, StageSpec
from latency_advisor.latency.simulation import fifo_waits
from latency_advisor.rules.effects import stage_transform
from latency_advisor.rules.engine import Projector
from latency_advisor.rules.schema import Effect
from latency_advisor.scenario import validate_scenario

# name, kind, p50, p95, calls, parallel group, presence
Row = tuple[str, str, float, float, int, str | None, float | None]

PATHS: dict[str, list[Row]] = {
    # a 2 s LLM on the 30 % of requests that miss the cache: it dominates the tail, not p50
    "llm-on-cache-miss": [
        ("gateway", "network", 20, 40, 1, None, None),
        ("cache", "feature_fetch", 3, 8, 1, None, None),
        ("llm", "model", 2000, 2600, 1, None, 0.3),
        ("post", "postprocessing", 5, 9, 1, None, None),
    ],
    # a slow web search beside the vector search on a quarter of requests; a re-ranker on 40 %
    "conditional-parallel-member": [
        ("embed", "model", 15, 25, 1, None, None),
        ("vector", "retrieval", 40, 90, 1, "search", None),
        ("web", "other", 150, 400, 1, "search", 0.25),
        ("rerank", "model", 60, 100, 1, None, 0.4),
        ("llm", "model", 300, 420, 1, None, None),
    ],
    # three lookups on 60 % of requests, two model calls on all, a fallback model on 10 %
    "calls-and-fallback": [
        ("fetch", "feature_fetch", 5, 15, 3, None, 0.6),
        ("model", "model", 50, 80, 2, None, None),
        ("fallback", "model", 300, 500, 1, None, 0.1),
    ],
}
REFERENCE_DRAWS = 2_000_000
TOLERANCE = 0.02  # as test_latency.py's composition against a direct simulation


def specs(rows: list[Row]) -> list[StageSpec]:
    return [
        StageSpec(name, kind, StageFit.from_percentiles(p50, p95), calls, group, presence=presence)
        for name, kind, p50, p95, calls, group, presence in rows
    ]


def sigma_of(p50: float, p95: float) -> float:
    return math.log(p95 / p50) / z_of(95)


def reference_draws(
    rows: list[Row], n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Per-request total and worker-busy latency, drawn directly."""
    units: dict[str, np.ndarray] = {}
    occupies: dict[str, bool] = {}
    for name, kind, p50, p95, calls, group, presence in rows:
        x = rng.lognormal(math.log(p50), sigma_of(p50, p95), (calls, n)).sum(axis=0)
        if presence is not None:
            x *= rng.random(n) < presence
        key = group or name
        units[key] = np.maximum(units[key], x) if key in units else x
        occupies[key] = occupies.get(key, False) or kind not in NON_OCCUPYING_KINDS
    total = sum(units.values())
    busy = sum(v for k, v in units.items() if occupies[k])
    return total, busy


def mean_busy_ms(rows: list[Row]) -> float:
    """The presence-weighted mean time a request holds a replica, in closed form."""
    mean = 0.0
    for _name, kind, p50, p95, calls, group, presence in rows:
        assert group is None, "closed form for sequential stages only"
        if kind not in NON_OCCUPYING_KINDS:
            stage_mean = p50 * math.exp(sigma_of(p50, p95) ** 2 / 2)
            mean += (1.0 if presence is None else presence) * calls * stage_mean
    return mean


@pytest.mark.parametrize("name", sorted(PATHS))
def test_composed_percentiles_match_a_direct_monte_carlo(name: str) -> None:
    rows = PATHS[name]
    est = PathModel(specs(rows)).estimate(0, 1, 99)
    total, _ = reference_draws(rows, REFERENCE_DRAWS, np.random.default_rng(2026))
    reference = np.percentile(total, [50, 95, 99])
    for pct, ref in zip((50.0, 95.0, 99.0), reference, strict=True):
        assert est.p(pct) == pytest.approx(ref, rel=TOLERANCE), (name, pct, est.p(pct), ref)


def test_conditional_dominant_stage_moves_the_median_not_only_the_tail() -> None:
    """Modelled on every request, a 2 s LLM on 30 % of requests puts p50 above 2 s; it is not."""
    rows = PATHS["llm-on-cache-miss"]
    always = [(*row[:6], None) for row in rows]
    conditional = PathModel(specs(rows)).estimate(0, 1, 95)
    everywhere = PathModel(specs(always)).estimate(0, 1, 95)
    assert everywhere.p(50) > 2000
    assert conditional.p(50) < 100  # 70 % of requests never reach the LLM
    assert conditional.p(95) > 2000  # the top 5 % all went through it


def test_queueing_uses_the_presence_weighted_mean_and_matches_a_long_simulation() -> None:
    rows = PATHS["calls-and-fallback"]
    model = PathModel(specs(rows))
    servers, rho = 4, 0.8
    rps = rho * servers / mean_busy_ms(rows) * 1000
    est = model.estimate(rps, servers, 99)
    assert est.mean_busy_ms == pytest.approx(mean_busy_ms(rows), rel=0.01)
    assert est.utilization == pytest.approx(rho, rel=0.01)
    assert est.method == "simulation"
    rng = np.random.default_rng(77)
    total, busy = reference_draws(rows, REFERENCE_DRAWS, rng)
    waits = fifo_waits(rng.exponential(1000 / rps, REFERENCE_DRAWS), busy, servers)
    keep = slice(REFERENCE_DRAWS // 20, None)
    reference = np.percentile(total[keep] + waits[keep], [50, 95, 99])
    for pct, ref in zip((50.0, 95.0, 99.0), reference, strict=True):
        # the tolerance test_latency.py uses against a long simulation with queueing
        assert est.p(pct) == pytest.approx(ref, rel=0.05), (pct, est.p(pct), ref)


def test_shares_add_up_and_an_absent_member_does_not_hold_its_group() -> None:
    model = PathModel(specs(PATHS["conditional-parallel-member"]))
    for servers, rps in ((1, 0.0), (4, 6.0)):  # no queue; utilization about 0.7
        est = model.estimate(rps, servers, 95)
        assert sum(est.shares.values()) == pytest.approx(1.0, abs=1e-9)
        assert (WAIT_LABEL in est.shares) == (rps > 0)
    total, _ = model.compose(model.samples)
    web = model.presence_mask("web", model.n)
    assert web is not None and web.mean() == pytest.approx(0.25, abs=1 / model.n)
    # where the web search is skipped, the group takes exactly the vector search's time
    skipped = ~web
    rest = sum(
        model.samples[s] * (model.presence_mask(s, model.n) if s == "rerank" else 1.0)
        for s in ("embed", "rerank", "llm")
    )
    assert np.allclose(total[skipped], (rest + model.samples["vector"])[skipped])


def test_presence_is_deterministic_and_one_means_every_request() -> None:
    rows = PATHS["llm-on-cache-miss"]
    a = PathModel(specs(rows)).estimate(0, 1, 95)
    b = PathModel(specs(rows)).estimate(0, 1, 95)
    assert a.percentiles_ms == b.percentiles_ms and a.shares == b.shares
    plain = [(*row[:6], None) for row in rows]
    explicit = [(*row[:6], 1.0) for row in rows]
    assert (
        PathModel(specs(plain)).estimate(0, 1, 95).percentiles_ms
        == PathModel(specs(explicit)).estimate(0, 1, 95).percentiles_ms
    )


# ------------------------------------------------------------------ analysis and rule effects


def scenario_with(stages: list[dict], peak_rps: float = 0.0, percentile: float = 95):
    return validate_scenario(
        {
            "format": "latency-advisor/scenario/v1",
            "name": "conditional",
            "sla": {"target_ms": 500, "percentile": percentile},
            "traffic": {"peak_rps": peak_rps},
            "stages": stages,
        }
    )


CACHE_MISS = [
    {"name": "gateway", "kind": "network", "p50_ms": 20, "p95_ms": 40},
    {"name": "llm", "kind": "model", "p50_ms": 2000, "p95_ms": 2600, "presence": 0.3},
]


def test_analysis_states_the_conditional_stages_and_keeps_the_naive_sum() -> None:
    scenario = scenario_with(CACHE_MISS)
    result = analyze(scenario, advice=False)
    rows = {row.name: row for row in result.stages}
    assert rows["llm"].presence == 0.3 and rows["gateway"].presence == 1.0
    assert any("'llm' is on 30% of requests only" in a for a in result.assumptions)
    assert not any("'gateway' is on" in a for a in result.assumptions)
    # the figure people quote stays the sum of the stated stage percentiles
    assert result.current.sum_of_stage_percentiles_ms == pytest.approx(40 + 2600)
    assert naive_sum(scenario, path_model(scenario)) == pytest.approx(40 + 2600)
    data = result.to_json_data()
    assert [s["presence"] for s in data["stages"]] == [1.0, 0.3]


def projector_for(stages: list[dict]) -> Projector:
    scenario = scenario_with(stages)
    return Projector(scenario, analyze(scenario, advice=False))


def mean_after(projector: Projector, stage: str, effect: Effect, values: dict) -> float:
    transform = stage_transform(projector.stage_info[stage], effect, values)
    model = projector.model
    return model.estimate(0, 1, 95, transforms=[transform], with_shares=False).mean_service_ms


def test_rule_effects_act_on_the_requests_that_have_the_stage() -> None:
    flat = [
        {"name": "a", "kind": "model", "p50_ms": 100, "p95_ms": 100, "presence": 0.5},
        {"name": "b", "kind": "model", "p50_ms": 80, "p95_ms": 80},
    ]
    projector = projector_for(flat)
    base = projector.model.estimate(0, 1, 95).mean_service_ms
    assert base == pytest.approx(0.5 * 100 + 80, rel=1e-3)
    # a batching window is added where the stage runs, not on the requests that skip it
    added = mean_after(projector, "a", Effect(add_ms=[20.0, 20.0]), {"add_ms": 20.0})
    assert added == pytest.approx(base + 0.5 * 20, rel=1e-3)
    # a cache answers a share of the requests that reach the stage, at the hit's cost
    cached = mean_after(
        projector,
        "a",
        Effect(hit_rate=[0.4, 0.4], hit_ms=[2.0, 2.0]),
        {"hit_rate": 0.4, "hit_ms": 2.0},
    )
    assert cached == pytest.approx(0.5 * (0.6 * 100 + 0.4 * 2) + 80, rel=0.02)
    sped = mean_after(projector, "a", Effect(speedup=[2.0, 2.0]), {"speedup": 2.0})
    assert sped == pytest.approx(0.5 * 50 + 80, rel=1e-3)
    # alongside a conditional stage, b is hidden only where a ran: 100 there, 80 elsewhere
    overlapped = mean_after(projector, "b", Effect(overlap_previous=True), {})
    assert overlapped == pytest.approx(0.5 * 100 + 0.5 * 80, rel=1e-3)
