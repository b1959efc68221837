"""Which missing facts would unlock more advice, found by asking the rules themselves.

A model stage that says only `family: llm` gets little advice, because most rules need to know
the runtime, the hardware, the size or the precision before they can say anything. For every
model field (and token count) the scenario leaves out, each rule that stays quiet on the stage
is checked again with typical values of that field; the fields that make some rule fire are
reported with the fixes they would unlock. No rule is special-cased: a new rule in the library
is covered as soon as it is added.
"""

from __future__ import annotations

from dataclasses import dataclass

from latency_advisor.rules.facts import FactValue
from latency_advisor.rules.loader import Library
from latency_advisor.scenario import Stage

# typical values tried for a field the scenario leaves out (several, so that a rule fires if
# any common deployment would make it fire)
PROBES: dict[str, tuple[tuple[str, FactValue], ...]] = {
    "runtime": (("model.runtime", "pytorch"), ("model.runtime", "onnxruntime")),
    "hardware": (("model.hardware", "gpu"), ("model.hardware", "cpu")),
    "precision": (("model.precision", "fp32"), ("model.precision", "fp16")),
    "batching": (("model.batching", "none"), ("model.batching", "static")),
    "params_millions": (("model.params_millions", 8000.0), ("model.params_millions", 120.0)),
    "output_tokens": (("model.output_tokens", 400.0),),
    "prompt_tokens": (("model.prompt_tokens", 3000.0),),
}
LLM_ONLY = {"output_tokens", "prompt_tokens"}


@dataclass(frozen=True)
class Unlock:
    stage: str
    field: str  # where the scenario would say it, e.g. model.runtime
    rules: tuple[str, ...]  # titles of the fixes it would unlock


def _unset(stage: Stage, facts: dict[str, FactValue]) -> list[str]:
    model = stage.model
    out = []
    for name in PROBES:
        if name in LLM_ONLY and facts.get("family") != "llm":
            continue
        if name == "prompt_tokens":
            given = stage.facts.get("prompt_tokens") or (model and model.prompt_tokens)
        else:
            given = getattr(model, name, None) if model is not None else None
        if not given:
            out.append(name)
    return out


def missing_facts(
    library: Library, stages: list[tuple[Stage, dict[str, FactValue]]], fired: set[tuple]
) -> list[Unlock]:
    """For each model stage, the unset fields that would make quiet rules fire."""
    out = []
    for stage, facts in stages:
        if stage.kind != "model":
            continue
        unset = _unset(stage, facts)
        found: dict[str, list[str]] = {name: [] for name in unset}
        for rule in library.rules:
            spec = rule.spec
            kinds = spec.stage_kinds
            if spec.scope != "stage" or (kinds and stage.kind not in kinds):
                continue
            needed = [name for name in unset if name in rule.symbols]
            if not needed or (rule.id, stage.name) in fired:
                continue
            # one field at a time first; then all of them together, for rules that need several
            # (a generation server needs both the runtime and the hardware)
            hit = [n for n in needed if any(_fires(rule, facts, {n: v}) for _f, v in PROBES[n])]
            if not hit:
                for i in range(max(len(PROBES[n]) for n in needed)):
                    probe = {n: PROBES[n][min(i, len(PROBES[n]) - 1)][1] for n in needed}
                    if _fires(rule, facts, probe):
                        hit = needed
                        break
            for name in hit:
                found[name].append(spec.title)
        for name in unset:
            if found[name]:
                field = PROBES[name][0][0]
                out.append(Unlock(stage.name, field, tuple(dict.fromkeys(found[name]))))
    return out


def _fires(rule, facts: dict[str, FactValue], probe: dict[str, FactValue]) -> bool:
    """The rule fires with the probe and would not be left out at once (nothing to batch)."""
    trial = {**facts, **probe, "has_model": True}
    if not rule.when.evaluate(trial):
        return False
    return rule.left_out_when is None or not rule.left_out_when.evaluate(trial)
