"""The Prometheus importer on LLM servers' own metrics (vLLM, TGI, TensorRT-LLM)."""

from __future__ import annotations

from pathlib import Path

import pytest

from latency_advisor.analysis import analyze
from latency_advisor.importers.api import import_file
from latency_advisor.importers.result import apply_to_scenario
from latency_advisor.scenario import validate_scenario


def histogram(name: str, buckets: list[tuple[str, float]], labels: str, help_: str) -> str:
    lines = [f"# HELP {name} {help_}", f"# TYPE {name} histogram"]
    total = 0.0
    for le, count in buckets:
        total = count
        sep = "," if labels else ""
        lines.append(f'{name}_bucket{{{labels}{sep}le="{le}"}} {count}')
    lines.append(f"{name}_sum{{{labels}}} 123.0")
    lines.append(f"{name}_count{{{labels}}} {total}")
    return "\n".join(lines)


VLLM_LABELS = 'engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"'


def vllm_file(tmp_path: Path) -> Path:
    """As vLLM's /metrics writes them (bucket bounds from vllm/engine/metrics.py)."""
    parts = [
        "# HELP vllm:num_requests_running Number of requests in model execution batches.",
        "# TYPE vllm:num_requests_running gauge",
        f"vllm:num_requests_running{{{VLLM_LABELS}}} 12.0",
        histogram("vllm:time_to_first_token_seconds",
                  [("0.04", 0), ("0.06", 10), ("0.08", 150), ("0.1", 400), ("0.25", 900),
                   ("0.5", 980), ("0.75", 995), ("1.0", 1000), ("+Inf", 1000)],
                  VLLM_LABELS, "Histogram of time to first token in seconds."),
        histogram("vllm:time_per_output_token_seconds",
                  [("0.01", 0), ("0.025", 600), ("0.05", 980), ("0.075", 998), ("0.1", 1000),
                   ("+Inf", 1000)],
                  VLLM_LABELS, "Histogram of time per output token in seconds."),
        histogram("vllm:e2e_request_latency_seconds",
                  [("1.0", 0), ("2.5", 100), ("5.0", 700), ("10.0", 990), ("15.0", 1000),
                   ("+Inf", 1000)],
                  VLLM_LABELS, "Histogram of end to end request latency in seconds."),
        histogram("vllm:request_prompt_tokens",
                  [("500", 50), ("1000", 200), ("2000", 700), ("5000", 1000), ("+Inf", 1000)],
                  VLLM_LABELS, "Number of prefill tokens processed."),
        histogram("vllm:request_generation_tokens",
                  [("100", 100), ("200", 400), ("500", 950), ("1000", 1000), ("+Inf", 1000)],
                  VLLM_LABELS, "Number of generation tokens processed."),
    ]  # fmt: skip
    path = tmp_path / "vllm_metrics.txt"
    path.write_text("\n".join(parts) + "\n")
    return path


def test_vllm_histograms_become_one_llm_stage_in_tokens(tmp_path: Path) -> None:
    result = import_file(vllm_file(tmp_path))
    assert len(result.stages) == 1
    stage = result.stages[0]
    assert stage.kind == "model" and "Llama-3.1-8B" in stage.name
    data = stage.stage_data()
    model = data["model"]
    assert model["family"] == "llm"
    # ttft p50: rank 500 falls in (0.1, 0.25] s holding 500 -> 0.1 + 0.15 * 100/500 s = 130 ms
    assert model["ttft_ms"]["p50"] == pytest.approx(130.0)
    # per token p50: rank 500 in (0.01, 0.025] holding 600 -> 10 + 15 * 500/600 = 22.5 ms
    assert model["per_token_ms"]["p50"] == pytest.approx(22.5)
    # e2e p50: rank 500 in (2.5, 5] holding 600 -> 2500 + 2500 * 400/600 ms
    assert data["p50_ms"] == pytest.approx(2500 + 2500 * 400 / 600, rel=1e-3)
    # token counts are counts, not seconds: prompt p50 in (1000, 2000] -> 1600
    assert model["prompt_tokens"] == 1600
    assert model["output_tokens"] == round(200 + 300 * 100 / 550)
    # the bucket bounds are reported as the uncertainty
    assert stage.bounds_ms[50.0] == pytest.approx((2500.0, 5000.0))
    assert any("ttft_ms" in w and "p50 130 ms in 100–250 ms" in w for w in result.warnings)
    assert "streaming" not in model  # the server's histograms cannot say whether clients stream


