"""The one shape every trace format is read into: a span with ids, a name, times and hints."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Span:
    """One timed operation. Times are milliseconds on the trace's own clock.

    `hints` are a few "key=value" strings (span kind, db.system, rpc.system, ...) that the kind
    guess reads; formats fill only what they know.
    """

    trace_id: str
    span_id: str
    parent_id: str | None
    name: str
    start_ms: float
    end_ms: float
    hints: tuple[str, ...] = ()

    @property
    def duration_ms(self) -> float:
        return self.end_ms - self.start_ms


HINT_KEYS = (
    "db.system",
    "rpc.system",
    "http.method",
    "http.request.method",
    "http.url",
    "url.full",
    "messaging.system",
    "gen_ai.system",
    "gen_ai.operation.name",
    "gen_ai.request.model",
    "llm.model_name",
    "db.vector.query.top_k",
    "component",
    "peer.service",
)
HINT_PREFIXES = ("db.", "rpc.", "http.", "gen_ai.", "llm.", "messaging.")


def hints_from(attributes: dict[str, object], span_kind: str | None = None) -> tuple[str, ...]:
    """The attribute hints worth keeping for a kind guess (a handful of short strings)."""
    out: list[str] = []
    if span_kind:
        out.append(f"span.kind={span_kind.lower()}")
    for key, value in attributes.items():
        if key in HINT_KEYS or key.startswith(HINT_PREFIXES):
            text = str(value)
            out.append(f"{key}={text[:40]}")
            if len(out) >= 8:
                break
    return tuple(out)


@dataclass
class ReadCounts:
    """What a reader left out, for the import's warnings."""

    malformed: int = 0  # spans without the fields a span needs
    untimed: int = 0  # Zipkin spans without timestamp or duration
    shared: int = 0  # Zipkin server halves of shared spans
    gpu: int = 0  # Chrome trace device-side events
    outside_steps: int = 0  # Chrome trace events outside any ProfilerStep
    unmatched_ends: int = 0  # Chrome trace E events with no open B on their thread
    unclosed_begins: int = 0  # Chrome trace B events never closed by an E
    renamed_ends: int = 0  # Chrome trace E events named unlike the B they close
    has_steps: bool = False


class Clock:
    """Times relative to the first one seen, converted to ms: Unix times in ns or µs are too
    large for a float's precision once in ms (1.7e12 ms has 0.24 µs steps); differences of the
    raw integers are exact."""

    __slots__ = ("base", "per_ms")

    def __init__(self, per_ms: float):
        self.per_ms = per_ms
        self.base: int | float | None = None

    def ms(self, value: int | float) -> float:
        if self.base is None:
            self.base = value
        return (value - self.base) / self.per_ms
