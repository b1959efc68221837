"""What-ifs on the core (no Qt): levers change the estimate the way the queueing model says."""

from __future__ import annotations

import pytest

from latency_advisor.analysis import analyze
from latency_advisor.scenario import load_scenario
from latency_advisor.whatif import WhatIf, apply_levers, evaluate
from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def rag():
    return load_scenario(EXAMPLES / "rag_assistant.yaml")


def test_no_lever_matches_the_analysis(rag) -> None:
    result = evaluate(rag, WhatIf())
    analysis = analyze(rag)
    assert result.at_percentile_ms == pytest.approx(analysis.current.at_sla_percentile_ms)
    assert result.utilization == pytest.approx(analysis.current.utilization)
    assert result.meets_sla == analysis.meets_sla


def test_traffic_scales_utilization_and_overload_is_reported(rag) -> None:
    base = evaluate(rag, WhatIf())
    double = evaluate(rag, WhatIf(traffic_multiplier=2))
    assert double.utilization == pytest.approx(2 * base.utilization, rel=1e-6)
    over = evaluate(rag, WhatIf(traffic_multiplier=4))
    assert not over.steady_state and not over.meets_sla and over.queueing_wait_ms is None
    rescued = evaluate(rag, WhatIf(traffic_multiplier=4, replicas=16))
    assert rescued.steady_state and rescued.replicas == 16


def test_cache_hits_cut_the_tail_only_past_the_percentile(rag) -> None:
    base = evaluate(rag, WhatIf())
    half = evaluate(rag, WhatIf(cache_hit_rate=0.5))
    most = evaluate(rag, WhatIf(cache_hit_rate=0.97))
    # half the requests hit: the p95 is still a miss, so it barely moves; load halves
    assert half.at_percentile_ms > 0.9 * base.at_percentile_ms
    assert half.utilization == pytest.approx(base.utilization / 2, rel=0.05)
    # 97% hits: the p95 request is a hit (network + lookup), well under the 500 ms target
    assert most.at_percentile_ms < 500 and most.meets_sla


def test_levers_apply_to_a_valid_scenario_and_reject_nonsense(rag) -> None:
    changed = apply_levers(rag, WhatIf(traffic_multiplier=1.5, replicas=6, percentile=99))
    assert (changed.traffic.peak_rps, changed.traffic.replicas, changed.sla.percentile) == (
        18,
        6,
        99,
    )
    assert rag.traffic.peak_rps == 12
    for bad in (
        dict(percentile=97),
        dict(cache_hit_rate=1.0),
        dict(replicas=0),
        dict(traffic_multiplier=-1),
    ):
        with pytest.raises(ValueError):
            WhatIf(**bad)


def test_a_cache_lookup_is_paid_on_every_hit_when_the_first_stage_is_conditional() -> None:
    """The lookup goes on a stage every request has: a hit on a request that skips the
    conditional LLM still pays it."""
    from latency_advisor.analysis import path_model
    from latency_advisor.scenario import validate_scenario
    from latency_advisor.whatif import cache_transform

    flat = {"kind": "model"}
    scenario = validate_scenario(
        {
            "format": "latency-advisor/scenario/v1",
            "name": "cached",
            "sla": {"target_ms": 500, "percentile": 95},
            "traffic": {"peak_rps": 0},
            "stages": [
                {"name": "llm", **flat, "p50_ms": 100, "p95_ms": 100, "presence": 0.3},
                {"name": "post", **flat, "p50_ms": 1, "p95_ms": 1},
            ],
        }
    )
    model = path_model(scenario)
    base = model.estimate(0, 1, 95).mean_service_ms
    assert base == pytest.approx(0.3 * 100 + 1, rel=1e-3)
    cached = model.estimate(0, 1, 95, transforms=[cache_transform(scenario, 0.5, 50.0)])
    # misses keep their time; every hit costs the 50 ms lookup, whether or not it needed the LLM
    # (charged to the LLM, only the 30 % that reach it would pay: 23 ms instead of 40.5 ms)
    assert cached.mean_service_ms == pytest.approx(0.5 * base + 0.5 * 50.0, rel=0.05)
