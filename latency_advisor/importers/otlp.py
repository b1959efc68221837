"""OpenTelemetry OTLP JSON: the collector's file exporter (one ExportTraceServiceRequest per
line) or a single export. Times are Unix nanoseconds, often written as strings; ids are hex."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from pydantic import BaseModel, Field, TypeAdapter, WrapValidator

from latency_advisor.importers.json_models import LENIENT, or_none
from latency_advisor.importers.spans import Clock, ReadCounts, Span, hints_from

NS_PER_MS = 1_000_000
UnixNano = Annotated[int, Field(ge=0, le=2**64)]
SPAN_KINDS = {1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}


class _AnyValue(BaseModel):
    model_config = LENIENT
    stringValue: str | None = None
    intValue: int | str | None = None
    boolValue: bool | None = None
    doubleValue: float | None = None

    def text(self) -> str:
        for value in (self.stringValue, self.intValue, self.boolValue, self.doubleValue):
            if value is not None:
                return str(value)
        return ""


class _KeyValue(BaseModel):
    model_config = LENIENT
    key: str
    value: _AnyValue | None = None


class _Span(BaseModel):
    model_config = LENIENT
    traceId: str
    spanId: str
    parentSpanId: str | None = None
    name: str = ""
    kind: int | str | None = None
    startTimeUnixNano: UnixNano
    endTimeUnixNano: UnixNano
    attributes: list[_KeyValue] = []


class _Scope(BaseModel):
    model_config = LENIENT
    spans: list[Annotated[_Span | None, WrapValidator(or_none)]] = []


class _ResourceSpans(BaseModel):
    model_config = LENIENT
    scopeSpans: list[_Scope] = []
    instrumentationLibrarySpans: list[_Scope] = []  # before OTLP 0.15


class _Export(BaseModel):
    model_config = LENIENT
    resourceSpans: list[_ResourceSpans]


ADAPTER = TypeAdapter(_Export)


def _kind(value: int | str | None) -> str | None:
    if isinstance(value, int):
        return SPAN_KINDS.get(value)
    if isinstance(value, str):
        return value.removeprefix("SPAN_KIND_").lower() or None
    return None


def spans(export: _Export, clock: Clock, counts: ReadCounts) -> Iterator[Span]:
    for resource in export.resourceSpans:
        for scope in (*resource.scopeSpans, *resource.instrumentationLibrarySpans):
            for s in scope.spans:
                if s is None:
                    counts.malformed += 1
                    continue
                attrs = {kv.key: kv.value.text() if kv.value else "" for kv in s.attributes}
                yield Span(
                    trace_id=s.traceId,
                    span_id=s.spanId,
                    parent_id=s.parentSpanId or None,
                    name=s.name,
                    start_ms=clock.ms(s.startTimeUnixNano),
                    end_ms=clock.ms(s.endTimeUnixNano),
                    hints=hints_from(attrs, _kind(s.kind)),
                )
