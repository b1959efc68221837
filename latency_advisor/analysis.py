"""The analysis of a scenario (CONTRACTS.md §2): where the time goes, how far from the SLA.

`analyze()` is the one entry point the CLI, the desktop app, the report and the rehearsal mode
share. Its output models (`latency_advisor.result`) serialise to the public JSON; keys may be
added, never removed. The result types are re-exported here for the views that read them.
"""

from __future__ import annotations

from pathlib import Path

from latency_advisor.latency import PathModel
from latency_advisor.latency.distributions import ASSUMED_SIGMA
from latency_advisor.latency.model import (
    DIRECT_CALL_LIMIT,
    NON_OCCUPYING_KINDS,
    WAIT_LABEL,
    Estimate,
    Method,
)
from latency_advisor.llm_path import annotate as annotate_tokens
from latency_advisor.result import (
    FORMAT,
    Analysis,
    Bottleneck,
    Current,
    Option,
    PlanStep,
    Recommendation,
    SlaOut,
    StageOut,
)
from latency_advisor.scenario import Scenario
from latency_advisor.sizing import (
    current_estimate,
    naive_sum,
    path_model,
    replicas_for_sla,
    replicas_for_stability,
)


def analyze(
    scenario: Scenario,
    *,
    method: Method = "auto",
    advice: bool = True,
    rule_folders: list[str | Path] | None = None,
) -> Analysis:
    """Compose the path at peak traffic, compare it with the SLA, and say what to do.

    `advice=False` skips the rule engine (recommendations, plan, options stay empty);
    `rule_folders` adds folders of the user's own rules to the bundled library.
    """
    model, est = current_estimate(scenario, method=method)
    sla = scenario.sla
    traffic = scenario.traffic
    stages = _stage_rows(scenario, model, est)
    top = max(stages, key=lambda s: s.share)
    at = est.at_percentile_ms
    meets = est.stable and at <= sla.target_ms
    analysis = Analysis(
        scenario=scenario.name,
        sla=_sla_out(scenario),
        current=Current(
            at_sla_percentile_ms=at,
            p50_ms=est.p(50.0),
            p90_ms=est.p(90.0),
            p95_ms=est.p(95.0),
            p99_ms=est.p(99.0),
            p99_9_ms=est.p(99.9),
            sum_of_stage_percentiles_ms=naive_sum(scenario, model),
            service_at_sla_percentile_ms=est.service_at_percentile_ms,
            queueing_wait_ms=est.mean_wait_ms,
            queueing_wait_probability=est.p_wait,
            utilization=est.utilization,
            steady_state=est.stable,
            method=est.method,
            simulated_requests=est.simulated_requests,
            replicas=traffic.replicas,
            concurrency=traffic.concurrency,
            replicas_needed_for_stability=replicas_for_stability(scenario, model),
            replicas_needed_for_sla=replicas_for_sla(scenario, model),
        ),
        meets_sla=meets,
        gap_ms=max(0.0, at - sla.target_ms) if est.stable else at - sla.target_ms,
        headroom_ms=max(0.0, sla.target_ms - at) if est.stable else 0.0,
        bottleneck=Bottleneck(stage=top.name, share=top.share),
        queueing_share=est.shares.get(WAIT_LABEL, 0.0),
        stages=stages,
        assumptions=_assumptions(scenario, model, est),
        warnings=_warnings(scenario, est, model),
    )
    if not est.stable:
        analysis.gap_ms = max(analysis.gap_ms, 0.0)
    annotate_tokens(scenario, analysis, method)  # LLM in tokens: first output, time per token
    if advice:
        from latency_advisor.rules.advice import advise
        from latency_advisor.rules.loader import load_library

        advise(scenario, analysis, load_library(rule_folders))
    return analysis


def _sla_out(scenario: Scenario) -> SlaOut:
    """The SLA as stated; the optional targets added since v1 appear only when set."""
    data = scenario.sla.model_dump(mode="json", exclude_none=True)
    if data.get("metric") == "end_to_end":
        data.pop("metric")
    return SlaOut(**data)


