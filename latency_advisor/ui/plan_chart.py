"""The plan waterfall painted natively, so a stage edit reaches it within the frame.

The words, numbers, order and colours come from the core's `PlanSpec` (the PDF's chart reads
the same one); this module only decides where things go. Step names wrap under their bars, or,
when the bars are too many or too narrow for words, the bars are numbered and a key below names
them. Hovering a bar (or its name) names the step, its saving and the projected figure.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPen

from latency_advisor.report.budget_spec import nice_ticks
from latency_advisor.report.plan_spec import PlanBar, PlanSpec, plan_spec
from latency_advisor.ui.painted_chart import (
    PAD,
    Frame,
    PaintedChart,
    draw_legend,
    draw_sla_line,
    draw_title,
    draw_value_axis,
    ink_on,
    legend_columns,
    legend_height,
    wrap_text,
)

BAR = 0.6  # of a slot, as in the PDF
MAX_BAR_PX = 96.0  # wider bars read as blocks, not as steps
NAME_LINES = 3
WORDS_CHARS = 10  # a slot narrower than this many characters gets a number, not a name
KEY_SHARE = 0.35  # the key of step names may take this much of the height, else it is left out


class PlanChart(PaintedChart):
    """Today's figure, one floating bar per cumulative step, the end result; the SLA as a line."""

    spec: PlanSpec | None

    def __init__(self, title: str = "Plan", parent=None):
        super().__init__(title, parent)
        self.key_entries: list[str] = []  # the key the last paint drew (empty: names under bars)

    def describe(self, analysis) -> PlanSpec:
        return plan_spec(analysis)

    def _fill(self, bar: PlanBar) -> QColor:
        return QColor(bar.colour(self.theme))

    def paint(self, painter: QPainter, f: Frame) -> None:
        spec = self.spec
        assert spec is not None
        sm = f.sm
        title_h = draw_title(painter, f, spec.title)
        bars = spec.bars
        # names under the bars where a slot holds about ten characters a line, else numbers and
        # a key (the PDF's page is narrow, so it numbers by count: `spec.numbered`)
        slot_guess = (f.width - 2 * PAD - 4 * sm.height()) / len(bars)
        numbered = slot_guess < WORDS_CHARS * sm.averageCharWidth()
        steps = spec.steps
        key = legend_columns(f, [f"{b.number}  {b.name}" for b in steps]) if numbered else []
        if legend_height(f, key) > f.height * KEY_SHARE:
            key = []  # no room to name them all: the tips and the table still do
        key_h = legend_height(f, key)
        self.key_entries = [text for _, _, text in key]

        # the widest gutter (all ticks, axis label) gives the narrowest slots: wrap the names
        # for those, so the final (no narrower) slots never need more lines than reserved
        ticks = nice_ticks(spec.axis_max_ms)
        widest = PAD + sm.height() + 4 + max(sm.horizontalAdvance(f"{v:,.0f}") for v in ticks) + 6
        names = [self._names(sm, b, (f.width - widest - PAD) / len(bars), numbered) for b in bars]
        names_h = max(len(lines) for lines in names) * sm.height() + 4
        top = PAD + title_h + 4
        plot_h = max(f.height - top - names_h - key_h - PAD, 40.0)
        ticks = nice_ticks(spec.axis_max_ms, max(2, min(7, int(plot_h / (2.2 * sm.height())))))
        axis_label = spec.axis_label if sm.horizontalAdvance(spec.axis_label) <= plot_h else ""
        gutter = PAD + (sm.height() + 4 if axis_label else 0)
        gutter += max(sm.horizontalAdvance(f"{v:,.0f}") for v in ticks) + 6
        plot = QRectF(gutter, top, max(f.width - gutter - PAD, 40.0), plot_h)
        # without steps, today's bar keeps to the left and the message takes the rest
        slot = plot.width() / (4 if spec.message else len(bars))
        names = [self._names(sm, b, slot, numbered) for b in bars]

        def y_of(ms: float) -> float:
            return plot.bottom() - plot.height() * min(ms, spec.axis_max_ms) / spec.axis_max_ms

        draw_value_axis(painter, f, plot, ticks, y_of, horizontal=False, label=axis_label)

        bar_w = min(slot * BAR, MAX_BAR_PX)

        def rect_of(bar: PlanBar) -> QRectF:
            centre = plot.left() + slot * (bar.number + 0.5)
            top_y, bottom_y = y_of(bar.high_ms), y_of(bar.low_ms)
            return QRectF(centre - bar_w / 2, top_y, bar_w, bottom_y - top_y)

        # bars, then the connectors that carry each level over to the next step
        for bar in bars:
            rect = rect_of(bar)
            fill = self._fill(bar)
            painter.fillRect(rect, fill)
            if bar.hatched:
                painter.fillRect(rect, QBrush(f.colour("background"), Qt.BrushStyle.BDiagPattern))
            if bar.kind == "today":
                painter.setPen(QPen(f.colour("muted"), 1.0))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(rect)
            hover = QRectF(rect)
            if hover.height() < 6:  # a step that saves little is still easy to point at
                hover.adjust(0, -(6 - rect.height()) / 2, 0, (6 - rect.height()) / 2)
            self.add_hit(hover, bar.tip)
        painter.setPen(QPen(f.colour("muted"), 1.0))
        for bar in bars:
            if bar.connect_ms is not None:
                y = y_of(bar.connect_ms)
                rect = rect_of(bar)
                painter.drawLine(QPointF(rect.left() - slot, y), QPointF(rect.right(), y))

        painter.setFont(f.small)
        for bar in bars:
            self._value_label(painter, f, bar, rect_of(bar), plot, slot)

        # names (or numbers) under the bars, hoverable too
        for bar, lines in zip(bars, names, strict=True):
            left = plot.left() + slot * bar.number
            painter.setPen(f.colour("foreground"))
            for k, line in enumerate(lines):
                y = plot.bottom() + 4 + k * sm.height() + sm.ascent()
                width = sm.horizontalAdvance(line)
                x = min(max(left + (slot - width) / 2, 2.0), f.width - 2 - width)
                painter.drawText(QPointF(x, y), line)
            self.add_hit(QRectF(left, plot.bottom() + 2, slot, len(lines) * sm.height()), bar.tip)

        if spec.message:
            painter.setFont(f.font)
            painter.setPen(f.colour("muted"))
            room = plot.adjusted(slot, 0, 0, 0)
            lines = wrap_text(f.fm, spec.message, room.width() - 2 * PAD, 3)
            for k, line in enumerate(lines):
                y = room.center().y() + (k - len(lines) / 2) * f.fm.height() + f.fm.ascent()
                x = room.center().x() - f.fm.horizontalAdvance(line) / 2
                painter.drawText(QPointF(x, y), line)

        draw_sla_line(painter, f, plot, y_of(spec.target_ms), spec.sla_label, horizontal=False)
        if key:
            names = [f"{b.number}  {b.name}" for b in steps]
            fills = [self._fill(b) for b in steps]
            draw_legend(painter, f, key, fills, f.height - key_h, full=names, chart=self)

    @staticmethod
    def _names(sm: QFontMetricsF, bar: PlanBar, slot: float, numbered: bool) -> list[str]:
        """The lines under a bar: its name wrapped to the slot (or its number), then its note."""
        if numbered and bar.kind == "step":
            return [str(bar.number)]
        room = slot - 4
        if numbered:  # "Today" and "After plan" may reach into the numbered neighbours' margins
            room = max(room, 2 * slot - sm.horizontalAdvance("88") - 8)
        lines = wrap_text(sm, bar.name, room, 2 if numbered else NAME_LINES)
        lines += wrap_text(sm, bar.note, room, 2) if bar.note else []
        return [line for line in lines if line.strip("…")]  # nothing but "…" says nothing

    def _value_label(
        self, painter: QPainter, f: Frame, bar: PlanBar, rect: QRectF, plot: QRectF, slot: float
    ) -> None:
        """The figure above the bar: level if it fits the slot, else upright, else inside."""
        sm = f.sm
        text = bar.value_label
        width = sm.horizontalAdvance(text)
        if width <= slot - 2:
            y = max(rect.top() - 3 - sm.descent(), plot.top() + sm.ascent())
            painter.setPen(f.colour("foreground"))
            painter.drawText(QPointF(rect.center().x() - width / 2, y), text)
            return
        if slot < sm.height():
            return  # no room even upright: the tip has it
        if rect.top() - plot.top() >= width + 4:
            painter.setPen(f.colour("foreground"))
            bottom = rect.top() - 3
        elif rect.height() >= width + 6:
            painter.setPen(ink_on(self._fill(bar)))
            bottom = rect.bottom() - 3
        else:
            return
        painter.save()
        painter.translate(rect.center().x() + sm.ascent() / 2 - sm.descent() / 2, bottom)
        painter.rotate(-90)
        painter.drawText(QPointF(0, 0), text)
        painter.restore()