def test_imported_llm_stage_analyses_in_tokens(tmp_path: Path) -> None:
    result = import_file(vllm_file(tmp_path))
    base = validate_scenario(
        {
            "format": "latency-advisor/scenario/v1",
            "name": "chat",
            "sla": {"target_ms": 500, "percentile": 95, "metric": "first_token"},
            "traffic": {"peak_rps": 1, "concurrency": 32},
            "stages": [{"name": "gateway", "kind": "network", "p50_ms": 20}],
        }
    )
    scenario = apply_to_scenario(result, base, mode="merge")
    llm = scenario.stages[-1]
    assert llm.model is not None and llm.model.ttft_ms is not None
    a = analyze(scenario, advice=False)
    assert a.llm["first_token_source"] == "measured"
    assert a.current.first_token_ms < a.current.end_to_end_ms


def test_tgi_metrics(tmp_path: Path) -> None:
    parts = [
        histogram("tgi_request_duration",
                  [("0.5", 10), ("1", 200), ("2", 900), ("5", 1000), ("+Inf", 1000)],
                  "", "Total time spent processing the request"),
        histogram("tgi_request_mean_time_per_token_duration",
                  [("0.01", 100), ("0.02", 800), ("0.05", 1000), ("+Inf", 1000)],
                  "", "Mean time per token per request"),
        histogram("tgi_request_input_length",
                  [("100", 100), ("1000", 900), ("4000", 1000), ("+Inf", 1000)],
                  "", "Input token length per request"),
        histogram("tgi_request_generated_tokens",
                  [("50", 100), ("200", 800), ("1000", 1000), ("+Inf", 1000)],
                  "", "Generated tokens per request"),
    ]  # fmt: skip
    path = tmp_path / "tgi.prom"
    path.write_text("\n".join(parts) + "\n")
    result = import_file(path)
    [stage] = result.stages
    model = stage.stage_data()["model"]
    assert "ttft_ms" not in model  # TGI has no per-request time-to-first-token histogram
    assert model["per_token_ms"]["p50"] == pytest.approx(10 + 10 * 400 / 700, rel=1e-3)
    assert model["prompt_tokens"] == round(100 + 900 * 400 / 800)
    assert model["output_tokens"] == round(50 + 150 * 400 / 700)
    assert stage.stage_data()["p50_ms"] == pytest.approx(1000 + 1000 * 300 / 700, rel=1e-3)


def test_tensorrt_llm_metrics_through_dynamo(tmp_path: Path) -> None:
    labels = 'model_name="llama-70b",engine_type="trtllm"'
    parts = [
        histogram("trtllm:e2e_request_latency_seconds",
                  [("1", 0), ("5", 800), ("10", 1000), ("+Inf", 1000)], labels, "e2e"),
        histogram("trtllm:time_to_first_token_seconds",
                  [("0.1", 0), ("0.5", 900), ("1", 1000), ("+Inf", 1000)], labels, "ttft"),
        histogram("trtllm:time_per_output_token_seconds",
                  [("0.01", 0), ("0.02", 950), ("0.05", 1000), ("+Inf", 1000)], labels, "tpot"),
        histogram("other_service_latency_seconds",
                  [("0.01", 500), ("0.1", 1000), ("+Inf", 1000)], "", "another stage"),
    ]  # fmt: skip
    path = tmp_path / "trt.prom"
    path.write_text("\n".join(parts) + "\n")
    result = import_file(path)
    names = [s.name for s in result.stages]
    assert names[0] == "LLM llama-70b (TensorRT-LLM)" and len(names) == 2
    model = result.stages[0].stage_data()["model"]
    assert model["ttft_ms"]["p50"] == pytest.approx(100 + 400 * 500 / 900, rel=1e-3)
