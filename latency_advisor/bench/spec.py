"""What a benchmark run is asked to do: a plain, JSON-able value passed to the child process."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields
from typing import Any

QUICK_BUDGET_S = 2.5
DEFAULT_BUDGET_S = 6.0
QUICK_CI = 0.10
DEFAULT_CI = 0.05


def default_memory_mb() -> int:
    """Three quarters of physical memory, at most 8 GiB (a cap on the child's address space)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1 << 20)
    except (ValueError, OSError, AttributeError):
        total = 8192
    return int(max(1024, min(8192, total * 3 // 4)))


@dataclass
class BenchSpec:
    model: str  # a built-in reference model's name or a path to an .onnx file
    quick: bool = False
    shapes: dict[str, str] = field(default_factory=dict)  # NAME -> "D0,D1,..."
    values: dict[str, str] = field(default_factory=dict)  # NAME -> number
    percentile: float = 99.0  # the percentile whose CI decides when to stop
    ci: float | None = None  # target relative half-width of that CI
    budget_s: float | None = None  # time budget per variant
    variants: list[dict[str, Any]] | None = None  # explicit Variant fields; None: default grid
    levers: list[str] | None = None  # only these levers of the full grid (bench.levers); None: all
    open_loop_rps: float | None = None
    workers: int = 1
    open_loop_s: float | None = None
    timeout_s: float | None = None  # wall clock for the whole child; None: from the grid
    stall_s: float = 60.0  # longest time without any event (one call, one session build)
    memory_mb: int = field(default_factory=default_memory_mb)
    seed: int = 0

    @property
    def target_ci(self) -> float:
        return self.ci if self.ci is not None else (QUICK_CI if self.quick else DEFAULT_CI)

    @property
    def variant_budget_s(self) -> float:
        if self.budget_s is not None:
            return self.budget_s
        return QUICK_BUDGET_S if self.quick else DEFAULT_BUDGET_S

    @property
    def open_loop_duration_s(self) -> float:
        if self.open_loop_s is not None:
            return self.open_loop_s
        return 4.0 if self.quick else 10.0

    def wall_clock_limit_s(self, variant_count: int = 12) -> float:
        """The whole run's limit: every variant's budget plus room to build its session."""
        if self.timeout_s is not None:
            return self.timeout_s
        per_variant = self.variant_budget_s + 20.0
        extra = self.open_loop_duration_s + 10.0 if self.open_loop_rps else 0.0
        return 30.0 + variant_count * per_variant + extra

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BenchSpec:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
