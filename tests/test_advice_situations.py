"""Situations unlike the bundled examples, and what an experienced engineer says about each.

Each scenario file in tests/situations/ is written for a reviewer to read; each test states what
must come first in the advice and what must not appear at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from latency_advisor.analysis import Analysis, analyze, format_text
from latency_advisor.scenario import Scenario, load_scenario
from latency_advisor.techniques import risk_rank

HERE = Path(__file__).parent / "situations"


def load(name: str) -> Scenario:
    return load_scenario(HERE / f"{name}.yaml")


_CACHE: dict[str, Analysis] = {}


def run(name: str) -> Analysis:
    if name not in _CACHE:
        _CACHE[name] = analyze(load(name))
    return _CACHE[name]


def extra(a: Analysis, key: str):
    return (a.model_extra or {}).get(key)


def techniques(a: Analysis) -> list[str]:
    return [r.technique for r in a.recommendations]


def left_out(a: Analysis) -> dict[str, str]:
    return {row["rule"]: row["reason"] for row in extra(a, "not_recommended") or []}


# ------------------------------------------------------------------ near saturation


def test_near_saturation_names_the_queue_and_keeps_stage_fixes():
    """At ~98% utilization the tail is queue: every ms of service saved also shrinks it."""
    a = run("near_saturation")
    assert a.current.utilization > 0.95
    assert a.bottleneck.kind == "queue"
    assert a.bottleneck.service_stage == "CNN tagger"
    # the model's fixes are not dropped as "a few % of the path"
    model_fixes = [r for r in a.recommendations if r.stage == "CNN tagger"]
    assert len(model_fixes) >= 4
    assert not any("cannot matter" in why for why in left_out(a).values())
    assert max(r.saving_ms[1] for r in model_fixes) > 0.5 * a.gap_ms
    # capacity restores the headroom first
    assert a.recommendations[0].technique == "capacity"
    assert "queue" in format_text(a).split("Bottleneck:")[1].splitlines()[0]


# ------------------------------------------------------------------ met target


def test_met_target_says_so_first_with_headroom_breaking_point_and_spare_replicas():
    a = run("met_target")
    assert a.meets_sla
    room = extra(a, "headroom")
    assert room["headroom_ms"] == pytest.approx(a.headroom_ms, rel=1e-6)
    assert room["breaks_at_rps"] > 40  # today's peak
    assert room["replicas_that_meet"] < a.current.replicas
    assert room["spare_replicas"] == a.current.replicas - room["replicas_that_meet"]
    text = format_text(a)
    assert text.index("You meet the SLA") < text.index("Where the time goes")
    assert "a good place to stop" not in text
    assert not any((s.model_extra or {}).get("stop_here") for s in a.plan)
    # nothing urgent: no step costs money or risks the answers; the GPU move is not first
    for step in a.plan:
        assert step.accuracy_risk == "none"
    assert a.recommendations[0].cost in ("saves", "none")
    assert a.recommendations[0].technique != "hardware"


def test_breaking_traffic_is_where_the_sla_stops_being_met():
    a = run("met_target")
    rps = extra(a, "headroom")["breaks_at_rps"]
    below = load("met_target").model_copy(deep=True)
    below.traffic.peak_rps = rps * 0.97
    above = load("met_target").model_copy(deep=True)
    above.traffic.peak_rps = rps * 1.05
    assert analyze(below, advice=False).meets_sla
    assert not analyze(above, advice=False).meets_sla


# ------------------------------------------------------------------ quality budget


def test_zero_quality_budget_plans_lossless_fixes_and_offers_capacity():
    a = run("zero_quality")
    assert a.plan
    for step in a.plan:
        assert step.accuracy_risk == "none"
    capacity = [r for r in a.recommendations if r.technique == "capacity"]
    assert capacity, "adding replicas meets the SLA here and must be offered"
    assert capacity[0].saving_ms[0] >= a.gap_ms


# ------------------------------------------------------------------ low traffic


def test_batching_is_left_out_when_there_is_nothing_to_batch():
    a = run("low_traffic")
    assert "dynamic_batching" not in techniques(a)
    reason = left_out(a)["dynamic-batching"]
    assert "nothing to batch" in reason
    assert "0." in reason  # the requests in flight are named


def test_batching_is_kept_where_requests_pile_up():
    a = run("near_saturation")
    assert "dynamic_batching" in techniques(a)


# ------------------------------------------------------------------ fan-out


def test_fanout_is_one_unit_with_one_hedge_a_deadline_and_a_tail_warning():
    a = run("fanout")
    assert a.bottleneck.stage == "features"
    assert a.bottleneck.kind == "parallel_group"
    assert a.bottleneck.share > 0.8
    assert len(a.bottleneck.members) == 10
    hedges = [r for r in a.recommendations if r.technique == "hedging"]
    assert len(hedges) == 1
    assert len(hedges[0].stages) == 10
    deadline = [r for r in a.recommendations if r.technique == "deadline"]
    assert len(deadline) == 1 and deadline[0].rollout
    assert any("p99.9" in w and "features" in w for w in a.warnings)


# ------------------------------------------------------------------ batch job


def test_batch_job_is_judged_on_job_time_against_its_deadline():
    a = run("batch_job")
    job = extra(a, "batch_job")
    assert job["job_time_s"] > job["deadline_s"]
    assert not a.meets_sla
    assert job["throughput_items_per_s"] == pytest.approx(
        job["workers"] / job["busy_ms_per_item"] * 1000
    )
    assert job["replicas_for_deadline"] > a.current.replicas
    tech = techniques(a)
    assert "streaming" not in tech
    assert "early_exit" not in tech  # an embedding model's vectors must stay comparable
    assert "vectorize" in tech  # the python_loop fact is read
    assert "parallelize" in tech  # overlap of I/O with compute
    assert "capacity" in tech
    overlap = [r for r in a.recommendations if r.rule == "overlap-loading-with-compute"]
    assert len(overlap) == 1  # one change to the job's data pipeline
    steps = [s.projected_ms for s in a.plan]
    assert steps == sorted(steps, reverse=True)
    assert steps[-1] <= job["deadline_s"] * 1000
    text = format_text(a)
    assert "Job: 20,000,000 items" in text and "deadline" in text


# ------------------------------------------------------------------ state and typos


def test_applied_techniques_are_never_advised_again_and_are_listed():
    a = run("optimized_llm")
    stated = {
        "continuous_batching",
        "kv_cache",
        "flash_attention",
        "runtime",
        "streaming",
        "prefix_caching",
        "speculative_decoding",
    }
    assert not stated & set(techniques(a))
    listed = {row["technique"] for row in extra(a, "already_applied")}
    assert stated <= listed
    assert any("already in place" in why for why in left_out(a).values())


def test_unknown_fact_name_warns_with_the_closest_name():
    a = run("optimized_llm")
    assert any("cross_regoin" in w and "cross_region" in w for w in a.warnings)


def test_a_fact_named_after_a_technique_says_it_is_on():
    s = load("optimized_llm").model_copy(deep=True)
    s.stages[1].applied = []
    s.stages[1].facts["speculative_decoding"] = True
    a = analyze(s)
    assert "speculative_decoding" not in techniques(a)
    assert "prefix_caching" in techniques(a)  # the fact names one technique, not all
    assert not any("speculative_decoding" in w for w in a.warnings)


# ------------------------------------------------------------------ consistency of inputs


def test_inconsistent_inputs_ask_which_is_wrong_before_capacity():
    a = run("inconsistent_rag")
    assert extra(a, "inputs_consistent") is False
    first = a.warnings[0]
    assert "concurrency" in first and "Which is wrong" in first
    check = extra(a, "consistency")
    assert check["concurrency_to_keep_up"] >= 8
    capacity = [r for r in a.recommendations if r.technique == "capacity"]
    assert capacity and all(r.why.startswith("Check the inputs") for r in capacity)
    text = format_text(a)
    assert text.index("Which is wrong") < text.index("What to do")


def test_remote_waits_in_an_async_service_can_release_the_worker():
    a = run("async_fraud")
    check = extra(a, "consistency")
    assert check["utilization_if_async"] < 0.5 < a.current.utilization
    s = load("async_fraud").model_copy(deep=True)
    for stage in s.stages:
        if stage.kind == "feature_fetch":
            stage.holds_worker = False
    fixed = analyze(s, advice=False)
    assert fixed.current.steady_state
    assert fixed.current.utilization == pytest.approx(check["utilization_if_async"], rel=0.05)


def test_consistent_inputs_raise_no_question():
    a = run("near_saturation")
    assert extra(a, "inputs_consistent") is True
    assert extra(a, "consistency") is None


# ------------------------------------------------------------------ plan order


def test_rag_plan_opens_with_the_zero_risk_serving_switch_and_has_no_idle_steps():
    from latency_advisor.paths import example

    a = analyze(load_scenario(example("rag_assistant")))
    assert a.plan[0].rule == "serve-llm-with-vllm"
    floor = 0.002 * a.current.at_sla_percentile_ms
    previous = a.current.at_sla_percentile_ms
    for step in a.plan:
        assert previous - step.projected_ms >= floor, step.rule
        previous = step.projected_ms
    assert "streaming" not in {s.technique for s in a.plan}
    assert any(row["rule"] == "stream-llm-tokens" for row in extra(a, "perceived"))
    risks = [risk_rank(s.accuracy_risk) for s in a.plan]
    lossless = [r == 0 for r in risks]
    assert lossless == sorted(lossless, reverse=True)  # answers-preserving fixes first


def test_missing_facts_say_what_they_would_unlock():
    a = run("llm_only_family")
    missing = {row["field"]: row["unlocks"] for row in extra(a, "missing_facts")}
    assert "model.runtime" in missing
    assert any("inference server" in t for t in missing["model.runtime"])
    assert "model.output_tokens" in missing
    assert "Say more to get more advice" in format_text(a)


# ------------------------------------------------------------------ the app asks too


def test_the_app_asks_about_concurrency_next_to_its_field(qtbot):
    from latency_advisor.ui.document import ScenarioDocument
    from latency_advisor.ui.sla_panel import SlaPanel

    doc = ScenarioDocument(load("inconsistent_rag"))
    panel = SlaPanel(doc)
    qtbot.addWidget(panel)
    panel.show()
    panel.show_analysis(run("inconsistent_rag"))
    assert panel.consistency.isVisible()
    assert "per replica would keep up" in panel.consistency.text()
    panel.show_analysis(run("met_target"))
    assert not panel.consistency.isVisible()


def test_a_target_met_only_just_is_worth_work():
    """2% to spare, or a traffic bump away from breaking: the margin itself is the problem."""
    s = load("met_target").model_copy(deep=True)
    s.traffic.replicas = 3
    s.traffic.peak_rps = 40
    s.sla.target_ms = 0.0 + analyze(s, advice=False).current.at_sla_percentile_ms * 1.03
    a = analyze(s)
    room = extra(a, "headroom")
    assert a.meets_sla and room["thin"]
    text = format_text(a)
    assert "only just" in text and "Optional fixes" not in text
    assert a.plan  # steps that buy margin, not an "optional" list


def test_a_fleet_loaded_to_exactly_one_has_no_steady_state_and_no_crash():
    """5 requests/s on one replica busy 200 ms each: utilization 1 up to rounding (a case the
    property tests found: the M/G/1 construction drew a negative number of residual times)."""
    from latency_advisor.scenario import validate_scenario

    s = validate_scenario(
        {
            "format": "latency-advisor/scenario/v1",
            "name": "exactly full",
            "sla": {"target_ms": 5.0, "percentile": 50},
            "traffic": {"peak_rps": 5.0, "replicas": 1},
            "stages": [
                {"name": "fetch", "kind": "feature_fetch", "p50_ms": 200.0, "p95_ms": 200.0},
                {"name": "hop", "kind": "network", "p50_ms": 1.0, "p95_ms": 1.0},
            ],
        }
    )
    a = analyze(s)
    assert not a.current.steady_state and not a.meets_sla
