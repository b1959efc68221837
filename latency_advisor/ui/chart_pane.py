"""A chart with its numbers: every charted value is also one click away as a table.

The chart is a matplotlib Figure from the shared chart code, embedded with the Qt canvas; both
are imported on first use so the window appears before matplotlib loads. Only a visible pane
redraws; a hidden one redraws when it is shown.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from latency_advisor.ui import installed, theme


@dataclass
class Grid:
    """What a table shows: column names and display rows."""

    columns: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)


def chart_function(name: str) -> Callable[..., Any] | None:
    """`latency_advisor.report.charts.<name>`, or None while the chart code is not installed."""
    try:
        module = importlib.import_module("latency_advisor.report.charts")
    except ImportError:
        return None
    return getattr(module, name, None)


class ChartPane(QWidget):
    """A titled chart / table pair with a toggle between them."""

    def __init__(self, title: str, chart: str | None, table: Callable[[Any], Grid], parent=None):
        super().__init__(parent)
        self.title = title
        self._chart_name = chart
        self._table_fn = table
        self._analysis: Any = None
        self._dirty = False
        self.canvas: Any = None

        header = QHBoxLayout()
        label = QLabel(f"<b>{title}</b>")
        header.addWidget(label)
        header.addStretch(1)
        self.chart_button = QToolButton(text="Chart", checkable=True)
        self.table_button = QToolButton(text="Table", checkable=True)
        self.chart_button.setAccessibleName(f"Show the {title.lower()} as a chart")
        self.table_button.setAccessibleName(f"Show the {title.lower()} as a table")
        group = QButtonGroup(self)
        group.setExclusive(True)
        for button in (self.chart_button, self.table_button):
            button.setAutoRaise(True)
            group.addButton(button)
            header.addWidget(button)

        self.stack = QStackedWidget()
        self.chart_host = QWidget()
        self.chart_host.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.chart_layout = QVBoxLayout(self.chart_host)
        self.chart_layout.setContentsMargins(0, 0, 0, 0)
        self.placeholder = QLabel("")
        self.placeholder.setWordWrap(True)
        self.chart_layout.addWidget(self.placeholder)
        self.table = QTableWidget()
        self.table.setAccessibleName(f"{title} table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setSortingEnabled(False)
        self.stack.addWidget(self.chart_host)
        self.stack.addWidget(self.table)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.stack, 1)

        self.chart_button.toggled.connect(lambda on: on and self.show_chart())
        self.table_button.toggled.connect(lambda on: on and self.show_table())
        has_chart = chart is not None and installed("latency_advisor.report.charts")
        self.chart_button.setVisible(has_chart)
        self.table_button.setVisible(has_chart)
        self.chart_button.setChecked(has_chart)
        self.table_button.setChecked(not has_chart)

    # ---------------------------------------------------------------- modes

    def show_chart(self) -> None:
        self.stack.setCurrentIndex(0)
        self._refresh()

    def show_table(self) -> None:
        self.stack.setCurrentIndex(1)
        self._refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self._refresh()

    # ---------------------------------------------------------------- data

    def set_analysis(self, analysis: Any) -> None:
        self._analysis = analysis
        self._dirty = True
        if self.isVisible():
            self._refresh()

    def _refresh(self) -> None:
        if self._analysis is None:
            return
        self._dirty = False
        self._fill_table()
        if self.stack.currentIndex() == 0:
            self._draw_chart()

    def _fill_table(self) -> None:
        grid = self._table_fn(self._analysis)
        self.table.setUpdatesEnabled(False)
        self.table.clear()
        self.table.setColumnCount(len(grid.columns))
        self.table.setHorizontalHeaderLabels(list(grid.columns))
        self.table.setRowCount(len(grid.rows))
        for r, row in enumerate(grid.rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        if grid.columns:
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setUpdatesEnabled(True)

    def _draw_chart(self) -> None:
        fn = chart_function(self._chart_name) if self._chart_name else None
        if fn is None:
            self.placeholder.setText("The chart is not available in this build; see the table.")
            return
        try:
            figure = fn(self._analysis, theme=theme.chart_theme())
        except Exception as exc:  # a chart must never take the window down
            self.placeholder.setText(f"The chart could not be drawn ({exc}); see the table.")
            self.placeholder.setVisible(True)
            return
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

        self.placeholder.setVisible(False)
        old, self.canvas = self.canvas, FigureCanvasQTAgg(figure)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.canvas.setMinimumHeight(160)
        if old is not None:
            self.chart_layout.replaceWidget(old, self.canvas)
            old.setParent(None)
            old.deleteLater()
        else:
            self.chart_layout.addWidget(self.canvas)
        self.canvas.setAccessibleName(f"{self.title} chart")
        self.canvas.setAccessibleDescription(
            f"{self.title}; the same numbers are in the table view (Table button)."
        )
