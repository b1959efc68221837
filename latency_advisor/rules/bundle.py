"""An option for a decision maker as data: what it bundles, where it lands, what it costs.

`Bundle` is shared by the option builder (`options.py`), the choice among bundles
(`choice.py`) and the Pareto front over options and plan prefixes (below).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from latency_advisor.money import Prices
from latency_advisor.rules.engine import Candidate, Projector
from latency_advisor.rules.plan import Stacked
from latency_advisor.rules.techniques import COSTS, RISKS, cost_rank, risk_rank

MODEL_ERROR = 0.05  # the latency model's own error: independent simulations agree within ~3-6 %


@dataclass
class Bundle:
    name: str
    summary: str
    rules: list[str]
    stages: list[str | None]
    projected_ms: float
    perceived_ms: float | None
    stable: bool
    accuracy_risk: str
    cost: str
    effort_days: tuple[float, float]
    within_quality_budget: bool
    pareto: bool = False
    kind: str = "fixes"  # fixes | keep | fewer_replicas | capacity
    fixes: list[Candidate] = field(default_factory=list, repr=False)
    replicas: int = 0
    projected_range_ms: tuple[float, float] = (0.0, 0.0)  # optimistic, conservative
    monthly_cost_usd: tuple[float, float] = (0.0, 0.0)
    one_off_cost_usd: tuple[float, float] = (0.0, 0.0)
    offline_evaluation: str | None = None
    why: str = ""
    recommended: bool = False
    recommended_reason: str = ""
    roles: list[str] = field(default_factory=list)

    @property
    def uncertainty_ms(self) -> float:
        return max(self.projected_range_ms[1] - self.projected_ms, MODEL_ERROR * self.projected_ms)

    def meets(self, target: float) -> bool:
        return self.stable and self.projected_ms <= target

    def meets_with_margin(self, target: float) -> bool:
        return self.stable and target - self.projected_ms > self.uncertainty_ms

    @property
    def effort_mid(self) -> float:
        return (self.effort_days[0] + self.effort_days[1]) / 2.0

    @property
    def monthly_mid(self) -> float:
        return (self.monthly_cost_usd[0] + self.monthly_cost_usd[1]) / 2.0


@dataclass
class Context:
    """What every option is sized against."""

    projector: Projector
    prices: Prices
    budget_pct: float
    allowed: str
    target: float
    met_today: bool
    replicas_for_sla: int | None
    streamed: bool = False

    @property
    def replicas(self) -> int:
        return self.projector.scenario.traffic.replicas

    @property
    def concurrency(self) -> int:
        return self.projector.scenario.traffic.concurrency


# ------------------------------------------------------------------ Pareto front


def summarize(name: str, summary: str, stacked: list[Stacked], allowed: str, base_ms: float):
    """A plan prefix as a bundle (for the Pareto front over the options and the plan)."""
    if not stacked:
        return Bundle(name, summary, [], [], base_ms, None, True, "none", "none", (0, 0), True)
    last = stacked[-1]
    assert last.projected_ms is not None
    specs = [s.cand.rule.spec for s in stacked]
    risk = RISKS[max(risk_rank(s.accuracy_risk) for s in specs)]
    cost = COSTS[max(cost_rank(s.cost) for s in specs)]
    effort = (sum(s.effort_days[0] for s in specs), sum(s.effort_days[1] for s in specs))
    return Bundle(
        name=name,
        summary=summary,
        rules=[s.cand.rule.id for s in stacked],
        stages=[s.cand.stage for s in stacked],
        projected_ms=last.projected_ms,
        perceived_ms=last.perceived_ms,
        stable=last.stable,
        accuracy_risk=risk,
        cost=cost,
        effort_days=effort,
        within_quality_budget=risk_rank(risk) <= risk_rank(allowed),
    )


def _point(b: Bundle) -> tuple[float, int, float]:
    return (round(b.projected_ms, 6), risk_rank(b.accuracy_risk), sum(b.effort_days) / 2.0)


def mark_pareto(bundles: Sequence[Bundle]) -> list[Bundle]:
    """Flag the bundles no other bundle beats on latency, accuracy risk and effort at once."""
    points = [_point(b) for b in bundles]
    for i, b in enumerate(bundles):
        p = points[i]
        b.pareto = not any(
            all(q[k] <= p[k] for k in range(3)) and q != p for j, q in enumerate(points) if j != i
        )
    return [b for b in bundles if b.pareto]


def pareto_front(bundles: list[Bundle], plan: list[Stacked], allowed: str, base_ms: float):
    """The front over the options and every prefix of the plan."""
    pool = list(bundles)
    for i in range(len(plan)):
        pool.append(
            summarize(
                f"Plan steps 1–{i + 1}", "a prefix of the plan", plan[: i + 1], allowed, base_ms
            )
        )
    front = mark_pareto([replace(b) for b in pool])
    front.sort(key=lambda b: (b.projected_ms, risk_rank(b.accuracy_risk)))
    dedup: list[Bundle] = []
    for b in front:
        if all(_point(b) != _point(d) for d in dedup):
            dedup.append(b)
    return dedup
