"""The technique vocabulary, as the rules see it (it lives in `latency_advisor.techniques`)."""

from latency_advisor.techniques import (
    COSTS,
    LEVELS,
    RISKS,
    TECHNIQUES,
    Level,
    allowed_risk,
    cost_rank,
    risk_rank,
)

__all__ = [
    "COSTS",
    "LEVELS",
    "RISKS",
    "TECHNIQUES",
    "Level",
    "allowed_risk",
    "cost_rank",
    "risk_rank",
]
