"""How long a first answer takes: `bench --quick` and the default grid, for a small model.

Runs the real command line (a fresh process, as a user would) and prints the wall-clock time,
the variants measured, why each stopped (its CI reached the target, or its time budget ran out)
and the p99 CI width. Goals: --quick about 20 s, the default grid under 2 minutes.

    .venv/bin/python benchmarks/bench_quick.py [MODEL]   (default: mlp-s)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(model: str, extra: list[str]) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "latency_advisor", "bench", model, *extra, "-o", str(out)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return time.perf_counter() - began, json.loads(out.read_text())


def show(label: str, secs: float, data: dict) -> None:
    rows = data["results"]
    print(
        f"\n{label}: {secs:.1f} s wall clock, {len(rows)} variants measured, "
        f"{len(data.get('skipped', []))} skipped"
    )
    for r in rows:
        lo, hi = r["p99_ci_ms"]
        width = f"±{(hi - lo) / 2 / r['p99_ms']:.1%}" if lo is not None and hi is not None else "-"
        print(
            f"  {r['variant']:<52} {r['seconds']:5.1f} s  n={r['samples']:<7} "
            f"stopped by {r['stopped_by']:<6} p99 CI {width:>7}  "
            f"speedup {r['speedup_vs_baseline']:.2f}x"
        )
    for s in data.get("skipped", []):
        print(f"  skipped {s['variant']}: {s['reason'][:100]}")


def main(model: str) -> None:
    print(f"bench timing for {model} (taken on a shared, loaded 2-core machine)")
    show("--quick", *timed(model, ["--quick"]))
    show("default grid", *timed(model, []))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "mlp-s")
