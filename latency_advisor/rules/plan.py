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

from latency_advisor.rules.engine import Candidate, Projector, Step
from latency_advisor.rules.techniques import risk_rank

MAX_PLAN_STEPS = 20  # a plan longer than this is no longer a plan
HARM_TOLERANCE = 0.002  # a step that makes the projection worse by more than this is dropped


@dataclass
class Stacked:
    cand: Candidate
    projected_ms: float | None
    stable: bool
    perceived_ms: float | None


def plan_admits(cand: Candidate, allowed: str, projector: Projector) -> bool:
    """Within the scenario's quality budget."""
    return risk_rank(cand.rule.spec.accuracy_risk) <= risk_rank(allowed)


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
            perceived_step = projector.step(cand.rule, cand.stage, cand.ends["mid"], perceived=True)
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
        if project_each and not is_perceived_only(cand) and worse:
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
