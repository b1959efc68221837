"""What an import produced, ready for a preview: stages with samples, proposed kinds and
parallel groups, warnings; and how it turns into, or merges into, a scenario."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from latency_advisor.importers.errors import ImporterError
from latency_advisor.importers.mapping import ImportMapping
from latency_advisor.importers.stats import MIN_SAMPLES_TO_KEEP, percentiles, thin
from latency_advisor.importers.traffic import PEAK_NOTE_PREFIX, ObservedTraffic
from latency_advisor.scenario import (
    FORMAT,
    Scenario,
    ScenarioError,
    Stage,
    scenario_to_data,
    validate_scenario,
)

MIN_FOR_P95 = 20
MIN_FOR_P99 = 100
NAME_LIMIT = 200
# a stage seen in fewer of the requests than this is written as conditional (`presence`); above
# it, a stage missing from a few requests is noise (a dropped span), not a different path
CONDITIONAL_BELOW = 0.99


@dataclass
class ImportedStage:
    """One stage as imported. `samples_ms` holds per-call latencies (None for percentile-only
    sources); `bounds_ms` the uncertainty of each percentile where the source is bucketed."""

    name: str
    kind: str
    kind_label: str
    kind_reason: str
    kind_confirmed: bool = False
    count: int = 0
    p50_ms: float = 0.0
    p95_ms: float | None = None
    p99_ms: float | None = None
    samples_ms: np.ndarray | None = None
    bounds_ms: dict[float, tuple[float, float]] = field(default_factory=dict)
    calls: int = 1
    parallel_group: str | None = None
    presence: float = 1.0
    fan_out: int = 1
    span_names: list[str] = field(default_factory=list)
    own_time: bool = False  # the time a span spends outside its children
    model_family: str | None = None  # "llm" where spans carry GenAI attributes
    imported_name: str = ""  # the name as imported; a preview may rename the stage
    # an LLM server's own histograms: ttft_ms, per_token_ms, prompt_tokens, output_tokens
    model_fields: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.imported_name = self.imported_name or self.name

    @classmethod
    def from_samples(cls, name: str, samples: np.ndarray, **kwargs: Any) -> ImportedStage:
        samples = np.asarray(samples, dtype=np.float64)
        samples = samples[np.isfinite(samples) & (samples >= 0)]
        if samples.size == 0:
            raise ValueError(f"stage {name!r} has no usable samples")
        p50, p95, p99 = percentiles(samples)
        return cls(
            name=name,
            count=int(kwargs.pop("count", samples.size)),
            p50_ms=p50,
            p95_ms=p95 if samples.size >= MIN_FOR_P95 else None,
            p99_ms=p99 if samples.size >= MIN_FOR_P99 else None,
            samples_ms=samples,
            **kwargs,
        )

    @property
    def conditional(self) -> bool:
        """The stage is missing from enough requests to be modelled on a share of them only."""
        return 0.0 < self.presence < CONDITIONAL_BELOW

    def kept_samples(self) -> list[float] | None:
        """The samples a scenario keeps: enough of them, thinned to a bounded number of points."""
        if self.samples_ms is None or self.samples_ms.size < MIN_SAMPLES_TO_KEEP:
            return None
        return [round(float(v), 6) for v in thin(self.samples_ms)]

    def stage_data(self) -> dict[str, Any]:
        """The scenario stage fields this import measured (CONTRACTS.md §1)."""
        data: dict[str, Any] = {"name": self.name, "kind": self.kind, "p50_ms": _r(self.p50_ms)}
        if self.p95_ms is not None:
            data["p95_ms"] = _r(self.p95_ms)
        if self.p99_ms is not None:
            data["p99_ms"] = _r(self.p99_ms)
        if self.calls != 1:
            data["calls"] = self.calls
        if self.parallel_group:
            data["parallel_group"] = self.parallel_group
        if self.conditional:
            data["presence"] = rounded_presence(self.presence)
        facts: dict[str, Any] = {}
        if self.fan_out > 1:
            facts["fan_out"] = self.fan_out
        if facts:
            data["facts"] = facts
        if self.model_family and self.kind == "model":
            data["model"] = {"family": self.model_family, **self.model_fields}
        kept = self.kept_samples()
        if kept is not None and "samples_ms" in Stage.model_fields:
            data["samples_ms"] = kept
        return data


@dataclass
class ImportResult:
    """Everything the preview dialog shows, and what `apply_to_scenario` needs."""

    path: str
    format: str
    stages: list[ImportedStage]
    mapping: ImportMapping
    warnings: list[str] = field(default_factory=list)
    traces: int = 0
    spans: int = 0
    end_to_end_ms: dict[float, float] = field(default_factory=dict)
    observed_rps: float | None = None  # the mean rate (observed_traffic.mean_rps)
    root_name: str | None = None
    observed_traffic: ObservedTraffic | None = None  # None: the file has no start times
    no_traffic_reason: str = ""  # why observed_traffic is None, for people

    @property
    def parallel_groups(self) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {}
        for stage in self.stages:
            if stage.parallel_group:
                groups.setdefault(stage.parallel_group, []).append(stage.name)
        return groups

    def confirmed_mapping(self) -> ImportMapping:
        """The mapping to save for the next file of this service: the same depth and renames,
        and every stage's kind and parallel group as shown (and possibly edited) in the preview."""
        kinds = {s.name: s.kind for s in self.stages}
        groups = {s.name: s.parallel_group for s in self.stages if s.parallel_group}
        renames = dict(self.mapping.rename)
        for stage in self.stages:  # stages renamed in the preview: their spans map to the name
            if stage.name != stage.imported_name and not stage.own_time:
                renames.update({span: stage.name for span in stage.span_names})
        return self.mapping.model_copy(
            update={
                "service": self.mapping.service or self.root_name,
                "rename": renames,
                "kinds": {**self.mapping.kinds, **kinds},
                "parallel_groups": {**self.mapping.parallel_groups, **groups},
            }
        )


