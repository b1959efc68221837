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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from latency_advisor.money import Prices, usd, usd_range
from latency_advisor.money import prices as price_scenario
from latency_advisor.rules import quality
from latency_advisor.rules.costing import monthly_change, replicas_after
from latency_advisor.rules.engine import Candidate, Projector
from latency_advisor.rules.plan import Stacked, is_perceived_only, order_fixes, stack
from latency_advisor.rules.techniques import COSTS, RISKS, cost_rank, risk_rank

MAX_OPTIONS = 4
QUICK_EFFORT_DAYS = 5.0
MODEL_ERROR = 0.05  # the latency model's own error: independent simulations agree within ~3-6 %
CLOSE_LATENCY = 0.05  # options within 5 % on latency ...
CLOSE_COST_SHARE = 0.05  # ... and within 5 % of today's monthly bill, same risk: one option
MAX_GREEDY = 12
OVERLAP_DISCOUNT = 0.5  # greedy ranking only: a second fix on a stage counts half
CAPACITY_EFFORT = (0.5, 2.0)  # scaling a fleet out or in: configuration and a watched rollout


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
    kind: str = "fixes"  # fixes | keep | fewer_replicas | capacity
    fixes: list[Candidate] = field(default_factory=list, repr=False)
    replicas: int = 0
    projected_range_ms: tuple[float, float] = (0.0, 0.0)  # optimistic, conservative
    monthly_cost_usd: tuple[float, float] = (0.0, 0.0)
    one_off_cost_usd: tuple[float, float] = (0.0, 0.0)
    offline_evaluation: str | None = None
    why: str = ""
    recommended: bool = False
    recommended_reason: str = ""
    roles: list[str] = field(default_factory=list)

    @property
    def uncertainty_ms(self) -> float:
        return max(self.projected_range_ms[1] - self.projected_ms, MODEL_ERROR * self.projected_ms)

    def meets(self, target: float) -> bool:
        return self.stable and self.projected_ms <= target

    def meets_with_margin(self, target: float) -> bool:
        return self.stable and target - self.projected_ms > self.uncertainty_ms

    @property
    def effort_mid(self) -> float:
        return (self.effort_days[0] + self.effort_days[1]) / 2.0

    @property
    def monthly_mid(self) -> float:
        return (self.monthly_cost_usd[0] + self.monthly_cost_usd[1]) / 2.0


@dataclass
class Context:
    """What every option is sized against."""

    projector: Projector
    prices: Prices
    budget_pct: float
    allowed: str
    target: float
    met_today: bool
    replicas_for_sla: int | None
    streamed: bool = False

    @property
    def replicas(self) -> int:
        return self.projector.scenario.traffic.replicas

    @property
    def concurrency(self) -> int:
        return self.projector.scenario.traffic.concurrency


# ------------------------------------------------------------------ sizing one bundle


def at_servers(projector: Projector, servers: int) -> tuple[float, bool]:
    """Today's path at peak on another number of servers (replicas × concurrency)."""
    est = projector.model.estimate(
        projector.rps,
        servers,
        projector.percentile,
        method="formula",
        with_shares=False,
        with_percentiles=False,
    )
    return projector.current * est.at_percentile_ms / projector.base_ms, est.stable


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
        ms, stable = at_servers(p, replicas * ctx.concurrency)
    effort = (0.0, 0.0) if kind == "keep" else CAPACITY_EFFORT
    monthly = ctx.prices.monthly((replicas - ctx.replicas) * ctx.prices.replica_hour_usd)
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
    the model's margin, or None."""
    for n in range(max(lowest, 1), highest + 1):
        ms, stable = at_servers(ctx.projector, n * ctx.concurrency)
        if stable and ms * (1 + MODEL_ERROR) < ctx.target:
            return n
    return None


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
        sized = size_fixes(ctx, chosen)
        if sized.meets_with_margin(ctx.target):
            return chosen
        if first_met is None and sized.meets(ctx.target):
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
        if fewer is not None:
            out.append(structural(ctx, "fewer_replicas", fewer))
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


# ------------------------------------------------------------------ choosing and naming


def _choice_key(b: Bundle) -> tuple:
    return (risk_rank(b.accuracy_risk), b.effort_mid, b.monthly_mid, b.projected_ms)


