"""One benchmark run, as the child process executes it: load, check, synthesize, measure.

`run_spec(spec, emit)` emits plain-dict events (progress while it measures, then one per
measured variant) and returns the result data of CONTRACTS.md §4. It runs inside the child
process (`worker.py`), which puts the time and memory limits around it; calling it in-process
is fine for trusted models.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from latency_advisor.bench.inputs import (
    COMMON_DYNAMIC_SIZES,
    InputError,
    has_defaulted_dims,
    needs_value_hint,
    plan_inputs,
    synthesize,
)
from latency_advisor.bench.inputs import with_batch as batch_feeds
from latency_advisor.bench.levers import only_levers
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


@dataclass
class _Prepared:
    """A variant ready to time: its session, its inputs, its first outputs, its samples."""

    variant: Variant
    session: Any
    feeds: dict[str, np.ndarray]
    outputs: list[np.ndarray]
    samples: np.ndarray
    seconds: float = 0.0
    done: bool = False
    round_p50_ms: list[float] = field(default_factory=list)


def _inputs_that_run(session: Any, spec: BenchSpec, specs: list, feeds: dict) -> tuple:
    """The synthesized inputs, or, when the model fails on them and a dynamic dimension was
    given a default size, the first of the common sizes it runs with (the chosen shapes are in
    the results). Without one that runs, the first failure is reported later, with its hint."""
    signature = session.get_inputs()
    if not has_defaulted_dims(signature, spec.shapes):
        return specs, feeds
    try:
        session.run(None, feeds)
        return specs, feeds
    except Exception as exc:
        if _is_memory_error(exc):
            return specs, feeds
    for size in COMMON_DYNAMIC_SIZES:
        try:
            trial = plan_inputs(signature, spec.shapes, spec.values, dynamic_size=size)
            trial_feeds = synthesize(trial, seed=spec.seed)
            session.run(None, trial_feeds)
        except Exception:  # this size does not fit either (or the memory limit): try the next
            continue
        return trial, trial_feeds
    return specs, feeds


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
        specs, feeds = _inputs_that_run(base_session, spec, specs, feeds)
        batch_dynamic = bool(specs) and all(s.batch_axis_dynamic for s in specs)
        base_batch = specs[0].shape[0] if specs and specs[0].shape else 1
        if spec.variants is not None:
            grid = [Variant(**v) for v in spec.variants]
        else:
            quick_grid = spec.quick and spec.levers is None
            grid = default_grid(
                cores, has_vnni(machine["flags"]), batch_dynamic, quick_grid, base_batch=base_batch
            )
            if spec.levers is not None:
                grid = only_levers(grid, spec.levers)
        del base_session
        # interleave the variants in rounds when their sessions fit in memory together, so a
        # change of load on a shared machine hits every variant alike
        interleave = len(grid) > 1 and _model_bytes(path) * len(grid) <= INTERLEAVE_MAX_BYTES
        rounds = ROUNDS if interleave else 1
        rule = StopRule(
            pct=spec.percentile, rel_half_width=spec.target_ci, budget_s=spec.variant_budget_s
        )
        skipped: list[dict] = []
        prepared: list[_Prepared] = []
        total_units = len(grid) * (rounds + 1)  # one unit to prepare, `rounds` to time
        units = [0]

        def progress(frac: float, n: int, label: str) -> None:
            emit(
                {
                    "event": "progress",
                    "fraction": min((units[0] + frac) / total_units, 1.0),
                    "variant": label,
                    "samples": n,
                    "message": f"{label}: {n} samples" if n else f"{label}: preparing",
                }
            )

        def emit_rows(interim: bool) -> list[dict]:
            """Every variant's row so far; interim rows let a viewer watch the numbers settle."""
            rows = _rows(prepared, rule, cores)
            for index, row in enumerate(rows):
                event = {"event": "variant", "result": row, "index": index, "total": len(rows)}
                emit(event | {"interim": True} if interim else event)
            return rows

        for index, variant in enumerate(grid):
            if cancel is not None and cancel.is_set():
                break
            progress(0.0, 0, variant.name)
            item = _prepare(
                variant, index == 0, path, workdir, cores, model_name, spec, specs, feeds, skipped
            )
            units[0] += 1
            if item is None:
                continue
            if interleave:
                prepared.append(item)
            else:  # one at a time: build, time, drop
                _time_round(item, rule, 1, lambda f, n, v=variant.name: progress(f, n, v))
                units[0] += 1
                prepared.append(replace_session(item))
                emit_rows(interim=True)
        if interleave:
            for _ in range(rounds):
                for item in prepared:
                    if cancel is not None and cancel.is_set():
                        return {}
                    if not item.done:
                        _time_round(
                            item, rule, rounds, lambda f, n, v=item.variant.name: progress(f, n, v)
                        )
                    units[0] += 1
                emit_rows(interim=True)
        results = emit_rows(interim=False)
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
                "interleaved_rounds": rounds,
                "timer": "time.perf_counter_ns around InferenceSession.run, gc off",
            },
            "inputs": [s.to_json() for s in specs],
            "results": results,
            "skipped": skipped,
            "warnings": _drift_warnings(prepared),
            "errors": [],
        }
        base = prepared[0] if prepared else None
        if spec.open_loop_rps and base is not None and not (cancel and cancel.is_set()):
            report["open_loop"] = _open_loop(
                spec,
                base.variant,
                path,
                cores,
                feeds,
                specs,
                base.samples,
                model_name,
                emit,
                cancel,
            )
        emit({"event": "progress", "fraction": 1.0, "message": "done"})
        return report