def _r(value: float) -> float:
    return round(float(value), 4)


def rounded_presence(presence: float) -> float:
    """Three significant digits: 0.3 stays 0.3, and 2 requests in 10,000 stay 0.0002, not 0."""
    return float(f"{presence:.3g}")


def presence_warning(stages: list[ImportedStage], requests: str = "traces") -> str | None:
    """The warning that some stages are on a share of the requests only (None: none is)."""
    partial = [f"{s.name!r} ({s.presence:.0%})" for s in stages if s.conditional]
    if not partial:
        return None
    more = f" and {len(partial) - 5} more" if len(partial) > 5 else ""
    return (
        f"stages missing from some {requests}: {', '.join(partial[:5])}{more} of {requests} "
        "have them; each is marked conditional (presence), so the latency model adds it to that "
        "share of requests only, with its numbers describing the requests that have it"
    )


def unique_names(stages: list[ImportedStage]) -> None:
    """Stage names a scenario accepts: non-empty, at most 200 characters, unique."""
    seen: set[str] = set()
    for stage in stages:
        base = " ".join(stage.name.split())[:NAME_LIMIT] or "(unnamed)"
        name, n = base, 2
        while name in seen:
            suffix = f" ({n})"
            name, n = base[: NAME_LIMIT - len(suffix)] + suffix, n + 1
        stage.name = stage.imported_name = name
        seen.add(name)


def new_scenario(
    result: ImportResult,
    name: str | None = None,
    sla_ms: float = 500.0,
    percentile: float = 95,
    peak_rps: float = 0.0,
    replicas: int = 1,
    peak_note: str | None = None,
) -> Scenario:
    """A fresh scenario from an import: the user's SLA and traffic, the measured stages.
    `peak_note` says where peak_rps came from (e.g. the observed traffic), for the notes."""
    source = Path(result.path).name
    notes = f"Stages imported from {source} ({result.format})"
    if result.traces:
        notes += f", {result.traces} traces"
    if result.observed_traffic is not None:
        notes += f"; the file shows {result.observed_traffic.describe()}"
    bounded = [
        f"{s.name} p{p:g} in [{lo:.4g}, {hi:.4g}] ms"
        if math.isfinite(hi)
        else f"{s.name} p{p:g} above {lo:.4g} ms (the +Inf bucket)"
        for s in result.stages
        for p, (lo, hi) in sorted(s.bounds_ms.items())
        if lo != hi
    ]
    if bounded:
        notes += (
            ". Percentiles interpolated inside histogram buckets; the bucket bounds are their "
            "uncertainty: " + "; ".join(bounded[:30])
        )
    data = {
        "format": FORMAT,
        "name": name or f"Imported from {source}"[:NAME_LIMIT],
        "notes": notes + "." + (f"\n{peak_note}" if peak_note else ""),
        "sla": {"target_ms": sla_ms, "percentile": percentile},
        "traffic": {"peak_rps": peak_rps, "replicas": replicas},
        "stages": [s.stage_data() for s in result.stages],
    }
    return _validated(data, result)


