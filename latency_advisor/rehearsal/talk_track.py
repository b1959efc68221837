"""The talk track: the analysis said out loud in the six steps, at one of three lengths.

Each step offers sentences at three depths (tier 1: the 30-second core, tier 2: the 2-minute
answer, tier 3: the deep technical version). A length keeps the sentences of its tier and below,
then drops the least important optional ones until the track fits its word budget. Every number
comes from the analysis, so the track never says anything the app did not compute.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from latency_advisor.analysis import Analysis
from latency_advisor.rehearsal import diagnosis, remedies
from latency_advisor.rehearsal.framework import LENGTHS, STEPS, Length, LengthId, Step
from latency_advisor.rehearsal.framework import speaking_seconds as _speaking_seconds
from latency_advisor.rehearsal.sentences import Facts, Sentence
from latency_advisor.scenario import Scenario


@dataclass
class StepText:
    step: Step
    sentences: list[str]

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


@dataclass
class TalkTrack:
    scenario: str
    length: Length
    intro: str | None
    steps: list[StepText] = field(default_factory=list)

    @property
    def sentences(self) -> list[str]:
        return ([self.intro] if self.intro else []) + [s for st in self.steps for s in st.sentences]

    @property
    def text(self) -> str:
        """The spoken text only, as one paragraph per step."""
        parts = ([self.intro] if self.intro else []) + [st.text for st in self.steps]
        return "\n\n".join(parts)

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def speaking_seconds(self) -> int:
        return _speaking_seconds(self.words)


def build_talk_track(
    analysis: Analysis,
    length: LengthId | Length = "2min",
    *,
    scenario: Scenario | None = None,
) -> TalkTrack:
    """The talk track of `analysis` at `length` ("30s", "2min" or "deep").

    The analysis does not carry the peak traffic or the quality budget; pass the `scenario`
    and the track quotes them, leave it out and it speaks of them without a number.
    """
    size = length if isinstance(length, Length) else LENGTHS[length]
    ctx = Facts(analysis, scenario)
    drafts: dict[str, list[Sentence]] = {st.id: _BUILDERS[st.id](ctx) for st in STEPS}
    chosen = {
        sid: [s for s in sentences if s.tier <= size.tier <= s.max_tier]
        for sid, sentences in drafts.items()
    }
    intro = _intro() if size.tier >= 2 else None
    _fit(chosen, size, intro)
    return TalkTrack(
        scenario=analysis.scenario,
        length=size,
        intro=intro,
        steps=[StepText(st, _dedupe([s.text for s in chosen[st.id]])) for st in STEPS],
    )


def all_lengths(analysis: Analysis, *, scenario: Scenario | None = None) -> dict[str, TalkTrack]:
    return {lid: build_talk_track(analysis, lid, scenario=scenario) for lid in LENGTHS}


# ----------------------------------------------------------------------------- fitting


def _fit(chosen: dict[str, list[Sentence]], size: Length, intro: str | None) -> None:
    """Drop optional sentences (highest tier, then highest rank) until the budget holds."""

    def words() -> int:
        total = len(intro.split()) if intro else 0
        return total + sum(len(s.text.split()) for ss in chosen.values() for s in ss)

    while words() > size.max_words:
        droppable = [
            (s.tier, s.rank, sid, s)
            for sid, ss in chosen.items()
            for s in ss
            if s.tier > 1 and len(ss) > 1
        ]
        if not droppable:
            return
        *_, sid, victim = max(droppable, key=lambda item: (item[0], item[1]))
        chosen[sid].remove(victim)


def _dedupe(sentences: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for sentence in sentences:
        if sentence not in seen:
            seen.add(sentence)
            out.append(sentence)
    return out


def _intro() -> str:
    return (
        "I'd take this in six steps: pin down the target, measure, find the bottleneck, "
        "take the cheapest fix that matters, weigh the tradeoffs, and roll out safely."
    )


_BUILDERS: dict[str, Callable[[Facts], list[Sentence]]] = {
    "clarify": diagnosis.clarify,
    "measure": diagnosis.measure,
    "bottleneck": diagnosis.bottleneck,
    "fix": remedies.fix,
    "tradeoffs": remedies.tradeoffs,
    "rollout": remedies.rollout,
}
