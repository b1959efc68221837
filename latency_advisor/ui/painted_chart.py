"""What every natively painted chart shares: theme, fonts, hover tips, legend and accessibility.

The app's live charts are painted with QPainter from a spec the core computes (the PDF draws the
same spec with a plotting library). QPainter needs a few milliseconds where that needs 100-300 ms
to lay out and render text, so a chart can follow every edit on the UI thread.
A subclass builds its spec in `describe(analysis)` and draws it in `paint(painter, frame)`.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from latency_advisor.numbers import fmt_tick
from latency_advisor.report.themes import Theme
from latency_advisor.report.themes import theme as get_theme

PAD = 8.0
SWATCH = 10.0

Swatch = Callable[[QPainter, QRectF], None]
"""Draws a legend entry's mark into the swatch square (a chart whose marks are not blocks)."""


def ink_on(fill: QColor) -> QColor:
    """Black or white, whichever reads better on `fill` (WCAG relative luminance)."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    lum = (
        0.2126 * linear(fill.redF())
        + 0.7152 * linear(fill.greenF())
        + 0.0722 * linear(fill.blueF())
    )
    return QColor("#000000" if lum > 0.179 else "#FFFFFF")


@dataclass
class Frame:
    """One paint's context: the theme, the widget size, the fonts and their metrics."""

    theme: Theme
    width: float
    height: float
    font: QFont
    small: QFont
    fm: QFontMetricsF
    sm: QFontMetricsF

    def colour(self, name: str) -> QColor:
        return QColor(getattr(self.theme, name))


class PaintedChart(QWidget):
    """Base class: keeps the spec and theme, paints the background, answers hover tips."""

    name = "chart"

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.spec: Any = None
        self.theme: Theme = get_theme("light")
        self._hits: list[tuple[QRectF, str]] = []
        self.setMouseTracking(True)
        self.setMinimumHeight(160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(f"{title} chart")

    # ------------------------------------------------------------------ subclass hooks

    def describe(self, analysis: Any) -> Any:
        """The spec to draw (from the core); it must have a `summary` for screen readers."""
        raise NotImplementedError

    def paint(self, painter: QPainter, frame: Frame) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ API

    def show_analysis(self, analysis: Any, theme_name: str) -> None:
        self.spec = self.describe(analysis)
        self.theme = get_theme("dark" if theme_name == "dark" else "light")
        self.setAccessibleDescription(
            f"{self.spec.summary} The same numbers are in the table view (Table button)."
        )
        self.update()

    def add_hit(self, rect: QRectF, tip: str) -> None:
        """Hovering `rect` shows `tip` (later areas win where they overlap)."""
        self._hits.append((rect, tip))

    def hit_areas(self) -> list[tuple[QRectF, str]]:
        """Where the last paint put each hoverable mark, with its tip (for tests and tools)."""
        return list(self._hits)

    def tooltip_at(self, pos: QPointF) -> str:
        """The hover text at `pos` (widget coordinates); empty where there is nothing."""
        return next((tip for rect, tip in reversed(self._hits) if rect.contains(pos)), "")

    # ------------------------------------------------------------------ Qt

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(self.theme.background))
        self._hits = []
        if self.spec is not None:
            font = QFont(self.font())
            small = QFont(font)
            small.setPointSizeF(max(font.pointSizeF() * 0.85, 6.5))
            frame = Frame(
                self.theme,
                float(self.width()),
                float(self.height()),
                font,
                small,
                QFontMetricsF(font),
                QFontMetricsF(small),
            )
            self.paint(painter, frame)
        painter.end()

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            text = self.tooltip_at(QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), as_plain_tip(text), self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)


def as_plain_tip(text: str) -> str:
    """Tip text shown as typed: Qt would render a name such as `<b>calls</b>` as HTML."""
    return "<p style='white-space:pre-wrap'>" + html.escape(text) + "</p>"


# ---------------------------------------------------------------------- drawing helpers


def tick_text(value: float) -> str:
    """A tick value with the decimals it needs and no more: 1,000 · 2.5 · 0.25."""
    return fmt_tick(value)


def draw_title(painter: QPainter, f: Frame, title: str) -> float:
    """The chart's title on one line, elided; returns the height it took."""
    painter.setFont(f.font)
    painter.setPen(f.colour("foreground"))
    painter.drawText(
        QPointF(PAD, PAD + f.fm.ascent()),
        f.fm.elidedText(title, Qt.TextElideMode.ElideRight, f.width - 2 * PAD),
    )
    return f.fm.height() + PAD


def legend_layout(
    f: Frame, names: list[str], width: float | None = None
) -> list[tuple[float, float, str]]:
    """(x, y, text) per legend entry, flowing into as many rows as the width needs."""
    out, x, y = [], PAD, 0.0
    limit = max((width if width is not None else f.width) - 2 * PAD, 60.0)
    for full in names:
        name = f.sm.elidedText(full, Qt.TextElideMode.ElideRight, 220)
        item = SWATCH + 4 + f.sm.horizontalAdvance(name) + 14
        if x > PAD and x + item > limit:
            x, y = PAD, y + f.sm.height() + 2
        out.append((x, y, name))
        x += item
    return out


