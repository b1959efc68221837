"""The report's sentences: what the numbers mean for a decision, in plain language.

Functions here return Paragraph markup: fixed words may carry <b> tags, and every string that
came from the user (names, notes, rule text) is escaped with `esc`. Keeping the choice of the
recommended option and the reasons against the others here makes them testable without a PDF.
"""

from __future__ import annotations

from dataclasses import dataclass

from latency_advisor.analysis import Analysis, Option
from latency_advisor.numbers import fmt_pct, fmt_utilization
from latency_advisor.report.tables import COST_ORDER, RISK_ORDER, effort_mid
from latency_advisor.report.text import days, esc, ms, pct
from latency_advisor.scenario import Scenario

LEVELS = (
    ("system", "System level: fewer, shorter trips through the path"),
    ("serving", "Serving level: how the model is run"),
    ("model", "Model level: the model itself"),
)


@dataclass(frozen=True)
class Choice:
    """The option the report recommends (index into analysis.options) and why."""

    index: int | None
    reason: str


def verdict(a: Analysis) -> str:
    p = pct(a.sla.percentile)
    if not a.current.steady_state:
        return "cannot keep up at peak traffic"
    if a.meets_sla:
        return f"meets the target with {ms(a.headroom_ms)} to spare"
    return f"misses the {p} target by {ms(a.gap_ms)}"


def _risk_allowed(option: Option, scenario: Scenario) -> bool:
    """Within the accuracy budget: the engine's verdict where it gives one."""
    verdict = getattr(option, "within_quality_budget", None)
    if isinstance(verdict, bool):
        return verdict
    return scenario.quality.max_accuracy_drop_pct > 0 or option.accuracy_risk == "none"


def _rank(option: Option) -> tuple[int, float, int, float]:
    return (
        RISK_ORDER.index(option.accuracy_risk),
        effort_mid(option),
        COST_ORDER.index(option.cost),
        option.projected_ms,
    )


def recommended_option(a: Analysis, scenario: Scenario) -> Choice:
    """The option to recommend: one the engine flags, else the safest that meets the SLA."""
    options = a.options
    if not options:
        return Choice(None, "")
    flagged = [i for i, o in enumerate(options) if getattr(o, "recommended", False)]
    if flagged:
        reason = getattr(options[flagged[0]], "recommended_reason", None)
        return Choice(flagged[0], esc(reason) if reason else "the rule engine ranks it first")
    allowed = [i for i, o in enumerate(options) if _risk_allowed(o, scenario)]
    pool = allowed or list(range(len(options)))
    meeting = [i for i in pool if options[i].meets_sla]
    if meeting:
        best = min(meeting, key=lambda i: _rank(options[i]))
        others = len(meeting) - 1
        reason = (
            "it meets the target with the lowest accuracy risk, then the least effort and cost"
            if others
            else "it is the only option that meets the target within the accuracy budget"
        )
        return Choice(best, reason)
    best = min(pool, key=lambda i: (options[i].projected_ms, _rank(options[i])))
    return Choice(
        best,
        "no option meets the target on its own; this one comes closest, and the remaining gap "
        "needs the further steps of the plan or a conversation about the target",
    )


