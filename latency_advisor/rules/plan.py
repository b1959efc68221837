"""The plan: fixes stacked in the engine's order, with the projected latency after each step.

Stacking respects what the rules say about each other: a fix that conflicts with one already in
the plan, or that repeats a technique on the same stage, is left out; a fix that requires another
fix waits until that one is in. A fix whose accuracy risk is beyond the scenario's quality budget
never enters the plan (a scenario that allows no accuracy loss gets no lossy step).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from latency_advisor.rules.engine import Candidate, Projector, Step, candidate_step
from latency_advisor.rules.techniques import risk_rank

MAX_PLAN_STEPS = 20  # a plan longer than this is no longer a plan
HARM_TOLERANCE = 0.002  # a step that makes the projection worse by more than this is dropped
# a step that saves less than this (of today's figure, or in ms) changes nothing: not a step
MIN_STEP_FRACTION = 0.002
MIN_STEP_MS = 0.5


@dataclass
class Stacked:
    cand: Candidate
    projected_ms: float | None
    stable: bool
    perceived_ms: float | None


def plan_admits(cand: Candidate, allowed: str, projector: Projector) -> bool:
    """Within the scenario's quality budget."""
    return risk_rank(cand.rule.spec.accuracy_risk) <= risk_rank(allowed)


# running cost as a weight on effort when ranking plan steps by value (latency removed per day)
COST_WEIGHT = {"saves": 0.8, "none": 1.0, "low": 1.25, "medium": 1.6, "high": 2.5}
MIN_EFFORT_DAYS = 0.5


def value(cand: Candidate) -> float:
    """Latency removed per effort day, running cost weighed in (ms per weighted day)."""
    spec = cand.rule.spec
    days = max((spec.effort_days[0] + spec.effort_days[1]) / 2.0, MIN_EFFORT_DAYS)
    return max(cand.effective_saving, 0.0) / (days * COST_WEIGHT[spec.cost])


MAX_STAGE_CUT = 0.9  # one fix never counts as removing more than this of its stage
RIVAL_EFFICIENCY = 0.5  # a bigger exclusive alternative wins if at least half as efficient


def _mid(c: Candidate) -> float:
    return (c.saving[0] + c.saving[1]) / 2.0


def _exclusive(a: Candidate, b: Candidate) -> bool:
    """Two fixes that cannot both be in a plan on the same stage."""
    if a.stage != b.stage:
        return False
    return a.rule.id in b.rule.spec.conflicts or b.rule.id in a.rule.spec.conflicts


def plan_order(cands: list[Candidate]) -> list[Candidate]:
    """The plan's order: value within risk. Pinned fixes (capacity that restores a steady state)
    first; then fixes that leave the model's answers alone before those that do not; among
    them the most latency removed per cost and effort first. Levels order risk, not value.

    Savings were sized one fix at a time, and fixes on one stage overlap: after a fix removes a
    fraction of its stage, the next fix on that stage can only act on what is left, so its value
    is scaled by that remainder (picked greedily). A fix that others require (the serving engine
    that brings prefix caching) is worth at least as much as the fixes it enables."""
    enables: dict[str, float] = {}
    for c in cands:
        for needed in c.rule.spec.requires:
            enables[needed] = max(enables.get(needed, 0.0), value(c))
    left: dict[str | None, float] = {}

    def key(c: Candidate) -> tuple:
        worth = max(value(c), enables.get(c.rule.id, 0.0))
        share = 1.0 if c.stage is None else left.get(c.stage, 1.0)
        return (
            0 if c.first else 1,
            0 if c.rule.spec.accuracy_risk == "none" else 1,
            -worth * share,
            c.rule.id,
            c.stage or "",
        )

    pool = list(cands)
    out: list[Candidate] = []
    while pool:
        best = min(pool, key=key)
        # of two fixes that exclude each other (torch.compile or ONNX Runtime), take the one
        # that removes more unless it is far less efficient: the other is then gone for good
        rivals = [
            c
            for c in pool
            if _exclusive(c, best)
            and key(c)[:2] == key(best)[:2]
            and risk_rank(c.rule.spec.accuracy_risk) <= risk_rank(best.rule.spec.accuracy_risk)
            and _mid(c) > _mid(best)
            and key(c)[2] <= RIVAL_EFFICIENCY * key(best)[2]
        ]
        if rivals:
            best = max(rivals, key=_mid)
        pool.remove(best)
        out.append(best)
        stage_ms = float(best.facts.get("stage_ms", 0.0)) if best.stage is not None else 0.0
        if stage_ms > 0:
            cut = min(MAX_STAGE_CUT, max(best.saving[0] + best.saving[1], 0.0) / 2.0 / stage_ms)
            left[best.stage] = left.get(best.stage, 1.0) * (1.0 - cut)
    return out


