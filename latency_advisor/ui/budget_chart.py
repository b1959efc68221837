"""The latency budget painted natively, so a stage edit is on screen within the frame.

The words, numbers, order and colours come from the core's `BudgetSpec` (the PDF's chart reads
the same one); this module only decides where things go. Hovering a block names it.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen

from latency_advisor.report.budget_spec import BudgetSpec, Segment, budget_spec, nice_ticks
from latency_advisor.ui.painted_chart import (
    PAD,
    Frame,
    PaintedChart,
    draw_legend,
    draw_sla_line,
    draw_title,
    draw_value_axis,
    ink_on,
    legend_height,
    legend_layout,
)


class BudgetChart(PaintedChart):
    """Composed percentile as stacked stage blocks, the naive sum below, the SLA as a line."""

    spec: BudgetSpec | None

    def __init__(self, title: str = "Latency budget", parent=None):
        super().__init__(title, parent)

    def describe(self, analysis) -> BudgetSpec:
        return budget_spec(analysis)

    def _fill(self, seg: Segment) -> QColor:
        t = self.theme
        return QColor(t.wait if seg.is_wait else t.stage_colour(seg.colour_index))

    def paint(self, painter: QPainter, f: Frame) -> None:
        spec = self.spec
        assert spec is not None
        sm = f.sm
        title_h = draw_title(painter, f, spec.title)
        legend = legend_layout(f, [s.name for s in spec.segments])
        legend_h = legend_height(f, legend)
        axis_h = 2 * sm.height() + PAD
        gutter = PAD + max(sm.horizontalAdvance(s) for s in (*spec.composed_row, *spec.naive_row))
        plot = QRectF(
            gutter + PAD,
            PAD + title_h + sm.height() + 4,
            max(f.width - gutter - 3 * PAD, 40.0),
            max(f.height - title_h - legend_h - axis_h - sm.height() - 2 * PAD - 4, 40.0),
        )

        def x_of(ms: float) -> float:
            return plot.left() + plot.width() * min(ms, spec.axis_max_ms) / spec.axis_max_ms

        draw_value_axis(
            painter,
            f,
            plot,
            nice_ticks(spec.axis_max_ms),
            x_of,
            horizontal=True,
            label=spec.axis_label,
        )

        # the two bars: stage blocks (named inside when the name fits), then the naive sum
        painter.setFont(f.small)
        bar_h = min(plot.height() * 0.3, 56.0)
        rows = (plot.top() + plot.height() * 0.3, plot.top() + plot.height() * 0.74)
        left = 0.0
        for seg in spec.segments:
            rect = QRectF(x_of(left), rows[0] - bar_h / 2, x_of(left + seg.ms) - x_of(left), bar_h)
            fill = self._fill(seg)
            painter.fillRect(rect, fill)
            if seg.is_wait:
                painter.fillRect(rect, QBrush(f.colour("background"), Qt.BrushStyle.BDiagPattern))
            elif sm.horizontalAdvance(seg.name) + 8 <= rect.width():
                painter.setPen(ink_on(fill))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, seg.name)
            painter.setPen(QPen(f.colour("background"), 1.0))
            painter.drawLine(rect.topRight(), rect.bottomRight())
            self.add_hit(
                rect, f"{seg.name}: {seg.ms:,.0f} ms ({seg.share:.0%} of the {spec.percentile})"
            )
            left += seg.ms
        naive = QRectF(plot.left(), rows[1] - bar_h / 2, x_of(spec.naive_ms) - plot.left(), bar_h)
        painter.setPen(QPen(f.colour("muted"), 1.0))
        painter.setBrush(f.colour("naive"))
        painter.drawRect(naive)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        self.add_hit(naive, f"{' '.join(spec.naive_row)}: {spec.naive_label} {spec.naive_note}")

        # values beside the bars (the naive note wraps below when it does not fit)
        def room(x: float) -> float:
            return max(f.width - x - PAD, 0.0)

        end = x_of(spec.composed_ms) + 4
        painter.setPen(f.colour("foreground"))
        painter.drawText(QPointF(end, rows[0] + sm.ascent() - sm.height() / 2), spec.composed_label)
        end = x_of(spec.naive_ms) + 4
        painter.setPen(f.colour("muted"))
        one_line = f"{spec.naive_label} {spec.naive_note}"
        lines = (
            [one_line]
            if sm.horizontalAdvance(one_line) <= room(end)
            else [
                spec.naive_label,
                spec.naive_note,
            ]
        )
        for k, line in enumerate(lines):
            y = rows[1] - len(lines) * sm.height() / 2 + k * sm.height() + sm.ascent()
            painter.drawText(
                QPointF(end, y), sm.elidedText(line, Qt.TextElideMode.ElideRight, room(end))
            )

        # row names in the gutter, two lines each
        painter.setPen(f.colour("foreground"))
        for row, names in ((0, spec.composed_row), (1, spec.naive_row)):
            for k, line in enumerate(names):
                y = rows[row] - sm.height() + k * sm.height() + sm.ascent()
                painter.drawText(QPointF(gutter - sm.horizontalAdvance(line), y), line)

        draw_sla_line(painter, f, plot, x_of(spec.target_ms), spec.sla_label, horizontal=True)
        draw_legend(
            painter,
            f,
            legend,
            [self._fill(s) for s in spec.segments],
            f.height - legend_h,
            full=[s.name for s in spec.segments],
            chart=self,
        )
