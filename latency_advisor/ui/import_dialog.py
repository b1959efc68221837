"""File > Import and drag-and-drop of traces: read the file off the UI thread, preview the
proposed stages (names, kinds, parallel groups, percentiles), let the user fix the mapping, then
replace or merge the scenario's stages. Where the file shows a request rate, Replace can also
take its busiest minute as the scenario's peak traffic (opt-in; Merge never changes traffic).

The dialog only turns `latency_advisor.importers` objects into widgets and user actions into
calls of that package; everything it shows comes from the ImportResult, everything it makes
comes from `apply_to_scenario`. A file we cannot read shows the importer's message in place.
"""

from __future__ import annotations

import logging
import threading
import time
from html import escape
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from latency_advisor.errors import UserError
from latency_advisor.importers import (
    ImportCancelled,
    ImporterError,
    ImportMapping,
    ImportResult,
    apply_to_scenario,
    import_file,
    load_mapping,
    save_mapping,
)
from latency_advisor.importers.detect import detect_format
from latency_advisor.importers.result import NAME_LIMIT, with_peak_rps
from latency_advisor.importers.source import read_head
from latency_advisor.importers.traffic import peak_note, rate_text, seconds_text
from latency_advisor.scenario import STAGE_KINDS, Scenario

log = logging.getLogger(__name__)

IMPORT_FILTER = (
    "Traces, metrics and timings (*.json *.jsonl *.ndjson *.gz *.csv *.tsv *.txt *.prom);;"
    "All files (*)"
)
MAPPING_FILTER = "Import mappings (*.yaml *.yml *.json);;All files (*)"
SCENARIO_MARKER = b"latency-advisor/scenario/"
NOT_IMPORTABLE_SUFFIXES = (".yaml", ".yml", ".onnx")
COLUMNS = (
    "Stage",
    "Kind",
    "Why this kind",
    "Parallel group",
    "Count",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "Present in",
)
COL_NAME, COL_KIND, COL_WHY, COL_GROUP, COL_COUNT, COL_P50, COL_P95, COL_P99, COL_PRESENCE = range(
    len(COLUMNS)
)
HEADER_TIPS = {
    COL_NAME: "The stage's name in the scenario (double-click to rename)",
    COL_KIND: "What the stage does; the rules that apply depend on it",
    COL_WHY: "What the kind was guessed from; a saved mapping confirms it",
    COL_GROUP: "Stages sharing a group run concurrently (fan-out); blank for none",
    COL_COUNT: "Measurements of this stage in the file",
    COL_PRESENCE: "Share of traces (requests) in which this stage appears",
}

Mode = Literal["replace", "merge"]


def importable(path: str | Path) -> bool:
    """Whether a dropped file is something to import (a trace, metrics or timings file) rather
    than a scenario or a model: reads at most the first 64 KB, never the whole file."""
    path = Path(path)
    if path.suffix.lower() in NOT_IMPORTABLE_SUFFIXES:
        return False
    try:
        head = read_head(path)
        if SCENARIO_MARKER in head:
            return False
        detect_format(head, path)
    except (ImporterError, OSError):
        return False
    return True


# ------------------------------------------------------------------ worker


class _JobSignals(QObject):
    progress = Signal(int, float)  # generation, share of the file read
    done = Signal(int, object, str, bool)  # generation, ImportResult | None, error, cancelled


class _ImportJob(QRunnable):
    """One `import_file` call on a pool thread; `stop` set by the UI makes the next progress
    callback return False, which ends the import with ImportCancelled."""

    def __init__(self, path: Path, mapping: ImportMapping | None, generation: int):
        super().__init__()
        self.path, self.mapping, self.generation = path, mapping, generation
        self.stop = threading.Event()
        self.ended = threading.Event()  # run() has returned: the worker holds nothing any more
        self.signals = _JobSignals()  # no parent: lives as long as the job, whatever the dialog

    def _progress(self, fraction: float) -> bool:
        self.signals.progress.emit(self.generation, fraction)
        return not self.stop.is_set()

    def run(self) -> None:
        result, error, cancelled = None, "", False
        try:
            result = import_file(self.path, mapping=self.mapping, progress=self._progress)
        except ImportCancelled:
            cancelled = True
        except UserError as exc:
            error = str(exc)
        except Exception as exc:  # a bug of ours: a message in the dialog, the details in the log
            log.exception("import of %s failed", self.path)
            error = f"{self.path}: the import failed unexpectedly ({type(exc).__name__}: {exc})"
        finally:
            self.ended.set()
        self.signals.done.emit(self.generation, result, error, cancelled)