def recommend(ctx: Context, pool: list[Bundle]) -> Bundle | None:
    """The safest option that meets the target with margin; else the closest, said plainly."""
    if not pool:
        return None
    sure = [b for b in pool if b.meets_with_margin(ctx.target)]
    if sure:
        best = min(sure, key=_choice_key)
        spare = ctx.target - best.projected_ms
        best.recommended_reason = (
            f"it meets the target with {spare:.0f} ms to spare, more than the estimate's "
            f"uncertainty (±{best.uncertainty_ms:.0f} ms), with the lowest accuracy risk, then "
            "the least effort and running cost"
        )
    else:
        best = min(
            pool,
            key=lambda b: (
                b.uncertainty_ms - (ctx.target - b.projected_ms) if b.stable else float("inf"),
                _choice_key(b),
            ),
        )
        margin = ctx.target - best.projected_ms
        state = (
            f"it meets the target by only {margin:.0f} ms"
            if best.meets(ctx.target)
            else f"it misses the target by {-margin:.0f} ms"
        )
        best.recommended_reason = (
            "none of the options meets the target with a margin larger than the estimate's "
            f"uncertainty, and this one comes closest ({state}, ±{best.uncertainty_ms:.0f} ms)"
        )
    best.recommended = True
    return best


def _close(a: Bundle, b: Bundle, today_monthly: float) -> bool:
    if a.accuracy_risk != b.accuracy_risk or a.stable != b.stable:
        return False
    if (a.perceived_ms is None) != (b.perceived_ms is None):
        return False
    scale = max(a.projected_ms, b.projected_ms, 1e-9)
    cost_scale = max(today_monthly, 1.0)
    return (
        abs(a.projected_ms - b.projected_ms) <= CLOSE_LATENCY * scale
        and abs(a.monthly_mid - b.monthly_mid) <= CLOSE_COST_SHARE * cost_scale
    )


def select(ctx: Context, pool: list[Bundle]) -> list[Bundle]:
    """At most four distinct options: the protected roles first, close ones merged."""
    target = ctx.target
    meeting = [b for b in pool if b.meets(target)]
    roles: dict[str, Bundle] = {}
    best = recommend(ctx, pool)
    if best is not None:
        roles["recommended"] = best
    for b in pool:
        if b.kind in ("keep", "fewer_replicas", "capacity"):
            roles.setdefault(b.kind, b)
    if meeting:
        roles["quickest"] = min(meeting, key=lambda b: (b.effort_mid, b.projected_ms))
        safe = [b for b in meeting if b.accuracy_risk == "none"]
        if safe:
            roles["no_quality_risk"] = min(safe, key=lambda b: (b.effort_mid, b.projected_ms))
    streamed = [b for b in pool if b.perceived_ms is not None and b.kind == "fixes"]
    if ctx.streamed and streamed:
        roles["perceived"] = min(streamed, key=lambda b: (b.effort_mid, b.perceived_ms or 0.0))
    for role, b in roles.items():
        if role not in b.roles:
            b.roles.append(role)
    order = [
        "recommended",
        "keep",
        "fewer_replicas",
        "capacity",
        "quickest",
        "no_quality_risk",
        "perceived",
    ]
    chosen: list[Bundle] = []
    for role in order:
        b = roles.get(role)
        if b is not None and b not in chosen and len(chosen) < MAX_OPTIONS:
            chosen.append(b)
    rest = sorted(
        (b for b in pool if b not in chosen),
        key=lambda b: (not b.meets(target), b.projected_ms, _choice_key(b)),
    )
    today = ctx.prices.monthly_usd
    for b in rest:
        if len(chosen) >= MAX_OPTIONS:
            break
        if not any(_close(b, c, today) or _dominates(c, b) for c in chosen):
            chosen.append(b)
    chosen.sort(key=lambda b: (not b.recommended, order_of(b, order), b.projected_ms))
    return chosen


def _dominates(a: Bundle, b: Bundle) -> bool:
    """`a` is at least as good as `b` on latency, risk, effort and money: `b` adds nothing."""
    return (
        a.stable >= b.stable
        and a.projected_ms <= b.projected_ms
        and risk_rank(a.accuracy_risk) <= risk_rank(b.accuracy_risk)
        and a.effort_mid <= b.effort_mid
        and a.monthly_mid <= b.monthly_mid
        and (b.perceived_ms is None or (a.perceived_ms or a.projected_ms) <= b.perceived_ms)
    )


def order_of(b: Bundle, order: list[str]) -> int:
    return min((order.index(r) for r in b.roles if r in order), default=len(order))


def _risk_words(risk: str) -> str:
    return "same quality" if risk == "none" else f"{risk} accuracy risk"


