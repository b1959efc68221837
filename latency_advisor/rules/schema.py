"""The rule file format (latency-advisor/rule/v1): pydantic models and their JSON Schema.

A rule file holds one rule, or a small family under `rules:`. A rule carries everything a
reviewer needs to trust it, as Semgrep and Checkov rules do: a stable id that is never reused,
the technique it applies (CONTRACTS.md §3), where it applies and when (a typed condition), how
big its effect is (ranges, as numbers or expressions over facts), its accuracy risk, running cost
and effort, a rationale for a tech lead, references, and its own test cases.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from latency_advisor.rules.techniques import TECHNIQUES
from latency_advisor.scenario import StageKind

RULE_FORMAT = "latency-advisor/rule/v1"
RuleId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Number = float | Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Range = tuple[Number, Number]
TestFacts = dict[Annotated[str, StringConstraints(max_length=64)], bool | float | str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# effect fields that change a stage's samples, and those that change only the traffic
STAGE_COMPONENTS = (
    "speedup",
    "cut",
    "median_ms",
    "add_ms",
    "hit_rate",
    "clip_percentile",
    "hedge_percentile",
    "perceived",
)
TRAFFIC_COMPONENTS = ("servers_factor", "servers_for", "load_kept")


class Effect(_Strict):
    """How the fix changes the path. Ranges are [conservative, optimistic]; numbers may be
    expressions over facts (e.g. `"0.8 * repeat_rate"`). Components combine (batching adds a
    window and raises throughput)."""

    speedup: Range | None = Field(None, description="the stage's time is divided by this factor")
    cut: Range | None = Field(None, description="this fraction of the stage's time goes away")
    median_ms: Range | None = Field(
        None, description="the stage's median becomes this many ms (its spread scales along)"
    )
    add_ms: Range | None = Field(None, description="ms added to the stage (a batching window)")
    hit_rate: Range | None = Field(
        None, description="share of requests served from a cache at hit_ms instead of the stage"
    )
    hit_ms: Range | None = Field(None, description="latency of a hit, ms")
    hit_fraction: Range | None = Field(
        None, description="latency of a hit as a share of the stage's time (a cheap model)"
    )
    clip_percentile: Range | None = Field(
        None, description="the stage's times above its own percentile q are cut back to it"
    )
    hedge_percentile: float | None = Field(
        None, gt=50, lt=100, description="a second request goes out after the stage's pXX"
    )
    overlap_previous: bool = Field(
        False, description="the stage runs alongside the stage before it instead of after it"
    )
    perceived: Range | None = Field(
        None, description="share of the stage's time until the user sees first output"
    )
    servers_factor: Range | None = Field(
        None, description="requests served at once are multiplied by this (throughput)"
    )
    servers_for: Literal["stability", "sla", "deadline"] | None = Field(
        None, description="capacity: as many replicas as keeping up or meeting the SLA needs"
    )
    load_kept: Range | None = Field(
        None, description="share of peak traffic that still reaches the path (shedding, offload)"
    )
    note: str = Field("", max_length=500, description="the effect's main assumption, in words")

    @model_validator(mode="after")
    def _has_a_component(self) -> Effect:
        parts = (*STAGE_COMPONENTS, *TRAFFIC_COMPONENTS)
        if not self.overlap_previous and all(getattr(self, p) is None for p in parts):
            raise ValueError("an effect needs at least one component (speedup, cut, ...)")
        hit_cost = (self.hit_ms is not None) + (self.hit_fraction is not None)
        if (self.hit_rate is not None) != (hit_cost == 1):
            raise ValueError("hit_rate goes with exactly one of hit_ms and hit_fraction")
        return self

    def stage_level(self) -> bool:
        """Whether the effect changes a stage's samples (rather than only traffic)."""
        values = [getattr(self, p) for p in STAGE_COMPONENTS]
        present = any(v is not None and v is not False for v in values)
        return present or bool(self.overlap_previous)


class Rationale(_Strict):
    """Written for a tech lead: what the fix does, why it helps here, what it costs, when it
    backfires."""

    what: Text
    helps: Text
    costs: Text
    backfires: Text


class RuleTests(_Strict):
    """The rule's own cases: facts where it must fire, facts where it must stay quiet.
    Facts not named take their defaults (see `latency-advisor rules facts`)."""

    fires: Annotated[list[TestFacts], Field(min_length=1)]
    quiet: Annotated[list[TestFacts], Field(min_length=1)]
    # where it fires but `left_out_when` holds: listed as considered and left out
    left_out: list[TestFacts] = Field(default_factory=list)


