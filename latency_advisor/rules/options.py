"""Options for a decision maker: a few coherent bundles of fixes and the Pareto front.

In the spirit of the classic answer to "users wait 3 s, product wants 500 ms": the fastest bundle
with some quality risk, the same quality but slower, and the perceived latency cut by streaming
when the output can be streamed; plus quick wins and the shortest plan that meets the SLA when
those differ. Each option has its projection, accuracy risk, running cost and effort (efforts add
up, as if the fixes were done one after another). The Pareto front keeps the bundles and plan
prefixes that no other beats on projected latency, accuracy risk and effort at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from latency_advisor.rules.engine import Candidate, Projector
from latency_advisor.rules.plan import (
    Stacked,
    is_perceived_only,
    order_fixes,
    plan_admits,
    stack,
)
from latency_advisor.rules.techniques import COSTS, RISKS, cost_rank, risk_rank

QUICK_EFFORT_DAYS = 5.0


@dataclass
class Bundle:
    name: str
    summary: str
    rules: list[str]
    stages: list[str | None]
    projected_ms: float
    perceived_ms: float | None
    stable: bool
    accuracy_risk: str
    cost: str
    effort_days: tuple[float, float]
    within_quality_budget: bool
    pareto: bool = False


def summarize(name: str, summary: str, stacked: list[Stacked], allowed: str, base_ms: float):
    if not stacked:
        return Bundle(name, summary, [], [], base_ms, None, True, "none", "none", (0, 0), True)
    last = stacked[-1]
    assert last.projected_ms is not None
    specs = [s.cand.rule.spec for s in stacked]
    risk = RISKS[max(risk_rank(s.accuracy_risk) for s in specs)]
    cost = COSTS[max(cost_rank(s.cost) for s in specs)]
    effort = (sum(s.effort_days[0] for s in specs), sum(s.effort_days[1] for s in specs))
    return Bundle(
        name=name,
        summary=summary,
        rules=[s.cand.rule.id for s in stacked],
        stages=[s.cand.stage for s in stacked],
        projected_ms=last.projected_ms,
        perceived_ms=last.perceived_ms,
        stable=last.stable,
        accuracy_risk=risk,
        cost=cost,
        effort_days=effort,
        within_quality_budget=risk_rank(risk) <= risk_rank(allowed),
    )


def build_options(
    cands: list[Candidate], projector: Projector, allowed: str, plan: list[Stacked]
) -> list[Bundle]:
    base = projector.current
    in_plan = {id(s.cand) for s in plan}
    # fixes the plan dropped because they made a faster path slower stay out of the bundles
    ordered = order_fixes(cands, lambda c: plan_admits(c, allowed, projector))
    met = projector.base_stable and projector.current <= projector.target
    dropped = set() if met else {id(c) for c in ordered if not is_perceived_only(c)} - in_plan
    lossy_cap = max(risk_rank(allowed), risk_rank("medium"))

    def run(name: str, summary: str, admit: Callable[[Candidate], bool]) -> Bundle:
        stacked = stack(
            cands, projector, lambda c: id(c) not in dropped and admit(c), project_each=False
        )
        return summarize(name, summary, stacked, allowed, base)

    core = [
        run(
            "Fastest, some quality risk",
            "every fix that cuts the total, model-level compression included",
            lambda c: (
                not is_perceived_only(c) and risk_rank(c.rule.spec.accuracy_risk) <= lossy_cap
            ),
        ),
        run(
            "Same quality, optimized pipeline",
            "only fixes that leave the model's answers unchanged",
            lambda c: not is_perceived_only(c) and c.rule.spec.accuracy_risk == "none",
        ),
    ]
    extra: list[Bundle] = []
    if any(is_perceived_only(c) for c in cands):
        extra.append(
            run(
                "Perceived latency cut by streaming",
                "same quality; the user sees the first output early while the total stays",
                lambda c: c.rule.spec.accuracy_risk == "none",
            )
        )
    stop = next(
        (
            i
            for i, s in enumerate(plan)
            if s.stable and s.projected_ms is not None and s.projected_ms <= projector.target
        ),
        None,
    )
    if stop is not None:
        extra.append(
            summarize(
                "Shortest plan that meets the SLA",
                "the plan's steps up to the first point where the SLA is met",
                plan[: stop + 1],
                allowed,
                base,
            )
        )
    fewest = fewest_fixes(cands, projector, allowed, dropped)
    if fewest:
        extra.append(
            summarize(
                "Fewest fixes that meet the SLA",
                "the largest savings first, within the quality budget, until the SLA is met",
                fewest,
                allowed,
                base,
            )
        )
    extra.append(
        run(
            "Quick wins",
            f"low running cost, each done in {QUICK_EFFORT_DAYS:g} days or less, no quality risk",
            lambda c: (
                cost_rank(c.rule.spec.cost) <= cost_rank("low")
                and c.rule.spec.effort_days[1] <= QUICK_EFFORT_DAYS
                and c.rule.spec.accuracy_risk == "none"
                and not is_perceived_only(c)
            ),
        )
    )
    if plan:
        extra.append(
            summarize("First fix only", "the plan's first step alone", plan[:1], allowed, base)
        )
    unique: list[Bundle] = list(core)
    seen = {_key(b) for b in core}
    for option in extra:
        if option.rules and _key(option) not in seen:
            seen.add(_key(option))
            unique.append(option)
    if len(unique) < 3:
        unique.append(summarize("Keep today's path", "no change", [], allowed, base))
    mark_pareto(unique)
    return unique


MAX_FEWEST = 12
OVERLAP_DISCOUNT = 0.5  # greedy ranking only: a second fix on a stage counts half


def fewest_fixes(
    cands: list[Candidate], projector: Projector, allowed: str, dropped: set[int]
) -> list[Stacked]:
    """Greedy: add the fix with the largest expected saving until the SLA is met (or give up)."""
    pool = [
        c
        for c in cands
        if id(c) not in dropped
        and not is_perceived_only(c)
        and risk_rank(c.rule.spec.accuracy_risk) <= risk_rank(allowed)
    ]
    # what is left of each stage after the fixes chosen so far (savings on one stage overlap)
    left: dict[str | None, float] = {}

    def value(c: Candidate) -> float:
        return (c.saving[0] + c.saving[1]) / 2.0 * left.get(c.stage, 1.0)

    # a fix pinned first (capacity when the queue cannot keep up) is in every bundle
    chosen: list[Candidate] = order_fixes([c for c in pool if c.first], lambda _c: True)
    pool = [c for c in pool if c not in chosen]
    while pool and len(chosen) < MAX_FEWEST:
        best = max(pool, key=lambda c: (value(c), c.rule.id, c.stage or ""))
        pool.remove(best)
        if value(best) <= 0:
            break
        trial = order_fixes([*chosen, best], lambda _c: True)
        if best not in trial:
            continue
        chosen = trial
        if best.stage is not None:  # the next fix on the same stage works on what is left
            left[best.stage] = left.get(best.stage, 1.0) * OVERLAP_DISCOUNT
        stacked = stack(chosen, projector, lambda _c: True, project_each=False)
        last = stacked[-1]
        if last.stable and last.projected_ms is not None and last.projected_ms <= projector.target:
            return stacked
    return []


def _key(b: Bundle) -> tuple:
    return tuple(zip(b.rules, b.stages, strict=True))


def _point(b: Bundle) -> tuple[float, int, float]:
    return (round(b.projected_ms, 6), risk_rank(b.accuracy_risk), sum(b.effort_days) / 2.0)


def mark_pareto(bundles: list[Bundle]) -> list[Bundle]:
    """Flag the bundles no other bundle beats on latency, accuracy risk and effort at once."""
    points = [_point(b) for b in bundles]
    for i, b in enumerate(bundles):
        p = points[i]
        b.pareto = not any(
            all(q[k] <= p[k] for k in range(3)) and q != p for j, q in enumerate(points) if j != i
        )
    return [b for b in bundles if b.pareto]


def pareto_front(bundles: list[Bundle], plan: list[Stacked], allowed: str, base_ms: float):
    """The front over the options and every prefix of the plan."""
    pool = list(bundles)
    for i in range(len(plan)):
        pool.append(
            summarize(
                f"Plan steps 1–{i + 1}", "a prefix of the plan", plan[: i + 1], allowed, base_ms
            )
        )
    front = mark_pareto([Bundle(**vars(b)) for b in pool])
    front.sort(key=lambda b: (b.projected_ms, risk_rank(b.accuracy_risk)))
    dedup: list[Bundle] = []
    for b in front:
        if all(_point(b) != _point(d) for d in dedup):
            dedup.append(b)
    return dedup
