"""Harness fidelity: the harness's p50 per call against a bare `InferenceSession.run` loop.

Same model, same session options, measured in the same run and interleaved (bare, harness,
bare, harness, ...) so that drift on a shared machine hits both alike. Prints the medians and
the ratio harness/bare (the goal: within 5%). Also prints what the known per-call traps of
onnxruntime's Python API cost here, for reference.

    .venv/bin/python benchmarks/bench_fidelity.py [MODEL ...]   (default: mlp-s cnn-s)
"""

from __future__ import annotations

import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

from latency_advisor.bench.inputs import plan_inputs, synthesize
from latency_advisor.bench.job import run_bench
from latency_advisor.bench.refmodels import REFERENCE_MODELS
from latency_advisor.bench.spec import BenchSpec
from latency_advisor.bench.stats import StopRule
from latency_advisor.bench.timing import closed_loop
from latency_advisor.bench.variants import Variant, make_session

ROUNDS = 5
SECONDS = 1.0  # timed per round, for each of the three


def bare_loop(run, feeds, seconds: float) -> float:
    """The simplest honest loop: 0.5 s of plain warm-up calls, then gc off and
    perf_counter_ns around each call for `seconds`; returns the p50 in ms."""
    warm_until = time.perf_counter() + 0.5
    while time.perf_counter() < warm_until:
        run(None, feeds)
    times = []
    stop = time.perf_counter_ns() + int(seconds * 1e9)
    gc.disable()
    try:
        while True:
            t0 = time.perf_counter_ns()
            run(None, feeds)
            t1 = time.perf_counter_ns()
            times.append(t1 - t0)
            if t1 > stop:
                break
    finally:
        gc.enable()
    return float(np.median(times)) / 1e6


def traps(session, feeds) -> dict[str, float]:
    """Median µs per call of the API paths DESIGN.md warns about, on this model."""
    out = {}
    run = session.run
    out["run"] = _per_call_us(lambda: run(None, feeds))
    ort_feeds = {k: ort.OrtValue.ortvalue_from_numpy(v) for k, v in feeds.items()}
    names = [o.name for o in session.get_outputs()]
    out["run_with_ort_values"] = _per_call_us(lambda: session.run_with_ort_values(names, ort_feeds))
    binding = session.io_binding()
    for k, v in ort_feeds.items():
        binding.bind_ortvalue_input(k, v)
    for name in names:
        binding.bind_output(name)
    out["run_with_iobinding"] = _per_call_us(lambda: session.run_with_iobinding(binding))
    opts = ort.RunOptions()
    out["run_with_iobinding+RunOptions"] = _per_call_us(
        lambda: session.run_with_iobinding(binding, opts)
    )
    return out


def _per_call_us(call, calls: int = 2000) -> float:
    for _ in range(10):
        call()
    times = []
    gc.disable()
    for _ in range(calls):
        t0 = time.perf_counter_ns()
        call()
        times.append(time.perf_counter_ns() - t0)
    gc.enable()
    return float(np.median(times)) / 1e3


def main(models: list[str]) -> None:
    print("harness fidelity (taken on a shared, loaded 2-core machine; ratios matter, not ms)")
    for name in models:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"{name}.onnx"
            onnx.save(REFERENCE_MODELS[name].build(), str(path))
            session = make_session(Variant(), path, cores=1)
            specs = plan_inputs(session.get_inputs(), {}, {})
            feeds = synthesize(specs)
            run = session.run
            bare, inproc, child = [], [], []
            for _ in range(ROUNDS):
                bare.append(bare_loop(run, feeds, SECONDS))
                samples = closed_loop(
                    lambda run=run, feeds=feeds: run(None, feeds),
                    StopRule(pct=50, rel_half_width=1e-9, budget_s=SECONDS),
                )
                inproc.append(float(np.median(samples)))
                report = run_bench(
                    BenchSpec(name, variants=[{}], percentile=50, ci=1e-9, budget_s=SECONDS)
                )
                child.append(report.results[0]["p50_ms"])
            b, h, c = (statistics.median(x) for x in (bare, inproc, child))
            print(f"\n{name}: p50 per call, median of {ROUNDS} interleaved rounds")
            print(f"  bare InferenceSession.run loop     {b * 1000:9.2f} us")
            print(f"  harness closed loop, same process  {h * 1000:9.2f} us  ratio {h / b:.3f}")
            print(f"  harness in its child process       {c * 1000:9.2f} us  ratio {c / b:.3f}")
            print("  per-call cost of API paths (median us per call on this model):")
            for label, us in traps(session, feeds).items():
                print(f"    {label:<32} {us:8.2f}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["mlp-s", "cnn-s"])
