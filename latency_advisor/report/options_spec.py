"""What the options chart says, apart from who draws it.

The PDF draws the options with matplotlib; the app paints them natively, so the chart follows an
edit at once instead of waiting ~200 ms for matplotlib to lay out two panels of text. Both read
this one description, so the words, numbers, order and colours cannot drift apart.
No plotting library is imported here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from latency_advisor.analysis import Analysis, Option
from latency_advisor.report.budget_spec import fmt_ms
from latency_advisor.report.tables import (
    RISK_ORDER,
    effort_mid,
    format_cell,
    option_money,
    pareto_front,
    pct_label,
)

FAN_STEP = 0.12
"""How far apart (in categories) the points that share an accuracy risk are fanned out."""


@dataclass(frozen=True)
class OptionPoint:
    """One option: where it sits on both panels, and what hovering it says."""

    number: int  # 1-based, printed beside the point and before its name in the legend
    name: str
    projected_ms: float
    perceived_ms: float | None  # with streaming: when the user sees the answer start
    meets_sla: bool
    accuracy_risk: str
    risk_x: float  # the risk category's index plus this point's fan-out offset
    effort_days: tuple[float, float]
    effort_mid_days: float  # where the point sits on the effort panel (its bar is the range)
    cost: str
    pareto: bool
    colour_index: int  # into Theme.series
    details: tuple[str, ...]  # the hover text, one line each, with the table's numbers
    recommended: bool = False

    @property
    def label(self) -> str:
        """The legend's entry: the number printed beside the point, then the name (★ for the
        recommended option)."""
        return f"{self.number}. {self.name}" + (" ★" if self.recommended else "")


@dataclass(frozen=True)
class OptionsSpec:
    """Everything the options chart shows: two panels sharing the latency axis."""

    title: str
    percentile: str  # "p95"
    target_ms: float
    points: tuple[OptionPoint, ...]  # in the analysis's order
    categories: tuple[str, ...]  # the accuracy-risk axis, left to right
    value_label: str  # the shared latency axis
    risk_label: str
    effort_label: str
    sla_label: str
    pareto_label: str  # the legend entry for the ring around Pareto-front points
    perceived_label: str | None  # the legend entry for hollow points; None when none is drawn
    empty_message: str | None  # shown instead of points when there are no options
    value_max_ms: float  # the latency axis runs up to here
    effort_max_days: float  # the effort axis runs from 0 to here
    value_min_ms: float = 0.0  # ... from here (above 0 on a log axis)
    log_scale: bool = False  # options spread over more than LOG_SPREAD× share a log axis

    def value_fraction(self, ms: float) -> float:
        """Where `ms` sits on the latency axis, 0 at the bottom and 1 at the top (clamped)."""
        low, high = self.value_min_ms, self.value_max_ms
        ms = min(max(ms, low), high)
        if self.log_scale:
            return (math.log(ms) - math.log(low)) / (math.log(high) - math.log(low))
        return (ms - low) / (high - low)

    def log_ticks(self) -> list[float]:
        """1-2-5 ticks inside the log axis (and its ends' decades)."""
        out = []
        for power in range(math.floor(math.log10(self.value_min_ms)), 8):
            for m in (1, 2, 5):
                value = m * 10.0**power
                if self.value_min_ms <= value <= self.value_max_ms:
                    out.append(value)
        return out

    @property
    def summary(self) -> str:
        """A few sentences for screen readers: the chart's message without looking at it."""
        if not self.points:
            return f"{self.title}. {self.empty_message}"
        meeting = sum(p.meets_sla for p in self.points)
        fastest = min(self.points, key=lambda p: p.projected_ms)
        front = [str(p.number) for p in self.points if p.pareto]
        return (
            f"{self.title}. {meeting} of {len(self.points)} meet the {fmt_ms(self.target_ms)} SLA. "
            f"The fastest is {fastest.label} at {fmt_ms(fastest.projected_ms)} "
            f"({fastest.accuracy_risk} accuracy risk, {_days(fastest.effort_days)} "
            f"engineer-days). On the Pareto front: {', '.join(front) or 'none'}."
        )


def options_spec(analysis: Analysis) -> OptionsSpec:
    """Describe the options chart of `analysis`."""
    a = analysis
    pct = pct_label(a.sla.percentile)
    options = a.options
    target = a.sla.target_ms
    front = pareto_front(options)
    fan = fan_out([o.accuracy_risk for o in options])
    points = tuple(
        OptionPoint(
            number=i + 1,
            name=o.name,
            projected_ms=o.projected_ms,
            perceived_ms=o.perceived_ms,
            meets_sla=o.meets_sla,
            accuracy_risk=o.accuracy_risk,
            risk_x=RISK_ORDER.index(o.accuracy_risk) + fan[i],
            effort_days=o.effort_days,
            effort_mid_days=effort_mid(o),
            cost=o.cost,
            pareto=on_front,
            colour_index=i,
            details=_details(i + 1, o, on_front, pct, target),
            recommended=bool((o.model_extra or {}).get("recommended")),
        )
        for i, (o, on_front) in enumerate(zip(options, front, strict=True))
    )
    values = [target, *(o.projected_ms for o in options)]
    values += [o.perceived_ms for o in options if o.perceived_ms is not None]
    highest_effort = max((o.effort_days[1] for o in options), default=0.0)
    if options:
        title = f"{len(options)} option(s): projected {pct} against accuracy risk and effort"
        money = (a.model_extra or {}).get("running_cost")
        if money:
            from latency_advisor.money import usd

            title += f" · today {usd(money['monthly_usd'])} a month"
        empty = None
    else:
        title = "Options: none listed"
        empty = "No options: the path meets its SLA." if a.meets_sla else "No options listed yet."
    return OptionsSpec(
        title=title,
        percentile=pct,
        target_ms=target,
        points=points,
        categories=RISK_ORDER,
        value_label=f"projected {pct} (ms)",
        risk_label="accuracy risk",
        effort_label="effort (engineer-days; bar = range)",
        sla_label=f"SLA {fmt_ms(target)}",
        pareto_label="Pareto",
        perceived_label="perceived" if any(p.perceived_ms is not None for p in points) else None,
        empty_message=empty,
        effort_max_days=highest_effort * 1.05 if highest_effort > 0 else 10.0,
        **_value_axis(values),
    )


LOG_SPREAD = 4.0
"""When the largest latency on the chart is this many times the smallest, the axis is
logarithmic: a linear one would crowd every option near the target into its bottom strip."""


def _value_axis(values: list[float]) -> dict[str, Any]:
    """The latency axis for these values: linear from 0, or logarithmic around them."""
    positive = [v for v in values if v > 0]
    top = max(positive, default=0.0)
    if not positive or top / min(positive) < LOG_SPREAD:
        return {
            "value_max_ms": top * 1.18 if top > 0 else 1.0,
            "value_min_ms": 0.0,
            "log_scale": False,
        }
    low = min(positive) / 1.35
    low = max(
        m * 10.0 ** math.floor(math.log10(low))
        for m in (1, 2, 5)
        if m * 10.0 ** math.floor(math.log10(low)) <= low
    )
    return {"value_max_ms": top * 1.35, "value_min_ms": low, "log_scale": True}


def _days(effort: tuple[float, float]) -> str:
    """An effort range as the options table prints it."""
    return f"{effort[0]:g}–{effort[1]:g}"


def _details(number: int, o: Option, on_front: bool, pct: str, target: float) -> tuple[str, ...]:
    """The hover text of one option: its numbers as the table prints them, and what they mean."""
    verdict = "meets" if o.meets_sla else "misses"
    monthly, once = option_money(o)
    lines = [
        f"{number}. {o.name}",
        f"Projected {pct}: {format_cell(o.projected_ms)} ms ({verdict} the {fmt_ms(target)} SLA)",
    ]
    if o.perceived_ms is not None:
        lines.append(f"Perceived (streaming): {format_cell(o.perceived_ms)} ms")
    lines += [
        f"Accuracy risk: {o.accuracy_risk}",
        f"Effort: {_days(o.effort_days)} engineer-days",
        f"Running cost: {'saves (cheaper to run)' if o.cost == 'saves' else o.cost}"
        + (f", {monthly} a month" if monthly != "—" else ""),
        "Pareto front: yes, no other option beats it on latency, risk and effort at once"
        if on_front
        else "Pareto front: no, another option is at least as good on latency, risk and effort",
    ]
    why = (o.model_extra or {}).get("why")
    extra = [f"One-off cost: {once}"] if once != "—" else []
    if isinstance(why, str) and why:
        extra.append(f"Why pick it: {why}")
    return tuple(lines[:-1] + extra + lines[-1:])


def fan_out(groups: list[str], step: float = FAN_STEP) -> list[float]:
    """Offsets that fan out the members of each group, so points sharing a category stay visible."""
    sizes = {g: groups.count(g) for g in groups}
    seen: dict[str, int] = {}
    out = []
    for g in groups:
        k = seen.get(g, 0)
        seen[g] = k + 1
        out.append((k - (sizes[g] - 1) / 2) * min(step, 0.8 / sizes[g]))
    return out
