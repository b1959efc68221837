"""Whatever the scenario, the advice is well-formed: finite numbers, ordered ranges, a plan
that never gets slower, options that respect the quality budget."""

from __future__ import annotations

import itertools
import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from latency_advisor.analysis import analyze
from latency_advisor.rules.techniques import LEVELS, allowed_risk, risk_rank
from latency_advisor.scenario import validate_scenario

KINDS = ["network", "feature_fetch", "preprocessing", "retrieval", "model", "postprocessing"]


@st.composite
def scenarios(draw):
    stages = []
    for i in range(draw(st.integers(1, 5))):
        p50 = draw(st.floats(0.5, 400))
        stage = {
            "name": f"s{i}",
            "kind": draw(st.sampled_from(KINDS)),
            "p50_ms": p50,
            "p95_ms": p50 * draw(st.floats(1.0, 3.0)),
            "calls": draw(st.integers(1, 3)),
            "facts": {
                "repeat_rate": draw(st.floats(0, 0.6)),
                "cross_region": draw(st.booleans()),
                "batched_lookup": draw(st.booleans()),
                "precomputable_share": draw(st.floats(0, 0.9)),
                "cold_start_rate": draw(st.sampled_from([0.0, 0.01])),
            },
        }
        if stage["kind"] == "model":
            stage["model"] = {
                "family": draw(st.sampled_from(["llm", "transformer_encoder", "cnn", "tree"])),
                "params_millions": draw(st.sampled_from([2, 110, 7000, 70000])),
                "precision": draw(st.sampled_from(["fp32", "fp16", "int8"])),
                "runtime": draw(st.sampled_from(["pytorch", "onnxruntime", "vllm"])),
                "hardware": draw(st.sampled_from(["cpu", "gpu", "edge"])),
                "batching": draw(st.sampled_from(["none", "static", "continuous"])),
                "output_tokens": draw(st.integers(10, 500)),
            }
        stages.append(stage)
    return validate_scenario(
        {
            "format": "latency-advisor/scenario/v1",
            "name": "generated",
            "sla": {
                "target_ms": draw(st.floats(10, 2000)),
                "percentile": draw(st.sampled_from([50, 95, 99])),
                "workload": draw(st.sampled_from(["interactive", "batch"])),
            },
            "traffic": {
                "peak_rps": draw(st.sampled_from([0.5, 5, 50, 400])),
                "replicas": draw(st.integers(1, 8)),
            },
            "quality": {"max_accuracy_drop_pct": draw(st.sampled_from([0.0, 0.3, 1.0, 5.0]))},
            "stages": stages,
        }
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_advice_is_well_formed_for_any_scenario(s):
    a = analyze(s)
    json.dumps(a.to_json_data(), allow_nan=False)
    pinned = [r for r in a.recommendations if (r.model_extra or {}).get("pinned_first")]
    rest = a.recommendations[len(pinned) :]
    assert all((r.model_extra or {}).get("pinned_first") for r in a.recommendations[: len(pinned)])
    levels = [LEVELS.index(r.level) for r in rest]
    assert levels == sorted(levels)
    for r in a.recommendations:
        assert r.saving_ms[0] <= r.saving_ms[1]
        assert all(math.isfinite(x) for x in r.saving_ms)
    allowed = s.quality.max_accuracy_drop_pct
    for step in a.plan:
        extra = step.model_extra or {}
        if allowed == 0:
            assert extra["accuracy_risk"] == "none"
    stable = [p.projected_ms for p in a.plan if (p.model_extra or {})["steady_state"]]
    for before, after in itertools.pairwise(stable):
        assert after <= before * 1.003
    assert 1 <= len(a.options) <= 4
    for o in a.options:
        assert math.isfinite(o.projected_ms)
        assert risk_rank(o.accuracy_risk) <= risk_rank(allowed_risk(allowed))
        if "same quality" in o.name.lower():
            assert risk_rank(o.accuracy_risk) == 0
