"""How long the analysis takes: formula mode on the largest example, and simulation mode.

Prints medians over repeated cold runs (a new model each time, nothing cached between runs).
Targets (issue #2): <= 20 ms for the whole analysis when formulas apply; <= 1 s for a
simulation that puts p99 within 5%.

    .venv/bin/python benchmarks/analysis_speed.py
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from latency_advisor.analysis import analyze
from latency_advisor.latency.distributions import StageFit
from latency_advisor.latency.model import PathModel, StageSpec
from latency_advisor.scenario import load_scenario

EXAMPLES = Path(__file__).resolve().parent.parent / "resources" / "examples"


def median_ms(fn, runs: int) -> float:
    fn()  # warm-up: imports, caches of normal scores
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    scenarios = {p.stem: load_scenario(p) for p in sorted(EXAMPLES.glob("*.yaml"))}
    largest = max(scenarios, key=lambda k: len(scenarios[k].stages))
    print(f"whole analysis, formula mode ({largest}, {len(scenarios[largest].stages)} stages):")
    for name, scenario in scenarios.items():
        ms = median_ms(lambda s=scenario: analyze(s), runs=31)
        method = analyze(scenario).current.method
        print(f"  {name:<20} {ms:7.1f} ms median  ({method})")

    def simulated() -> None:
        model = PathModel(
            [
                StageSpec("net", "network", StageFit.from_percentiles(20, 40, 80)),
                StageSpec("fetch", "feature_fetch", StageFit.from_percentiles(30, 80, 200)),
                StageSpec("model", "model", StageFit.from_percentiles(100, 130, 160)),
            ]
        )
        busy = model.compose(model.samples)[1].mean()
        for servers in (1, 16):
            est = model.estimate(0.9 * servers / busy * 1000, servers, 99)
            assert est.method == "simulation"

    ms = median_ms(simulated, runs=5) / 2
    print(f"simulation mode (3 stages, utilization 0.9, 2M requests): {ms:7.0f} ms median per run")


if __name__ == "__main__":
    main()
