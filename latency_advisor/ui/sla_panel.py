"""The SLA, traffic and quality panel: the numbers the analysis is judged against.

Spin boxes and pickers can only hold valid values, so nonsense cannot be typed; the name field
refuses an empty name in place. Every change becomes one undoable edit of the document, and the
panel follows the document back on undo without recording new edits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from latency_advisor.scenario import PERCENTILES, Scenario
from latency_advisor.ui.document import ScenarioDocument
from latency_advisor.ui.edits import EditRefused, literal_choices, with_data


def _spin(low: float, high: float, decimals: int, suffix: str, step: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setDecimals(decimals)
    box.setSuffix(suffix)
    box.setSingleStep(step)
    box.setKeyboardTracking(False)
    box.setAccelerated(True)
    return box


class SlaPanel(QWidget):
    """Target, percentile, workload, peak traffic, replicas, concurrency, accuracy budget."""

    hint = Signal(str)

    def __init__(self, doc: ScenarioDocument, parent=None):
        super().__init__(parent)
        self.doc = doc
        self._loading = False

        self.name = QLineEdit()
        self.name.setPlaceholderText("What this serving path is")
        self.target = _spin(0.001, 1e7, 1, " ms", 10)
        self.percentile = QComboBox()
        for p in PERCENTILES:
            self.percentile.addItem(f"p{p:g}", p)
        self.workload = QComboBox()
        from latency_advisor.scenario import Sla

        self.workload.addItems(literal_choices(Sla, "workload"))
        # the whole answer or its first token (not `self.metric`: that is a Qt virtual)
        self.metric_box = QComboBox()
        self.metric_box.addItem("whole answer", "end_to_end")
        self.metric_box.addItem("first token (streamed)", "first_token")
        self.per_token = _spin(0, 1e5, 1, " ms", 1)
        self.per_token.setSpecialValueText("none")
        self.peak = _spin(0, 1e9, 2, " req/s", 1)
        self.replicas = QSpinBox()
        self.replicas.setRange(1, 100_000)
        self.replicas.setKeyboardTracking(False)
        self.concurrency = QSpinBox()
        self.concurrency.setRange(1, 10_000)
        self.concurrency.setKeyboardTracking(False)
        self.accuracy = _spin(0, 100, 2, " %", 0.1)

        fields: list[tuple[str, QWidget, str, str]] = [
            ("Name", self.name, "Scenario name", "name"),
            ("Target", self.target, "Latency target in milliseconds", "sla.target_ms"),
            ("Percentile", self.percentile, "Percentile the target applies to", "sla.percentile"),
            ("Workload", self.workload, "Kind of workload", "sla.workload"),
            ("Target on", self.metric_box, "What the latency target applies to", "sla.metric"),
            (
                "Per-token target",
                self.per_token,
                "Time per output token of a streamed LLM answer (none: no target)",
                "sla.per_token_ms",
            ),
            ("Peak traffic", self.peak, "Requests per second at peak", "traffic.peak_rps"),
            (
                "Replicas",
                self.replicas,
                "Replicas serving requests in parallel",
                "traffic.replicas",
            ),
            (
                "Concurrency",
                self.concurrency,
                "Requests one replica serves at once",
                "traffic.concurrency",
            ),
            (
                "Accuracy budget",
                self.accuracy,
                "Most accuracy that may be given up, in points",
                "quality.max_accuracy_drop_pct",
            ),
        ]
        sla_box = QGroupBox("SLA and traffic")
        form = QFormLayout(sla_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._paths: dict[str, QWidget] = {}
        for label, widget, tip, path in fields:
            widget.setAccessibleName(tip)
            widget.setToolTip(tip)
            widget.setObjectName(path)
            form.addRow(label, widget)
            self._paths[path] = widget

        # the consistency question, next to the concurrency it is most often about
        self.consistency = QLabel()
        self.consistency.setObjectName("consistency")
        self.consistency.setWordWrap(True)
        self.consistency.setAccessibleName("Inputs that disagree")
        self.consistency.setStyleSheet("color: #b45309;")
        self.consistency.hide()
        form.addRow(self.consistency)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(sla_box)

        self.name.editingFinished.connect(lambda: self._commit("name", self.name.text(), "name"))
        self._connect(self.target, "sla.target_ms", "target", lambda w: w.value())
        self._connect_combo(
            self.percentile, "sla.percentile", "percentile", lambda w: w.currentData()
        )
        self._connect_combo(self.workload, "sla.workload", "workload", lambda w: w.currentText())
        self._connect_combo(
            self.metric_box, "sla.metric", "target metric", lambda w: w.currentData()
        )
        self._connect(
            self.per_token, "sla.per_token_ms", "per-token target", lambda w: w.value() or None
        )
        self._connect(self.peak, "traffic.peak_rps", "peak traffic", lambda w: w.value())
        self._connect(self.replicas, "traffic.replicas", "replicas", lambda w: w.value())
        self._connect(self.concurrency, "traffic.concurrency", "concurrency", lambda w: w.value())
        self._connect(
            self.accuracy, "quality.max_accuracy_drop_pct", "accuracy budget", lambda w: w.value()
        )
        doc.changed.connect(self.load)
        self.load(doc.scenario)

    def show_analysis(self, analysis: Any) -> None:
        """Ask which input is wrong when traffic, replicas and concurrency imply a queue that
        cannot keep up, yet the stage latencies were measured on a working system."""
        check = (analysis.model_extra or {}).get("consistency")
        if not check:
            self.consistency.hide()
            return
        text = (
            f"These inputs disagree: they imply {check['utilization']:.0%} utilization, yet the "
            "stage latencies look like a working system. Does a replica serve several requests "
            f"at once? About {check['concurrency_to_keep_up']} per replica would keep up."
        )
        if check.get("utilization_if_async") is not None:
            text += (
                " In an async service, remote waits do not hold a worker: utilization would be "
                f"{check['utilization_if_async']:.0%}."
            )
        self.consistency.setText(text)
        self.consistency.setToolTip(" ".join(check["questions"]))
        self.consistency.show()

    def _connect(self, widget, path: str, label: str, read: Callable[[Any], Any]) -> None:
        widget.valueChanged.connect(lambda _v: self._commit(path, read(widget), label))

    def _connect_combo(self, widget, path: str, label: str, read: Callable[[Any], Any]) -> None:
        widget.currentIndexChanged.connect(lambda _i: self._commit(path, read(widget), label))

    def _commit(self, path: str, value: Any, label: str) -> None:
        if self._loading:
            return

        def mutate(data: dict[str, Any]) -> None:
            *parents, leaf = path.split(".")
            node = data
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = value

        try:
            after = with_data(self.doc.scenario, mutate)
        except EditRefused as exc:
            self.hint.emit(str(exc))
            if path == "name":
                self.name.setText(self.doc.scenario.name)
                self.name.setFocus()
            return
        self.doc.edit(after, f"Change {label}", merge_key=path)

    def load(self, scenario: Scenario) -> None:
        """Show the scenario's values without recording edits."""
        self._loading = True
        try:
            if self.name.text() != scenario.name:
                self.name.setText(scenario.name)
            self.target.setValue(scenario.sla.target_ms)
            self.percentile.setCurrentIndex(self.percentile.findData(scenario.sla.percentile))
            self.workload.setCurrentText(scenario.sla.workload)
            self.metric_box.setCurrentIndex(max(0, self.metric_box.findData(scenario.sla.metric)))
            self.per_token.setValue(scenario.sla.per_token_ms or 0.0)
            self.peak.setValue(scenario.traffic.peak_rps)
            self.replicas.setValue(scenario.traffic.replicas)
            self.concurrency.setValue(scenario.traffic.concurrency)
            self.accuracy.setValue(scenario.quality.max_accuracy_drop_pct)
        finally:
            self._loading = False
