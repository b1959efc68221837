"""Jaeger UI JSON export ({"data": [trace, ...]}, or one trace): times in microseconds, the
parent in `references` (CHILD_OF) or, in old exports, `parentSpanID`; tags as key/value lists."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, WrapValidator

from latency_advisor.importers.json_models import LENIENT, StreamSpec, or_none
from latency_advisor.importers.spans import Clock, ReadCounts, Span, hints_from


class _Tag(BaseModel):
    model_config = LENIENT
    key: str
    value: Any = None


class _Reference(BaseModel):
    model_config = LENIENT
    refType: str = "CHILD_OF"
    spanID: str


class _Span(BaseModel):
    model_config = LENIENT
    traceID: str
    spanID: str
    operationName: str = ""
    references: list[_Reference] = []
    parentSpanID: str | None = None
    startTime: float
    duration: float
    tags: list[_Tag] = []


class _Trace(BaseModel):
    model_config = LENIENT
    spans: list[Annotated[_Span | None, WrapValidator(or_none)]]


class _Export(BaseModel):
    model_config = LENIENT
    data: list[_Trace]


ADAPTER = TypeAdapter(_Export | _Trace)
STREAM = StreamSpec(
    {"{": "data.item"},
    lambda: TRACE_ADAPTER,
    lambda traces: _Export.model_construct(data=traces),
    batch=16,
)
TRACE_ADAPTER = TypeAdapter(_Trace)


def spans(doc: _Export | _Trace, clock: Clock, counts: ReadCounts) -> Iterator[Span]:
    traces = doc.data if isinstance(doc, _Export) else [doc]
    for trace in traces:
        for s in trace.spans:
            if s is None:
                counts.malformed += 1
                continue
            parent = next((r.spanID for r in s.references if r.refType == "CHILD_OF"), None)
            if parent is None and s.references:
                parent = s.references[0].spanID  # FOLLOWS_FROM still nests under its cause
            tags = {t.key: t.value for t in s.tags}
            kind = tags.pop("span.kind", None)
            yield Span(
                trace_id=s.traceID,
                span_id=s.spanID,
                parent_id=parent or s.parentSpanID or None,
                name=s.operationName,
                start_ms=clock.ms(s.startTime),
                end_ms=clock.ms(s.startTime + s.duration),
                hints=hints_from(tags, str(kind) if kind is not None else None),
            )
