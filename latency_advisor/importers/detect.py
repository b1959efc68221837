"""Which format a file is, from its content (the first 64 KB, decompressed), not its name."""

from __future__ import annotations

import re
from pathlib import Path

from latency_advisor.importers.csv_timings import UTF16_BOMS, decode, looks_like_csv
from latency_advisor.importers.errors import ImporterError

FORMATS = ("otlp", "jaeger", "zipkin", "chrome", "prometheus", "csv")
FORMAT_NAMES = {
    "otlp": "OpenTelemetry OTLP JSON",
    "jaeger": "Jaeger JSON",
    "zipkin": "Zipkin v2 JSON",
    "chrome": "Chrome trace (PyTorch profiler)",
    "prometheus": "Prometheus text exposition",
    "csv": "CSV stage timings",
}
PROMETHEUS_HINT = re.compile(
    rb"^# TYPE \S+ (histogram|summary)\s*$|^[A-Za-z_:][A-Za-z0-9_:]*_bucket\{[^}]*\ble=\"",
    re.MULTILINE,
)
SUPPORTED = (
    "OpenTelemetry OTLP JSON (lines or one export), Jaeger JSON, Zipkin v2 JSON, Chrome trace "
    "JSON (PyTorch profiler, also gzipped), Prometheus histograms, or CSV stage timings"
)


def detect_format(head: bytes, path: Path) -> str:
    """One of FORMATS, or ImporterError saying what the file looks like and what we read."""
    if not head.strip():
        raise ImporterError(path, "the file is empty")
    wide = _wide_encoding(head)
    if wide == "UTF-16" and looks_like_csv(decode(head)):
        return "csv"  # Excel's "Unicode text" export: UTF-16, tab-separated
    if wide:
        raise ImporterError(
            path,
            f"the file is {wide} text (it starts with a {wide} byte-order mark); traces and "
            "metrics are read as UTF-8: convert it first, e.g. `iconv -f "
            f"{wide} -t UTF-8 FILE > FILE.utf8`",
        )
    if b"\x00" in head:
        raise ImporterError(path, f"a binary file; expected {SUPPORTED}")
    body = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if body[:1] in (b"{", b"["):
        return _json_kind(body, path)
    if PROMETHEUS_HINT.search(body):
        return "prometheus"
    if looks_like_csv(decode(body)):
        return "csv"
    raise ImporterError(path, f"not a format we can import; expected {SUPPORTED}")


def _wide_encoding(head: bytes) -> str | None:
    """'UTF-16' or 'UTF-32' when the file starts with that byte-order mark."""
    if head[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return "UTF-32"
    if head[:2] in UTF16_BOMS:
        return "UTF-16"
    return None


def _json_kind(body: bytes, path: Path) -> str:
    if b'"resourceSpans"' in body or (
        b'"batches"' in body
        and (b'"scopeSpans"' in body or b'"instrumentationLibrarySpans"' in body)
    ):
        return "otlp"  # also Grafana Tempo's trace JSON (`batches`)
    if b'"traceEvents"' in body or (b'"ph"' in body and b'"ts"' in body):
        return "chrome"
    if b'"operationName"' in body or b'"spanID"' in body:
        return "jaeger"
    if b'"traceId"' in body and (b'"timestamp"' in body or b'"id"' in body):
        return "zipkin"
    raise ImporterError(
        path,
        "a JSON file, but not a trace we know: expected OTLP (`resourceSpans`), Jaeger "
        "(`data` with `spans` and `operationName`), Zipkin v2 (a list of spans with `traceId`, "
        "`id`, `timestamp`, `duration`) or Chrome trace events (`traceEvents` with `ph`, `ts`)",
    )
