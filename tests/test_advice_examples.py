"""What an experienced engineer expects of the advice on the bundled example scenarios."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import pytest

from latency_advisor.analysis import Analysis, analyze, format_text
from latency_advisor.rules.techniques import COSTS, LEVELS, RISKS, risk_rank
from latency_advisor.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "resources" / "examples"
NAMES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))


def scenario(name: str) -> Scenario:
    return load_scenario(EXAMPLES / f"{name}.yaml")


_CACHE: dict[str, Analysis] = {}


def advice(name: str) -> Analysis:
    if name not in _CACHE:
        _CACHE[name] = analyze(scenario(name))
    return _CACHE[name]


def extra(model) -> dict:
    return model.model_extra or {}


@pytest.mark.parametrize("name", NAMES)
def test_json_has_the_contract_keys_and_only_finite_numbers(name):
    data = advice(name).to_json_data()
    text = json.dumps(data, allow_nan=False)  # raises on NaN or infinity
    assert json.loads(text)["format"] == "latency-advisor/analysis/v1"
    for rec in data["recommendations"]:
        for key in ("rule", "title", "level", "technique", "stage", "saving_ms", "why"):
            assert key in rec
        assert rec["accuracy_risk"] in RISKS and rec["cost"] in COSTS
        assert rec["saving_ms"][0] <= rec["saving_ms"][1]
        assert rec["effort_days"][0] <= rec["effort_days"][1]
    for step in data["plan"]:
        assert {"rule", "projected_ms", "meets_sla"} <= set(step)
    assert len(data["options"]) >= 3
    for option in data["options"]:
        assert {"name", "rules", "projected_ms", "meets_sla", "accuracy_risk", "cost"} <= set(
            option
        )


@pytest.mark.parametrize("name", NAMES)
def test_recommendations_go_system_then_serving_then_model(name):
    recs = [r for r in advice(name).recommendations if not extra(r).get("pinned_first")]
    levels = [LEVELS.index(r.level) for r in recs]
    assert levels == sorted(levels)


@pytest.mark.parametrize(
    "name", ["bert_intent", "fraud_score", "mobile_classifier", "rag_assistant", "recommender"]
)
def test_the_first_fix_attacks_the_bottleneck_with_a_cheap_lever(name):
    a = advice(name)
    first = a.recommendations[0]
    b = extra(a.bottleneck)
    assert first.stage in (b.get("members") or [a.bottleneck.stage])
    assert COSTS.index(first.cost) <= COSTS.index("low")
    # nothing listed at the same level is both cheaper and at least as effective
    same_level = [r for r in a.recommendations if r.level == first.level]
    for other in same_level[1:]:
        cheaper = COSTS.index(other.cost) < COSTS.index(first.cost)
        bigger = sum(other.saving_ms) >= sum(first.saving_ms) and not extra(first).get(
            "perceived_saving_ms"
        )
        assert not (cheaper and bigger), other.rule


def test_rag_streams_first_and_says_streaming_cuts_first_output_not_the_total():
    a = advice("rag_assistant")
    first = a.recommendations[0]
    assert first.technique == "streaming" and first.stage == "LLM inference"
    assert max(abs(x) for x in first.saving_ms) < 1.0
    lo, hi = extra(first)["perceived_saving_ms"]
    assert 0 < lo <= hi < a.current.at_sla_percentile_ms
    streamed = next(o for o in a.options if "perceived" in extra(o)["roles"])
    assert streamed.perceived_ms is not None and streamed.perceived_ms < streamed.projected_ms
    fastest = min(a.options, key=lambda o: o.projected_ms)
    same = next(o for o in a.options if o.name.startswith("Same quality"))
    assert fastest.projected_ms < same.projected_ms
    assert risk_rank(fastest.accuracy_risk) > risk_rank(same.accuracy_risk) == 0


def test_no_batching_is_sold_as_a_latency_cut_at_low_traffic():
    s = scenario("bert_intent")
    s.traffic.peak_rps = 2.0
    a = analyze(s)
    assert "dynamic_batching" not in {r.technique for r in a.recommendations}
    left_out = [x for x in extra(a)["not_recommended"] if x["rule"] == "dynamic-batching"]
    assert left_out and "nothing to batch" in left_out[0]["reason"]
    for name in NAMES:
        for rec in advice(name).recommendations:
            if rec.technique in ("dynamic_batching", "continuous_batching"):
                assert rec.saving_ms[1] > 0


def test_video_frames_are_never_cached():
    a = advice("video_analytics")
    techniques = {r.technique for r in a.recommendations}
    assert not techniques & {"caching", "semantic_caching", "precompute"}


def test_no_streaming_for_a_batch_job():
    assert "streaming" not in {r.technique for r in advice("batch_scoring").recommendations}
    s = scenario("rag_assistant")
    s.sla.workload = "batch"
    a = analyze(s)
    assert "streaming" not in {r.technique for r in a.recommendations}
    assert all(o.perceived_ms is None for o in a.options)


def test_capacity_comes_first_when_the_queue_cannot_keep_up():
    a = advice("video_analytics")
    assert not a.current.steady_state
    first = a.recommendations[0]
    assert first.technique == "capacity" and extra(first)["restores_stability"]
    assert a.plan[0].rule == first.rule and extra(a.plan[0])["steady_state"]
    assert a.plan[-1].meets_sla
    assert all(math.isfinite(step.projected_ms) for step in a.plan)


def test_capacity_comes_first_near_full_utilization():
    s = scenario("recommender")
    s.traffic.peak_rps = 2550.0
    a = analyze(s)
    assert a.current.utilization >= 0.9
    assert a.recommendations[0].technique == "capacity"
    assert "simulation" in " ".join(a.assumptions)


def test_no_accuracy_loss_allowed_means_no_lossy_step_in_the_plan():
    s = scenario("rag_assistant")
    s.quality.max_accuracy_drop_pct = 0.0
    a = analyze(s)
    assert a.plan
    assert all(extra(step)["accuracy_risk"] == "none" for step in a.plan)
    lossy = [r for r in a.recommendations if r.accuracy_risk != "none"]
    assert lossy and all(extra(r)["within_quality_budget"] is False for r in lossy)
    # a zero budget admits lossless options only (issue #14)
    assert a.options and all(o.accuracy_risk == "none" for o in a.options)
    assert all(extra(o)["within_quality_budget"] for o in a.options)


@pytest.mark.parametrize("name", NAMES)
def test_the_plan_never_gets_slower_and_marks_where_to_stop(name):
    a = advice(name)
    stable = [s.projected_ms for s in a.plan if extra(s)["steady_state"]]
    for before, after in itertools.pairwise(stable):
        assert after <= before * 1.003
    stops = [s for s in a.plan if extra(s)["stop_here"]]
    assert len(stops) <= 1
    if stops:
        index = a.plan.index(stops[0])
        assert stops[0].meets_sla and not any(s.meets_sla for s in a.plan[:index])


def test_pareto_front_holds_only_undominated_bundles():
    front = extra(advice("rag_assistant"))["pareto_front"]
    assert front
    points = [
        (f["projected_ms"], risk_rank(f["accuracy_risk"]), sum(f["effort_days"])) for f in front
    ]
    for i, p in enumerate(points):
        for j, q in enumerate(points):
            if i != j:
                assert not (all(q[k] <= p[k] for k in range(3)) and q != p)


def test_a_measured_speedup_replaces_the_default_range():
    s = scenario("bert_intent")
    base = next(r for r in analyze(s).recommendations if r.rule == "runtime-onnxruntime-cpu")
    data = s.model_dump()
    data["stages"][2]["calibration"] = {
        "runtime": {"speedup": [3.0, 3.4], "source": "bench on c7i.large, 2026-11-20"}
    }
    calibrated = Scenario.model_validate(data)
    calibrated_a = analyze(calibrated)
    rec = next(r for r in calibrated_a.recommendations if r.rule == "runtime-onnxruntime-cpu")
    assert extra(rec)["calibrated"] is True and not extra(base)["calibrated"]
    assert "bench on c7i.large" in rec.why
    assert any(
        "measured speedup" in x and "bench on c7i.large" in x for x in calibrated_a.assumptions
    )
    assert rec.saving_ms[0] > base.saving_ms[0]


def test_a_path_that_meets_its_sla_gets_no_capacity_or_lossy_pressure():
    a = advice("batch_scoring")
    assert a.meets_sla
    assert all(r.technique != "capacity" for r in a.recommendations)


def test_text_output_reads_the_advice():
    text = format_text(advice("rag_assistant"))
    assert "What to do, in order" in text
    assert "first output" in text and "cumulative, projected" in text
    assert "Options for a decision maker" in text
    meets = any(step.meets_sla for step in advice("rag_assistant").plan)
    assert ("a good place to stop" in text) is meets
