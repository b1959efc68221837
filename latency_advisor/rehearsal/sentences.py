"""Candidate sentences and the facts they quote: what every step's sentence builder shares.

A `Sentence` carries the depth it belongs to (tier 1: the 30-second core, tier 2: the 2-minute
answer, tier 3: the deep version) and how much it matters within its step, so a length can keep
what fits its budget. `Facts` reads the analysis once, so every sentence rounds alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from latency_advisor.analysis import Analysis, Recommendation
from latency_advisor.rehearsal.wording import fix_phrase, ms, pct_label, rps
from latency_advisor.scenario import Scenario


@dataclass(frozen=True)
class Sentence:
    """One candidate sentence: kept from `tier` up to `max_tier`; lower rank = more important."""

    text: str
    tier: int
    rank: int = 0
    max_tier: int = 3


class Facts:
    """The figures the sentences quote, read once from the analysis."""

    def __init__(self, analysis: Analysis, scenario: Scenario | None):
        a = analysis
        self.a = a
        self.c = a.current
        self.P = pct_label(a.sla.percentile)
        self.target = ms(a.sla.target_ms)
        self.at = ms(self.c.at_sla_percentile_ms)
        self.scenario = scenario
        self.peak = scenario.traffic.peak_rps if scenario is not None else None
        self.max_drop = scenario.quality.max_accuracy_drop_pct if scenario is not None else None
        self.workload = a.sla.workload
        self.stable = self.c.steady_state
        self.tail = float(a.sla.percentile) >= 90
        self.stages = list(a.stages)
        self.by_share = sorted(self.stages, key=lambda s: s.share, reverse=True)
        b = a.bottleneck.model_extra or {}
        named = b.get("service_stage") or a.bottleneck.stage
        self.top = next((s for s in self.stages if s.name == named), self.by_share[0])
        # the unit the bottleneck view names: a stage, a parallel group, or the queue
        self.unit_kind = b.get("kind", "stage")
        self.unit = a.bottleneck.stage
        self.unit_share = a.bottleneck.share
        self.unit_members = list(b.get("members") or [])
        self.model_share = sum(s.share for s in self.stages if s.kind == "model")
        self.has_model = any(s.kind == "model" for s in self.stages)

    def fix(self, rec: Recommendation) -> str:
        """A fix as an action, naming its stage only where it is not the bottleneck (already
        named, and repeating it in every sentence sounds read out)."""
        return fix_phrase(rec, with_stage=rec.stage not in (None, self.top.name))

    def budget(self) -> str:
        if self.max_drop is None:
            return "the accuracy the product can give up"
        if self.max_drop == 0:
            return "no accuracy loss at all"
        return f"at most {self.max_drop:g}% accuracy loss"

    def replicas(self, n: int) -> str:
        return f"{n} replica" + ("" if n == 1 else "s")


def traffic_phrase(f: Facts) -> str:
    if f.peak is None:
        return ""
    return f" at a peak of {rps(f.peak)} requests per second"
