"""The token model of an LLM stage: prefill, time to first token, time per output token, KV cache.

A roofline, as in LLM-Viewer and llm-analysis, in one paragraph: prefill multiplies every weight
by every prompt token, about 2 x parameters x prompt tokens FLOPs (plus 2 x layers x prompt² x
hidden for causal attention), and runs at a fraction of the GPU's dense tensor rate for the
precision; it sets the time to first token. Decode produces one token per sequence per step, and
each step reads all weights (divided by the tensor-parallel degree) plus the KV cache of every
sequence in the batch, at a fraction of the memory bandwidth; that step is the time per output
token, and it grows as the batch fills. Tensor parallelism adds two all-reduces per layer (ring:
2 (n-1)/n of the activations over the GPU link, plus a fixed latency each). Eager PyTorch adds a
per-layer launch overhead to every forward pass. The KV cache per token is 2 (K and V) x layers x
KV heads x head size x 2 bytes; memory left after the weights (90 % reserved, as vLLM does)
divided by a request's KV cache is the largest batch. Measured figures always win: the analysis
uses this model for ratios (what a change does), never to replace what was measured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Literal

from latency_advisor.llm_specs import (
    BYTES_PER_PARAM,
    GB,
    Gpu,
    Shape,
    shape_for,
    usable_gb,
)

Runtime = Literal["optimized", "eager"]

# Share of the dense tensor rate that prefill reaches. Optimized runtimes reach roughly half to
# two thirds of it on long prompts (vLLM / TensorRT-LLM; MLPerf Inference Llama-2-70B offline
# results imply ~50-60 % MFU on H100); eager PyTorch without fused attention reaches less.
PREFILL_EFFICIENCY: dict[str, float] = {"optimized": 0.55, "eager": 0.40}
# Share of the memory bandwidth a decode step reaches (model bandwidth utilization); 60-80 % is
# what optimized kernels reach at small batch (Databricks, "LLM Inference Performance
# Engineering: Best Practices", 2023).
DECODE_BANDWIDTH_EFFICIENCY = 0.75
# Share of the dense rate decode reaches once a large batch makes it compute-bound.
DECODE_COMPUTE_EFFICIENCY = 0.5
# Eager PyTorch launches every kernel from Python: gpt-fast (PyTorch blog "Accelerating
# Generative AI with PyTorch II: GPT, Fast", 2023) measured Llama-2-7B on A100 at 25.5 tokens/s
# eager against 107 tokens/s with torch.compile and a static KV cache, bf16, batch 1: about
# 30 ms more per token over 32 layers, i.e. ~0.9 ms per layer per forward pass.
EAGER_OVERHEAD_MS_PER_LAYER = 0.9
# Integer weights are dequantized on the fly, which costs bandwidth efficiency: gpt-fast's
# README measured 1,397 GB/s for bf16, 1,069 for int8 and 863 for int4 weight-only decoding of
# Llama-2-7B on the same A100 (0.77 and 0.62 of the bf16 figure).
DEQUANT_EFFICIENCY: dict[str, float] = {"int8": 0.77, "int4": 0.62}
KV_BYTES = 2.0  # KV cache in 16-bit (vLLM's default kv_cache_dtype follows the activations)


class LlmInputError(ValueError):
    """A configuration the model cannot run: `field` names what to change."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class LlmConfig:
    params_millions: float
    gpu: Gpu
    precision: str = "bf16"
    tp: int = 1
    prompt_tokens: int = 1000
    output_tokens: int = 300
    batch: int = 1
    runtime: Runtime = "optimized"
    shape: Shape | None = None

    @property
    def model_shape(self) -> Shape:
        return self.shape or shape_for(self.params_millions)

    def with_(self, **changes) -> LlmConfig:
        return replace(self, **changes)


@dataclass
class TokenEstimate:
    prefill_ms: float
    first_token_ms: float
    per_token_ms: float
    total_ms: float
    kv_cache_mb_per_request: float
    max_batch: int
    tokens_per_s: float  # output tokens per second per GPU at this batch
    weights_gb: float
    floor_prefill_ms: float  # at 100 % of the dense rate: nothing runs faster on this GPU
    floor_per_token_ms: float  # weights / bandwidth at 100 %: the batch-1 decode floor
    assumptions: list[str] = field(default_factory=list)

    def to_json_data(self) -> dict[str, object]:
        return {
            "prefill_ms": round(self.prefill_ms, 2),
            "first_token_ms": round(self.first_token_ms, 2),
            "per_token_ms": round(self.per_token_ms, 3),
            "total_ms": round(self.total_ms, 1),
            "kv_cache_mb_per_request": round(self.kv_cache_mb_per_request, 1),
            "max_batch": self.max_batch,
            "tokens_per_s": round(self.tokens_per_s, 1),
            "weights_gb": round(self.weights_gb, 2),
            "floor_prefill_ms": round(self.floor_prefill_ms, 2),
            "floor_per_token_ms": round(self.floor_per_token_ms, 3),
            "assumptions": list(self.assumptions),
        }


