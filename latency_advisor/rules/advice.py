"""Turn the engine's findings into the analysis: recommendations, plan, options, Pareto front."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from latency_advisor.money import prices as price_scenario
from latency_advisor.money import running_cost
from latency_advisor.rules import quality
from latency_advisor.rules.costing import monthly_change
from latency_advisor.rules.engine import Candidate, Evaluation, evaluate, whatif_samples
from latency_advisor.rules.loader import Library, load_library
from latency_advisor.rules.options import Bundle, build_options, pareto_front
from latency_advisor.rules.phases import annotate as annotate_phases
from latency_advisor.rules.plan import is_perceived_only, plan_admits, plan_order, stack
from latency_advisor.rules.techniques import allowed_risk, risk_rank
from latency_advisor.rules.unlock import missing_facts

if TYPE_CHECKING:
    from latency_advisor.result import Analysis
    from latency_advisor.scenario import Scenario


def advise(scenario: Scenario, analysis: Analysis, library: Library | None = None) -> Analysis:
    """Fill `recommendations`, `plan`, `options` (and extra keys) of `analysis` in place."""
    from latency_advisor.result import Option, PlanStep, Recommendation

    library = library if library is not None else load_library()
    result = evaluate(scenario, analysis, library)
    projector = result.projector
    allowed = allowed_risk(scenario.quality.max_accuracy_drop_pct)
    pct = f"p{scenario.sla.percentile:g}"
    gap = max(projector.current - projector.target, 0.0)

    analysis.recommendations = [
        Recommendation(**_recommendation(c, scenario, pct, gap, allowed)) for c in result.candidates
    ]
    prices = price_scenario(scenario)
    _add_money(analysis.recommendations, result.candidates, prices, projector)

    room = (analysis.model_extra or {}).get("headroom") or {}
    met = projector.base_stable and projector.current <= projector.target and not room.get("thin")
    first_token = getattr(scenario.sla, "metric", "end_to_end") == "first_token"

    def in_plan(c: Candidate) -> bool:
        """Within the quality budget; a perceived-latency fix is shown as such, not as a step
        (unless the target is on the first output); with the SLA met, only fixes that cost
        nothing and leave the answers alone are worth a step."""
        if not plan_admits(c, allowed, projector):
            return False
        if is_perceived_only(c) and not first_token:
            return False
        if met:
            spec = c.rule.spec
            return spec.accuracy_risk == "none" and spec.cost in ("saves", "none")
        return True

    plan = stack(plan_order(result.candidates), projector, in_plan)
    steps = []
    stopped = met  # a path that meets its SLA today has no "good place to stop"
    previous = projector.current if projector.base_stable else math.inf
    for s in plan:
        meets = s.stable and s.projected_ms <= projector.target
        row: dict[str, Any] = {
            "rule": s.cand.rule.id,
            "projected_ms": s.projected_ms,
            "meets_sla": meets,
            "stage": s.cand.stage,
            "technique": s.cand.rule.spec.technique,
            "step_saving_ms": previous - s.projected_ms if math.isfinite(previous) else None,
            "steady_state": s.stable,
            "accuracy_risk": s.cand.rule.spec.accuracy_risk,
            "stop_here": meets and not stopped,
        }
        if s.perceived_ms is not None:
            row["perceived_ms"] = s.perceived_ms
        stopped = stopped or meets
        previous = s.projected_ms if s.stable else math.inf
        steps.append(PlanStep(**row))
    analysis.plan = steps

    bundles = build_options(
        result.candidates,
        projector,
        allowed,
        plan,
        prices=prices,
        budget_pct=scenario.quality.max_accuracy_drop_pct,
        replicas_for_sla=analysis.current.replicas_needed_for_sla,
    )
    analysis.options = [Option(**_option(b, projector.target)) for b in bundles]
    front = pareto_front(bundles, plan, allowed, projector.current)
    extra: dict[str, Any] = {
        "running_cost": running_cost(prices),
        "quality_budget": {
            "max_accuracy_drop_pct": scenario.quality.max_accuracy_drop_pct,
            "risk_table": quality.table_rows(scenario.quality.max_accuracy_drop_pct),
        },
        "pareto_front": [
            {
                "name": b.name,
                "rules": b.rules,
                "stages": b.stages,
                "projected_ms": b.projected_ms,
                "accuracy_risk": b.accuracy_risk,
                "effort_days": list(b.effort_days),
            }
            for b in front
        ],
        "not_recommended": [
            {"rule": s.rule, "stage": s.stage, "reason": s.reason} for s in result.skipped
        ],
        "already_applied": [
            {"technique": a.technique, "stage": a.stage, "source": a.source}
            for a in result.applied
        ],
        "perceived": [
            {
                "rule": c.rule.id,
                "stage": c.stage,
                "first_output_saving_ms": list(c.perceived_saving),
            }
            for c in result.candidates
            if c.perceived_saving is not None and is_perceived_only(c)
        ],
        "missing_facts": [
            {"stage": u.stage, "field": u.field, "unlocks": list(u.rules)}
            for u in missing_facts(
                library,
                list(zip(scenario.stages, result.stage_facts, strict=True)),
                _fired_keys(result),
            )
        ],
    }
    for key, value in extra.items():
        setattr(analysis, key, value)
    analysis.warnings += result.fact_warnings
    annotate_phases(scenario, analysis)  # `phase` per fix; LLM plans capped at the GPU's floor
    analysis.assumptions += _assumptions(analysis, result.candidates, allowed, scenario)
    analysis.assumptions += [*prices.assumptions, _risk_assumption(scenario)]
    return analysis


def _fired_keys(result: Evaluation) -> set[tuple]:
    keys = {(s.rule, s.stage) for s in result.skipped}
    for c in result.candidates:
        for stage in c.members or [c.stage]:
            keys.add((c.rule.id, stage))
    return keys


def _add_money(recs: list, cands: list[Candidate], prices, projector) -> None:
    """Each recommendation's change of the monthly bill and its one-off cost, as [low, high]."""
    for rec, cand in zip(recs, cands, strict=True):
        rec.monthly_cost_usd = monthly_change([cand], prices, projector)
        rec.one_off_cost_usd = prices.one_off(cand.rule.spec.effort_days)