def why_not(a: Analysis, scenario: Scenario, choice: Choice) -> list[tuple[str, str]]:
    """For every option not recommended: its name (escaped) and the reasons against it."""
    if choice.index is None:
        return []
    chosen = a.options[choice.index]
    p = pct(a.sla.percentile)
    out = []
    for i, option in enumerate(a.options):
        if i == choice.index:
            continue
        reasons = []
        if not option.meets_sla:
            miss = option.projected_ms - a.sla.target_ms
            text = f"misses the {p} target by {ms(miss)}"
            if option.perceived_ms is not None and option.perceived_ms <= a.sla.target_ms:
                text += (
                    f" (users would see the first output after {ms(option.perceived_ms)}, "
                    "which is worth it only if a fast first response is what matters)"
                )
            reasons.append(text)
        if not _risk_allowed(option, scenario):
            reasons.append(
                f"its accuracy risk ({option.accuracy_risk}) is more than the accuracy budget "
                f"({scenario.quality.max_accuracy_drop_pct:g}%) allows"
            )
        elif RISK_ORDER.index(option.accuracy_risk) > RISK_ORDER.index(chosen.accuracy_risk):
            reasons.append(
                f"higher accuracy risk ({option.accuracy_risk} against {chosen.accuracy_risk})"
            )
        if effort_mid(option) > effort_mid(chosen):
            reasons.append(
                f"more effort ({days(option.effort_days)} against {days(chosen.effort_days)})"
            )
        if COST_ORDER.index(option.cost) > COST_ORDER.index(chosen.cost):
            reasons.append(f"higher running cost ({option.cost} against {chosen.cost})")
        target = a.sla.target_ms
        if option.meets_sla and chosen.meets_sla and option.projected_ms > chosen.projected_ms:
            thin = (
                ", within the estimate's uncertainty"
                if (option.model_extra or {}).get("meets_with_margin") is False
                else ""
            )
            reasons.insert(
                0,
                f"a thinner margin under the target ({ms(target - option.projected_ms)} against "
                f"{ms(target - chosen.projected_ms)}{thin})",
            )
        if not reasons:
            reasons.append("a close alternative; the recommendation wins on the order above")
        text = "; ".join(reasons)
        saving = _monthly_mid(chosen) - _monthly_mid(option)
        if saving > 0.01 * _today(a):
            from latency_advisor.money import usd

            text = f"it would cost about {usd(saving)} a month less, but: {text}"
        out.append((esc(option.name), text + "."))
    return out


def _monthly_mid(option: Option) -> float:
    monthly = (option.model_extra or {}).get("monthly_cost_usd") or (0.0, 0.0)
    return (monthly[0] + monthly[1]) / 2.0


def _today(a: Analysis) -> float:
    money = (a.model_extra or {}).get("running_cost") or {}
    return float(money.get("monthly_usd", 0.0))


def steps_to_target(a: Analysis) -> int | None:
    """How many plan steps reach the target, or None when the whole plan does not."""
    for i, step in enumerate(a.plan, 1):
        if step.meets_sla:
            return i
    return None


def executive_summary(a: Analysis, scenario: Scenario, choice: Choice) -> list[str]:
    """Four short paragraphs: the problem, where we are, the bottleneck, the recommendation."""
    c = a.current
    p = pct(a.sla.percentile)
    target = ms(a.sla.target_ms)
    workload = {"interactive": "interactive", "batch": "batch", "streaming": "streaming"}.get(
        a.sla.workload, esc(a.sla.workload)
    )
    out = [
        f"<b>The goal.</b> The service must answer {a.sla.percentile:g} in 100 requests "
        f"within {target} (the {p} target, {workload} use; the slowest "
        f"{100 - a.sla.percentile:g}% may take longer). At the busiest time it receives "
        f"{scenario.traffic.peak_rps:g} requests per second, served by "
        f"{scenario.traffic.replicas} replica(s). Up to "
        f"{scenario.quality.max_accuracy_drop_pct:g}% accuracy may be given up for speed."
    ]
    if not c.steady_state:
        out.append(
            "<b>Where we are.</b> At peak the servers would be "
            f"{fmt_utilization(c.utilization)} busy: "
            "requests arrive faster than they are served, the queue grows without limit, and no "
            "latency target can be met. Even without the queue the "
            f"{p} is {ms(c.at_sla_percentile_ms)}. "
            f"At least {c.replicas_needed_for_stability} replicas are needed just to keep up."
        )
    else:
        where = (
            f"<b>Where we are.</b> Today the {p} is <b>{ms(c.at_sla_percentile_ms)}</b>, so the "
            f"service {verdict(a)}. This figure combines how much each step varies; simply "
            f"adding each step's own {p} would claim {ms(c.sum_of_stage_percentiles_ms)}, "
            "too much for the steps themselves, which are rarely all slow on the same request"
            + (
                ", and blind to the time spent waiting in the queue."
                if a.queueing_share >= 0.02
                else "."
            )
        )
        if c.queueing_wait_ms is not None and a.queueing_share >= 0.02:
            where += (
                f" Waiting in the queue is {fmt_pct(a.queueing_share)} of it "
                f"(servers {fmt_utilization(c.utilization)} busy at peak)."
            )
        out.append(where)
    room = (a.model_extra or {}).get("headroom")
    if room:
        text = (
            f"<b>{'Only just met' if room.get('thin') else 'Room to spare'}.</b> The target is "
            f"met with {ms(room['headroom_ms'])} ({fmt_pct(room['headroom_fraction'])} of it) to "
            "spare at today's peak."
        )
        if room.get("breaks_at_rps"):
            text += (
                f" It stops being met at about {room['breaks_at_rps']:,.0f} requests/s on "
                f"today's {c.replicas} replicas"
                + (  # no multiple of a peak of 0 requests/s
                    f" ({room['traffic_multiple']:.1f}× today's peak)."
                    if room.get("traffic_multiple") is not None
                    else "."
                )
            )
        if room.get("spare_replicas"):
            text += (
                f" {room['replicas_that_meet']} replicas would still meet it where {c.replicas} "
                "run: fewer replicas is a saving, not a risk."
            )
        out.append(text)
    out.append(bottleneck_paragraph(a, p))
    out.append("<b>Recommendation.</b> " + recommendation_paragraph(a, choice))
    money = money_paragraph(a, choice)
    if money:
        out.append("<b>What it costs.</b> " + money)
    ask = decision_needed(a, choice)
    if ask:
        out.append("<b>The decision we need.</b> " + ask)
    return out


