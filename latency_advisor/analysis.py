"""The analysis of a scenario (CONTRACTS.md §2): where the time goes, how far from the SLA.

`analyze()` is the one entry point the CLI, the desktop app, the report and the rehearsal mode
share. Its output models (`latency_advisor.result`) serialise to the public JSON; keys may be
added, never removed. The result types are re-exported here for the views that read them.
"""

from __future__ import annotations

from pathlib import Path

from latency_advisor import situation
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
from latency_advisor.numbers import fmt_ms, fmt_ms_range, fmt_number, fmt_pct, fmt_utilization
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
    at = est.at_percentile_ms
    meets = est.stable and at <= sla.target_ms
    job = situation.batch_job(scenario, model, est)
    if job is not None and job["meets_deadline"] is not None:
        meets = bool(job["meets_deadline"])  # a job with a deadline: the deadline is the SLA
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
        bottleneck=Bottleneck(**situation.bottleneck(model, est)),
        queueing_share=est.shares.get(WAIT_LABEL, 0.0),
        stages=stages,
        assumptions=_assumptions(scenario, model, est),
        warnings=_warnings(scenario, est, model),
    )
    if not est.stable:
        analysis.gap_ms = max(analysis.gap_ms, 0.0)
    annotate_tokens(scenario, analysis, method)  # LLM in tokens: first output, time per token
    _read_situation(scenario, model, est, analysis, job)
    if advice:
        from latency_advisor.rules.advice import advise
        from latency_advisor.rules.loader import load_library

        advise(scenario, analysis, load_library(rule_folders))
    return analysis


def _read_situation(
    scenario: Scenario, model: PathModel, est: Estimate, analysis: Analysis, job: dict | None
) -> None:
    """Headroom, the consistency of the inputs, fan-out tails and batch jobs (extra keys)."""
    if job is not None:
        analysis.batch_job = job
        if job["deadline_s"] is not None:
            analysis.gap_ms = max(0.0, (job["job_time_s"] - job["deadline_s"]) * 1000.0)
            analysis.headroom_ms = max(0.0, (job["deadline_s"] - job["job_time_s"]) * 1000.0)
    elif analysis.meets_sla:
        room = situation.headroom(scenario, model, est)
        needed = analysis.current.replicas_needed_for_sla
        room["replicas_that_meet"] = needed
        room["spare_replicas"] = max(0, scenario.traffic.replicas - (needed or 0))
        analysis.headroom = room
    check = situation.consistency(scenario, model, est)
    analysis.inputs_consistent = check is None
    if check is not None:
        analysis.consistency = check
        analysis.warnings.insert(
            0,
            f"The inputs disagree: at {scenario.traffic.peak_rps:g} requests/s, "
            f"{scenario.traffic.replicas} replica(s) serving "
            f"{scenario.traffic.concurrency} request(s) at a time would be "
            f"{_utilization_text(est.utilization)} busy, so the queue would grow without bound "
            "and no latency could have been measured, yet the stage latencies look like a "
            "working system. Which is wrong? "
            + "; ".join(f"({i}) {q}" for i, q in enumerate(check["questions"], 1))
            + ". Check these before adding capacity.",
        )
    analysis.warnings += situation.fanout_tails(scenario, model)


