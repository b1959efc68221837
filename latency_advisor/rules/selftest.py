"""Run every rule's own test cases: facts where it must fire, facts where it must stay quiet.

As Semgrep and Checkov rules carry their examples, each rule file carries cases; CI runs them all
(`latency-advisor rules test`). A case names only the facts that matter; the others take their
defaults. A firing case also sizes the rule's effect, so an expression that divides by zero or
gives a number out of range is caught here, not in someone's analysis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from latency_advisor.rules.facts import DEFAULTS, FACTS
from latency_advisor.rules.loader import CompiledRule, Library, effect_values


@dataclass
class CaseResult:
    rule: str
    kind: str  # "fires" or "quiet"
    index: int
    ok: bool
    message: str = ""


def case_facts(case: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Defaults overlaid with the case's facts; also the problems with the case itself."""
    facts = dict(DEFAULTS)
    problems = []
    for key, value in case.items():
        fact = FACTS.get(key)
        if fact is None:
            problems.append(f"unknown fact '{key}'")
            continue
        if fact.type == "number" and isinstance(value, int | float) and not isinstance(value, bool):
            facts[key] = float(value)
        elif (fact.type == "boolean" and isinstance(value, bool)) or (
            fact.type == "string" and isinstance(value, str)
        ):
            facts[key] = value
        else:
            problems.append(f"fact '{key}' must be a {fact.type}, got {value!r}")
    return facts, problems


def fires(rule: CompiledRule, facts: dict[str, Any]) -> bool:
    kinds = rule.spec.stage_kinds
    if rule.spec.scope == "stage" and kinds and facts.get("stage_kind") not in kinds:
        return False
    return bool(rule.when.evaluate(facts))


def left_out(rule: CompiledRule, facts: dict[str, Any]) -> bool:
    """The rule fires here but its `left_out_when` says the fix is not worth doing."""
    return rule.left_out_when is not None and bool(rule.left_out_when.evaluate(facts))


def run_rule_cases(rule: CompiledRule) -> list[CaseResult]:
    results = []
    for kind in ("fires", "quiet", "left_out"):
        for i, case in enumerate(getattr(rule.spec.tests, kind)):
            facts, problems = case_facts(case)
            if problems:
                results.append(CaseResult(rule.id, kind, i, False, "; ".join(problems)))
                continue
            got = fires(rule, facts)
            want = kind != "quiet"
            if got != want:
                what = "stayed quiet" if want else "fired"
                results.append(CaseResult(rule.id, kind, i, False, f"{what}: {case}"))
                continue
            if want and left_out(rule, facts) != (kind == "left_out"):
                what = "was not left out" if kind == "left_out" else "was left out"
                results.append(CaseResult(rule.id, kind, i, False, f"{what}: {case}"))
                continue
            if want:
                bad = _effect_problem(rule, facts)
                if bad:
                    results.append(CaseResult(rule.id, kind, i, False, bad))
                    continue
            results.append(CaseResult(rule.id, kind, i, True))
    return results


def _effect_problem(rule: CompiledRule, facts: dict[str, Any]) -> str:
    for name, (a, b) in effect_values(rule, facts).items():
        for value in (a, b):
            if not math.isfinite(value):
                return f"effect.{name} is not a finite number for these facts"
        if name in ("cut", "hit_rate", "hit_fraction", "perceived", "load_kept") and not (
            0.0 <= a <= 1.0 and 0.0 <= b <= 1.0
        ):
            return f"effect.{name} must lie between 0 and 1; got [{a:g}, {b:g}]"
        if name in ("speedup", "servers_factor") and (a <= 0 or b <= 0):
            return f"effect.{name} must be positive; got [{a:g}, {b:g}]"
    return ""


def run_library_cases(library: Library) -> list[CaseResult]:
    results: list[CaseResult] = []
    for rule in library.rules:
        results += run_rule_cases(rule)
    return results