def _stage_rows(scenario: Scenario, model: PathModel, est: Estimate) -> list[StageOut]:
    rows = []
    for spec in model.stages:
        stage = scenario.stage(spec.name)
        rows.append(
            StageOut(
                name=stage.name,
                kind=stage.kind,
                p50_ms=stage.p50_ms,
                p95_ms=stage.p95_ms if stage.p95_ms is not None else spec.fit.quantile(95),
                p99_ms=stage.p99_ms if stage.p99_ms is not None else spec.fit.quantile(99),
                calls=stage.calls,
                parallel_group=stage.parallel_group,
                share=est.shares.get(stage.name, 0.0),
                spread_assumed=spec.fit.assumed_sigma is not None,
                distribution=spec.source,
                presence=stage.share_of_requests,
            )
        )
    return rows


def _pct(value: float) -> str:
    return f"p{value:g}"


def _assumptions(scenario: Scenario, model: PathModel, est: Estimate) -> list[str]:
    out = [
        "Stages vary independently of one another; each stage's latency follows a curve fitted "
        "through its given percentiles (a lognormal when two are given).",
    ]
    for spec in model.stages:
        if spec.note:
            out.append(spec.note)
        if spec.fit.assumed_sigma is not None:
            stage = scenario.stage(spec.name)
            out.append(
                f"Stage '{spec.name}' gives only p50 ({stage.p50_ms:g} ms): its spread is assumed "
                f"typical for a {spec.kind} stage (p95 ≈ {spec.fit.quantile(95):.0f} ms, "
                f"p99 ≈ {spec.fit.quantile(99):.0f} ms). Measure p95/p99 to replace this guess."
            )
        if spec.conditional:
            presence = spec.presence or 1.0
            out.append(
                f"Stage '{spec.name}' is on {_share_text(presence)} of requests only, "
                "independently of the other stages: its percentiles describe those requests, "
                f"and the other {_share_text(1.0 - presence)} skip it (0 ms, no load)."
            )
        if spec.calls > DIRECT_CALL_LIMIT:
            out.append(
                f"Stage '{spec.name}' makes {spec.calls} sequential calls; their sum is "
                "approximated by a lognormal with the same mean and variance."
            )
    groups = {spec.group for spec in model.stages if spec.group}
    for group in sorted(groups):
        members = [spec.name for spec in model.stages if spec.group == group]
        out.append(
            f"Parallel group '{group}' ({', '.join(members)}) takes as long as its slowest member."
        )
    if scenario.traffic.peak_rps > 0:
        free = sorted({s.kind for s in scenario.stages} & NON_OCCUPYING_KINDS)
        held = "the whole request" + (f" except {' and '.join(free)} stages" if free else "")
        out.append(
            f"Requests arrive {_arrivals_text(scenario)} at {scenario.traffic.peak_rps:g} "
            "requests/s and "
            f"are served first-come first-served by {_fleet(scenario)}; "
            f"a replica is held for {held}."
        )
    if est.method == "formula":
        out.append(
            "Queueing wait from Erlang C with the Allen–Cunneen correction for service variability "
            f"(utilization {est.utilization:.2f}, service variability Cs² = {est.busy_scv:.2f})."
        )
    elif est.method == "simulation":
        why = (
            f"utilization {est.utilization:.2f} is high"
            if est.utilization >= 0.75
            else f"the service time is heavy-tailed (Cs² = {est.busy_scv:.2f})"
        )
        out.append(
            f"Queueing simulated over {est.simulated_requests:,} requests because {why}; "
            "closed-form formulas understate the tail there."
        )
    if scenario.sla.workload == "batch":
        out.append(
            "Batch workload: the SLA percentile is read per request (item); for a job deadline, "
            "throughput and utilization matter more than a single request's tail."
        )
    return out


def _share_text(fraction: float) -> str:
    """A fraction of requests as a percentage with the digits it needs (30%, 0.5%, 99.9%)."""
    text = f"{fraction * 100:.3g}"
    return f"{text}%"


def _arrivals_text(scenario: Scenario) -> str:
    if scenario.arrivals == "periodic":
        return "evenly spaced (a steady stream, like video frames)"
    return "as a Poisson stream (independent users)"


def _fleet(scenario: Scenario) -> str:
    t = scenario.traffic
    if t.concurrency == 1:
        return f"{t.replicas} replica(s)"
    return f"{t.replicas} replica(s) × {t.concurrency} concurrent requests each"


