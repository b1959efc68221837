"""One chart, two painters: the app's native paint against the PDF's matplotlib draw.

    .venv/bin/python benchmarks/chart_paint_speed.py [--example rag_assistant] [--runs 50]

For each chart (budget, plan, options), times the native widget (spec + QPainter, as the app
draws it after every edit) and the matplotlib Figure plus its Agg draw (as the PDF makes it),
both at 900x420 and in the same run. Offscreen; prints medians and their ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", default="rag_assistant")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PySide6.QtWidgets import QApplication

    from latency_advisor.analysis import analyze
    from latency_advisor.report import charts
    from latency_advisor.scenario import load_scenario
    from latency_advisor.ui.budget_chart import BudgetChart
    from latency_advisor.ui.options_chart import OptionsChart
    from latency_advisor.ui.plan_chart import PlanChart

    app = QApplication.instance() or QApplication([])
    analysis = analyze(load_scenario(ROOT / "resources" / "examples" / f"{args.example}.yaml"))
    pairs = (
        ("budget", BudgetChart, charts.budget_chart),
        ("plan", PlanChart, charts.plan_waterfall),
        ("options", OptionsChart, charts.options_chart),
    )
    print(f"{args.example}, 900x420, medians")
    for name, widget_class, figure_fn in pairs:
        widget = widget_class()
        widget.resize(900, 420)
        native = []
        for _ in range(args.runs + 3):
            start = time.perf_counter()
            widget.show_analysis(analysis, "light")
            widget.grab()
            native.append((time.perf_counter() - start) * 1000)
        drawn = []
        for _ in range(max(args.runs // 5, 3) + 1):
            start = time.perf_counter()
            figure = figure_fn(analysis, "light")
            figure.set_size_inches(9.0, 4.2)
            FigureCanvasAgg(figure).draw()
            drawn.append((time.perf_counter() - start) * 1000)
        fast, slow = statistics.median(native[3:]), statistics.median(drawn[1:])
        print(
            f"  {name:<8} native {fast:6.1f} ms   matplotlib {slow:6.1f} ms   "
            f"ratio {slow / fast:5.0f}x"
        )
        widget.deleteLater()
    app.processEvents()


if __name__ == "__main__":
    main()
