"""How long the stakeholder PDF takes, and how big it is (target: <= 2 s median, < 1 MB).

Times the full report of the largest bundled example (most stages) as the `report` command
makes it: load the scenario, analyse it, draw the charts, lay out the PDF, write it atomically.
Prints medians of repeated runs in one process (after one warm-up run, which also pays for
font registration and library imports), the split between analysis and PDF, and the cold
time of the command in a fresh process.

    .venv/bin/python benchmarks/report_speed.py [--runs 7] [--example rag_assistant]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "resources" / "examples"


def largest_example() -> Path:
    from latency_advisor.scenario import load_scenario

    return max(sorted(EXAMPLES.glob("*.yaml")), key=lambda p: len(load_scenario(p).stages))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--example", help="time this bundled example instead of the largest (e.g. rag_assistant)"
    )
    args = parser.parse_args()

    from latency_advisor.analysis import analyze
    from latency_advisor.report.document import write_report
    from latency_advisor.scenario import load_scenario

    path = EXAMPLES / f"{args.example}.yaml" if args.example else largest_example()
    totals, analyses, pdfs = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.pdf"
        for i in range(args.runs + 1):
            t0 = time.perf_counter()
            scenario = load_scenario(path)
            analysis = analyze(scenario)
            t1 = time.perf_counter()
            size = write_report(scenario, analysis, out, source=path)
            t2 = time.perf_counter()
            if i == 0:
                warm_up = t2 - t0
                continue
            totals.append(t2 - t0)
            analyses.append(t1 - t0)
            pdfs.append(t2 - t1)
        cold = []
        for _ in range(3):
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "latency_advisor", "report", str(path), "-o", str(out)],
                check=True,
                capture_output=True,
            )
            cold.append(time.perf_counter() - t0)

    median = statistics.median(totals)
    print(f"example: {path.name} ({len(scenario.stages)} stages)")
    print(f"options: {len(analysis.options)}, plan steps: {len(analysis.plan)}")
    print(f"first run in this process (imports, fonts): {warm_up:.3f} s")
    print(
        f"full report, median of {len(totals)}: {median:.3f} s "
        f"(min {min(totals):.3f}, max {max(totals):.3f}); target <= 2 s"
    )
    print(
        f"  analysis {statistics.median(analyses):.3f} s, charts + PDF "
        f"{statistics.median(pdfs):.3f} s ({statistics.median(pdfs) / median:.0%} of the total)"
    )
    print(f"command in a fresh process, median of 3: {statistics.median(cold):.3f} s")
    print(f"file size: {size / 1024:.0f} KiB ({size:,} bytes); target < 1 MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
