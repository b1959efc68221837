"""The plan: fixes stacked in the engine's order, with the projected latency after each step.

Stacking respects what the rules say about each other: a fix that conflicts with one already in
the plan, or that repeats a technique on the same stage, is left out; a fix that requires another
fix waits until that one is in. A fix whose accuracy risk is beyond the scenario's quality budget
never enters the plan (a scenario that allows no accuracy loss gets no lossy step).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from latency_advisor.rules.engine import Candidate, Projector, Step


@dataclass
class Stacked:
    cand: Candidate
    projected_ms: float
    stable: bool
    perceived_ms: float | None


def is_perceived_only(cand: Candidate) -> bool:
    """Streaming-like fixes: they cut the time to first output, not the total."""
    return cand.perceived_saving is not None


def stack(
    cands: list[Candidate],
    projector: Projector,
    admit: Callable[[Candidate], bool],
    project_each: bool = True,
) -> list[Stacked]:
    """Apply admitted fixes cumulatively in order; projections after each (or only the last)."""
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
    out: list[Stacked] = []
    steps: list[Step] = []
    perceived_steps: list[Step] = []
    any_perceived = False
    for i, cand in enumerate(chosen):
        mid = cand.steps["mid"]
        steps.append(mid)
        if is_perceived_only(cand) and cand.stage is not None:
            any_perceived = True
            perceived_steps.append(
                projector.step(cand.rule, cand.stage, cand.ends["mid"], perceived=True)
            )
        else:
            perceived_steps.append(mid)
        if not project_each and i < len(chosen) - 1:
            continue
        proj = projector.project(steps)
        perceived = projector.project(perceived_steps).ms if any_perceived else None
        out.append(Stacked(cand, proj.ms, proj.stable, perceived))
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
