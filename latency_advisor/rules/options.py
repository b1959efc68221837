"""Options for a decision maker: at most four distinct choices, each named for what it is.

In the spirit of the classic answer to "users wait 3 s, product wants 500 ms": a few clear
choices (stream now for perceived latency; most of the gain quickly; the full target with a
stated quality tradeoff), each with its projection, accuracy risk, effort in days and money.

How they are built: candidate bundles come from the engine's fixes within the quality budget
(`quality.py`: a level that the budget admits only with an offline evaluation carries that step,
its days and its cost), plus capacity (the replicas that meet the target), keeping today's path
and running fewer replicas when the target is met. Bundles that land within a few percent of one
another on latency, the same risk and a close cost are merged; "quickest to meet the target",
"meets the target with no quality risk", "perceived latency first" (streamed answers), today's
path and fewer replicas (target met) are kept before the rest; never more than four. Names are
computed from the final set (the quickest is the quickest of those shown), so they stay true.
The recommended option meets the target with a margin larger than its uncertainty (the spread
between the mid and conservative projection, at least MODEL_ERROR of the figure), or the
analysis says plainly that none does.
"""

from __future__ import annotations

from collections.abc import Callable

from latency_advisor.money import Prices
from latency_advisor.money import prices as price_scenario
from latency_advisor.rules import quality
from latency_advisor.rules.bundle import (
    MODEL_ERROR,
    Bundle,
    Context,
    mark_pareto,
    pareto_front,
    summarize,
)
from latency_advisor.rules.choice import MAX_OPTIONS, name_options, select
from latency_advisor.rules.costing import monthly_change, replicas_after
from latency_advisor.rules.engine import TARGET_UTILIZATION, Candidate, Projector
from latency_advisor.rules.plan import Stacked, is_perceived_only, order_fixes, stack
from latency_advisor.rules.techniques import RISKS, cost_rank, risk_rank

QUICK_EFFORT_DAYS = 5.0
MAX_GREEDY = 12
OVERLAP_DISCOUNT = 0.5  # greedy ranking only: a second fix on a stage counts half
CAPACITY_EFFORT = (0.5, 2.0)  # scaling a fleet out or in: configuration and a watched rollout
# a resized fleet stays at or below this peak utilization: above it the queue's tail grows
# steeply and the formulas understate it (the engine sizes capacity to the same figure)
MAX_UTILIZATION = TARGET_UTILIZATION

__all__ = [
    "MAX_OPTIONS",
    "MODEL_ERROR",
    "Bundle",
    "Context",
    "build_options",
    "mark_pareto",
    "name_options",
    "pareto_front",
    "select",
    "summarize",
]


# ------------------------------------------------------------------ sizing one bundle


def at_servers(projector: Projector, servers: int) -> tuple[float, bool, float]:
    """Today's path at peak on another number of servers (replicas × concurrency): the
    latency at the SLA percentile, whether the queue keeps up, and the utilization."""
    est = projector.model.estimate(
        projector.rps,
        servers,
        projector.percentile,
        method="formula",
        with_shares=False,
        with_percentiles=False,
    )
    ms = projector.current * est.at_percentile_ms / projector.base_ms
    return ms, est.stable, est.utilization


def size_fixes(ctx: Context, chosen: list[Candidate], summary: str = "") -> Bundle:
    """A bundle of fixes, stacked in order, with its projections, risk, days and money."""
    p = ctx.projector
    if not chosen:
        return structural(ctx, "keep", ctx.replicas)
    stacked = stack(chosen, p, lambda _c: True, project_each=False)
    last = stacked[-1]
    assert last.projected_ms is not None
    ends = [p.project([c.steps[e] for c in chosen]) for e in ("low", "high")]
    spread = sorted(x.ms if x.stable else float("inf") for x in ends)
    risk = RISKS[max(risk_rank(c.rule.spec.accuracy_risk) for c in chosen)]
    effort = (
        sum(c.rule.spec.effort_days[0] for c in chosen),
        sum(c.rule.spec.effort_days[1] for c in chosen),
    )
    checked = [
        c.rule.id
        for c in chosen
        if quality.needs_evaluation(ctx.budget_pct, c.rule.spec.accuracy_risk)
    ]
    evaluation = quality.evaluation_step(ctx.budget_pct, sorted(set(checked))) if checked else None
    if evaluation:
        effort = (effort[0] + quality.EVALUATION_DAYS[0], effort[1] + quality.EVALUATION_DAYS[1])
    monthly = monthly_change(chosen, ctx.prices, p)

    return Bundle(
        name="",
        summary=summary,
        rules=[c.rule.id for c in chosen],
        stages=[c.stage for c in chosen],
        projected_ms=last.projected_ms,
        perceived_ms=last.perceived_ms,
        stable=last.stable,
        accuracy_risk=risk,
        cost=cost_word(monthly, ctx.prices.monthly_usd),
        effort_days=effort,
        within_quality_budget=quality.admits(ctx.budget_pct, risk),
        fixes=list(chosen),
        replicas=replicas_after(chosen, p),
        projected_range_ms=(min(spread[0], last.projected_ms), max(spread[1], last.projected_ms)),
        monthly_cost_usd=monthly,
        one_off_cost_usd=ctx.prices.one_off(effort),
        offline_evaluation=evaluation,
    )