def legend_columns(
    f: Frame, names: list[str], width: float | None = None, widest: float = 260.0
) -> list[tuple[float, float, str]]:
    """Like `legend_layout`, but in equal columns filled row by row: a long key reads as a list."""
    limit = max((width if width is not None else f.width) - 2 * PAD, 60.0)
    lead = SWATCH + 4
    natural = max((f.sm.horizontalAdvance(name) for name in names), default=0.0)
    column = min(lead + natural + 14, widest, limit)
    count = max(int(limit // column), 1)
    column = limit / count if count > 1 else column
    out = []
    for i, full in enumerate(names):
        name = f.sm.elidedText(full, Qt.TextElideMode.ElideRight, column - lead - 14)
        out.append((PAD + (i % count) * column, (i // count) * (f.sm.height() + 2), name))
    return out


def legend_height(f: Frame, layout: list[tuple[float, float, str]]) -> float:
    return (layout[-1][1] + f.sm.height() + PAD) if layout else 0.0


def draw_legend(
    painter: QPainter,
    f: Frame,
    layout: list[tuple[float, float, str]],
    colours: list[QColor | Swatch],
    top: float,
    full: list[str] | None = None,
    chart: PaintedChart | None = None,
) -> None:
    """Swatches and names at the positions `legend_layout` chose, from `top` down.

    A colour fills a square swatch; a `Swatch` function draws its own mark in that square.
    With `full` names and the `chart`, an entry the layout elided shows its whole name on hover.
    """
    painter.setFont(f.small)
    for (x, y, name), colour in zip(layout, colours, strict=True):
        swatch = QRectF(x, top + y + (f.sm.height() - SWATCH) / 2, SWATCH, SWATCH)
        if isinstance(colour, QColor):
            painter.fillRect(swatch, colour)
        else:
            painter.save()
            colour(painter, swatch)
            painter.restore()
            painter.setFont(f.small)
        painter.setPen(f.colour("foreground"))
        painter.drawText(QPointF(x + SWATCH + 4, top + y + f.sm.ascent()), name)
    for (x, y, name), whole in zip(layout, full or [], strict=False):
        if chart is not None and name != whole:
            width = SWATCH + 4 + f.sm.horizontalAdvance(name)
            chart.add_hit(QRectF(x, top + y, width, f.sm.height()), whole)


def draw_value_axis(
    painter: QPainter,
    f: Frame,
    plot: QRectF,
    ticks: list[float],
    to_pixel,
    *,
    horizontal: bool,
    label: str = "",
    fmt: Callable[[float], str] | None = None,
) -> None:
    """Grid lines, tick labels and the axis line for a value axis along x or y.

    Ticks print with `tick_text` (2.5 stays 2.5) unless `fmt` says otherwise.
    """
    painter.setFont(f.small)
    grid = QPen(f.colour("grid"), 1.0)
    for value in ticks:
        pos = to_pixel(value)
        text = (fmt or tick_text)(value)
        painter.setPen(grid)
        if horizontal:
            painter.drawLine(QPointF(pos, plot.top()), QPointF(pos, plot.bottom()))
            painter.setPen(f.colour("foreground"))
            painter.drawText(
                QPointF(pos - f.sm.horizontalAdvance(text) / 2, plot.bottom() + 3 + f.sm.ascent()),
                text,
            )
        else:
            painter.drawLine(QPointF(plot.left(), pos), QPointF(plot.right(), pos))
            painter.setPen(f.colour("foreground"))
            painter.drawText(
                QPointF(
                    plot.left() - 4 - f.sm.horizontalAdvance(text),
                    pos + f.sm.ascent() - f.sm.height() / 2,
                ),
                text,
            )
    painter.setPen(QPen(f.colour("muted"), 1.0))
    painter.drawLine(plot.bottomLeft(), plot.bottomRight())
    painter.drawLine(plot.bottomLeft(), plot.topLeft())
    if not label:
        return
    painter.setPen(f.colour("foreground"))
    if horizontal:
        painter.drawText(
            QPointF(
                plot.center().x() - f.sm.horizontalAdvance(label) / 2,
                plot.bottom() + 3 + f.sm.height() + f.sm.ascent(),
            ),
            label,
        )
    else:
        painter.save()
        painter.translate(
            PAD + f.sm.ascent(), plot.center().y() + f.sm.horizontalAdvance(label) / 2
        )
        painter.rotate(-90)
        painter.drawText(QPointF(0, 0), label)
        painter.restore()


def draw_sla_line(
    painter: QPainter, f: Frame, plot: QRectF, pos: float, label: str, *, horizontal: bool
) -> None:
    """The SLA as a dashed line at `pos` (x when the value axis is horizontal), labelled."""
    painter.setFont(f.small)
    painter.setPen(QPen(f.colour("sla"), 1.6, Qt.PenStyle.DashLine))
    width = f.sm.horizontalAdvance(label)
    if horizontal:
        painter.drawLine(QPointF(pos, plot.top() - 2), QPointF(pos, plot.bottom()))
        x = pos + 4 if pos + 4 + width <= f.width - PAD else pos - 4 - width
        painter.setPen(f.colour("sla"))
        painter.drawText(QPointF(x, plot.top() - 4 - f.sm.descent()), label)
    else:
        painter.drawLine(QPointF(plot.left(), pos), QPointF(plot.right(), pos))
        painter.setPen(f.colour("sla"))
        painter.drawText(QPointF(plot.left() + 4, pos - 3 - f.sm.descent()), label)


def wrap_text(fm: QFontMetricsF, text: str, width: float, max_lines: int) -> list[str]:
    """`text` broken at spaces into at most `max_lines` lines of `width`; what is left is elided."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and fm.horizontalAdvance(f"{line} {words[0]}") <= width:
            line += " " + words.pop(0)
        if len(lines) == max_lines - 1 and words:
            line = " ".join([line, *words])  # the last line takes the rest, elided
            words = []
        lines.append(fm.elidedText(line, Qt.TextElideMode.ElideRight, width))
    return lines
