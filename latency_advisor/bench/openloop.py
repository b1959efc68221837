"""Open loop at a traffic level, beside what the queueing model predicts for it.

The prediction uses the same M/G/c formulas as the analysis (Erlang C with the Allen–Cunneen
correction), fed with the service-time distribution this run measured in closed loop; the
measurement serves Poisson traffic with N workers. Side by side they show whether the model's
queueing estimate can be trusted for this stage.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from latency_advisor.bench.stats import Percentile, summarize
from latency_advisor.latency.queueing import allen_cunneen

PREDICTION_DRAWS = 100_000


def predicted_latency(
    service_ms: np.ndarray, rps: float, workers: int, seed: int = 0
) -> dict[str, Any]:
    """p50/p95/p99 of wait + service at `rps` over `workers` servers (M/G/c, FIFO)."""
    mean = float(np.mean(service_ms))
    scv = float(np.var(service_ms) / mean**2) if mean > 0 else 0.0
    wait = allen_cunneen(rps / 1000.0, workers, mean, scv)
    out: dict[str, Any] = {
        "method": "M/G/c (Erlang C, Allen–Cunneen) with the measured service times",
        "utilization": round(wait.utilization, 4),
        "mean_service_ms": mean,
        "service_scv": scv,
    }
    if wait.utilization >= 1.0:
        out["steady_state"] = False
        out["note"] = (
            f"utilization {wait.utilization:.2f} >= 1: the workers cannot keep up with "
            f"{rps:g} requests/s, the queue grows without bound and no percentile is stable"
        )
        return out
    rng = np.random.default_rng(seed)
    total = wait.sample_from_uniform(rng.random(PREDICTION_DRAWS)) + rng.choice(
        service_ms, size=PREDICTION_DRAWS
    )
    out["steady_state"] = True
    out["wait_probability"] = round(wait.p_wait, 4)
    out["mean_wait_ms"] = wait.mean_wait_ms
    for pct in (50, 95, 99):
        out[f"p{pct}_ms"] = float(np.percentile(total, pct))
    return out


def measured_summary(latency_ms: np.ndarray) -> dict[str, Any]:
    s = summarize(latency_ms)
    out: dict[str, Any] = {"samples": s.samples, "mean_ms": s.mean_ms}
    for p in (s.p50, s.p95, s.p99):
        key = f"p{int(p.q)}"
        out[f"{key}_ms"] = p.value
        out[f"{key}_ci_ms"] = _ci(p)
    return out


def _ci(p: Percentile) -> list[float | None]:
    return [p.ci_low, p.ci_high]
