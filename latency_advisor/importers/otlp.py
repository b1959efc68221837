"""OpenTelemetry OTLP JSON: the collector's file exporter (one ExportTraceServiceRequest per
line) or a single export. Times are Unix nanoseconds, often written as strings; ids are hex."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    BaseModel,
    Field,
    TypeAdapter,
    WrapValidator,
    model_validator,
)

from latency_advisor.importers.json_models import LENIENT, StreamSpec, or_none
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


class _SpanTimes(BaseModel):
    """A span without its attributes: what most lines need, and twice as fast to read."""

    model_config = LENIENT
    traceId: str
    spanId: str
    parentSpanId: str | None = None
    name: str = ""
    kind: int | str | None = None
    startTimeUnixNano: UnixNano
    endTimeUnixNano: UnixNano


class _Span(_SpanTimes):
    attributes: list[_KeyValue] = []


def _adapters(span: type[_SpanTimes]) -> tuple[TypeAdapter, TypeAdapter]:
    """(a whole export, one of its resourceSpans items) with spans read as `span`."""

    class Scope(BaseModel):
        model_config = LENIENT
        spans: list[Annotated[span | None, WrapValidator(or_none)]] = []  # type: ignore[valid-type]

    class ResourceSpans(BaseModel):
        model_config = LENIENT
        scopeSpans: list[Scope] = []
        instrumentationLibrarySpans: list[Scope] = []  # before OTLP 0.15

    class Export(BaseModel):
        model_config = LENIENT
        # Grafana Tempo writes `batches`; Jaeger's api/v3 wraps the export in `result`
        resourceSpans: list[ResourceSpans] = Field(
            validation_alias=AliasChoices("resourceSpans", "batches")
        )

        @model_validator(mode="before")
        @classmethod
        def _unwrap(cls, data: Any) -> Any:
            if isinstance(data, dict) and isinstance(data.get("result"), dict):
                return data["result"]
            return data

    return TypeAdapter(Export), TypeAdapter(ResourceSpans)


ADAPTER, ITEM_ADAPTER = _adapters(_Span)
TIMES_ADAPTER, TIMES_ITEM_ADAPTER = _adapters(_SpanTimes)


@dataclass
class _Batch:
    """Streamed resourceSpans items, read like one export."""

    resourceSpans: list  # the OTLP field name


QUIET_DOCUMENTS = 20


class OtlpReader:
    """Reads attributes (for the kind guess) only while documents still bring new span names:
    after 20 documents with none, lines are read without attributes until a new name shows."""

    def __init__(self, clock: Clock, counts: ReadCounts):
        self.clock = clock
        self.counts = counts
        self.names: set[str] = set()
        self.quiet = 0

    def adapter(self) -> TypeAdapter:
        return ADAPTER if self.quiet < QUIET_DOCUMENTS else TIMES_ADAPTER

    def item_adapter(self) -> TypeAdapter:
        return ITEM_ADAPTER if self.quiet < QUIET_DOCUMENTS else TIMES_ITEM_ADAPTER

    def stream_spec(self) -> StreamSpec:
        return StreamSpec({"{": "resourceSpans.item"}, self.item_adapter, _Batch, batch=16)
        # (Tempo's `batches` and api/v3's `result` documents are read whole: the prefix above
        # finds no items in them)

    def spans(self, export) -> Iterator[Span]:
        new = False
        for span in spans(export, self.clock, self.counts):
            if span.name not in self.names and len(self.names) < 100_000:
                self.names.add(span.name)
                new = True
            yield span
        self.quiet = 0 if new else self.quiet + 1


def _kind(value: int | str | None) -> str | None:
    if isinstance(value, int):
        return SPAN_KINDS.get(value)
    if isinstance(value, str):
        return value.removeprefix("SPAN_KIND_").lower() or None
    return None


def spans(export, clock: Clock, counts: ReadCounts) -> Iterator[Span]:
    for resource in export.resourceSpans:
        for scope in (*resource.scopeSpans, *resource.instrumentationLibrarySpans):
            for s in scope.spans:
                if s is None:
                    counts.malformed += 1
                    continue
                attributes = getattr(s, "attributes", ())
                attrs = {kv.key: kv.value.text() if kv.value else "" for kv in attributes}
                yield Span(
                    trace_id=s.traceId,
                    span_id=s.spanId,
                    parent_id=s.parentSpanId or None,
                    name=s.name,
                    start_ms=clock.ms(s.startTimeUnixNano),
                    end_ms=clock.ms(s.endTimeUnixNano),
                    hints=hints_from(attrs, _kind(s.kind)),
                )