# ---------------------------------------------------------------- the pieces


def compute_tflops(gpu: Gpu, precision: str) -> float:
    """The dense rate the prefill's matrix multiplies run at for a precision on a GPU.

    FP8 uses FP8 tensor cores where the GPU has them, else 16-bit (weight-only FP8); INT8 is
    W8A8 on INT8 tensor cores; INT4 is weight-only (16-bit math); FP32 runs as TF32 (half).
    """
    if precision == "fp8":
        return gpu.fp8_tflops or gpu.bf16_tflops
    if precision == "int8":
        return gpu.int8_tops
    if precision == "fp32":
        return gpu.bf16_tflops / 2.0
    return gpu.bf16_tflops


def weight_bytes(cfg: LlmConfig) -> float:
    return cfg.params_millions * 1e6 * BYTES_PER_PARAM.get(cfg.precision, 2.0)


def kv_bytes_per_token(shape: Shape, precision: str = "bf16") -> float:
    """2 (K and V) x layers x KV heads x head size x bytes per value."""
    value_bytes = 4.0 if precision == "fp32" else KV_BYTES
    return 2.0 * shape.layers * shape.kv_heads * shape.head_dim * value_bytes


def prefill_flops(params_millions: float, tokens: int, shape: Shape | None = None) -> float:
    """2 x parameters x tokens (every weight meets every token), plus causal attention."""
    linear = 2.0 * params_millions * 1e6 * tokens
    if shape is None:
        return linear
    return linear + 2.0 * shape.layers * float(tokens) ** 2 * shape.attention_dim


def allreduce_ms(cfg: LlmConfig, tokens: int) -> float:
    """Two ring all-reduces per layer of `tokens` x hidden 16-bit activations."""
    if cfg.tp <= 1:
        return 0.0
    shape = cfg.model_shape
    message = tokens * shape.hidden * 2.0
    ring = 2.0 * (cfg.tp - 1) / cfg.tp * message / (cfg.gpu.link_gbs * GB)
    return 2 * shape.layers * (ring * 1e3 + cfg.gpu.link_latency_us / 1e3)


def _eager_ms(cfg: LlmConfig) -> float:
    return EAGER_OVERHEAD_MS_PER_LAYER * cfg.model_shape.layers if cfg.runtime == "eager" else 0.0


def prefill_ms(cfg: LlmConfig) -> float:
    """One prompt's prefill: FLOPs over the achieved rate (never below reading the weights)."""
    shape = cfg.model_shape
    rate = compute_tflops(cfg.gpu, cfg.precision) * 1e12 * PREFILL_EFFICIENCY[cfg.runtime]
    compute = prefill_flops(cfg.params_millions, cfg.prompt_tokens, shape) / cfg.tp / rate
    memory = weight_bytes(cfg) / cfg.tp / (cfg.gpu.bandwidth_tbs * 1e12)
    return max(compute, memory) * 1e3 + allreduce_ms(cfg, cfg.prompt_tokens) + _eager_ms(cfg)


def decode_step_ms(cfg: LlmConfig, batch: int | None = None) -> float:
    """One decode step for `batch` sequences at the request's mean context (prompt + output/2)."""
    memory, compute, fixed = decode_parts(cfg, batch)
    return max(memory, compute) + fixed


def decode_parts(cfg: LlmConfig, batch: int | None = None) -> tuple[float, float, float]:
    """A decode step's memory time, compute time and fixed costs (all-reduce, eager), ms."""
    batch = cfg.batch if batch is None else batch
    shape = cfg.model_shape
    context = cfg.prompt_tokens + cfg.output_tokens / 2.0
    kv_split = max(1, min(cfg.tp, shape.kv_heads))
    kv = batch * context * kv_bytes_per_token(shape, cfg.precision) / kv_split
    bandwidth = DECODE_BANDWIDTH_EFFICIENCY * cfg.gpu.bandwidth_tbs * 1e12
    weights = weight_bytes(cfg) / cfg.tp / DEQUANT_EFFICIENCY.get(cfg.precision, 1.0)
    memory = (weights + kv) / bandwidth
    flops = batch * (2.0 * cfg.params_millions * 1e6 + 4.0 * shape.layers * context * shape.hidden)
    rate = compute_tflops(cfg.gpu, cfg.precision) * 1e12 * DECODE_COMPUTE_EFFICIENCY
    compute = flops / cfg.tp / rate
    return memory * 1e3, compute * 1e3, allreduce_ms(cfg, batch) + _eager_ms(cfg)


SPECULATIVE_DRAFT = 4  # tokens a draft proposes per step (a common setting in vLLM and TRT-LLM)


