"""What the plan waterfall says, apart from who draws it.

The PDF draws the plan with matplotlib; the app paints it natively, so a stage edit is on screen
at once instead of after the 100-300 ms matplotlib needs for text layout. Both read this one
description, so the words, numbers, order and colours cannot drift apart.
No plotting library is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from latency_advisor.analysis import Analysis
from latency_advisor.report.budget_spec import fmt_ms
from latency_advisor.report.tables import format_cell, pct_label, plan_steps
from latency_advisor.report.themes import Theme

CROWDED = 8
"""With more steps than this the bars are numbered (and the names listed apart), not named."""

BarKind = Literal["today", "step", "after"]
Fill = Literal["naive", "good", "bad", "wait", "series"]


def ms_text(value: float) -> str:
    """A number in a tip exactly as the plan table prints it, so the two can be compared."""
    return f"{format_cell(value)} ms"


@dataclass(frozen=True)
class PlanBar:
    """One bar: today's figure, a cumulative step (floating from the level before), or the end."""

    number: int  # 0 for today, 1.. for the steps, one more for "After plan"
    kind: BarKind
    name: str  # "Today", the step's title, "After plan"
    note: str  # a second line under the name ("(queue unbounded)"), or ""
    tick: str  # what stands under the bar: the name, or the step number when crowded
    low_ms: float
    high_ms: float
    projected_ms: float
    saving_ms: float | None  # what the step saves (negative: it costs); None for today
    connect_ms: float | None  # steps: the level a connector carries over from the bar before
    fill: Fill  # a Theme colour; "series" is the first series colour
    hatched: bool  # the step restores a steady state: the number becomes finite, no loss
    value_label: str  # printed above the bar, "✓" when the step meets the SLA
    tip: str  # the hover text: the step, its saving and the projected figure

    def colour(self, t: Theme) -> str:
        """The bar's fill in theme `t`."""
        return t.stage_colour(0) if self.fill == "series" else getattr(t, self.fill)


@dataclass(frozen=True)
class PlanSpec:
    """Everything the plan waterfall shows, bars in display order."""

    title: str
    percentile: str  # "p95"
    today_ms: float
    final_ms: float
    target_ms: float
    bars: tuple[PlanBar, ...]
    numbered: bool  # the ticks are step numbers; the names go in a key
    message: str  # instead of steps: why there are none ("" when there are)
    sla_label: str
    axis_label: str
    axis_max_ms: float  # the value axis runs from 0 to here (room for the value labels)

    @property
    def steps(self) -> tuple[PlanBar, ...]:
        return tuple(b for b in self.bars if b.kind == "step")

    @property
    def summary(self) -> str:
        """A few sentences for screen readers: the chart's message without looking at it."""
        steps = self.steps
        if not steps:
            return f"{self.title}. {self.message}"
        first = next((b for b in steps if b.value_label.endswith("✓")), None)
        meets = (
            f" Step {first.number}, {first.name}, is the first to meet the SLA."
            if first
            else f" The plan ends above the {fmt_ms(self.target_ms)} SLA."
        )
        best = max(steps, key=lambda b: b.saving_ms or 0.0)
        return (
            f"{self.title}.{meets} The largest saving is step {best.number}, {best.name}, "
            f"{ms_text(best.saving_ms or 0.0)}."
        )


def plan_spec(analysis: Analysis) -> PlanSpec:
    """Describe the plan waterfall of `analysis`."""
    a = analysis
    pct = pct_label(a.sla.percentile)
    target = a.sla.target_ms
    steps = plan_steps(a)
    today = a.current.at_sla_percentile_ms
    stable = a.current.steady_state
    final = steps[-1][3] if steps else today
    title = (
        f"Plan: {pct} from {'' if stable else '≥ '}{fmt_ms(today)} to "
        f"{fmt_ms(final)} in {len(steps)} step(s)"
        if steps
        else f"Plan: no fixes listed; {pct} stays at {fmt_ms(today)}"
    )
    numbered = len(steps) > CROWDED
    today_value = fmt_ms(today) if stable else f"≥ {fmt_ms(today)}"
    today_tip = f"Today: {pct} {'' if stable else '≥ '}{ms_text(today)}"
    today_tip += _verdict(a.meets_sla, target)
    if not stable:
        today_tip += "\nA lower bound: the queue grows without limit."
    bars = [
        PlanBar(
            number=0,
            kind="today",
            name="Today",
            note="" if stable else "(queue unbounded)",
            tick="Today",
            low_ms=0.0,
            high_ms=today,
            projected_ms=today,
            saving_ms=None,
            connect_ms=None,
            fill="naive",
            hatched=False,
            value_label=today_value,
            tip=today_tip,
        )
    ]
    before, unbounded = today, not stable
    for i, (rule, step_title, saving, projected, meets) in enumerate(steps, 1):
        # from an unbounded queue, the step that restores a steady state makes the number
        # finite (and larger than the queue-free lower bound): that is no loss, so no red
        restores = unbounded and getattr(a.plan[i - 1], "steady_state", True) is not False
        unbounded = unbounded and not restores
        name = step_title or rule
        if restores:
            effect = "restores a steady state (the queue keeps up)"
        elif saving >= 0:
            effect = f"saves {ms_text(saving)}"
        else:
            effect = f"costs {ms_text(-saving)}"
        bars.append(
            PlanBar(
                number=i,
                kind="step",
                name=name,
                note="",
                tick=str(i) if numbered else name,
                low_ms=min(before, projected),
                high_ms=max(before, projected),
                projected_ms=projected,
                saving_ms=saving,
                connect_ms=before,
                fill="wait" if restores else "good" if saving >= 0 else "bad",
                hatched=restores,
                value_label=f"{fmt_ms(projected)}{' ✓' if meets else ''}",
                tip=f"{i}. {name}\n{effect.capitalize()}: {pct} {ms_text(projected)}"
                f"{_verdict(meets, target)}",
            )
        )
        before = projected
    if steps:
        met = final <= target
        bars.append(
            PlanBar(
                number=len(steps) + 1,
                kind="after",
                name="After plan",
                note="",
                tick="After plan",
                low_ms=0.0,
                high_ms=final,
                projected_ms=final,
                saving_ms=today - final,
                connect_ms=None,
                fill="series",  # a level, not a saving: never the steps' green
                hatched=False,
                value_label=fmt_ms(final),
                tip=f"After plan: {pct} {ms_text(final)}{_verdict(met, target)}\n"
                f"{len(steps)} step(s) save {ms_text(today - final)} in all",
            )
        )
    message = ""
    if not steps:
        message = (
            "The path meets its SLA: nothing to fix."
            if a.meets_sla
            else "No fixes found for this path yet."
        )
    return PlanSpec(
        title=title,
        percentile=pct,
        today_ms=today,
        final_ms=final,
        target_ms=target,
        bars=tuple(bars),
        numbered=numbered,
        message=message,
        sla_label=f"SLA {fmt_ms(target)}",
        axis_label=f"projected {pct} (ms)",
        axis_max_ms=max([today, target, *(step[3] for step in steps)]) * 1.3,
    )


def _verdict(meets: bool, target: float) -> str:
    return f" ({'meets' if meets else 'misses'} the {fmt_ms(target)} SLA)"
