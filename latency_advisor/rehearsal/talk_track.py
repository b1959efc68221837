"""The talk track: the analysis said out loud in the six steps, at one of three lengths.

Each step offers sentences at three depths (tier 1: the 30-second core, tier 2: the 2-minute
answer, tier 3: the deep technical version). A length keeps the sentences of its tier and below,
then drops the least important optional ones until the track fits its word budget. Every number
comes from the analysis, so the track never says anything the app did not compute.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from latency_advisor.analysis import Analysis, Recommendation, StageOut
from latency_advisor.rehearsal.framework import LENGTHS, STEPS, Length, LengthId, Step
from latency_advisor.rehearsal.framework import speaking_seconds as _speaking_seconds
from latency_advisor.rehearsal.proposal import propose
from latency_advisor.rehearsal.wording import (
    COST_WORDS,
    RISK_WORDS,
    capitalize,
    days,
    fix_phrase,
    join_words,
    ms,
    pct_label,
    rps,
    share,
    value_clause,
    value_short,
)
from latency_advisor.scenario import Scenario


@dataclass(frozen=True)
class Sentence:
    """One candidate sentence: kept from `tier` up to `max_tier`; lower rank = more important."""

    text: str
    tier: int
    rank: int = 0
    max_tier: int = 3


@dataclass
class StepText:
    step: Step
    sentences: list[str]

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


@dataclass
class TalkTrack:
    scenario: str
    length: Length
    intro: str | None
    steps: list[StepText] = field(default_factory=list)

    @property
    def sentences(self) -> list[str]:
        return ([self.intro] if self.intro else []) + [s for st in self.steps for s in st.sentences]

    @property
    def text(self) -> str:
        """The spoken text only, as one paragraph per step."""
        parts = ([self.intro] if self.intro else []) + [st.text for st in self.steps]
        return "\n\n".join(parts)

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def speaking_seconds(self) -> int:
        return _speaking_seconds(self.words)


def build_talk_track(
    analysis: Analysis,
    length: LengthId | Length = "2min",
    *,
    scenario: Scenario | None = None,
) -> TalkTrack:
    """The talk track of `analysis` at `length` ("30s", "2min" or "deep").

    The analysis does not carry the peak traffic or the quality budget; pass the `scenario`
    and the track quotes them, leave it out and it speaks of them without a number.
    """
    size = length if isinstance(length, Length) else LENGTHS[length]
    ctx = _Facts(analysis, scenario)
    drafts: dict[str, list[Sentence]] = {st.id: _BUILDERS[st.id](ctx) for st in STEPS}
    chosen = {
        sid: [s for s in sentences if s.tier <= size.tier <= s.max_tier]
        for sid, sentences in drafts.items()
    }
    intro = _intro() if size.tier >= 2 else None
    _fit(chosen, size, intro)
    return TalkTrack(
        scenario=analysis.scenario,
        length=size,
        intro=intro,
        steps=[StepText(st, _dedupe([s.text for s in chosen[st.id]])) for st in STEPS],
    )


def all_lengths(analysis: Analysis, *, scenario: Scenario | None = None) -> dict[str, TalkTrack]:
    return {lid: build_talk_track(analysis, lid, scenario=scenario) for lid in LENGTHS}


# ----------------------------------------------------------------------------- fitting


def _fit(chosen: dict[str, list[Sentence]], size: Length, intro: str | None) -> None:
    """Drop optional sentences (highest tier, then highest rank) until the budget holds."""

    def words() -> int:
        total = len(intro.split()) if intro else 0
        return total + sum(len(s.text.split()) for ss in chosen.values() for s in ss)

    while words() > size.max_words:
        droppable = [
            (s.tier, s.rank, sid, s)
            for sid, ss in chosen.items()
            for s in ss
            if s.tier > 1 and len(ss) > 1
        ]
        if not droppable:
            return
        *_, sid, victim = max(droppable, key=lambda item: (item[0], item[1]))
        chosen[sid].remove(victim)


def _dedupe(sentences: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for sentence in sentences:
        if sentence not in seen:
            seen.add(sentence)
            out.append(sentence)
    return out


def _intro() -> str:
    return (
        "I'd take this in six steps: pin down the target, measure, find the bottleneck, "
        "take the cheapest fix that matters, weigh the tradeoffs, and roll out safely."
    )


# ----------------------------------------------------------------------------- facts


class _Facts:
    """The figures the sentences quote, read once from the analysis."""

    def __init__(self, analysis: Analysis, scenario: Scenario | None):
        a = analysis
        self.a = a
        self.c = a.current
        self.P = pct_label(a.sla.percentile)
        self.target = ms(a.sla.target_ms)
        self.at = ms(self.c.at_sla_percentile_ms)
        self.scenario = scenario
        self.peak = scenario.traffic.peak_rps if scenario is not None else None
        self.max_drop = scenario.quality.max_accuracy_drop_pct if scenario is not None else None
        self.workload = a.sla.workload
        self.stable = self.c.steady_state
        self.tail = float(a.sla.percentile) >= 90
        self.stages = list(a.stages)
        self.by_share = sorted(self.stages, key=lambda s: s.share, reverse=True)
        self.top = next((s for s in self.stages if s.name == a.bottleneck.stage), self.by_share[0])
        self.model_share = sum(s.share for s in self.stages if s.kind == "model")
        self.has_model = any(s.kind == "model" for s in self.stages)

    def fix(self, rec: Recommendation) -> str:
        """A fix as an action, naming its stage only where it is not the bottleneck (already
        named, and repeating it in every sentence sounds read out)."""
        return fix_phrase(rec, with_stage=rec.stage not in (None, self.top.name))

    def budget(self) -> str:
        if self.max_drop is None:
            return "the accuracy the product can give up"
        if self.max_drop == 0:
            return "no accuracy loss at all"
        return f"at most {self.max_drop:g}% accuracy loss"

    def replicas(self, n: int) -> str:
        return f"{n} replica" + ("" if n == 1 else "s")


def _traffic_phrase(f: _Facts) -> str:
    if f.peak is None:
        return ""
    return f" at a peak of {rps(f.peak)} requests per second"


# ----------------------------------------------------------------------------- steps


def _clarify(f: _Facts) -> list[Sentence]:
    who = {
        "interactive": "interactive users",
        "batch": "a batch job",
        "streaming": "a live stream",
    }.get(f.workload, f.workload)
    traffic = _traffic_phrase(f)
    out = [
        Sentence(f"First, the target: {f.P} under {f.target}{traffic}.", 1, max_tier=1),
        Sentence(
            f"I start by pinning down the target: {f.P} end-to-end latency under {f.target} "
            f"for {who}{traffic}.",
            2,
            0,
        ),
    ]
    if f.tail:
        out.append(
            Sentence(
                "That is a tail target, so I work on the slow requests, not the average.", 2, 2
            )
        )
    else:
        out.append(
            Sentence(
                "That is a median target, so the typical request matters most, though I keep "
                "an eye on the tail.",
                2,
                2,
            )
        )
    if f.workload == "batch":
        out.append(
            Sentence(
                "For a batch job the deadline is met through throughput, so I read the "
                "per-chunk tail together with utilization.",
                2,
                3,
            )
        )
    if f.max_drop is None:
        quality = (
            "I also ask how much accuracy we may give up, since that bounds the model options."
        )
    elif f.max_drop == 0:
        quality = "No accuracy may be given up, so any model change has to prove it keeps quality."
    else:
        quality = (
            f"We can give up at most {f.max_drop:g}% accuracy, which bounds the model-level "
            "options."
        )
    out.append(Sentence(quality, 2, 4))
    out.append(
        Sentence(
            "I'd also ask what the number protects, whether user experience, a contract or "
            "cost, and how fast traffic is growing.",
            3,
            6,
        )
    )
    return out


def _measure(f: _Facts) -> list[Sentence]:
    a, c = f.a, f.c
    out: list[Sentence] = []
    gap, room = ms(a.gap_ms), ms(a.headroom_ms)
    if not f.stable:
        out += [
            Sentence(
                f"At peak it cannot keep up: utilization is {share(c.utilization)}.", 1, max_tier=1
            ),
            Sentence(
                f"Measured at peak, the service cannot keep up: utilization is "
                f"{share(c.utilization)}, so the queue grows without bound.",
                2,
                0,
            ),
            Sentence(f"Even ignoring the queue, {f.P} would be {f.at} against {f.target}.", 2, 1),
            Sentence(
                f"At least {c.replicas_needed_for_stability} replicas are needed just to keep up, "
                f"against {c.replicas} today.",
                2,
                3,
            ),
        ]
    elif a.meets_sla:
        out += [
            Sentence(f"Measured end to end, {f.P} is {f.at}, {room} inside it.", 1, max_tier=1),
            Sentence(
                f"Composed end to end from the measured stages, {f.P} is {f.at} today: "
                f"{room} inside the target.",
                2,
                0,
            ),
        ]
    else:
        out += [
            Sentence(f"Measured end to end, {f.P} is {f.at} today, {gap} over.", 1, max_tier=1),
            Sentence(
                f"Composed end to end from the measured stages, {f.P} is {f.at} today: "
                f"{gap} over the target.",
                2,
                0,
            ),
        ]
    if f.P == "p99":
        out.append(Sentence(f"The median is {ms(c.p50_ms)} and p99.9 is {ms(c.p99_9_ms)}.", 2, 2))
    else:
        out.append(Sentence(f"The median is {ms(c.p50_ms)} and p99 is {ms(c.p99_ms)}.", 2, 2))
    naive = c.sum_of_stage_percentiles_ms
    if f.stable and naive > 1.03 * c.at_sla_percentile_ms:
        out.append(
            Sentence(
                f"Adding up the stage {f.P}s would claim {ms(naive)}; composing the distributions "
                "gives the real tail instead of overstating it.",
                2,
                4,
            )
        )
    elif f.stable and naive < 0.97 * c.at_sla_percentile_ms:
        out.append(
            Sentence(
                f"Adding up the stage {f.P}s would claim only {ms(naive)}; queueing and "
                "variability push the real figure higher.",
                2,
                4,
            )
        )
    if f.stable and c.queueing_wait_ms is not None:
        wait = (
            f"with a mean queueing wait of {ms(c.queueing_wait_ms)}"
            if c.queueing_wait_ms >= 0.05
            else "so requests almost never wait for a free slot"
        )
        out.append(
            Sentence(
                f"At peak the {f.replicas(c.replicas)} run at {share(c.utilization)} utilization, "
                f"{wait}.",
                2,
                5,
            )
        )
    assumed = [s.name for s in f.stages if s.spread_assumed]
    if assumed:
        out.append(
            Sentence(
                f"{join_words(assumed)} gave only a median, so the spread there is assumed; I'd "
                f"measure {f.P} there before trusting the tail.",
                2,
                6,
            )
        )
    if not a.meets_sla and f.stable:
        if c.replicas_needed_for_sla is None:
            out.append(
                Sentence(
                    "No number of replicas fixes this: the service time alone misses the "
                    "target, so capacity is not the lever.",
                    3,
                    7,
                )
            )
        elif c.replicas_needed_for_sla > c.replicas:
            out.append(
                Sentence(
                    f"Capacity alone would need {c.replicas_needed_for_sla} replicas instead of "
                    f"{c.replicas} to meet it.",
                    3,
                    7,
                )
            )
    if c.method == "simulation" and c.simulated_requests:
        out.append(
            Sentence(
                f"Because the load is high, the queueing estimate comes from simulating "
                f"{c.simulated_requests:,} requests rather than from a formula.",
                3,
                8,
            )
        )
    return out


def _bottleneck(f: _Facts) -> list[Sentence]:
    a, top = f.a, f.top
    queue = a.queueing_share
    out = [
        Sentence(f"{top.name} takes {share(top.share)} of it.", 1, max_tier=1),
        Sentence(
            f"The bottleneck is {top.name}, at {share(top.share)} of the time at {f.P}.", 2, 0
        ),
    ]
    if queue > top.share:
        if queue > 0.3:
            out.append(Sentence(f"Queueing takes {share(queue)}.", 1, max_tier=1))
        out.append(
            Sentence(
                f"Waiting for a free replica takes {share(queue)}, more than any single stage, "
                "so capacity and batching come before any stage-level tuning.",
                2,
                1,
            )
        )
    elif queue >= 0.05:
        out.append(Sentence(f"Queueing adds another {share(queue)} on top.", 2, 4))
    if f.has_model and top.kind != "model":
        out.append(
            Sentence(
                f"The model itself is only {share(f.model_share)} of the time, so compressing it "
                "would barely move the total.",
                2,
                2,
            )
        )
    elif f.model_share >= 0.5:
        out.append(
            Sentence(
                f"Everything around the model, queueing included, is {share(1 - f.model_share)}, "
                "so here the model really is the problem.",
                2,
                3,
            )
        )
    elif f.has_model:
        out.append(
            Sentence(
                f"The model is the largest stage but only {share(f.model_share)} of the time, so "
                "the rest of the path matters as much.",
                2,
                3,
            )
        )
    runners = [s for s in f.by_share if s.name != top.name and s.share >= 0.03][:2]
    if runners:
        listed = join_words([f"{s.name} at {share(s.share)}" for s in runners])
        out.append(Sentence(f"After it come {listed}.", 2, 5))
    if len(f.stages) > 1:
        for i, text in enumerate(_breakdown(f.stages[:8], f.P == "p99")):
            out.append(Sentence(text, 3, 9 + i))
    return out


def _breakdown(stages: list[StageOut], p99: bool) -> list[str]:
    """The stage figures, median then tail, four stages to a sentence so it can be said."""
    label = "p99" if p99 else "p95"
    parts = [f"{s.name} {_bare(s.p50_ms)} and {ms(s.p99_ms if p99 else s.p95_ms)}" for s in stages]
    chunks = [parts[i : i + 4] for i in range(0, len(parts), 4)]
    out = [f"Stage by stage, median then {label}: " + "; ".join(chunks[0]) + "."]
    out += ["Then " + "; ".join(chunk) + "." for chunk in chunks[1:]]
    return out


def _bare(value: float) -> str:
    return ms(value).removesuffix(" ms")


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


def _fix(f: _Facts) -> list[Sentence]:
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
    if a.plan:
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


def _fix_without_engine(f: _Facts) -> list[Sentence]:
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


def _tradeoffs(f: _Facts) -> list[Sentence]:
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


def _rollout(f: _Facts) -> list[Sentence]:
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


_BUILDERS: dict[str, Callable[[_Facts], list[Sentence]]] = {
    "clarify": _clarify,
    "measure": _measure,
    "bottleneck": _bottleneck,
    "fix": _fix,
    "tradeoffs": _tradeoffs,
    "rollout": _rollout,
}
