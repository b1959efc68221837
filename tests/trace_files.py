"""Trace files the importer tests write: the same known requests in every format.

Every request of a small RAG service has a known shape (embed, two searches in parallel, an LLM
call with its own children, two cache reads, the handler's own time) and durations drawn with a
fixed seed in whole microseconds, so that every format (ns, µs, ms) holds them exactly and the
expected percentiles are computed from the same numbers. Requests start 50 ms apart, or at the
times a test gives (`arrivals_us` for a known traffic pattern).
"""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

T0_US = 1_763_000_000_000_000  # a Unix time in µs


@dataclass
class Node:
    name: str
    start_us: int
    dur_us: int
    attrs: dict[str, str] = field(default_factory=dict)
    kind: str = "internal"
    children: list[Node] = field(default_factory=list)
    span_id: str = ""

    @property
    def end_us(self) -> int:
        return self.start_us + self.dur_us


@dataclass
class Request:
    trace_id: str
    root: Node
    expected: dict[str, list[int]]  # stage -> per-call durations (µs) in this request


def _lognormal_us(rng: random.Random, median_ms: float, sigma: float) -> int:
    return max(1, round(median_ms * 1000 * rng.lognormvariate(0, sigma)))


def arrivals_us(phases: list[tuple[float, float]]) -> list[int]:
    """Evenly spaced request starts: `rate` requests/s for `seconds`, phase after phase."""
    out: list[int] = []
    begin = 0.0
    for rate, seconds in phases:
        out += [T0_US + round((begin + k / rate) * 1e6) for k in range(round(rate * seconds))]
        begin += seconds
    return out


