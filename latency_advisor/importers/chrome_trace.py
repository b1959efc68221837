"""Chrome trace event format as PyTorch's profiler writes it (`ph: "X"` complete events, times
in microseconds, often gzipped). Nesting comes from time containment on one thread.

Begin/end pairs (`ph: "B"` then `"E"`, as Chrome's own tracing, Perfetto's JSON, older
exporters and hand instrumentation write them) become the same events as `X` ones: per thread
(pid, tid), sorted by time, an `E` closes the innermost open `B` (its name may be left out),
as Chrome's trace viewer pairs them. An `E` with nothing open, or a `B` never closed, is
skipped and counted. The JSON array form may lack its closing `]`, as the format allows.

With `ProfilerStep#N` markers each step is one request and the ops inside it are its spans.
Without them every top-level event is one sample of its own stage. GPU-side events (kernels,
copies) run on device streams outside the CPU nesting and are left out, with a warning.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Annotated

from pydantic import BaseModel, TypeAdapter, WrapValidator

from latency_advisor.importers.json_models import LENIENT, StreamSpec, or_none
from latency_advisor.importers.spans import Clock, ReadCounts, Span

STEP = re.compile(r"^ProfilerStep#\d+$")
NESTING_SLACK_US = 1e-3  # rounding of ts and dur in the file
# device-side categories, old (Kernel, Memcpy) and new (kernel, gpu_memcpy) profiler spellings
GPU_CATEGORIES = frozenset(
    {"kernel", "memcpy", "memset", "gpu_memcpy", "gpu_memset", "gpu_user_annotation"}
)


class _Event(BaseModel):
    model_config = LENIENT
    ph: str = ""
    name: str = ""
    cat: str = ""
    ts: float | None = None
    dur: float | None = None
    pid: int | str = 0
    tid: int | str = 0


_Item = Annotated[_Event | None, WrapValidator(or_none)]


class _Document(BaseModel):
    model_config = LENIENT
    traceEvents: list[_Item]


ADAPTER = TypeAdapter(_Document | list[_Item])
# streamed: events validated one by one and kept (nesting needs a whole thread's events)
STREAM = StreamSpec(
    {"{": "traceEvents.item", "[": "item"}, lambda: EVENT_ADAPTER, list, batch=None, open_array=True
)
EVENT_ADAPTER = TypeAdapter(_Item)


def spans(doc: _Document | list[_Event], counts: ReadCounts, clock: Clock) -> Iterator[Span]:
    events = doc.traceEvents if isinstance(doc, _Document) else doc
    tracks: dict[tuple[str, str], list[_Event]] = defaultdict(list)
    marks: dict[tuple[str, str], list[_Event]] = defaultdict(list)  # B and E, in file order
    for event in events:
        if event is None:
            counts.malformed += 1
            continue
        if event.ph in ("B", "E"):
            if event.ts is None:
                counts.malformed += 1
            else:
                marks[(str(event.pid), str(event.tid))].append(event)
            continue
        if event.ph != "X" or event.ts is None or event.dur is None:
            continue
        _keep(event, tracks, counts)
    for thread in list(marks):
        for event in _paired(marks.pop(thread), counts):
            _keep(event, tracks, counts)
    counts.has_steps = any(STEP.match(e.name) for track in tracks.values() for e in track)
    for (pid, tid), track in tracks.items():
        yield from _nest(f"{pid}/{tid}", track, counts, clock)


def _keep(event: _Event, tracks: dict[tuple[str, str], list[_Event]], counts: ReadCounts) -> None:
    if event.cat.lower() in GPU_CATEGORIES:
        counts.gpu += 1
    else:
        tracks[(str(event.pid), str(event.tid))].append(event)


def _paired(marks: list[_Event], counts: ReadCounts) -> Iterator[_Event]:
    """One thread's B/E events as complete events (each B turned into an X in place, so a
    pair costs no memory beyond the events already read).

    The format lets events come in any order, so they are sorted by time first; the sort is
    stable, so events at the same time keep the file's order: an E before a B at the same
    time ends the earlier event (back to back), a B then its E is an event of no duration."""
    marks.sort(key=lambda e: e.ts)
    opened: list[_Event] = []
    for event in marks:
        if event.ph == "B":
            opened.append(event)
            continue
        if not opened:
            counts.unmatched_ends += 1
            continue
        begin = opened.pop()
        if event.name and event.name != begin.name:
            counts.renamed_ends += 1
        begin.ph, begin.dur = "X", float(event.ts) - float(begin.ts)
        yield begin
    counts.unclosed_begins += len(opened)


def _nest(track_id: str, events: list[_Event], counts: ReadCounts, clock: Clock) -> Iterator[Span]:
    """Spans with parents by containment; the trace is the enclosing step or top-level event."""
    events.sort(key=lambda e: (e.ts, -(e.dur or 0.0)))
    stack: list[tuple[float, str, str]] = []  # (end, span id, trace id)
    for index, event in enumerate(events):
        start = float(event.ts or 0.0)
        end = start + max(float(event.dur or 0.0), 0.0)
        while stack and stack[-1][0] < end - NESTING_SLACK_US:
            stack.pop()
        span_id = f"{track_id}/{index}"
        if stack:
            parent, trace = stack[-1][1], stack[-1][2]
        elif counts.has_steps and not STEP.match(event.name):
            counts.outside_steps += 1
            continue
        else:
            parent, trace = None, span_id
        stack.append((end, span_id, trace))
        yield Span(
            trace,
            span_id,
            parent,
            event.name,
            clock.ms(start),
            clock.ms(end),
            (f"cat={event.cat}",),
        )