def _risk_assumption(scenario: Scenario) -> str:
    """The accuracy budget's reading of the risk table, in one sentence."""
    budget = scenario.quality.max_accuracy_drop_pct
    rows = quality.table_rows(budget)
    parts = [f"{r['risk']} ({r['typical_drop']}): {r['this_budget']}" for r in rows]
    return (
        f"Accuracy risk against the {budget:g} % budget (each level is a typical accuracy drop; "
        "a level the budget covers only at its low end needs an offline evaluation, named in "
        "the option): " + "; ".join(parts) + "."
    )


def _recommendation(
    c: Candidate, scenario: Scenario, pct: str, gap: float, allowed: str
) -> dict[str, Any]:
    spec = c.rule.spec
    lo, hi = c.saving
    where = f"'{c.stage}'" if c.stage else "the whole path"
    parts = [spec.rationale.helps.rstrip(".") + "."]
    if spec.technique == "capacity" and c.facts.get("inputs_consistent") is False:
        parts.insert(
            0,
            "Check the inputs before buying replicas: the traffic, replicas and concurrency "
            "stated imply a queue that cannot keep up, yet the stages were measured on a "
            "working system (see the first warning); a replica that serves several requests "
            "at once may need no new capacity at all.",
        )
    if len(c.members) > 1:
        group = scenario.stage(c.members[0]).parallel_group
        label = f"parallel group '{group}'" if group else "the path"
        parts.append(
            f"One change over the {len(c.members)} stages of {label} "
            f"({', '.join(c.members)}), one effort."
        )
    elif c.stage is not None:
        queued = float(c.facts["queueing_share"]) >= 0.2
        parts.append(
            f"Here {where} is {float(c.facts['tail_share']):.0%} of the {pct} latency "
            f"({float(c.facts['stage_ms']):.0f} ms)"
            + (
                f" and {float(c.facts['share']):.0%} of the service time; the queue holds "
                f"{float(c.facts['queueing_share']):.0%}, and every millisecond of service "
                "saved also shortens the queue."
                if queued
                else "."
            )
        )
    if c.restores_stability:
        lo_ms, hi_ms = sorted(c.projected)
        about = f"{lo_ms:.0f} ms" if round(lo_ms) == round(hi_ms) else f"{lo_ms:.0f}–{hi_ms:.0f} ms"
        parts.append(
            "Today the queue cannot keep up at peak; this fix restores a steady state, "
            f"with {pct} at about {about}."
        )
    elif c.measured_after:
        parts.append(f"Measured after '{c.measured_after}' restores a steady state.")
    if c.restores_stability:
        pass
    elif c.perceived_saving is not None:
        plo, phi = c.perceived_saving
        total = (
            "the total is unchanged"
            if max(abs(lo), abs(hi)) < 1.0
            else f"the total changes by {lo:.0f}–{hi:.0f} ms"
        )
        parts.append(f"It cuts the time to first output by {plo:.0f}–{phi:.0f} ms; {total}.")
    else:
        gap = max(c.before_ms - scenario.sla.target_ms, 0.0)
        share = f" ({min(hi, gap) / gap:.0%} of the gap at best)" if gap > 0 else ""
        parts.append(f"Expected saving at {pct}: {lo:.0f}–{hi:.0f} ms{share}.")
    if c.calibrated:
        parts.append(f"Effect size from a measured speedup ({c.calibrated}), not a default range.")
    if spec.effect.note:
        parts.append(f"Assumes {spec.effect.note.rstrip('.')}.")
    within = risk_rank(spec.accuracy_risk) <= risk_rank(allowed)
    if not within:
        parts.append(
            f"Its accuracy risk ({spec.accuracy_risk}) exceeds this scenario's quality budget "
            f"({scenario.quality.max_accuracy_drop_pct:g} %): not in the plan."
        )
    row: dict[str, Any] = {
        "rule": spec.id,
        "title": spec.title,
        "level": spec.level,
        "technique": spec.technique,
        "stage": c.stage,
        "saving_ms": (lo, hi),
        "accuracy_risk": spec.accuracy_risk,
        "cost": spec.cost,
        "effort_days": spec.effort_days,
        "why": " ".join(parts),
        "calibrated": c.calibrated is not None,
        "within_quality_budget": within,
        "restores_stability": c.restores_stability,
        "pinned_first": c.first,
        "projected_ms": sorted(c.projected),
        "rationale": spec.rationale.model_dump(),
        "references": list(spec.references),
        "stages": list(c.members) if c.members else [c.stage] if c.stage else [],
        "rollout": list(spec.rollout),
    }
    if c.calibrated:
        row["calibration_source"] = c.calibrated
    if c.perceived_saving is not None:
        row["perceived_saving_ms"] = c.perceived_saving
    return row


