"""What a deployment already runs, and fact names the rules cannot read.

A technique already in place must never be advised again: the scenario says so in a stage's
`applied` list, in a fact named after the technique (`speculative_decoding: true`), or through
model fields that name it (`streaming: true`, `batching: continuous`, `precision: int4`).
A fact name the rules do not know changes nothing, which silently changes the advice when it is
a typo: it gets a warning with the closest known name.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from latency_advisor.rules.facts import FACTS
from latency_advisor.scenario import Scenario, Stage
from latency_advisor.techniques import TECHNIQUES

# model fields that say a technique is on
_BATCHING = {"continuous": "continuous_batching", "dynamic": "dynamic_batching"}
_PRECISION = {"int8": "quantization_int8", "int4": "quantization_int4", "fp8": "quantization_fp8"}


@dataclass(frozen=True)
class Applied:
    technique: str
    stage: str
    source: str  # where the scenario says so, in words


def applied_on(stage: Stage) -> dict[str, Applied]:
    """The techniques already in place on one stage, by technique."""
    out: dict[str, Applied] = {}

    def add(technique: str, source: str) -> None:
        out.setdefault(technique, Applied(technique, stage.name, source))

    for technique in stage.applied:
        add(technique, "listed in applied")
    for key, value in stage.facts.items():
        if key in TECHNIQUES and value is True:
            add(key, f"facts.{key}: true")
    model = stage.model
    if model is not None:
        if model.streaming:
            add("streaming", "model.streaming: true")
        if model.batching in _BATCHING:
            add(_BATCHING[model.batching], f"model.batching: {model.batching}")
        if model.precision in _PRECISION:
            add(_PRECISION[model.precision], f"model.precision: {model.precision}")
    return out


def applied_techniques(scenario: Scenario) -> dict[str, dict[str, Applied]]:
    """Techniques in place, by stage name."""
    return {stage.name: applied_on(stage) for stage in scenario.stages}


def unknown_fact_warnings(scenario: Scenario) -> list[str]:
    """A warning for each stage fact the rules cannot read, with the closest known name."""
    known = [name for name, fact in FACTS.items() if fact.scope == "stage_fact"]
    computed = {name for name, fact in FACTS.items() if fact.scope != "stage_fact"}
    out = []
    for stage in scenario.stages:
        for key in stage.facts:
            if key in TECHNIQUES or (key in FACTS and FACTS[key].scope == "stage_fact"):
                continue
            if key in computed:
                out.append(
                    f"Stage '{stage.name}': fact '{key}' is computed from the scenario, not read "
                    "from facts; this value is ignored."
                )
                continue
            near = difflib.get_close_matches(key, [*known, *TECHNIQUES], n=1, cutoff=0.7)
            hint = f" Did you mean '{near[0]}'?" if near else ""
            out.append(
                f"Stage '{stage.name}': no rule reads the fact '{key}', so it changes nothing."
                f"{hint} (`latency-advisor rules facts` lists the facts rules read; a technique "
                "already in place goes in the stage's `applied` list.)"
            )
    return out
