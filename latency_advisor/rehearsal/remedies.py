"""The last three steps as sentences: the cheapest lever that matters, the tradeoffs, rollout.

With the rule engine's recommendations, plan and options the sentences quote them; without
them they speak of the levers that suit the bottleneck, so the track still reads naturally.
"""

from __future__ import annotations

from latency_advisor.money import usd
from latency_advisor.rehearsal.phases import phase_sentences
from latency_advisor.rehearsal.proposal import propose
from latency_advisor.rehearsal.sentences import Facts, Sentence
from latency_advisor.rehearsal.wording import (
    COST_WORDS,
    RISK_WORDS,
    capitalize,
    days,
    fix_phrase,
    join_words,
    ms,
    share,
    value_clause,
    value_short,
)

_LEVERS = {
    "model": (
        "serving changes",
        "serving changes first, meaning a faster runtime, thread settings and the right "
        "batching, and only then quantization or distillation",
    ),
    "feature_fetch": (
        "precomputed, cached features",
        "precomputed and cached features, fetched in one call from a store close by",
    ),
    "network": ("fewer hops", "fewer hops, services in one region and smaller payloads"),
    "retrieval": (
        "a faster index",
        "an approximate nearest-neighbour index, metadata pre-filters and smaller embeddings",
    ),
    "preprocessing": ("leaner preprocessing", "removing steps nobody needs and lighter transforms"),
    "postprocessing": ("leaner post-processing", "removing steps nobody needs"),
    "serialization": ("smaller payloads", "smaller payloads and faster serialization"),
    "cold_start": ("warm pools", "warm pools, so no request pays a cold start"),
    "queueing": ("more capacity", "more capacity or admission control"),
}


def in_plan_order(a) -> list:
    """The recommendations as the plan takes them (value within risk), then the rest."""
    by_key = {(r.rule, r.stage): r for r in a.recommendations}
    keys = [(s.rule, (s.model_extra or {}).get("stage")) for s in a.plan]
    ordered = [by_key[k] for k in keys if k in by_key]
    seen = {id(r) for r in ordered}
    return ordered + [r for r in a.recommendations if id(r) not in seen]


def _met(f: Facts) -> list[Sentence]:
    """A path that meets its target: say so, with its margin, and propose no project."""
    a = f.a
    room = (a.model_extra or {}).get("headroom") or {}
    out = [
        Sentence(
            f"It already meets the target with {ms(a.headroom_ms)} to spare: no project needed.",
            1,
            max_tier=1,
        ),
        Sentence(
            f"It already meets the target, with {ms(a.headroom_ms)} to spare, so I would not "
            "start a latency project.",
            2,
            0,
        ),
    ]
    if room.get("breaks_at_rps"):
        out.append(
            Sentence(
                f"What I'd watch is traffic: on today's replicas it stops meeting {f.P} at about "
                f"{room['breaks_at_rps']:,.0f} requests per second"
                + (  # no multiple of a peak of 0 requests/s
                    f", {room['traffic_multiple']:.1f} times today's peak."
                    if room.get("traffic_multiple") is not None
                    else "."
                ),
                2,
                1,
            )
        )
    if room.get("spare_replicas"):
        out.append(
            Sentence(
                f"And it is over-provisioned: {f.replicas(room['replicas_that_meet'])} would "
                f"still meet the target where {a.current.replicas} run, which is money saved.",
                2,
                2,
            )
        )
    return out


