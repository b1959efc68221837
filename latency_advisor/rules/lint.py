"""Checks beyond loading: test cases, vocabulary of string facts, coverage of the techniques.

Loading already refuses schema errors, unknown facts and techniques, type clashes, duplicate
ids and unsafe expressions. Lint adds what a reviewer would flag: a comparison with a string
value the vocabulary does not know (`family == 'lmm'` is never true), test cases that name
unknown facts, and - for the bundled library - techniques no rule covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from latency_advisor.rules.facts import FACTS
from latency_advisor.rules.loader import CompiledRule, Library
from latency_advisor.rules.selftest import case_facts
from latency_advisor.rules.techniques import TECHNIQUES

_EQ = re.compile(r"\b([a-z_][a-z0-9_]*)\s*(?:==|!=)\s*'([^']*)'")
_IN = re.compile(r"\b([a-z_][a-z0-9_]*)\s+in\s+\[([^\]]*)\]")
_STR = re.compile(r"'([^']*)'")


@dataclass
class Finding:
    path: str
    rule: str | None
    message: str

    def __str__(self) -> str:
        who = f" rule '{self.rule}':" if self.rule else ""
        return f"{self.path}:{who} {self.message}"


def lint_rule(rule: CompiledRule) -> list[Finding]:
    out: list[Finding] = []
    path = str(rule.path)

    def add(message: str) -> None:
        out.append(Finding(path, rule.id, message))

    texts = [("when", rule.spec.when)]
    if rule.spec.first_when:
        texts.append(("first_when", rule.spec.first_when))
    if rule.spec.left_out_when:
        texts.append(("left_out_when", rule.spec.left_out_when.when))
    for label, text in texts:
        for name, value in _EQ.findall(text):
            _check_value(name, [value], label, add)
        for name, items in _IN.findall(text):
            _check_value(name, _STR.findall(items), label, add)
    for kind in ("fires", "quiet"):
        for i, case in enumerate(getattr(rule.spec.tests, kind)):
            _, problems = case_facts(case)
            for problem in problems:
                add(f"tests.{kind}[{i}]: {problem}")
            kind_value = case.get("stage_kind")
            if (
                kind == "fires"
                and rule.spec.scope == "stage"
                and rule.spec.stage_kinds
                and kind_value not in rule.spec.stage_kinds
            ):
                add(
                    f"tests.fires[{i}]: set stage_kind to one of "
                    f"{', '.join(rule.spec.stage_kinds)} (the rule applies only there)"
                )
    return out


def _check_value(name: str, values: list[str], label: str, add) -> None:
    fact = FACTS.get(name)
    if fact is None or not fact.values:
        return
    for value in values:
        if value not in fact.values:
            add(
                f"{label}: '{value}' is not a known value of '{name}' "
                f"({', '.join(fact.values)}); the comparison may never hold"
            )


def lint_library(library: Library, coverage: bool = True) -> list[Finding]:
    out: list[Finding] = []
    for rule in library.rules:
        out += lint_rule(rule)
    if coverage:
        covered = {rule.spec.technique for rule in library.rules}
        missing = sorted(set(TECHNIQUES) - covered)
        if missing:
            out.append(
                Finding("<library>", None, f"no rule covers the techniques: {', '.join(missing)}")
            )
    return out
