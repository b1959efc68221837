"""The editing workspace: scenario inputs on the left, the live analysis views on the right.

It owns the document and the background analysis: every edit of the document is re-analysed off
the UI thread and the result is handed to each view. Built after the window's first paint.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from latency_advisor.analysis import Analysis, analyze
from latency_advisor.rehearsal.cards import questions_for
from latency_advisor.scenario import Scenario
from latency_advisor.ui.background import BackgroundRunner
from latency_advisor.ui.bench_view import BenchView
from latency_advisor.ui.document import ScenarioDocument
from latency_advisor.ui.model_details import ModelDetails
from latency_advisor.ui.sla_panel import SlaPanel
from latency_advisor.ui.stage_table import StageTable
from latency_advisor.ui.views import BudgetView, RecommendationsView, options_view, plan_view
from latency_advisor.ui.whatif_panel import WhatIfPanel

TAB_KEYS = ("budget", "recommendations", "plan", "options", "whatif", "benchmarks", "rehearse")


class Workspace(QWidget):
    """Inputs and views bound to one document."""

    analysis_ready = Signal(object)
    hint = Signal(str)
    status = Signal(str)

    def __init__(self, scenario: Scenario, path: Path | None, parent=None):
        super().__init__(parent)
        self.doc = ScenarioDocument(scenario, path, self)
        self.analysis: Analysis | None = None
        self._asked_at = 0.0
        self.runner = BackgroundRunner(analyze, self)
        self.runner.ready.connect(self._on_analysis)
        self.runner.failed.connect(lambda msg: self.status.emit(f"Analysis failed: {msg}"))

        # inputs
        self.sla = SlaPanel(self.doc)
        self.stages = StageTable(self.doc)
        self.details = ModelDetails(self.doc)
        stages_box = QGroupBox("Stages, in request order")
        stages_layout = QVBoxLayout(stages_box)
        stages_layout.addWidget(self.stages)
        left = QSplitter(Qt.Orientation.Vertical)
        left.setObjectName("inputs")
        left.addWidget(self.sla)
        left.addWidget(stages_box)
        left.addWidget(scrolled(self.details))
        left.setStretchFactor(0, 0)
        left.setStretchFactor(1, 3)
        left.setStretchFactor(2, 1)
        left.setChildrenCollapsible(False)
        self.stages.view.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: self.details.show_row(cur.row())
        )

        # views
        self.budget = BudgetView()
        self.recommendations = RecommendationsView()
        self.plan = plan_view()
        self.options = options_view()
        self.whatif = WhatIfPanel(self.doc)
        self.bench = BenchView()
        self.bench.set_scenario(self.doc.scenario)
        self.doc.changed.connect(self.bench.set_scenario)
        self.bench.scenario_calibrated.connect(
            lambda scenario: self.doc.edit(scenario, "Attach benchmark results")
        )
        self.bench.status.connect(self.status)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("views")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.budget, "&Budget")
        self.tabs.addTab(self.recommendations, "&Recommendations")
        self.tabs.addTab(self.plan, "&Plan")
        self.tabs.addTab(self.options, "&Options")
        self.tabs.addTab(self.whatif, "&What-if")
        self.tabs.addTab(scrolled(self.bench), "Ben&chmarks")
        self.views: list[QWidget] = [self.budget, self.recommendations, self.plan, self.options]
        from latency_advisor.ui.rehearse_tab import RehearseTab

        self.rehearse = RehearseTab()
        self.tabs.addTab(scrolled(self.rehearse), "R&ehearse")
        self.views.append(self.rehearse)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("workspace")
        split.addWidget(left)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        self.tabs.setUsesScrollButtons(False)  # every tab's name whole: the pane is never narrower
        self.splitter = split
        self.fit_splitter(1320)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(split)

        for source in (self.sla, self.stages, self.details, self.whatif):
            source.hint.connect(self.hint)
        self.doc.changed.connect(self.reanalyse)
        self.stages.select_row(0)
        self.stages.view.setFocus()
        self.reanalyse(self.doc.scenario)

    # ------------------------------------------------------------------ analysis

    def reanalyse(self, scenario: Scenario) -> None:
        self._asked_at = time.perf_counter()
        self.status.emit("Analysing…")
        self.runner.request(scenario)

    def _on_analysis(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.sla.show_analysis(analysis)
        for view in self.views:
            if view is self.rehearse:  # the talk track also reads the scenario's own words
                questions = questions_for(self.doc.path) if self.doc.path else []
                view.set_analysis(analysis, self.doc.scenario, questions)
            else:
                view.set_analysis(analysis)
        took = (time.perf_counter() - self._asked_at) * 1000
        c = analysis.current
        self.status.emit(f"Analysed in {took:.0f} ms ({c.method})")
        self.analysis_ready.emit(analysis)

    def fit_splitter(self, window_width: int) -> None:
        """Inputs get about 44% of the window (room for stage names beside the numbers), the
        views the rest, never less than their tab names need."""
        views = max(self.tabs.minimumSizeHint().width(), round(window_width * 0.56))
        self.splitter.setSizes([max(window_width - views - 12, 200), views])

    def show_tab(self, key: str) -> bool:
        """Switch to a tab by its key (`budget`, `plan`, ...); False if there is none."""
        index = {k: i for i, k in enumerate(TAB_KEYS)}.get(key.lower().replace("-", ""))
        if index is None or index >= self.tabs.count():
            return False
        self.tabs.setCurrentIndex(index)
        return True


def scrolled(widget: QWidget) -> QScrollArea:
    """`widget` in a frameless scroll area: a form wider or taller than the room it gets at
    1024×700 scrolls instead of being cut, and does not force the window wider."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area