def fix(f: Facts) -> list[Sentence]:
    a = f.a
    recs = in_plan_order(a)
    if not recs:
        return _fix_without_engine(f) if not a.meets_sla else _met(f)
    first = recs[0]
    room = (a.model_extra or {}).get("headroom")
    if a.meets_sla and room is not None and not room.get("thin"):
        out = _met(f)
        out.append(
            Sentence(
                f"If we want more margin anyway, the cheapest safe step is to {f.fix(first)}, "
                f"{value_clause(first, f.P)}.",
                2,
                3,
            )
        )
        return out
    out = [
        Sentence(
            f"I'd start with the cheapest lever that matters: {fix_phrase(first, False)}, "
            f"{value_clause(first)}.",
            1,
            max_tier=1,
        ),
        Sentence(
            f"The first fix is to {f.fix(first)}, {value_clause(first, f.P)}, "
            f"with {RISK_WORDS[first.accuracy_risk]} accuracy risk.",
            2,
            0,
        ),
    ]
    nxt = recs[1:3]
    if nxt:
        parts = [f"{f.fix(r)} ({value_short(r)})" for r in nxt]
        out.append(Sentence(f"Next I'd {' and then '.join(parts)}.", 2, 1))
    out += phase_sentences(f)  # which phase of an LLM each fix touches
    levels = {r.level for r in recs}
    if len(levels) > 1:
        out.append(
            Sentence(
                "That order is deliberate: the most latency per day of work first, and model "
                "changes only after the fixes that leave the answers alone, because only those "
                "put accuracy at risk.",
                2,
                3,
            )
        )
    if a.plan and a.meets_sla:
        n = len(a.plan)
        what = "that fix" if n == 1 else f"those {n} fixes"
        out.append(
            Sentence(
                f"It already meets the target, so {what} would take {f.P} from {f.at} to "
                f"{ms(a.plan[-1].projected_ms)}: margin for growth, or for cheaper hardware.",
                2,
                2,
            )
        )
    elif a.plan:
        meet = next((i for i, step in enumerate(a.plan) if step.meets_sla), None)
        if meet is not None:
            n = meet + 1
            what = "the first fix brings" if n == 1 else f"the first {n} fixes bring"
            out.append(
                Sentence(
                    f"Stacked in that order, {what} {f.P} to "
                    f"{ms(a.plan[meet].projected_ms)}, inside the target.",
                    2,
                    2,
                )
            )
        else:
            last = a.plan[-1]
            out.append(
                Sentence(
                    f"Even the full plan of {len(a.plan)} fixes only reaches "
                    f"{ms(last.projected_ms)}, so the target needs an architectural change or "
                    "a new budget.",
                    2,
                    2,
                )
            )
    for i, r in enumerate(recs[:3]):
        out.append(
            Sentence(
                f"{capitalize(f.fix(r))} takes about {days(r.effort_days)}, with "
                f"{COST_WORDS[r.cost]}.",
                3,
                10 + i,
            )
        )
    openers = ("After that I'd", "Then", "Further down the list I'd", "Later I'd", "Last, I'd")
    for i, r in enumerate(recs[3:8]):
        out.append(
            Sentence(
                f"{openers[i]} {f.fix(r)}, {value_clause(r)}, with "
                f"{RISK_WORDS[r.accuracy_risk]} accuracy risk and {days(r.effort_days)} of work.",
                3,
                20 + i,
            )
        )
    outside = [r for r in recs if (r.model_extra or {}).get("within_quality_budget") is False]
    if outside:
        out.append(
            Sentence(
                f"I'd leave {fix_phrase(outside[0], False)} out of the plan: its accuracy risk is "
                "more than the quality budget allows.",
                3,
                8,
            )
        )
    return out


def _fix_without_engine(f: Facts) -> list[Sentence]:
    top = f.top
    queue_bound = f.a.queueing_share > top.share
    kind = "queueing" if queue_bound else top.kind
    short, long = _LEVERS.get(kind, ("a targeted fix", "whatever that stage spends its time on"))
    where = "the queue" if queue_bound else top.name
    if f.a.meets_sla:
        room = ms(f.a.headroom_ms)
        first = [
            Sentence(f"It meets the target, so I'd guard the margin with {short}.", 1, max_tier=1),
            Sentence(
                f"Since it already meets the target, I'd only spend effort that protects the "
                f"{room} margin as traffic grows, starting with {long}.",
                2,
                0,
            ),
        ]
    else:
        first = [
            Sentence(f"I'd go after {where} first, with {short}.", 1, max_tier=1),
            Sentence(f"Because {where} dominates, I'd start with {long}.", 2, 0),
        ]
    out = [
        *first,
        Sentence(
            "I work system level first, then serving, then the model, because model changes "
            "are the only ones that put accuracy at risk.",
            2,
            2,
        ),
        Sentence(
            "I'd put a measured saving against each lever before committing to it, and stack "
            "them until the target is met.",
            3,
            6,
        ),
    ]
    if top.kind == "model" and not queue_bound:
        out.append(
            Sentence(
                "Only if serving changes fall short would I trade model size for speed, and "
                "only with an accuracy check on the hard cases.",
                3,
                7,
            )
        )
    return out


def _span(lo: float, hi: float) -> str:
    """Two amounts as said aloud: one figure when they round alike."""
    return usd(lo) if usd(lo) == usd(hi) else f"{usd(lo)} to {usd(hi)}"


def money_phrase(o) -> str:
    """What an option does to the monthly bill, as said aloud; the cost word where unsized."""
    monthly = (o.model_extra or {}).get("monthly_cost_usd")
    if monthly is None:
        return COST_WORDS[o.cost]
    lo, hi = monthly
    if lo == hi == 0:
        return "no change to the bill"
    if hi < 0:
        return f"saves {_span(-hi, -lo)} a month"
    if lo > 0:
        return f"adds {_span(lo, hi)} a month"
    return f"{usd(-lo)} less to {usd(hi)} more a month"


def weeks_phrase(o) -> str:
    low, high = o.effort_days
    if high == 0:
        return "no engineering work"
    return f"about {low / 5:.2g} to {high / 5:.2g} engineer-weeks"


