"""How long the advice takes, and what it says first, on the examples and the situation tests.

For every bundled example and every scenario in tests/situations/ (when present): the median
time of `analyze()` with the rule engine (cold: a new analysis each run, the library loaded
once), the number of recommendations and plan steps, and the first plan step. Run it on two
checkouts to compare them (same machine, one run each, back to back).

    .venv/bin/python benchmarks/advice_speed.py [RUNS]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from latency_advisor.analysis import analyze
from latency_advisor.rules.loader import load_library
from latency_advisor.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = (ROOT / "resources" / "examples", ROOT / "tests" / "situations")


def main(runs: int) -> None:
    load_library()  # compiled once per process, as in the app
    rows = []
    for folder in FOLDERS:
        for path in sorted(folder.glob("*.yaml")):
            try:
                scenario = load_scenario(path)
            except ScenarioError as exc:
                print(f"{path.stem:<22} skipped: {exc.message}")
                continue
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                a = analyze(scenario)
                times.append((time.perf_counter() - start) * 1000)
            first = a.plan[0].rule if a.plan else "-"
            rows.append((path.stem, statistics.median(times), len(a.recommendations), len(a.plan)))
            print(
                f"{path.stem:<22} {statistics.median(times):7.1f} ms  "
                f"{len(a.recommendations):3d} fixes  {len(a.plan):3d} steps  first: {first}"
            )
    overall = statistics.median(r[1] for r in rows)
    print(f"median over scenarios: {overall:.1f} ms ({runs} runs each)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
