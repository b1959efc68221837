"""A chart with its numbers: every charted value is also one click away as a table.

The chart is a native widget (`painted_chart.PaintedChart`) that paints itself from the analysis
in a few milliseconds, so it follows every edit on the UI thread; the PDF draws its own.
Only a visible pane redraws; a hidden one redraws when it is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from PySide6.QtCore import Signal
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

from latency_advisor.ui import theme


@dataclass
class Grid:
    """What a table shows: column names and display rows."""

    columns: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)


class NativeChart(Protocol):
    """A QWidget that draws an analysis itself, fast enough for the UI thread."""

    def show_analysis(self, analysis: Any, theme_name: str) -> None: ...


class ChartPane(QWidget):
    """A titled chart / table pair with a toggle between them."""

    chart_drawn = Signal()

    def __init__(
        self,
        title: str,
        chart: Callable[[], NativeChart] | None,
        table: Callable[[Any], Grid],
        parent=None,
    ):
        """`chart` makes the chart widget (None: a table only)."""
        super().__init__(parent)
        self.title = title
        self._chart_factory = chart
        self._table_fn = table
        self._analysis: Any = None
        self._dirty = False
        self.canvas: QWidget | None = None  # the chart, once first drawn

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
        has_chart = chart is not None
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
        if self._chart_factory is None:
            return
        if self.canvas is None:
            self.canvas = self._chart_factory()  # type: ignore[assignment]
            self.chart_layout.addWidget(self.canvas)
        try:
            self.canvas.show_analysis(self._analysis, theme.chart_theme())  # type: ignore[union-attr]
        except Exception as exc:  # a chart must never take the window down: point at the table
            self.placeholder.setText(
                f"The chart could not be drawn ({type(exc).__name__}: {exc}); see the table."
            )
            self.placeholder.setVisible(True)
            self.canvas.setVisible(False)
            return
        self.placeholder.setVisible(False)
        self.canvas.setVisible(True)
        self.chart_drawn.emit()
