"""The levers a benchmark measures: threads, graph optimization, execution mode, dynamic INT8
(per-tensor, per-channel, reduce_range where the CPU lacks VNNI), FP16 and batch size.

A variant is a plain value; `make_session` turns it into a fresh onnxruntime session (a new
session per variant, spinning off so ORT's worker threads do not steal the desktop's CPU).
Quantized and FP16 models are written to a private temp folder of the child process.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

Precision = Literal["fp32", "int8", "fp16"]
OptLevel = Literal["disabled", "basic", "extended", "all"]
OPT_LEVELS: tuple[OptLevel, ...] = ("disabled", "basic", "extended", "all")


@dataclass(frozen=True)
class Variant:
    precision: Precision = "fp32"
    quantization: str | None = None  # "dynamic-per-tensor" | "dynamic-per-channel"
    reduce_range: bool = False
    threads: int = 1
    opt_level: OptLevel = "all"
    execution_mode: Literal["sequential", "parallel"] = "sequential"
    batch: int = 1
    lever: str = "baseline"  # which lever this variant moves (for calibration)

    @property
    def name(self) -> str:
        head = self.precision if self.quantization is None else f"int8-{self.quantization}"
        if self.reduce_range:
            head += "-reduce-range"
        name = f"{head}/threads={self.threads}/opt={self.opt_level}/batch={self.batch}"
        return name + ("/parallel" if self.execution_mode == "parallel" else "")


BASELINE = Variant()


def thread_counts(cores: int) -> list[int]:
    """1, 2, 4, ... up to the cores, and the cores themselves."""
    counts, t = [], 1
    while t <= cores:
        counts.append(t)
        t *= 2
    if cores not in counts:
        counts.append(cores)
    return counts


def default_grid(
    cores: int, vnni: bool, batch_dynamic: bool, quick: bool = False, base_batch: int = 1
) -> list[Variant]:
    """The variants to measure; the first one is the FP32 baseline the others compare to."""
    base = replace(BASELINE, batch=base_batch)
    rr = not vnni
    per_channel = replace(
        base,
        precision="int8",
        quantization="dynamic-per-channel",
        reduce_range=rr,
        lever="quantization_int8",
    )
    if quick:
        grid = [base, per_channel]
        if cores > 1:
            grid.append(replace(base, threads=cores, lever="threads"))
        if batch_dynamic:
            grid.append(replace(base, batch=base_batch * 8, lever="dynamic_batching"))
        return grid
    grid = [base]
    grid += [replace(base, threads=t, lever="threads") for t in thread_counts(cores)[1:]]
    grid += [replace(base, opt_level=o, lever="graph_optimization") for o in OPT_LEVELS[:-1]]
    if cores > 1:
        grid.append(replace(base, execution_mode="parallel", lever="execution_mode"))
    grid.append(replace(per_channel, quantization="dynamic-per-tensor"))
    grid.append(per_channel)
    grid.append(replace(base, precision="fp16", lever="fp16"))
    if batch_dynamic:
        grid += [replace(base, batch=base_batch * b, lever="dynamic_batching") for b in (8, 32)]
    return grid


def session_options(variant: Variant, cores: int) -> Any:
    import onnxruntime as ort

    levels = {
        "disabled": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
        "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
        "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
        "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
    }
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = variant.threads
    opts.inter_op_num_threads = cores if variant.execution_mode == "parallel" else 1
    opts.execution_mode = (
        ort.ExecutionMode.ORT_PARALLEL
        if variant.execution_mode == "parallel"
        else ort.ExecutionMode.ORT_SEQUENTIAL
    )
    level = variant.opt_level
    if variant.precision == "int8" and level in ("disabled", "basic"):
        level = "extended"  # quantized kernels need the EXTENDED fusions
    opts.graph_optimization_level = levels[level]
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
    opts.log_severity_level = 3
    return opts


def session_facts(variant: Variant, cores: int) -> dict[str, Any]:
    return {
        "intra_op_num_threads": variant.threads,
        "inter_op_num_threads": cores if variant.execution_mode == "parallel" else 1,
        "execution_mode": variant.execution_mode,
        "graph_optimization_level": variant.opt_level,
        "allow_spinning": False,
        "provider": "CPUExecutionProvider",
    }


def prepare_model(variant: Variant, model_path: Path, workdir: Path) -> Path:
    """The model file this variant runs: the original, or a quantized / FP16 copy."""
    if variant.precision == "fp32":
        return model_path
    out = workdir / f"{variant.name.replace('/', '_').replace('=', '')}.onnx"
    if out.exists():
        return out
    if variant.precision == "int8":
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(
            model_path,
            out,
            per_channel=variant.quantization == "dynamic-per-channel",
            reduce_range=variant.reduce_range,
            weight_type=QuantType.QInt8,
        )
        return out
    import onnx
    from onnxruntime.transformers.float16 import convert_float_to_float16

    model = onnx.load(str(model_path))
    onnx.save(convert_float_to_float16(model, keep_io_types=True), str(out))
    return out


def make_session(variant: Variant, model_path: Path, cores: int) -> Any:
    import onnxruntime as ort

    return ort.InferenceSession(
        str(model_path),
        sess_options=session_options(variant, cores),
        providers=["CPUExecutionProvider"],
    )
