"""The main window: menus, files, title, settings, autosave and recovery, drag and drop.

It is built from light modules only, painted, and then fills itself with the workspace (which
needs the core, numpy and pydantic), so the window appears about as fast as a bare Qt window.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QUndoGroup
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
)

from latency_advisor import paths
from latency_advisor.ui import settings as app_settings
from latency_advisor.ui import theme

if TYPE_CHECKING:
    from latency_advisor.ui.autosave import Autosaver
    from latency_advisor.ui.workspace import Workspace

APP_NAME = "Latency Advisor"
SCENARIO_FILTER = "Scenarios (*.yaml *.yml *.json);;All files (*)"
SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")


class MainWindow(QMainWindow):
    """One window, one scenario."""

    ready = Signal()  # the workspace is built and the first scenario is open
    exported = Signal(object)  # the PDF path, once written

    def __init__(
        self, settings: QSettings | None = None, autosave_dir: Path | None = None, parent=None
    ):
        super().__init__(parent)
        self.settings = settings or app_settings.default_settings()
        self.autosave_dir = autosave_dir or app_settings.default_autosave_dir()
        self.workspace: Workspace | None = None
        self._pending_start: tuple[Path | None, bool] | None = None
        self.autosaver: Autosaver | None = None
        self.undo_group = QUndoGroup(self)
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.setAcceptDrops(True)
        self.resize(1320, 840)
        self.loading = QLabel("Opening…")
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setCentralWidget(self.loading)
        self.analysis_label = QLabel("")
        self.statusBar().addPermanentWidget(self.analysis_label)
        self._build_actions()
        self._build_menus()
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    # ------------------------------------------------------------------ actions

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        keys = QKeySequence.StandardKey
        self.new_action = self._action("&New", self.new_file, keys.New, "Start a new scenario")
        self.open_action = self._action(
            "&Open…", self.open_dialog, keys.Open, "Open a scenario file or an ONNX model"
        )
        self.save_action = self._action("&Save", self.save, keys.Save, "Save the scenario")
        self.save_as_action = self._action(
            "Save &As…", self.save_as, keys.SaveAs, "Save the scenario to another file"
        )
        self.export_action = self._action(
            "&Export PDF…", self.export_pdf, "Ctrl+E", "Export the analysis as a PDF report"
        )
        self.import_action = self._action(
            "&Import…",
            self.import_dialog,
            "Ctrl+I",
            "Import stage timings from traces, metrics or a CSV file",
        )
        self.quit_action = self._action("&Quit", self.close, keys.Quit, "Quit the app")
        self.undo_action = self.undo_group.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence(keys.Undo))
        self.redo_action = self.undo_group.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence(keys.Redo))
        self.workspace_actions = [self.save_action, self.save_as_action, self.import_action]
        for action in self.workspace_actions:
            action.setEnabled(False)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        file.addActions([self.new_action, self.open_action])
        self.recent_menu = file.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._fill_recent()
        examples = file.addMenu("Open E&xample")
        for path in sorted(paths.examples_dir().glob("*.yaml")):
            title = path.stem.replace("_", " ").capitalize()
            examples.addAction(title, lambda p=path: self.open_path(p))
        file.addSeparator()
        file.addAction(self.import_action)
        file.addSeparator()
        file.addActions([self.save_action, self.save_as_action, self.export_action])
        file.addSeparator()
        file.addAction(self.quit_action)

        edit = bar.addMenu("&Edit")
        edit.addActions([self.undo_action, self.redo_action])

        view = bar.addMenu("&View")
        themes = view.addMenu("&Theme")
        group = QActionGroup(self)
        chosen = str(self.settings.value("theme", "system"))
        self.theme_actions: dict[str, QAction] = {}
        for name in theme.CHOICES:
            action = QAction(
                name.capitalize() if name != "system" else "Follow the system", self, checkable=True
            )
            action.setChecked(name == chosen)
            action.triggered.connect(lambda _c=False, n=name: self.set_theme(n))
            group.addAction(action)
            themes.addAction(action)
            self.theme_actions[name] = action
        self.tab_menu = view.addMenu("&Go to")

        help_menu = bar.addMenu("&Help")
        help_menu.addAction("&About Latency Advisor", self.about)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = app_settings.recent_files(self.settings)
        for i, name in enumerate(files, 1):
            self.recent_menu.addAction(
                f"&{i} {Path(name).name}", lambda n=name: self.open_path(Path(n))
            )
        if not files:
            self.recent_menu.addAction("No recent files").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear the list", self._clear_recent)

    def _clear_recent(self) -> None:
        self.settings.setValue("recentFiles", [])

    # ------------------------------------------------------------------ start-up

    def start(self, path: Path | None, *, offer_recovery: bool = True) -> None:
        """Fill the window right after its first paint, so the user sees it at once."""
        self._pending_start = (path, offer_recovery)
        if self.isVisible():
            self.update()
        QTimer.singleShot(1000, self._start_now)  # in case no paint arrives (minimised)

    def _start_now(self) -> None:
        if self._pending_start is not None:
            path, recovery = self._pending_start
            self._pending_start = None
            self.build_workspace(path, offer_recovery=recovery)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.Paint and self._pending_start is not None:
            QTimer.singleShot(0, self._start_now)
        return handled

    def build_workspace(self, path: Path | None, *, offer_recovery: bool = True) -> None:
        """Build the workspace now, opening `path` (or a blank scenario when it cannot)."""
        if self.workspace is not None:
            return
        from latency_advisor.errors import UserError
        from latency_advisor.scenario import load_scenario
        from latency_advisor.ui.autosave import Autosaver
        from latency_advisor.ui.workspace import TAB_KEYS, Workspace

        error = None
        scenario = None
        if path is not None:
            try:
                scenario = load_scenario(path)
            except UserError as exc:
                error, path = str(exc), None
        if scenario is None:
            scenario = blank_scenario()
        ws = Workspace(scenario, path, self)
        self.workspace = ws
        self.setCentralWidget(ws)
        self.undo_group.addStack(ws.doc.undo_stack)
        self.undo_group.setActiveStack(ws.doc.undo_stack)
        ws.doc.undo_stack.cleanChanged.connect(self._update_title)
        ws.doc.path_changed.connect(lambda _p: self._update_title())
        ws.doc.changed.connect(lambda _s: self._update_title())
        ws.hint.connect(self.show_hint)
        ws.status.connect(self.analysis_label.setText)
        self.autosaver = Autosaver(ws.doc, self.autosave_dir, parent=self)
        for action in self.workspace_actions:
            action.setEnabled(True)
        for i, key in enumerate(TAB_KEYS[: ws.tabs.count()]):
            label = ws.tabs.tabText(i).replace("&", "")
            self.tab_menu.addAction(label, lambda k=key: ws.show_tab(k)).setShortcut(
                QKeySequence(f"Ctrl+{i + 1}")
            )
        state = self.settings.value("splitter")
        if state is not None:
            ws.splitter.restoreState(state)
        else:
            ws.fit_splitter(self.width())
        tab = self.settings.value("tab")
        if tab is not None:
            ws.tabs.setCurrentIndex(int(tab))
        if path is not None:
            app_settings.add_recent(self.settings, path)
        self._update_title()
        if error:
            self.show_error("Cannot open the scenario", error)
        elif offer_recovery:
            self.offer_recovery()
        self.ready.emit()

    # ------------------------------------------------------------------ title

    def _update_title(self) -> None:
        if self.workspace is None:
            return
        doc = self.workspace.doc
        name = doc.path.name if doc.path else "Untitled"
        self.setWindowTitle(f"{name}[*] — {doc.scenario.name} — {APP_NAME}")
        self.setWindowModified(doc.modified)

    # ------------------------------------------------------------------ files

    def new_file(self) -> None:
        if self.workspace is None or not self.maybe_save():
            return
        self.workspace.doc.replace(blank_scenario(), None)
        self.statusBar().showMessage("New scenario", 4000)

    def open_dialog(self) -> None:
        start = str(self.settings.value("lastDir", str(paths.examples_dir())))
        name, _ = QFileDialog.getOpenFileName(
            self, "Open", start, SCENARIO_FILTER.replace("*.json)", "*.json *.onnx)")
        )
        if name:
            self.open_path(Path(name))

    def open_path(self, path: Path) -> bool:
        """Open a scenario (or hand an .onnx model to the benchmarks tab); keep the current work
        if the file is refused."""
        if self.workspace is None:
            return False
        path = Path(path)
        if path.suffix.lower() == ".onnx":
            self.workspace.show_tab("benchmarks")
            self.workspace.bench.load_model_file(path)
            return True
        from latency_advisor.errors import UserError
        from latency_advisor.scenario import load_scenario

        try:  # a broken file is refused before anything else happens to the current work
            scenario = load_scenario(path)
        except UserError as exc:
            self.show_error("Cannot open the scenario", str(exc))
            return False
        if not self.maybe_save():
            return False
        self.workspace.doc.replace(scenario, path)
        if self.autosaver is not None:
            self.autosaver.remove()
        self.settings.setValue("lastDir", str(path.parent))
        app_settings.add_recent(self.settings, path)
        self.statusBar().showMessage(f"Opened {path}", 4000)
        return True

    def import_dialog(self) -> None:
        from latency_advisor.ui.import_dialog import IMPORT_FILTER

        start = str(self.settings.value("lastImportDir", str(Path.home())))
        name, _ = QFileDialog.getOpenFileName(self, "Import stages", start, IMPORT_FILTER)
        if name:
            self.settings.setValue("lastImportDir", str(Path(name).parent))
            self.import_path(Path(name))

    def import_path(self, path: Path) -> None:
        """Preview an import of `path`; Replace or Merge becomes one undoable edit."""
        from latency_advisor.ui.import_dialog import ImportDialog

        if self.workspace is None:
            return
        doc = self.workspace.doc
        dialog = ImportDialog(path, doc.scenario, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def imported() -> None:
            doc.edit(dialog.result_scenario(), f"Import stages from {path.name}")
            self.statusBar().showMessage(f"Stages imported from {path.name} ({dialog.mode})", 6000)

        dialog.accepted.connect(imported)
        dialog.open()

    def save(self) -> bool:
        if self.workspace is None:
            return False
        if self.workspace.doc.path is None:
            return self.save_as()
        return self._save_to(self.workspace.doc.path)

    def save_as(self, path: Path | None = None) -> bool:
        if self.workspace is None:
            return False
        if path is None:
            doc = self.workspace.doc
            start = str(
                doc.path or Path(str(self.settings.value("lastDir", Path.home()))) / "scenario.yaml"
            )
            name, _ = QFileDialog.getSaveFileName(self, "Save As", start, SCENARIO_FILTER)
            if not name:
                return False
            path = Path(name)
        return self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        from latency_advisor.errors import UserError

        assert self.workspace is not None
        try:
            saved = self.workspace.doc.save(path)
        except UserError as exc:
            self.show_error("Not saved", str(exc))
            return False
        except OSError as exc:
            self.show_error("Not saved", f"{path}: {exc.strerror or exc}")
            return False
        app_settings.add_recent(self.settings, saved)
        self.settings.setValue("lastDir", str(saved.parent))
        self.statusBar().showMessage(f"Saved {saved}", 4000)
        return True

    def export_pdf(self, path: Path | None = None) -> None:
        """Write the stakeholder PDF of the current analysis, off the UI thread."""
        ws = self.workspace
        if ws is None or ws.analysis is None:
            return
        if path is None:
            doc = ws.doc
            stem = doc.path.with_suffix(".pdf") if doc.path else Path.home() / "report.pdf"
            name, _ = QFileDialog.getSaveFileName(self, "Export PDF", str(stem), "PDF (*.pdf)")
            if not name:
                return
            path = Path(name)
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")
        from latency_advisor.ui.background import BackgroundRunner

        def write(job):
            from latency_advisor.report.document import write_report

            scenario, analysis, out, source = job
            write_report(scenario, analysis, out, source=source)
            return out

        self.exporter = BackgroundRunner(write, self)
        self.exporter.ready.connect(
            lambda out: self.statusBar().showMessage(f"Exported {out}", 8000)
        )
        self.exporter.ready.connect(self.exported)
        self.exporter.failed.connect(lambda msg: self.show_error("PDF not written", msg))
        self.export_action.setEnabled(False)
        self.exporter.busy_changed.connect(lambda busy: self.export_action.setEnabled(not busy))
        self.statusBar().showMessage(f"Exporting {path.name}…")
        self.exporter.request((ws.doc.scenario, ws.analysis, path, ws.doc.path))

    def maybe_save(self) -> bool:
        """Ask before unsaved work is lost: Save, Discard or Cancel. False means stop."""
        if self.workspace is None or not self.workspace.doc.modified:
            return True
        name = self.workspace.doc.path.name if self.workspace.doc.path else "Untitled"
        buttons = (
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        answer = QMessageBox.question(
            self,
            APP_NAME,
            f"“{name}” has unsaved changes. Save them?",
            buttons,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    # ------------------------------------------------------------------ recovery

    def offer_recovery(self) -> bool:
        """Offer the newest autosave left by a session that ended without saving."""
        from latency_advisor.errors import UserError
        from latency_advisor.scenario import load_scenario
        from latency_advisor.ui.autosave import find_recoverable

        if self.workspace is None:
            return False
        found = find_recoverable(self.autosave_dir)
        if not found:
            return False
        item = found[0]
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(item.saved_at))
        origin = str(item.original) if item.original else "an unsaved scenario"
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Recover unsaved work",
            f"Latency Advisor did not close cleanly. Recover the unsaved changes "
            f"to “{item.name}” ({origin}) from {when}?",
            parent=self,
        )
        recover = box.addButton("Recover", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(recover)
        box.exec()
        if box.clickedButton() is not recover:
            item.discard()
            return False
        try:
            scenario = load_scenario(item.data)
        except UserError as exc:
            self.show_error("Cannot recover", str(exc))
            return False
        from latency_advisor.ui.document import DiskStamp

        opened = DiskStamp(item.opened_sha256) if item.opened_sha256 else None
        self.workspace.doc.replace(scenario, item.original, modified=True, opened=opened)
        item.discard()
        if self.autosaver is not None:
            self.autosaver.save_now()
        self.statusBar().showMessage("Recovered unsaved changes; save them to keep them", 8000)
        return True

    # ------------------------------------------------------------------ misc

    def show_error(self, title: str, text: str) -> None:
        """A window-modal message that does not block the event loop."""
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self
        )
        box.setObjectName("errorMessage")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.statusBar().showMessage(text, 10000)

    def show_hint(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def set_theme(self, name: str) -> None:
        theme.apply(name)
        self.settings.setValue("theme", name)
        if self.workspace is not None and self.workspace.analysis is not None:
            for view in self.workspace.views:
                view.set_analysis(self.workspace.analysis)

    def about(self) -> None:
        from latency_advisor import __version__

        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<b>{APP_NAME}</b> {__version__}<p>Where the time of an ML-backed "
            "request goes, and what to fix first.</p>",
        )

    # ------------------------------------------------------------------ events

    def dragEnterEvent(self, event) -> None:
        from latency_advisor.ui.import_dialog import importable

        if any(
            Path(u.toLocalFile()).suffix.lower() in (*SCENARIO_SUFFIXES, ".onnx")
            or importable(u.toLocalFile())
            for u in event.mimeData().urls()
            if u.isLocalFile()
        ):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        from latency_advisor.ui.import_dialog import importable

        for url in event.mimeData().urls():
            if url.isLocalFile():
                path = Path(url.toLocalFile())
                if importable(path):
                    self.import_path(path)  # a trace, metrics or timings file
                else:
                    self.open_path(path)  # a scenario or an .onnx model
                event.acceptProposedAction()
                return

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.settings.setValue("geometry", self.saveGeometry())
        if self.workspace is not None:
            self.workspace.bench.shutdown()  # a running benchmark's child process ends with us
            self.settings.setValue("splitter", self.workspace.splitter.saveState())
            self.settings.setValue("tab", self.workspace.tabs.currentIndex())
            self.workspace.runner.wait(5000)
        if self.autosaver is not None:
            self.autosaver.remove()
        self.settings.sync()
        event.accept()


def blank_scenario():
    """What File > New starts from: one model stage and a typical interactive SLA."""
    from latency_advisor.scenario import validate_scenario

    return validate_scenario(
        {
            "format": "latency-advisor/scenario/v1",
            "name": "Untitled scenario",
            "sla": {"target_ms": 200, "percentile": 95, "workload": "interactive"},
            "traffic": {"peak_rps": 10, "replicas": 1},
            "stages": [
                {"name": "Network", "kind": "network", "p50_ms": 20, "p95_ms": 40},
                {"name": "Model", "kind": "model", "p50_ms": 80, "p95_ms": 120},
            ],
        }
    )