def _warnings(scenario: Scenario, est: Estimate, model: PathModel) -> list[str]:
    out = []
    traffic = scenario.traffic
    if not est.stable:
        need = replicas_for_stability(scenario, model)
        out.append(
            f"At peak ({traffic.peak_rps:g} requests/s) the {traffic.replicas} replica(s) would be "
            f"{est.utilization:.0%} utilized: requests arrive faster than they can be served, so "
            "the queue grows without bound and no latency percentile is finite. "
            f"At least {need} replicas are needed just to keep up (or a shorter service time). "
            "The latencies shown exclude the queue: they are a lower bound."
        )
    elif est.utilization >= 0.8:
        out.append(
            f"Utilization at peak is {est.utilization:.0%}: the queue, and with it the tail, "
            "grows steeply with any more traffic or any slower request."
        )
    if any(s.kind == "queueing" for s in scenario.stages) and traffic.peak_rps > 0:
        out.append(
            "The path has a measured 'queueing' stage and the model also adds queueing at peak "
            "traffic: check that the same wait is not counted twice."
        )
    return out


# ------------------------------------------------------------------------- text output


def format_text(analysis: Analysis) -> str:
    """A readable summary for the terminal."""
    a = analysis
    c = a.current
    pct = _pct(a.sla.percentile)
    lines = [
        f"{a.scenario}",
        f"SLA: {pct} ≤ {a.sla.target_ms:g} ms ({a.sla.workload})",
        "",
    ]
    if a.meets_sla:
        verdict = f"MEETS the SLA with {a.headroom_ms:.0f} ms to spare"
    elif not c.steady_state:
        verdict = "CANNOT KEEP UP at peak traffic (utilization ≥ 100%)"
    else:
        verdict = f"MISSES the SLA by {a.gap_ms:.0f} ms"
    lines += [
        f"{_figure_label(a)} {pct}: {c.at_sla_percentile_ms:.0f} ms  →  {verdict}",
        f"  p50 {c.p50_ms:.0f} · p95 {c.p95_ms:.0f} · p99 {c.p99_ms:.0f} ms "
        f"(composed; adding stage {pct}s would say {c.sum_of_stage_percentiles_ms:.0f} ms)",
        f"  utilization {c.utilization:.0%} on {c.replicas} replica(s); "
        + (
            f"mean queueing wait {c.queueing_wait_ms:.1f} ms ({c.method})"
            if c.queueing_wait_ms is not None
            else "queue unbounded"
        ),
        f"  replicas needed: {c.replicas_needed_for_stability} to keep up, "
        + (
            f"{c.replicas_needed_for_sla} to meet the SLA"
            if c.replicas_needed_for_sla is not None
            else "none meets the SLA (the service time alone is too slow)"
        ),
        *_token_lines(a, pct),
        "",
        f"Where the time goes at {pct}:",
    ]
    width = max(len(s.name) for s in a.stages)
    for s in a.stages:
        bar = "█" * round(s.share * 30)
        flag = " (spread assumed)" if s.spread_assumed else ""
        if s.presence < 1.0:
            flag += f" (on {_share_text(s.presence)} of requests)"
        lines.append(f"  {s.name:<{width}}  {s.share:6.1%}  {bar}{flag}")
    if a.queueing_share > 0.0005:
        bar = "█" * round(a.queueing_share * 30)
        lines.append(f"  {WAIT_LABEL:<{width}}  {a.queueing_share:6.1%}  {bar}")
    lines.append(f"Bottleneck: {a.bottleneck.stage} ({a.bottleneck.share:.0%})")
    lines += _advice_lines(a, pct)
    if a.warnings:
        lines += ["", "Warnings:"] + [f"  ! {w}" for w in a.warnings]
    if a.assumptions:
        lines += ["", "Assumptions:"] + [f"  - {x}" for x in a.assumptions]
    return "\n".join(lines) + "\n"


def _figure_label(a: Analysis) -> str:
    on_first = (a.sla.model_extra or {}).get("metric") == "first_token"
    return "First output" if on_first else "End-to-end"


