"""A chart with its numbers: every charted value is also one click away as a table.

A chart is either native (a widget that paints itself from the analysis in a few ms, for the
budget and the options, which follow every edit) or a matplotlib Figure from the shared chart
code. Drawing a Figure takes 100-300 ms, so it is built and rasterised (Agg, no pyplot state) in
a worker thread and only the finished image is shown: the UI thread never waits for matplotlib,
and matplotlib is imported on first use, after the window is on screen. Only a visible pane
redraws; a hidden one redraws when it is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
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


MIN_W, MIN_H = 320, 200  # a Figure is never drawn smaller than this (it would be unreadable)


@dataclass(frozen=True)
class ChartJob:
    """What to draw, at which size."""

    name: str
    analysis: Any
    theme: str
    width_px: int
    height_px: int
    ratio: float


def render_chart(job: ChartJob) -> QImage:
    """Build the figure and rasterise it (runs in a worker thread)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from latency_advisor.report import charts

    figure = getattr(charts, job.name)(job.analysis, theme=job.theme)
    dpi = figure.get_dpi() * job.ratio
    figure.set_dpi(dpi)
    figure.set_size_inches(job.width_px * job.ratio / dpi, job.height_px * job.ratio / dpi)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    buffer = canvas.buffer_rgba()
    height, width = buffer.shape[0], buffer.shape[1]
    image = QImage(bytes(buffer), width, height, width * 4, QImage.Format.Format_RGBA8888)
    image.setDevicePixelRatio(job.ratio)
    return image.copy()


class ChartPane(QWidget):
    """A titled chart / table pair with a toggle between them."""

    chart_drawn = Signal()

    def __init__(
        self,
        title: str,
        chart: str | Callable[[], NativeChart] | None,
        table: Callable[[Any], Grid],
        parent=None,
    ):
        """`chart`: a function name in `report.charts`, a native chart factory, or None."""
        super().__init__(parent)
        self.title = title
        self._chart_name = chart if isinstance(chart, str) else None
        self._native_factory = chart if callable(chart) else None
        self._table_fn = table
        self._analysis: Any = None
        self._dirty = False
        self.canvas: QWidget | None = None  # the chart image or native chart, once drawn
        self._renderer: Any = None
        self._resize = QTimer(self, singleShot=True, interval=150)
        self._resize.timeout.connect(self._redraw_chart)

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

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._chart_name and self.canvas is not None and self.stack.currentIndex() == 0:
            self._resize.start()

    def _redraw_chart(self) -> None:
        if self._analysis is not None and self.isVisible():
            self._draw_chart()

    def _draw_chart(self) -> None:
        if self._native_factory is not None:
            self._draw_native()
            return
        if self._chart_name is None:
            return
        if self._renderer is None:
            from latency_advisor.ui.background import BackgroundRunner

            self._renderer = BackgroundRunner(render_chart, self)
            self._renderer.ready.connect(self._show_image)
            self._renderer.failed.connect(self._show_failure)
        width, height = self._figure_size()
        self._renderer.request(
            ChartJob(
                self._chart_name,
                self._analysis,
                theme.chart_theme(),
                width,
                height,
                self.devicePixelRatioF(),
            )
        )

    def _figure_size(self) -> tuple[int, int]:
        size = self.stack.size()
        return max(size.width(), MIN_W), max(size.height(), MIN_H)

    def _draw_native(self) -> None:
        if self.canvas is None:
            assert self._native_factory is not None
            self.canvas = self._native_factory()  # type: ignore[assignment]
            self.placeholder.setVisible(False)
            self.chart_layout.addWidget(self.canvas)
        self.canvas.show_analysis(self._analysis, theme.chart_theme())  # type: ignore[union-attr]
        self.chart_drawn.emit()

    def _show_image(self, image: QImage) -> None:
        if self.canvas is None:
            self.placeholder.setVisible(False)
            self.canvas = QLabel()
            self.canvas.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.canvas.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
            self.canvas.setMinimumHeight(160)
            self.chart_layout.addWidget(self.canvas)
            self.canvas.setAccessibleName(f"{self.title} chart")
            self.canvas.setAccessibleDescription(
                f"{self.title}; the same numbers are in the table view (Table button)."
            )
        self.placeholder.setVisible(False)
        self.canvas.setVisible(True)
        self.canvas.setPixmap(QPixmap.fromImage(image))
        drawn = image.deviceIndependentSize().toSize()
        width, height = self._figure_size()
        if (
            abs(drawn.width() - width) > 4 or abs(drawn.height() - height) > 4
        ):  # the layout moved while it was drawn: draw again at the new size
            self._resize.start()
        self.chart_drawn.emit()

    def _show_failure(self, message: str) -> None:
        """A chart must never take the window down: say so and point at the table."""
        self.placeholder.setText(f"The chart could not be drawn ({message}); see the table.")
        self.placeholder.setVisible(True)
        if self.canvas is not None:
            self.canvas.setVisible(False)

    def wait(self) -> None:
        """Block until a pending chart is drawn (screenshots, tests)."""
        if self._renderer is not None:
            self._renderer.wait()
