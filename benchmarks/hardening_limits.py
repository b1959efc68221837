"""Start-up time of `analyze --json`, and time and peak memory of every hostile input.

    .venv/bin/python benchmarks/hardening_limits.py [--runs 7] [--skip-cases]

Part 1: `latency-advisor analyze resources/examples/rag_assistant.yaml --json` from process
start, median of several runs with a warm rule cache (and once with a cold one), and the import
time of each heavy dependency (`python -X importtime`, median over the runs).
Part 2: each case of `tests/hostile_files.py` (scenarios, rule folders, imports, outputs) run
through the command line in a child process: exit code, wall time and the child's peak RSS.
Figures only; the tests check the answers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EXAMPLE = ROOT / "resources" / "examples" / "rag_assistant.yaml"
HEAVY = (
    *("numpy", "pydantic", "yaml", "rule_engine", "latency_advisor.scenario"),
    *("latency_advisor.latency", "latency_advisor.rules", "latency_advisor.analysis"),
)


def _env(cache: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "LATENCY_ADVISOR_CACHE_DIR": str(cache),
            **(extra or {})}  # fmt: skip


def _run(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, float, float, float, str]:
    """Exit code, wall s, CPU s (user + system), peak RSS MB of this one child, its stderr."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, *args], stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=cwd
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    cpu = usage.ru_utime + usage.ru_stime
    return child.returncode, wall, cpu, usage.ru_maxrss / 1024, text


def _analyze(cache: Path, importtime: bool = False) -> tuple[float, float, str]:
    flags = ["-X", "importtime"] if importtime else []
    args = [*flags, "-m", "latency_advisor", "analyze", str(EXAMPLE), "--json"]
    code, wall, cpu, _, stderr = _run(args, _env(cache), ROOT)
    if code != 0:
        raise SystemExit(stderr)
    return wall, cpu, stderr


def _import_times(stderr: str) -> dict[str, float]:
    """Cumulative import time (ms) of each module named in HEAVY."""
    out: dict[str, float] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line[len("import time:") :].split("|")
        if name.strip() in HEAVY:
            out[name.strip()] = int(cumulative) / 1000
    return out


def startup(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        cold = _analyze(cache)[0]
        timed = [_analyze(cache) for _ in range(runs)]
        tables = [_import_times(_analyze(cache, importtime=True)[2]) for _ in range(runs)]
    walls = [t[0] for t in timed]
    cpus = [t[1] for t in timed]
    print(
        f"analyze --json on {EXAMPLE.name}, from process start: median {_ms(walls)} ms wall "
        f"(min {min(walls) * 1000:.0f}, max {max(walls) * 1000:.0f}; CPU {_ms(cpus)} ms) "
        f"over {runs} runs; the first run, with an empty rule cache: {cold * 1000:.0f} ms"
    )
    print("import time of each heavy dependency (cumulative, median, ms; absent = not imported):")
    for name in HEAVY:
        values = [t[name] for t in tables if name in t]
        shown = f"{statistics.median(values):7.1f}" if values else "     --"
        print(f"  {shown}  {name}")


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f}"


def cases() -> None:
    from tests.hostile_files import CASES

    print(f"\n{'case':42} {'exit':>4} {'wall s':>7} {'peak MB':>8}")
    for case in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            args = ["-m", "latency_advisor", *case.make(folder)]
            code, wall, _, peak, _ = _run(args, _env(folder / "cache", case.env), folder)
        print(f"{case.name:42} {code:>4} {wall:7.2f} {peak:8.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--skip-cases", action="store_true")
    args = parser.parse_args()
    startup(args.runs)
    if not args.skip_cases:
        cases()


if __name__ == "__main__":
    main()
