"""The technique vocabulary of CONTRACTS.md §3: each rule names one; a word never moves level.

It sits below the scenario, which names techniques already applied on a stage.
"""

from __future__ import annotations

from typing import Literal

Level = Literal["system", "serving", "model"]
LEVELS: tuple[Level, ...] = ("system", "serving", "model")

TECHNIQUES: dict[str, Level] = {
    **{
        word: "system"
        for word in (
            "caching",
            "semantic_caching",
            "precompute",
            "colocate",
            "fewer_calls",
            "parallelize",
            "payload",
            "warm_pool",
            "streaming",
            "feature_store",
            "ann_index",
            "prefilter",
            "embedding_dims",
            "hedging",
            "admission_control",
            "capacity",
            "edge",
            "async_offload",
            "deadline",
        )
    },
    **{
        word: "serving"
        for word in (
            "runtime",
            "graph_optimization",
            "threads",
            "prefix_caching",
            "dynamic_batching",
            "continuous_batching",
            "hardware",
            "model_pinning",
            "io_binding",
            "kv_cache",
            "flash_attention",
            "chunked_prefill",
            "tensor_parallel",
            "compile",
            "length_bucketing",
            "speculative_decoding",
            "vectorize",
        )
    },
    **{
        word: "model"
        for word in (
            "quantization_int8",
            "quantization_int4",
            "quantization_fp8",
            "fp16",
            "pruning_structured",
            "distillation",
            "smaller_model",
            "early_exit",
            "feature_reduction",
            "cascade",
            "shorter_output",
            "architecture",
        )
    },
}

RISKS: tuple[str, ...] = ("none", "low", "medium", "high")
COSTS: tuple[str, ...] = ("saves", "none", "low", "medium", "high")


def risk_rank(risk: str) -> int:
    return RISKS.index(risk)


def cost_rank(cost: str) -> int:
    return COSTS.index(cost)


def allowed_risk(max_accuracy_drop_pct: float) -> str:
    """The highest accuracy risk a quality budget tolerates (0 % tolerates none at all)."""
    if max_accuracy_drop_pct <= 0:
        return "none"
    if max_accuracy_drop_pct < 0.5:
        return "low"
    if max_accuracy_drop_pct < 2.0:
        return "medium"
    return "high"
