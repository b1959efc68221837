"""Machine facts recorded with every result, so a result file is comparable across machines.

The same model can be 3x apart on two CPUs: INT8 gains depend on VNNI, FP32 on AVX-512. A
result without the CPU model, core count, instruction-set flags and library versions cannot be
compared or reproduced.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

# instruction-set flags that change what the levers buy (names as /proc/cpuinfo spells them)
INTERESTING_FLAGS = (
    "sse4_2",
    "avx",
    "avx2",
    "fma",
    "f16c",
    "avx512f",
    "avx512bw",
    "avx512vl",
    "avx512_vnni",
    "avx_vnni",
    "avx512_bf16",
    "avx512_fp16",
    "amx_tile",
    "amx_int8",
    "amx_bf16",
    "asimd",
    "asimddp",
    "sve",
)


def _cpuinfo() -> tuple[str, set[str]]:
    try:
        text = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return platform.processor() or platform.machine(), set()
    model, flags = "", set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key in ("model name", "hardware", "cpu model") and not model:
            model = value.strip()
        elif key in ("flags", "features") and not flags:
            flags = set(value.split())
    return model or platform.processor() or platform.machine(), flags


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def has_vnni(flags: list[str] | set[str]) -> bool:
    return bool({"avx512_vnni", "avx_vnni", "amx_int8", "asimddp"} & set(flags))


def cpu_quota() -> float | None:
    """CPUs a cgroup v2 quota allows this process (containers), None when unlimited/unknown."""
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
    except (OSError, ValueError):
        return None
    return None if quota == "max" else round(int(quota) / int(period), 2)


def load_average() -> list[float] | None:
    """1, 5 and 15 minute load: a loaded machine gives slower, noisier numbers."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def machine_facts() -> dict[str, Any]:
    """CPU model, cores, flags and library versions (imports onnxruntime: child process only)."""
    import numpy
    import onnx
    import onnxruntime

    model, flags = _cpuinfo()
    return {
        "cpu": model,
        "cores": usable_cores(),
        "logical_cpus": os.cpu_count() or 1,
        "cpu_quota": cpu_quota(),
        "load_average": load_average(),
        "flags": [f for f in INTERESTING_FLAGS if f in flags],
        "arch": platform.machine(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "onnxruntime": onnxruntime.__version__,
        "onnx": onnx.__version__,
        "numpy": numpy.__version__,
        "providers": onnxruntime.get_available_providers(),
    }
