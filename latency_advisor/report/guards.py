"""What can go wrong with each kind of fix, and how the rollout guards against it.

Keyed by the technique vocabulary of CONTRACTS.md §3; a technique without an entry falls back
to its level's generic risk, so new rule techniques never leave the risk section empty.
"""

from __future__ import annotations

Guard = tuple[str, str]  # (risk, guard)

BY_TECHNIQUE: dict[str, Guard] = {
    "caching": (
        "Users get a stale answer after the underlying data changes.",
        "Time-to-live on every entry, invalidation when the source data changes, and a hit-rate "
        "and staleness dashboard.",
    ),
    "semantic_caching": (
        "A 'similar' question gets an answer meant for a different question.",
        "A strict similarity threshold tuned offline on labelled pairs; sample cached answers "
        "for review; a switch to turn the cache off.",
    ),
    "precompute": (
        "Precomputed results go stale or miss new items.",
        "Refresh schedule tied to data updates, and an on-demand fallback for misses.",
    ),
    "streaming": (
        "Partial answers are shown before the full answer is checked (safety, formatting).",
        "Run moderation and formatting on the stream, and test how the client renders partial "
        "output and cancellations.",
    ),
    "ann_index": (
        "Approximate search misses some relevant items (lower recall).",
        "Measure recall@k against exact search offline and keep it above an agreed floor.",
    ),
    "embedding_dims": (
        "Shorter embeddings lose retrieval quality.",
        "Compare retrieval quality on a labelled set before switching.",
    ),
    "prefilter": (
        "Filters exclude items that should have matched.",
        "Check filtered against unfiltered results on a sample of real queries.",
    ),
    "parallelize": (
        "Parallel calls raise peak load on downstream services.",
        "Load-test the downstream services at peak and set timeouts per call.",
    ),
    "hedging": (
        "Duplicate requests add load and cost.",
        "Hedge only after the p95 delay, cap the hedged share, and watch downstream load.",
    ),
    "warm_pool": (
        "Idle warm capacity costs money.",
        "Size the pool from the measured cold-start rate and review cost weekly.",
    ),
    "capacity": (
        "More replicas raise the running cost.",
        "Autoscale on utilization with a cost ceiling; review cost per thousand requests.",
    ),
    "dynamic_batching": (
        "At low traffic a request may wait for a batch to fill.",
        "Cap the batching delay (a few ms) and watch p50 at quiet hours.",
    ),
    "continuous_batching": (
        "Higher throughput can hide a slower time to first token under load.",
        "Watch time-to-first-token and p99 alongside throughput during the canary.",
    ),
    "hardware": (
        "New hardware costs more and changes numerical results slightly.",
        "Compare outputs and cost per request on the new hardware before moving traffic.",
    ),
    "runtime": (
        "A new runtime can change outputs slightly or fail on some inputs.",
        "Compare outputs with the current runtime on a recorded sample of real inputs.",
    ),
    "quantization_int8": (
        "Lower precision lowers accuracy a little, sometimes more on rare inputs.",
        "Offline evaluation on a held-out set, including rare classes, against the accuracy "
        "budget; shadow traffic before any user sees it.",
    ),
    "quantization_int4": (
        "4-bit weights can lose noticeable quality.",
        "Offline evaluation against the accuracy budget and human review of a sample.",
    ),
    "fp16": (
        "Half precision can overflow or drift on some inputs.",
        "Compare outputs with full precision on recorded inputs.",
    ),
    "pruning_structured": (
        "Removing parts of the model lowers accuracy.",
        "Fine-tune after pruning and evaluate offline against the accuracy budget.",
    ),
    "distillation": (
        "The smaller student model answers some questions worse than the teacher.",
        "Evaluate on a held-out set and in shadow traffic; keep the teacher as the fallback.",
    ),
    "smaller_model": (
        "The smaller model answers some questions worse.",
        "Offline evaluation against the accuracy budget, then shadow and a small canary with "
        "the larger model kept ready.",
    ),
    "cascade": (
        "The router sends a hard request to the fast, weaker model.",
        "Measure routing errors offline; route on confidence and log escalations.",
    ),
    "shorter_output": (
        "Shorter answers may leave out what users need.",
        "Review answer completeness on a sample and watch user feedback.",
    ),
    "edge": (
        "Edge copies drift from the central version or miss data the centre has.",
        "Deploy edge and centre from one release, and compare edge answers with central ones.",
    ),
    "colocate": (
        "Moving services together couples their deployments and failure modes.",
        "Load-test the shared hosts and keep a way to route back to the old placement.",
    ),
    "fewer_calls": (
        "Merged calls fail together, and a bigger response can be slower for some callers.",
        "Compare results with the separate calls on recorded requests; timeouts per call.",
    ),
    "payload": (
        "A smaller or different payload can drop fields a consumer relies on.",
        "Contract tests with every consumer before the switch.",
    ),
    "feature_store": (
        "Online features can differ from the ones the model was trained with.",
        "Check online against offline feature values on a sample every day.",
    ),
    "admission_control": (
        "Some requests are refused or degraded at peak.",
        "Agree which requests may be shed, and alert on the rejection rate.",
    ),
    "async_offload": (
        "Work moved out of the request can finish late or fail silently.",
        "Track the backlog and failures of the background work, with retries.",
    ),
    "graph_optimization": (
        "Some optimization levels are slower or change outputs slightly on some models.",
        "Measure each level on this model and compare outputs before switching.",
    ),
    "threads": (
        "More threads can slow other work on the same machine, or this model itself.",
        "Pick the thread count by measurement on the production machine type.",
    ),
    "compile": (
        "Compiled models can fail on unseen shapes or take long to warm up.",
        "Warm up at start with all expected shapes and keep the eager path as a fallback.",
    ),
    "kv_cache": (
        "More memory for the cache means fewer requests fit at once.",
        "Watch GPU memory and time-to-first-token under peak load.",
    ),
    "flash_attention": (
        "Needs supported hardware and library versions; results differ in the last digits.",
        "Pin versions and compare outputs on recorded prompts.",
    ),
    "chunked_prefill": (
        "Long prompts can take slightly longer to start answering.",
        "Watch time-to-first-token for long prompts during the canary.",
    ),
    "tensor_parallel": (
        "More GPUs per replica raise cost, and the interconnect can eat the gain.",
        "Measure speed-up per added GPU before buying capacity.",
    ),
    "early_exit": (
        "Hard inputs may exit too early with a weaker answer.",
        "Tune the exit threshold offline against the accuracy budget.",
    ),
    "feature_reduction": (
        "Dropping features lowers accuracy on some segments.",
        "Evaluate per segment offline, not only overall.",
    ),
    "architecture": (
        "A new architecture changes accuracy and needs retraining.",
        "Offline evaluation against the accuracy budget, then shadow traffic.",
    ),
    "speculative_decoding": (
        "Little gain when the draft model guesses badly; more memory.",
        "Measure acceptance rate and speed-up on real prompts before rollout.",
    ),
}

BY_LEVEL: dict[str, Guard] = {
    "system": (
        "Architecture changes add moving parts that can fail.",
        "Feature flag, timeouts and a fallback to the current path.",
    ),
    "serving": (
        "Serving changes can alter outputs or stability under load.",
        "Load test at peak, compare outputs, canary with automatic rollback.",
    ),
    "model": (
        "Model changes can lower accuracy.",
        "Offline evaluation against the accuracy budget, shadow traffic, then canary.",
    ),
}


def guard_for(technique: str, level: str) -> Guard:
    return BY_TECHNIQUE.get(technique) or BY_LEVEL.get(level, BY_LEVEL["system"])
