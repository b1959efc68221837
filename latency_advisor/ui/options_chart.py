"""The options painted natively: projected latency against accuracy risk and against effort.

The words, numbers, order and colours come from the core's `OptionsSpec` (the PDF's chart reads
the same one); this module only decides where things go. Hovering a point (or its effort bar, or
its perceived point) gives the option's numbers as the table prints them.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from latency_advisor.report.budget_spec import nice_ticks
from latency_advisor.report.label_place import place_labels, square
from latency_advisor.report.options_spec import OptionPoint, OptionsSpec, options_spec
from latency_advisor.ui.painted_chart import (
    PAD,
    Frame,
    PaintedChart,
    Swatch,
    draw_legend,
    draw_sla_line,
    draw_title,
    draw_value_axis,
    legend_height,
    legend_layout,
    tick_text,
)

R_POINT = 5.0  # a projected point
R_RING = 9.0  # the ring around a point on the Pareto front
R_PERCEIVED = 3.5  # the hollow point where a streamed answer is perceived
R_LEGEND_RING = 5.0
BAR_W = 3.0  # the effort range bar
MIN_PLOT_H = 80.0  # a legend that would squeeze the panels below this gives way to a hint
HINT = "Hover a numbered point for its option; the table lists them all."

Place = tuple[OptionPoint, QPointF]


@dataclass(frozen=True)
class Panels:
    """Where the two panels are, and how a value maps to a pixel on them."""

    risk: QRectF
    effort: QRectF
    spec: OptionsSpec
    effort_max: float
    categories: int

    def y(self, ms: float) -> float:
        """Linear or logarithmic, as the spec's axis is (the PDF reads the same spec)."""
        return self.risk.bottom() - self.risk.height() * self.spec.value_fraction(ms)

    def risk_x(self, x: float) -> float:
        return self.risk.left() + self.risk.width() * (x + 0.5) / self.categories

    def effort_x(self, days: float) -> float:
        share = min(days, self.effort_max) / self.effort_max
        return self.effort.left() + self.effort.width() * share