def _option(b: Bundle, target: float) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": b.name,
        "rules": b.rules,
        "stages": b.stages,
        "summary": b.summary,
        "projected_ms": b.projected_ms,
        "meets_sla": b.stable and b.projected_ms <= target,
        "accuracy_risk": b.accuracy_risk,
        "cost": b.cost,
        "effort_days": b.effort_days,
        "within_quality_budget": b.within_quality_budget,
        "pareto": b.pareto,
        "monthly_cost_usd": b.monthly_cost_usd,
        "one_off_cost_usd": b.one_off_cost_usd,
        "why": b.why,
        "kind": b.kind,
        "roles": list(b.roles),
        "replicas": b.replicas,
        "projected_range_ms": b.projected_range_ms,
        "uncertainty_ms": b.uncertainty_ms,
        "margin_ms": target - b.projected_ms,
        "meets_with_margin": b.meets_with_margin(target),
        "steady_state": b.stable,
        "offline_evaluation": b.offline_evaluation,
        "recommended": b.recommended,
    }
    if b.recommended:
        row["recommended_reason"] = b.recommended_reason
    if b.perceived_ms is not None:
        row["perceived_ms"] = b.perceived_ms
    return row


def _assumptions(
    analysis: Analysis, cands: list[Candidate], allowed: str, scenario: Scenario
) -> list[str]:
    out = [
        "Each fix's saving is projected through the latency model on a "
        f"{whatif_samples(scenario.sla.percentile):,}-sample copy of the path "
        "(same random numbers for every what-if, "
        "queueing by formula); the projection is the copy's ratio to its own baseline, applied "
        "to the current figure"
        + (" (which comes from a simulation)." if analysis.current.method == "simulation" else "."),
        "Saving ranges run from each rule's conservative to its optimistic effect size; the plan "
        "and the options use the middle of each range and stack fixes in order.",
        f"The quality budget ({scenario.quality.max_accuracy_drop_pct:g} % accuracy) admits fixes "
        f"up to '{allowed}' accuracy risk into the plan.",
    ]
    if not analysis.current.steady_state:
        out.append(
            "The path cannot keep up today: savings are measured against the service time alone "
            "(a lower bound), and fixes that restore a steady state go first."
        )
    for c in cands:
        if c.calibrated:
            lo, hi = c.ends["low"]["speedup"], c.ends["high"]["speedup"]
            out.append(
                f"'{c.rule.id}' on '{c.stage}' uses the measured speedup {lo:.2g}–{hi:.2g}× "
                f"({c.calibrated}) instead of the rule's default range."
            )
    if any(c.measured_after for c in cands):
        anchor = next(c.measured_after for c in cands if c.measured_after)
        out.append(
            f"With no steady state today, each other fix's saving is measured after "
            f"'{anchor}' restores one."
        )
    if any(is_perceived_only(c) for c in cands):
        out.append(
            "Streaming changes the time to first output (perceived_ms), not the total latency."
        )
    return out