def bottleneck_paragraph(a: Analysis, p: str) -> str:
    """The bottleneck as a unit: one stage, a fan-out (slowest call named), or the queue."""
    b = a.bottleneck
    bx = b.model_extra or {}
    if bx.get("kind") == "queue":
        return (
            f"<b>The bottleneck.</b> Waiting in the queue takes {fmt_pct(b.share)} of the time "
            f"at {p}: "
            + (
                "the servers are near saturation, so capacity comes first, and every "
                if a.current.utilization >= 0.8
                else "requests wait behind slow ones (the service time has a heavy tail); every "
            )
            + "millisecond of service time saved also shortens the wait; of the service time, "
            f"{esc(bx['service_stage'])} takes the most ({fmt_pct(bx['service_share'])})."
        )
    if bx.get("kind") == "parallel_group":
        return (
            f"<b>The bottleneck.</b> The fan-out {esc(b.stage)} ({len(bx['members'])} calls in "
            f"parallel) takes {fmt_pct(b.share)} of the time at {p}, set by whichever call is "
            "slowest "
            f"on each request, most often {esc(bx['slowest'])}; it is improved as one unit."
        )
    return (
        f"<b>The bottleneck.</b> {esc(b.stage)} takes {fmt_pct(b.share)} of "
        f"the time at {p}; changes elsewhere can save at most the remaining "
        f"{fmt_pct(1 - b.share)}."
    )


def decision_needed(a: Analysis, choice: Choice) -> str:
    """What the meeting should decide, in one or two sentences; empty when nothing is asked."""
    if choice.index is None:
        return ""
    o = a.options[choice.index]
    ox = o.model_extra or {}
    from latency_advisor.money import usd_range

    asks = [f"approve about {days(o.effort_days)} of work on “{esc(o.name)}”"]
    if o.effort_days[1] == 0:
        asks = [f"confirm “{esc(o.name)}”"]
    if o.accuracy_risk != "none":
        asks.append(f"accept a {o.accuracy_risk} accuracy risk, checked before release")
    monthly = ox.get("monthly_cost_usd")
    if monthly is not None and monthly[1] > 0:
        asks.append(f"accept a running cost change of {usd_range(*monthly, ' a month')}")
    elif monthly is None and o.cost in ("medium", "high"):
        asks.append(f"accept a {o.cost} increase in running cost")
    text = "Please " + ", ".join(asks[:-1]) + (" and " if len(asks) > 1 else "") + asks[-1] + "."
    p = pct(a.sla.percentile)
    streamed = [x for x in a.options if x.perceived_ms is not None]
    if streamed and a.sla.workload == "interactive" and o.perceived_ms is None:
        first = min(x.perceived_ms or 0.0 for x in streamed)
        text += (
            " And tell us which matters more for this feature: the whole answer within "
            f"the {p} target, or a first response on screen after about {ms(first)}."
        )
    return text


def running_cost_sentence(a: Analysis) -> str:
    """Today's bill in one sentence, or empty when the analysis has no money figures."""
    money = (a.model_extra or {}).get("running_cost")
    if not money:
        return ""
    from latency_advisor.money import usd

    per = money.get("per_1000_requests_usd")
    return (
        f"Today the path costs about <b>{usd(money['monthly_usd'])} a month</b>"
        + (f" ({usd(per)} per 1,000 requests)" if per is not None else "")
        + "."
    )


