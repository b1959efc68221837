"""Reference data for LLM stages: GPUs (from the vendors' datasheets) and common model shapes.

It sits below the scenario (which validates `gpu` names and sizes against it) and the token
model (which turns it into milliseconds). Every figure is a vendor's number, cited per row;
compute rates are *dense* (the datasheets' sparsity figures are twice these and do not apply to
LLM inference). `link_gbs` is the GPU-to-GPU bandwidth one direction a tensor-parallel
all-reduce can use (NVLink/Infinity Fabric; PCIe for cards without them); `link_latency_us` the
fixed cost of one small all-reduce, of the order nccl-tests report for small messages (tens of
µs over PCIe, 10-20 µs over NVLink); gpt-fast's tensor-parallel Llama-2-7B on A100s (328 tokens/s
on 8 GPUs, 3 ms per token where the weights alone take 1 ms) shows how much it weighs.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

GB = 1e9  # datasheets count memory and bandwidth in powers of ten


@dataclass(frozen=True)
class Gpu:
    name: str
    memory_gb: float
    bandwidth_tbs: float  # HBM/GDDR bandwidth, TB/s
    bf16_tflops: float  # dense BF16/FP16 tensor rate
    fp8_tflops: float | None  # dense FP8 tensor rate; None: no FP8 tensor cores
    int8_tops: float  # dense INT8 tensor rate
    link_gbs: float  # per-direction GPU-GPU bandwidth for all-reduce, GB/s
    link_latency_us: float  # fixed cost of one small all-reduce step
    source: str


GPUS: dict[str, Gpu] = {
    g.name: g
    for g in (
        Gpu("A10G", 24, 0.6, 70, None, 140, 32, 25,
            "AWS G5 / NVIDIA A10G: 24 GB GDDR6, 600 GB/s; tensor rates as tabulated in Baseten, "
            "'NVIDIA A10 vs A10G for ML model inference' (A10G: 70 TF BF16, 140 TOPS INT8 dense)"),
        Gpu("L4", 24, 0.3, 121, 242, 242, 32, 25,
            "NVIDIA L4 datasheet: 24 GB, 300 GB/s; BF16 242 TF, FP8 485 TF, INT8 485 TOPS with "
            "sparsity (half dense)"),
        Gpu("L40S", 48, 0.864, 362, 733, 733, 32, 25,
            "NVIDIA L40S datasheet: 48 GB GDDR6, 864 GB/s; BF16 362 TF, FP8 733 TF, INT8 733 "
            "TOPS dense (1,466 with sparsity)"),
        Gpu("A100-40GB", 40, 1.555, 312, None, 624, 300, 20,
            "NVIDIA A100 datasheet (SXM): 40 GB HBM2, 1,555 GB/s; BF16 312 TF, INT8 624 TOPS "
            "dense; NVLink 600 GB/s (300 each way)"),
        Gpu("A100-80GB", 80, 2.039, 312, None, 624, 300, 20,
            "NVIDIA A100 datasheet (SXM): 80 GB HBM2e, 2,039 GB/s; BF16 312 TF, INT8 624 TOPS "
            "dense; NVLink 600 GB/s (300 each way)"),
        Gpu("H100-80GB", 80, 3.35, 989, 1979, 1979, 450, 12,
            "NVIDIA H100 datasheet (SXM): 80 GB HBM3, 3.35 TB/s; BF16 989 TF, FP8 1,979 TF, "
            "INT8 1,979 TOPS dense; NVLink 900 GB/s (450 each way)"),
        Gpu("H200", 141, 4.8, 989, 1979, 1979, 450, 12,
            "NVIDIA H200 datasheet (SXM): 141 GB HBM3e, 4.8 TB/s; compute as H100 SXM; NVLink "
            "900 GB/s"),
        Gpu("B200", 180, 8.0, 2250, 4500, 4500, 900, 12,
            "NVIDIA DGX/HGX B200 datasheet: 180 GB HBM3e per GPU (1,440 GB per 8), 8 TB/s; "
            "BF16 2.25 PF, FP8 4.5 PF, INT8 4.5 POPS dense; NVLink 5 1.8 TB/s (900 each way)"),
        Gpu("MI300X", 192, 5.3, 1307, 2615, 2615, 448, 15,
            "AMD Instinct MI300X datasheet: 192 GB HBM3, 5.3 TB/s; BF16 1,307 TF, FP8 2,615 TF, "
            "INT8 2,615 TOPS dense; Infinity Fabric 896 GB/s (448 each way) per GPU"),
    )
}  # fmt: skip

ALIASES = {
    "A100": "A100-80GB",
    "A100-80G": "A100-80GB",
    "A100-40G": "A100-40GB",
    "H100": "H100-80GB",
    "H100-SXM": "H100-80GB",
    "H100-80G": "H100-80GB",
    "H200-141GB": "H200",
}


def find_gpu(name: str) -> Gpu | None:
    """The GPU of a name, case-insensitive, accepting the common short names (H100, A100)."""
    key = name.strip().upper().replace(" ", "-").replace("_", "-")
    for canonical in GPUS:
        if canonical.upper() == key:
            return GPUS[canonical]
    alias = {k.upper(): v for k, v in ALIASES.items()}.get(key)
    return GPUS[alias] if alias else None


def unknown_gpu_message(name: str) -> str:
    return f"unknown GPU {name!r}; known GPUs: {', '.join(GPUS)}"


@dataclass(frozen=True)
class Shape:
    """The shape of a Llama-like decoder: what the KV cache and attention FLOPs depend on."""

    label: str
    params_b: float  # parameters, billions
    layers: int
    hidden: int
    kv_heads: int
    head_dim: int
    context: int  # longest prompt + output the model accepts, tokens
    source: str

    @property
    def attention_dim(self) -> int:
        """Query heads x head size (= hidden for these models)."""
        return self.hidden


SHAPES: tuple[Shape, ...] = (
    Shape("1B", 1.24, 16, 2048, 8, 64, 131072, "Llama 3.2 1B config.json"),
    Shape("3B", 3.21, 28, 3072, 8, 128, 131072, "Llama 3.2 3B config.json"),
    Shape("8B", 8.03, 32, 4096, 8, 128, 131072, "Llama 3.1 8B config.json"),
    Shape("13B", 13.0, 40, 5120, 40, 128, 4096, "Llama 2 13B config.json (no GQA)"),
    Shape("32B", 32.8, 64, 5120, 8, 128, 131072, "Qwen2.5 32B config.json (Llama-like, GQA 8)"),
    Shape("34B", 33.7, 48, 8192, 8, 128, 16384, "Code Llama 34B config.json"),
    Shape("70B", 70.6, 80, 8192, 8, 128, 131072, "Llama 3.1 70B config.json"),
    Shape("405B", 405.9, 126, 16384, 8, 128, 131072, "Llama 3.1 405B config.json"),
)


@functools.lru_cache(maxsize=256)
def shape_for(params_millions: float) -> Shape:
    """The tabulated shape nearest in size (on a log scale): a 7B model gets the 8B shape."""
    billions = params_millions / 1000.0
    return min(SHAPES, key=lambda s: abs(math.log(s.params_b / billions)))


BYTES_PER_PARAM: dict[str, float] = {
    "fp32": 4.0,
    "fp16": 2.0,
    "bf16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "int4": 0.5,
}
MEMORY_RESERVED = 0.90  # vLLM's default gpu_memory_utilization: 90 % of memory is usable
ACTIVATION_RESERVE_GB = 1.0  # activations, CUDA graphs and workspace kept outside the KV cache


def weights_gb(params_millions: float, precision: str | None) -> float:
    return params_millions * 1e6 * BYTES_PER_PARAM.get(precision or "bf16", 2.0) / GB


def usable_gb(gpu: Gpu, gpus: int) -> float:
    """Memory left for weights and KV cache on `gpus` GPUs (90 % reserved, as vLLM does)."""
    return gpus * (gpu.memory_gb * MEMORY_RESERVED - ACTIVATION_RESERVE_GB)


def parse_params(text: str) -> float:
    """A model size as `8B`, `70B`, `1.5B`, `350M` or plain millions -> millions of parameters."""
    value = text.strip().upper()
    scale = 1.0
    if value.endswith("B"):
        value, scale = value[:-1], 1000.0
    elif value.endswith("M"):
        value = value[:-1]
    try:
        number = float(value) * scale
    except ValueError:
        raise ValueError(
            f"{text!r} is not a model size; write it as 8B, 70B, 1.5B or millions (8000)"
        ) from None
    if not math.isfinite(number) or number <= 0 or number > 1e7:
        raise ValueError(f"{text!r} is not a model size between 1 million and 10 trillion")
    return number