def tradeoffs(f: Facts) -> list[Sentence]:
    a = f.a
    out: list[Sentence] = []
    proposal = propose(a, f.scenario)
    best = proposal.option if proposal is not None else None
    if proposal is not None and best is not None:
        n = len(a.options)
        out.append(
            Sentence(
                f"For product: {n} option{'s' if n > 1 else ''}, led by "
                f"“{best.name}” at {ms(best.projected_ms)}.",
                1,
                max_tier=1,
            )
        )
        today = (a.model_extra or {}).get("running_cost")
        bill = f" Today it costs about {usd(today['monthly_usd'])} a month to run." if today else ""
        out.append(
            Sentence(f"For the product team I'd lay out {n} option{'s' if n > 1 else ''}.", 2, 0)
        )
        if bill:
            out.append(Sentence(bill.strip(), 3, 0))
        ordered = [best, *[o for o in a.options if o is not best]]
        for i, o in enumerate(ordered[:4]):
            perceived = (
                f" (first output after {ms(o.perceived_ms)})" if o.perceived_ms is not None else ""
            )
            verdict = "meets the target" if o.meets_sla else "still misses"
            why = (o.model_extra or {}).get("why")
            out.append(
                Sentence(
                    f"“{o.name}” reaches {ms(o.projected_ms)} and {verdict}{perceived}; it "
                    f"carries {RISK_WORDS[o.accuracy_risk]} accuracy risk, "
                    f"{money_phrase(o)}, and takes {weeks_phrase(o)}.",
                    2,
                    1 + i,
                )
            )
            if isinstance(why, str) and why:
                out.append(Sentence(f"Why pick it: {why}", 3, 1 + i))
        out.append(Sentence(f"I'd propose “{best.name}”, because {proposal.reason}.", 2, 1))
        out.append(
            Sentence(
                "Then I'd ask which matters more for this feature: absolute speed, quality or "
                "cost.",
                2,
                6,
            )
        )
    else:
        out += [
            Sentence(
                f"Then I weigh each fix against accuracy, cost and effort, within {f.budget()}.",
                1,
                max_tier=1,
            ),
            Sentence(
                "Each fix is weighed on four axes: latency saved, accuracy at risk, running cost "
                f"and engineering effort, within {f.budget()}.",
                2,
                0,
            ),
        ]
    if f.workload == "batch":
        out.append(
            Sentence(
                "Here batching is the right trade: throughput matters more than one request's "
                "tail.",
                2,
                4,
            )
        )
    else:
        path = "for a live stream" if f.workload == "streaming" else "on an interactive path"
        out.append(
            Sentence(
                "Batching would raise throughput but add waiting time to each request, which is "
                f"usually the wrong trade {path}.",
                2 if best is None else 3,
                5,
            )
        )
    c = f.c
    out.append(
        Sentence(
            f"I keep the tail in view: an average would hide a p99 of {ms(c.p99_ms)} behind a "
            f"median of {ms(c.p50_ms)}.",
            3,
            7,
        )
    )
    out.append(
        Sentence(
            "Quantization may cost accuracy on edge cases, so it needs an evaluation on the hard "
            "slices, not just the overall score.",
            3,
            8,
        )
    )
    out.append(
        Sentence(
            "Faster hardware buys time with money, and a GPU at low traffic can even make the "
            "tail worse.",
            3,
            9,
        )
    )
    return out


def rollout(f: Facts) -> list[Sentence]:
    c = f.c
    watch = ["p50", f.P] + ([] if f.P == "p99" else ["p99"])
    if float(f.a.sla.percentile) > 99:
        watch = ["p50", "p99", f.P]
    metrics = join_words([*watch, "error rate", "accuracy"])
    if f.max_drop is None:
        guard = "or accuracy falls below what the product accepts"
    elif f.max_drop == 0:
        guard = "or accuracy drops at all"
    else:
        guard = f"or accuracy drops by more than {f.max_drop:g}%"
    util = f"{share(c.utilization)} at peak today" if f.stable else "over 100% at peak today"
    return [
        Sentence(
            f"Finally, a canary rollout, watching {f.P}, error rate and accuracy.", 1, max_tier=1
        ),
        Sentence(
            f"Finally I roll out gradually behind a canary and monitor {metrics} on live traffic.",
            2,
            0,
        ),
        Sentence(
            f"The guardrail is simple: roll back if {f.P} goes above {f.target} {guard}.", 2, 1
        ),
        Sentence(
            f"I'd also watch utilization, {util}, and cost per request, so the speed-up does "
            "not quietly turn into a capacity problem.",
            2,
            5,
        ),
        Sentence(
            "Before any traffic, each change passes an offline evaluation, and model changes "
            "run in shadow mode against the current model.",
            3,
            6,
        ),
        Sentence(
            f"Per-stage dashboards make a regression in {f.top.name} visible on its own rather "
            "than buried in the total.",
            3,
            7,
        ),
        Sentence(
            f"The aim is not a faster model but a faster, equally good experience at {f.P}.",
            3,
            8,
        ),
    ]
