"""Sizing a scenario's path: its latency model, today's estimate, and the replicas it needs.

Shared by the analysis, the rule engine and the what-if levers, below all of them.
"""

from __future__ import annotations

from typing import Any

from latency_advisor.latency import PathModel
from latency_advisor.latency.model import Estimate, Method, live_samples
from latency_advisor.scenario import Scenario


def path_model(scenario: Scenario, **kwargs: Any) -> PathModel:
    """The latency model of a scenario's path (its stages and how its requests arrive)."""
    kwargs.setdefault("samples", live_samples(scenario.sla.percentile))
    if scenario.sla.metric == "first_token":  # the target is on the first output of the answer
        from latency_advisor.llm_path import first_output_specs

        return PathModel(first_output_specs(scenario), arrivals=scenario.arrivals, **kwargs)
    return PathModel.from_stages(scenario.stages, arrivals=scenario.arrivals, **kwargs)


def offered_rps(scenario: Scenario) -> float:
    """The arrival rate the queue sees: a batch job pulls its items as fast as the workers take
    them, so it has no arrival queue (its figure is the job time, from throughput)."""
    t = scenario.traffic
    if scenario.sla.workload == "batch" and t.job_items is not None:
        return 0.0
    return float(t.peak_rps)


def current_estimate(
    scenario: Scenario, model: PathModel | None = None, method: Method = "auto"
) -> tuple[PathModel, Estimate]:
    model = model or path_model(scenario)
    estimate = model.estimate(
        offered_rps(scenario),
        scenario.traffic.servers,
        scenario.sla.percentile,
        method=method,
    )
    return model, estimate


def replicas_for_stability(scenario: Scenario, model: PathModel) -> int:
    """The fewest replicas that keep up with peak traffic (utilization below 1)."""
    servers = model.servers_for_stability(offered_rps(scenario))
    return -(-servers // scenario.traffic.concurrency)


def replicas_for_sla(scenario: Scenario, model: PathModel) -> int | None:
    """The fewest replicas that meet the SLA at peak, or None when the service time alone misses."""
    servers = model.servers_for_sla(
        offered_rps(scenario), scenario.sla.percentile, scenario.sla.target_ms
    )
    return None if servers is None else -(-servers // scenario.traffic.concurrency)


def naive_sum(scenario: Scenario, model: PathModel) -> float:
    """What adding up stage percentiles gives: the figure people quote, and why it misleads."""
    pct = scenario.sla.percentile
    fits = {spec.name: spec for spec in model.stages}
    total = 0.0
    for unit in model.units():
        total += max(
            spec.calls * _stage_percentile(scenario, fits[spec.name], pct) for spec in unit
        )
    return total


def _stage_percentile(scenario: Scenario, spec, percentile: float) -> float:
    stage = scenario.stage(spec.name)
    given = {50.0: stage.p50_ms, 95.0: stage.p95_ms, 99.0: stage.p99_ms}.get(float(percentile))
    return given if given is not None else spec.fit.quantile(percentile)
