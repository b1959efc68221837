"""Benchmark results: the JSON of CONTRACTS.md §4, a pandas DataFrame, CSV, and a text table.

A result file carries the machine facts and session options with the numbers, so it can be
made headless on the target machine and imported on a laptop later (`bench FILE.json
--attach`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from latency_advisor.atomic import atomic_output, atomic_write_text
from latency_advisor.errors import UserError

FORMAT = "latency-advisor/bench/v1"
CSV_COLUMNS = (
    "variant",
    "lever",
    "precision",
    "quantization",
    "threads",
    "opt_level",
    "execution_mode",
    "batch",
    "samples",
    "p50_ms",
    "p50_ci_low_ms",
    "p50_ci_high_ms",
    "p95_ms",
    "p99_ms",
    "p99_ci_low_ms",
    "p99_ci_high_ms",
    "mean_ms",
    "throughput_per_s",
    "speedup_vs_baseline",
    "speedup_ci_low",
    "speedup_ci_high",
    "max_abs_output_diff",
    "stopped_by",
)


class BenchFileError(UserError):
    """A results file that is not a benchmark result: which file, which field."""


class BenchReport:
    """The data of one benchmark run, with views for people and programs."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @property
    def model(self) -> str:
        return str(self.data.get("model", ""))

    @property
    def results(self) -> list[dict[str, Any]]:
        return list(self.data.get("results", []))

    def to_json_text(self) -> str:
        return json.dumps(_finite(self.data), indent=2, ensure_ascii=False, allow_nan=False) + "\n"

    def dataframe(self) -> Any:
        """One row per variant, CI bounds as their own columns (pandas imported on use)."""
        import pandas as pd

        rows = []
        for r in self.results:
            flat = {k: r.get(k) for k in CSV_COLUMNS}
            for key, (lo, hi) in (
                ("p50_ci", ("p50_ci_low_ms", "p50_ci_high_ms")),
                ("p99_ci", ("p99_ci_low_ms", "p99_ci_high_ms")),
                ("speedup_ci", ("speedup_ci_low", "speedup_ci_high")),
            ):
                bounds = r.get(f"{key}_ms" if key != "speedup_ci" else key) or [None, None]
                flat[lo], flat[hi] = bounds[0], bounds[1]
            rows.append(flat)
        return pd.DataFrame(rows, columns=list(CSV_COLUMNS))

    def write_json(self, path: str | Path) -> None:
        atomic_write_text(path, self.to_json_text())

    def write_csv(self, path: str | Path) -> None:
        frame = self.dataframe()
        with atomic_output(path, "w") as handle:
            frame.to_csv(handle, index=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


MAX_RESULT_FILE_BYTES = 16 * 1024 * 1024


def load_report(path: str | Path) -> BenchReport:
    """Read a results file written by `bench --json`; errors name the file and the field."""
    from latency_advisor.bench.result_shape import shape_problem
    from latency_advisor.safe_json import load_json
    from latency_advisor.safe_yaml import SafeReadError, decode_text, read_bytes

    path = Path(path)
    try:
        data = load_json(decode_text(read_bytes(path, MAX_RESULT_FILE_BYTES, "result file")))
    except SafeReadError as exc:
        field = ".".join(str(p) for p in exc.field)
        where = f"{field}: " if field else ""
        raise BenchFileError(
            f"{path}: {where}not a JSON benchmark result ({exc.message})"
        ) from None
    problem = shape_problem(data, FORMAT)
    if problem:
        raise BenchFileError(f"{path}: {problem}")
    return BenchReport(data)


def fmt_ms(value: float | None) -> str:
    """Milliseconds with the digits that matter: 0.031, 12.3, 1234 (a dash when unknown)."""
    if value is None:
        return "–"
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.3f}"


def format_text(report: BenchReport) -> str:
    """A table a person can read in a terminal."""
    d = report.data
    m = d.get("machine", {})
    lines = [
        f"model: {report.model}",
        f"machine: {m.get('cpu', '?')}, {m.get('cores', '?')} cores, "
        f"flags {' '.join(m.get('flags', [])) or '-'}, onnxruntime {m.get('onnxruntime', '?')}"
        + (f", load {m['load_average'][0]:g}" if m.get("load_average") else ""),
        "inputs: "
        + "; ".join(
            f"{i['name']} {i['dtype']}{i['shape']} ({i['fill']})" for i in d.get("inputs", [])
        ),
        "",
        f"{'variant':<52} {'p50 ms':>9} {'p99 ms':>9} {'p99 95% CI':>19} {'n':>7} "
        f"{'speedup':>8} {'max |diff|':>10}",
    ]
    for r in report.results:
        ci = r.get("p99_ci_ms") or [None, None]
        ci_text = f"[{fmt_ms(ci[0])}, {fmt_ms(ci[1])}]"
        diff = r.get("max_abs_output_diff")
        lines.append(
            f"{r['variant']:<52} {fmt_ms(r['p50_ms']):>9} {fmt_ms(r.get('p99_ms')):>9} "
            f"{ci_text:>19} {r.get('samples', 0):>7} {r['speedup_vs_baseline']:>7.2f}x "
            f"{'-' if diff is None else f'{diff:.2g}':>10}"
        )
    if any(r.get("batch", 1) != report.results[0].get("batch", 1) for r in report.results):
        lines.append("(for batched variants, speedup is throughput per item against the baseline)")
    for w in d.get("warnings", []):
        lines.append(f"warning: {w}")
    for s in d.get("skipped", []):
        lines.append(f"skipped {s['variant']}: {s['reason']}")
    ol = d.get("open_loop")
    if ol:
        meas, pred = ol["measured"], ol["predicted"]
        lines += [
            "",
            f"open loop: {ol['rps']:g} requests/s Poisson, {ol['workers']} worker(s), "
            f"{ol['requests']} requests, timed from the scheduled send "
            f"(utilization predicted {pred.get('utilization', 0):.2f})",
            f"{'':<12} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}",
        ]
        lines.append(
            f"{'measured':<12} {fmt_ms(meas['p50_ms']):>9} "
            f"{fmt_ms(meas['p95_ms']):>9} {fmt_ms(meas['p99_ms']):>9}"
        )
        for label, key in (
            ("predicted", "predicted"),
            ("predicted*", "predicted_from_open_loop_service"),
        ):
            p = ol.get(key) or {}
            if p.get("steady_state"):
                lines.append(
                    f"{label:<12} {fmt_ms(p['p50_ms']):>9} {fmt_ms(p['p95_ms']):>9} "
                    f"{fmt_ms(p['p99_ms']):>9}"
                )
            elif p:
                lines.append(f"{label}: {p.get('note', 'no steady state')}")
        lines.append(
            "(predicted: M/G/c from the closed-loop service times; predicted*: the same "
            "formulas with the service times seen under this traffic)"
        )
    return "\n".join(lines) + "\n"
