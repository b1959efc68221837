"""How numbers and techniques are said out loud: one place, so every sentence says them alike.

Tests check the talk track against the analysis by these same spoken forms, so a number is
always rounded the same way wherever it appears.
"""

from __future__ import annotations

from collections.abc import Sequence

from latency_advisor.analysis import Recommendation

# The technique vocabulary (CONTRACTS.md §3): the level of each word, and how to say it as a fix.
TECHNIQUES: dict[str, tuple[str, str]] = {
    "caching": ("system", "cache repeated results"),
    "semantic_caching": ("system", "cache answers to similar questions"),
    "precompute": ("system", "precompute what can be known ahead"),
    "colocate": ("system", "move the services into one region"),
    "fewer_calls": ("system", "merge sequential calls into fewer"),
    "parallelize": ("system", "make independent calls in parallel"),
    "payload": ("system", "shrink the payload and its serialization"),
    "warm_pool": ("system", "keep a warm pool so no request pays a cold start"),
    "streaming": ("system", "stream results as they are produced"),
    "feature_store": ("system", "serve features from a low-latency online store"),
    "ann_index": ("system", "switch to an approximate nearest-neighbour index"),
    "prefilter": ("system", "pre-filter on metadata before the vector search"),
    "embedding_dims": ("system", "use smaller embeddings"),
    "hedging": ("system", "hedge slow calls with a backup request"),
    "admission_control": ("system", "shed load beyond capacity"),
    "capacity": ("system", "add replicas so requests stop queueing"),
    "edge": ("system", "serve from the edge, closer to users"),
    "async_offload": ("system", "move the work off the request path"),
    "deadline": ("system", "give each parallel call a deadline and a default answer"),
    "runtime": ("serving", "move to a faster runtime"),
    "graph_optimization": ("serving", "turn on graph optimizations"),
    "threads": ("serving", "tune threads and concurrency"),
    "prefix_caching": ("serving", "reuse the KV cache of shared prompt prefixes"),
    "vectorize": ("serving", "replace per-item Python loops with vectorized code"),
    "dynamic_batching": ("serving", "batch requests dynamically"),
    "continuous_batching": ("serving", "use continuous batching"),
    "hardware": ("serving", "move to faster hardware"),
    "model_pinning": ("serving", "pin the model in memory"),
    "io_binding": ("serving", "bind inputs and outputs to the device"),
    "kv_cache": ("serving", "reuse the KV cache"),
    "flash_attention": ("serving", "use fused flash attention"),
    "chunked_prefill": ("serving", "use chunked prefill"),
    "tensor_parallel": ("serving", "split the model across GPUs"),
    "compile": ("serving", "compile the model for the target"),
    "length_bucketing": ("serving", "bucket inputs by length"),
    "speculative_decoding": ("serving", "use speculative decoding"),
    "quantization_int8": ("model", "quantize to INT8"),
    "quantization_int4": ("model", "quantize to INT4"),
    "quantization_fp8": ("model", "serve the model in FP8"),
    "fp16": ("model", "run in half precision"),
    "pruning_structured": ("model", "prune whole channels and heads"),
    "distillation": ("model", "distil into a smaller student"),
    "smaller_model": ("model", "use a smaller model"),
    "early_exit": ("model", "exit early on easy inputs"),
    "feature_reduction": ("model", "drop expensive low-value features"),
    "cascade": ("model", "put a cheap model in front of the heavy one"),
    "shorter_output": ("model", "generate shorter outputs"),
    "architecture": ("model", "simplify the architecture"),
}
LEVELS: tuple[str, ...] = ("system", "serving", "model")
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}

# Process items in a drill: not techniques, but part of the answer's order.
MEASURE = "measure"
ROLLOUT = "rollout"
PROCESS_LABELS = {
    MEASURE: "Profile the full path before changing anything",
    ROLLOUT: "Canary rollout with monitoring and rollback",
}

