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
