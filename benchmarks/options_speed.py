"""How long the whole analysis takes on every example, and the money model's part of it.

Prints medians over repeated runs: the full analysis (latency model, rules, plan, options with
money) and, where the money model exists, pricing a scenario alone. Run it on two checkouts to
compare before and after a change (it only needs `analyze`):

    .venv/bin/python benchmarks/options_speed.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from pathlib import Path

from latency_advisor.analysis import analyze
from latency_advisor.scenario import load_scenario

EXAMPLES = Path(__file__).resolve().parent.parent / "resources" / "examples"


def median_ms(fn, runs: int) -> float:
    fn()  # warm-up: imports, the rule library, caches of normal scores
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    try:
        from latency_advisor.money import prices
    except ImportError:  # a checkout from before the money model
        prices = None
    print(f"full analysis, median of {args.repeat} runs:")
    for path in sorted(EXAMPLES.glob("*.yaml")):
        scenario = load_scenario(path)
        total = median_ms(lambda s=scenario: analyze(s), args.repeat)
        options = len(analyze(scenario).options)
        line = f"  {path.stem:<20} {total:7.1f} ms  ({options} options)"
        if prices is not None:
            line += f"  pricing {median_ms(lambda s=scenario: prices(s), args.repeat):.3f} ms"
        print(line)


if __name__ == "__main__":
    main()