def speculative_gain(cfg: LlmConfig, accepted: float) -> float:
    """Decode speedup of speculative decoding that yields `accepted` tokens per verify step.

    Verifying k+1 tokens per sequence reads the weights once but multiplies the compute by k+1;
    at batch 1 the step stays memory-bound and the gain is nearly `accepted`; as the batch fills,
    compute dominates and the gain shrinks towards (and below) 1.
    """
    memory, compute, fixed = decode_parts(cfg)
    plain = max(memory, compute) + fixed
    verify = max(memory, compute * (SPECULATIVE_DRAFT + 1)) + fixed
    return max(1.0, accepted * plain / verify)


def max_batch(cfg: LlmConfig) -> int:
    """Sequences whose KV cache fits in what the weights leave of 90 % of GPU memory."""
    free = usable_gb(cfg.gpu, cfg.tp) * GB - weight_bytes(cfg)
    per_request = (cfg.prompt_tokens + cfg.output_tokens) * kv_bytes_per_token(
        cfg.model_shape, cfg.precision
    )
    return max(0, math.floor(free / per_request))


def check(cfg: LlmConfig) -> None:
    """Refuse what no deployment can run: a prompt beyond the context, a model that won't fit."""
    shape = cfg.model_shape
    like = shape.source.split(" config")[0]
    if cfg.prompt_tokens + cfg.output_tokens > shape.context:
        raise LlmInputError(
            "prompt_tokens",
            f"prompt ({cfg.prompt_tokens:,}) + output ({cfg.output_tokens:,}) tokens exceed the "
            f"{shape.context:,}-token context of a {shape.label} model ({like})",
        )
    need = weight_bytes(cfg) / GB
    have = usable_gb(cfg.gpu, cfg.tp)
    if max_batch(cfg) < 1:
        raise LlmInputError(
            "gpus",
            f"a {cfg.params_millions / 1000:g}B model in {cfg.precision} needs {need:.0f} GB of "
            f"weights plus one request's KV cache; {cfg.tp} x {cfg.gpu.name} leave {have:.0f} GB "
            "(90 % reserved): use more GPUs (tensor parallelism), a lower precision or a "
            "larger GPU",
        )


def estimate(cfg: LlmConfig) -> TokenEstimate:
    """Everything the `llm` command prints, for one configuration."""
    check(cfg)
    shape = cfg.model_shape
    prefill = prefill_ms(cfg)
    step = decode_step_ms(cfg)
    # a request joins a running batch at the next step boundary: half a step on average
    first = prefill + (0.5 * step if cfg.batch > 1 else 0.0)
    total = first + max(0, cfg.output_tokens - 1) * step
    kv_request = (cfg.prompt_tokens + cfg.output_tokens) * kv_bytes_per_token(shape, cfg.precision)
    rate = compute_tflops(cfg.gpu, cfg.precision) * 1e12
    floor_prefill = prefill_flops(cfg.params_millions, cfg.prompt_tokens) / cfg.tp / rate * 1e3
    floor_token = weight_bytes(cfg) / cfg.tp / (cfg.gpu.bandwidth_tbs * 1e12) * 1e3
    notes = [
        f"Model shape {shape.label} ({shape.layers} layers, hidden {shape.hidden}, "
        f"{shape.kv_heads} KV heads x {shape.head_dim}; {shape.source}).",
        f"{cfg.gpu.name}: {cfg.gpu.memory_gb:g} GB, {cfg.gpu.bandwidth_tbs:g} TB/s, "
        f"{compute_tflops(cfg.gpu, cfg.precision):g} dense TFLOPS for {cfg.precision} "
        f"({cfg.gpu.source}).",
        f"Prefill at {PREFILL_EFFICIENCY[cfg.runtime]:.0%} of the dense rate; decode at "
        f"{DECODE_BANDWIDTH_EFFICIENCY:.0%} of memory bandwidth (or "
        f"{DECODE_COMPUTE_EFFICIENCY:.0%} of the rate when the batch makes it compute-bound).",
    ]
    if cfg.runtime == "eager":
        notes.append(
            f"Eager PyTorch: +{EAGER_OVERHEAD_MS_PER_LAYER:g} ms per layer per forward pass "
            "(gpt-fast's Llama-2-7B measurement: 25.5 tokens/s eager against 107 compiled)."
        )
    if cfg.tp > 1:
        notes.append(
            f"Tensor parallel over {cfg.tp} GPUs: two all-reduces per layer over "
            f"{cfg.gpu.link_gbs:g} GB/s links, {cfg.gpu.link_latency_us:g} µs each at least."
        )
    return TokenEstimate(
        prefill_ms=prefill,
        first_token_ms=first,
        per_token_ms=step,
        total_ms=total,
        kv_cache_mb_per_request=kv_request / 1e6,
        max_batch=max_batch(cfg),
        tokens_per_s=cfg.batch / step * 1e3 / cfg.tp,
        weights_gb=weight_bytes(cfg) / GB,
        floor_prefill_ms=floor_prefill,
        floor_per_token_ms=floor_token,
        assumptions=notes,
    )
