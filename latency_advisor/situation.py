"""What an experienced engineer reads off a scenario before advising: the situation.

- The bottleneck as a unit: a parallel group (fan-out) counts as one, with its slowest member
  named inside, and the queue is the bottleneck when it holds more of the tail than any unit.
- Headroom when the SLA is met: how much, the traffic at which it stops being met on today's
  replicas, and how many replicas would still meet it.
- Whether the inputs agree: traffic, replicas and concurrency that imply a queue which cannot
  keep up, beside stage latencies measured on a system that answers, mean one of them is wrong.
- Fan-out tails: the p99 of the slowest of n calls rests on each call's p(99^(1/n)).
- Batch jobs: job time against the deadline from throughput, not a tail percentile.

Everything here is computed from the latency model; nothing reads the rules.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from latency_advisor.latency import PathModel
from latency_advisor.latency.model import WAIT_LABEL, Estimate
from latency_advisor.scenario import Scenario

# kinds whose wait is a remote call: in an async service it does not keep a worker busy
REMOTE_KINDS = frozenset({"network", "feature_fetch", "retrieval", "queueing"})
TARGET_UTILIZATION = 0.7  # the load a sized fleet runs at, leaving room for bursts
# a met target with less room than this is met only just: a traffic bump or a slow dependency
# breaks it, so the margin itself is worth work
THIN_HEADROOM = 0.10  # of the target
THIN_TRAFFIC_MULTIPLE = 1.25  # of today's peak
RATE_SEARCH_STEPS = 24  # bisection steps for the traffic at which the SLA stops being met


def bottleneck(model: PathModel, est: Estimate) -> dict[str, Any]:
    """The unit that takes most of the tail: a stage, a parallel group, or the queue."""
    units = []
    for unit in model.units():
        share = sum(est.shares.get(s.name, 0.0) for s in unit)
        slowest = max(unit, key=lambda s: est.shares.get(s.name, 0.0))
        units.append((share, unit, slowest))
    share, unit, slowest = max(units, key=lambda u: u[0])
    queue = est.shares.get(WAIT_LABEL, 0.0)
    rest = 1.0 - queue
    out: dict[str, Any] = {
        "service_stage": slowest.name,
        "service_share": share / rest if rest > 1e-9 else share,
    }
    if len(unit) > 1:
        out.update(
            kind="parallel_group",
            group=unit[0].group,
            members=[s.name for s in unit],
            slowest=slowest.name,
            slowest_share=est.shares.get(slowest.name, 0.0),
        )
        name = str(unit[0].group)
    else:
        out["kind"] = "stage"
        name = slowest.name
    if queue > share:
        out.update(kind="queue", unit=name, unit_share=share)
        return {"stage": WAIT_LABEL, "share": queue, **out}
    return {"stage": name, "share": share, **out}


def headroom(scenario: Scenario, model: PathModel, est: Estimate) -> dict[str, Any]:
    """When the SLA is met: how much room, where it breaks, and the replicas that would do."""
    t = scenario.traffic
    sla = scenario.sla
    target = float(sla.target_ms)

    def meets(rps: float) -> bool:
        e = model.estimate(rps, t.servers, sla.percentile, method="formula", with_shares=False)
        return e.stable and e.at_percentile_ms <= target

    # the rate at which today's fleet is saturated bounds the search
    ceiling = t.servers / max(est.mean_busy_ms, 1e-9) * 1000.0
    low, high = float(t.peak_rps), ceiling
    if est.mean_busy_ms <= 0:
        breaks_at = None
    else:
        for _ in range(RATE_SEARCH_STEPS):
            mid = (low + high) / 2.0
            low, high = (mid, high) if meets(mid) else (low, mid)
            if high - low <= max(0.005 * low, 0.01):
                break
        breaks_at = low
    out: dict[str, Any] = {
        "headroom_ms": target - est.at_percentile_ms,
        "headroom_fraction": (target - est.at_percentile_ms) / target,
        "breaks_at_rps": breaks_at,
        "traffic_multiple": breaks_at / t.peak_rps if breaks_at and t.peak_rps > 0 else None,
    }
    multiple = out["traffic_multiple"]
    out["thin"] = out["headroom_fraction"] < THIN_HEADROOM or (
        multiple is not None and multiple < THIN_TRAFFIC_MULTIPLE
    )
    return out


def consistency(scenario: Scenario, model: PathModel, est: Estimate) -> dict[str, Any] | None:
    """When the stated traffic cannot be served by the stated fleet, ask which input is wrong.

    A fleet that cannot keep up has an unbounded queue, so latencies measured on it would be
    unbounded too; stage latencies that look like a working system then mean the traffic,
    the replicas or the concurrency per replica is not what the scenario says. That is the case
    when concurrency was left at its default of 1, or the overload is far beyond what a
    measured system could show (twice its capacity or more).
    """
    if est.stable:
        return None
    t = scenario.traffic
    stated = "concurrency" in t.model_fields_set
    if stated and est.utilization < 2.0:
        return None
    offered = est.utilization * t.servers  # requests in service at once, on average
    per_replica = math.ceil(offered / TARGET_UTILIZATION / t.replicas)
    questions = []
    if not stated:
        llm = any(s.model is not None and s.model.family == "llm" for s in scenario.stages)
        typical = (
            " (an LLM server with continuous batching runs 16–64 sequences at once)" if llm else ""
        )
        questions.append(
            f"does a replica serve several requests at once? traffic.concurrency is not given, "
            f"so 1 is assumed; about {per_replica} per replica would keep up at "
            f"{TARGET_UTILIZATION:.0%} load{typical}"
        )
    else:
        questions.append(
            f"is traffic.concurrency ({t.concurrency}) right? about {per_replica} per replica "
            f"would keep up at {TARGET_UTILIZATION:.0%} load"
        )
    questions.append(
        f"was the peak ({t.peak_rps:g} requests/s) measured on this deployment, or on a larger "
        "fleet or a forecast?"
    )
    async_utilization = None
    held = [s for s in model.stages if s.occupies_worker and s.kind in REMOTE_KINDS]
    if held:
        freed = PathModel(
            [replace(s, holds_worker=False) if s in held else s for s in model.stages],
            samples=4096,
            arrivals=model.arrivals,
        )
        e = freed.estimate(
            t.peak_rps, t.servers, scenario.sla.percentile, method="formula", with_shares=False
        )
        async_utilization = e.utilization
        names = ", ".join(f"'{s.name}'" for s in held)
        questions.append(
            f"is the service asynchronous? then the remote waits ({names}) do not hold a worker "
            f"(set holds_worker: false on them) and utilization would be "
            f"{e.utilization:.0%} instead of {est.utilization:.0%}"
        )
    return {
        "inputs_consistent": False,
        "utilization": est.utilization,
        "concurrency_stated": stated,
        "concurrency_to_keep_up": per_replica,
        "utilization_if_async": async_utilization,
        "questions": questions,
    }


def fanout_tails(scenario: Scenario, model: PathModel) -> list[str]:
    """Warnings where the SLA percentile of a fan-out needs member tails beyond those given."""
    pct = float(scenario.sla.percentile)
    out = []
    for unit in model.units():
        if len(unit) < 2:
            continue
        need = 100.0 * (pct / 100.0) ** (1.0 / len(unit))
        short = []
        for spec in unit:
            stage = scenario.stage(spec.name)
            given = _highest_given(stage)
            if stage.samples_ms and len(stage.samples_ms) * (1 - need / 100.0) >= 10:
                continue  # enough measured samples beyond the needed percentile
            if need > given + 1e-9:
                short.append(spec.name)
        if short:
            out.append(
                f"The p{pct:g} of parallel group '{unit[0].group}' is the slowest of "
                f"{len(unit)} calls, so it rests on each call's p{need:.2f}; "
                f"{len(short)} of them give nothing beyond p{_given_text(scenario, short)}: "
                "their tails are extrapolated from the fitted curve. Measure each call's "
                f"p{_round_up(need):g} to trust this figure."
            )
    return out


def _highest_given(stage) -> float:  # stage: scenario.Stage
    """The highest percentile the scenario states for a stage."""
    return 99.0 if stage.p99_ms is not None else 95.0 if stage.p95_ms is not None else 50.0


def _given_text(scenario: Scenario, names: list[str]) -> str:
    return f"{max(_highest_given(scenario.stage(n)) for n in names):g}"


def _round_up(need: float) -> float:
    for p in (99.0, 99.9, 99.99):
        if need <= p + 1e-9:
            return p
    return 99.999


def batch_job(scenario: Scenario, model: PathModel, est: Estimate) -> dict[str, Any] | None:
    """A batch job's time from throughput: items × busy time per item ÷ workers."""
    t = scenario.traffic
    if scenario.sla.workload != "batch" or t.job_items is None:
        return None
    per_item_ms = max(est.mean_busy_ms, 1e-9)
    throughput = t.servers / per_item_ms * 1000.0
    job_s = t.job_items / throughput
    out: dict[str, Any] = {
        "items": t.job_items,
        "deadline_s": t.deadline_s,
        "throughput_items_per_s": throughput,
        "busy_ms_per_item": per_item_ms,
        "workers": t.servers,
        "job_time_s": job_s,
        "meets_deadline": None if t.deadline_s is None else job_s <= t.deadline_s,
    }
    held = {
        s.name: float(model.samples[s.name].mean()) * (s.presence or 1.0)
        for s in model.stages
        if s.occupies_worker
    }
    if held:
        top = max(held, key=held.__getitem__)
        out["bottleneck"] = {"stage": top, "share_of_busy_time": held[top] / sum(held.values())}
    if t.deadline_s is not None:
        workers = math.ceil(t.job_items * per_item_ms / 1000.0 / t.deadline_s)
        out["replicas_for_deadline"] = -(-workers // t.concurrency)
        out["margin_s"] = t.deadline_s - job_s
    return out
