"""`latency-advisor examples`: list the bundled example scenarios and where they are."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    return sub.add_parser(
        "examples", help="list the bundled example scenarios", description=__doc__
    )


def run(args: argparse.Namespace) -> int:
    from latency_advisor.paths import examples_dir
    from latency_advisor.scenario import load_scenario

    for path in sorted(examples_dir().glob("*.yaml")):
        print(f"{path.stem:<28} {load_scenario(path).name}  ({path})")
    return 0