def money_paragraph(a: Analysis, choice: Choice) -> str:
    """Today's bill and what the recommended option changes, in money and weeks."""
    today = running_cost_sentence(a)
    if not today or choice.index is None:
        return ""
    from latency_advisor.money import usd, usd_range

    o = a.options[choice.index]
    ox = o.model_extra or {}
    if "monthly_cost_usd" not in ox:
        return ""
    lo, hi = o.effort_days
    once = ox["one_off_cost_usd"]
    weeks = (
        "no engineering work"
        if hi == 0
        else f"about {lo / 5:.2g}–{hi / 5:.2g} engineer-weeks ({usd(once[0])}–{usd(once[1])})"
    )
    change = usd_range(*ox["monthly_cost_usd"], " a month")
    text = (
        f"Today the path costs about {usd((a.model_extra or {})['running_cost']['monthly_usd'])} "
        f"a month. “{esc(o.name)}” changes that by {change} and takes {weeks}."
    )
    savers = [x for x in a.options if x is not o and x.meets_sla and _monthly_mid(x) < 0]
    if savers and _monthly_mid(o) >= 0:
        best = min(savers, key=_monthly_mid)
        text += (
            f" To spend less instead, “{esc(best.name)}” saves about "
            f"{usd(-_monthly_mid(best))} a month and still meets the target."
        )
    return text


def recommendation_paragraph(a: Analysis, choice: Choice) -> str:
    p = pct(a.sla.percentile)
    if choice.index is not None:
        o = a.options[choice.index]
        perceived = (
            f", first output after about {ms(o.perceived_ms)}" if o.perceived_ms is not None else ""
        )
        reached = "meeting the target" if o.meets_sla else "still above the target"
        margin = a.sla.target_ms - o.projected_ms
        ox = o.model_extra or {}
        sure = ox.get("meets_with_margin")
        thin_margin = (sure is False) if isinstance(sure, bool) else margin < 0.1 * a.sla.target_ms
        thin = ""
        if o.meets_sla and thin_margin and "uncertainty" not in choice.reason:
            thin = (
                f" It leaves only {ms(margin)} of margin, less than the estimate's own "
                "uncertainty: keep the next fix of the plan ready."
            )
        if ox.get("offline_evaluation"):
            thin += " " + esc(ox["offline_evaluation"])
        cost = f"running cost {o.cost}"
        if "monthly_cost_usd" in ox:
            from latency_advisor.money import usd_range

            cost = f"running cost {usd_range(*ox['monthly_cost_usd'], ' a month')}"
        if o.effort_days[1] == 0 and not o.rules and o.meets_sla:
            return (
                f"<b>“{esc(o.name)}”</b>: the {p} of {ms(o.projected_ms)} meets the target with "
                f"{ms(margin)} to spare, with nothing to build or pay for. We recommend it "
                f"because {choice.reason}. Re-run this analysis when traffic grows."
            )
        return (
            f"Take the option <b>“{esc(o.name)}”</b>: projected {p} {ms(o.projected_ms)} "
            f"({reached}{perceived}), accuracy risk {o.accuracy_risk}, {cost}, about "
            f"{days(o.effort_days)} of work. We recommend it because {choice.reason}.{thin} "
            "Roll it out in stages (section 5)."
        )
    if a.plan:
        n = steps_to_target(a)
        last = a.plan[-1].projected_ms
        if n is not None:
            return (
                f"Apply the first {n} fix(es) of the plan in order; together they bring the {p} "
                f"to about {ms(a.plan[n - 1].projected_ms)}, within the target. Validate each "
                "step before the next."
            )
        return (
            f"Apply the plan in order. All {len(a.plan)} fixes together bring the {p} to about "
            f"{ms(last)}, still above the target: the target itself should be discussed, or a "
            "larger change (architecture, different model) planned."
        )
    if a.meets_sla:
        return (
            "No change is needed now. Keep the latency and error-rate alerts of the rollout plan "
            "in place so a regression is caught early, and re-run this analysis when traffic grows."
        )
    return (
        "No fix for this path has been listed yet. Measure the bottleneck in more detail "
        "(its p95 and p99, not only its typical time) and review the levers in the order of the "
        "fixes section: system, then serving, then model."
    )
