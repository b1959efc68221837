"""The token model's estimates next to public measurements (prints tables; not a test).

    python benchmarks/llm_estimates.py

Part 1 prints the estimates for Llama-like 1B, 8B, 32B and 70B shapes on A100-80GB, H100-80GB
and H200 at batch 1 and 16, prompts of 512, 2,048 and 6,144 tokens, bf16 and fp8 (a model that
does not fit one GPU gets the fewest GPUs that hold it, marked). Part 2 sets the model against
published measurements, each with its source and its conditions; a measured figure's conditions
(power limits, runtime version, batch scheduling) are not all in the model, so expect agreement
within a factor of about 1.5, not a few percent. Part 3 is where measurements of a synthetic
(random-weight) Llama shape with `transformers` on a real H200 go, eager and with a compiled
static KV cache: no GPU was available when this script was written, so that table is empty.
"""

from __future__ import annotations

from latency_advisor.latency.tokens import (
    LlmConfig,
    LlmInputError,
    decode_step_ms,
    estimate,
    max_batch,
    prefill_ms,
)
from latency_advisor.llm_specs import GPUS, SHAPES

SIZES = {"1B": 1240, "8B": 8030, "32B": 32800, "70B": 70600}
GPU_NAMES = ("A100-80GB", "H100-80GB", "H200")
OUTPUT = 256


def fewest_gpus(cfg: LlmConfig) -> LlmConfig | None:
    for tp in (1, 2, 4, 8):
        candidate = cfg.with_(tp=tp)
        try:
            estimate(candidate)
            return candidate
        except LlmInputError:
            continue
    return None


def part1() -> None:
    print("Part 1: estimates (optimized runtime, output 256 tokens)")
    print(
        f"{'model':>5} {'gpu':>10} {'prec':>5} {'tp':>3} {'batch':>5} {'prompt':>6} "
        f"{'prefill ms':>10} {'ttft ms':>8} {'ms/token':>8} {'tok/s/GPU':>9} {'max batch':>9}"
    )
    for label, params in SIZES.items():
        for gpu in GPU_NAMES:
            for precision in ("bf16", "fp8"):
                for batch in (1, 16):
                    for prompt in (512, 2048, 6144):
                        base = LlmConfig(
                            params, GPUS[gpu], precision, 1, prompt, OUTPUT, batch, "optimized"
                        )
                        cfg = fewest_gpus(base)
                        if cfg is None:
                            print(f"{label:>5} {gpu:>10} {precision:>5}   does not fit 8 GPUs")
                            continue
                        e = estimate(cfg)
                        print(
                            f"{label:>5} {gpu:>10} {precision:>5} {cfg.tp:>3} {batch:>5} "
                            f"{prompt:>6} {e.prefill_ms:>10.1f} {e.first_token_ms:>8.1f} "
                            f"{e.per_token_ms:>8.2f} {e.tokens_per_s:>9.0f} {e.max_batch:>9}"
                        )
    print()


def decode_tokens_per_s(cfg: LlmConfig) -> float:
    return 1000.0 / decode_step_ms(cfg)


def offline_tokens_per_s(cfg: LlmConfig) -> float:
    """Output tokens/s of a static batch: prefill every prompt, then decode them together."""
    batch = min(cfg.batch, max(1, max_batch(cfg)))
    cfg = cfg.with_(batch=batch)
    seconds = (batch * prefill_ms(cfg) + cfg.output_tokens * decode_step_ms(cfg)) / 1000.0
    return batch * cfg.output_tokens / seconds


GPT_FAST = (
    "gpt-fast README (pytorch-labs/gpt-fast): A100-80GB power-limited to 330 W (~1.7 TB/s "
    "reached), torch.compile, batch 1, short prompt"
)
TRT_H200 = (
    "TensorRT-LLM v0.5.0 H200 launch note (docs/source/blogs/H200launch.md): FP8, max "
    "throughput, largest power-of-2 batch that fits"
)
PYTORCH_BLOG = "PyTorch blog 'Accelerating Generative AI with PyTorch II: GPT, Fast' (2023)"