RISK_WORDS = {"none": "no", "low": "low", "medium": "medium", "high": "high"}
COST_WORDS = {
    "saves": "lower running cost",
    "none": "no change in running cost",
    "low": "a small rise in running cost",
    "medium": "a moderate rise in running cost",
    "high": "a large rise in running cost",
}


def level_of(technique: str) -> str | None:
    entry = TECHNIQUES.get(technique)
    return entry[0] if entry else None


def technique_phrase(technique: str) -> str:
    """A verb phrase for a technique word ("cache repeated results"); readable for new words."""
    entry = TECHNIQUES.get(technique)
    return entry[1] if entry else f"apply {technique.replace('_', ' ')}"


def technique_label(technique: str) -> str:
    """A short label for lists and buttons: the phrase with a capital letter."""
    if technique in PROCESS_LABELS:
        return PROCESS_LABELS[technique]
    phrase = technique_phrase(technique)
    return phrase[:1].upper() + phrase[1:]


def pct_label(percentile: float) -> str:
    """p95, p99.9"""
    return f"p{percentile:g}"


def ms(value: float) -> str:
    """A latency as said: one decimal under 10 ms, whole milliseconds with thousands above."""
    if abs(value) < 10:
        return f"{value:.1f} ms"
    return f"{round(value):,} ms"


def ms_range(low: float, high: float) -> str:
    if round(low) == round(high) and abs(high) >= 10:
        return ms(high)
    if abs(high) < 10:
        return f"{low:.1f}–{high:.1f} ms"
    return f"{round(low):,}–{round(high):,} ms"


def share(fraction: float) -> str:
    """A share of the end-to-end time as a whole percent (never "0%" for a real share)."""
    value = fraction * 100
    if 0 < value < 1:
        return "under 1%"
    return f"{round(value)}%"


def days(effort: Sequence[float]) -> str:
    """Effort in days, as said: whole days except under two ("half a day", "1.5 days")."""
    low, high = (_day(v) for v in effort)
    if low == high:
        return f"{low} day" + ("" if low == "1" else "s")
    return f"{low}–{high} days"


def _day(value: float) -> str:
    return f"{round(value * 2) / 2:g}" if value < 2 else f"{round(value)}"


def rps(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:g}"


def join_words(items: Sequence[str]) -> str:
    """a, b and c"""
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def fix_phrase(rec: Recommendation, with_stage: bool = True) -> str:
    """How a recommendation is said as an action: the technique phrase and the stage it targets."""
    phrase = technique_phrase(rec.technique) if rec.technique in TECHNIQUES else _lower(rec.title)
    if with_stage and rec.stage:
        return f"{phrase} for {rec.stage}"
    return phrase


def value_clause(rec: Recommendation, at: str = "") -> str:
    """What a fix is worth, as a clause after its name. Said honestly: streaming cuts the wait
    for the first output, a fix that restores a steady state is worth more than any number, and
    the rest save a range of the end-to-end time (`at` names the percentile it is read at)."""
    extra = rec.model_extra or {}
    low, high = rec.saving_ms
    total = ms_range(low, high) if high >= 0.5 else ""
    perceived = extra.get("perceived_saving_ms")
    if perceived is not None:
        clause = f"which cuts the wait for the first output by {ms_range(*perceived)}"
        return f"{clause} and the total by {total}" if total else clause
    if extra.get("restores_stability"):
        clause = "which lets the service keep up at peak"
        return f"{clause} and then saves {total}" if total else clause
    if not total:
        return "worth little on its own"
    return f"worth {total} at {at}" if at else f"worth {total}"


def value_short(rec: Recommendation) -> str:
    """The same, in a few words for a parenthesis."""
    extra = rec.model_extra or {}
    perceived = extra.get("perceived_saving_ms")
    if perceived is not None:
        return f"{ms_range(*perceived)} sooner to the first output"
    if extra.get("restores_stability"):
        return "keeps up at peak"
    low, high = rec.saving_ms
    return ms_range(low, high) if high >= 0.5 else "a small gain"


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower(title: str) -> str:
    if len(title) > 1 and title[0].isupper() and not title[1].isupper():
        return title[0].lower() + title[1:]
    return title
