"""The six-step answer the rehearsal mode follows, and the three lengths it is spoken in.

The steps are the structured answer a senior engineer gives to "how would you make this faster":
clarify the target, measure, find the bottleneck, take the cheapest lever that matters, weigh the
tradeoffs, roll out safely. Every talk track, drill and export is organised by them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

StepId = Literal["clarify", "measure", "bottleneck", "fix", "tradeoffs", "rollout"]
LengthId = Literal["30s", "2min", "deep"]


@dataclass(frozen=True)
class Step:
    id: StepId
    title: str
    purpose: str


STEPS: tuple[Step, ...] = (
    Step("clarify", "Clarify the target", "which percentile, what budget, what traffic"),
    Step("measure", "Measure the baseline", "the composed end-to-end latency, not a guess"),
    Step("bottleneck", "Find the bottleneck", "where the time actually goes"),
    Step("fix", "Take the cheapest lever that matters", "system, then serving, then model"),
    Step("tradeoffs", "Weigh the tradeoffs", "accuracy, cost, effort and the tail"),
    Step("rollout", "Roll out safely", "canary, guardrails and what to monitor"),
)
STEP_IDS: tuple[StepId, ...] = tuple(step.id for step in STEPS)


@dataclass(frozen=True)
class Length:
    """A spoken length: the word budget a talk track must stay within and its speaking time."""

    id: LengthId
    label: str
    tier: int
    max_words: int
    seconds: int


LENGTHS: dict[LengthId, Length] = {
    "30s": Length("30s", "30-second version", 1, 90, 30),
    "2min": Length("2min", "2-minute version", 2, 320, 120),
    "deep": Length("deep", "Deep technical version", 3, 950, 360),
}

# A relaxed speaking pace; used to say how long a track takes to say out loud.
WORDS_PER_MINUTE = 150


def step(step_id: str) -> Step:
    for candidate in STEPS:
        if candidate.id == step_id:
            return candidate
    raise KeyError(step_id)


def length(length_id: str) -> Length:
    try:
        return LENGTHS[length_id]  # type: ignore[index]
    except KeyError:
        raise KeyError(length_id) from None


def speaking_seconds(words: int) -> int:
    """How long `words` take to say at a relaxed pace, rounded to whole seconds."""
    return round(words * 60 / WORDS_PER_MINUTE)
