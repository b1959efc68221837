"""The analysis's result (CONTRACTS.md §2): the output models every view and the rules share.

They live below both the analysis and the rule engine, so data flows one way: scenario → latency
model → rules → analysis → views; the public JSON keys may be added to, never removed.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FORMAT = "latency-advisor/analysis/v1"
Risk = Literal["none", "low", "medium", "high"]
Cost = Literal["saves", "none", "low", "medium", "high"]
Level = Literal["system", "serving", "model"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class SlaOut(_Out):
    target_ms: float
    percentile: float | int
    workload: str


class Current(_Out):
    at_sla_percentile_ms: float
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    p99_9_ms: float
    sum_of_stage_percentiles_ms: float
    service_at_sla_percentile_ms: float
    queueing_wait_ms: float | None
    queueing_wait_probability: float | None
    utilization: float
    steady_state: bool
    method: str
    simulated_requests: int
    replicas: int
    concurrency: int
    replicas_needed_for_stability: int
    replicas_needed_for_sla: int | None


class Bottleneck(_Out):
    stage: str
    share: float


class StageOut(_Out):
    name: str
    kind: str
    p50_ms: float
    p95_ms: float
    p99_ms: float
    calls: int
    parallel_group: str | None
    share: float
    spread_assumed: bool
    distribution: str
    presence: float = 1.0  # fraction of requests that pass through the stage


class Recommendation(_Out):
    rule: str
    title: str
    level: Level
    technique: str
    stage: str | None
    saving_ms: tuple[float, float]
    accuracy_risk: Risk
    cost: Cost
    effort_days: tuple[float, float]
    why: str


class PlanStep(_Out):
    rule: str
    projected_ms: float
    meets_sla: bool


class Option(_Out):
    name: str
    rules: list[str]
    projected_ms: float
    perceived_ms: float | None = None
    meets_sla: bool
    accuracy_risk: Risk
    cost: Cost
    effort_days: tuple[float, float]


class Analysis(_Out):
    format: str = FORMAT
    scenario: str
    sla: SlaOut
    current: Current
    meets_sla: bool
    gap_ms: float
    headroom_ms: float
    bottleneck: Bottleneck
    queueing_share: float
    stages: list[StageOut]
    recommendations: list[Recommendation] = Field(default_factory=list)
    plan: list[PlanStep] = Field(default_factory=list)
    options: list[Option] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def to_json_data(self) -> dict[str, Any]:
        """The public JSON: floats rounded to what a measurement can support."""
        return _rounded(self.model_dump(mode="json"))


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4) if abs(value) < 10 else round(value, 2)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value