def make_requests(
    n: int, seed: int = 1, llm_share: float = 1.0, starts_us: list[int] | None = None
) -> list[Request]:
    """`llm_share` < 1: a cached answer skips the LLM call (and its children) on the other
    requests, so "llm generate" is a conditional stage; 1 draws exactly the default stream.
    `starts_us`: when each request starts (default: 50 ms apart)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        t = starts_us[i] if starts_us is not None else T0_US + i * 50_000
        embed = Node(
            "embed query",
            t + 100,
            _lognormal_us(rng, 20, 0.3),
            {"gen_ai.operation.name": "embeddings"},
            "client",
        )
        s0 = embed.end_us + 50
        vec = Node(
            "vector search", s0, _lognormal_us(rng, 40, 0.4), {"db.system": "qdrant"}, "client"
        )
        kw = Node(
            "keyword search",
            s0 + 5,
            _lognormal_us(rng, 30, 0.5),
            {"db.system": "elasticsearch"},
            "client",
        )
        l0 = max(vec.end_us, kw.end_us) + 50
        tok = Node("tokenize", l0 + 10, _lognormal_us(rng, 2, 0.2))
        dec = Node("decode", tok.end_us + 10, _lognormal_us(rng, 250, 0.25))
        llm = Node(
            "llm generate",
            l0,
            (dec.end_us + 20) - l0,
            {"gen_ai.system": "openai"},
            "client",
            [tok, dec],
        )
        called = llm_share >= 1.0 or rng.random() < llm_share
        after_llm = llm.end_us if called else l0
        r1 = Node(
            "redis GET",
            after_llm + 30,
            _lognormal_us(rng, 1, 0.5),
            {"db.system": "redis"},
            "client",
        )
        r2 = Node(
            "redis GET",
            r1.end_us + 30,
            _lognormal_us(rng, 1, 0.5),
            {"db.system": "redis"},
            "client",
        )
        end = r2.end_us + 200
        sequential = [embed, llm, r1, r2] if called else [embed, r1, r2]
        kids = [embed, vec, kw, llm, r1, r2] if called else [embed, vec, kw, r1, r2]
        root = Node("POST /chat", t, end - t, {"http.request.method": "POST"}, "server", kids)
        union = sum(k.dur_us for k in sequential) + (max(vec.end_us, kw.end_us) - s0)
        expected = {
            "embed query": [embed.dur_us],
            "vector search": [vec.dur_us],
            "keyword search": [kw.dur_us],
            "llm generate": [llm.dur_us] if called else [],
            "redis GET": [r1.dur_us, r2.dur_us],
            "POST /chat (own time)": [root.dur_us - union],
            "__end_to_end__": [root.dur_us],
            "__llm_children__": (
                [tok.dur_us, dec.dur_us, llm.dur_us - tok.dur_us - dec.dur_us] if called else []
            ),
        }
        trace_id = f"{i + 1:032x}"
        _assign_ids(root, i)
        out.append(Request(trace_id, root, expected))
    return out


def _assign_ids(root: Node, i: int) -> None:
    counter = 0
    stack = [root]
    while stack:
        node = stack.pop()
        counter += 1
        node.span_id = f"{i:08x}{counter:08x}"
        stack.extend(node.children)


def expected_ms(requests: list[Request], stage: str) -> np.ndarray:
    return np.array([d for r in requests for d in r.expected[stage]], dtype=float) / 1000.0


def _walk(node: Node, parent: Node | None = None):
    yield node, parent
    for child in node.children:
        yield from _walk(child, node)


# ------------------------------------------------------------------ OTLP


def _otlp_span(r: Request, node: Node, parent: Node | None) -> dict:
    kinds = {"internal": 1, "server": 2, "client": 3}
    span = {
        "traceId": r.trace_id,
        "spanId": node.span_id,
        "parentSpanId": parent.span_id if parent else "",
        "name": node.name,
        "kind": kinds[node.kind],
        "startTimeUnixNano": str(node.start_us * 1000),
        "endTimeUnixNano": str(node.end_us * 1000),
        "attributes": [{"key": k, "value": {"stringValue": v}} for k, v in node.attrs.items()],
        "status": {},
    }
    return span


def _otlp_doc(spans: list[dict]) -> dict:
    return {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": "chat"}}]
                },
                "scopeSpans": [{"scope": {"name": "tests"}, "spans": spans}],
            }
        ]
    }


def write_otlp_lines(requests: list[Request], path: Path, split: bool = True) -> Path:
    """The collector file exporter's shape; with `split` a trace's root comes a line later
    than its children (as batches do), to exercise the assembly across lines."""
    lines = []
    held: list[dict] = []
    for r in requests:
        spans = [_otlp_span(r, n, p) for n, p in _walk(r.root)]
        if split:
            lines.append(_otlp_doc(spans[1:] + held))
            held = spans[:1]
        else:
            lines.append(_otlp_doc(spans))
    if held:
        lines.append(_otlp_doc(held))
    path.write_text("".join(json.dumps(d) + "\n" for d in lines))
    return path


def write_otlp_export(requests: list[Request], path: Path) -> Path:
    spans = [_otlp_span(r, n, p) for r in requests for n, p in _walk(r.root)]
    path.write_text(json.dumps(_otlp_doc(spans), indent=2))
    return path


# ------------------------------------------------------------------ Jaeger, Zipkin


def write_jaeger(requests: list[Request], path: Path) -> Path:
    data = []
    for r in requests:
        spans = []
        for node, parent in _walk(r.root):
            tags = [{"key": k, "type": "string", "value": v} for k, v in node.attrs.items()]
            tags.append({"key": "span.kind", "type": "string", "value": node.kind})
            spans.append(
                {
                    "traceID": r.trace_id,
                    "spanID": node.span_id,
                    "operationName": node.name,
                    "references": (
                        [{"refType": "CHILD_OF", "traceID": r.trace_id, "spanID": parent.span_id}]
                        if parent
                        else []
                    ),
                    "startTime": node.start_us,
                    "duration": node.dur_us,
                    "tags": tags,
                    "logs": [],
                    "processID": "p1",
                    "warnings": None,
                }
            )
        data.append(
            {
                "traceID": r.trace_id,
                "spans": spans,
                "processes": {"p1": {"serviceName": "chat", "tags": []}},
            }
        )
    path.write_text(json.dumps({"data": data, "total": 0, "limit": 0, "offset": 0, "errors": None}))
    return path


def write_zipkin(requests: list[Request], path: Path) -> Path:
    spans = []
    for r in requests:
        for node, parent in _walk(r.root):
            span = {
                "traceId": r.trace_id,
                "id": node.span_id[-16:],
                "name": node.name,
                "timestamp": node.start_us,
                "duration": node.dur_us,
                "localEndpoint": {"serviceName": "chat"},
                "tags": dict(node.attrs),
            }
            if parent:
                span["parentId"] = parent.span_id[-16:]
            if node.kind != "internal":
                span["kind"] = node.kind.upper()
            spans.append(span)
    path.write_text(json.dumps(spans))
    return path


# ------------------------------------------------------------------ Chrome trace (PyTorch)


def write_chrome(steps: int, path: Path, seed: int = 3, gz: bool = True) -> dict[str, list[float]]:
    """A PyTorch-profiler-like trace: ProfilerStep#N with forward/backward/optimizer inside,
    aten ops nested below, and GPU kernels on another track. Returns stage -> durations (ms)."""
    events, expected = chrome_events(steps, seed)
    write_chrome_document(events, path, gz)
    return expected


def write_chrome_document(events: list[dict], path: Path, gz: bool = True) -> Path:
    doc = {
        "schemaVersion": 1,
        "deviceProperties": [{"id": 0, "name": "Test GPU"}],
        "traceEvents": [
            {"ph": "M", "name": "process_name", "pid": 1, "args": {"name": "python"}},
            *events,
        ],
        "traceName": "test",
    }
    raw = json.dumps(doc).encode()
    path.write_bytes(gzip.compress(raw) if gz else raw)
    return path


def write_chrome_array(events: list[dict], path: Path, closed: bool = True) -> Path:
    """The JSON array form, one event a line; without `]` (and with a trailing comma) when not
    `closed`, as a process that stopped while tracing leaves it."""
    lines = ",\n".join(json.dumps(e) for e in events)
    path.write_text("[\n" + lines + ("\n]\n" if closed else ",\n"))
    return path


def as_begin_end(
    events: list[dict], every: int = 1, name_ends: bool = False, order: str = "file"
) -> list[dict]:
    """The same trace with complete (X) events written as B/E pairs: every `every`-th X event
    (so 2 mixes both forms), E events named only when `name_ends`. `order`: "file" puts each
    E right after its B (so the file is out of time order), "time" sorts all events by time
    (threads interleave), "shuffled" is any order."""
    out: list[dict] = []
    x_index = 0
    for event in events:
        if event["ph"] != "X" or x_index % every:
            x_index += event["ph"] == "X"
            out.append(event)
            continue
        x_index += 1
        begin = {k: v for k, v in event.items() if k != "dur"} | {"ph": "B"}
        end = {
            "ph": "E",
            "pid": event["pid"],
            "tid": event["tid"],
            "ts": event["ts"] + event["dur"],
        }
        if name_ends:
            end["name"] = event["name"]
        out += [begin, end]
    if order == "time":
        out.sort(key=lambda e: e["ts"])
    elif order == "shuffled":
        random.Random(5).shuffle(out)
    return out


def chrome_events(
    steps: int, seed: int = 3, threads: int = 1
) -> tuple[list[dict], dict[str, list[float]]]:
    """The events of `write_chrome` (complete X events, step after step); with `threads`, step
    i runs on thread 1 + i % threads, each thread with its own clock, so they overlap in time.
    Returns (events, stage -> durations in ms)."""
    rng = random.Random(seed)
    events: list[dict] = []
    expected: dict[str, list[float]] = {
        "forward": [],
        "backward": [],
        "Optimizer.step#SGD.step": [],
    }
    expected["ProfilerStep#N (own time)"] = []
    clocks = [1_000_000.0 + 3 * k for k in range(threads)]
    for step in range(steps):
        tid = 1 + step % threads
        t = clocks[tid - 1]
        fwd = _lognormal_us(rng, 8, 0.2)
        bwd = _lognormal_us(rng, 15, 0.2)
        opt = _lognormal_us(rng, 2, 0.3)
        gap = 7
        step_start = t
        cursor = t + gap
        events.append(
            {
                "ph": "X",
                "cat": "python_function",
                "name": "forward",
                "pid": 1,
                "tid": tid,
                "ts": cursor,
                "dur": fwd,
            }
        )
        inner = _lognormal_us(rng, 3, 0.2)
        events.append(
            {
                "ph": "X",
                "cat": "cpu_op",
                "name": "aten::linear",
                "pid": 1,
                "tid": tid,
                "ts": cursor + 1,
                "dur": min(inner, fwd - 2),
            }
        )
        events.append(
            {
                "ph": "X",
                "cat": "Kernel" if step % 2 else "kernel",  # older and newer profilers
                "name": "sgemm_128x64",
                "pid": 0,
                "tid": "stream 7",
                "ts": cursor + 5,
                "dur": 40,
            }
        )
        cursor += fwd + gap
        events.append(
            {
                "ph": "X",
                "cat": "python_function",
                "name": "backward",
                "pid": 1,
                "tid": tid,
                "ts": cursor,
                "dur": bwd,
            }
        )
        cursor += bwd + gap
        events.append(
            {
                "ph": "X",
                "cat": "user_annotation",
                "name": "Optimizer.step#SGD.step",
                "pid": 1,
                "tid": tid,
                "ts": cursor,
                "dur": opt,
            }
        )
        cursor += opt + gap
        events.append(
            {
                "ph": "X",
                "cat": "user_annotation",
                "name": f"ProfilerStep#{step}",
                "pid": 1,
                "tid": tid,
                "ts": step_start,
                "dur": cursor - step_start,
            }
        )
        expected["forward"].append(fwd / 1000)
        expected["backward"].append(bwd / 1000)
        expected["Optimizer.step#SGD.step"].append(opt / 1000)
        expected["ProfilerStep#N (own time)"].append(4 * gap / 1000)
        clocks[tid - 1] = cursor + 100
    return events, expected


# ------------------------------------------------------------------ CSV


def write_wide_csv(
    requests: list[Request], path: Path, excel: bool = False, times: str | None = None
) -> Path:
    """One row per request, one column per stage (ms); `excel`: BOM, `;` and decimal commas.
    `times`: a column of request start times, "iso" (ISO 8601, UTC) or "unix_ms"."""
    stages = ["embed query", "vector search", "llm generate"]
    sep = ";" if excel else ","
    header = ["request_id", *[f"{s} (ms)" for s in stages], "total_ms"]
    if times:
        header.insert(1, "timestamp")
    rows = [sep.join(header)]
    for i, r in enumerate(requests):
        values = [r.expected[s][0] / 1000 for s in stages]
        cells = [f"{v:.3f}" for v in [*values, r.expected["__end_to_end__"][0] / 1000]]
        if excel:
            cells = [c.replace(".", ",") for c in cells]
        if times == "iso":
            moment = datetime.fromtimestamp(r.root.start_us / 1e6, tz=UTC)
            cells.insert(0, moment.isoformat(timespec="microseconds").replace("+00:00", "Z"))
        elif times == "unix_ms":
            cells.insert(0, f"{r.root.start_us / 1000:.3f}")
        rows.append(sep.join([f"req-{i}", *cells]))
    text = "\r\n".join(rows) + "\r\n"
    path.write_bytes(("\ufeff" + text).encode("utf-8") if excel else text.encode())
    return path


def write_chrome_requests(starts_us: list[int], path: Path, threads: int = 8) -> Path:
    """Hand-instrumented serving as B/E pairs: one `handle request` per request (with a
    nested `infer`), on `threads` worker threads in turn, times relative to the first request
    (as Chrome traces often are), written in time order so the threads interleave."""
    events = []
    for i, start in enumerate(starts_us):
        ts = start - starts_us[0]
        tid = 1 + i % threads
        events += [
            {"ph": "B", "name": "handle request", "pid": 1, "tid": tid, "ts": ts},
            {"ph": "B", "name": "infer", "pid": 1, "tid": tid, "ts": ts + 1_000},
            {"ph": "E", "pid": 1, "tid": tid, "ts": ts + 90_000},
            {"ph": "E", "pid": 1, "tid": tid, "ts": ts + 100_000},
        ]
    events.sort(key=lambda e: e["ts"])
    return write_chrome_array(events, path)
