"""What-if controls: try traffic, replicas, percentile and a response cache without editing.

The estimate runs off the UI thread (at high load it simulates the queue); the scenario itself
changes only when the user presses "Apply to scenario", as one undoable edit.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from latency_advisor.numbers import fmt_utilization
from latency_advisor.scenario import PERCENTILES, Scenario
from latency_advisor.ui.background import BackgroundRunner
from latency_advisor.ui.document import ScenarioDocument
from latency_advisor.whatif import WhatIf, WhatIfResult, apply_levers, evaluate


def _evaluate(job: tuple[Scenario, WhatIf]) -> tuple[WhatIfResult, WhatIfResult]:
    scenario, what_if = job
    return evaluate(scenario, WhatIf()), evaluate(scenario, what_if)


class WhatIfPanel(QWidget):
    """Levers on the left, today versus the what-if on the right."""

    hint = Signal(str)

    def __init__(self, doc: ScenarioDocument, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.runner = BackgroundRunner(_evaluate, self)
        self.runner.ready.connect(self._show)
        self.runner.failed.connect(self.hint.emit)
        self._debounce = QTimer(self, singleShot=True, interval=120)
        self._debounce.timeout.connect(self.refresh)

        self.multiplier = QDoubleSpinBox()
        self.multiplier.setRange(0.0, 1000.0)
        self.multiplier.setDecimals(2)
        self.multiplier.setSingleStep(0.25)
        self.multiplier.setSuffix(" ×")
        self.multiplier.setValue(1.0)
        self.replicas = QSpinBox()
        self.replicas.setRange(1, 100_000)
        self.percentile = QComboBox()
        for p in PERCENTILES:
            self.percentile.addItem(f"p{p:g}", p)
        self.cache = QDoubleSpinBox()
        self.cache.setRange(0.0, 99.0)
        self.cache.setDecimals(0)
        self.cache.setSuffix(" %")
        self.cache.setSingleStep(5)
        for widget, name in (
            (self.multiplier, "Traffic multiplier"),
            (self.replicas, "Replicas in the what-if"),
            (self.percentile, "Percentile in the what-if"),
            (self.cache, "Response cache hit rate"),
        ):
            widget.setAccessibleName(name)
            widget.setToolTip(name)
        levers = QGroupBox("What if…")
        form = QFormLayout(levers)
        form.addRow("Traffic", self.multiplier)
        form.addRow("Replicas", self.replicas)
        form.addRow("Percentile", self.percentile)
        form.addRow("Cache hit rate", self.cache)
        cache_note = QLabel(
            "A cache hit skips every stage but the network and costs about "
            "2 ms; it cannot be applied to the scenario, only tried here."
        )
        cache_note.setWordWrap(True)
        form.addRow(cache_note)
        self.reset_button = QPushButton("Reset")
        self.apply_button = QPushButton("Apply to scenario")
        self.apply_button.setToolTip(
            "Write traffic, replicas and percentile into the scenario (undoable)"
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.apply_button)
        form.addRow(buttons)

        self.table = QTableWidget(5, 3)
        self.table.setAccessibleName("Today versus the what-if")
        self.table.setHorizontalHeaderLabels(["", "Today", "What-if"])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.status = QLabel("")
        right = QVBoxLayout()
        right.addWidget(self.table)
        right.addWidget(self.status)
        layout = QHBoxLayout(self)
        layout.addWidget(levers)
        layout.addLayout(right, 1)

        for w in (self.multiplier, self.cache):
            w.valueChanged.connect(self._debounce.start)
        self.replicas.valueChanged.connect(self._debounce.start)
        self.percentile.currentIndexChanged.connect(self._debounce.start)
        self.reset_button.clicked.connect(self.reset)
        self.apply_button.clicked.connect(self.apply_to_scenario)
        doc.changed.connect(lambda _s: self._debounce.start())
        doc.path_changed.connect(lambda _p: self.reset())
        self._dirty = True
        self.reset()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def what_if(self) -> WhatIf:
        return WhatIf(
            traffic_multiplier=self.multiplier.value(),
            replicas=self.replicas.value(),
            percentile=self.percentile.currentData(),
            cache_hit_rate=self.cache.value() / 100.0,
        )

    def reset(self) -> None:
        s = self.doc.scenario
        for w in (self.multiplier, self.replicas, self.percentile, self.cache):
            w.blockSignals(True)
        self.multiplier.setValue(1.0)
        self.replicas.setValue(s.traffic.replicas)
        self.percentile.setCurrentIndex(self.percentile.findData(s.sla.percentile))
        self.cache.setValue(0)
        for w in (self.multiplier, self.replicas, self.percentile, self.cache):
            w.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        """Estimate now if the tab is on screen; otherwise when it is next shown."""
        if not self.isVisible():
            self._dirty = True
            return
        self._dirty = False
        self.status.setText("Estimating…")
        self.runner.request((self.doc.scenario, self.what_if()))

    def apply_to_scenario(self) -> None:
        what_if = WhatIf(
            traffic_multiplier=self.multiplier.value(),
            replicas=self.replicas.value(),
            percentile=self.percentile.currentData(),
        )
        self.doc.edit(apply_levers(self.doc.scenario, what_if), "Apply what-if")
        self.reset()

    def _show(self, results: tuple[WhatIfResult, WhatIfResult]) -> None:
        today, then = results

        def latency(r: WhatIfResult) -> str:
            text = f"{r.at_percentile_ms:,.0f} ms at p{r.percentile:g}"
            return text if r.steady_state else text + " (lower bound: overloaded)"

        def wait(r: WhatIfResult) -> str:
            return "unbounded" if r.queueing_wait_ms is None else f"{r.queueing_wait_ms:,.1f} ms"

        rows = [
            ("Latency", latency(today), latency(then)),
            (
                "Meets the SLA",
                "yes" if today.meets_sla else "no",
                "yes" if then.meets_sla else "no",
            ),
            ("Peak traffic", f"{today.peak_rps:g} req/s", f"{then.peak_rps:g} req/s"),
            (
                "Utilization (replicas)",
                f"{fmt_utilization(today.utilization)} ({today.replicas})",
                f"{fmt_utilization(then.utilization)} ({then.replicas})",
            ),
            ("Mean queueing wait", wait(today), wait(then)),
        ]
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.status.setText(f"Target: {then.target_ms:g} ms at p{then.percentile:g}.")
