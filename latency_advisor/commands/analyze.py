"""`latency-advisor analyze FILE [--json]`: the analysis as text or as CONTRACTS.md §2 JSON."""

from __future__ import annotations

import argparse
import json

from latency_advisor.commands.rules import add_rules_dir_option


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "analyze", aliases=["analyse"], help="analyse a scenario file", description=__doc__
    )
    p.add_argument("file", help="scenario file (.yaml or .json)")
    p.add_argument("--json", action="store_true", help="print the analysis as JSON")
    add_method_option(p)
    add_rules_dir_option(p)
    return p


def add_method_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--method",
        choices=("auto", "formula", "simulation"),
        default="auto",
        help="queueing estimate: formulas, simulation, or chosen automatically (default)",
    )


def run(args: argparse.Namespace) -> int:
    from latency_advisor.analysis import analyze, format_text
    from latency_advisor.scenario import load_scenario

    scenario = load_scenario(args.file)
    analysis = analyze(scenario, method=args.method, rule_folders=args.rules_dir)
    if args.json:
        print(json.dumps(analysis.to_json_data(), indent=2, ensure_ascii=False, allow_nan=False))
    else:
        print(format_text(analysis), end="")
    return 0
