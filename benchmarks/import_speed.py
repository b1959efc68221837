"""How fast, and in how much memory, a large OTLP JSON-lines file imports.

Writes a ~100 MB collector-file-exporter file (JSON lines, string nanosecond times, hex ids,
attributes as OTLP writes them) into a temp folder, then runs `latency-advisor import` on it in a
child process, several times, and prints the median wall time and the child's peak RSS.

    .venv/bin/python benchmarks/import_speed.py [--mb 100] [--runs 3] [--export]

The goal in issue 7: under 30 s and bounded memory (the file is streamed, never loaded whole).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPAN = (
    '{{"traceId":"{tid}","spanId":"{sid}","parentSpanId":"{pid}","name":"{name}","kind":{kind},'
    '"startTimeUnixNano":"{start}","endTimeUnixNano":"{end}","attributes":[{attrs}],'
    '"droppedAttributesCount":0,"events":[],"links":[],"status":{{}},"flags":257}}'
)
ATTR = '{{"key":"{k}","value":{{"stringValue":"{v}"}}}}'
LINE = (
    '{{"resourceSpans":[{{"resource":{{"attributes":[{svc}]}},"scopeSpans":[{{"scope":'
    '{{"name":"opentelemetry.instrumentation","version":"0.48b0"}},"spans":[{spans}]}}]}}]}}\n'
)
STAGES = (
    ("embed query", 3, {"gen_ai.operation.name": "embeddings", "server.address": "api.example"}),
    ("vector search", 3, {"db.system": "qdrant", "db.operation.name": "search"}),
    ("keyword search", 3, {"db.system": "elasticsearch", "db.operation.name": "search"}),
    ("llm generate", 3, {"gen_ai.system": "openai", "gen_ai.request.model": "gpt-large"}),
    ("redis GET", 3, {"db.system": "redis", "db.operation.name": "GET"}),
    ("redis GET", 3, {"db.system": "redis", "db.operation.name": "GET"}),
    ("format answer", 1, {"code.function": "format_answer"}),
)


def write_file(
    path: Path, megabytes: float, seed: int = 1, export: bool = False
) -> tuple[int, int]:
    """Stream traces into `path` until it reaches the size; returns (traces, spans).

    `export`: one pretty-printed document (a plain export) instead of JSON lines."""
    rng = random.Random(seed)
    target = megabytes * 1_000_000
    svc = ATTR.format(k="service.name", v="chat-backend")
    written = traces = spans_out = 0
    t = 1_763_000_000_000_000_000
    with path.open("w") as out:
        if export:
            out.write('{\n  "resourceSpans": [\n')
        while written < target:
            spans = []
            for _ in range(8):  # traces per line, as a batching exporter writes them
                traces += 1
                tid = f"{traces:032x}"
                root_id = f"{traces:012x}0000"
                cursor = t + 100_000
                children = []
                for index, (name, kind, attrs) in enumerate(STAGES):
                    dur = int(
                        rng.lognormvariate(0, 0.4) * (200_000_000 if "llm" in name else 20_000_000)
                    )
                    start = cursor
                    if name == "keyword search":
                        start = children[-1][1]  # in parallel with vector search
                    end = start + dur
                    cursor = max(cursor, end) + 50_000
                    children.append((name, start, end, kind, attrs, index))
                root_end = cursor + 200_000
                span_attrs = ",".join(
                    ATTR.format(k=k, v=v)
                    for k, v in {
                        "http.request.method": "POST",
                        "http.route": "/chat",
                        "url.scheme": "https",
                    }.items()
                )
                spans.append(
                    SPAN.format(
                        tid=tid,
                        sid=root_id,
                        pid="",
                        name="POST /chat",
                        kind=2,
                        start=t,
                        end=root_end,
                        attrs=span_attrs,
                    )
                )
                for name, start, end, kind, attrs, index in children:
                    a = ",".join(ATTR.format(k=k, v=v) for k, v in attrs.items())
                    spans.append(
                        SPAN.format(
                            tid=tid,
                            sid=f"{traces:012x}{index + 1:04x}",
                            pid=root_id,
                            name=name,
                            kind=kind,
                            start=start,
                            end=end,
                            attrs=a,
                        )
                    )
                spans_out += 1 + len(children)
                t = root_end + 1_000_000
            line = LINE.format(svc=svc, spans=(",\n" if export else ",").join(spans))
            if export:  # the resourceSpans item of the line, indented, comma-separated
                line = ("    " if written == 0 else "   ,") + line[len('{"resourceSpans":[') : -3]
                line += "\n"
            out.write(line)
            written += len(line)
        if export:
            out.write("  ]\n}\n")
    return traces, spans_out


def run_import(source: Path, output: Path) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) of the child, and its stdout."""
    cmd = [
        sys.executable,
        "-m",
        "latency_advisor",
        "import",
        str(source),
        "-o",
        str(output),
        "--sla-ms",
        "500",
    ]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"import failed ({proc.returncode}): {err}")
    return wall, usage.ru_maxrss / 1024, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100.0, help="file size in MB (100)")
    parser.add_argument("--runs", type=int, default=3, help="timed imports (3)")
    parser.add_argument(
        "--export", action="store_true", help="one pretty-printed export instead of JSON lines"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / ("export.json" if args.export else "traces.jsonl")
        t0 = time.perf_counter()
        traces, spans = write_file(source, args.mb, export=args.export)
        size = source.stat().st_size / 1e6
        took = time.perf_counter() - t0
        print(f"wrote {size:.1f} MB: {traces} traces, {spans} spans ({took:.1f} s)")
        walls, rss = [], []
        out = ""
        for _ in range(args.runs):
            wall, peak, out = run_import(source, Path(tmp) / "scenario.yaml")
            walls.append(wall)
            rss.append(peak)
            print(f"  import: {wall:.2f} s, peak RSS {peak:.0f} MB")
        median = statistics.median(walls)
        print(out, end="")
        print(
            f"median import time {median:.2f} s for {size:.0f} MB ({size / median:.1f} MB/s, "
            f"{spans / median:,.0f} spans/s); peak RSS median {statistics.median(rss):.0f} MB, "
            f"max {max(rss):.0f} MB; goal: under 30 s"
        )


if __name__ == "__main__":
    main()
