"""Zipkin v2 JSON (a list of spans, or the API's list of traces): times in microseconds,
`duration` missing on incomplete spans (skipped), server halves of shared spans skipped (the
client span already covers them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from pydantic import BaseModel, TypeAdapter, WrapValidator

from latency_advisor.importers.json_models import LENIENT, StreamSpec, or_none
from latency_advisor.importers.spans import Clock, ReadCounts, Span, hints_from


class _Span(BaseModel):
    model_config = LENIENT
    traceId: str
    id: str
    parentId: str | None = None
    name: str = ""
    kind: str | None = None
    timestamp: float | None = None
    duration: float | None = None
    shared: bool = False
    tags: dict[str, str | int | float | bool | None] = {}


_Item = Annotated[_Span | None, WrapValidator(or_none)]
ADAPTER = TypeAdapter(list[_Item] | list[list[_Item]])
# streamed: each item of the top-level list is a span, or a trace (a list of spans)
STREAM = StreamSpec({"[": "item"}, lambda: ITEM_ADAPTER, list, batch=2000)
ITEM_ADAPTER = TypeAdapter(_Item | list[_Item])


def spans(doc: list, counts: ReadCounts, clock: Clock) -> Iterator[Span]:
    flat = [s for item in doc for s in (item if isinstance(item, list) else [item])]
    for s in flat:
        if s is None:
            counts.malformed += 1
            continue
        if s.timestamp is None or s.duration is None:
            counts.untimed += 1
            continue
        if s.shared:
            counts.shared += 1
            continue
        yield Span(
            trace_id=s.traceId,
            span_id=s.id,
            parent_id=s.parentId or None,
            name=s.name,
            start_ms=clock.ms(s.timestamp),
            end_ms=clock.ms(s.timestamp + s.duration),
            hints=hints_from(dict(s.tags), s.kind),
        )