def _thin(ticks: list[float], most: int) -> list[float]:
    """Every n-th tick so that at most `most` remain (a short plot on a wide log axis)."""
    step = max(1, -(-len(ticks) // max(most, 1)))
    return ticks[::step]


class OptionsChart(PaintedChart):
    """Two panels sharing the latency axis: options by accuracy risk and by effort.

    Hit areas, in this order: each option's effort bar, each perceived point (risk panel, then
    effort panel), each option's point on the risk panel, then on the effort panel.
    """

    spec: OptionsSpec | None

    def __init__(self, title: str = "Options for a decision maker", parent=None):
        super().__init__(title, parent)
        # where each point's number went (risk panel, then effort panel); None: left out
        self.number_boxes: list[QRectF | None] = []

    def describe(self, analysis) -> OptionsSpec:
        return options_spec(analysis)

    def _colour(self, p: OptionPoint) -> QColor:
        return QColor(self.theme.stage_colour(p.colour_index))

    def paint(self, painter: QPainter, f: Frame) -> None:
        spec = self.spec
        assert spec is not None
        sm = f.sm
        top = draw_title(painter, f, spec.title) + PAD
        axis_h = 3 + 2 * sm.height() + PAD / 2
        legend, swatches = self._legend(f)
        legend_h = legend_height(f, legend)
        if f.height - top - axis_h - legend_h < MIN_PLOT_H and spec.points:
            legend, swatches = [], []
            legend_h = sm.height() + PAD / 2
        plot_h = max(f.height - top - axis_h - legend_h, 40.0)

        value_ticks = (
            _thin(spec.log_ticks(), int(min(max(plot_h / 24, 3), 12)))
            if spec.log_scale
            else nice_ticks(spec.value_max_ms, most=int(min(max(plot_h / 32, 3), 8)))
        )
        effort_ticks = nice_ticks(spec.effort_max_days, most=int(min(max(f.width / 100, 3), 8)))
        widest = max(sm.horizontalAdvance(tick_text(v)) for v in value_ticks)
        gutter = PAD + sm.height() + 8 + widest
        right = PAD + sm.horizontalAdvance(tick_text(effort_ticks[-1])) / 2
        gap = 3 * PAD
        panel_w = max((f.width - gutter - right - gap) / 2, 30.0)
        risk = QRectF(gutter, top, panel_w, plot_h)
        at = Panels(
            risk,
            QRectF(risk.right() + gap, top, panel_w, plot_h),
            spec,
            spec.effort_max_days,
            len(spec.categories),
        )

        self._axes(painter, f, at, value_ticks, effort_ticks)
        sla_y = at.y(spec.target_ms)
        for plot in (at.risk, at.effort):
            draw_sla_line(painter, f, plot, sla_y, "", horizontal=False)
        if spec.empty_message:
            both = QRectF(risk.left(), top, at.effort.right() - risk.left(), plot_h / 2)
            painter.setFont(f.font)
            painter.setPen(f.colour("muted"))
            painter.drawText(
                both,
                Qt.AlignmentFlag.AlignCenter,
                f.fm.elidedText(spec.empty_message, Qt.TextElideMode.ElideRight, both.width()),
            )

        places = [
            [(p, QPointF(at.risk_x(p.risk_x), at.y(p.projected_ms))) for p in spec.points],
            [
                (p, QPointF(at.effort_x(p.effort_mid_days), at.y(p.projected_ms)))
                for p in spec.points
            ],
        ]
        self._points(painter, f, at, places)
        sla = self._sla_label(painter, f, at, sla_y, [pt for panel in places for _, pt in panel])
        painter.setFont(f.small)
        painter.setPen(f.colour("foreground"))
        self.number_boxes = []
        for panel in places:
            self._numbers(painter, f, panel, sla)

        if legend:
            draw_legend(painter, f, legend, swatches, f.height - legend_h)
        elif spec.points:
            painter.setFont(f.small)
            painter.setPen(f.colour("muted"))
            painter.drawText(
                QPointF(PAD, f.height - PAD / 2 - sm.descent()),
                sm.elidedText(HINT, Qt.TextElideMode.ElideRight, f.width - 2 * PAD),
            )

    # ------------------------------------------------------------------ parts

    def _legend(self, f: Frame) -> tuple[list[tuple[float, float, str]], list[Swatch]]:
        """The options by number and colour, then what a ring and a hollow point mean."""
        spec = self.spec
        assert spec is not None
        if not spec.points:
            return [], []
        names = [p.label for p in spec.points] + [spec.pareto_label]
        swatches = [_dot(self._colour(p)) for p in spec.points]
        swatches.append(_ring(f.colour("foreground"), R_LEGEND_RING, 1.2))
        if spec.perceived_label:
            names.append(spec.perceived_label)
            swatches.append(_ring(f.colour("muted"), R_PERCEIVED, 1.2))
        return legend_layout(f, names), swatches

    def _axes(
        self,
        painter: QPainter,
        f: Frame,
        at: Panels,
        value_ticks: list[float],
        effort_ticks: list[float],
    ) -> None:
        """The latency axis on the left panel (its grid across both), risk names, effort axis."""
        spec = self.spec
        assert spec is not None
        sm = f.sm
        elide = Qt.TextElideMode.ElideRight
        value_label = sm.elidedText(spec.value_label, elide, at.risk.height())
        draw_value_axis(
            painter,
            f,
            at.risk,
            value_ticks,
            at.y,
            horizontal=False,
            label=value_label,
        )
        band = at.risk.width() / len(spec.categories)
        for i, name in enumerate(spec.categories):
            x = at.risk_x(i)
            painter.setPen(QPen(f.colour("grid"), 1.0))
            painter.drawLine(QPointF(x, at.risk.top()), QPointF(x, at.risk.bottom() - 1))
            text = sm.elidedText(name, elide, band - 2)
            painter.setPen(f.colour("foreground"))
            y = at.risk.bottom() + 3 + sm.ascent()
            painter.drawText(QPointF(x - sm.horizontalAdvance(text) / 2, y), text)
        label = sm.elidedText(spec.risk_label, elide, at.risk.width())
        painter.drawText(
            QPointF(
                at.risk.center().x() - sm.horizontalAdvance(label) / 2,
                at.risk.bottom() + 3 + sm.height() + sm.ascent(),
            ),
            label,
        )
        painter.setPen(QPen(f.colour("grid"), 1.0))
        for value in value_ticks:
            y = at.y(value)
            painter.drawLine(QPointF(at.effort.left(), y), QPointF(at.effort.right(), y))
        draw_value_axis(
            painter,
            f,
            at.effort,
            effort_ticks,
            at.effort_x,
            horizontal=True,
            label=sm.elidedText(spec.effort_label, elide, at.effort.width()),
        )

    def _points(self, painter: QPainter, f: Frame, at: Panels, places: list[list[Place]]) -> None:
        """Effort bars, perceived points, then the points with their Pareto rings."""
        for p, pt in places[1]:
            faded = self._colour(p)
            faded.setAlphaF(0.55)
            painter.setPen(QPen(faded, BAR_W, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
            low, high = at.effort_x(p.effort_days[0]), at.effort_x(p.effort_days[1])
            painter.drawLine(QPointF(low, pt.y()), QPointF(high, pt.y()))
            self.add_hit(QRectF(low, pt.y() - 4, max(high - low, 1.0), 8), "\n".join(p.details))
        for panel in places:
            for p, pt in panel:
                if p.perceived_ms is None:
                    continue
                seen = QPointF(pt.x(), at.y(p.perceived_ms))
                painter.setPen(QPen(self._colour(p), 1.0))
                painter.drawLine(seen, pt)
                hollow = _ring(self._colour(p), R_PERCEIVED, 1.3, f.colour("background"))
                hollow(painter, _square(seen, R_PERCEIVED))
                self.add_hit(_square(seen, R_PERCEIVED + 2), "\n".join(p.details))
        for panel in places:
            for p, pt in panel:
                painter.setPen(QPen(f.colour("background"), 1.0))
                painter.setBrush(self._colour(p))
                painter.drawEllipse(pt, R_POINT, R_POINT)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                if p.pareto:
                    painter.setPen(QPen(f.colour("foreground"), 1.3))
                    painter.drawEllipse(pt, R_RING, R_RING)
                self.add_hit(_square(pt, R_RING + 1), "\n".join(p.details))

    def _sla_label(
        self, painter: QPainter, f: Frame, at: Panels, y: float, points: list[QPointF]
    ) -> QRectF:
        """The SLA's label just above (or below) its line, at an end where it covers no point."""
        spec = self.spec
        assert spec is not None
        sm = f.sm
        w, h = sm.horizontalAdvance(spec.sla_label), sm.height()
        left, right = at.risk.left() + 4, at.effort.right() - 4 - w
        spots = [
            QRectF(x, y + dy, w, h)
            for dy in (-2 - h, 2)
            for x in (left, right)
            if at.risk.top() <= y + dy and y + dy + h <= at.risk.bottom()
        ] or [QRectF(left, y - 2 - h, w, h)]
        rings = [_square(pt, R_RING) for pt in points]
        spot = next((r for r in spots if not any(r.intersects(q) for q in rings)), spots[0])
        painter.setFont(f.small)
        painter.setPen(f.colour("sla"))
        painter.drawText(QPointF(spot.left(), spot.top() + sm.ascent()), spec.sla_label)
        return spot

    def _numbers(self, painter: QPainter, f: Frame, panel: list[Place], sla: QRectF) -> None:
        """Each point's number beside it, where it covers no point, ring, number or label; a
        number with no free spot is left out (the legend's numbered entries are the key)."""
        sm = f.sm
        rings = [square(pt.x(), pt.y(), R_RING if p.pareto else R_POINT) for p, pt in panel]
        spots = place_labels(
            [(pt.x(), pt.y()) for _, pt in panel],
            [(sm.horizontalAdvance(str(p.number)), sm.height()) for p, _ in panel],
            [(sla.left(), sla.top(), sla.right(), sla.bottom()), *rings],
            (0.0, 0.0, float(f.width), float(f.height)),
            clearance=R_RING * 0.72 + 1,
        )
        for (p, _pt), spot in zip(panel, spots, strict=True):
            if spot is None:
                self.number_boxes.append(None)
                continue
            box = QRectF(spot[0], spot[1], spot[2] - spot[0], spot[3] - spot[1])
            self.number_boxes.append(box)
            painter.drawText(QPointF(box.left(), box.top() + sm.ascent()), str(p.number))


def _square(centre: QPointF, radius: float) -> QRectF:
    return QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius)


def _dot(colour: QColor) -> Swatch:
    """A legend mark: a filled point of the option's colour."""

    def draw(painter: QPainter, box: QRectF) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawEllipse(box.center(), R_POINT, R_POINT)

    return draw


def _ring(colour: QColor, radius: float, width: float, fill: QColor | None = None) -> Swatch:
    """A hollow circle (a Pareto ring or a perceived point), centred in `box`."""

    def draw(painter: QPainter, box: QRectF) -> None:
        painter.setPen(QPen(colour, width))
        painter.setBrush(fill if fill is not None else Qt.BrushStyle.NoBrush)
        painter.drawEllipse(box.center(), radius, radius)
        painter.setBrush(Qt.BrushStyle.NoBrush)

    return draw