def cost_word(monthly: tuple[float, float], today: float) -> str:
    """The word scale of the public JSON, read from the money: the middle of the monthly change
    against today's bill (within 1 %: none; up to 10 %: low; up to 30 %: medium)."""
    share = (monthly[0] + monthly[1]) / 2.0 / max(today, 1e-9)
    if share <= -0.01:
        return "saves"
    if share < 0.01:
        return "none"
    return "low" if share <= 0.1 else "medium" if share <= 0.3 else "high"


def structural(ctx: Context, kind: str, replicas: int) -> Bundle:
    """Today's path on `replicas` replicas: kept as is, scaled in, or scaled out."""
    p = ctx.projector
    if replicas == ctx.replicas:
        ms, stable = p.current, p.base_stable
    else:
        ms, stable, _busy = at_servers(p, replicas * ctx.concurrency)
    effort = (0.0, 0.0) if kind == "keep" else CAPACITY_EFFORT
    price = ctx.prices.replica_hour_usd
    monthly = ctx.prices.fleet_monthly(replicas, price) - ctx.prices.monthly_usd
    word = cost_word((monthly, monthly), ctx.prices.monthly_usd)
    summary = {
        "keep": "no change: today's path and replicas",
        "fewer_replicas": f"scale in from {ctx.replicas} to {replicas} replicas at peak",
        "capacity": f"scale out from {ctx.replicas} to {replicas} replicas at peak",
    }[kind]
    return Bundle(
        name="",
        summary=summary,
        rules=[],
        stages=[],
        projected_ms=ms,
        perceived_ms=None,
        stable=stable,
        accuracy_risk="none",
        cost=word,
        effort_days=effort,
        within_quality_budget=True,
        kind=kind,
        replicas=replicas,
        projected_range_ms=(ms, ms),
        monthly_cost_usd=(monthly, monthly),
        one_off_cost_usd=ctx.prices.one_off(effort),
    )


def fewest_replicas(ctx: Context, lowest: int, highest: int) -> int | None:
    """The fewest replicas in [lowest, highest] on which today's path meets the target with
    the model's margin at no more than MAX_UTILIZATION, or None."""

    def ok(n: int) -> bool:
        ms, stable, busy = at_servers(ctx.projector, n * ctx.concurrency)
        return stable and busy <= MAX_UTILIZATION and ms * (1 + MODEL_ERROR) < ctx.target

    lo, hi = max(lowest, 1), highest
    if lo > hi or not ok(hi):
        return None
    while lo < hi:  # more replicas never make the tail longer: bisect
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


# ------------------------------------------------------------------ candidate bundles


def greedy(ctx: Context, pool: list[Candidate], per_day: bool = True) -> list[Candidate]:
    """Add the fix that saves the most per effort-day (or the most) until the target is met
    with margin."""
    chosen = order_fixes([c for c in pool if c.first], lambda _c: True)
    rest = [c for c in pool if c not in chosen and not is_perceived_only(c)]
    left: dict[str | None, float] = {}

    def value(c: Candidate) -> float:
        saving = (c.saving[0] + c.saving[1]) / 2.0 * left.get(c.stage, 1.0)
        return saving / max(sum(c.rule.spec.effort_days) / 2.0, 0.5) if per_day else saving

    first_met: list[Candidate] | None = None
    while rest and len(chosen) < MAX_GREEDY:
        best = max(rest, key=lambda c: (value(c), c.rule.id, c.stage or ""))
        rest.remove(best)
        if value(best) <= 0:
            break
        trial = order_fixes([*chosen, best], lambda _c: True)
        if best not in trial:
            continue
        chosen = trial
        if best.stage is not None:
            left[best.stage] = left.get(best.stage, 1.0) * OVERLAP_DISCOUNT
        mid = ctx.projector.project([c.steps["mid"] for c in chosen])
        if not (mid.stable and mid.ms <= ctx.target):
            continue  # not there yet: the conservative end is not needed (one what-if per step)
        if size_fixes(ctx, chosen).meets_with_margin(ctx.target):
            return chosen
        if first_met is None:
            first_met = list(chosen)
    # no margin anywhere: the shortest run that meets the target at all, else everything tried
    return first_met if first_met is not None else chosen