def apply_to_scenario(
    result: ImportResult, scenario: Scenario, mode: Literal["replace", "merge"] = "merge"
) -> Scenario:
    """A new scenario with the imported stages.

    replace: the stages become the imported ones (a same-named stage keeps its `model` block and
    facts, which traces cannot know, and its presence where the source does not count requests).
    merge: same-named stages get the measured numbers and keep everything else (kind, facts,
    model); new stages are appended; the rest stay as they were.
    """
    if mode not in ("replace", "merge"):
        raise ValueError(f"mode must be 'replace' or 'merge', not {mode!r}")
    data = scenario_to_data(scenario)
    existing = {stage["name"]: stage for stage in data["stages"]}
    imported = [s.stage_data() for s in result.stages]
    measured = ("p50_ms", "p95_ms", "p99_ms", "samples_ms", "calls", "parallel_group")
    if result.traces:  # the source counted requests, so it measured which stages each one had
        measured += ("presence",)
    if mode == "replace":
        stages = []
        for new in imported:
            old = existing.get(new["name"], {})
            if "model" in old:  # what the user said about the model wins, measurements aside
                new["model"] = {**old["model"], **_measured_model(new)}
            if old.get("facts"):
                new["facts"] = {**old["facts"], **new.get("facts", {})}
            for key in ("applied", "holds_worker", "cost"):  # what traces cannot know either
                if key in old:
                    new[key] = old[key]
            if "presence" in old and "presence" not in measured:
                new["presence"] = old["presence"]  # the source cannot tell which requests
            stages.append(new)
    else:
        by_name = {new["name"]: new for new in imported}
        stages = []
        for old in data["stages"]:
            new = by_name.pop(old["name"], None)
            if new is not None:
                old = {k: v for k, v in old.items() if k not in measured}
                old.update({k: v for k, v in new.items() if k in measured})
                if _measured_model(new):
                    old["model"] = {**old.get("model", {"family": "llm"}), **_measured_model(new)}
            stages.append(old)
        stages.extend(by_name.values())
    data["stages"] = stages
    return _validated(data, result)


MEASURED_MODEL = ("ttft_ms", "per_token_ms", "prompt_tokens", "output_tokens")


def _measured_model(stage: dict[str, Any]) -> dict[str, Any]:
    """The model fields an import measured (an LLM server's histograms)."""
    model = stage.get("model") or {}
    return {k: model[k] for k in MEASURED_MODEL if k in model}


def with_peak_rps(scenario: Scenario, peak_rps: float, note: str | None = None) -> Scenario:
    """The scenario with `traffic.peak_rps` set, the rest of its traffic kept. `note` (where
    the number came from, see traffic.peak_note) replaces an earlier such line of its notes,
    so that a reader of the file can tell and repeated imports do not pile lines up."""
    data = scenario_to_data(scenario)
    data["traffic"]["peak_rps"] = round(float(peak_rps), 4)
    if note:
        lines = (data.get("notes") or "").splitlines()
        lines = [line for line in lines if not line.startswith(PEAK_NOTE_PREFIX)]
        data["notes"] = "\n".join([*lines, note])
    try:
        return validate_scenario(data)
    except ScenarioError as exc:
        raise ImporterError(None, f"peak traffic {peak_rps!r} req/s: {exc}") from None


def _validated(data: dict[str, Any], result: ImportResult) -> Scenario:
    try:
        return validate_scenario(data, source=result.path)
    except ScenarioError as exc:  # e.g. a merge that would exceed the stage limit
        raise ImporterError(
            result.path, f"the imported stages do not fit the scenario: {exc}"
        ) from None
