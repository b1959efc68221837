"""One benchmark run, as the child process executes it: load, check, synthesize, measure.

`run_spec(spec, emit)` emits plain-dict events (progress, one per finished variant) and returns
the result data of CONTRACTS.md §4. It runs inside the child process (`worker.py`), which puts
the time and memory limits around it; calling it in-process is fine for trusted models.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from latency_advisor.bench.inputs import InputError, needs_value_hint, plan_inputs, synthesize
from latency_advisor.bench.inputs import with_batch as batch_feeds
from latency_advisor.bench.machine import has_vnni, machine_facts
from latency_advisor.bench.openloop import measured_summary, predicted_latency
from latency_advisor.bench.refmodels import reference_model
from latency_advisor.bench.spec import BenchSpec
from latency_advisor.bench.stats import StopRule, Summary, ratio_interval, summarize
from latency_advisor.bench.timing import closed_loop, open_loop, poisson_schedule
from latency_advisor.bench.variants import (
    Variant,
    default_grid,
    make_session,
    prepare_model,
    session_facts,
)
from latency_advisor.errors import UserError

FORMAT = "latency-advisor/bench/v1"
Emit = Callable[[dict[str, Any]], None]


class ModelRunError(UserError):
    """The model loads but onnxruntime cannot build or run it as asked."""


def _is_memory_error(exc: BaseException) -> bool:
    text = str(exc)
    return isinstance(exc, MemoryError) or any(
        marker in text for marker in ("Failed to allocate memory", "bad_alloc", "std::bad_alloc")
    )


class MemoryLimitError(UserError):
    """The model asked for more memory than the child may use."""


def _resolve_model(spec: BenchSpec, workdir: Path) -> tuple[Path, str, str | None]:
    """(path to run, name for the results, model family for built-ins)."""
    ref = reference_model(spec.model)
    if ref is not None:
        import onnx

        path = workdir / f"{ref.name}.onnx"
        onnx.save(ref.build(), str(path))
        return path, ref.name, ref.family
    from latency_advisor.bench.modelfile import read_model

    path = Path(spec.model)
    if path.suffix.lower() != ".onnx" and not path.exists():
        from latency_advisor.bench.refmodels import REFERENCE_MODELS

        raise ModelRunError(
            f"{spec.model}: not a built-in model nor an .onnx file; built-in models are "
            + ", ".join(REFERENCE_MODELS)
        )
    read_model(path)  # parse without external data, check every external-data path
    return path, str(spec.model), None


def _build_session(variant: Variant, path: Path, cores: int, model: str) -> Any:
    try:
        return make_session(variant, path, cores)
    except Exception as exc:
        if _is_memory_error(exc):
            raise MemoryLimitError(
                f"{model}: building the session needs more memory than the limit: {exc}"
            ) from None
        raise ModelRunError(f"{model}: onnxruntime cannot load the model: {exc}") from None


def _max_abs_diff(base: list[np.ndarray], other: list[np.ndarray], batch: int) -> float | None:
    worst = 0.0
    for a, b in zip(base, other, strict=False):
        a, b = np.asarray(a), np.asarray(b)
        if not (np.issubdtype(a.dtype, np.number) and np.issubdtype(b.dtype, np.number)):
            continue
        if a.shape != b.shape and a.ndim and b.ndim and b.shape[0] == a.shape[0] * batch:
            a = np.repeat(a, batch, axis=0) if a.shape[0] == 1 else np.concatenate([a] * batch)
        if a.shape != b.shape:
            return None
        if a.size:
            diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
            worst = max(worst, float(np.nanmax(diff)))
    return worst


def _ci(p: Any) -> list[float | None]:
    return [p.ci_low, p.ci_high]


def _row(variant: Variant, s: Summary, cores: int, stopped_by: str, secs: float) -> dict:
    return {
        "variant": variant.name,
        "lever": variant.lever,
        "batch": variant.batch,
        "threads": variant.threads,
        "opt_level": variant.opt_level,
        "execution_mode": variant.execution_mode,
        "precision": variant.precision,
        "quantization": variant.quantization,
        "reduce_range": variant.reduce_range,
        "samples": s.samples,
        "p50_ms": s.p50.value,
        "p95_ms": s.p95.value,
        "p99_ms": s.p99.value,
        "p50_ci_ms": _ci(s.p50),
        "p95_ci_ms": _ci(s.p95),
        "p99_ci_ms": _ci(s.p99),
        "mean_ms": s.mean_ms,
        "throughput_per_s": variant.batch * 1000.0 / s.mean_ms if s.mean_ms > 0 else None,
        "stopped_by": stopped_by,
        "seconds": round(secs, 3),
        "session": session_facts(variant, cores),
    }


def run_spec(spec: BenchSpec, emit: Emit, cancel: threading.Event | None = None) -> dict:
    """Measure every variant of the spec's grid; returns the CONTRACTS.md §4 result data."""
    machine = machine_facts()
    cores = int(machine["cores"])
    with tempfile.TemporaryDirectory(prefix="latency-advisor-bench-") as tmp:
        workdir = Path(tmp)
        emit({"event": "progress", "fraction": 0.0, "message": f"loading {spec.model}"})
        path, model_name, family = _resolve_model(spec, workdir)
        base_session = _build_session(Variant(), path, cores, model_name)
        specs = plan_inputs(base_session.get_inputs(), spec.shapes, spec.values)
        feeds = synthesize(specs, seed=spec.seed)
        batch_dynamic = bool(specs) and all(s.batch_axis_dynamic for s in specs)
        base_batch = specs[0].shape[0] if specs and specs[0].shape else 1
        if spec.variants is not None:
            grid = [Variant(**v) for v in spec.variants]
        else:
            grid = default_grid(
                cores, has_vnni(machine["flags"]), batch_dynamic, spec.quick, base_batch=base_batch
            )
        del base_session
        rule = StopRule(
            pct=spec.percentile, rel_half_width=spec.target_ci, budget_s=spec.variant_budget_s
        )
        results: list[dict] = []
        skipped: list[dict] = []
        baseline: tuple[Summary, list[np.ndarray], Variant] | None = None
        baseline_samples = np.zeros(0)
        total = len(grid)
        for index, variant in enumerate(grid):
            if cancel is not None and cancel.is_set():
                break
            is_base = index == 0
            label = variant.name

            def progress(frac: float, n: int, index: int = index, label: str = label) -> None:
                emit(
                    {
                        "event": "progress",
                        "fraction": (index + frac) / total,
                        "variant": label,
                        "samples": n,
                        "message": f"{label}: {n} samples",
                    }
                )

            progress(0.0, 0)
            began = time.perf_counter()
            try:
                model_file = prepare_model(variant, path, workdir)
                session = _build_session(variant, model_file, cores, model_name)
            except (ModelRunError, MemoryLimitError, Exception) as exc:
                if is_base:
                    raise
                skipped.append(
                    {
                        "variant": label,
                        "reason": f"{variant.precision} does not "
                        f"apply to this model here: {str(exc)[:300]}",
                    }
                )
                continue
            run_feeds = batch_feeds(feeds, specs, variant.batch)
            try:
                outputs = session.run(None, run_feeds)
            except Exception as exc:
                if _is_memory_error(exc):
                    raise MemoryLimitError(
                        f"{model_name}: the model asked for more memory than the "
                        f"benchmark's limit ({spec.memory_mb} MB) and was stopped: "
                        f"{str(exc)[:300]}"
                    ) from None
                if is_base:
                    raise InputError(f"{model_name}: {needs_value_hint(specs, str(exc))}") from None
                skipped.append({"variant": label, "reason": str(exc)[:300]})
                continue
            run = session.run
            summary_samples = closed_loop(lambda run=run, f=run_feeds: run(None, f), rule, progress)
            summary = summarize(summary_samples)
            stopped = "ci" if rule.satisfied(summary_samples) else "budget"
            row = _row(variant, summary, cores, stopped, time.perf_counter() - began)
            if baseline is None:
                baseline = (summary, outputs, variant)
                baseline_samples = summary_samples
                row["speedup_vs_baseline"] = 1.0
                row["speedup_ci"] = [1.0, 1.0]
                row["max_abs_output_diff"] = 0.0
            else:
                base_summary, base_out, base_variant = baseline
                scale = variant.batch / base_variant.batch
                row["speedup_vs_baseline"] = scale * base_summary.p50.value / summary.p50.value
                ratio = ratio_interval(base_summary.p50, summary.p50, scale)
                row["speedup_ci"] = list(ratio) if ratio else None
                row["max_abs_output_diff"] = _max_abs_diff(
                    base_out, outputs, variant.batch // max(base_variant.batch, 1)
                )
            results.append(row)
            emit({"event": "variant", "result": row, "index": index, "total": total})
            del session
        report: dict[str, Any] = {
            "format": FORMAT,
            "model": model_name,
            "model_family": family,
            "machine": machine,
            "settings": {
                "quick": spec.quick,
                "stop_percentile": spec.percentile,
                "target_ci_relative_half_width": spec.target_ci,
                "budget_s_per_variant": spec.variant_budget_s,
                "confidence": rule.confidence,
                "timer": "time.perf_counter_ns around InferenceSession.run, gc off",
            },
            "inputs": [s.to_json() for s in specs],
            "results": results,
            "skipped": skipped,
            "errors": [],
        }
        if spec.open_loop_rps and baseline is not None and not (cancel and cancel.is_set()):
            report["open_loop"] = _open_loop(
                spec,
                baseline[2],
                path,
                cores,
                feeds,
                specs,
                baseline_samples,
                model_name,
                emit,
                cancel,
            )
        emit({"event": "progress", "fraction": 1.0, "message": "done"})
        return report


