"""The levers a person can switch on or off before a run (`BenchSpec.levers`).

The desktop app lets the user pick which levers to measure instead of the fixed quick or full
grid. The child process still builds the full grid for the model it loaded (it alone knows
whether the batch axis is dynamic and whether the CPU has VNNI) and keeps the baseline plus the
variants the chosen levers move, so a lever means the same thing here and on the command line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from latency_advisor.bench.variants import Variant


@dataclass(frozen=True)
class Lever:
    key: str
    label: str
    tip: str
    picks: Callable[[Variant], bool]


LEVERS: tuple[Lever, ...] = (
    Lever(
        "threads",
        "Intra-op threads",
        "1, 2, 4, ... threads up to the usable cores (spinning off)",
        lambda v: v.lever == "threads",
    ),
    Lever(
        "graph_optimization",
        "Graph optimization level",
        "disabled, basic and extended against the baseline's 'all'",
        lambda v: v.lever == "graph_optimization",
    ),
    Lever(
        "execution_mode",
        "Parallel execution mode",
        "ORT_PARALLEL with one inter-op thread per core",
        lambda v: v.lever == "execution_mode",
    ),
    Lever(
        "int8_per_tensor",
        "Dynamic INT8, per tensor",
        "quantize_dynamic with one scale per weight tensor",
        lambda v: v.quantization == "dynamic-per-tensor",
    ),
    Lever(
        "int8_per_channel",
        "Dynamic INT8, per channel",
        "quantize_dynamic with one scale per output channel",
        lambda v: v.quantization == "dynamic-per-channel",
    ),
    Lever(
        "fp16",
        "FP16 weights",
        "float16 model with float32 inputs and outputs",
        lambda v: v.lever == "fp16",
    ),
    Lever(
        "batching",
        "Batch size 8 and 32",
        "throughput per item at larger batches (models with a dynamic batch axis)",
        lambda v: v.lever == "dynamic_batching",
    ),
)
LEVER_KEYS = tuple(lever.key for lever in LEVERS)
# what the command line's quick grid measures (it stops batching at 8)
QUICK_LEVERS = frozenset({"int8_per_channel", "threads", "batching"})


class UnknownLever(ValueError):
    """A lever name the grid does not know."""


def check_levers(levers: Iterable[str]) -> list[str]:
    """The levers in the grid's order; an unknown name raises UnknownLever listing the known."""
    chosen = set(levers)
    unknown = chosen - set(LEVER_KEYS)
    if unknown:
        raise UnknownLever(f"unknown levers {sorted(unknown)}; known: {', '.join(LEVER_KEYS)}")
    return [key for key in LEVER_KEYS if key in chosen]


def only_levers(grid: list[Variant], levers: Iterable[str]) -> list[Variant]:
    """The baseline (first) and every other variant of `grid` that one of `levers` moves."""
    keys = set(check_levers(levers))
    picks = [lever.picks for lever in LEVERS if lever.key in keys]
    return grid[:1] + [v for v in grid[1:] if any(p(v) for p in picks)]
