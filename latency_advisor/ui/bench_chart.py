"""Speedup per variant with its 95% confidence interval, painted natively in the Benchmarks tab.

A repaint costs about a millisecond, so the chart follows every interim row of a run on the UI
thread: bars still being measured are drawn light and hatched, final ones solid. What is shown
(labels, verdict colours, whiskers, axis, words) comes from the core's `SpeedupSpec`; this module
only decides where things go. Hovering a bar names the variant with its percentiles and CI.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen

from latency_advisor.bench.speedup_spec import SpeedupBar, SpeedupSpec, speedup_spec
from latency_advisor.report.themes import theme as get_theme
from latency_advisor.ui import theme as app_theme
from latency_advisor.ui.painted_chart import (
    PAD,
    Frame,
    PaintedChart,
    draw_legend,
    draw_title,
    draw_value_axis,
    ink_on,
    legend_height,
    legend_layout,
    tick_text,
)

CHART_NAME = "Speedup per variant chart"
MAX_BAR_H = 26.0
PROVISIONAL_ALPHA = 0.4


class SpeedupChart(PaintedChart):
    """Horizontal speedup bars (baseline on top, as in the table), CI whiskers, a line at 1×."""

    spec: SpeedupSpec | None

    def __init__(self, parent=None) -> None:
        super().__init__(CHART_NAME.removesuffix(" chart"), parent)
        self.rows: list[dict[str, Any]] = []
        self._theme_name: str | None = None
        self.show_rows([])

    # ------------------------------------------------------------------ API

    def show_rows(self, rows: list[dict[str, Any]], theme_name: str | None = None) -> None:
        """Show these result rows (interim ones provisional); the theme follows the window
        unless `theme_name` ("light" or "dark") says otherwise."""
        self.rows = list(rows)
        self._theme_name = theme_name
        self.spec = speedup_spec(self.rows)
        self.theme = get_theme(theme_name or app_theme.chart_theme())
        self.setAccessibleDescription(
            f"{self.spec.summary} The same numbers are in the results table."
        )
        self.update()

    def describe(self, analysis: Any) -> SpeedupSpec:
        return speedup_spec(analysis)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange and self._theme_name is None:
            self.theme = get_theme(app_theme.chart_theme())  # the window's theme changed
            self.update()
        super().changeEvent(event)

    # ------------------------------------------------------------------ painting

    def _fill(self, bar: SpeedupBar) -> QColor:
        fill = QColor(bar.colour(self.theme))
        if bar.interim:
            fill.setAlphaF(PROVISIONAL_ALPHA)
        return fill

    def paint(self, painter: QPainter, f: Frame) -> None:
        spec = self.spec
        assert spec is not None
        if not spec.bars:
            painter.setFont(f.font)
            painter.setPen(f.colour("muted"))
            painter.drawText(
                QRectF(0, 0, f.width, f.height), Qt.AlignmentFlag.AlignCenter, spec.empty_text
            )
            return
        sm = f.sm
        title_h = draw_title(painter, f, spec.title)
        names = [text for _, text in spec.legend]
        if spec.provisional:
            names.append("still measuring")
        legend = legend_layout(f, names)
        legend_h = legend_height(f, legend)
        axis_h = 2 * sm.height() + PAD
        widest = max(sm.horizontalAdvance(b.label) for b in spec.bars)
        gutter = min(widest, max(f.width * 0.35, 60.0))
        last_tick = sm.horizontalAdvance(f"{tick_text(spec.ticks[-1])}×") / 2
        plot = QRectF(
            PAD + gutter + 6,
            PAD + title_h + sm.height() + 4,
            max(f.width - gutter - 6 - 2 * PAD - last_tick, 40.0),
            max(f.height - title_h - legend_h - axis_h - sm.height() - 2 * PAD - 4, 30.0),
        )

        def x_of(value: float) -> float:
            return plot.left() + plot.width() * min(max(value, 0.0), spec.axis_max) / spec.axis_max

        draw_value_axis(
            painter,
            f,
            plot,
            list(spec.ticks),
            x_of,
            horizontal=True,
            label=spec.axis_label,
            fmt=lambda v: f"{tick_text(v)}×",
        )

        row_h = plot.height() / len(spec.bars)
        stride = max(math.ceil(sm.height() / row_h), 1)  # texts of every row only where they fit
        bar_h = max(min(row_h * 0.68, MAX_BAR_H), 2.0)
        ink = f.colour("foreground")
        painter.setFont(f.small)
        for i, bar in enumerate(spec.bars):
            mid = plot.top() + (i + 0.5) * row_h
            rect = QRectF(plot.left(), mid - bar_h / 2, x_of(bar.speedup) - plot.left(), bar_h)
            fill = self._fill(bar)
            painter.fillRect(rect, fill)
            if bar.interim:  # provisional: light, hatched, a dashed outline
                solid = QColor(bar.colour(self.theme))
                painter.fillRect(rect, QBrush(solid, Qt.BrushStyle.BDiagPattern))
                painter.setPen(QPen(solid, 1.0, Qt.PenStyle.DashLine))
                painter.drawRect(rect)
            self.add_hit(rect, bar.tip)

            # the CI whisker with its caps
            if bar.has_ci and x_of(bar.high) - x_of(bar.low) >= 1.0:
                painter.setPen(QPen(ink, 1.2))
                cap = min(bar_h * 0.3, 5.0)
                painter.drawLine(QPointF(x_of(bar.low), mid), QPointF(x_of(bar.high), mid))
                for end in (bar.low, bar.high):
                    painter.drawLine(QPointF(x_of(end), mid - cap), QPointF(x_of(end), mid + cap))

            if i % stride:
                continue

            # the value beside the bar, or inside its end when there is no room
            text = bar.value_label
            width = sm.horizontalAdvance(text)
            y = mid + sm.ascent() - sm.height() / 2
            after = max(x_of(bar.high), rect.right()) + 4
            if after + width <= f.width - PAD:
                painter.setPen(ink)
                painter.drawText(QPointF(after, y), text)
            elif rect.width() >= width + 8:
                painter.setPen(ink_on(QColor(bar.colour(self.theme))))
                painter.drawText(QPointF(rect.right() - width - 4, y), text)

            # the variant in the gutter, elided to fit
            label = sm.elidedText(bar.label, Qt.TextElideMode.ElideMiddle, gutter)
            painter.setPen(ink)
            painter.drawText(QPointF(plot.left() - 6 - sm.horizontalAdvance(label), y), label)

        # the 1× reference across every bar, labelled above the plot
        ref_x = x_of(spec.reference)
        painter.setPen(QPen(f.colour("muted"), 1.2, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(ref_x, plot.top() - 2), QPointF(ref_x, plot.bottom()))
        painter.setPen(f.colour("muted"))
        label_w = sm.horizontalAdvance(spec.reference_label)
        label_x = ref_x + 4 if ref_x + 4 + label_w <= f.width - PAD else ref_x - 4 - label_w
        painter.drawText(QPointF(label_x, plot.top() - 4 - sm.descent()), spec.reference_label)

        colours: list[Any] = [
            QColor(next(b for b in spec.bars if b.verdict == v).colour(self.theme))
            for v, _ in spec.legend
        ]
        if spec.provisional:
            colours.append(self._provisional_swatch)
        draw_legend(painter, f, legend, colours, f.height - legend_h)

    def _provisional_swatch(self, painter: QPainter, rect: QRectF) -> None:
        """The legend's mark for a bar still being measured: as drawn in the plot."""
        solid = QColor(self.theme.muted)
        light = QColor(solid)
        light.setAlphaF(PROVISIONAL_ALPHA)
        painter.fillRect(rect, light)
        painter.fillRect(rect, QBrush(solid, Qt.BrushStyle.BDiagPattern))
        painter.setPen(QPen(solid, 1.0, Qt.PenStyle.DashLine))
        painter.drawRect(rect)
