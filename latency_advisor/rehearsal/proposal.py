"""Which of the analysis's options to propose, and why: shared by the talk track and the drills.

The rule favours an option that meets the target, then the least accuracy risk, then the lowest
running cost and effort: the order a careful engineer would defend to a product manager.
"""

from __future__ import annotations

from collections.abc import Sequence

from latency_advisor.analysis import Option

RISK_RANK = {"none": 0, "low": 1, "medium": 2, "high": 3}
COST_RANK = {"saves": 0, "none": 1, "low": 2, "medium": 3, "high": 4}


def option_key(option: Option) -> tuple[float, ...]:
    low, high = option.effort_days
    return (
        0 if option.meets_sla else 1,
        RISK_RANK.get(option.accuracy_risk, 3),
        COST_RANK.get(option.cost, 4),
        (low + high) / 2,
        option.projected_ms,
    )


def preferred_option(options: Sequence[Option]) -> Option | None:
    """The option to propose, or None when there are none."""
    return min(options, key=option_key) if options else None


def why_preferred(best: Option, other: Option) -> str:
    """The first criterion on which `best` beats `other`, said plainly."""
    if best.meets_sla and not other.meets_sla:
        return f"“{best.name}” meets the target and “{other.name}” does not"
    if RISK_RANK[best.accuracy_risk] < RISK_RANK[other.accuracy_risk]:
        return (
            f"“{best.name}” carries {best.accuracy_risk} accuracy risk against "
            f"{other.accuracy_risk} for “{other.name}”"
        )
    if COST_RANK[best.cost] < COST_RANK[other.cost]:
        return f"“{best.name}” costs less to run ({best.cost} against {other.cost})"
    if sum(best.effort_days) < sum(other.effort_days):
        return f"“{best.name}” takes less effort to build"
    return f"“{best.name}” reaches a lower latency"
