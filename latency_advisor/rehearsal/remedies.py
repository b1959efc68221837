"""The last three steps as sentences: the cheapest lever that matters, the tradeoffs, rollout.

With the rule engine's recommendations, plan and options the sentences quote them; without
them they speak of the levers that suit the bottleneck, so the track still reads naturally.
"""

from __future__ import annotations

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


def fix(f: Facts) -> list[Sentence]:
    a = f.a
    recs = a.recommendations
    if not recs:
        return _fix_without_engine(f)
    first = recs[0]
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
                "That order is deliberate: system-level changes first, then serving, and model "
                "changes last, because only those put accuracy at risk.",
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


def tradeoffs(f: Facts) -> list[Sentence]:
    a = f.a
    out: list[Sentence] = []
    proposal = propose(a, f.scenario)
    best = proposal.option if proposal is not None else None
    if proposal is not None and best is not None:
        n = len(a.options)
        out.append(
            Sentence(
                f"For product, I'd offer {n} option{'s' if n > 1 else ''}, led by "
                f"“{best.name}” at {ms(best.projected_ms)}.",
                1,
                max_tier=1,
            )
        )
        out.append(
            Sentence(f"For the product team I'd lay out {n} option{'s' if n > 1 else ''}.", 2, 0)
        )
        ordered = [best, *[o for o in a.options if o is not best]]
        for i, o in enumerate(ordered[:4]):
            perceived = (
                f" (first output after {ms(o.perceived_ms)})" if o.perceived_ms is not None else ""
            )
            verdict = "meets the target" if o.meets_sla else "still misses"
            out.append(
                Sentence(
                    f"“{o.name}” reaches {ms(o.projected_ms)} and {verdict}{perceived}; it "
                    f"carries {RISK_WORDS[o.accuracy_risk]} accuracy risk and "
                    f"{COST_WORDS[o.cost]}, and takes {days(o.effort_days)}.",
                    2,
                    1 + i,
                )
            )
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