def _utilization_text(utilization: float) -> str:
    return fmt_utilization(utilization)  # the shared format: 59.4%, or "over 10×"


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
    if scenario.sla.workload == "batch" and scenario.traffic.job_items is not None:
        out.append(
            "Batch job: items are pulled as fast as the workers take them (no arrival queue); "
            "job time = items × busy time per item ÷ workers (replicas × concurrency), and a "
            "deadline, when given, is the target fixes are judged against."
        )
    elif scenario.sla.workload == "batch":
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
            f"{fmt_utilization(est.utilization)} utilized: requests arrive faster than they "
            "can be served, so "
            "the queue grows without bound and no latency percentile is finite. "
            f"At least {need} replicas are needed just to keep up (or a shorter service time). "
            "The latencies shown exclude the queue: they are a lower bound."
        )
    elif est.utilization >= 0.8:
        out.append(
            f"Utilization at peak is {fmt_utilization(est.utilization)}: the queue, and with it "
            "the tail, "
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
    extra = a.model_extra or {}
    job = extra.get("batch_job")
    room = extra.get("headroom")
    if job and job.get("deadline_s"):
        verdict = (
            f"{'MEETS' if job['meets_deadline'] else 'MISSES'} the deadline"
            f" by {_duration(abs(job['margin_s']))}"
        )
    elif a.meets_sla:
        verdict = f"MEETS the SLA with {fmt_ms(a.headroom_ms)} to spare"
    elif not c.steady_state:
        verdict = "CANNOT KEEP UP at peak traffic (utilization ≥ 100%)"
    else:
        verdict = f"MISSES the SLA by {fmt_ms(a.gap_ms)}"
    if job:
        lines += _job_lines(job, verdict)
        lines.append(
            f"Per item: p50 {fmt_number(c.p50_ms)} · p95 {fmt_number(c.p95_ms)} · "
            f"p99 {fmt_ms(c.p99_ms)} "
            "(one item's latency; the job is judged on its time)"
        )
    else:
        lines += [
            f"{_figure_label(a)} {pct}: {fmt_ms(c.at_sla_percentile_ms)}  →  {verdict}",
            f"  p50 {fmt_number(c.p50_ms)} · p95 {fmt_number(c.p95_ms)} · p99 {fmt_ms(c.p99_ms)} "
            f"(composed; adding stage {pct}s would say {fmt_ms(c.sum_of_stage_percentiles_ms)})",
            f"  utilization {_utilization_text(c.utilization)} on {c.replicas} replica(s); "
            + (
                f"mean queueing wait {fmt_ms(c.queueing_wait_ms)} ({c.method})"
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
        ]
    if room:
        lines += _headroom_lines(a, room)
    if a.warnings:
        lines += ["", "Check first:"] + [f"  ! {w}" for w in a.warnings]
    lines += ["", f"Where the time goes at {pct}:"]
    width = max(len(s.name) for s in a.stages)
    for s in a.stages:
        bar = "█" * round(s.share * 30)
        flag = " (spread assumed)" if s.spread_assumed else ""
        if s.presence < 1.0:
            flag += f" (on {_share_text(s.presence)} of requests)"
        lines.append(f"  {s.name:<{width}}  {fmt_pct(s.share):>6}  {bar}{flag}")
    if a.queueing_share > 0.0005:
        bar = "█" * round(a.queueing_share * 30)
        lines.append(f"  {WAIT_LABEL:<{width}}  {fmt_pct(a.queueing_share):>6}  {bar}")
    lines.append(_bottleneck_line(a))
    lines += _advice_lines(a, pct)
    if a.assumptions:
        lines += ["", "Assumptions:"] + [f"  - {x}" for x in a.assumptions]
    return "\n".join(lines) + "\n"


def _duration(seconds: float) -> str:
    """A job time as people say it: 42 s, 18 min, 5.3 h."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _job_lines(job: dict, verdict: str) -> list[str]:
    lines = [
        f"Job: {job['items']:,} items at {job['throughput_items_per_s']:,.0f} items/s on "
        f"{job['workers']} worker(s) → {_duration(job['job_time_s'])}"
        + (
            f" against a {_duration(job['deadline_s'])} deadline  →  {verdict}"
            if job.get("deadline_s")
            else ""
        ),
    ]
    top = job.get("bottleneck")
    if top:
        lines.append(
            f"  throughput is set by '{top['stage']}' ({top['share_of_busy_time']:.0%} of the "
            "busy time per item)"
        )
    if job.get("replicas_for_deadline"):
        lines.append(f"  replicas that meet the deadline: {job['replicas_for_deadline']}")
    return lines


def _headroom_lines(a: Analysis, room: dict) -> list[str]:
    """When the SLA is met, the first thing to say: how much room, where it ends, what it costs."""
    c = a.current
    just = "only just" if room.get("thin") else "with room"
    out = [
        f"You meet the SLA, {just}: {fmt_ms(room['headroom_ms'])} "
        f"({fmt_pct(room['headroom_fraction'])} of the target) to spare at today's peak."
    ]
    if room.get("breaks_at_rps"):
        out.append(
            f"  It stops being met at about {room['breaks_at_rps']:,.0f} requests/s on today's "
            f"{c.replicas} replica(s)"
            + (  # no multiple of a peak of 0 requests/s
                f" ({room['traffic_multiple']:.1f}× today's peak)."
                if room.get("traffic_multiple") is not None
                else "."
            )
        )
    if room.get("spare_replicas"):
        out.append(
            f"  {room['replicas_that_meet']} replica(s) would still meet it at peak where "
            f"{c.replicas} run: {room['spare_replicas']} fewer is a running-cost saving."
        )
    if room.get("thin"):
        out.append("  The margin is thin: the fixes below buy room before traffic takes it.")
    else:
        out.append("  Nothing has to change: the fixes below are optional, cheapest first.")
    return out


def _bottleneck_line(a: Analysis) -> str:
    b = a.bottleneck
    bx = b.model_extra or {}
    if bx.get("kind") == "queue":
        why = (
            "the replicas are near saturation"
            if a.current.utilization >= 0.8
            else f"at {fmt_utilization(a.current.utilization)} utilization, requests wait behind "
            "slow ones "
            "(a heavy-tailed service time)"
        )
        return (
            f"Bottleneck: the queue ({fmt_pct(b.share)} of the time): {why}; every ms of service "
            f"time saved also shortens it. Of the service time, '{bx['service_stage']}' takes "
            f"the most ({fmt_pct(bx['service_share'])})."
        )
    if bx.get("kind") == "parallel_group":
        return (
            f"Bottleneck: parallel group '{b.stage}' ({fmt_pct(b.share)}, {len(bx['members'])} "
            "calls; "
            f"the slowest most often is '{bx['slowest']}')"
        )
    return f"Bottleneck: {b.stage} ({fmt_pct(b.share)})"


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
    line = f"  LLM in tokens: first output {fmt_ms(c['first_token_ms'])} at {pct}"
    line += f" (the target is on it), whole answer {fmt_ms(total)}" if on_first else ""
    if c.get("per_token_ms") is not None:
        line += f"; {c['per_token_ms']:.1f} ms per output token"
    return [line]


def _ms_range(lo: float, hi: float) -> str:
    return fmt_ms_range(lo, hi)


def _advice_lines(a: Analysis, pct: str) -> list[str]:
    """Recommendations, plan and options, as a tech lead would read them."""
    lines: list[str] = []
    extra = a.model_extra or {}
    job = extra.get("batch_job") if (extra.get("batch_job") or {}).get("deadline_s") else None
    room = extra.get("headroom")
    room = room if room and not room.get("thin") else None  # a thin margin is worth work
    if a.recommendations:
        head = (
            "Optional fixes (system → serving → model; cheapest and safest first):"
            if room
            else "What to do, in order (system → serving → model):"
        )
        lines += ["", head]
        for i, r in enumerate(a.recommendations, 1):
            rx = r.model_extra or {}
            members = rx.get("stages") or []
            group = {s.parallel_group for s in a.stages if s.name in members}
            where = (
                f" [parallel group '{group.pop()}', {len(members)} stages]"
                if len(members) > 1 and len(group) == 1 and None not in group
                else f" [{len(members)} stages: {', '.join(members)}]"
                if len(members) > 1
                else f" [{r.stage}]"
                if r.stage
                else " [whole path]"
            )
            if rx.get("perceived_saving_ms"):
                lo, hi = rx["perceived_saving_ms"]
                gain = f"first output {_ms_range(lo, hi)} sooner (total unchanged)"
            elif rx.get("restores_stability"):
                gain = "restores a steady state (the queue keeps up)"
            elif job:
                lo, hi = r.saving_ms
                gain = f"saves {_duration(lo / 1000)}–{_duration(hi / 1000)} of job time"
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
            for step in rx.get("rollout") or []:
                lines.append(f"      rollout: {step}")
    perceived = extra.get("perceived") or []
    if perceived:
        lines += ["", "Perceived latency (the first output sooner; the total is unchanged):"]
        for row in perceived:
            lo, hi = row["first_output_saving_ms"]
            lines.append(f"  - {row['rule']} [{row['stage']}]: {_ms_range(lo, hi)} sooner")
    in_place = extra.get("already_applied") or []
    if in_place:
        lines += ["", "Already in place (never advised again):"]
        for row in in_place:
            lines.append(f"  - {row['technique']} [{row['stage']}] ({row['source']})")
    missing = extra.get("missing_facts") or []
    if missing:
        lines += ["", "Say more to get more advice:"]
        for row in missing:
            unlocks = "; ".join(row["unlocks"][:4])
            more = f" (+{len(row['unlocks']) - 4} more)" if len(row["unlocks"]) > 4 else ""
            lines.append(f"  - '{row['stage']}' {row['field']} would unlock: {unlocks}{more}")
    skipped = extra.get("not_recommended") or []
    if skipped:
        lines += ["", "Considered and left out:"]
        for row in skipped:
            where = f" [{row['stage']}]" if row.get("stage") else ""
            lines.append(f"  - {row['rule']}{where}: {row['reason']}")
    if a.plan:
        what = "job time" if job else pct
        head = (
            f"Optional plan (each step costs nothing and leaves answers alone; projected {what}):"
            if room
            else f"Plan (value within risk, cumulative, projected {what}):"
        )
        lines += ["", head]
        width = max(len(step.rule) for step in a.plan)
        for step in a.plan:
            sx = step.model_extra or {}
            perceived_ms = (
                f" (first output {fmt_ms(sx['perceived_ms'])})"
                if sx.get("perceived_ms") is not None
                else ""
            )
            if sx.get("stop_here"):
                target = "the deadline" if job else "the SLA"
                mark = f"  ✓ meets {target}: a good place to stop"
            elif step.meets_sla and not room:
                mark = "  ✓"
            else:
                mark = ""
            figure = (
                _duration(step.projected_ms / 1000) if job else fmt_ms(step.projected_ms)
            )
            lines.append(f"  + {step.rule:<{width}} → {figure}{perceived_ms}{mark}")
    lines += _option_lines(a, pct)
    return lines


def _option_lines(a: Analysis, pct: str) -> list[str]:
    """Today's bill, the options in money and weeks, and the accuracy budget's risk table."""
    from latency_advisor.money import usd, usd_range

    extra = a.model_extra or {}
    lines: list[str] = []
    money = extra.get("running_cost")
    if money:
        per = money.get("per_1000_requests_usd")
        lines += [
            "",
            f"Running cost today: {usd(money['monthly_usd'])} a month"
            + (f", {usd(per)} per 1,000 requests" if per is not None else "")
            + f" (average {money['average_rps']:g} requests/s; {money['replicas_at_peak']} "
            f"replica(s) at {usd(money['replica_hour_usd'])}/hour at peak)",
        ]
    if a.options:
        lines += ["", "Options for a decision maker (★ recommended):"]
        for o in a.options:
            ox = o.model_extra or {}
            mark = "★" if ox.get("recommended") else "•"
            perceived = (
                f", first output {fmt_ms(o.perceived_ms)}" if o.perceived_ms is not None else ""
            )
            if ox.get("steady_state") is False:
                verdict = "misses the SLA: the queue cannot keep up"
            elif o.meets_sla:
                verdict = f"meets the SLA, margin {ox.get('margin_ms', 0.0):.0f} ms"
                if "uncertainty_ms" in ox:
                    sure = ">" if ox.get("meets_with_margin") else "<"
                    verdict += f" {sure} uncertainty ±{ox['uncertainty_ms']:.0f} ms"
            else:
                verdict = "misses the SLA"
            lo, hi = o.effort_days
            weeks = f"≈{lo / 5:.2g}–{hi / 5:.2g} weeks" if hi > 0 else "no work"
            job = (extra.get("batch_job") or {}).get("deadline_s")
            figure = (
                f"job time {_duration(o.projected_ms / 1000)}"
                if job
                else f"{fmt_ms(o.projected_ms)} at {pct}"
            )
            lines.append(f"  {mark} {o.name}: {figure}{perceived} ({verdict})")
            cost = f"running cost {o.cost}"
            if "monthly_cost_usd" in ox:
                one = ox["one_off_cost_usd"]
                once = (
                    usd(one[0])
                    if round(one[0]) == round(one[1])
                    else (f"{usd(one[0])}–{usd(one[1])}")
                )
                cost = f"{usd_range(*ox['monthly_cost_usd'], ' a month')}, {once} one-off"
            lines.append(
                f"      accuracy risk {o.accuracy_risk} · {cost} · {lo:g}–{hi:g} engineer-days "
                f"({weeks}) · {len(o.rules)} fix(es)"
                + (" · Pareto-optimal" if ox.get("pareto") else "")
                + ("" if ox.get("within_quality_budget", True) else " · beyond the quality budget")
            )
            if ox.get("why"):
                lines.append(f"      why pick it: {ox['why']}")
            if ox.get("offline_evaluation"):
                lines.append(f"      before rollout: {ox['offline_evaluation']}")
            if ox.get("recommended_reason"):
                lines.append(f"      recommended because {ox['recommended_reason']}")
    budget = extra.get("quality_budget")
    if budget:
        rows = " · ".join(
            f"{r['risk']} ({r['typical_drop']}): {r['this_budget']}" for r in budget["risk_table"]
        )
        lines += ["", f"Accuracy budget {budget['max_accuracy_drop_pct']:g} %: {rows}"]
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
