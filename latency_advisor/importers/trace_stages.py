"""Per-stage statistics from many traces -> the stages of an ImportResult.

Stage order follows when a stage typically starts within the request; a span's own time goes
last. A stage that ran beside others in most traces joins their parallel group. Kinds come from
the saved mapping where the user confirmed them, otherwise from a guess with its reason.
"""

from __future__ import annotations

from latency_advisor.importers.collect import StageStats, TraceCollector
from latency_advisor.importers.errors import ImporterError
from latency_advisor.importers.kinds import KindGuess, guess_kind
from latency_advisor.importers.result import (
    ImportedStage,
    ImportResult,
    presence_warning,
    unique_names,
)
from latency_advisor.importers.stats import percentiles

OWN_TIME_GUESS = KindGuess("other", "overhead", "time the parent span spends outside its children")
LLM_HINTS = ("gen_ai.system=", "gen_ai.request.model=", "llm.model_name=")


def result_from_traces(
    collector: TraceCollector, path: str, fmt: str, warnings: list[str]
) -> ImportResult:
    mapping = collector.mapping
    if not collector.stages:
        raise ImporterError(path, f"the {fmt} file holds no complete spans to build stages from")
    ordered = sorted(collector.stages.values(), key=lambda s: (s.own_time, s.mean_offset))
    groups = _parallel_groups(ordered, mapping.parallel_groups)
    stages: list[ImportedStage] = []
    for stats in ordered:
        confirmed = stats.name in mapping.kinds
        if confirmed:
            guess = KindGuess(mapping.kinds[stats.name], mapping.kinds[stats.name], "saved mapping")
        elif stats.own_time:
            guess = OWN_TIME_GUESS
        else:
            guess = guess_kind([stats.name, *stats.span_names], sorted(stats.hints))
        presence = stats.traces / max(collector.traces, 1)
        stage = ImportedStage.from_samples(
            stats.name,
            stats.samples.as_array(),
            count=stats.samples.count,
            kind=guess.kind,
            kind_label=guess.label,
            kind_reason=guess.reason,
            kind_confirmed=confirmed,
            calls=stats.typical_calls if groups.get(stats.name) is None else 1,
            parallel_group=groups.get(stats.name),
            presence=min(presence, 1.0),
            fan_out=max(stats.fan_out, key=stats.fan_out.get) if stats.fan_out else 1,
            span_names=[name for name, _ in stats.span_names.most_common(10)],
            own_time=stats.own_time,
            model_family="llm" if any(h.startswith(LLM_HINTS) for h in stats.hints) else None,
        )
        stages.append(stage)
    unique_names(stages)
    partial = presence_warning(stages, "traces")
    if partial:
        warnings.append(partial)
    if collector.dropped_stages:
        warnings.append(
            f"more than {len(stages)} distinct stages; {collector.dropped_stages} observations "
            "of further names were left out (rename or ignore spans in a mapping)"
        )
    if collector.skipped_traces:
        warnings.append(
            f"{collector.skipped_traces} traces had no usable root span and were skipped"
        )
    if 0 < collector.traces < 100:
        warnings.append(
            f"only {collector.traces} traces: p99 needs at least 100 samples and is left out "
            "where there are fewer"
        )
    e2e = collector.end_to_end.as_array()
    traffic = collector.arrivals.traffic()
    root = collector.root_names.most_common(1)[0][0] if collector.root_names else None
    return ImportResult(
        path=path,
        format=fmt,
        stages=stages,
        mapping=mapping,
        warnings=warnings,
        traces=collector.traces,
        spans=collector.spans,
        end_to_end_ms=dict(zip((50.0, 95.0, 99.0), percentiles(e2e), strict=True)),
        observed_rps=traffic.mean_rps if traffic else None,
        observed_traffic=traffic,
        root_name=root,
    )


def _parallel_groups(stages: list[StageStats], saved: dict[str, str]) -> dict[str, str]:
    """Stage -> group name: stages that ran beside each other in most of their observations."""
    parent = {s.name: s.name for s in stages}

    def find(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for stats in stages:
        group, votes = max(stats.groups.items(), key=lambda kv: kv[1], default=(None, 0))
        if group is None or votes * 2 < stats.samples.count:
            continue
        for other in group:
            if other in parent:
                parent[find(other)] = find(stats.name)
    members: dict[str, list[str]] = {}
    for stats in stages:
        members.setdefault(find(stats.name), []).append(stats.name)
    out: dict[str, str] = {}
    for names in members.values():
        if len(names) < 2:
            continue
        label = ("parallel: " + " + ".join(sorted(names)))[:200]
        for name in names:
            out[name] = saved.get(name, label)
    for name, group in saved.items():  # groups the user confirmed win over this file's votes
        if name in parent:
            out[name] = group
    return out
