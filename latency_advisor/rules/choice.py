"""Choosing among bundles: the recommendation, at most four distinct options, true names.

The recommended option meets the target by more than its uncertainty, else the closest is named
and the reason says plainly that none does. Close options (same risk, within a few percent on
latency and on the bill) merge, an option another beats on every count is dropped, and the
protected roles (today's path, fewer or more replicas, quickest, same quality, perceived latency)
come first. Names and the "why pick it" line are computed from the final set, so they stay true.
"""

from __future__ import annotations

from latency_advisor.rules.bundle import Bundle, Context
from latency_advisor.rules.techniques import risk_rank

MAX_OPTIONS = 4
CLOSE_LATENCY = 0.05  # options within 5 % on latency ...
CLOSE_COST_SHARE = 0.05  # ... and within 5 % of today's monthly bill, same risk: one option


def streams_sooner(b: Bundle) -> bool:
    """The first output comes clearly before the whole answer (a perceived-latency option)."""
    return b.perceived_ms is not None and b.perceived_ms < (1 - CLOSE_LATENCY) * b.projected_ms


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


def are_close(a: Bundle, b: Bundle, today_monthly: float) -> bool:
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
    if "no_quality_risk" not in roles:  # none meets without quality risk: the best that can
        lossless = [  # ("same quality, slower": the choice product weighs against the risk)
            b
            for b in pool
            if b.kind == "fixes" and b.accuracy_risk == "none" and not streams_sooner(b)
        ]
        if lossless:
            roles["same_quality"] = min(lossless, key=lambda b: (b.projected_ms, b.effort_mid))
    streamed = [b for b in pool if b.kind == "fixes" and streams_sooner(b)]
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
        "same_quality",
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
        if not any(are_close(b, c, today) or _dominates(c, b) for c in chosen):
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
        elif ctx.streamed and streams_sooner(b) and "perceived" in b.roles:
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
    _tell_apart(options)


def _tell_apart(options: list[Bundle]) -> None:
    """Options that got the same name say what sets them apart: less work, cheaper
    to run, or their size."""
    groups: dict[str, list[Bundle]] = {}
    for b in options:
        groups.setdefault(b.name, []).append(b)
    for name, group in groups.items():
        if len(group) < 2:
            continue
        least_work = min(group, key=lambda b: (b.effort_mid, b.monthly_mid))
        cheapest = min(group, key=lambda b: (b.monthly_mid, b.effort_mid))
        for b in group:
            if b is least_work:
                b.name = f"{name}, less work"
            elif b is cheapest and b.monthly_mid < least_work.monthly_mid:
                b.name = f"{name}, cheaper to run"
            else:
                n = len(b.rules)
                b.name = f"{name} ({n} fix{'es' * (n != 1)}, {b.effort_mid:g} days)"