# ------------------------------------------------------------------ dialog


class ImportDialog(QDialog):
    """Preview of an import; after Replace or Merge, `result_scenario()` is the new scenario."""

    loaded = Signal()  # the preview is showing
    failed = Signal(str)  # the importer's message is showing
    cancelled = Signal()  # a running import stopped because the user cancelled

    def __init__(self, path: str | Path, current_scenario: Scenario, parent: QWidget | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self.scenario = current_scenario
        self.mapping: ImportMapping | None = None
        self.import_result: ImportResult | None = None
        self.mode: Mode | None = None
        self._result_scenario: Scenario | None = None
        self._job: _ImportJob | None = None  # the import whose answer the preview awaits
        self._started: list[_ImportJob] = []
        self._closed = False
        self._generation = 0
        self.setObjectName("importDialog")
        self.setWindowTitle(f"Import stages from {self.path.name}")
        self.resize(1120, 600)
        self._build()
        self._set_page(0)
        self.progress_label.setText(f"Reading {self.path.name}…")

    def showEvent(self, event) -> None:
        """Start reading once the dialog is on screen: a busy worker thread competes with the
        UI for Python's GIL, so the dialog paints first and then the import begins."""
        super().showEvent(event)
        if self._generation == 0:
            QTimer.singleShot(0, self._start_import)

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        self.pages = QStackedWidget()
        self.pages.addWidget(self._loading_page())
        self.pages.addWidget(self._preview_page())
        self.pages.addWidget(self._error_page())

        buttons = QDialogButtonBox()
        self.replace_button = self._button(
            buttons,
            "&Replace stages",
            "The scenario's stages become these (a same-named stage keeps its model details "
            "and facts)",
            lambda: self.finish("replace"),
        )
        self.merge_button = self._button(
            buttons,
            "&Merge into stages",
            "Same-named stages get the measured numbers and keep the rest; new stages are "
            "appended; the others stay as they are",
            lambda: self.finish("merge"),
        )
        self.save_mapping_button = self._button(
            buttons,
            "&Save mapping…",
            "Save the names, kinds and groups as shown, for the next file of this service",
            self._ask_save_mapping,
        )
        self.load_mapping_button = self._button(
            buttons,
            "&Load mapping…",
            "Read the file again with a saved mapping",
            self._ask_load_mapping,
        )
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setToolTip("Stop and leave the scenario as it is")
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(buttons)

    @staticmethod
    def _button(box: QDialogButtonBox, text: str, tip: str, slot) -> QPushButton:
        button = box.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        button.setToolTip(tip)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    def _loading_page(self) -> QWidget:
        page = QWidget()
        self.progress_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(0)
        self.progress_bar.setAccessibleName("Import progress")
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress_bar)
        layout.addStretch(1)
        return page

    def _preview_page(self) -> QWidget:
        page = QWidget()
        self.summary_label = QLabel()
        self.summary_label.setObjectName("importSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("importStages")
        self.table.setAccessibleName("Proposed stages")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        for column, tip in HEADER_TIPS.items():
            self.table.horizontalHeaderItem(column).setToolTip(tip)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_WHY, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(lambda _item: self._update_hint())
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.traffic_row = self._traffic_row()
        self.hint_label = QLabel()
        self.hint_label.setObjectName("importHint")
        self.hint_label.setTextFormat(Qt.TextFormat.RichText)
        self.message_label = QLabel()
        self.message_label.setObjectName("importMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setStyleSheet("color: #c0392b;")
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warnings_label = QLabel()
        self.warnings = QListWidget()
        self.warnings.setObjectName("importWarnings")
        self.warnings.setAccessibleName("Import warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setMaximumHeight(110)
        layout = QVBoxLayout(page)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.traffic_row)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.message_label)
        layout.addWidget(self.warnings_label)
        layout.addWidget(self.warnings)
        return page

    def _traffic_row(self) -> QWidget:
        """Opt-in: the observed peak as the scenario's traffic, scaled by the share of
        requests the traces hold (sampling)."""
        row = QWidget()
        self.traffic_check = QCheckBox()
        self.traffic_check.setObjectName("useObservedPeak")
        self.traffic_check.setToolTip(
            "With Replace, set the scenario's peak traffic to the request rate of the file's "
            "busiest minute. Merge leaves the traffic as it is."
        )
        self.traffic_check.toggled.connect(lambda _on: self._update_hint())
        self.sampling_spin = QDoubleSpinBox()
        self.sampling_spin.setObjectName("samplingPercent")
        self.sampling_spin.setAccessibleName("Share of requests traced")
        self.sampling_spin.setRange(0.01, 100.0)
        self.sampling_spin.setDecimals(2)
        self.sampling_spin.setValue(100.0)
        self.sampling_spin.setSuffix(" %")
        self.sampling_spin.setToolTip(
            "The share of requests the file holds (the tracer's sampling rate). Traces are "
            "often sampled: the observed rate is then a lower bound, divided by this share."
        )
        self.sampling_spin.valueChanged.connect(lambda _v: self._update_traffic_text())
        sampling = QLabel("Share of requests traced (sampling):")
        sampling.setBuddy(self.sampling_spin)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.traffic_check)
        layout.addSpacing(12)
        layout.addWidget(sampling)
        layout.addWidget(self.sampling_spin)
        layout.addStretch(1)
        return row

    def observed_peak_rps(self) -> float | None:
        """The peak traffic Replace would set (the sampling share applied), or None where the
        file shows no request rate."""
        traffic = self.import_result.observed_traffic if self.import_result else None
        if traffic is None:
            return None
        return traffic.peak_rps(self.sampling_spin.value() / 100.0)

    def _update_traffic_text(self) -> None:
        peak = self.observed_peak_rps()
        if peak is not None:
            self.traffic_check.setText(
                f"Use observed peak ({rate_text(peak)} req/s) as peak traffic"
            )
        self._update_hint()

    def _error_page(self) -> QWidget:
        page = QWidget()
        title = QLabel("This file cannot be imported")
        font = QFont(title.font())
        font.setBold(True)
        title.setFont(font)
        self.error_label = QLabel()
        self.error_label.setObjectName("importError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(page)
        layout.addWidget(title)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        return page

    def _set_page(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        previewing = index == 1
        for button in (self.replace_button, self.merge_button, self.save_mapping_button):
            button.setEnabled(previewing)
        self.load_mapping_button.setEnabled(index != 0)
        self.cancel_button.setText("Cancel" if index != 2 else "Close")

    # ------------------------------------------------------------------ import

    @property
    def started(self) -> bool:
        """Whether the import has begun (it begins once the dialog is on screen)."""
        return self._generation > 0

    @property
    def running(self) -> bool:
        """Whether an import is still running on the worker thread."""
        self._started = [job for job in self._started if not job.ended.is_set()]
        return bool(self._started)

    def _start_import(self) -> None:
        if self._closed:
            return  # cancelled before the import began
        if self._job is not None:
            self._job.stop.set()
        self._generation += 1
        job = _ImportJob(self.path, self.mapping, self._generation)
        job.signals.progress.connect(self._on_progress)
        job.signals.done.connect(self._on_done)
        self._job = job
        self._started.append(job)
        self.progress_bar.setValue(0)
        self.progress_label.setText(f"Reading {self.path.name}…")
        self._set_page(0)
        # the shared pool, not one owned by the dialog: deleting the dialog never waits on a
        # worker (which may need the GIL the deleting thread holds); a cancelled job ends alone
        QThreadPool.globalInstance().start(job)

    @Slot(int, float)
    def _on_progress(self, generation: int, fraction: float) -> None:
        if generation == self._generation:
            self.progress_bar.setValue(round(fraction * 1000))

    @Slot(int, object, str, bool)
    def _on_done(self, generation: int, result: ImportResult | None, error: str, stopped: bool):
        if generation != self._generation:
            return  # an import replaced by a newer one (Load mapping)
        self._job = None
        if stopped:
            self.cancelled.emit()
        elif result is None:
            self.error_label.setText(error)
            self._set_page(2)
            self.failed.emit(error)
        else:
            self._show(result)
            self.loaded.emit()

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until this dialog's imports have ended (tests, shutdown); False on timeout."""
        deadline = time.monotonic() + msecs / 1000
        return all(job.ended.wait(max(deadline - time.monotonic(), 0)) for job in self._started)

    def done(self, result: int) -> None:
        """Replace, Merge, Cancel or Esc: a running import is told to stop at its next progress
        check (they are 0.1 s apart)."""
        self._closed = True
        if self._job is not None:
            self._job.stop.set()
        super().done(result)

    # ------------------------------------------------------------------ preview

    def _show(self, result: ImportResult) -> None:
        self.import_result = result
        self.message_label.clear()
        facts = [f"<b>Format:</b> {result.format}"]
        if result.traces:
            facts.append(f"{result.traces:,} traces")
        if result.spans:
            facts.append(f"{result.spans:,} spans")
        facts.append(f"{len(result.stages)} stages")
        if result.end_to_end_ms:
            e2e = ", ".join(f"p{p:g} {_ms(v)} ms" for p, v in sorted(result.end_to_end_ms.items()))
            facts.append(f"end to end {e2e}")
        seen = result.observed_traffic
        if seen is not None:
            facts.append(
                f"observed {rate_text(seen.busiest_rps)} req/s in the busiest "
                f"{seconds_text(seen.window_s)} (mean {rate_text(seen.mean_rps)} req/s; a lower "
                "bound if sampled)"
            )
        if self.mapping is not None:
            facts.append("with the loaded mapping")
        self.summary_label.setText(" · ".join(facts))
        tip = str(self.path)
        if seen is not None:
            tip += f"\nObserved traffic: {seen.describe()}"
        self.summary_label.setToolTip(tip)
        self.traffic_row.setVisible(seen is not None)
        self.traffic_check.setChecked(False)  # opt-in, also after a reload with a mapping
        self._update_traffic_text()
        self._fill_table(result)
        self.table.resizeRowsToContents()
        self.warnings.clear()
        self.warnings.addItems(result.warnings)
        self.warnings_label.setText(
            f"Warnings ({len(result.warnings)})" if result.warnings else "No warnings"
        )
        self.warnings.setVisible(bool(result.warnings))
        self._set_page(1)
        self._update_hint()

    def _fill_table(self, result: ImportResult) -> None:
        self.table.blockSignals(True)
        self.table.clearContents()
        self.table.setRowCount(len(result.stages))
        for row, stage in enumerate(result.stages):
            origin = ", ".join(stage.span_names[:5]) or stage.imported_name
            name = QTableWidgetItem(stage.name)
            name.setToolTip(f"Imported as “{stage.imported_name}” from: {origin}")
            self.table.setItem(row, COL_NAME, name)

            combo = QComboBox()
            combo.addItems(list(STAGE_KINDS))
            combo.setCurrentText(stage.kind)
            why = stage.kind_reason if stage.kind_confirmed else f"guessed ({stage.kind_reason})"
            combo.setToolTip(f"{stage.kind_label}: {why}")
            combo.setAccessibleName(f"Kind of {stage.name}")
            combo.currentTextChanged.connect(lambda _t: self._update_hint())
            self.table.setCellWidget(row, COL_KIND, combo)

            reason = _fixed(f"{stage.kind_label}: {stage.kind_reason}")
            reason.setToolTip(f"{stage.kind_label}: {why}")
            if not stage.kind_confirmed:
                font = reason.font()
                font.setItalic(True)
                reason.setFont(font)
            self.table.setItem(row, COL_WHY, reason)
            self.table.setItem(row, COL_GROUP, QTableWidgetItem(stage.parallel_group or ""))
            count = _number(f"{stage.count:,}" if stage.count else "—")
            if not stage.count:
                count.setToolTip("the file gives percentiles only, not how many measurements")
            self.table.setItem(row, COL_COUNT, count)
            for column, pct, value in (
                (COL_P50, 50.0, stage.p50_ms),
                (COL_P95, 95.0, stage.p95_ms),
                (COL_P99, 99.0, stage.p99_ms),
            ):
                cell = _number(_ms(value))
                bounds = stage.bounds_ms.get(pct)
                if bounds is not None and bounds[0] != bounds[1]:
                    cell.setToolTip(f"within [{bounds[0]:.4g}, {bounds[1]:.4g}] ms (bucket)")
                elif value is None:
                    cell.setToolTip("too few samples for this percentile")
                self.table.setItem(row, column, cell)
            presence = _number(f"{stage.presence:.0%}" if result.traces else "—")
            if not result.traces:
                presence.setToolTip("the file does not say how many requests there were")
            self.table.setItem(row, COL_PRESENCE, presence)
        self.table.blockSignals(False)

    def _update_hint(self) -> None:
        if self.import_result is None or self.pages.currentIndex() != 1:
            return
        names = [self._text(row, COL_NAME) for row in range(self.table.rowCount())]
        existing = {stage.name for stage in self.scenario.stages}
        same = sum(1 for name in names if name in existing)
        peak = self.observed_peak_rps() if self.traffic_check.isChecked() else None
        traffic = merge_traffic = ""
        if peak is not None:
            now = rate_text(self.scenario.traffic.peak_rps)
            traffic = f"; its peak traffic becomes {rate_text(peak)} req/s (it is {now} now)"
            merge_traffic = " The traffic stays as it is."
        self.hint_label.setText(
            f"<b>Replace:</b> “{escape(self.scenario.name)}” keeps only these {len(names)} "
            f"stages (it has {len(existing)} now){traffic}.<br><b>Merge:</b> {same} same-named "
            f"stage(s) get the measured numbers, {len(names) - same} new stage(s) are appended, "
            f"the others stay.{merge_traffic}"
        )

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().strip() if item is not None else ""

    def kind_combo(self, row: int) -> QComboBox:
        """The kind chooser of a row (the main window's tests and keyboard users reach it)."""
        widget = self.table.cellWidget(row, COL_KIND)
        assert isinstance(widget, QComboBox)
        return widget

    def _apply_edits(self) -> ImportResult:
        """Write the table's names, kinds and groups into the result's stages, or raise
        ImporterError saying which row is wrong."""
        result = self.import_result
        assert result is not None
        seen: dict[str, int] = {}
        for row, stage in enumerate(result.stages):
            name = " ".join(self._text(row, COL_NAME).split())
            if not name or len(name) > NAME_LIMIT:
                raise ImporterError(
                    self.path,
                    f"row {row + 1}: a stage needs a name of 1 to {NAME_LIMIT} characters",
                )
            if name in seen:
                raise ImporterError(
                    self.path,
                    f"rows {seen[name] + 1} and {row + 1} are both named “{name}”; stage names "
                    "must be unique",
                )
            seen[name] = row
            kind = self.kind_combo(row).currentText()
            stage.kind_confirmed = stage.kind_confirmed or kind != stage.kind
            stage.name, stage.kind = name, kind
            stage.parallel_group = self._text(row, COL_GROUP)[:NAME_LIMIT] or None
        return result

    # ------------------------------------------------------------------ actions

    def finish(self, mode: Mode) -> bool:
        """Replace or merge the stages (Replace also sets the peak traffic when the observed
        one is ticked); on success the dialog is accepted."""
        try:
            result = self._apply_edits()
            scenario = apply_to_scenario(result, self.scenario, mode=mode)
            peak = self.observed_peak_rps() if self.traffic_check.isChecked() else None
            if mode == "replace" and peak is not None and result.observed_traffic is not None:
                share = self.sampling_spin.value() / 100.0
                note = peak_note(result.observed_traffic, self.path.name, share)
                scenario = with_peak_rps(scenario, peak, note)
        except UserError as exc:
            self.message_label.setText(str(exc))
            return False
        self.mode, self._result_scenario = mode, scenario
        self.accept()
        return True

    def result_scenario(self) -> Scenario | None:
        """The scenario with the imported stages, after Replace or Merge; None otherwise."""
        return self._result_scenario

    def save_mapping_to(self, path: str | Path) -> bool:
        """Save the mapping as shown (with the user's names, kinds and groups)."""
        try:
            save_mapping(self._apply_edits().confirmed_mapping(), path)
        except (UserError, OSError) as exc:
            self.message_label.setText(f"Mapping not saved: {exc}")
            return False
        self.message_label.setText("")
        self.hint_label.setText(f"Mapping saved to {escape(str(path))}")
        return True

    def load_mapping_from(self, path: str | Path) -> bool:
        """Read the file again with a saved mapping; a bad mapping file leaves the preview."""
        try:
            self.mapping = load_mapping(path)
        except UserError as exc:
            self.message_label.setText(str(exc))
            if self.pages.currentIndex() == 2:
                self.error_label.setText(f"{self.error_label.text()}\n\n{exc}")
            return False
        self.import_result = None
        self._start_import()
        return True

    def _ask_save_mapping(self) -> None:
        start = str(self.path.with_name(f"{self.path.name.split('.')[0]}.mapping.yaml"))
        name, _ = QFileDialog.getSaveFileName(self, "Save mapping", start, MAPPING_FILTER)
        if name:
            self.save_mapping_to(name)

    def _ask_load_mapping(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Load mapping", str(self.path.parent), MAPPING_FILTER
        )
        if name:
            self.load_mapping_from(name)


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 10:
        return f"{value:.2f}"
    if value < 1000:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def _fixed(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item


def _number(text: str) -> QTableWidgetItem:
    item = _fixed(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item
