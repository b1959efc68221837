"""Measured speedups onto a scenario's model stage (`Stage.calibration`), by technique.

The rule engine reads `Stage.calibration[technique]`; when present, a fix's expected saving
comes from this measurement instead of the rule's default range. Each technique word is one of
CONTRACTS.md §3; the speedup range is the conservative ratio of the baseline's and the
variant's p50 confidence intervals; `source` says what was measured, where and on what.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from latency_advisor.bench.results import BenchReport
from latency_advisor.scenario import (
    Calibration,
    Scenario,
    ScenarioError,
    load_scenario,
    save_scenario,
    scenario_to_data,
    validate_scenario,
)

# the lever of a variant -> the technique word the rules use
LEVER_TECHNIQUE = {
    "quantization_int8": "quantization_int8",
    "fp16": "fp16",
    "threads": "threads",
    "graph_optimization": "graph_optimization",
    "dynamic_batching": "dynamic_batching",
}


def _speedup_range(row: dict[str, Any]) -> tuple[float, float]:
    point = float(row["speedup_vs_baseline"])
    ci = row.get("speedup_ci") or [point, point]
    lo = ci[0] if ci[0] is not None else point
    hi = ci[1] if ci[1] is not None else point
    return (max(min(lo, point), 1e-6), max(hi, point, 1e-6))


def _machine_label(report: BenchReport) -> str:
    m = report.data.get("machine", {})
    flags = ",".join(f for f in m.get("flags", []) if "vnni" in f or f.startswith("avx512f"))
    return (
        f"{m.get('cpu', '?')} ({m.get('cores', '?')} cores{', ' + flags if flags else ''}), "
        f"onnxruntime {m.get('onnxruntime', '?')}"
    )


def calibrations(
    report: BenchReport, stage_p50_ms: float | None = None, stage_runtime: str | None = None
) -> dict[str, Calibration]:
    """The best measured variant per technique, as Calibration entries."""
    rows = report.results
    if not rows:
        return {}
    base = rows[0]
    where = f"latency-advisor bench {report.model} on {_machine_label(report)}"
    out: dict[str, Calibration] = {}
    for lever, technique in LEVER_TECHNIQUE.items():
        candidates = [r for r in rows[1:] if r.get("lever") == lever]
        if lever == "graph_optimization":
            out_cal = _graph_optimization(base, candidates, where)
            if out_cal is not None:
                out[technique] = out_cal
            continue
        if not candidates:
            continue
        best = max(candidates, key=lambda r: float(r["speedup_vs_baseline"]))
        diff = best.get("max_abs_output_diff")
        what = {
            "dynamic_batching": f"throughput per item at batch {best['batch']} vs batch "
            f"{base['batch']} (latency per batch rises to {best['p50_ms']:.3g} ms)",
            "threads": f"{best['threads']} intra-op threads vs {base['threads']}",
        }.get(lever, f"{best['variant']} vs {base['variant']}")
        out[technique] = Calibration(
            speedup=_speedup_range(best),
            max_abs_output_diff=float(diff) if diff is not None else None,
            source=f"measured: {what}, p50 speedup {best['speedup_vs_baseline']:.2f}x; {where}",
        )
    if (
        stage_p50_ms
        and stage_runtime
        and stage_runtime != "onnxruntime"
        and report.data.get("model_family") is None
    ):
        p50 = float(base["p50_ms"])
        ci = base.get("p50_ci_ms") or [p50, p50]
        lo_ms, hi_ms = (ci[0] or p50), (ci[1] or p50)
        out["runtime"] = Calibration(
            speedup=(stage_p50_ms / max(hi_ms, p50), stage_p50_ms / min(lo_ms, p50)),
            source=f"measured: onnxruntime p50 {p50:.3g} ms vs the stage's stated "
            f"{stage_p50_ms:g} ms on {stage_runtime}; {where}",
        )
    return out


def _graph_optimization(base: dict, rows: list[dict], where: str) -> Calibration | None:
    """What graph optimization buys: the best level (baseline included) vs 'disabled'."""
    disabled = [r for r in rows if r.get("opt_level") == "disabled"]
    if not disabled:
        return None
    off = disabled[0]
    best = max([base, *rows], key=lambda r: float(r["speedup_vs_baseline"]))
    point = float(best["speedup_vs_baseline"]) / float(off["speedup_vs_baseline"])
    b_ci, o_ci = best.get("speedup_ci"), off.get("speedup_ci")
    if b_ci and o_ci and None not in (*b_ci, *o_ci):
        lo, hi = b_ci[0] / o_ci[1], b_ci[1] / o_ci[0]
    else:
        lo = hi = point
    return Calibration(
        speedup=(max(min(lo, point), 1e-6), max(hi, point)),
        source=f"measured: opt level {best['opt_level']} vs disabled, p50 speedup "
        f"{point:.2f}x; {where}",
    )


def model_stage_index(scenario: Scenario, stage_name: str, source: str | Path | None = None) -> int:
    """The index of the model stage results attach to, or a ScenarioError naming the field."""
    names = [s.name for s in scenario.stages]
    if stage_name not in names:
        raise ScenarioError(
            source,
            f"no stage named {stage_name!r}; stages are " + ", ".join(repr(n) for n in names),
            field="stages",
        )
    index = names.index(stage_name)
    kind = scenario.stages[index].kind
    if kind != "model":
        raise ScenarioError(
            source,
            f"stage {stage_name!r} is kind {kind!r}; benchmark results attach to a stage of "
            "kind 'model'",
            field=f"stages[{index}].kind",
        )
    return index


def calibrate_stage(
    scenario: Scenario, stage_name: str, report: BenchReport, source: str | Path | None = None
) -> Scenario:
    """A copy of the scenario whose stage `stage_name` carries the report's calibrations."""
    index = model_stage_index(scenario, stage_name, source)
    stage = scenario.stages[index]
    runtime = stage.model.runtime if stage.model else None
    measured = calibrations(report, stage.p50_ms, runtime)
    new_stage = stage.model_copy(update={"calibration": {**stage.calibration, **measured}})
    stages = list(scenario.stages)
    stages[index] = new_stage
    # through validation again, so what is saved is exactly what the loader accepts
    return validate_scenario(
        scenario_to_data(scenario.model_copy(update={"stages": stages})), source=source
    )


def attach_report(scenario_path: str | Path, stage_name: str, report: BenchReport) -> list[str]:
    """Write the calibrations into the scenario file (atomic save); the techniques attached."""
    scenario = load_scenario(scenario_path)
    updated = calibrate_stage(scenario, stage_name, report, source=scenario_path)
    save_scenario(updated, scenario_path)
    return sorted(updated.stage(stage_name).calibration)
