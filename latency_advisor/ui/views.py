"""The live views of the analysis: budget, recommendations, plan and options.

Each view has `set_analysis(analysis)` and only formats what the core computed; none of them
holds analysis logic.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from latency_advisor.analysis import Analysis
from latency_advisor.numbers import fmt_ms, fmt_ms_range, fmt_pct, fmt_utilization
from latency_advisor.ui import tables
from latency_advisor.ui.budget_chart import BudgetChart
from latency_advisor.ui.chart_pane import ChartPane
from latency_advisor.ui.options_chart import OptionsChart
from latency_advisor.ui.plan_chart import PlanChart

LEVELS = (("system", "System level"), ("serving", "Serving level"), ("model", "Model level"))


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return fmt_ms(value)


class HeadlineCard(QFrame):
    """One headline number with its caption (a 'card')."""

    def __init__(self, caption: str, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.value = QLabel("—")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.value.setFont(font)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.caption = QLabel(caption)
        self.caption.setWordWrap(True)
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)
        layout.addStretch(1)

    def show_value(self, value: str, detail: str = "", color: str | None = None) -> None:
        self.value.setText(value)
        self.value.setStyleSheet(f"color: {color};" if color else "")
        self.detail.setText(detail)
        self.setAccessibleName(f"{self.caption.text()}: {value}. {detail}")


GOOD, BAD, WARN = "#1a7f37", "#cf222e", "#bf8700"


class BudgetView(QWidget):
    """Where the time goes: headline figures, the budget chart, warnings and assumptions."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.verdict = QLabel()
        self.verdict.setObjectName("verdict")
        self.verdict.setWordWrap(True)
        font = self.verdict.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.verdict.setFont(font)
        self.composed = HeadlineCard("End to end (composed)")
        self.naive = HeadlineCard("Sum of stage percentiles")
        self.bottleneck = HeadlineCard("Bottleneck")
        self.load = HeadlineCard("Utilization at peak")
        cards = QGridLayout()
        for i, card in enumerate((self.composed, self.naive, self.bottleneck, self.load)):
            cards.addWidget(card, 0, i)
        self.chart = ChartPane("Latency budget", BudgetChart, tables.budget)
        self.notes = QTextBrowser()
        self.notes.setAccessibleName("Warnings and assumptions")
        self.notes.setOpenLinks(False)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.chart)
        split.addWidget(self.notes)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.verdict)
        layout.addLayout(cards)
        layout.addWidget(split, 1)

    def set_analysis(self, a: Analysis) -> None:
        c = a.current
        pct = f"p{a.sla.percentile:g}"
        if a.meets_sla:
            text, color = (
                f"Meets the {pct} target of {_ms(a.sla.target_ms)} with "
                f"{_ms(a.headroom_ms)} to spare.",
                GOOD,
            )
        elif not c.steady_state:
            text, color = (
                (
                    f"Cannot keep up at peak traffic: {c.replicas} replica(s) would be "
                    f"{fmt_utilization(c.utilization)} utilized. At least "
                    f"{c.replicas_needed_for_stability} are needed."
                ),
                BAD,
            )
        else:
            text, color = (
                (f"Misses the {pct} target of {_ms(a.sla.target_ms)} by {_ms(a.gap_ms)}."),
                BAD,
            )
        self.verdict.setText(text)
        self.verdict.setStyleSheet(f"color: {color}; font-weight: 600;")
        self.composed.show_value(
            _ms(c.at_sla_percentile_ms),
            f"{pct}; p50 {_ms(c.p50_ms)}, p99 {_ms(c.p99_ms)}",
            GOOD if a.meets_sla else BAD,
        )
        over = c.sum_of_stage_percentiles_ms - c.at_sla_percentile_ms
        self.naive.show_value(
            _ms(c.sum_of_stage_percentiles_ms),
            f"adding stage {pct}s overstates by {_ms(max(over, 0))}",
        )
        share = fmt_pct(a.bottleneck.share)
        self.bottleneck.show_value(a.bottleneck.stage, f"{share} of the {pct}")
        wait = (
            f"mean queueing wait {_ms(c.queueing_wait_ms)}"
            if c.queueing_wait_ms is not None
            else "queue grows without bound"
        )
        self.load.show_value(
            fmt_utilization(c.utilization)
            if c.steady_state
            else f"{fmt_utilization(c.utilization)} (overloaded)",
            f"{wait}; {c.replicas_needed_for_stability} replica(s) to keep up",
            BAD if not c.steady_state else WARN if c.utilization >= 0.8 else None,
        )
        self.chart.set_analysis(a)
        html = ""
        if a.warnings:
            html += (
                "<h4>Warnings</h4><ul>"
                + "".join(f"<li>{escape(w)}</li>" for w in a.warnings)
                + "</ul>"
            )
        html += (
            "<h4>Assumptions</h4><ul>"
            + "".join(f"<li>{escape(x)}</li>" for x in a.assumptions)
            + "</ul>"
        )
        self.notes.setHtml(html)


