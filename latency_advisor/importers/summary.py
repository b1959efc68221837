"""An import as text (the command's table) and as JSON data (scripts, the app's preview)."""

from __future__ import annotations

import math
from typing import Any

from latency_advisor.importers.result import ImportResult


def summary_data(result: ImportResult) -> dict[str, Any]:
    """Plain JSON data; an unbounded percentile bound (+Inf bucket) is written as null."""
    return {
        "format": "latency-advisor/import/v1",
        "source": result.path,
        "detected_format": result.format,
        "traces": result.traces,
        "spans": result.spans,
        "end_to_end_ms": {_pkey(p): round(v, 4) for p, v in result.end_to_end_ms.items()},
        "observed_rps": result.observed_rps,
        # null: the file has no request start times (metrics, CSV without a time column)
        "observed_traffic": (
            result.observed_traffic.data() if result.observed_traffic is not None else None
        ),
        "stages": [
            {
                "name": s.name,
                "kind": s.kind,
                "kind_label": s.kind_label,
                "kind_reason": s.kind_reason,
                "kind_confirmed": s.kind_confirmed,
                "count": s.count,
                "p50_ms": round(s.p50_ms, 4),
                "p95_ms": None if s.p95_ms is None else round(s.p95_ms, 4),
                "p99_ms": None if s.p99_ms is None else round(s.p99_ms, 4),
                "bounds_ms": {
                    _pkey(p): [lo, hi if math.isfinite(hi) else None]
                    for p, (lo, hi) in s.bounds_ms.items()
                },
                "calls": s.calls,
                "parallel_group": s.parallel_group,
                "presence": round(s.presence, 4),
                "samples_kept": len(s.kept_samples() or []),
                "span_names": s.span_names,
            }
            for s in result.stages
        ],
        "warnings": result.warnings,
    }


def _pkey(p: float) -> str:
    return f"p{p:g}"


def format_summary(result: ImportResult) -> str:
    lines = [f"{result.path}: {result.format}"]
    if result.traces:
        lines[0] += f", {result.traces} traces, {result.spans} spans"
    if result.end_to_end_ms:
        e2e = result.end_to_end_ms
        lines.append(
            "end to end: " + ", ".join(f"p{p:g} {v:.1f} ms" for p, v in sorted(e2e.items()))
        )
    if result.observed_traffic is not None:
        lines.append(f"observed traffic: {result.observed_traffic.describe()}")
    width = max(len(s.name) for s in result.stages)
    width = min(max(width, 5), 48)
    lines.append(
        f"{'stage':<{width}}  {'kind':<14} {'n':>8} {'p50 ms':>10} {'p95 ms':>10} {'p99 ms':>10}"
        "  group / why"
    )
    for s in result.stages:
        cells = [_ms(s.p50_ms, s.bounds_ms.get(50.0))]
        cells += [_ms(v, s.bounds_ms.get(p)) for p, v in ((95.0, s.p95_ms), (99.0, s.p99_ms))]
        extra = s.parallel_group or f"{s.kind_label}: {s.kind_reason}"
        if s.calls > 1:
            extra = f"x{s.calls} calls; " + extra
        if s.conditional:
            extra = f"on {s.presence:.0%} of requests; " + extra
        lines.append(
            f"{s.name[:width]:<{width}}  {s.kind:<14} {s.count:>8} "
            + " ".join(f"{c:>10}" for c in cells)
            + f"  {extra}"
        )
        for p, (lo, hi) in sorted(s.bounds_ms.items()):
            high = f"{hi:.4g}" if math.isfinite(hi) else "+Inf"
            lines.append(f"{'':<{width}}    p{p:g} lies in the bucket [{lo:.4g}, {high}] ms")
    return "\n".join(lines) + "\n"


def _ms(value: float | None, bounds: tuple[float, float] | None) -> str:
    if value is None:
        return "-"
    text = f"{value:.2f}"
    return text + ("~" if bounds and bounds[0] != bounds[1] else "")
