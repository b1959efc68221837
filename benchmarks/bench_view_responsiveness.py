"""How the Benchmarks view behaves while it measures: the window must stay responsive.

Offscreen, on real runs of the smallest MLP (baseline + per-channel INT8 + threads), prints:
- the time to build the view (import once, the first build, the median of later builds);
- the event loop's timer gaps during a run (a 10 ms timer: median and worst gap, i.e. how long
  the window could not repaint or take a click);
- the time from Cancel to the view being ready again (median of several runs);
- the wall time of a run through the view against the same spec run headless (`run_bench`),
  median of each and their ratio (the view's overhead: thread, signals, table, chart).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_view_responsiveness.py [REPEATS]
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

MODEL = "mlp-s"
LEVERS = {"int8_per_channel", "threads"}
BUDGET_S = 0.5


def wait_finished(view, timeout_s: float = 300.0) -> object:
    """Run the event loop until the view's run ends; its report (None when failed)."""
    loop, out = QEventLoop(), {}

    def done(report: object) -> None:
        out["report"] = report
        loop.quit()

    view.run_finished.connect(done)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    view.run_finished.disconnect(done)
    if "report" not in out:
        raise SystemExit("the run did not finish in time")
    return out["report"]


def configure(view) -> None:
    view.model_combo.setCurrentIndex(view.model_combo.findData(MODEL))
    view.set_levers(LEVERS)
    view.budget_spin.setValue(BUDGET_S)


def main(repeats: int) -> None:
    app = QApplication.instance() or QApplication([])
    began = time.perf_counter()
    from latency_advisor.bench import run_bench
    from latency_advisor.ui.bench_view import BenchView

    import_s = time.perf_counter() - began
    builds = []
    for _ in range(repeats):
        t = time.perf_counter()
        view = BenchView()
        builds.append(time.perf_counter() - t)
        view.deleteLater()
    app.processEvents()
    print(f"Benchmarks view on {MODEL}, levers {sorted(LEVERS)}, {BUDGET_S} s per variant")
    print("(taken on a shared, loaded 2-core machine: compare ratios, not absolute times)")
    print(
        f"import {import_s * 1000:.0f} ms; first build (loads the model list) "
        f"{builds[0] * 1000:.0f} ms; later builds median "
        f"{statistics.median(builds[1:] or builds) * 1000:.0f} ms"
    )

    view = BenchView()
    configure(view)
    view.resize(1100, 800)
    view.show()

    gaps: list[float] = []
    clock = QElapsedTimer()
    ticker = QTimer()
    ticker.setInterval(10)

    def tick() -> None:
        gaps.append(clock.nsecsElapsed() / 1e6)
        clock.restart()

    ticker.timeout.connect(tick)
    view_runs, headless_runs, worst = [], [], []
    for _ in range(repeats):
        first = len(gaps)
        clock.start()
        ticker.start()
        t = time.perf_counter()
        view.run()
        report = wait_finished(view)
        view_runs.append(time.perf_counter() - t)
        ticker.stop()
        worst.append(max(gaps[first:], default=0.0))
        if report is None:
            raise SystemExit(f"the run failed: {view.message.text()}")
        t = time.perf_counter()
        run_bench(view.spec())
        headless_runs.append(time.perf_counter() - t)
    print(
        f"timer gaps during {repeats} runs (10 ms timer, {len(gaps)} ticks): median "
        f"{statistics.median(gaps):.1f} ms, p99 {sorted(gaps)[int(len(gaps) * 0.99)]:.1f} ms, "
        f"worst per run {', '.join(f'{w:.0f}' for w in worst)} ms"
    )
    v, h = statistics.median(view_runs), statistics.median(headless_runs)
    print(
        f"run through the view: median {v:.2f} s; headless run_bench: median {h:.2f} s; "
        f"ratio {v / h:.2f}"
    )

    cancels = []
    view.budget_spin.setValue(60.0)
    view.ci_spin.setValue(view.ci_spin.minimum())
    for _ in range(repeats):
        view.run()
        loop = QEventLoop()
        QTimer.singleShot(1500, loop.quit)  # let the child start measuring
        loop.exec()
        t = time.perf_counter()
        view.cancel()
        wait_finished(view, 30.0)
        cancels.append(time.perf_counter() - t)
    print(
        f"cancel to ready: median {statistics.median(cancels) * 1000:.0f} ms, "
        f"worst {max(cancels) * 1000:.0f} ms ({repeats} runs)"
    )
    view.shutdown()
    view.deleteLater()
    app.processEvents()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
