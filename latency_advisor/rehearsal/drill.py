"""Drills: what the user is asked to order for a card, and the answer it is scored against.

The expected order is the rule engine's (system before serving before model, then by saving)
for the card's scenario; when the analysis carries no recommendations the card's own order
stands in, and says so. Two process items sit in the same list as the fixes: profiling comes
first, the canary rollout last. Scoring lives in `scoring`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from latency_advisor.analysis import Analysis, Option
from latency_advisor.errors import UserError
from latency_advisor.rehearsal.cards import Card
from latency_advisor.rehearsal.proposal import Proposal, propose
from latency_advisor.rehearsal.wording import (
    LEVEL_RANK,
    MEASURE,
    ROLLOUT,
    level_of,
    pct_label,
    value_clause,
)
from latency_advisor.scenario import Scenario

MAX_FIXES = 3  # the engine's top fixes a drill always shows, beside the card's candidates
NO_CASE = "The analysis finds no case for it on this path: no rule recommends it here."
TOO_RISKY = "Its accuracy risk is more than this scenario's quality budget allows."
METRICS: tuple[str, ...] = ("average", "p50", "p90", "p95", "p99", "p99.9")


class AnswerError(UserError):
    """A drill answer that names items, metrics or options the card does not offer."""


@dataclass(frozen=True)
class Expected:
    """The answer the drill scores against."""

    card: Card
    order: list[str]
    skip: dict[str, str]
    savings: dict[str, str]
    source: Literal["engine", "card"]
    metric: str
    options: list[Option]
    bottleneck_kind: str
    proposal: Proposal | None = None

    @property
    def items(self) -> list[str]:
        """Everything the user may place: the two process items, the fixes and the distractors."""
        return [MEASURE, *self.order, *self.skip, ROLLOUT]

    @property
    def best_option(self) -> Option | None:
        return self.proposal.option if self.proposal else None


@dataclass
class DrillAnswer:
    """The user's answer: included items in their order, the metric and the option they'd pick."""

    items: list[str]
    metric: str | None = None
    option: str | None = None


def expected_answer(card: Card, analysis: Analysis, scenario: Scenario | None = None) -> Expected:
    """The engine's order for this card's scenario, or the card's own when the engine is silent.

    `scenario` (the card's, when at hand) lets the option to propose follow the report's choice.
    """
    stage_kinds = {s.name: s.kind for s in analysis.stages}
    common = {
        "metric": pct_label(analysis.sla.percentile),
        "options": list(analysis.options),
        "bottleneck_kind": stage_kinds.get(analysis.bottleneck.stage, "other"),
        "card": card,
        "proposal": propose(analysis, scenario),
    }
    if analysis.recommendations:
        order: list[str] = []
        savings: dict[str, str] = {}
        too_risky: set[str] = set()
        for rec in analysis.recommendations:
            if (rec.model_extra or {}).get("within_quality_budget") is False:
                too_risky.add(rec.technique)
            elif rec.technique not in savings:
                savings[rec.technique] = value_clause(rec)
                order.append(rec.technique)
        too_risky -= set(savings)
        # The engine's top fixes, plus the card's candidates wherever the engine ranks them (so
        # the tempting model-level levers stay in play); the engine's order decides.
        top = set(order[:MAX_FIXES])
        order = [t for t in order if t in top or t in card.candidates]
        # A distractor the engine ranks outside these still makes a poor answer here.
        skip = {t: why for t, why in card.distractors.items() if t not in order}
        for tech in card.candidates:
            if tech in too_risky:
                skip[tech] = TOO_RISKY
            elif tech not in savings:
                skip[tech] = NO_CASE
        return Expected(order=order, skip=skip, savings=savings, source="engine", **common)
    order = sorted(card.candidates, key=lambda t: LEVEL_RANK.get(level_of(t) or "model", 2))
    return Expected(order=order, skip=dict(card.distractors), savings={}, source="card", **common)


def shuffled_items(expected: Expected) -> list[str]:
    """The items in a fixed, card-specific shuffle that never shows the expected order."""
    items = expected.items
    rng = random.Random(expected.card.id)
    out = list(items)
    rng.shuffle(out)
    if out == items:
        out = out[1:] + out[:1]
    return out
