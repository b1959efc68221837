"""Drill scoring: points for each part of the answer, and every difference explained.

Order (pairs in the engine's order), selection (what belongs on this path), measuring first,
rolling out last, the metric and the option proposed. The common mistakes the source material
warns about are named, by a stable code, where the answer makes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from latency_advisor.rehearsal.drill import METRICS, AnswerError, DrillAnswer, Expected
from latency_advisor.rehearsal.proposal import why_preferred
from latency_advisor.rehearsal.wording import (
    LEVEL_RANK,
    MEASURE,
    ROLLOUT,
    level_of,
    technique_label,
)

# Points per part of the answer; a part the analysis cannot judge is left out of the total.
ORDER_POINTS = 40.0
SELECTION_POINTS = 20.0
MEASURE_POINTS = 10.0
ROLLOUT_POINTS = 10.0
METRIC_POINTS = 10.0
OPTION_POINTS = 10.0

# The mistakes the source material names, by a stable code.
MISTAKES = {
    "quantization-before-measuring": "jumping to quantization before measuring",
    "fixing-before-measuring": "changing things before measuring",
    "ignoring-the-tail": "ignoring the tail",
    "forgetting-rollout": "forgetting rollout",
    "model-first": "reaching for model changes before the cheaper system levers",
    "model-only-thinking": "treating the model as the whole path",
}


@dataclass(frozen=True)
class Finding:
    part: str
    message: str
    points_lost: float = 0.0
    mistake: str | None = None

    @property
    def mistake_name(self) -> str | None:
        return MISTAKES.get(self.mistake) if self.mistake else None


@dataclass
class DrillScore:
    points: float
    max_points: float
    findings: list[Finding] = field(default_factory=list)
    expected: Expected | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.points / self.max_points) if self.max_points else 0

    @property
    def mistakes(self) -> list[str]:
        return sorted({f.mistake for f in self.findings if f.mistake})


def score_answer(expected: Expected, answer: DrillAnswer) -> DrillScore:
    """Score `answer` against `expected`, explaining each difference."""
    _check(expected, answer)
    findings: list[Finding] = []
    points = 0.0
    total = 0.0
    for part in (_selection, _order, _measure, _rollout, _metric, _option):
        got, available, found = part(expected, answer)
        points += got
        total += available
        findings += found
    return DrillScore(
        points=round(points, 1), max_points=total, findings=findings, expected=expected
    )


# ----------------------------------------------------------------------------- parts

Part = tuple[float, float, list[Finding]]


def _fixes(answer: DrillAnswer) -> list[str]:
    return [i for i in answer.items if i not in (MEASURE, ROLLOUT)]


def _selection(ex: Expected, answer: DrillAnswer) -> Part:
    chosen = set(answer.items)
    decisions = [*ex.order, *ex.skip]
    findings: list[Finding] = []
    each = SELECTION_POINTS / len(decisions) if decisions else 0.0
    right = 0
    for rank, tech in enumerate(ex.order, 1):
        if tech in chosen:
            right += 1
            continue
        saving = f", {ex.savings[tech]}" if tech in ex.savings else ""
        findings.append(
            Finding(
                "selection",
                f"You left out “{technique_label(tech)}”; it is fix #{rank} in the "
                f"{_source_word(ex)} order{saving}.",
                each,
            )
        )
    for tech, why in ex.skip.items():
        if tech not in chosen:
            right += 1
            continue
        findings.append(
            Finding("selection", f"“{technique_label(tech)}” does not belong here. {why}", each)
        )
    return each * right, SELECTION_POINTS if decisions else 0.0, findings


def _order(ex: Expected, answer: DrillAnswer) -> Part:
    rank = {t: i for i, t in enumerate(ex.order)}
    mine = [t for t in _fixes(answer) if t in rank]
    findings: list[Finding] = []
    if not mine:
        findings.append(Finding("order", "None of the expected fixes is in your answer.", 0.0))
        return 0.0, ORDER_POINTS, findings
    pairs = [(a, b) for i, a in enumerate(mine) for b in mine[i + 1 :]]
    wrong = [(a, b) for a, b in pairs if rank[a] > rank[b]]
    got = ORDER_POINTS * (1 - len(wrong) / len(pairs)) if pairs else ORDER_POINTS
    each = ORDER_POINTS / len(pairs) if pairs else 0.0
    for a, b in wrong[:5]:
        findings.append(Finding("order", _why_before(ex, b, a), each))
    if len(wrong) > 5:
        findings.append(
            Finding(
                "order", f"{len(wrong) - 5} more pairs are out of order.", each * (len(wrong) - 5)
            )
        )
    findings += _level_mistakes(ex, answer)
    return got, ORDER_POINTS, findings


def _why_before(ex: Expected, first: str, second: str) -> str:
    """Why `first` comes before `second`, which the answer put the other way round."""
    lf, ls = level_of(first) or "model", level_of(second) or "model"
    head = (
        f"You put “{technique_label(second)}” before “{technique_label(first)}”. "
        f"“{technique_label(first)}” comes first: "
    )
    if LEVEL_RANK[lf] < LEVEL_RANK[ls]:
        reason = {
            "system": "it is a system-level change, cheaper than serving or model work and "
            "without any accuracy risk",
            "serving": "it is a serving-level change, which alters how the model runs but not "
            "the model itself, so accuracy is safe",
        }.get(lf, f"it is a {lf}-level change")
        return head + reason + "."
    if first in ex.savings and second in ex.savings:
        return (
            head
            + f"both are {lf}-level, and the engine ranks it higher for what it saves against "
            + f"the gap, its cost and effort (the first {ex.savings[first]}; the second "
            + f"{ex.savings[second]})."
        )
    return head + f"both are {lf}-level, and it is the cheaper, surer step on this path."


def _level_mistakes(ex: Expected, answer: DrillAnswer) -> list[Finding]:
    fixes = [t for t in _fixes(answer) if level_of(t)]
    out: list[Finding] = []
    if not fixes:
        return out
    first_level = level_of(fixes[0])
    has_system = any(level_of(t) == "system" for t in ex.order)
    if first_level == "model" and has_system:
        out.append(
            Finding(
                "order",
                f"You open with a model change (“{technique_label(fixes[0])}”) while system-level "
                "fixes are available: those are cheaper and cannot cost accuracy.",
                mistake="model-first",
            )
        )
    if first_level == "model" and ex.bottleneck_kind != "model":
        out.append(
            Finding(
                "order",
                "The bottleneck here is not the model, yet your first fix changes the model: "
                "the end-to-end path is what the user waits for.",
                mistake="model-only-thinking",
            )
        )
    return out


def _measure(ex: Expected, answer: DrillAnswer) -> Part:
    items = answer.items
    fixes_before = items[: items.index(MEASURE)] if MEASURE in items else _fixes(answer)
    if MEASURE in items and not fixes_before:
        return MEASURE_POINTS, MEASURE_POINTS, []
    quant = [t for t in fixes_before if t.startswith("quantization") or t == "fp16"]
    code = "quantization-before-measuring" if quant else "fixing-before-measuring"
    if MEASURE not in items:
        message = "Your answer never profiles the path: say how you measure before any fix."
    else:
        listed = ", ".join(f"“{technique_label(t)}”" for t in fixes_before)
        message = f"You change things before measuring: {listed} come before profiling the path."
    if quant:
        message += " Reaching for quantization first is the classic tool-driven answer."
    return 0.0, MEASURE_POINTS, [Finding("process", message, MEASURE_POINTS, code)]


def _rollout(ex: Expected, answer: DrillAnswer) -> Part:
    items = answer.items
    if items and items[-1] == ROLLOUT:
        return ROLLOUT_POINTS, ROLLOUT_POINTS, []
    if ROLLOUT not in items:
        return (
            0.0,
            ROLLOUT_POINTS,
            [
                Finding(
                    "process",
                    "Your answer ends without a rollout: say how the change ships (canary, "
                    "monitoring, rollback), or it sounds as if you would just deploy it.",
                    ROLLOUT_POINTS,
                    "forgetting-rollout",
                )
            ],
        )
    after = [t for t in items[items.index(ROLLOUT) + 1 :]]
    listed = ", ".join(f"“{technique_label(t)}”" for t in after)
    return (
        ROLLOUT_POINTS / 2,
        ROLLOUT_POINTS,
        [
            Finding(
                "process",
                f"The rollout comes before {listed}: roll out once the changes are chosen, "
                "so each one ships behind the same canary and guardrails.",
                ROLLOUT_POINTS / 2,
            )
        ],
    )


def _metric(ex: Expected, answer: DrillAnswer) -> Part:
    want = ex.metric
    got = answer.metric
    if got == want:
        return METRIC_POINTS, METRIC_POINTS, []
    if got is None:
        return (
            0.0,
            METRIC_POINTS,
            [Finding("metric", f"You did not say which latency you optimize: it is {want}.", 10)],
        )
    tail = _pct_value(want) >= 90
    if got in ("average", "p50") and tail:
        return (
            0.0,
            METRIC_POINTS,
            [
                Finding(
                    "metric",
                    f"You chose the {'average' if got == 'average' else 'median'}, but the target "
                    f"is {want}: the slow requests are what break it, and an average hides them.",
                    METRIC_POINTS,
                    "ignoring-the-tail",
                )
            ],
        )
    if got != "average" and _pct_value(got) > _pct_value(want):
        lost = METRIC_POINTS * 0.3
        message = f"{got} is stricter than the target ({want}): a fine guardrail, not the goal."
    else:
        lost = METRIC_POINTS * 0.6
        message = f"{got} is looser than the target ({want}): it lets the slowest requests slip."
    return METRIC_POINTS - lost, METRIC_POINTS, [Finding("metric", message, lost)]


def _option(ex: Expected, answer: DrillAnswer) -> Part:
    best = ex.best_option
    if best is None:
        return 0.0, 0.0, []
    if answer.option == best.name:
        return OPTION_POINTS, OPTION_POINTS, []
    if answer.option is None:
        return (
            0.0,
            OPTION_POINTS,
            [
                Finding(
                    "option",
                    f"You did not propose an option; the one to propose is “{best.name}”.",
                    OPTION_POINTS,
                )
            ],
        )
    chosen = next(o for o in ex.options if o.name == answer.option)
    lost = OPTION_POINTS / 2 if chosen.meets_sla else OPTION_POINTS
    return (
        OPTION_POINTS - lost,
        OPTION_POINTS,
        [
            Finding(
                "option",
                f"You would propose “{chosen.name}”; “{best.name}” is the stronger proposal: "
                f"{why_preferred(best, chosen)}, and {ex.proposal.reason}.",
                lost,
            )
        ],
    )


# ----------------------------------------------------------------------------- helpers


def _check(ex: Expected, answer: DrillAnswer) -> None:
    allowed = set(ex.items)
    unknown = [i for i in answer.items if i not in allowed]
    if unknown:
        raise AnswerError(
            f"answer: item {unknown[0]!r} is not offered by card {ex.card.id!r}; "
            f"expected some of: {', '.join(ex.items)}"
        )
    if len(set(answer.items)) != len(answer.items):
        raise AnswerError("answer: an item appears twice; list each item at most once")
    if answer.metric is not None and answer.metric not in METRICS:
        raise AnswerError(
            f"answer: metric {answer.metric!r} is unknown; expected one of {', '.join(METRICS)}"
        )
    names = [o.name for o in ex.options]
    if answer.option is not None and answer.option not in names:
        offered = ", ".join(names) if names else "none (the analysis has no options yet)"
        raise AnswerError(f"answer: option {answer.option!r} is not offered; options: {offered}")


def _pct_value(label: str) -> float:
    return float(label[1:]) if label.startswith("p") else 0.0


def _source_word(ex: Expected) -> str:
    return "engine's" if ex.source == "engine" else "card's"


def format_score(score: DrillScore) -> str:
    """The score and its explanations as plain text, for the terminal and the tab."""
    ex = score.expected
    lines = [f"Score: {score.percent}/100 ({score.points:g} of {score.max_points:g} points)"]
    if ex is not None:
        order = " → ".join(technique_label(t) for t in ex.items if t not in ex.skip)
        source = (
            "the rule engine's order for this scenario"
            if ex.source == "engine"
            else "the card's order, since the analysis has no recommendations yet"
        )
        lines += ["", f"Expected, from {source}:", f"  {order}"]
        best = ex.best_option
        if best is not None:
            lines.append(f"  option to propose: {best.name}")
        lines.append(f"  metric: {ex.metric}")
    mistakes = [MISTAKES[m] for m in score.mistakes]
    if mistakes:
        lines += ["", "Common mistakes in this answer: " + "; ".join(mistakes) + "."]
    if score.findings:
        lines += ["", "What differs and why:"]
        lines += [f"  - {f.message}" for f in score.findings]
    else:
        lines += ["", "Your answer matches the expected one."]
    return "\n".join(lines) + "\n"