class LeftOut(_Strict):
    """When a rule that fired is still not worth doing here, and why (shown to the user)."""

    when: Text = Field(description="condition over facts; the fix is left out where it is true")
    reason: Text = Field(
        description="why, for the user; `{fact}` or `{fact:.1f}` is replaced by the fact's value"
    )


class RuleSpec(_Strict):
    id: RuleId = Field(description="stable id; never reused for another rule")
    title: Text
    level: Literal["system", "serving", "model"]
    technique: str = Field(description="a technique of CONTRACTS.md §3")
    scope: Literal["stage", "path"] = Field(
        "stage", description="checked once per stage, or once for the whole path"
    )
    stage_kinds: list[StageKind] = Field(
        default_factory=list, description="stage kinds it applies to (empty: all)"
    )
    when: Text = Field(description="condition over facts; the rule fires where it is true")
    first_when: str | None = Field(
        None, description="condition under which the fix goes before every other fix"
    )
    left_out_when: LeftOut | None = Field(
        None, description="where the fix fires but is listed as considered and left out"
    )
    merge: Literal["stage", "group", "path"] = Field(
        "group",
        description="one recommendation per stage, per parallel group (default: the members of "
        "a fan-out get one change) or for every stage where it fires (one payload format)",
    )
    effect: Effect
    rollout: list[Text] = Field(
        default_factory=list,
        description="steps the rollout must include (an output-parity check for runtime swaps)",
    )
    accuracy_risk: Literal["none", "low", "medium", "high"]
    cost: Literal["saves", "none", "low", "medium", "high"]
    effort_days: tuple[
        Annotated[float, Field(ge=0, le=1000)], Annotated[float, Field(ge=0, le=1000)]
    ]
    rationale: Rationale
    requires: list[RuleId] = Field(default_factory=list, description="rules to apply first")
    conflicts: list[RuleId] = Field(
        default_factory=list, description="rules that cannot go in the same plan"
    )
    references: Annotated[list[Text], Field(min_length=1)]
    tests: RuleTests

    @field_validator("when", "first_when", mode="before")
    @classmethod
    def _yaml_booleans(cls, value: Any) -> Any:
        """`when: true` in YAML is a boolean; read it as the condition `true`."""
        return ("true" if value else "false") if isinstance(value, bool) else value

    @model_validator(mode="after")
    def _vocabulary(self) -> RuleSpec:
        level = TECHNIQUES.get(self.technique)
        if level is None:
            raise ValueError(
                f"unknown technique {self.technique!r}; use one of CONTRACTS.md §3 "
                "(`latency-advisor rules techniques`)"
            )
        if level != self.level:
            raise ValueError(
                f"technique {self.technique!r} is a {level}-level technique, not {self.level}"
            )
        if self.effort_days[0] > self.effort_days[1]:
            raise ValueError("effort_days must be [low, high] with low <= high")
        if self.scope == "path" and self.stage_kinds:
            raise ValueError("a path rule has no stage_kinds")
        if self.scope == "path" and self.effect.stage_level():
            raise ValueError("a path rule's effect can only change traffic or servers")
        if self.id in self.requires or self.id in self.conflicts:
            raise ValueError("a rule cannot require or conflict with itself")
        if self.left_out_when is not None and not self.tests.left_out:
            raise ValueError("a rule with left_out_when needs tests.left_out cases")
        if self.tests.left_out and self.left_out_when is None:
            raise ValueError("tests.left_out cases need a left_out_when condition")
        return self


class RuleFile(_Strict):
    """A file of rules: one rule at the top level, or a family under `rules:`."""

    format: Literal["latency-advisor/rule/v1"] = RULE_FORMAT
    rules: Annotated[list[RuleSpec], Field(min_length=1, max_length=1000)]


def rule_json_schema() -> dict[str, Any]:
    single = RuleSpec.model_json_schema()
    family = RuleFile.model_json_schema()
    defs = {**single.pop("$defs", {}), **family.pop("$defs", {})}
    defs["RuleSpec"] = single
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://latency-advisor.invalid/schema/rule-v1.json",
        "title": "Latency Advisor rule file (latency-advisor/rule/v1)",
        "description": "One rule, or a family of rules under `rules:`.",
        "oneOf": [{"$ref": "#/$defs/RuleSpec"}, family],
        "$defs": defs,
    }
    return schema