def candidates(ctx: Context, cands: list[Candidate], plan: list[Stacked]) -> list[Bundle]:
    """Every bundle worth considering, before merging and naming."""
    in_plan = {id(s.cand) for s in plan}

    def admitted(c: Candidate) -> bool:
        return quality.admits(ctx.budget_pct, c.rule.spec.accuracy_risk)

    # fixes the plan dropped because they made a faster path slower stay out of the bundles
    dropped = {id(c) for c in order_fixes(cands, admitted)} - in_plan
    allowed = [c for c in cands if admitted(c) and (id(c) not in dropped or is_perceived_only(c))]
    if ctx.met_today:  # the target is met: only changes that do not raise the bill much
        allowed = [c for c in allowed if cost_rank(c.rule.spec.cost) <= cost_rank("low")]
    safe = [c for c in allowed if c.rule.spec.accuracy_risk == "none"]
    total = [c for c in allowed if not is_perceived_only(c)]

    def pick(pool: list[Candidate], keep: Callable[[Candidate], bool]) -> list[Candidate]:
        return order_fixes([c for c in pool if keep(c)], lambda _c: True)

    def quick(c: Candidate) -> bool:
        spec = c.rule.spec
        return (
            spec.effort_days[1] <= QUICK_EFFORT_DAYS
            and cost_rank(spec.cost) <= cost_rank("low")
            and spec.accuracy_risk == "none"
        )

    out: list[Bundle] = []
    if ctx.met_today:
        out.append(structural(ctx, "keep", ctx.replicas))
        fewer = fewest_replicas(ctx, 1, ctx.replicas - 1)
        scaled_in = structural(ctx, "fewer_replicas", fewer) if fewer is not None else None
        if scaled_in is not None and scaled_in.monthly_cost_usd[1] < 0:  # only if it saves
            out.append(scaled_in)
    if ctx.replicas_for_sla is not None and ctx.replicas_for_sla > ctx.replicas:
        cap = fewest_replicas(ctx, ctx.replicas_for_sla, 2 * ctx.replicas_for_sla + 4)
        out.append(structural(ctx, "capacity", cap or ctx.replicas_for_sla))
    bundles = [
        (
            greedy(ctx, total),
            "the fixes that save the most per day of work, until the target is met",
        ),
        (greedy(ctx, total, per_day=False), "the largest savings first, until the target is met"),
        (greedy(ctx, safe), "fixes that leave the answers unchanged, most per day first"),
        (greedy(ctx, safe, per_day=False), "fixes that leave the answers unchanged, largest first"),
        (pick(total, lambda _c: True), "every fix within the quality budget"),
        (
            pick(safe, lambda c: not is_perceived_only(c)),
            "every fix that leaves the answers unchanged",
        ),
        (
            pick(safe, lambda c: quick(c) and not is_perceived_only(c)),
            "quick wins: no quality "
            f"risk, low running cost, each done in {QUICK_EFFORT_DAYS:g} days or less",
        ),
    ]
    if ctx.streamed:
        bundles.append(
            (
                pick(safe, lambda c: is_perceived_only(c) or quick(c)),
                "stream the answer now, with the quick fixes that leave the answers unchanged",
            )
        )
    for chosen, summary in bundles:
        if chosen:
            out.append(size_fixes(ctx, chosen, summary))
    seen: set[tuple] = set()
    unique = []
    for b in out:
        key = (tuple(zip(b.rules, b.stages, strict=True)), b.replicas, b.kind == "keep")
        if key not in seen:
            seen.add(key)
            unique.append(b)
    return unique


def build_options(
    cands: list[Candidate],
    projector: Projector,
    allowed: str,
    plan: list[Stacked],
    prices: Prices | None = None,
    budget_pct: float | None = None,
    replicas_for_sla: int | None = None,
) -> list[Bundle]:
    """At most four options for a decision maker, each sized in latency, risk, days and money."""
    if prices is None:
        prices = price_scenario(projector.scenario)
    budget = projector.scenario.quality.max_accuracy_drop_pct if budget_pct is None else budget_pct
    ctx = Context(
        projector=projector,
        prices=prices,
        budget_pct=budget,
        allowed=allowed,
        target=projector.target,
        met_today=projector.base_stable and projector.current <= projector.target,
        replicas_for_sla=replicas_for_sla,
        streamed=any(is_perceived_only(c) for c in cands),
    )
    pool = candidates(ctx, cands, plan)
    if not pool:
        pool = [structural(ctx, "keep", ctx.replicas)]
    options = select(ctx, pool)
    name_options(ctx, options)
    mark_pareto(options)
    return options
