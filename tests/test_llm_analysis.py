"""LLM stages in tokens inside the analysis: first output, time per token, phases, old files."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from latency_advisor.analysis import analyze
from latency_advisor.cli import main
from latency_advisor.rules.phases import PHASES, phase_of
from latency_advisor.scenario import ScenarioError, load_scenario, validate_scenario
from tests.conftest import EXAMPLES

DATA = Path(__file__).parent / "data"


def chat(**sla) -> dict:
    data = yaml.safe_load((EXAMPLES / "chat_assistant.yaml").read_text())
    data["sla"].update(sla)
    return data


def run(data: dict):
    return analyze(validate_scenario(copy.deepcopy(data)))


def recs(analysis) -> dict[str, object]:
    return {r.rule: r for r in analysis.recommendations}


def test_first_token_target_is_checked_on_the_first_output() -> None:
    a = run(chat())
    c = a.current
    assert c.first_token_ms == c.at_sla_percentile_ms
    # the first output is far below the whole answer (400 tokens of decode come after it)
    assert c.end_to_end_ms > 4 * c.first_token_ms
    assert c.per_token_ms == pytest.approx(28.0)  # measured p95 wins
    assert a.meets_sla is (c.first_token_ms <= 800 and c.per_token_ms <= 40)


def test_end_to_end_target_reports_first_token_beside_total() -> None:
    a = run(chat(metric="end_to_end", target_ms=20000, per_token_ms=None))
    assert a.current.first_token_ms < a.current.at_sla_percentile_ms / 4
    assert not hasattr(a.current, "end_to_end_ms") or a.current.end_to_end_ms is None


def test_a_missed_per_token_target_fails_the_sla_with_a_warning() -> None:
    a = run(chat(target_ms=60000, metric="end_to_end", per_token_ms=20))
    assert a.meets_sla is False
    assert any("per output token" in w for w in a.warnings)


def test_decode_fixes_do_not_cut_the_time_to_first_token() -> None:
    a = run(chat())
    listed = recs(a)
    assert "cap-output-length" not in listed and "speculative-decoding" not in listed
    skipped = {row["rule"] for row in a.model_extra["not_recommended"]}
    assert {"cap-output-length", "speculative-decoding"} <= skipped
    assert listed["prefix-caching-llm"].phase == "prefill"
    assert listed["prefix-caching-llm"].saving_ms[1] > 100


def test_on_the_total_decode_fixes_count_and_carry_their_phase() -> None:
    a = run(chat(metric="end_to_end", target_ms=5000, per_token_ms=None))
    listed = recs(a)
    assert listed["cap-output-length"].phase == "decode"
    assert listed["speculative-decoding"].phase == "decode"
    assert listed["cap-output-length"].saving_ms[1] > 1000


def test_speculative_decoding_gains_less_as_the_batch_fills() -> None:
    def saving(batch: int) -> float:
        data = chat(metric="end_to_end", target_ms=5000, per_token_ms=None)
        model = data["stages"][2]["model"]
        model.update(max_sequences=batch, prompt_tokens=500)  # short contexts: weights dominate
        model.pop("per_token_ms")
        rec = recs(run(data)).get("speculative-decoding")
        return rec.saving_ms[1] if rec is not None else 0.0  # not listed: saves (next to) nothing

    # at batch 256 verifying 5 tokens per sequence makes the step compute-bound: little gain
    assert saving(1) > 500 and saving(1) > saving(256) * 2


def test_every_llm_technique_has_its_phase() -> None:
    scenario = load_scenario(EXAMPLES / "rag_assistant.yaml")
    assert phase_of("shorter_output", "LLM inference", scenario) == "decode"
    assert phase_of("speculative_decoding", "LLM inference", scenario) == "decode"
    assert phase_of("prefix_caching", "LLM inference", scenario) == "prefill"
    assert phase_of("chunked_prefill", "LLM inference", scenario) == "prefill"
    assert phase_of("quantization_fp8", "LLM inference", scenario) == "both"
    assert phase_of("smaller_model", "LLM inference", scenario) == "both"
    assert phase_of("streaming", "LLM inference", scenario) == "perceived"
    assert phase_of("capacity", None, scenario) == "capacity"
    assert phase_of("ann_index", "Vector search", scenario) is None
    assert set(PHASES.values()) <= {"prefill", "decode", "both", "perceived", "capacity"}
    no_llm = load_scenario(EXAMPLES / "fraud_score.yaml")
    assert phase_of("capacity", None, no_llm) is None


def test_every_recommendation_has_a_phase_key_in_json(capsys) -> None:
    assert main(["analyze", str(EXAMPLES / "rag_assistant.yaml"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["recommendations"] and all("phase" in r for r in data["recommendations"])
    assert "first_token_ms" in data["current"]


def test_measured_first_token_wins_over_the_token_model() -> None:
    data = chat()
    a = run(data)
    assert a.llm["first_token_source"] == "measured"
    assert a.llm["first_token_ms"]["p95"] == pytest.approx(1300)
    data["stages"][2]["model"].pop("ttft_ms")
    b = run(data)
    assert b.llm["first_token_source"] == "estimated"
    assert b.llm["first_token_ms"]["p50"] != pytest.approx(700)


def test_a_file_without_token_fields_analyses_as_before() -> None:
    """The pre-token RAG example: same figures and advice with or without the token code."""
    import latency_advisor.analysis as analysis_module
    import latency_advisor.rules.engine as engine_module

    old = load_scenario(DATA / "rag_assistant_v1.yaml")
    with_tokens = analyze(old).to_json_data()
    saved = (analysis_module.annotate_tokens, engine_module.phases.token_ranges)
    try:
        analysis_module.annotate_tokens = lambda *a, **k: None
        engine_module.phases.token_ranges = lambda technique, stage, scenario, ranges: ranges
        without = analyze(old).to_json_data()
    finally:
        analysis_module.annotate_tokens, engine_module.phases.token_ranges = saved
    for rec in with_tokens["recommendations"] + without["recommendations"]:
        rec.pop("phase")
    assert with_tokens == without


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"gpu": "V100"}, "stages[2].model.gpu"),
        ({"gpus": 1, "precision": "bf16"}, "stages[2].model.gpus"),
        ({"prompt_tokens": 140000}, "stages[2].model.prompt_tokens"),
        ({"ttft_ms": {"p50": 9500}}, "stages[2].model.ttft_ms.p50"),
    ],
)
def test_bad_llm_inputs_name_the_field(change: dict, field: str, tmp_path, capsys) -> None:
    data = chat()
    data["stages"][2]["model"].update(change)
    with pytest.raises(ScenarioError) as info:
        validate_scenario(copy.deepcopy(data))
    assert info.value.field == field
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    assert main(["analyze", str(path)]) == 2
    err = capsys.readouterr().err
    assert field in err and "Traceback" not in err
    if "gpu" in change:
        assert "H100-80GB" in err  # the message lists the known GPUs


def test_report_splits_the_llm_into_prefill_and_decode(tmp_path) -> None:
    from pypdf import PdfReader

    out = tmp_path / "chat.pdf"
    assert main(["report", str(EXAMPLES / "chat_assistant.yaml"), "-o", str(out)]) == 0
    text = " ".join(page.extract_text() for page in PdfReader(out).pages)
    text = " ".join(text.split())
    assert "Prefill: time to first token" in text and "Decode: 399 more tokens" in text
    assert "First output of the path" in text and "Whole answer" in text
    assert "speeds up the prefill" in text


def test_spoken_answer_names_the_phase_of_each_fix(capsys) -> None:
    path = str(EXAMPLES / "chat_assistant.yaml")
    assert main(["rehearse", path, "--length", "deep"]) == 0
    text = capsys.readouterr().out
    assert "In LLM terms" in text and "shortens the prefill" in text
    assert "The first token reaches the user" in text


def test_no_fix_projects_the_llm_below_its_gpus_physical_floor() -> None:
    from latency_advisor.llm_path import token_split
    from latency_advisor.rules.phases import token_ranges

    scenario = load_scenario(EXAMPLES / "rag_assistant.yaml")  # eager PyTorch, 70B, 8 x H200
    split = token_split(scenario)
    est = split.estimate
    floor = est.floor_prefill_ms + 299 * est.floor_per_token_ms
    ranges = token_ranges("runtime", "LLM inference", scenario, {"speedup": (1.3, 2.5)})
    low, high = ranges["speedup"]
    # the token model alone would remove the eager overhead (a ~10x gain); physics caps it
    assert est.per_token_ms > 5 * est.floor_per_token_ms
    assert 2500 / high == pytest.approx(floor, rel=1e-6)
    assert low <= high


def test_a_stage_faster_than_its_gpu_allows_is_flagged() -> None:
    data = chat(metric="end_to_end", target_ms=20000, per_token_ms=None)
    stage = data["stages"][2]
    stage["model"].update(precision="bf16", gpus=4)
    stage["model"].pop("ttft_ms")
    stage["model"].pop("per_token_ms")
    stage.update(p50_ms=2000, p95_ms=2500, p99_ms=3000)  # 400 tokens of 70B bf16: >= 4.2 s
    a = run(data)
    assert any("physically do" in w for w in a.warnings)


def test_text_output_reads_first_output_and_per_token(capsys) -> None:
    assert main(["analyze", str(EXAMPLES / "chat_assistant.yaml")]) == 0
    text = capsys.readouterr().out
    assert "First output p95:" in text and "ms per output token" in text
    assert main(["analyze", str(DATA / "rag_assistant_v1.yaml")]) == 0
    text = capsys.readouterr().out
    assert "End-to-end p95:" in text and "LLM in tokens" not in text


def test_a_first_token_target_without_an_llm_says_so() -> None:
    data = yaml.safe_load((EXAMPLES / "fraud_score.yaml").read_text())
    data["sla"]["metric"] = "first_token"
    a = run(data)
    assert any("no stage is an LLM" in w for w in a.warnings)


def test_more_sequences_than_the_kv_cache_holds_is_flagged() -> None:
    data = chat(metric="end_to_end", target_ms=20000, per_token_ms=None)
    data["stages"][2]["model"].update(max_sequences=500)  # 500 x 6,400 tokens x 320 KiB
    a = run(data)
    assert any("KV cache" in w and "the rest wait" in w for w in a.warnings)
    assert not any("KV cache" in w for w in run(chat()).warnings)  # 32 fit


def test_configuration_changes_compose_in_the_token_model_not_by_multiplying_ratios():
    """Eager overhead hides FP8's saved bytes; once an optimized runtime removes it, FP8 halves
    the weight reads: together they do far more than their ratios sized against today."""
    from latency_advisor.paths import example
    from latency_advisor.rules import phases
    from latency_advisor.scenario import load_scenario

    s = load_scenario(example("rag_assistant"))
    stage = "LLM inference"
    runtime = phases.config_step("runtime", stage, s, "high", {})
    fp8 = phases.config_step("quantization_fp8", stage, s, "high", {})
    assert runtime is not None and fp8 is not None
    alone = phases.combined_ratio(s, [runtime]) * phases.combined_ratio(s, [fp8])
    both = phases.combined_ratio(s, [runtime, fp8])
    assert both < 0.75 * alone
    # and never below what the final configuration can physically do
    assert (
        both
        >= phases.floor_ratio(
            phases._split(s),
            s,
            phases.Projection(
                (1, 1),
                (1, 1),
                config_high=phases._split(s).config.with_(precision="fp8", runtime="optimized"),
            ),
        )
        - 1e-9
    )
