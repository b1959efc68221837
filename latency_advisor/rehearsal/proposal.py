"""Which of the analysis's options to propose, and why: shared by the talk track and the drills.

With the scenario at hand the choice is the report's (one rule for the PDF, the talk track and
the drill's expected answer). Without it: an option the engine flags, else one within the
quality budget that meets the target with the least accuracy risk, effort and cost.
"""

from __future__ import annotations

from dataclasses import dataclass

from latency_advisor.analysis import Analysis, Option
from latency_advisor.scenario import Scenario

RISK_RANK = {"none": 0, "low": 1, "medium": 2, "high": 3}
COST_RANK = {"saves": 0, "none": 1, "low": 2, "medium": 3, "high": 4}


@dataclass(frozen=True)
class Proposal:
    option: Option
    reason: str


def option_key(option: Option) -> tuple[float, ...]:
    low, high = option.effort_days
    return (
        0 if option.meets_sla else 1,
        RISK_RANK.get(option.accuracy_risk, 3),
        (low + high) / 2,
        COST_RANK.get(option.cost, 4),
        option.projected_ms,
    )


def propose(analysis: Analysis, scenario: Scenario | None = None) -> Proposal | None:
    """The option to propose and the reason, or None when the analysis has no options."""
    options = analysis.options
    if not options:
        return None
    if scenario is not None:
        from latency_advisor.report.narrative import recommended_option

        choice = recommended_option(analysis, scenario)
        if choice.index is not None:
            return Proposal(options[choice.index], choice.reason)
    flagged = [o for o in options if (o.model_extra or {}).get("recommended")]
    if flagged:
        return Proposal(flagged[0], "the rule engine ranks it first for this path")
    within = [o for o in options if (o.model_extra or {}).get("within_quality_budget", True)]
    best = min(within or options, key=option_key)
    reason = (
        "it meets the target with the least accuracy risk, effort and cost"
        if best.meets_sla
        else "no option meets the target on its own and this one comes closest at low risk"
    )
    return Proposal(best, reason)


def why_preferred(best: Option, other: Option) -> str:
    """The first criterion on which `best` beats `other`, said plainly."""
    if best.meets_sla and not other.meets_sla:
        return f"“{best.name}” meets the target and “{other.name}” does not"
    if RISK_RANK[best.accuracy_risk] < RISK_RANK[other.accuracy_risk]:
        return (
            f"“{best.name}” carries {best.accuracy_risk} accuracy risk against "
            f"{other.accuracy_risk} for “{other.name}”"
        )
    if (other.model_extra or {}).get("within_quality_budget") is False:
        return f"“{other.name}” exceeds the quality budget"
    if sum(best.effort_days) < sum(other.effort_days):
        return f"“{best.name}” takes less effort to build"
    if COST_RANK[best.cost] < COST_RANK[other.cost]:
        return f"“{best.name}” costs less to run ({best.cost} against {other.cost})"
    return f"“{best.name}” is the one the analysis recommends for this path"