def _token_lines(a: Analysis, pct: str) -> list[str]:
    """First output and time per token of a streamed LLM answer (none for other paths)."""
    c = a.current.model_extra or {}
    if c.get("first_token_ms") is None:
        return []
    on_first = (a.sla.model_extra or {}).get("metric") == "first_token"
    total = c.get("end_to_end_ms") if on_first else a.current.at_sla_percentile_ms
    line = f"  LLM in tokens: first output {c['first_token_ms']:.0f} ms at {pct}"
    line += f" (the target is on it), whole answer {total:.0f} ms" if on_first else ""
    if c.get("per_token_ms") is not None:
        line += f"; {c['per_token_ms']:.1f} ms per output token"
    return [line]


def _ms_range(lo: float, hi: float) -> str:
    return f"{lo:.0f} ms" if round(lo) == round(hi) else f"{lo:.0f}–{hi:.0f} ms"


def _advice_lines(a: Analysis, pct: str) -> list[str]:
    """Recommendations, plan and options, as a tech lead would read them."""
    lines: list[str] = []
    extra = a.model_extra or {}
    if a.recommendations:
        lines += ["", "What to do, in order (system → serving → model):"]
        for i, r in enumerate(a.recommendations, 1):
            rx = r.model_extra or {}
            where = f" [{r.stage}]" if r.stage else " [whole path]"
            if rx.get("perceived_saving_ms"):
                lo, hi = rx["perceived_saving_ms"]
                gain = f"first output {_ms_range(lo, hi)} sooner (total unchanged)"
            elif rx.get("restores_stability"):
                gain = "restores a steady state (the queue keeps up)"
            else:
                gain = f"saves {_ms_range(*r.saving_ms)} at {pct}"
            flags = ""
            if rx.get("calibrated"):
                flags += " · measured"
            if rx.get("within_quality_budget") is False:
                flags += " · beyond the quality budget"
            lines.append(f"  {i:2d}. {r.title}{where}")
            lines.append(
                f"      {r.level}/{r.technique}: {gain}; accuracy risk {r.accuracy_risk}, "
                f"cost {r.cost}, {r.effort_days[0]:g}–{r.effort_days[1]:g} days{flags}"
            )
    skipped = extra.get("not_recommended") or []
    if skipped:
        lines += ["", "Considered and left out:"]
        for row in skipped:
            where = f" [{row['stage']}]" if row.get("stage") else ""
            lines.append(f"  - {row['rule']}{where}: {row['reason']}")
    if a.plan:
        lines += ["", f"Plan (cumulative, projected {pct}):"]
        width = max(len(step.rule) for step in a.plan)
        for step in a.plan:
            sx = step.model_extra or {}
            perceived = (
                f" (first output {sx['perceived_ms']:.0f} ms)"
                if sx.get("perceived_ms") is not None
                else ""
            )
            if sx.get("stop_here"):
                mark = "  ✓ meets the SLA: a good place to stop"
            elif step.meets_sla:
                mark = "  ✓"
            else:
                mark = ""
            lines.append(f"  + {step.rule:<{width}} → {step.projected_ms:.0f} ms{perceived}{mark}")
    if a.options:
        lines += ["", "Options for a decision maker:"]
        for o in a.options:
            ox = o.model_extra or {}
            perceived = (
                f", first output {o.perceived_ms:.0f} ms" if o.perceived_ms is not None else ""
            )
            verdict = "meets the SLA" if o.meets_sla else "misses the SLA"
            front = " · Pareto-optimal" if ox.get("pareto") else ""
            budget = "" if ox.get("within_quality_budget", True) else " · beyond the quality budget"
            lines.append(
                f"  • {o.name}: {o.projected_ms:.0f} ms{perceived} ({verdict}); accuracy risk "
                f"{o.accuracy_risk}, cost {o.cost}, {o.effort_days[0]:g}–{o.effort_days[1]:g} "
                f"days, {len(o.rules)} fix(es){front}{budget}"
            )
    return lines


__all__ = [
    "ASSUMED_SIGMA",
    "FORMAT",
    "Analysis",
    "Bottleneck",
    "Current",
    "Option",
    "PlanStep",
    "Recommendation",
    "SlaOut",
    "StageOut",
    "analyze",
    "current_estimate",
    "format_text",
    "path_model",
]
