"""Streaming assembly of spans into traces, and of trace breakdowns into per-stage statistics.

Spans arrive in any order, a trace's spans possibly spread over several batches. We buffer spans
by trace and close a trace once no span of it has arrived for a while (or when the buffer is
full), so memory holds only the traces in flight plus a bounded reservoir per stage.
"""

from __future__ import annotations

import statistics
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from latency_advisor.importers.critical_path import OWN_TIME, TraceBreakdown, breakdown
from latency_advisor.importers.mapping import ImportMapping
from latency_advisor.importers.spans import Span
from latency_advisor.importers.stats import Reservoir
from latency_advisor.importers.traffic import Arrivals

IDLE_BATCHES = 64
# a trace whose root has not come yet waits until the file's clock is this far past its spans
ROOTLESS_GRACE_MS = 10 * 60 * 1000
MAX_PENDING_SPANS = 200_000
MAX_STAGES = 300
MAX_HINTS = 12


@dataclass
class StageStats:
    """What we learned about one stage over all traces."""

    name: str
    samples: Reservoir = field(default_factory=Reservoir)
    span_names: Counter = field(default_factory=Counter)
    hints: set[str] = field(default_factory=set)
    offset_sum: float = 0.0
    traces: int = 0
    calls_per_trace: Counter = field(default_factory=Counter)
    groups: Counter = field(default_factory=Counter)
    fan_out: Counter = field(default_factory=Counter)
    own_time: bool = False

    def observe(
        self,
        duration: float,
        offset: float,
        span_name: str,
        hints: tuple[str, ...],
        group: frozenset[str] | None,
        fan_out: int,
    ) -> None:
        self.samples.add(duration)
        self.offset_sum += offset
        if len(self.span_names) < 20 or span_name in self.span_names:
            self.span_names[span_name] += 1
        if len(self.hints) < MAX_HINTS:
            self.hints.update(hints[: MAX_HINTS - len(self.hints)])
        self.groups[group] += 1
        if fan_out > 1:
            self.fan_out[fan_out] += 1

    @property
    def mean_offset(self) -> float:
        return self.offset_sum / max(self.samples.count, 1)

    @property
    def typical_calls(self) -> int:
        """Median sequential calls per trace that has the stage (at least 1)."""
        counts = sorted(self.calls_per_trace.elements())
        return max(1, round(statistics.median(counts))) if counts else 1


class TraceCollector:
    """Feed spans with `add`, call `end_batch` after each input batch, then `finish`."""

    def __init__(self, mapping: ImportMapping):
        self.mapping = mapping
        self.stages: dict[str, StageStats] = {}
        self.end_to_end = Reservoir()
        self.root_names: Counter = Counter()
        self.arrivals = Arrivals()  # root start times: the request rate the file shows
        self.traces = 0
        self.spans = 0
        self.dropped_stages = 0
        self.skipped_traces = 0
        self._pending: OrderedDict[str, list[Span]] = OrderedDict()
        self._state: dict[str, list] = {}  # trace -> [last batch, last end ms, has root]
        self._clock = float("-inf")
        self._pending_spans = 0
        self._batch = 0
        self._names: dict[str, str | None] = {}

    def stage_name(self, span_name: str) -> str | None:
        if span_name not in self._names:
            if len(self._names) > 100_000:
                return self.mapping.stage_name(span_name)
            self._names[span_name] = self.mapping.stage_name(span_name)
        return self._names[span_name]

    def add(self, span: Span) -> None:
        self.spans += 1
        bucket = self._pending.get(span.trace_id)
        if bucket is None:
            self._pending[span.trace_id] = bucket = []
        else:
            self._pending.move_to_end(span.trace_id)
        bucket.append(span)
        state = self._state.get(span.trace_id)
        if state is None:
            state = self._state[span.trace_id] = [self._batch, span.end_ms, False]
        state[0] = self._batch
        state[1] = max(state[1], span.end_ms)
        state[2] = state[2] or not span.parent_id
        self._clock = max(self._clock, span.end_ms)
        self._pending_spans += 1
        if self._pending_spans > MAX_PENDING_SPANS:
            self._close_oldest(self._pending_spans - MAX_PENDING_SPANS // 2)

    def end_batch(self) -> None:
        """Close traces idle for IDLE_BATCHES batches: at once when their root has come (the
        root ends last, so its children are in), else once the file's clock is well past them."""
        self._batch += 1
        cutoff = self._batch - IDLE_BATCHES
        for _ in range(len(self._pending)):
            trace_id = next(iter(self._pending))
            state = self._state[trace_id]
            if state[0] > cutoff:
                break
            if state[2] or self._clock - state[1] > ROOTLESS_GRACE_MS:
                self._close(trace_id)
            else:  # look again IDLE_BATCHES batches later
                self._pending.move_to_end(trace_id)
                state[0] = self._batch

    def finish(self) -> None:
        while self._pending:
            self._close(next(iter(self._pending)))

    def _close_oldest(self, spans: int) -> None:
        while self._pending and spans > 0:
            trace_id = next(iter(self._pending))
            spans -= len(self._pending[trace_id])
            self._close(trace_id)

    def _close(self, trace_id: str) -> None:
        spans = self._pending.pop(trace_id)
        del self._state[trace_id]
        self._pending_spans -= len(spans)
        result = breakdown(spans, self.stage_name, self.mapping.depth)
        if result is None or not result.observations:
            self.skipped_traces += 1
            return
        self.record(result)

    def record(self, trace: TraceBreakdown) -> None:
        self.traces += 1
        self.end_to_end.add(trace.total_ms)
        if len(self.root_names) < 50 or trace.root_name in self.root_names:
            self.root_names[trace.root_name] += 1
        self.arrivals.add(trace.start_ms)
        calls: Counter = Counter()
        for obs in trace.observations:
            stats = self.stages.get(obs.stage)
            if stats is None:
                if len(self.stages) >= MAX_STAGES:
                    self.dropped_stages += 1
                    continue
                stats = self.stages[obs.stage] = StageStats(obs.stage)
                stats.own_time = obs.stage.endswith(OWN_TIME)
            stats.observe(
                obs.duration_ms, obs.offset_ms, obs.span_name, obs.hints, obs.group, obs.fan_out
            )
            if obs.group is None:
                calls[obs.stage] += 1
        for name in {obs.stage for obs in trace.observations if obs.stage in self.stages}:
            self.stages[name].traces += 1
            if calls[name]:
                self.stages[name].calls_per_trace[calls[name]] += 1