def name_options(ctx: Context, options: list[Bundle]) -> None:
    """Names and the product manager's reason, computed from the final set so both stay true.

    The why line says what the numbers beside it cannot: what the choice buys and what it asks.
    """
    target = ctx.target
    meeting = [b for b in options if b.meets(target)]
    quickest = min(meeting, key=lambda b: (b.effort_mid, b.projected_ms)) if meeting else None
    fastest = min(options, key=lambda b: (b.projected_ms, b.effort_mid)) if options else None
    for b in options:
        risk = _risk_words(b.accuracy_risk)
        miss = (
            "the queue still cannot keep up"
            if not b.stable
            else f"{b.projected_ms - target:.0f} ms over the target"
        )
        spare = target - b.projected_ms
        if b.kind == "keep":
            b.name = "Keep today's path"
            b.why = (
                f"Nothing to build or pay for: it already meets the target with {spare:.0f} ms "
                "to spare."
                if b.meets(target)
                else "Nothing to build or pay for, but the target stays missed."
            )
        elif b.kind == "fewer_replicas":
            b.name = f"Run {b.replicas} replica{'s' * (b.replicas > 1)} instead of {ctx.replicas}"
            b.why = (
                f"A lower bill for a config change; still {spare:.0f} ms under the target at "
                "peak, with less room for traffic growth."
            )
        elif b.kind == "capacity":
            b.name = f"Add replicas: {ctx.replicas} → {b.replicas}"
            b.why = f"No code change and answers unchanged: {b.replicas - ctx.replicas} more " + (
                "replica(s) meet the target." if b.meets(target) else f"replica(s); still {miss}."
            )
        elif b is quickest:
            b.name = f"Quickest to target, {risk}"
            b.why = "Meets the target in the fewest engineer-days."
        elif ctx.streamed and b.perceived_ms is not None and "perceived" in b.roles:
            b.name = "Perceived latency first (streaming)"
            b.why = (
                f"Users see the answer begin after about {b.perceived_ms:,.0f} ms, with answers "
                "unchanged and little work; the full answer still takes longer."
            )
        elif ctx.met_today and b.meets(target):
            b.name = f"{'Most' if b is fastest else 'More'} headroom, {risk}"
            b.why = f"{spare:.0f} ms under the target: room for traffic growth."
        elif b.meets(target):
            b.name = f"{'Fastest' if b is fastest else 'Meets the target'}, {risk}"
            b.why = (
                f"The most headroom under the target ({spare:,.0f} ms)."
                if b is fastest
                else f"Meets the target with {spare:.0f} ms to spare."
            )
        else:
            lead = "Same quality" if b.accuracy_risk == "none" else risk.capitalize()
            b.name = f"{lead}, {miss}"
            b.why = "Progress without reaching the target; a step on the way or a fallback."
        if b.offline_evaluation:
            b.why += " Needs an offline accuracy check first."
    names: dict[str, int] = {}
    for b in options:
        names[b.name] = names.get(b.name, 0) + 1
    for b in options:
        if names[b.name] > 1:
            n = len(b.rules)
            b.name += f" ({n} fix{'es' * (n != 1)}, {b.effort_days[0]:g}–{b.effort_days[1]:g} days)"


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


def describe_money(b: Bundle) -> str:
    """Running and one-off cost in a few words, for the text output and the talk track."""
    one_off = b.one_off_cost_usd
    build = (
        usd(one_off[0])
        if round(one_off[0]) == round(one_off[1])
        else (f"{usd(one_off[0])}–{usd(one_off[1])}")
    )
    return f"{usd_range(*b.monthly_cost_usd, ' a month')}; {build} one-off"


# ------------------------------------------------------------------ Pareto front


def summarize(name: str, summary: str, stacked: list[Stacked], allowed: str, base_ms: float):
    """A plan prefix as a bundle (for the Pareto front over the options and the plan)."""
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


def _point(b: Bundle) -> tuple[float, int, float]:
    return (round(b.projected_ms, 6), risk_rank(b.accuracy_risk), sum(b.effort_days) / 2.0)


def mark_pareto(bundles: Sequence[Bundle]) -> list[Bundle]:
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
    front = mark_pareto([replace(b) for b in pool])
    front.sort(key=lambda b: (b.projected_ms, risk_rank(b.accuracy_risk)))
    dedup: list[Bundle] = []
    for b in front:
        if all(_point(b) != _point(d) for d in dedup):
            dedup.append(b)
    return dedup