ROUNDS = 3
INTERLEAVE_MAX_BYTES = 1 << 30


def _model_bytes(path: Path) -> int:
    """The model's size on disk, external data included (what each session roughly holds)."""
    import onnx

    from latency_advisor.bench.modelfile import external_locations

    model = onnx.load(str(path), load_external_data=False)
    extra = {path.parent / loc for loc in external_locations(model)}
    return path.stat().st_size + sum(p.stat().st_size for p in extra if p.is_file())


def replace_session(item: _Prepared) -> _Prepared:
    """Drop the session of a measured variant (sequential mode frees memory as it goes)."""
    item.session = None
    return item


def _prepare(
    variant: Variant,
    is_base: bool,
    path: Path,
    workdir: Path,
    cores: int,
    model_name: str,
    spec: BenchSpec,
    specs: list,
    feeds: dict,
    skipped: list[dict],
) -> _Prepared | None:
    """Model file, session and a first run; a non-baseline variant that cannot run is skipped."""
    try:
        model_file = prepare_model(variant, path, workdir)
        session = _build_session(variant, model_file, cores, model_name)
    except Exception as exc:
        if is_base:
            raise
        skipped.append(
            {
                "variant": variant.name,
                "reason": f"{variant.precision} does not apply to this model here: "
                f"{str(exc)[:300]}",
            }
        )
        return None
    run_feeds = batch_feeds(feeds, specs, variant.batch)
    try:
        outputs = session.run(None, run_feeds)
    except Exception as exc:
        if _is_memory_error(exc):
            raise MemoryLimitError(
                f"{model_name}: the model asked for more memory than the benchmark's limit "
                f"({spec.memory_mb} MB) and was stopped: {str(exc)[:300]}"
            ) from None
        if is_base:
            raise InputError(f"{model_name}: {needs_value_hint(specs, str(exc))}") from None
        skipped.append({"variant": variant.name, "reason": str(exc)[:300]})
        return None
    return _Prepared(variant, session, run_feeds, outputs, np.zeros(0))


def _time_round(item: _Prepared, rule: StopRule, rounds: int, progress: Any) -> None:
    """One slice (budget / rounds) of closed-loop timing, added to the variant's samples."""
    run, feeds = item.session.run, item.feeds
    began = time.perf_counter()
    try:
        new = closed_loop(
            lambda: run(None, feeds),
            replace(rule, budget_s=rule.budget_s / rounds),
            progress,
            prior=item.samples,
        )
    except Exception as exc:  # it ran once before timing; a later call can still fail
        if _is_memory_error(exc):
            raise MemoryLimitError(
                f"{item.variant.name}: the model ran out of memory while being timed: {exc}"
            ) from None
        raise ModelRunError(
            f"{item.variant.name}: the model failed while being timed: {exc}"
        ) from None

    item.round_p50_ms.append(float(np.median(new)) if new.size else 0.0)
    item.samples = np.concatenate([item.samples, new])
    item.seconds += time.perf_counter() - began
    item.done = rule.satisfied(item.samples)


def _rows(prepared: list[_Prepared], rule: StopRule, cores: int) -> list[dict]:
    rows = []
    base: tuple[Summary, _Prepared] | None = None
    for item in prepared:
        summary = summarize(item.samples)
        if item.samples.size >= rule.max_samples:
            stopped = "max_samples"
        else:
            stopped = "ci" if rule.satisfied(item.samples) else "budget"
        row = _row(item.variant, summary, cores, stopped, item.seconds)
        if base is None:
            base = (summary, item)
            row.update(speedup_vs_baseline=1.0, speedup_ci=[1.0, 1.0], max_abs_output_diff=0.0)
        else:
            base_summary, base_item = base
            scale = item.variant.batch / base_item.variant.batch
            row["speedup_vs_baseline"] = scale * base_summary.p50.value / summary.p50.value
            ratio = ratio_interval(base_summary.p50, summary.p50, scale)
            row["speedup_ci"] = list(ratio) if ratio else None
            row["max_abs_output_diff"] = _max_abs_diff(
                base_item.outputs,
                item.outputs,
                item.variant.batch // max(base_item.variant.batch, 1),
            )
        rows.append(row)
    return rows


def _drift_warnings(prepared: list[_Prepared]) -> list[str]:
    """Say so when the baseline's speed moved between rounds (a loaded, shared machine)."""
    if not prepared or len(prepared[0].round_p50_ms) < 2:
        return []
    p50s = [p for p in prepared[0].round_p50_ms if p > 0]
    if not p50s or max(p50s) <= 1.15 * min(p50s):
        return []
    return [
        f"the baseline's p50 moved {max(p50s) / min(p50s) - 1:.0%} between rounds "
        f"({', '.join(f'{p:.3g}' for p in p50s)} ms): the machine's load changed during the "
        "run; variants were interleaved, so speedups hold better than absolute times"
    ]


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
