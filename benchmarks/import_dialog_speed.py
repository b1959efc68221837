"""The import dialog on a large OTLP file: its overhead over a bare import, how fast Cancel
stops the worker, and how responsive the UI thread stays while the worker reads.

Writes a JSON-lines OTLP file (the shape of `import_speed.py`) into a temp folder, then, in
one process with Qt offscreen, prints medians of:
  - `import_file` alone vs. the dialog from show() to the preview (ratio = the dialog's cost);
  - Cancel pressed at several points of the read -> the worker's end (target: under 1 s);
  - the gaps between ticks of a 10 ms UI timer during an import (the worker competes with
    the UI thread for Python's GIL).

    .venv/bin/python benchmarks/import_dialog_speed.py [--mb 20] [--runs 3]
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_speed import write_file
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from latency_advisor.importers import import_file
from latency_advisor.paths import example
from latency_advisor.scenario import load_scenario
from latency_advisor.ui.import_dialog import ImportDialog


def spin_until(app: QApplication, done, timeout_s: float = 300.0) -> None:
    end = time.perf_counter() + timeout_s
    while not done():
        if time.perf_counter() > end:
            raise TimeoutError("the dialog did not finish in time")
        app.processEvents()
        time.sleep(0.001)


def dialog_to_preview(app: QApplication, path: Path, scenario) -> tuple[float, list[float]]:
    """Seconds from show() to the preview, and the UI timer's gaps (ms) meanwhile."""
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    dialog = ImportDialog(path, scenario)
    start = time.perf_counter()
    dialog.show()
    timer.start()
    spin_until(app, lambda: dialog.import_result is not None)
    elapsed = time.perf_counter() - start
    timer.stop()
    dialog.close()
    gaps = [(b - a) * 1000 for a, b in itertools.pairwise(ticks)]
    return elapsed, gaps


def cancel_latency(app: QApplication, path: Path, scenario, at: float) -> tuple[float, bool]:
    """Seconds from Cancel (pressed once `at` of the file is read) to the worker's end."""
    dialog = ImportDialog(path, scenario)
    dialog.show()
    spin_until(
        app,
        lambda: dialog.started and (dialog.progress_bar.value() >= at * 1000 or not dialog.running),
    )
    if not dialog.running:  # finished before that point: no figure
        dialog.close()
        return float("nan"), False
    start = time.perf_counter()
    dialog.cancel_button.click()
    while dialog.running:
        time.sleep(0.001)
    elapsed = time.perf_counter() - start
    app.processEvents()
    return elapsed, dialog.import_result is None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    app = QApplication([])
    scenario = load_scenario(example("rag_assistant"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "traces.jsonl"
        traces, spans = write_file(path, args.mb)
        print(f"file: {path.stat().st_size / 1e6:.1f} MB, {traces:,} traces, {spans:,} spans")

        bare = []
        for _ in range(args.runs):
            start = time.perf_counter()
            import_file(path)
            bare.append(time.perf_counter() - start)
        shown, gaps = [], []
        for _ in range(args.runs):
            elapsed, run_gaps = dialog_to_preview(app, path, scenario)
            shown.append(elapsed)
            gaps.extend(run_gaps)
        b, d = statistics.median(bare), statistics.median(shown)
        print(f"import_file alone:            median {b:.2f} s over {args.runs} runs")
        print(f"dialog, show() to preview:    median {d:.2f} s (ratio {d / b:.2f})")
        if gaps:
            gaps.sort()
            p99 = gaps[min(len(gaps) - 1, int(0.99 * len(gaps)))]
            print(
                f"UI timer (10 ms) during import: median gap {statistics.median(gaps):.1f} ms, "
                f"p99 {p99:.1f} ms, max {gaps[-1]:.1f} ms ({len(gaps)} gaps)"
            )

        latencies = []
        for at in (0.1, 0.3, 0.5, 0.7, 0.9):
            elapsed, stopped = cancel_latency(app, path, scenario, at)
            if stopped:
                latencies.append(elapsed)
            print(f"cancel at {at:.0%} read: worker ended after {elapsed * 1000:.0f} ms")
        if latencies:
            print(
                f"cancel -> worker ended: median {statistics.median(latencies) * 1000:.0f} ms, "
                f"max {max(latencies) * 1000:.0f} ms over {len(latencies)} cancels"
            )
        print("(measured on a shared 2-core machine under load from other work)")


if __name__ == "__main__":
    main()
