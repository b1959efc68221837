"""Speedup per variant with its 95% confidence interval, as a matplotlib chart in the view.

`draw_speedups` fills a plain matplotlib Figure (no pyplot state, no Qt), so the same chart can go
into a report; `SpeedupChart` embeds it with the Qt canvas, imported on first use so that opening
the window does not wait for matplotlib.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

CHART_NAME = "Speedup per variant chart"


def _error_bars(rows: list[dict[str, Any]]) -> tuple[list[float], list[float]]:
    below, above = [], []
    for r in rows:
        point = float(r["speedup_vs_baseline"])
        ci = r.get("speedup_ci") or [None, None]
        lo = point if ci[0] is None else float(ci[0])
        hi = point if ci[1] is None else float(ci[1])
        below.append(max(point - lo, 0.0))
        above.append(max(hi - point, 0.0))
    return below, above


def short_labels(rows: list[dict[str, Any]]) -> list[str]:
    """Each variant by what differs from the baseline ("int8-dynamic-per-channel", "batch=8")."""
    if not rows:
        return []
    base = rows[0]["variant"].split("/")
    labels = [f"{base[0]} baseline"]
    for r in rows[1:]:
        parts = r["variant"].split("/")
        diff = [p for i, p in enumerate(parts) if p not in base or (i == 0 and p != base[0])]
        labels.append(" ".join(diff) or r["variant"])
    return labels


def bar_color(row: dict[str, Any], baseline: bool) -> str:
    """Green when the whole CI is a gain, red when it is a loss, neutral when it holds 1×."""
    if baseline:
        return "#888888"
    point = float(row["speedup_vs_baseline"])
    ci = row.get("speedup_ci") or [None, None]
    lo = point if ci[0] is None else float(ci[0])
    hi = point if ci[1] is None else float(ci[1])
    if lo > 1.0:
        return "#2e7d32"
    return "#c62828" if hi < 1.0 else "#5c7c99"


def draw_speedups(figure: Any, rows: list[dict[str, Any]], fg: str = "black") -> None:
    """Horizontal bars of speedup against the baseline, CI whiskers, a line at 1×."""
    figure.clear()
    ax = figure.add_subplot(1, 1, 1)
    if not rows:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "No results yet", ha="center", va="center", color=fg)
        return
    names = short_labels(rows)
    speedups = [float(r["speedup_vs_baseline"]) for r in rows]
    colors = [bar_color(r, i == 0) for i, r in enumerate(rows)]
    y = list(range(len(rows)))
    ax.barh(y, speedups, xerr=_error_bars(rows), color=colors, ecolor=fg, capsize=3)
    ax.axvline(1.0, color=fg, linewidth=0.8, linestyle="--")
    ax.set_yticks(y, names, fontsize=8)
    ax.invert_yaxis()  # the baseline on top, as in the table
    ax.set_xlabel("speedup vs FP32 baseline (×, 95% CI); batches: per item", color=fg)
    ax.tick_params(colors=fg)
    for spine in ax.spines.values():
        spine.set_color(fg)
    for yi, s in zip(y, speedups, strict=True):
        ax.annotate(
            f"{s:.2f}×",
            (s, yi),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color=fg,
        )
    ax.set_xlim(0, max(max(speedups) * 1.25, 1.2))


def preload() -> None:
    """Import matplotlib's Qt canvas ahead of the first chart (called from a worker thread, so
    the first result does not freeze the window for the import)."""
    import matplotlib.backends.backend_qtagg
    import matplotlib.figure  # noqa: F401


def describe(rows: list[dict[str, Any]]) -> str:
    """The chart's numbers in words, for screen readers."""
    if not rows:
        return "No benchmark results yet."
    return "; ".join(f"{r['variant']}: {float(r['speedup_vs_baseline']):.2f} times" for r in rows)


class SpeedupChart(QWidget):
    """The chart pane; the canvas is created on the first result."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.figure: Any = None
        self.canvas: Any = None
        self.rows: list[dict[str, Any]] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._placeholder = QLabel("The speedup chart appears when a run finishes.")
        self._layout.addWidget(self._placeholder)
        self.setAccessibleName(CHART_NAME)

    def show_rows(self, rows: list[dict[str, Any]]) -> None:
        self.rows = list(rows)
        if self.canvas is None:
            if not rows:
                return
            from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
            from matplotlib.figure import Figure

            self.figure = Figure(figsize=(5, 3), layout="constrained")
            self.canvas = FigureCanvasQTAgg(self.figure)
            self.canvas.setAccessibleName(CHART_NAME)
            self._layout.removeWidget(self._placeholder)
            self._placeholder.deleteLater()
            self._layout.addWidget(self.canvas)
        palette = self.palette()
        bg = palette.color(QPalette.ColorRole.Base).name()
        fg = palette.color(QPalette.ColorRole.Text).name()
        self.figure.set_facecolor(bg)
        draw_speedups(self.figure, self.rows, fg=fg)
        self.figure.axes[0].set_facecolor(bg)
        text = describe(self.rows)
        self.canvas.setAccessibleDescription(text)
        self.setAccessibleDescription(text)
        self.canvas.draw_idle()
