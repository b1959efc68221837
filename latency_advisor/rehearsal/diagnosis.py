"""The first three steps as sentences: clarify the target, measure, find the bottleneck."""

from __future__ import annotations

from latency_advisor.analysis import StageOut
from latency_advisor.rehearsal.sentences import Facts, Sentence, traffic_phrase
from latency_advisor.rehearsal.wording import join_words, ms, share


def clarify(f: Facts) -> list[Sentence]:
    who = {
        "interactive": "interactive users",
        "batch": "a batch job",
        "streaming": "a live stream",
    }.get(f.workload, f.workload)
    traffic = traffic_phrase(f)
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


def measure(f: Facts) -> list[Sentence]:
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


def bottleneck(f: Facts) -> list[Sentence]:
    a, top = f.a, f.top
    queue = a.queueing_share
    if f.unit_kind == "parallel_group":
        n = len(f.unit_members)
        out = [
            Sentence(
                f"The fan-out {f.unit} takes {share(f.unit_share)} of it.", 1, max_tier=1
            ),
            Sentence(
                f"The bottleneck is the fan-out {f.unit}: {n} parallel calls, "
                f"{share(f.unit_share)} of the time at {f.P}, mostly waiting on {top.name}.",
                2,
                0,
            ),
        ]
    elif f.unit_kind == "queue":
        out = [
            Sentence(f"The {f.unit} takes {share(queue)} of it.", 1, max_tier=1),
            Sentence(
                f"The bottleneck is the {f.unit}, at {share(queue)} of the time at {f.P}: "
                + (
                    "the replicas are near saturation"
                    if f.c.utilization >= 0.8
                    else "requests wait behind slow ones"
                )
                + f", and of the service time {top.name} takes the most.",
                2,
                0,
            ),
        ]
    else:
        out = [
            Sentence(f"{top.name} takes {share(top.share)} of it.", 1, max_tier=1),
            Sentence(
                f"The bottleneck is {top.name}, at {share(top.share)} of the time at {f.P}.",
                2,
                0,
            ),
        ]
    if f.unit_kind == "queue":
        pass
    elif queue > top.share:
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
