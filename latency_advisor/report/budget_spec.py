"""What the latency-budget chart says, apart from who draws it.

The PDF draws the budget with matplotlib; the app draws it natively, so that a stage edit is on
screen in milliseconds rather than the ~80 ms matplotlib needs to lay out and render its text.
Both read this one description, so the words, numbers, order and colours cannot drift apart.
No plotting library is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass

from latency_advisor import numbers
from latency_advisor.analysis import Analysis
from latency_advisor.latency.model import WAIT_LABEL
from latency_advisor.report.tables import budget_segments, pct_label
from latency_advisor.report.ticks import nice_ticks

__all__ = ["BudgetSpec", "Segment", "budget_spec", "fmt_ms", "legible", "nice_ticks"]

MAX_SEGMENTS = 10
"""At most this many blocks in the composed bar; the smallest stages merge (the table has all)."""


def fmt_ms(value: float) -> str:
    """Milliseconds as the charts print them: whole above 10 ms, one decimal below."""
    return numbers.fmt_ms(value)


@dataclass(frozen=True)
class Segment:
    """One block of the composed bar: a stage (or the queueing wait) and its milliseconds."""

    name: str
    ms: float
    share: float  # of the composed figure, 0..1
    colour_index: int  # into Theme.series; the wait uses Theme.wait instead
    is_wait: bool


@dataclass(frozen=True)
class BudgetSpec:
    """Everything the budget chart shows, in display order."""

    title: str
    percentile: str  # "p95"
    composed_ms: float
    naive_ms: float
    target_ms: float
    segments: tuple[Segment, ...]
    composed_row: tuple[str, str]  # two lines: what the bar is, and what it means
    naive_row: tuple[str, str]
    composed_label: str
    naive_label: str
    naive_note: str  # how far the naive sum overstates; printed after the label
    sla_label: str
    axis_label: str
    axis_max_ms: float  # the value axis runs from 0 to here (room for the bar labels)

    @property
    def summary(self) -> str:
        """One sentence for screen readers: the chart's message without looking at it."""
        biggest = max(self.segments, key=lambda s: s.ms, default=None)
        lead = f"; the largest part is {biggest.name} at {fmt_ms(biggest.ms)}" if biggest else ""
        return (
            f"{self.title}. The naive sum of stage {self.percentile}s is "
            f"{fmt_ms(self.naive_ms)}{lead}."
        )


def budget_spec(analysis: Analysis) -> BudgetSpec:
    """Describe the budget chart of `analysis`."""
    a = analysis
    pct = pct_label(a.sla.percentile)
    composed = a.current.at_sla_percentile_ms
    naive = a.current.sum_of_stage_percentiles_ms
    bound = "" if a.current.steady_state else " (lower bound: the queue grows without limit)"
    title = f"Latency budget at {pct}: {fmt_ms(composed)} against a {fmt_ms(a.sla.target_ms)} SLA"
    service = a.current.service_at_sla_percentile_ms
    over = (naive / service - 1) if service > 0 else 0.0
    queued = " without the queue" if a.queueing_share > 0.0005 else ""
    segments = []
    for i, (name, ms) in enumerate(legible(budget_segments(a))):
        share = ms / composed if composed > 0 else 0.0
        segments.append(Segment(name, ms, share, i, name == WAIT_LABEL))
    return BudgetSpec(
        title=title + bound,
        percentile=pct,
        composed_ms=composed,
        naive_ms=naive,
        target_ms=a.sla.target_ms,
        segments=tuple(segments),
        composed_row=(f"Composed {pct}", "(what users see)"),
        naive_row=(f"Sum of stage {pct}s", "(naive)"),
        composed_label=fmt_ms(composed),
        naive_label=fmt_ms(naive),
        naive_note=f"({over:+.0%} vs composed service time{queued})",
        sla_label=f"SLA {pct} ≤ {fmt_ms(a.sla.target_ms)}",
        axis_label=f"milliseconds at {pct}",
        axis_max_ms=max(composed, naive, a.sla.target_ms) * 1.32,
    )


def legible(segments: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """At most MAX_SEGMENTS blocks: the smallest stages merge into one (the table has them all)."""
    stages = [s for s in segments if s[0] != WAIT_LABEL]
    if len(stages) <= MAX_SEGMENTS:
        return segments
    keep = {name for name, _ in sorted(stages, key=lambda s: -s[1])[: MAX_SEGMENTS - 1]}
    rest = [ms for name, ms in stages if name not in keep]
    merged = [s for s in segments if s[0] in keep]
    merged.append((f"{len(rest)} other stages", sum(rest)))
    merged += [s for s in segments if s[0] == WAIT_LABEL]
    return merged
