"""`latency-advisor schema scenario|rule`: JSON Schema so editors can check and complete files."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any


def _scenario() -> dict[str, Any]:
    from latency_advisor.scenario import scenario_json_schema

    return scenario_json_schema()


def _rule() -> dict[str, Any]:
    from latency_advisor.rules.schema import rule_json_schema

    return rule_json_schema()


SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {"scenario": _scenario, "rule": _rule}


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("schema", help="print a JSON Schema", description=__doc__)
    p.add_argument("which", choices=sorted(SCHEMAS), help="which file format")
    return p


def run(args: argparse.Namespace) -> int:
    print(json.dumps(SCHEMAS[args.which](), indent=2))
    return 0
