"""The token model's physics against hand-computed values, and the `llm` command."""

from __future__ import annotations

import json

import pytest

from latency_advisor.cli import main
from latency_advisor.latency import tokens
from latency_advisor.latency.tokens import LlmConfig, LlmInputError
from latency_advisor.llm_specs import GPUS, find_gpu, parse_params, shape_for

H100 = GPUS["H100-80GB"]
H200 = GPUS["H200"]


def test_prefill_flops_are_two_times_params_times_tokens() -> None:
    assert tokens.prefill_flops(8000, 1000) == pytest.approx(2 * 8e9 * 1000)
    shape = shape_for(8000)
    # causal attention adds 2 x layers x tokens² x hidden
    assert tokens.prefill_flops(8000, 1000, shape) == pytest.approx(
        2 * 8e9 * 1000 + 2 * 32 * 1000**2 * 4096
    )


def test_prefill_time_is_flops_over_the_achieved_rate() -> None:
    cfg = LlmConfig(8000, H100, "bf16", prompt_tokens=2048, output_tokens=100)
    flops = 2 * 8e9 * 2048 + 2 * 32 * 2048**2 * 4096
    by_hand = flops / (989e12 * tokens.PREFILL_EFFICIENCY["optimized"]) * 1e3
    assert tokens.prefill_ms(cfg) == pytest.approx(by_hand)
    # FP8 doubles the H100's dense rate, so prefill halves
    assert tokens.prefill_ms(cfg.with_(precision="fp8")) == pytest.approx(by_hand / 2, rel=1e-3)
    # A100 has no FP8 tensor cores: FP8 weights run at the 16-bit rate
    a100 = cfg.with_(gpu=GPUS["A100-80GB"])
    assert tokens.prefill_ms(a100.with_(precision="fp8")) == pytest.approx(tokens.prefill_ms(a100))


def test_batch_one_decode_is_weight_bytes_over_bandwidth() -> None:
    cfg = LlmConfig(8000, H200, "bf16", prompt_tokens=1, output_tokens=2)
    weights = 8e9 * 2
    kv = 1 * (1 + 1) * 2 * 32 * 8 * 128 * 2  # batch x mean context x KV bytes per token
    by_hand = (weights + kv) / (tokens.DECODE_BANDWIDTH_EFFICIENCY * 4.8e12) * 1e3
    assert tokens.decode_step_ms(cfg) == pytest.approx(by_hand)
    est = tokens.estimate(cfg)
    assert est.floor_per_token_ms == pytest.approx(weights / 4.8e12 * 1e3)
    # INT4 reads a quarter of the bytes, at the dequantizing kernels' lower efficiency
    int4 = tokens.decode_step_ms(cfg.with_(precision="int4"))
    weights4 = 8e9 * 0.5 / tokens.DEQUANT_EFFICIENCY["int4"]
    assert int4 == pytest.approx(
        (weights4 + kv) / (tokens.DECODE_BANDWIDTH_EFFICIENCY * 4.8e12) * 1e3
    )
    assert int4 < by_hand / 2


def test_kv_cache_per_token_uses_kv_heads() -> None:
    assert tokens.kv_bytes_per_token(shape_for(8000)) == 2 * 32 * 8 * 128 * 2  # 128 KiB
    assert tokens.kv_bytes_per_token(shape_for(70000)) == 2 * 80 * 8 * 128 * 2  # 320 KiB
    est = tokens.estimate(LlmConfig(8000, H200, prompt_tokens=1000, output_tokens=24))
    assert est.kv_cache_mb_per_request == pytest.approx(1024 * 131072 / 1e6)


def test_max_batch_is_memory_after_weights_over_kv_per_request() -> None:
    cfg = LlmConfig(8000, H100, "bf16", prompt_tokens=2000, output_tokens=48)
    free = (80 * 0.9 - 1.0) * 1e9 - 16e9
    assert tokens.max_batch(cfg) == int(free // (2048 * 131072))


def test_per_token_time_rises_as_the_batch_fills() -> None:
    cfg = LlmConfig(70000, H100, "fp8", tp=2, prompt_tokens=4000, output_tokens=400)
    steps = [tokens.decode_step_ms(cfg, b) for b in (1, 8, 32)]
    assert steps[0] < steps[1] < steps[2]


def test_tensor_parallel_divides_weight_reads_at_an_all_reduce_cost() -> None:
    cfg = LlmConfig(70000, H100, "bf16", tp=2, prompt_tokens=100, output_tokens=100)
    two = tokens.decode_step_ms(cfg)
    four = tokens.decode_step_ms(cfg.with_(tp=4))
    assert four < two
    assert four > two / 2  # the all-reduce keeps it from halving
    assert tokens.allreduce_ms(cfg.with_(tp=4), 1) > tokens.allreduce_ms(cfg, 1) > 0


def test_eager_pytorch_adds_per_layer_overhead() -> None:
    cfg = LlmConfig(8000, H100, prompt_tokens=100, output_tokens=100)
    eager = tokens.decode_step_ms(cfg.with_(runtime="eager"))
    assert eager - tokens.decode_step_ms(cfg) == pytest.approx(32 * 0.9)


def test_prompt_beyond_context_and_model_too_big_are_refused() -> None:
    with pytest.raises(LlmInputError) as info:
        tokens.estimate(LlmConfig(13000, H100, prompt_tokens=4000, output_tokens=300))
    assert info.value.field == "prompt_tokens"
    with pytest.raises(LlmInputError) as info:
        tokens.estimate(LlmConfig(70000, H100, "bf16", tp=1))
    assert info.value.field == "gpus"
    assert "140 GB" in str(info.value)


def test_names_and_sizes() -> None:
    assert find_gpu("h100") is H100 and find_gpu("H200") is H200 and find_gpu("X1") is None
    assert parse_params("8B") == 8000 and parse_params("1.5B") == 1500
    assert parse_params("350") == 350 and parse_params("350M") == 350
    with pytest.raises(ValueError):
        parse_params("big")
    assert shape_for(7000).label == "8B" and shape_for(65000).label == "70B"


def test_llm_command_json(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["llm", "--params", "8B", "--gpu", "H200", "--precision", "bf16", "--tp", "1",
            "--prompt", "6144", "--output", "400", "--batch", "16", "--runtime", "optimized",
            "--json"]  # fmt: skip
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    for key in ("prefill_ms", "first_token_ms", "per_token_ms", "total_ms",
                "kv_cache_mb_per_request", "max_batch", "tokens_per_s"):  # fmt: skip
        assert key in data
    assert data["total_ms"] == pytest.approx(
        data["first_token_ms"] + 399 * data["per_token_ms"], rel=1e-3
    )
    assert data["first_token_ms"] > data["prefill_ms"]  # joins a running batch of 16


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--params", "8B", "--gpu", "V100"], "known GPUs: A10G"),
        (["--params", "70B", "--gpu", "H100"], "--tp"),
        (["--params", "13B", "--prompt", "8000"], "--prompt"),
        (["--params", "huge"], "--params"),
    ],
)
def test_llm_command_bad_input_exits_2(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["llm", *argv]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