# (description, config, measured, unit, how the model is read, source)
MEASURED = [
    ("Llama-2-7B bf16 TP1", LlmConfig(6740, GPUS["A100-80GB"], "bf16", 1, 16, 200), 104.9,
     "tok/s", decode_tokens_per_s, GPT_FAST),
    ("Llama-2-7B int8 TP1", LlmConfig(6740, GPUS["A100-80GB"], "int8", 1, 16, 200), 155.58,
     "tok/s", decode_tokens_per_s, GPT_FAST + " (int8 weight-only)"),
    ("Llama-2-7B int4 TP1", LlmConfig(6740, GPUS["A100-80GB"], "int4", 1, 16, 200), 196.80,
     "tok/s", decode_tokens_per_s, GPT_FAST),
    ("Llama-2-7B bf16 TP2", LlmConfig(6740, GPUS["A100-80GB"], "bf16", 2, 16, 200), 168.84,
     "tok/s", decode_tokens_per_s, GPT_FAST),
    ("Llama-2-7B bf16 TP8", LlmConfig(6740, GPUS["A100-80GB"], "bf16", 8, 16, 200), 328.43,
     "tok/s", decode_tokens_per_s, GPT_FAST),
    ("Llama-2-70B bf16 TP2", LlmConfig(69000, GPUS["A100-80GB"], "bf16", 2, 16, 200), 21.32,
     "tok/s", decode_tokens_per_s, GPT_FAST),
    ("Llama-2-70B bf16 TP4", LlmConfig(69000, GPUS["A100-80GB"], "bf16", 4, 16, 200), 38.01,
     "tok/s", decode_tokens_per_s, GPT_FAST),
    ("Llama-2-70B bf16 TP8", LlmConfig(69000, GPUS["A100-80GB"], "bf16", 8, 16, 200), 62.50,
     "tok/s", decode_tokens_per_s, GPT_FAST),
    ("Llama-2-7B bf16 eager", LlmConfig(6740, GPUS["A100-80GB"], "bf16", 1, 16, 200,
     runtime="eager"), 25.5, "tok/s", decode_tokens_per_s, PYTORCH_BLOG + ", eager baseline"),
    ("Llama-2-13B fp8 TP1 B64 2048/128", LlmConfig(13000, GPUS["H200"], "fp8", 1, 2048, 128, 64),
     1349, "out tok/s", offline_tokens_per_s, TRT_H200),
    ("Llama-2-13B fp8 TP1 B1024 128/128", LlmConfig(13000, GPUS["H200"], "fp8", 1, 128, 128,
     1024), 11819, "out tok/s", offline_tokens_per_s, TRT_H200),
    ("Llama-2-70B fp8 TP1 B32 2048/128", LlmConfig(69000, GPUS["H200"], "fp8", 1, 2048, 128, 32),
     303, "out tok/s", offline_tokens_per_s, TRT_H200),
    ("Llama-2-70B fp8 TP2 B64 2048/128", LlmConfig(69000, GPUS["H200"], "fp8", 2, 2048, 128, 64),
     682, "out tok/s", offline_tokens_per_s, TRT_H200),
    ("Llama-2-70B fp8 TP1 B512 128/128", LlmConfig(69000, GPUS["H200"], "fp8", 1, 128, 128, 512),
     3014, "out tok/s", offline_tokens_per_s, TRT_H200),
]  # fmt: skip


def part2() -> None:
    print("Part 2: the model against published measurements")
    print(f"{'case':<36} {'gpu':>10} {'measured':>10} {'model':>10} {'model/measured':>14}")
    sources: list[str] = []
    for label, cfg, measured, unit, read, source in MEASURED:
        model = read(cfg)
        if source not in sources:
            sources.append(source)
        mark = f"[{sources.index(source) + 1}]"
        print(
            f"{label:<36} {cfg.gpu.name:>10} {measured:>10,.1f} {model:>10,.1f} "
            f"{model / measured:>13.2f}x {unit} {mark}"
        )
    print()
    for i, source in enumerate(sources, 1):
        print(f"  [{i}] {source}")
    print(
        "  Note: the 13B rows use Llama 2 13B (no grouped-query attention: 40 KV heads), which "
        "the model's 13B shape has; the 7B rows use the 8B shape (GQA), whose KV cache is "
        "smaller, which matters little at 16-token prompts."
    )
    print(
        "  For scale: MLPerf Inference's Llama-2-70B server scenario bounds TTFT at 2 s and "
        "TPOT at 200 ms (p99); its v5.0 interactive scenario at 450 ms and 40 ms."
    )
    print()


# Measurements on a real H200 of a synthetic (random-weight) Llama shape with `transformers`,
# eager and with a compiled static KV cache: (shape, batch, prompt, runtime, prefill ms, ms/token)
H200_MEASURED: list[tuple[str, int, int, str, float, float]] = []


def part3() -> None:
    print("Part 3: synthetic Llama shapes measured on an H200 with transformers")
    if not H200_MEASURED:
        print(
            "  (none yet: no GPU machine was available when this was written; measure 1B/8B "
            "shapes with random weights, eager and torch.compile with a static KV cache, and "
            "fill H200_MEASURED)"
        )
    for shape, batch, prompt, runtime, pre, per in H200_MEASURED:
        params = {s.label: s.params_b * 1000 for s in SHAPES}[shape]
        cfg = LlmConfig(params, GPUS["H200"], "bf16", 1, prompt, 128, batch, runtime)  # type: ignore[arg-type]
        print(
            f"  {shape} b{batch} p{prompt} {runtime}: prefill {pre:.1f} ms (model "
            f"{prefill_ms(cfg):.1f}), {per:.2f} ms/token (model {decode_step_ms(cfg):.2f})"
        )


if __name__ == "__main__":
    part1()
    part2()
    part3()