def is_perceived_only(cand: Candidate) -> bool:
    """Streaming-like fixes: they cut the time to first output, not the total."""
    return cand.perceived_saving is not None


def order_fixes(cands: list[Candidate], admit: Callable[[Candidate], bool]) -> list[Candidate]:
    """The admitted fixes in order, without conflicts, each after the fixes it requires."""
    listed = {c.rule.id for c in cands if admit(c)}
    chosen: list[Candidate] = []
    pending: list[Candidate] = []
    for cand in cands:
        if not admit(cand) or not _compatible(cand, chosen):
            continue
        if any(r in listed and r not in _ids(chosen) for r in cand.rule.spec.requires):
            pending.append(cand)
            continue
        chosen.append(cand)
        progressed = True
        while pending and progressed:
            progressed = False
            for waiting in list(pending):
                if all(r not in listed or r in _ids(chosen) for r in waiting.rule.spec.requires):
                    pending.remove(waiting)
                    if _compatible(waiting, chosen):
                        chosen.append(waiting)
                        progressed = True
    return chosen


def stack(
    cands: list[Candidate],
    projector: Projector,
    admit: Callable[[Candidate], bool],
    project_each: bool = True,
) -> list[Stacked]:
    """Apply admitted fixes cumulatively in order, with the projection after each step (or
    only after the last). With projections after each step, a step that makes the path slower
    after the ones before it (a fix sized for today's path) is dropped."""
    chosen = order_fixes(cands, admit)
    out: list[Stacked] = []
    steps: list[Step] = []
    perceived_steps: list[Step] = []
    any_perceived = False
    met = False
    previous = projector.current if projector.base_stable else math.inf
    for i, cand in enumerate(chosen):
        if project_each and len(out) >= MAX_PLAN_STEPS:
            break
        mid = cand.steps["mid"]
        perceived_step = mid
        if is_perceived_only(cand) and cand.stage is not None:
            perceived_step = candidate_step(projector, cand, "mid", perceived=True)
        steps.append(mid)
        perceived_steps.append(perceived_step)
        any_perceived = any_perceived or perceived_step is not mid
        if not project_each and i < len(chosen) - 1:
            out.append(Stacked(cand, None, True, None))
            continue
        proj = projector.project(steps)
        worse = proj.ms > previous * (1 + HARM_TOLERANCE) or (
            not proj.stable and math.isfinite(previous)
        )
        floor = max(MIN_STEP_FRACTION * projector.current, MIN_STEP_MS)
        idle = math.isfinite(previous) and proj.stable and previous - proj.ms < floor
        if project_each and not is_perceived_only(cand) and (worse or idle):
            steps.pop()
            perceived_steps.pop()
            any_perceived = any(p is not s for p, s in zip(perceived_steps, steps, strict=True))
            continue
        # the time to first output where it changes or matters: the streaming step itself,
        # the first step that meets the SLA, and the end (each is a full what-if, so not every
        # step pays for one)
        meets = proj.stable and proj.ms <= projector.target
        wanted = perceived_step is not mid or (meets and not met) or i == len(chosen) - 1
        met = met or meets
        perceived = projector.project(perceived_steps).ms if any_perceived and wanted else None
        out.append(Stacked(cand, proj.ms, proj.stable, perceived))
        previous = proj.ms if proj.stable else math.inf
    return out


def _ids(chosen: list[Candidate]) -> set[str]:
    return {c.rule.id for c in chosen}


def _compatible(cand: Candidate, chosen: list[Candidate]) -> bool:
    spec = cand.rule.spec
    for other in chosen:
        o = other.rule.spec
        if other.rule.id in spec.conflicts or cand.rule.id in o.conflicts:
            return False
        if o.technique == spec.technique and other.stage == cand.stage:
            return False
        if other.rule.id == cand.rule.id and other.stage == cand.stage:
            return False
    return True
