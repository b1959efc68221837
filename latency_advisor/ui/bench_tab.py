"""The benchmarks tab: measure a model on this machine and attach the result to a model stage.

The benchmark engine runs each job in a child process (a model can crash, hang or eat memory;
the window must not), read here by a reader thread that forwards its events to the UI thread as
signals: a progress bar, a results table that fills variant by variant, and a Cancel button that
kills the child at once. Attaching the results writes measured speedups into the chosen model
stage's calibration, as one undoable edit.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from latency_advisor.ui import installed

LEVERS = (  # (lever word of the engine's variants, label, checked by default)
    ("threads", "Intra-op threads", True),
    ("graph_optimization", "Graph optimization levels", False),
    ("execution_mode", "Parallel execution mode", False),
    ("quantization_int8", "Dynamic INT8 quantization", True),
    ("fp16", "FP16 weights", False),
    ("dynamic_batching", "Batch sizes (models with a dynamic batch)", False),
)
COLUMNS = (
    "Variant",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "p99 95% CI",
    "Throughput/s",
    "Speedup",
    "Max |diff|",
)


def engine_available() -> bool:
    return installed("latency_advisor.bench.job")


class _Bridge(QObject):
    """Carries events from the reader thread to the UI thread (queued signals)."""

    event = Signal(object)


def _cell(value: Any, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return f"[{_cell(value[0], digits)}, {_cell(value[1], digits)}]"
    if isinstance(value, float):
        return f"{value:,.{digits}f}" if value < 1000 else f"{value:,.0f}"
    return str(value)


class BenchTab(QWidget):
    """Pick a model and levers, run with progress and cancel, read and attach the results."""

    hint = Signal(str)
    finished = Signal(object)  # BenchReport, or None when the job failed or was cancelled

    def __init__(self, doc, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.model_file: Path | None = None
        self.report: Any = None
        self.job: Any = None
        self.budget_s: float | None = None  # per-variant time budget; None: the engine's
        self._bridge = _Bridge(self)
        self._bridge.event.connect(self._on_event)
        self._filled = False

        if not engine_available():
            label = QLabel(
                "<h3>Benchmarks are not available in this build</h3><p>The "
                "benchmark engine is not installed.</p>"
            )
            label.setWordWrap(True)
            layout = QVBoxLayout(self)
            layout.addWidget(label)
            layout.addStretch(1)
            self.run_button = None
            return

        self.builtin = QComboBox()
        self.builtin.setAccessibleName("Built-in reference model")
        self.file_button = QPushButton("ONNX file…")
        self.file_button.setToolTip("Benchmark your own .onnx model (or drop one on the window)")
        self.file_label = QLabel("")
        self.file_label.setWordWrap(True)
        model_row = QHBoxLayout()
        model_row.addWidget(self.builtin, 1)
        model_row.addWidget(self.file_button)
        self.quick = QCheckBox("Quick run (a first look: a few seconds per variant)")
        self.quick.setChecked(True)
        self.levers: dict[str, QCheckBox] = {}
        levers_box = QGroupBox("Levers to measure (against the FP32 baseline)")
        levers_layout = QVBoxLayout(levers_box)
        for lever, label, checked in LEVERS:
            box = QCheckBox(label)
            box.setChecked(checked)
            self.levers[lever] = box
            levers_layout.addWidget(box)
        self.run_button = QPushButton("Run benchmark")
        self.run_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Benchmark progress")
        self.progress.setRange(0, 100)
        self.status = QLabel("Pick a model and press Run.")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        run_row = QHBoxLayout()
        run_row.addWidget(self.run_button)
        run_row.addWidget(self.cancel_button)
        run_row.addWidget(self.progress, 1)

        left = QGroupBox("Model")
        form = QFormLayout(left)
        form.addRow("Model", model_row)
        form.addRow("", self.file_label)
        form.addRow(self.quick)
        form.addRow(levers_box)
        form.addRow(run_row)
        form.addRow(self.status)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Benchmark results")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.stage = QComboBox()
        self.stage.setAccessibleName("Model stage to attach the results to")
        self.attach_button = QPushButton("Attach to stage")
        self.attach_button.setToolTip(
            "Write the measured speedups into the stage's calibration "
            "(undoable); the rules then use them"
        )
        self.attach_button.setEnabled(False)
        attach_row = QHBoxLayout()
        attach_row.addWidget(QLabel("Model stage"))
        attach_row.addWidget(self.stage, 1)
        attach_row.addWidget(self.attach_button)
        right = QVBoxLayout()
        right.addWidget(self.table, 1)
        right.addLayout(attach_row)

        layout = QHBoxLayout(self)
        layout.addWidget(left, 2)
        layout.addLayout(right, 3)

        self.file_button.clicked.connect(self._choose_file)
        self.builtin.currentIndexChanged.connect(self._use_builtin)
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        self.attach_button.clicked.connect(self.attach)
        doc.changed.connect(lambda _s: self._fill_stages())
        self._fill_stages()

    # ---------------------------------------------------------------- choices

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.fill_models()

    def fill_models(self) -> None:
        """The built-in models (imported on first show: building them needs onnx)."""
        if self._filled or self.run_button is None:
            return
        self._filled = True
        from latency_advisor.bench.refmodels import REFERENCE_MODELS

        self.builtin.blockSignals(True)
        for name, ref in REFERENCE_MODELS.items():
            self.builtin.addItem(f"{name}: {ref.description}", name)
        self.builtin.blockSignals(False)

    def _fill_stages(self) -> None:
        if self.run_button is None:
            return
        current = self.stage.currentText()
        self.stage.clear()
        for s in self.doc.scenario.stages:
            if s.kind == "model":
                self.stage.addItem(s.name)
        if current:
            self.stage.setCurrentText(current)
        self._update_attach()

    def _update_attach(self) -> None:
        self.attach_button.setEnabled(self.report is not None and self.stage.count() > 0)

    def _choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "ONNX model", "", "ONNX models (*.onnx)")
        if name:
            self.load_model_file(Path(name))

    def load_model_file(self, path: Path) -> None:
        """Benchmark this .onnx file next (File > Open or a drop on the window)."""
        if self.run_button is None:
            self.hint.emit("Benchmarks are not available in this build")
            return
        self.model_file = Path(path)
        self.file_label.setText(f"File: {self.model_file}")
        self.status.setText(f"Ready to benchmark {self.model_file.name}.")

    def _use_builtin(self) -> None:
        self.model_file = None
        self.file_label.setText("")

    def model(self) -> str:
        self.fill_models()
        return str(self.model_file) if self.model_file else str(self.builtin.currentData())

    def spec(self):
        """The benchmark the controls describe."""
        from latency_advisor.bench.spec import BenchSpec

        levers = {lever for lever, box in self.levers.items() if box.isChecked()}
        defaults = {lever for lever, _, on in LEVERS if on}
        variants = None
        if not (self.quick.isChecked() and levers == defaults):
            from dataclasses import asdict

            from latency_advisor.bench.machine import _cpuinfo, has_vnni, usable_cores
            from latency_advisor.bench.variants import default_grid

            grid = default_grid(
                usable_cores(), has_vnni(_cpuinfo()[1]), "dynamic_batching" in levers, quick=False
            )
            variants = [asdict(v) for v in grid if v.lever == "baseline" or v.lever in levers]
        return BenchSpec(
            self.model(), quick=self.quick.isChecked(), variants=variants, budget_s=self.budget_s
        )

    # ---------------------------------------------------------------- running

    def run(self) -> None:
        """Start the job; its events arrive through the bridge, the UI stays free."""
        if self.run_button is None or self.job is not None:
            return
        from latency_advisor.bench.job import BenchJob

        spec = self.spec()
        self.report = None
        self.table.setRowCount(0)
        self.progress.setValue(0)
        self.status.setText(f"Starting {Path(spec.model).name}…")
        self.status.setStyleSheet("")
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self._update_attach()
        job = BenchJob(spec)
        self.job = job
        threading.Thread(target=self._read, args=(job,), daemon=True).start()

    def _read(self, job) -> None:
        """Reader thread: forward every event of the child to the UI thread."""
        try:
            for event in job.events():
                self._bridge.event.emit(event)
        except Exception as exc:  # the harness itself failed: say so, keep the app alive
            from latency_advisor.bench.job import Failed

            self._bridge.event.emit(Failed("internal", f"{type(exc).__name__}: {exc}"))

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status.setText("Cancelling…")

    def _on_event(self, event) -> None:
        from latency_advisor.bench.job import Failed, Finished, Progress, VariantDone

        if isinstance(event, Progress):
            self.progress.setValue(round(event.fraction * 100))
            self.status.setText(event.message)
        elif isinstance(event, VariantDone):
            self._add_row(event.result)
        elif isinstance(event, Finished):
            self.report = event.report
            self.table.setRowCount(0)
            for row in event.report.results:
                self._add_row(row)
            self.progress.setValue(100)
            self.status.setText(
                f"Done: {len(event.report.results)} variant(s) measured. "
                "Attach them to a model stage to calibrate the advice."
            )
            self._end(event.report)
        elif isinstance(event, Failed):
            cancelled = event.kind == "cancelled"
            self.status.setText("Cancelled." if cancelled else event.message)
            self.status.setStyleSheet("" if cancelled else "color: #cf222e;")
            if not cancelled:
                self.hint.emit(f"Benchmark failed: {event.message}")
            self._end(None)

    def _add_row(self, r: dict[str, Any]) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        speed = r.get("speedup_vs_baseline")
        cells = (
            r.get("variant"),
            r.get("p50_ms"),
            r.get("p95_ms"),
            r.get("p99_ms"),
            r.get("p99_ci_ms"),
            r.get("throughput_per_s"),
            None if speed is None else f"{speed:.2f}×",
            r.get("max_abs_output_diff"),
        )
        for col, value in enumerate(cells):
            item = QTableWidgetItem(_cell(value))
            if col:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, col, item)

    def _end(self, report) -> None:
        self.job = None
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self._update_attach()
        self.finished.emit(report)

    # ---------------------------------------------------------------- attach

    def attach(self) -> None:
        """Write the measured speedups into the chosen model stage (one undoable edit)."""
        if self.report is None or not self.stage.currentText():
            return
        from latency_advisor.bench.calibration import calibrate_stage
        from latency_advisor.errors import UserError

        name = self.stage.currentText()
        try:
            after = calibrate_stage(self.doc.scenario, name, self.report)
        except UserError as exc:
            self.hint.emit(str(exc))
            return
        self.doc.edit(after, f"Attach benchmark results to '{name}'")
        techniques = ", ".join(sorted(after.stage(name).calibration)) or "none"
        self.status.setText(f"Attached to '{name}': {techniques}.")
