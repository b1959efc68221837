"""The Benchmarks tab: measure a model on this machine and attach the result to a model stage.

The user picks a built-in reference model or an `.onnx` file (button, drop, `open_model`), the
levers to measure and the time per variant, and runs. The benchmark runs in a child process
read by a QThread (`bench_worker`): the window stays responsive, Cancel kills the child at once,
and a model that crashes or is not a model ends with its message in the view. Results show as a
table and a speedup chart, export to CSV or JSON (atomic writes), and "Attach to stage" returns
a new Scenario whose model stage carries the measured speedups, emitted as
`scenario_calibrated(Scenario)` so the main window applies it as one undoable edit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from latency_advisor.bench import BenchReport, BenchSpec, Failed, Finished, Progress, load_report
from latency_advisor.bench.levers import LEVERS, QUICK_LEVERS
from latency_advisor.bench.spec import DEFAULT_BUDGET_S, DEFAULT_CI, QUICK_BUDGET_S, QUICK_CI
from latency_advisor.errors import UserError
from latency_advisor.scenario import Scenario
from latency_advisor.ui.bench_chart import SpeedupChart
from latency_advisor.ui.bench_table import SORT_ROLE, BenchResultsModel
from latency_advisor.ui.bench_worker import BackgroundTask, BenchThread, CurrentRun, start_detached

PRESETS = {
    "quick": (QUICK_LEVERS, QUICK_BUDGET_S, QUICK_CI),
    "full": (frozenset(), DEFAULT_BUDGET_S, DEFAULT_CI),
}
STOP_PERCENTILES = (50.0, 95.0, 99.0)
FILE_ROLE = Qt.ItemDataRole.UserRole


CLI_HINT = (
    "In this view, type the same NAME=... text into Input shapes or Input values "
    "(several separated by spaces)."
)


def assignments(text: str, label: str) -> dict[str, str]:
    """`NAME=VALUE` pairs typed in one field, separated by spaces or semicolons."""
    from latency_advisor.bench.inputs import parse_assignments

    return parse_assignments(text.replace(";", " ").split(), label)


def reference_models() -> list[tuple[str, str]]:
    """(name, description) of the built-in reference models."""
    from latency_advisor.bench.refmodels import REFERENCE_MODELS

    return [(m.name, m.description) for m in REFERENCE_MODELS.values()]


class BenchView(QWidget):
    """Pick, run, read, export and attach on-box ONNX Runtime benchmarks."""

    scenario_calibrated = Signal(object)  # the new Scenario (apply it as one undoable edit)
    run_finished = Signal(object)  # BenchReport, or None when the run failed or was cancelled
    status = Signal(str)  # one line for the status bar

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: BenchReport | None = None
        self.scenario: Scenario | None = None
        self._model_chosen = False  # the user picked a model: never replaced by a suggestion
        self._stage_chosen = False  # the user picked a stage to attach to: kept
        self.bench_thread: BenchThread | None = None
        self._current = CurrentRun()
        self.destroyed.connect(self._current.cancel)
        self.setAcceptDrops(True)
        self._exporter = BackgroundTask(self)
        self._exporter.done.connect(self._on_exported)

        # the model
        self.model_combo = QComboBox()
        self.model_combo.setAccessibleName("Model to benchmark")
        # long descriptions show whole in the list; the closed box may shorten to fit the pane
        self.model_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.model_combo.setMinimumContentsLength(24)
        self.model_combo.activated.connect(lambda _i: setattr(self, "_model_chosen", True))
        for name, description in reference_models():
            self.model_combo.addItem(f"{name} — {description}", name)
        self.open_button = QPushButton("Open .onnx…")
        self.open_button.setToolTip("Benchmark your own ONNX model (or drop the file here)")
        self.open_button.clicked.connect(self._choose_model)
        self.results_button = QPushButton("Open results…")
        self.results_button.setToolTip(
            "Show a results file made with `latency-advisor bench --json` on another machine"
        )
        self.results_button.clicked.connect(self._choose_results)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model_combo, 1)
        model_row.addWidget(self.open_button)
        model_row.addWidget(self.results_button)

        # the levers and the time per variant
        self.preset_combo = QComboBox()
        self.preset_combo.addItem("Quick: INT8, threads, batch (about 2.5 s per variant)", "quick")
        self.preset_combo.addItem("Full grid: every lever (about 6 s per variant)", "full")
        self.preset_combo.setAccessibleName("Benchmark preset")
        self.preset_combo.currentIndexChanged.connect(self._apply_preset)
        self.lever_boxes: dict[str, QCheckBox] = {}
        levers = QGridLayout()
        for i, lever in enumerate(LEVERS):
            box = QCheckBox(lever.label)
            box.setToolTip(lever.tip)
            box.toggled.connect(self._update_buttons)
            self.lever_boxes[lever.key] = box
            levers.addWidget(box, i // 2, i % 2)
        self.budget_spin = QDoubleSpinBox()
        self.budget_spin.setRange(0.2, 120.0)
        self.budget_spin.setSingleStep(0.5)
        self.budget_spin.setSuffix(" s")
        self.budget_spin.setAccessibleName("Time per variant in seconds")
        self.budget_spin.setToolTip(
            "Timing of a variant stops when its p99 confidence interval is narrow enough or "
            "this time is spent"
        )
        self.percentile_combo = QComboBox()
        for pct in STOP_PERCENTILES:
            self.percentile_combo.addItem(f"p{pct:g}", pct)
        self.percentile_combo.setCurrentIndex(len(STOP_PERCENTILES) - 1)
        self.percentile_combo.setAccessibleName("Percentile whose confidence interval stops timing")
        self.ci_spin = QDoubleSpinBox()
        self.ci_spin.setRange(0.1, 50.0)
        self.ci_spin.setDecimals(1)
        self.ci_spin.setPrefix("± ")
        self.ci_spin.setSuffix(" %")
        self.ci_spin.setAccessibleName("Confidence interval half-width that stops timing")
        self.ci_spin.setToolTip(
            "Timing of a variant stops once the 95% confidence interval of the chosen "
            "percentile is this narrow (relative to the estimate), or its time is spent"
        )
        ci_row = QHBoxLayout()
        ci_row.addWidget(QLabel("when the 95% CI of"))
        ci_row.addWidget(self.percentile_combo)
        ci_row.addWidget(QLabel("is within"))
        ci_row.addWidget(self.ci_spin)
        ci_row.addStretch(1)
        time_row = QHBoxLayout()
        time_row.addWidget(QLabel("or after"))
        time_row.addWidget(self.budget_spin)
        time_row.addWidget(QLabel("per variant"))
        time_row.addStretch(1)
        stop_row = QVBoxLayout()  # two short lines: the tab fits a 1024-pixel window
        stop_row.addLayout(ci_row)
        stop_row.addLayout(time_row)
        self.shapes_edit = QLineEdit()
        self.shapes_edit.setPlaceholderText("e.g. input_ids=1,128 attention_mask=1,128")
        self.shapes_edit.setAccessibleName("Input shapes")
        self.shapes_edit.setToolTip(
            "Shapes for inputs with dynamic dimensions, NAME=D0,D1,...; without them, batch 1 "
            "and sizes such models accept"
        )
        self.values_edit = QLineEdit()
        self.values_edit.setPlaceholderText("e.g. sample_rate=16000")
        self.values_edit.setAccessibleName("Input values")
        self.values_edit.setToolTip(
            "Fill an input with a constant, NAME=NUMBER; without it, inputs are synthesized "
            "in a range that suits their type"
        )
        inputs_row = QHBoxLayout()
        inputs_row.addWidget(self.shapes_edit, 1)
        inputs_row.addWidget(QLabel("Input values"))
        inputs_row.addWidget(self.values_edit, 1)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # labels above when narrow
        form.addRow("Input shapes", inputs_row)
        form.addRow("Preset", self.preset_combo)
        form.addRow("Levers (the FP32 baseline always runs)", levers)
        form.addRow("Stop timing", stop_row)
        setup = QGroupBox("What to measure")
        setup_layout = QVBoxLayout(setup)
        setup_layout.addLayout(model_row)
        setup_layout.addLayout(form)

        # run, progress, cancel
        self.run_button = QPushButton("Run")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setAccessibleName("Benchmark progress")
        self.progress_label = QLabel("Ready.")
        self.progress_label.setWordWrap(True)
        self.progress_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        run_row = QHBoxLayout()
        run_row.addWidget(self.run_button)
        run_row.addWidget(self.cancel_button)
        run_row.addWidget(self.progress, 1)
        self.message = QLabel()
        self.message.setObjectName("benchMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setAccessibleName("Benchmark message")
        self.message.hide()

        # results: table and chart
        self.results = BenchResultsModel(self)
        proxy = QSortFilterProxyModel(self)
        proxy.setSourceModel(self.results)
        proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(proxy)
        self.table.setAccessibleName("Benchmark results")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # run order until clicked
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.chart = SpeedupChart()
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.hide()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.chart)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)

        # export and attach
        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.clicked.connect(lambda: self._choose_export("csv"))
        self.json_button = QPushButton("Export JSON…")
        self.json_button.clicked.connect(lambda: self._choose_export("json"))
        self.stage_combo = QComboBox()
        self.stage_combo.setAccessibleName("Model stage to attach the results to")
        self.stage_combo.setToolTip("The scenario's stages of kind 'model'")
        self.stage_combo.setPlaceholderText("choose a stage")
        self.stage_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.stage_combo.setMinimumContentsLength(12)
        self.stage_combo.activated.connect(lambda _i: setattr(self, "_stage_chosen", True))
        self.stage_combo.currentIndexChanged.connect(lambda _i: self._update_buttons())
        self.model_combo.currentIndexChanged.connect(lambda _i: self._on_model_changed())
        self.attach_button = QPushButton("Attach to stage")
        self.attach_button.setToolTip(
            "Write the measured speedups into the stage's calibration (undoable): the advice "
            "then uses them instead of the rule's default ranges"
        )
        self.attach_button.clicked.connect(lambda: self.attach_to_stage())
        exports = QHBoxLayout()
        exports.addWidget(self.csv_button)
        exports.addWidget(self.json_button)
        exports.addStretch(1)
        attach = QHBoxLayout()
        attach.addWidget(QLabel("Stage"))
        attach.addWidget(self.stage_combo, 1)
        attach.addWidget(self.attach_button)
        bottom = QHBoxLayout()  # one row where there is room, the two halves side by side
        bottom.addLayout(exports)
        bottom.addLayout(attach, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(setup)
        layout.addLayout(run_row)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)
        layout.addWidget(self.notes)
        layout.addLayout(bottom)

        self._apply_preset()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # ------------------------------------------------------------------ inputs

    @property
    def running(self) -> bool:
        return self.bench_thread is not None

    @property
    def model_name(self) -> str:
        """What the next run measures: a built-in name or an .onnx path."""
        return str(self.model_combo.currentData())

    def selected_levers(self) -> list[str]:
        return [key for key, box in self.lever_boxes.items() if box.isChecked()]

    def set_levers(self, levers: set[str] | frozenset[str] | list[str]) -> None:
        for key, box in self.lever_boxes.items():
            box.setChecked(key in levers)

    def _apply_preset(self) -> None:
        key = self.preset_combo.currentData()
        levers, budget, ci = PRESETS[key]
        self.set_levers(levers or {lever.key for lever in LEVERS})
        self.budget_spin.setValue(budget)
        self.ci_spin.setValue(ci * 100)

    def open_model(self, path: str | Path) -> bool:
        """Benchmark this .onnx file next (a file dialog's choice or a dropped file)."""
        path = Path(path)
        if path.suffix.lower() != ".onnx":
            self.show_message(f"{path}: not an .onnx file; pick an ONNX model or a built-in one")
            return False
        text = f"{path.name} — {path.parent}"
        index = self.model_combo.findData(str(path))
        if index < 0:
            self.model_combo.addItem(text, str(path))
            index = self.model_combo.count() - 1
            self.model_combo.setItemData(index, str(path), Qt.ItemDataRole.ToolTipRole)
        self._model_chosen = True
        self.model_combo.setCurrentIndex(index)
        self.clear_message()
        self.status.emit(f"Model {path.name} chosen; press Run to measure it")
        return True

    load_model_file = open_model  # the name the main window's placeholder tab used

    def _choose_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open ONNX model", "", "ONNX models (*.onnx)")
        if path:
            self.open_model(path)

    def set_scenario(self, scenario: Scenario | None) -> None:
        """The open scenario: its model stages are where results can be attached."""
        self.scenario = scenario
        if scenario is not None and not self.running:
            # stop timing on the scenario's SLA percentile (the nearest one measured, not lower)
            wanted = float(scenario.sla.percentile)
            pct = next((p for p in STOP_PERCENTILES if p >= wanted), STOP_PERCENTILES[-1])
            self.percentile_combo.setCurrentIndex(STOP_PERCENTILES.index(pct))
        current = self.stage_combo.currentText()
        self.stage_combo.clear()
        if scenario is not None:
            for stage in scenario.stages:
                if stage.kind == "model":
                    self.stage_combo.addItem(stage.name)
        if scenario is not None and not self._model_chosen and not self.running:
            from latency_advisor.bench.refmodels import suggest_reference

            suggested = suggest_reference(scenario.stages)  # like the path's model, if any
            if suggested is not None:
                self.model_combo.setCurrentIndex(self.model_combo.findData(suggested))
        # keep the user's choice; else a model stage of the measured model's family, else
        # none: results of a small MLP are not silently aimed at an LLM stage
        index = self.stage_combo.findText(current) if self._stage_chosen else -1
        self.stage_combo.setCurrentIndex(index if index >= 0 else self._matching_stage())
        self._update_buttons()

    def _matching_stage(self) -> int:
        """The first model stage of the chosen built-in model's family; -1 when none is."""
        from latency_advisor.bench.refmodels import reference_model

        ref = reference_model(self.model_name)
        if ref is None or self.scenario is None:  # an .onnx file: the user says where
            return -1
        names = [self.stage_combo.itemText(i) for i in range(self.stage_combo.count())]
        for i, name in enumerate(names):
            info = self.scenario.stage(name).model
            if info is not None and info.family == ref.family:
                return i
        return -1

    def _on_model_changed(self) -> None:
        if not self._stage_chosen:
            self.stage_combo.setCurrentIndex(self._matching_stage())
        self._update_buttons()

    # ------------------------------------------------------------------ run

    def spec(self) -> BenchSpec:
        """The benchmark the controls describe."""
        return BenchSpec(
            self.model_name,
            shapes=assignments(self.shapes_edit.text(), "Input shapes"),
            values=assignments(self.values_edit.text(), "Input values"),
            quick=self.preset_combo.currentData() == "quick",
            budget_s=self.budget_spin.value(),
            levers=self.selected_levers(),
            percentile=float(self.percentile_combo.currentData()),
            ci=self.ci_spin.value() / 100,
        )

    def run(self) -> None:
        """Start measuring in a child process; returns at once."""
        if self.running:
            return
        try:
            spec = self.spec()
        except UserError as exc:
            self.show_message(str(exc))
            return
        self.clear_message()
        self.report = None
        self.results.set_rows([])
        self.chart.show_rows([])
        self.notes.hide()
        self.progress.setValue(0)
        self.progress_label.setText(f"Starting {Path(spec.model).name}…")
        # the thread is not the view's child: if the view goes away mid-run, the child process
        # is killed (`destroyed` below) and the thread ends on its own, never destroyed running
        thread = BenchThread(spec)
        thread.progress.connect(self._on_progress)
        thread.row.connect(self._on_row)
        thread.ended.connect(self._on_ended)
        self.bench_thread = self._current.thread = thread
        start_detached(thread)
        self._update_buttons()
        self.status.emit(f"Benchmarking {spec.model}…")

    def cancel(self) -> None:
        """Stop the run now; the view is ready again within about 0.1 s."""
        if self.bench_thread is not None:
            self.progress_label.setText("Cancelling…")
            self.cancel_button.setEnabled(False)
            self.bench_thread.cancel()

    def shutdown(self, wait_ms: int = 3000) -> None:
        """Cancel a run and wait for its thread (closing the window, quitting)."""
        thread = self.bench_thread
        if thread is not None:
            thread.cancel()
            thread.wait(wait_ms)
        self._exporter.wait(wait_ms)

    def _on_progress(self, event: Progress) -> None:
        if self.sender() is not self.bench_thread:
            return
        self.progress.setValue(round(event.fraction * 1000))
        self.progress_label.setText(event.message)

    def _on_row(self, row: dict[str, Any], interim: bool) -> None:
        """A variant's row, interim or final: the table and the chart follow it at once (the
        chart repaints in about a millisecond, so it can keep up with every round)."""
        if self.sender() is not self.bench_thread:
            return
        self.results.put_row(row, interim)
        self.chart.show_rows(self.results.rows)

    def _on_ended(self, event: Finished | Failed) -> None:
        if self.sender() is not self.bench_thread:
            return
        self.bench_thread = self._current.thread = None
        if isinstance(event, Finished):
            self.progress.setValue(1000)
            self.show_report(event.report)
            self.status.emit(f"Benchmark of {event.report.model} finished")
            self.run_finished.emit(event.report)
        else:
            self.progress.setValue(0)
            if event.kind == "cancelled":
                self.progress_label.setText("Cancelled.")
                self.status.emit("Benchmark cancelled")
            else:
                self.progress_label.setText("The benchmark failed.")
                hint = (
                    f"\n{CLI_HINT}"
                    if "--shape" in event.message or "--value" in event.message
                    else ""
                )
                self.show_message(event.message + hint)
                self.status.emit("Benchmark failed")
            self.run_finished.emit(None)
        self._update_buttons()

    # ------------------------------------------------------------------ results

    def show_report(self, report: BenchReport) -> None:
        """Show a report (a finished run or a results file)."""
        self.report = report
        rows = report.results
        self.results.set_rows(rows)
        self.chart.show_rows(rows)
        machine = report.data.get("machine", {})
        load = machine.get("load_average")
        lines = [
            f"{report.model} on {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, "
            f"onnxruntime {machine.get('onnxruntime', '?')}"
            + (f", load {load[0]:g}" if load else "")
        ]
        lines += [f"Skipped {s['variant']}: {s['reason']}" for s in report.data.get("skipped", [])]
        lines += [f"Warning: {w}" for w in report.data.get("warnings", [])]
        self.notes.setText("\n".join(lines))
        self.notes.show()
        self.progress_label.setText(f"{len(rows)} variants measured.")
        self._update_buttons()

    def open_results(self, path: str | Path) -> bool:
        """Show a results file written by `latency-advisor bench --json`."""
        try:
            report = load_report(path)
        except UserError as exc:
            self.show_message(str(exc))
            return False
        self.clear_message()
        self.show_report(report)
        return True

    def _choose_results(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open benchmark results", "", "Benchmark results (*.json)"
        )
        if path:
            self.open_results(path)

    def export(self, path: str | Path, kind: str | None = None) -> None:
        """Write the results as CSV or JSON (by `kind` or the suffix), atomically, off the UI
        thread; `status` says when it is done or why not."""
        report = self.report
        if report is None:
            self.show_message("Nothing to export yet: run a benchmark first")
            return
        path = Path(path)
        kind = kind or ("csv" if path.suffix.lower() == ".csv" else "json")
        write = report.write_csv if kind == "csv" else report.write_json
        self._exporter.start(lambda: (write(path), path)[1])

    def _choose_export(self, kind: str) -> None:
        stem = Path(self.report.model).stem if self.report else "bench"
        path, _ = QFileDialog.getSaveFileName(
            self,
            f"Export results as {kind.upper()}",
            f"{stem}-bench.{kind}",
            f"{kind.upper()} files (*.{kind})",
        )
        if path:
            self.export(path, kind)

    def _on_exported(self, path: Any, error: str) -> None:
        if error:
            self.show_message(f"Export failed: {error}")
        else:
            self.status.emit(f"Results written to {path}")
            self.progress_label.setText(f"Results written to {path}")

    # ------------------------------------------------------------------ attach

    def attach_to_stage(self, stage_name: str | None = None) -> Scenario | None:
        """A copy of the scenario whose model stage carries the measured speedups; emitted as
        `scenario_calibrated` (the caller applies it as one undoable edit)."""
        from latency_advisor.bench.calibration import calibrate_stage

        name = stage_name or self.stage_combo.currentText()
        if self.report is None or self.scenario is None or not name:
            self.show_message("Run a benchmark and open a scenario with a model stage first")
            return None
        try:
            updated = calibrate_stage(self.scenario, name, self.report)
        except UserError as exc:
            self.show_message(str(exc))
            return None
        techniques = sorted(set(updated.stage(name).calibration) - self._unchanged(name, updated))
        self.clear_message()
        proxy = (
            f" (measured on the built-in {self.report.model}, a stand-in for the stage's own "
            "model: benchmark the stage's .onnx file for its own numbers)"
            if self.report.data.get("model_family")
            else ""
        )
        self.progress_label.setText(
            f"Attached {', '.join(techniques) or 'nothing new'} to {name!r}{proxy}."
        )
        self.scenario_calibrated.emit(updated)
        return updated

    def _unchanged(self, name: str, updated: Scenario) -> set[str]:
        assert self.scenario is not None
        before = self.scenario.stage(name).calibration
        after = updated.stage(name).calibration
        return {k for k in after if before.get(k) == after[k]}

    # ------------------------------------------------------------------ state

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(
            "QLabel#benchMessage { color: white; background: #b3261e; padding: 6px; "
            "border-radius: 4px; }"
        )
        self.message.show()

    def clear_message(self) -> None:
        self.message.clear()
        self.message.hide()

    def _update_buttons(self) -> None:
        busy = self.running
        for widget in (
            self.model_combo,
            self.open_button,
            self.results_button,
            self.preset_combo,
            self.budget_spin,
            self.ci_spin,
            self.shapes_edit,
            self.values_edit,
            self.percentile_combo,
            *self.lever_boxes.values(),
        ):
            widget.setEnabled(not busy)
        self.run_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        has_report = self.report is not None and not busy
        self.csv_button.setEnabled(has_report)
        self.json_button.setEnabled(has_report)
        self.stage_combo.setEnabled(self.stage_combo.count() > 0)
        self.attach_button.setEnabled(has_report and self.stage_combo.currentIndex() >= 0)

    # ------------------------------------------------------------------ drag and drop

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if (
            not self.running
            and len(urls) == 1
            and urls[0].isLocalFile()
            and Path(urls[0].toLocalFile()).suffix.lower() in (".onnx", ".json")
        ):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = Path(event.mimeData().urls()[0].toLocalFile())
        if path.suffix.lower() == ".json":
            self.open_results(path)
        else:
            self.open_model(path)
        event.acceptProposedAction()