def _open_loop(
    spec: BenchSpec,
    variant: Variant,
    path: Path,
    cores: int,
    feeds: dict,
    specs: list,
    service_ms: np.ndarray,
    model_name: str,
    emit: Emit,
    cancel: threading.Event | None,
) -> dict[str, Any]:
    rps = float(spec.open_loop_rps or 0)
    count = max(int(rps * spec.open_loop_duration_s), 1)
    schedule = poisson_schedule(rps, count, seed=spec.seed)
    session = _build_session(replace(variant), path, cores, model_name)
    run_feeds = batch_feeds(feeds, specs, variant.batch)
    session.run(None, run_feeds)

    def progress(frac: float, n: int) -> None:
        emit(
            {
                "event": "progress",
                "fraction": 0.99,
                "samples": n,
                "message": f"open loop at {rps:g}/s: {n}/{count} requests ({frac:.0%})",
            }
        )

    run = session.run
    measured = open_loop(lambda: run(None, run_feeds), schedule, spec.workers, progress, cancel)
    return {
        "variant": variant.name,
        "rps": rps,
        "workers": spec.workers,
        "requests": int(measured.latency_ms.size),
        "duration_s": measured.duration_s,
        "achieved_rps": measured.latency_ms.size / max(measured.duration_s, 1e-9),
        "timed_from": "scheduled send (Poisson, drawn ahead)",
        "measured": measured_summary(measured.latency_ms),
        "measured_service": measured_summary(measured.service_ms),
        "send_jitter_p99_ms": float(np.percentile(measured.send_jitter_ms, 99))
        if measured.send_jitter_ms.size
        else None,
        "predicted": predicted_latency(service_ms, rps, spec.workers, seed=spec.seed),
        # the same formulas fed with the service times seen under this traffic: separates a
        # queueing-model error from service getting slower between sparse requests
        "predicted_from_open_loop_service": predicted_latency(
            measured.service_ms, rps, spec.workers, seed=spec.seed
        ),
    }
