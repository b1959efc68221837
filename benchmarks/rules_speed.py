"""How long the analysis takes with the rule engine: the bundled library and 1,000 rules.

Prints medians (and the ratio to the analysis without advice, measured in the same run, which
is steadier than absolute times on a shared machine):

    .venv/bin/python benchmarks/rules_speed.py [--repeat 31]

Budgets: the full analysis of the largest example with the whole library at or under 20 ms
median; with a synthetic library of 1,000 rules under 100 ms. The synthetic rules are generated
into a temporary folder: conditions over the same facts as real rules (stage kind, share, model
fields, traffic) with thresholds drawn at random, and effects drawn from a grid of sizes, so a
realistic fraction fires and what-ifs differ.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import tempfile
import time
from pathlib import Path

from latency_advisor.analysis import analyze
from latency_advisor.paths import examples_dir
from latency_advisor.rules.advice import advise
from latency_advisor.rules.loader import load_files, load_library, rule_files
from latency_advisor.rules.techniques import TECHNIQUES
from latency_advisor.scenario import load_scenario

KINDS = ["model", "feature_fetch", "retrieval", "preprocessing", "postprocessing", "network"]
CLAUSES = [
    "share >= {t:.2f}",
    "stage_tail_ratio >= {r:.1f}",
    "utilization >= {u:.2f}",
    "gap_fraction >= {u:.2f}",
    "calls >= {c}",
    "family in ['llm', 'transformer_encoder', 'cnn']",
    "hardware == 'cpu'",
    "hardware == 'gpu'",
    "workload == 'interactive'",
    "not streaming",
    "repeat_rate >= {t:.2f}",
]
EFFECTS = [
    "cut: [{a:.2f}, {b:.2f}]",
    "speedup: [{s:.1f}, {S:.1f}]",
    "hit_rate: [{a:.2f}, {b:.2f}]\n  hit_ms: [2.0, 1.0]",
]


def synthetic_rule(i: int, rnd: random.Random) -> str:
    technique = rnd.choice(sorted(TECHNIQUES))
    level = TECHNIQUES[technique]
    kind = rnd.choice(KINDS)
    clauses = [
        c.format(
            t=rnd.choice([0.02, 0.05, 0.1, 0.2, 0.3]),
            r=rnd.choice([1.2, 1.5, 2.0, 3.0]),
            u=rnd.choice([0.1, 0.3, 0.5, 0.8]),
            c=rnd.choice([1, 2, 3]),
        )
        for c in rnd.sample(CLAUSES, 2)
    ]
    a = rnd.choice([0.05, 0.1, 0.15, 0.2, 0.3])
    effect = rnd.choice(EFFECTS).format(
        a=a, b=a + rnd.choice([0.05, 0.1, 0.2]), s=1.1 + a, S=1.5 + 2 * a
    )
    return f"""\
id: synthetic-{i:04d}
title: Synthetic rule {i}
level: {level}
technique: {technique}
stage_kinds: [{kind}]
when: "{" and ".join(clauses)}"
effect:
  {effect}
accuracy_risk: {rnd.choice(["none", "none", "low", "medium"])}
cost: {rnd.choice(["saves", "none", "low", "medium", "high"])}
effort_days: [{rnd.choice([1, 2, 5])}, {rnd.choice([6, 10, 20])}]
rationale:
  what: A generated rule for timing the engine.
  helps: It exercises conditions and effects like a real rule.
  costs: Nothing; it is not advice.
  backfires: Never used outside this benchmark.
references: ["benchmarks/rules_speed.py"]
tests:
  fires: [{{stage_kind: {kind}}}]
  quiet: [{{stage_kind: other}}]
"""


def paired_ms(bare, full, repeat: int) -> tuple[float, float, float]:
    """Medians of two functions timed alternately (same load for both), and the median ratio."""
    bare(), full()  # warm-up: caches, imports, first what-if model
    a: list[float] = []
    b: list[float] = []
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.perf_counter_ns()
            bare()
            middle = time.perf_counter_ns()
            full()
            end = time.perf_counter_ns()
            a.append((middle - start) / 1e6)
            b.append((end - middle) / 1e6)
    finally:
        gc.enable()
    ratio = statistics.median(y / x for x, y in zip(a, b, strict=True))
    return statistics.median(a), statistics.median(b), ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=31)
    args = parser.parse_args()

    library = load_library()
    print(f"bundled library: {len(library.rules)} rules")
    print(f"{'example':<24}{'stages':>7}{'no advice':>12}{'with rules':>12}{'ratio':>7}  fixes")
    largest = None
    for path in sorted(examples_dir().glob("*.yaml")):
        scenario = load_scenario(path)
        bare, full, ratio = paired_ms(
            lambda s=scenario: analyze(s, advice=False),
            lambda s=scenario: analyze(s),
            args.repeat,
        )
        recs = len(analyze(scenario).recommendations)
        print(
            f"{path.stem:<24}{len(scenario.stages):>7}{bare:>9.1f} ms{full:>9.1f} ms"
            f"{ratio:>7.1f}  {recs}"
        )
        if largest is None or len(scenario.stages) > largest[1]:
            largest = (path.stem, len(scenario.stages), full)
    assert largest is not None
    print(f"largest example ({largest[0]}): {largest[2]:.1f} ms median (budget 20 ms)")

    with tempfile.TemporaryDirectory() as tmp:
        rnd = random.Random(20261122)
        count = 1000 - len(library.rules)
        for i in range(count):
            Path(tmp, f"synthetic_{i:04d}.yaml").write_text(synthetic_rule(i, rnd))
        files = rule_files((*library.folders, Path(tmp)))
        start = time.perf_counter()
        big = load_files(files)
        load_s = time.perf_counter() - start
        print(f"\nsynthetic library: {len(big.rules)} rules, loaded and compiled in {load_s:.2f} s")
        for name in ("recommender", "rag_assistant"):
            scenario = load_scenario(examples_dir() / f"{name}.yaml")

            def with_big(s=scenario):
                return advise(s, analyze(s, advice=False), big)

            bare, full, ratio = paired_ms(
                lambda s=scenario: analyze(s, advice=False), with_big, args.repeat
            )
            result = with_big()
            print(
                f"{name:<24} no advice {bare:.1f} ms, with 1,000 rules {full:.1f} ms "
                f"(ratio {ratio:.1f}; {len(result.recommendations)} fixes listed, "
                f"{len(result.plan)} plan steps) (budget 100 ms)"
            )


if __name__ == "__main__":
    main()
