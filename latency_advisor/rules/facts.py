"""The fact vocabulary rule conditions read, and the fact sets built from an analysed scenario.

Conditions are typed: every fact has one type (number, string or boolean) and a default used when
a scenario does not say (numbers 0, strings "", booleans as listed). Path facts describe the
whole request path; stage facts describe the one stage a stage rule is checked against. Stage
`facts:` keys of a scenario that the vocabulary knows become typed facts; other keys are ignored.
The vocabulary is exported (`latency-advisor rules facts`) so users can write their own rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from latency_advisor.latency.model import NON_OCCUPYING_KINDS
from latency_advisor.scenario import STAGE_KINDS

if TYPE_CHECKING:
    from latency_advisor.result import Analysis
    from latency_advisor.scenario import Scenario, Stage

FactType = Literal["number", "string", "boolean"]
FactValue = float | str | bool


@dataclass(frozen=True)
class Fact:
    name: str
    type: FactType
    scope: Literal["path", "stage", "stage_fact"]
    doc: str
    default: FactValue | None = None
    values: tuple[str, ...] = ()

    @property
    def default_value(self) -> FactValue:
        if self.default is not None:
            return self.default
        return {"number": 0.0, "string": "", "boolean": False}[self.type]

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "scope": self.scope,
            "default": self.default_value,
            "doc": self.doc,
        }
        if self.values:
            data["values"] = list(self.values)
        return data


def _n(name: str, scope: Any, doc: str, default: float | None = None) -> Fact:
    return Fact(name, "number", scope, doc, default)


def _s(name: str, scope: Any, doc: str, values: tuple[str, ...] = ()) -> Fact:
    return Fact(name, "string", scope, doc, None, values)


def _b(name: str, scope: Any, doc: str, default: bool | None = None) -> Fact:
    return Fact(name, "boolean", scope, doc, default)


STAGE_KIND_VALUES = STAGE_KINDS

VOCABULARY: tuple[Fact, ...] = (
    # ---- the path
    _s("workload", "path", "SLA workload", ("interactive", "batch", "streaming")),
    _n("sla_percentile", "path", "the SLA percentile (50, 90, 95, 99, 99.9)"),
    _n("target_ms", "path", "the SLA target in ms"),
    _n("current_ms", "path", "end-to-end latency at the SLA percentile now, ms"),
    _n("gap_ms", "path", "how far the SLA percentile is above the target, ms (0 when met)"),
    _n("gap_fraction", "path", "gap_ms / current_ms: the share of today's latency to remove"),
    _b("meets_sla", "path", "the path meets its SLA today"),
    _n("peak_rps", "path", "peak traffic, requests per second"),
    _n("replicas", "path", "replicas serving the path"),
    _n("concurrency", "path", "requests one replica serves at once"),
    _n("servers", "path", "replicas x concurrency"),
    _n("rps_per_replica", "path", "peak requests per second that reach one replica"),
    _n("utilization", "path", "utilization at peak (>= 1: the queue grows without bound)"),
    _b("stable", "path", "utilization below 1 (a steady state exists)"),
    _n("queueing_share", "path", "share of the SLA-percentile latency spent waiting in queue"),
    _n("replicas_for_stability", "path", "fewest replicas that keep up with peak traffic"),
    _n("replicas_for_sla", "path", "fewest replicas that meet the SLA (0: none can)"),
    _n(
        "in_flight_per_replica",
        "path",
        "requests present on one replica at peak, in service or waiting (Little's law): what a "
        "batcher could batch",
    ),
    _b(
        "inputs_consistent",
        "path",
        "traffic, replicas and concurrency agree with the measured latencies (false: they imply "
        "a queue that cannot keep up, yet the stages were measured on a working system)",
        True,
    ),
    _b("batch_job", "path", "a batch job with items and a deadline (traffic.job_items)"),
    _n("job_items", "path", "items in one run of the batch job (0: not a job)"),
    _n("deadline_s", "path", "the window the batch job must finish in, seconds (0: none)"),
    _n("job_time_s", "path", "the batch job's time at today's throughput, seconds (0: not a job)"),
    _n("max_accuracy_drop_pct", "path", "accuracy the scenario may give up, percent"),
    _n("stage_count", "path", "stages on the path"),
    _b("llm_in_path", "path", "some model stage is an LLM"),
    _s("bottleneck_kind", "path", "kind of the stage with the largest share", STAGE_KIND_VALUES),
    _n("bottleneck_share", "path", "share of the largest stage"),
    _n("service_tail_ratio", "path", "end-to-end service p99 / p50 (tail heaviness)"),
    # ---- the stage a stage rule looks at
    _s("stage_kind", "stage", "kind of the stage", STAGE_KIND_VALUES),
    _n(
        "share",
        "stage",
        "the stage's share of the service time at the SLA percentile, the queue left out (0..1)",
    ),
    _n("tail_share", "stage", "the stage's share of the SLA-percentile latency, queue included"),
    _n("group_size", "stage", "members of the stage's parallel group (0: not in a group)"),
    _b("holds_worker", "stage", "the stage keeps a worker busy while it runs (its kind's default)"),
    _b("is_bottleneck", "stage", "the stage has the largest share"),
    _n("stage_ms", "stage", "the stage's contribution at the SLA percentile, ms"),
    _n("stage_p50_ms", "stage", "the stage's median, ms"),
    _n("stage_p99_ms", "stage", "the stage's p99 (given or fitted), ms"),
    _n("stage_tail_ratio", "stage", "the stage's p99 / p50"),
    _n("calls", "stage", "sequential calls the stage makes per request"),
    _n(
        "presence",
        "stage",
        "share of requests that pass through the stage (1: every request; its percentiles "
        "describe the requests that have it)",
        1.0,
    ),
    _b("parallel", "stage", "the stage runs in a parallel group"),
    _b("first_stage", "stage", "the stage is the first on the path"),
    _b("has_model", "stage", "the stage describes a model (model: block)"),
    _s(
        "family",
        "stage",
        "model family",
        ("llm", "transformer_encoder", "cnn", "tree", "mlp", "other"),
    ),
    _n("params_millions", "stage", "model size, millions of parameters (0: unknown)"),
    _s("precision", "stage", "model precision", ("fp32", "fp16", "bf16", "int8", "int4")),
    _s(
        "runtime",
        "stage",
        "serving runtime",
        ("pytorch", "tensorflow", "onnxruntime", "tensorrt", "openvino", "tflite", "vllm", "other"),
    ),
    _s("hardware", "stage", "hardware the model runs on", ("cpu", "gpu", "edge", "npu")),
    _s("batching", "stage", "batching today", ("none", "static", "dynamic", "continuous")),
    _b("streaming", "stage", "results are streamed to the user as produced"),
    _n("output_tokens", "stage", "LLM: typical generated tokens per request (0: unknown)"),
    # ---- the stage's `facts:` that the vocabulary knows (free-form hints in the scenario)
    _n("repeat_rate", "stage_fact", "share of requests that repeat an earlier one exactly (0..1)"),
    _n(
        "semantic_repeat_rate",
        "stage_fact",
        "share of requests close in meaning to an earlier one, exact repeats included (0..1)",
    ),
    _n("precomputable_share", "stage_fact", "share of this stage's work computable ahead (0..1)"),
    _n("cold_start_rate", "stage_fact", "share of requests that hit a cold instance (0..1)"),
    _b("cross_region", "stage_fact", "the stage calls a service in another region"),
    _b(
        "batched_lookup",
        "stage_fact",
        "several lookups already go out as one request (assumed true unless stated)",
        True,
    ),
    _b("remote_embedding_api", "stage_fact", "embeddings come from a remote API"),
    _b("metadata_filterable", "stage_fact", "queries carry metadata that narrows the search"),
    _b("video_frames", "stage_fact", "the stage handles video frames (every input is new)"),
    _b("on_device", "stage_fact", "the model runs on the user's device"),
    _b("hardware_decoder_available", "stage_fact", "a hardware media decoder is available"),
    _b("cpu_vnni", "stage_fact", "the CPU has AVX-512 VNNI / AMX (fast INT8 dot products)"),
    _b("gpu_available", "stage_fact", "a GPU could be given to this stage"),
    _b("deferrable", "stage_fact", "the response does not need this stage's result"),
    _b("independent", "stage_fact", "the stage does not need the previous stage's output"),
    _b("variable_length", "stage_fact", "input lengths vary widely (padding waste)"),
    _b("idempotent", "stage_fact", "the call is safe to send twice (reads)", True),
    _b("python_loop", "stage_fact", "the stage runs per-item Python loops"),
    _b("model_reloads", "stage_fact", "the model is loaded or swapped per request or often"),
    _s("index", "stage_fact", "vector index type", ("exact", "flat", "hnsw", "ivf", "ivfpq")),
    _s("store", "stage_fact", "the store a lookup reads (redis, dynamodb, warehouse, ...)"),
    _s("source", "stage_fact", "where data is read from (warehouse, object_store, ...)"),
    _s("payload_format", "stage_fact", "wire format (json, protobuf, arrow, ...)"),
    _n("embedding_dims", "stage_fact", "embedding dimensions"),
    _n("vectors_millions", "stage_fact", "vectors in the index, millions"),
    _n("prompt_tokens", "stage_fact", "LLM prompt tokens per request"),
    _n("sequence_length", "stage_fact", "encoder sequence length in tokens"),
    _n("model_size_mb", "stage_fact", "model size on disk, MB"),
    _n("target_size_mb", "stage_fact", "the size the model must fit, MB"),
    _n("payload_kb", "stage_fact", "response or request payload, KB"),
    _n("features_count", "stage_fact", "input features the model reads"),
    _n("easy_share", "stage_fact", "share of inputs a cheap model answers as well (0..1)"),
    _s(
        "task",
        "stage_fact",
        "what the model's output is for; when not given, read from the stage name (embed, rank, "
        "classif/intent, detect) or an LLM's family",
        (
            "classification",
            "embedding",
            "ranking",
            "detection",
            "generation",
            "regression",
            "other",
        ),
    ),
)

FACTS: dict[str, Fact] = {fact.name: fact for fact in VOCABULARY}
DEFAULTS: dict[str, FactValue] = {fact.name: fact.default_value for fact in VOCABULARY}


def vocabulary_data() -> list[dict[str, Any]]:
    return [fact.to_data() for fact in VOCABULARY]


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else 0.0


def path_facts(scenario: Scenario, analysis: Analysis) -> dict[str, FactValue]:
    """Facts about the whole path (stage facts at their defaults)."""
    c = analysis.current
    t = scenario.traffic
    extra = analysis.model_extra or {}
    kinds = {s.name: s.kind for s in scenario.stages}
    facts = dict(DEFAULTS)
    facts.update(
        workload=scenario.sla.workload,
        sla_percentile=float(scenario.sla.percentile),
        target_ms=float(scenario.sla.target_ms),
        current_ms=float(c.at_sla_percentile_ms),
        gap_ms=float(max(0.0, analysis.gap_ms)),
        gap_fraction=_ratio(max(0.0, analysis.gap_ms), c.at_sla_percentile_ms),
        meets_sla=bool(analysis.meets_sla),
        peak_rps=float(t.peak_rps),
        replicas=float(t.replicas),
        concurrency=float(t.concurrency),
        servers=float(t.servers),
        rps_per_replica=_ratio(t.peak_rps, t.replicas),
        utilization=float(c.utilization),
        stable=bool(c.steady_state),
        queueing_share=float(analysis.queueing_share),
        replicas_for_stability=float(c.replicas_needed_for_stability),
        replicas_for_sla=float(c.replicas_needed_for_sla or 0),
        max_accuracy_drop_pct=float(scenario.quality.max_accuracy_drop_pct),
        stage_count=float(len(scenario.stages)),
        llm_in_path=any(s.model is not None and s.model.family == "llm" for s in scenario.stages),
        bottleneck_kind=kinds.get(_service_bottleneck(analysis), "other"),
        bottleneck_share=float(analysis.bottleneck.share),
        service_tail_ratio=_ratio(c.p99_ms, c.p50_ms),
        in_flight_per_replica=_in_flight(scenario, analysis),
        inputs_consistent=bool(extra.get("inputs_consistent", True)),
    )
    job = extra.get("batch_job")
    if job:
        facts.update(
            batch_job=True,
            job_items=float(job["items"]),
            deadline_s=float(job.get("deadline_s") or 0.0),
            job_time_s=float(job["job_time_s"]),
        )
    return facts


def _in_flight(scenario: Scenario, analysis: Analysis) -> float:
    """Requests on one replica at peak, in service or waiting (Little's law): λ·(S + Wq) / R,
    with λ·S = utilization × servers."""
    c = analysis.current
    t = scenario.traffic
    in_service = float(c.utilization) * t.servers
    waiting = t.peak_rps * float(c.queueing_wait_ms or 0.0) / 1000.0 if c.steady_state else 0.0
    return (in_service + waiting) / t.replicas


TASK_WORDS: tuple[tuple[str, str], ...] = (
    ("embed", "embedding"),
    ("rank", "ranking"),
    ("classif", "classification"),
    ("intent", "classification"),
    ("detect", "detection"),
)


def inferred_task(stage: Stage) -> str:
    """What a model stage's output is for, when the scenario does not say (`facts.task`)."""
    given = stage.facts.get("task")
    if isinstance(given, str):
        return given
    if stage.model is not None and stage.model.family == "llm":
        return "generation"
    name = stage.name.lower()
    return next((task for word, task in TASK_WORDS if word in name), "")


def stage_facts(
    base: dict[str, FactValue], scenario: Scenario, analysis: Analysis, index: int
) -> tuple[dict[str, FactValue], list[str]]:
    """Path facts plus those of stage `index`; also the stage fact keys that had a wrong type."""
    stage: Stage = scenario.stages[index]
    row = analysis.stages[index]
    facts = dict(base)
    facts.update(
        stage_kind=stage.kind,
        share=_service_share(row.share, analysis.queueing_share),
        tail_share=float(row.share),
        group_size=float(
            sum(1 for s in scenario.stages if s.parallel_group == stage.parallel_group)
            if stage.parallel_group
            else 0
        ),
        holds_worker=(
            stage.holds_worker
            if stage.holds_worker is not None
            else stage.kind not in NON_OCCUPYING_KINDS
        ),
        is_bottleneck=stage.name in _bottleneck_stages(analysis),
        stage_ms=float(row.share * analysis.current.at_sla_percentile_ms),
        stage_p50_ms=float(stage.p50_ms),
        stage_p99_ms=float(row.p99_ms),
        stage_tail_ratio=_ratio(row.p99_ms, stage.p50_ms),
        calls=float(stage.calls),
        presence=stage.share_of_requests,
        parallel=stage.parallel_group is not None,
        first_stage=index == 0,
    )
    model = stage.model
    if model is not None:
        facts.update(
            has_model=True,
            family=model.family or "",
            params_millions=float(model.params_millions or 0.0),
            precision=model.precision or "",
            runtime=model.runtime or "",
            hardware=model.hardware or "",
            batching=model.batching or "",
            streaming=bool(model.streaming),
            output_tokens=float(model.output_tokens or 0),
        )
    if stage.kind == "model":
        facts["task"] = inferred_task(stage)
    bad: list[str] = []
    for key, value in stage.facts.items():
        fact = FACTS.get(key)
        if fact is None or fact.scope != "stage_fact":
            continue
        converted = _convert(fact, value)
        if converted is None:
            bad.append(key)
        else:
            facts[key] = converted
    if model is not None and model.prompt_tokens is not None:  # the model's own field wins
        facts["prompt_tokens"] = float(model.prompt_tokens)
    return facts, bad


def _service_share(share: float, queueing_share: float) -> float:
    """A stage's share of the service time: its tail share with the queue taken out."""
    rest = 1.0 - float(queueing_share)
    return min(1.0, float(share) / rest) if rest > 1e-9 else float(share)


def _service_bottleneck(analysis: Analysis) -> str:
    """The stage that takes the most service time (the queue and fan-outs looked through)."""
    b = analysis.bottleneck
    return (b.model_extra or {}).get("service_stage") or b.stage


def _bottleneck_stages(analysis: Analysis) -> set[str]:
    """The stage (or every member of the parallel group) the bottleneck view names."""
    b = analysis.bottleneck
    extra = b.model_extra or {}
    return set(extra.get("members") or [b.stage]) | {_service_bottleneck(analysis)}


def _convert(fact: Fact, value: Any) -> FactValue | None:
    if fact.type == "boolean":
        return value if isinstance(value, bool) else None
    if fact.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value) if math.isfinite(value) else None
    return value if isinstance(value, str) else None