def _total_saving(r) -> str:
    """The end-to-end saving; a dash where the fix leaves the total alone (streaming)."""
    if max(r.saving_ms) <= 0 and (r.model_extra or {}).get("perceived_saving_ms"):
        return "—"
    if (r.model_extra or {}).get("restores_stability"):
        return "steady state"
    return fmt_ms_range(*r.saving_ms)


def _first_output_saving(r) -> str:
    """How much sooner the user sees the first output (streaming), or blank."""
    perceived = (r.model_extra or {}).get("perceived_saving_ms")
    return fmt_ms_range(*perceived) if perceived else ""


def recommendation_titles(recs) -> list[str]:
    """Each recommendation's title, with its stage where another row has the same title (one
    technique on two stages), so no two rows read alike."""
    counts: dict[str, int] = {}
    for r in recs:
        counts[r.title] = counts.get(r.title, 0) + 1
    return [
        f"{r.title} ({r.stage or 'whole path'})" if counts[r.title] > 1 else r.title for r in recs
    ]


TITLE_MIN = 300
"""The Recommendations column keeps at least this many pixels however narrow the pane."""


class RecommendationsView(QWidget):
    """Fixes grouped by level, in the engine's order; the rationale of the selected one below."""

    COLUMNS = (
        "Recommendation",
        "Stage",
        "Saving",
        "First output",
        "Accuracy risk",
        "Cost",
        "Effort",
    )

    def __init__(self, parent=None):
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Recommendations grouped by level")
        self.tree.setHeaderLabels(list(self.COLUMNS))
        self.tree.setAlternatingRowColors(True)
        self.tree.setRootIsDecorated(True)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self.tree.installEventFilter(self)
        self.why = QTextBrowser()
        self.why.setAccessibleName("Why this recommendation")
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tree)
        split.addWidget(self.why)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(split, 1)
        self.tree.currentItemChanged.connect(self._show_why)
        self._analysis: Analysis | None = None
        self._dirty = False

    def set_analysis(self, a: Analysis) -> None:
        self._analysis = a
        self._dirty = True
        if self.isVisible():
            self._fill()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self._fill()

    def _fill(self) -> None:
        a = self._analysis
        if a is None:
            return
        self._dirty = False
        current = self.tree.currentItem()
        keep = current.data(0, Qt.ItemDataRole.UserRole) if current else None
        self.tree.clear()
        pct = f"p{a.sla.percentile:g}"
        keys = [(r.rule, r.stage) for r in a.recommendations]
        titles = dict(zip(keys, recommendation_titles(a.recommendations), strict=True))
        first: QTreeWidgetItem | None = None
        for level, label in LEVELS:
            recs = [r for r in a.recommendations if r.level == level]
            if not recs:
                continue
            group = QTreeWidgetItem([f"{label} ({len(recs)})"])
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            group.setFlags(group.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            self.tree.addTopLevelItem(group)
            for r in recs:
                title = titles[(r.rule, r.stage)]
                item = QTreeWidgetItem(
                    [
                        title,
                        r.stage or "whole path",
                        _total_saving(r),
                        _first_output_saving(r),
                        r.accuracy_risk,
                        r.cost,
                        f"{r.effort_days[0]:g}–{r.effort_days[1]:g} days",
                    ]
                )
                item.setData(0, Qt.ItemDataRole.UserRole, (r.rule, r.stage))
                item.setToolTip(0, f"{title}\n\n{r.why}")
                item.setToolTip(2, f"End-to-end saving at the {pct}")
                item.setToolTip(3, "How much sooner the user sees the first output")
                group.addChild(item)
                first = first or item
                if (r.rule, r.stage) == keep:
                    self.tree.setCurrentItem(item)
            group.setExpanded(True)
        if a.recommendations:
            self.empty.setText(
                f"Savings are at the {pct}, against a gap of {_ms(a.gap_ms)}. "
                "Cheapest, least risky levels first. Select one to see why."
            )
        else:
            self.empty.setText(
                "No recommendations for this scenario"
                + (
                    ": it meets its SLA."
                    if a.meets_sla
                    else ": no rule in the library applies to it."
                )
            )
        self.fit_title_column()
        if self.tree.currentItem() is None and first is not None:
            self.tree.setCurrentItem(first)  # its rationale shows at once
        if self.tree.currentItem() is None:
            self.why.setHtml("")

    def eventFilter(self, watched, event) -> bool:
        if watched is self.tree and event.type() == QEvent.Type.Resize:
            self.fit_title_column()
        return super().eventFilter(watched, event)

    def fit_title_column(self) -> None:
        """Titles take the room the other columns leave, never less than TITLE_MIN px (the rest
        scrolls sideways); a title longer still elides, and its tooltip has it whole."""
        header = self.tree.header()
        fm = self.tree.fontMetrics()
        titles = [
            self.tree.topLevelItem(g).child(c).text(0)
            for g in range(self.tree.topLevelItemCount())
            for c in range(self.tree.topLevelItem(g).childCount())
        ]
        want = max([fm.horizontalAdvance(t) + 2 * self.tree.indentation() for t in titles] + [0])
        others = sum(header.sectionSize(c) for c in range(1, header.count()))
        room = self.tree.viewport().width() - others
        header.resizeSection(0, max(min(want, TITLE_MIN), room))

    def _show_why(self, item: QTreeWidgetItem | None, _previous=None) -> None:
        if item is None or self._analysis is None:
            return
        key = item.data(0, Qt.ItemDataRole.UserRole)
        for r in self._analysis.recommendations:
            if (r.rule, r.stage) == (tuple(key) if key else None):
                self.why.setHtml(
                    f"<h3>{escape(r.title)}</h3><p>{escape(r.why)}</p>"
                    f"<p><small>Technique <code>{escape(r.technique)}</code> · rule "
                    f"<code>{escape(r.rule)}</code></small></p>"
                )
                return


class ChartView(QWidget):
    """A tab that is one chart with its table: the plan waterfall, the options' tradeoffs."""

    def __init__(self, title: str, chart, table, parent=None):
        super().__init__(parent)
        self.chart = ChartPane(title, chart, table)
        layout = QVBoxLayout(self)
        layout.addWidget(self.chart)

    def set_analysis(self, a: Analysis) -> None:
        self.chart.set_analysis(a)


def plan_view() -> ChartView:
    """The plan: projected latency after each step, down to the SLA line."""
    return ChartView("Plan: projected latency after each step", PlanChart, tables.plan)


def options_view() -> ChartView:
    """The options side by side (table) and their tradeoff (Pareto) chart."""
    return ChartView("Options for a decision maker", OptionsChart, tables.options)
