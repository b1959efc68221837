"""The desktop window driven as a user would: edit, undo, save, reopen, refuse, recover."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox, QToolButton

from latency_advisor.scenario import dump_scenario, load_scenario
from latency_advisor.ui.main_window import MainWindow
from latency_advisor.ui.stage_table import KEYS
from tests.conftest import EXAMPLES
from tests.ui_helpers import answer_next_dialog, copy_example, drop_file, wait_analysis


def make_window(qtbot, tmp_path: Path, path: Path | None, *, recovery: bool = False):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, autosave_dir=tmp_path / "autosave")
    qtbot.addWidget(window, before_close_func=_discard_changes)
    window.show()
    window.build_workspace(path, offer_recovery=recovery)
    qtbot.waitUntil(lambda: window.workspace.analysis is not None, timeout=20_000)
    return window


def _discard_changes(window: MainWindow) -> None:
    """Close a test's window without the unsaved-changes question."""
    if window.workspace is not None:
        window.workspace.doc.undo_stack.setClean()
        window.workspace.runner.wait()
        window.workspace.whatif.runner.wait()


@pytest.fixture
def rag(tmp_path: Path) -> Path:
    return copy_example(tmp_path)


@pytest.fixture
def window(qtbot, tmp_path: Path, rag: Path) -> MainWindow:
    return make_window(qtbot, tmp_path, rag)


def type_into_cell(qtbot, window, row: int, key: str, text: str) -> None:
    """Select a cell, start editing, replace its text and press Enter."""
    view = window.workspace.stages.view
    index = view.model().index(row, KEYS.index(key))
    view.setCurrentIndex(index)
    view.edit(index)
    editor = view.indexWidget(index) or QApplication.focusWidget()
    assert editor is not None and editor is not view
    if isinstance(editor, QComboBox):  # the kind picker
        editor.setCurrentIndex(editor.findText(text))
    else:
        editor.selectAll()
        qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.indexWidget(index) is None)  # the delegate commits queued


def row_of(window, name: str) -> int:
    return [s.name for s in window.workspace.doc.scenario.stages].index(name)


def test_stage_edit_reanalyses_and_undo_restores(qtbot, window) -> None:
    before = window.workspace.analysis
    llm = row_of(window, "LLM inference")
    assert not window.isWindowModified()

    after = wait_analysis(
        qtbot, window, lambda: type_into_cell(qtbot, window, llm, "p50_ms", "400")
    )
    assert window.workspace.doc.scenario.stages[llm].p50_ms == 400
    # the LLM stage dominates: cutting its median cuts the end-to-end median by about 2 s
    assert after.current.p50_ms < before.current.p50_ms - 1500
    assert after.current.at_sla_percentile_ms != before.current.at_sla_percentile_ms
    assert window.isWindowModified()
    assert "[*]" in window.windowTitle()
    # the budget view shows the new figure
    shown = window.workspace.budget.composed.value.text()
    assert shown == f"{after.current.at_sla_percentile_ms:,.0f} ms"

    undone = wait_analysis(qtbot, window, window.undo_action.trigger)
    assert window.workspace.doc.scenario.stages[llm].p50_ms == 2500
    assert undone.current.at_sla_percentile_ms == pytest.approx(before.current.at_sla_percentile_ms)
    assert not window.isWindowModified()
    redone = wait_analysis(qtbot, window, window.redo_action.trigger)
    assert redone.current.at_sla_percentile_ms == pytest.approx(after.current.at_sla_percentile_ms)


def test_nonsense_in_a_cell_is_refused_in_place(qtbot, window) -> None:
    llm = row_of(window, "LLM inference")
    stack = window.workspace.doc.undo_stack
    count = stack.count()
    view = window.workspace.stages.view
    index = view.model().index(llm, KEYS.index("p50_ms"))
    view.setCurrentIndex(index)
    view.edit(index)
    editor = view.indexWidget(index) or QApplication.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "fast")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # refused in place: the editor stays open with the text as typed, and says why
    assert view.indexWidget(index) is editor and editor.text() == "fast"
    assert "expects a number of milliseconds" in window.statusBar().currentMessage()
    assert window.workspace.doc.scenario.stages[llm].p50_ms == 2500
    assert stack.count() == count
    # corrected in the same editor, Enter commits
    editor.selectAll()
    qtbot.keyClicks(editor, "2400")
    wait_analysis(qtbot, window, lambda: qtbot.keyClick(editor, Qt.Key.Key_Return))
    assert window.workspace.doc.scenario.stages[llm].p50_ms == 2400
    assert stack.count() == count + 1

    # a p95 below the p50 is refused with the core's own explanation; Escape gives up
    view.setCurrentIndex(view.model().index(llm, KEYS.index("p95_ms")))
    view.edit(view.currentIndex())
    editor = QApplication.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "10")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert "p95_ms" in window.statusBar().currentMessage()
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: view.indexWidget(view.currentIndex()) is None)
    assert window.workspace.doc.scenario.stages[llm].p95_ms == 3000
    assert stack.count() == count + 1
    assert window.isVisible()


def test_share_of_requests_is_edited_refused_and_undone_like_the_other_numbers(
    qtbot, window
) -> None:
    """The "% of requests" column: blank is every request; 30 makes the LLM conditional, which
    moves the end-to-end median; nonsense is refused in place with a hint; undo restores."""
    doc = window.workspace.doc
    stack = doc.undo_stack
    llm = row_of(window, "LLM inference")
    view = window.workspace.stages.view
    index = view.model().index(llm, KEYS.index("presence"))
    assert index.data() == "" and "every request" in index.data(Qt.ItemDataRole.ToolTipRole).lower()
    header = view.model().headerData(KEYS.index("presence"), Qt.Orientation.Horizontal)
    assert header.split() == ["%", "of", "requests"]
    before = window.workspace.analysis
    count = stack.count()

    after = wait_analysis(
        qtbot, window, lambda: type_into_cell(qtbot, window, llm, "presence", "30 %")
    )
    assert doc.scenario.stages[llm].presence == pytest.approx(0.3)
    assert index.data() == "30"
    assert after.stages[llm].presence == pytest.approx(0.3)
    assert after.current.p50_ms < before.current.p50_ms - 1000  # 70 % never reach the LLM
    assert stack.count() == count + 1 and "% of requests" in stack.undoText()

    for typed, fragment in (("often", "expects a percentage"), ("0", "above 0"), ("150", "100")):
        view.setCurrentIndex(index)
        view.edit(index)
        editor = QApplication.focusWidget()
        editor.selectAll()
        qtbot.keyClicks(editor, typed)
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        assert view.indexWidget(index) is editor and editor.text() == typed  # kept to correct
        assert fragment in window.statusBar().currentMessage()
        qtbot.keyClick(editor, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: view.indexWidget(index) is None)
    assert doc.scenario.stages[llm].presence == pytest.approx(0.3)
    assert stack.count() == count + 1

    undone = wait_analysis(qtbot, window, window.undo_action.trigger)
    assert doc.scenario.stages[llm].presence is None and index.data() == ""
    assert undone.current.p50_ms == pytest.approx(before.current.p50_ms)
    assert not window.isWindowModified()
    wait_analysis(qtbot, window, window.redo_action.trigger)
    assert doc.scenario.stages[llm].presence == pytest.approx(0.3)

    # 100 % is every request: the field goes away rather than being saved as 1
    wait_analysis(qtbot, window, lambda: type_into_cell(qtbot, window, llm, "presence", "100"))
    assert doc.scenario.stages[llm].presence is None and index.data() == ""
    assert "presence" not in dump_scenario(doc.scenario)


def test_add_move_remove_stages_and_undo(qtbot, window) -> None:
    ws = window.workspace
    names = [s.name for s in ws.doc.scenario.stages]
    ws.stages.select_row(0)
    wait_analysis(qtbot, window, ws.stages.add_stage)
    assert len(ws.doc.scenario.stages) == len(names) + 1
    added = ws.doc.scenario.stages[1].name
    wait_analysis(qtbot, window, lambda: ws.stages.move(1))
    assert ws.doc.scenario.stages[2].name == added
    wait_analysis(qtbot, window, lambda: type_into_cell(qtbot, window, 2, "kind", "retrieval"))
    assert ws.doc.scenario.stages[2].kind == "retrieval"
    ws.stages.select_row(2)
    wait_analysis(qtbot, window, ws.stages.remove_stage)
    assert [s.name for s in ws.doc.scenario.stages] == names
    for _ in range(2):
        window.undo_action.trigger()
    assert ws.doc.scenario.stages[2].name == added
    assert ws.doc.scenario.stages[2].kind == "other"
    while ws.doc.undo_stack.canUndo():
        window.undo_action.trigger()
    assert [s.name for s in ws.doc.scenario.stages] == names


def test_sla_panel_and_model_details_edits(qtbot, window) -> None:
    ws = window.workspace
    before = ws.analysis
    after = wait_analysis(qtbot, window, lambda: ws.sla.target.setValue(5000))
    assert ws.doc.scenario.sla.target_ms == 5000
    assert after.meets_sla and not before.meets_sla
    assert "Meets" in ws.budget.verdict.text()

    llm = row_of(window, "LLM inference")
    ws.stages.select_row(llm)
    combo = ws.details.combos["precision"]
    assert combo.isVisible()
    combo.setCurrentIndex(combo.findData("int8"))
    assert ws.doc.scenario.stages[llm].model.precision == "int8"
    window.undo_action.trigger()
    assert ws.doc.scenario.stages[llm].model.precision == "fp16"
    assert combo.currentData() == "fp16"
    ws.stages.select_row(0)
    assert not combo.isVisible()  # a network stage has no model details


def test_save_and_reopen(qtbot, window, tmp_path: Path) -> None:
    ws = window.workspace
    wait_analysis(qtbot, window, lambda: ws.sla.peak.setValue(20))
    out = tmp_path / "saved.yaml"
    assert window.save_as(out)
    assert not window.isWindowModified()
    assert load_scenario(out).traffic.peak_rps == 20
    assert "saved.yaml" in window.windowTitle()

    window.new_file()
    assert ws.doc.path is None
    assert window.open_path(out)
    assert ws.doc.scenario.traffic.peak_rps == 20
    assert ws.sla.peak.value() == 20
    recent = window.settings.value("recentFiles")
    assert str(out.resolve()) in recent


def test_refuses_to_overwrite_a_file_changed_on_disk(qtbot, window, rag: Path) -> None:
    ws = window.workspace
    wait_analysis(qtbot, window, lambda: ws.sla.replicas.setValue(8))
    theirs = rag.read_text(encoding="utf-8").replace("peak_rps: 12", "peak_rps: 13")
    rag.write_text(theirs, encoding="utf-8")
    assert not window.save()
    assert rag.read_text(encoding="utf-8") == theirs
    assert window.isWindowModified()
    box = window.findChild(QMessageBox, "errorMessage")
    assert box is not None and "changed on disk" in box.text()
    box.close()
    out = rag.with_name("mine.yaml")
    assert window.save_as(out)
    assert load_scenario(out).traffic.replicas == 8


def test_a_broken_file_is_refused_and_the_work_kept(qtbot, window, tmp_path: Path) -> None:
    ws = window.workspace
    wait_analysis(qtbot, window, lambda: ws.sla.replicas.setValue(6))
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: latency-advisor/scenario/v1\nname: x\nsla: [1, 2\n", "utf-8")
    assert not window.open_path(broken)  # unsaved work is kept without asking: nothing opened
    box = window.findChild(QMessageBox, "errorMessage")
    assert box is not None
    assert "broken.yaml" in box.text() and "invalid YAML" in box.text()
    box.close()
    assert ws.doc.scenario.traffic.replicas == 6
    assert window.isWindowModified()


def test_open_asks_before_discarding_unsaved_work(qtbot, window, tmp_path: Path) -> None:
    ws = window.workspace
    wait_analysis(qtbot, window, lambda: ws.sla.replicas.setValue(6))
    other = copy_example(tmp_path, "fraud_score")
    seen: list[str] = []
    answer_next_dialog("Cancel", seen)
    assert not window.open_path(other)
    assert seen and "unsaved changes" in seen[0]
    assert ws.doc.scenario.traffic.replicas == 6
    answer_next_dialog("Discard")
    assert window.open_path(other)
    assert ws.doc.scenario.name == load_scenario(other).name
    assert not window.isWindowModified()


def test_close_asks_save_discard_cancel(qtbot, window) -> None:
    ws = window.workspace
    wait_analysis(qtbot, window, lambda: ws.sla.replicas.setValue(6))
    answer_next_dialog("Cancel")
    window.close()
    assert window.isVisible()
    answer_next_dialog("Discard")
    window.close()
    assert not window.isVisible()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_autosave_and_recovery_after_a_crash(qtbot, tmp_path: Path, rag: Path) -> None:
    first = make_window(qtbot, tmp_path, rag)
    ws = first.workspace
    wait_analysis(qtbot, first, lambda: ws.sla.replicas.setValue(9))
    saved = first.autosaver.save_now()
    assert saved is not None and saved.parent == tmp_path / "autosave"
    assert load_scenario(rag).traffic.replicas == 4  # the user's file is untouched
    # the process "crashes": its autosave stays, written by a process that is gone
    note = saved.with_suffix(".json")
    note.write_text(note.read_text().replace(f'"pid": {os.getpid()}', f'"pid": {_dead_pid()}'))
    first.autosaver.timer.stop()

    second_dir = tmp_path / "second"
    second_dir.mkdir()
    seen: list[str] = []
    answer_next_dialog("Recover", seen)
    settings = QSettings(str(second_dir / "settings.ini"), QSettings.Format.IniFormat)
    second = MainWindow(settings=settings, autosave_dir=tmp_path / "autosave")
    qtbot.addWidget(second, before_close_func=_discard_changes)
    second.show()
    second.build_workspace(None, offer_recovery=True)
    assert seen and "did not close cleanly" in seen[0]
    doc = second.workspace.doc
    assert doc.scenario.traffic.replicas == 9
    assert doc.path == rag
    assert second.isWindowModified()
    assert not note.exists()
    assert second.save()
    assert load_scenario(rag).traffic.replicas == 9


def test_drop_a_scenario_file_opens_it(qtbot, window, tmp_path: Path) -> None:
    other = copy_example(tmp_path, "bert_intent")
    wait_analysis(qtbot, window, lambda: drop_file(window, other))
    assert window.workspace.doc.path == other
    assert window.workspace.analysis.scenario == load_scenario(other).name


def test_what_if_cache_and_traffic(qtbot, window) -> None:
    panel = window.workspace.whatif
    window.workspace.show_tab("whatif")

    def cell(row: int, col: int) -> str:
        item = panel.table.item(row, col)
        return item.text() if item is not None else ""

    qtbot.waitUntil(lambda: cell(1, 2) == "no", timeout=20_000)
    panel.cache.setValue(96)  # 96% of requests answered from a cache: the p95 is a hit
    qtbot.waitUntil(lambda: cell(1, 2) == "yes", timeout=20_000)
    assert cell(1, 1) == "no"  # today is unchanged
    panel.cache.setValue(0)
    panel.multiplier.setValue(4)
    qtbot.waitUntil(lambda: "overloaded" in cell(0, 2), timeout=20_000)
    panel.runner.wait()
    wait_analysis(qtbot, window, panel.apply_to_scenario)
    assert window.workspace.doc.scenario.traffic.peak_rps == 48
    assert not window.workspace.analysis.current.steady_state
    window.undo_action.trigger()
    assert window.workspace.doc.scenario.traffic.peak_rps == 12


def test_settings_theme_and_geometry_are_remembered(qtbot, tmp_path: Path, rag: Path) -> None:
    first = make_window(qtbot, tmp_path, rag)
    first.resize(701, 503)
    wanted = (first.size().width(), first.size().height())  # at least the minimum size
    assert wanted != (1320, 840)
    first.set_theme("dark")
    qtbot.wait(10)
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 80
    assert first.palette().color(QPalette.ColorRole.Window).lightness() < 80
    first.close()
    second = make_window(qtbot, tmp_path, rag)
    assert (second.size().width(), second.size().height()) == wanted
    assert second.theme_actions["dark"].isChecked()
    second.set_theme("light")
    second.close()


def test_icon_only_controls_and_charts_have_accessible_names(window) -> None:
    for button in window.findChildren(QToolButton):
        if button.isVisible() and (not button.text() or len(button.text()) <= 1):
            assert button.accessibleName(), button.toolTip()
    assert window.workspace.stages.view.accessibleName()
    for pane in window.findChildren(type(window.workspace.budget.chart)):
        assert pane.table.accessibleName()
        if pane.canvas is not None:
            assert pane.canvas.accessibleName().endswith("chart")


def test_analysis_failure_is_reported_not_raised(qtbot) -> None:
    from latency_advisor.ui.background import BackgroundRunner

    runner = BackgroundRunner(lambda x: 1 / x)
    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.request(0)
    assert "ZeroDivisionError" in blocker.args[0]
    with qtbot.waitSignal(runner.ready, timeout=5000) as blocker:
        runner.request(4)
    assert blocker.args[0] == 0.25


def test_export_pdf_off_the_ui_thread(qtbot, window, tmp_path: Path, artifacts_dir: Path) -> None:
    import pypdf

    assert window.export_action.isEnabled()
    out = tmp_path / "report.pdf"
    with qtbot.waitSignal(window.exported, timeout=120_000) as blocker:
        window.export_pdf(out)
        assert not window.export_action.isEnabled()  # one export at a time
    assert blocker.args[0] == out
    text = "".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    assert "Support assistant (RAG)" in text
    assert window.export_action.isEnabled()
    assert "Exported" in window.statusBar().currentMessage()
    (artifacts_dir / "ui_export.pdf").write_bytes(out.read_bytes())


def test_stage_shortcuts_act_in_the_table_only(qtbot, window) -> None:
    ws = window.workspace
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    count = len(ws.doc.scenario.stages)
    ws.sla.name.setFocus()
    qtbot.keyClick(ws.sla.name, Qt.Key.Key_Delete)
    assert len(ws.doc.scenario.stages) == count
    ws.stages.select_row(1)
    ws.stages.view.setFocus()
    wait_analysis(qtbot, window, lambda: qtbot.keyClick(ws.stages.view, Qt.Key.Key_Delete))
    assert len(ws.doc.scenario.stages) == count - 1
    window.undo_action.trigger()
    assert len(ws.doc.scenario.stages) == count


def test_examples_and_recent_files_menus(qtbot, window, tmp_path: Path) -> None:
    file_menu = window.menuBar().actions()[0].menu()
    menus = {a.text().replace("&", ""): a.menu() for a in file_menu.actions() if a.menu()}
    examples = {a.text(): a for a in menus["Open Example"].actions()}
    assert len(examples) == len(list(EXAMPLES.glob("*.yaml")))
    wait_analysis(qtbot, window, examples["Fraud score"].trigger)
    assert window.workspace.doc.path == EXAMPLES / "fraud_score.yaml"

    recent = menus["Open Recent"]
    recent.aboutToShow.emit()
    entries = [a for a in recent.actions() if a.text().startswith("&")]
    assert entries[0].text() == "&1 fraud_score.yaml"
    wait_analysis(qtbot, window, entries[1].trigger)  # the file opened before it
    assert window.workspace.doc.path.name == "rag_assistant.yaml"


def test_drop_a_trace_file_previews_and_merges_as_one_undo_step(
    qtbot, window, tmp_path: Path
) -> None:
    from latency_advisor.ui.import_dialog import ImportDialog
    from tests.trace_files import make_requests, write_otlp_lines

    traces = write_otlp_lines(make_requests(50, seed=5), tmp_path / "traces.jsonl")
    before = window.workspace.doc.scenario
    drop_file(window, traces)
    dialog = window.findChild(ImportDialog)
    assert dialog is not None and window.workspace.doc.path != traces  # not opened as a scenario
    qtbot.waitUntil(lambda: dialog.merge_button.isEnabled(), timeout=30_000)
    wait_analysis(qtbot, window, dialog.merge_button.click)
    after = window.workspace.doc.scenario
    assert len(after.stages) > len(before.stages)
    assert window.isWindowModified()
    window.undo_action.trigger()
    assert window.workspace.doc.scenario == before


def test_llm_panel_estimates_and_applies_as_one_undoable_edit(qtbot, window) -> None:
    ws = window.workspace
    llm = row_of(window, "LLM inference")
    ws.stages.select_row(llm)
    panel = ws.details.llm
    assert panel.isVisible()
    before = ws.doc.scenario
    panel.gpu.setCurrentIndex(panel.gpu.findData("H200"))
    panel.tp.setValue(2)
    panel.prompt.setValue(4000)
    assert ws.doc.scenario == before  # the form alone changes nothing
    assert panel.result is not None and "first token" in panel.figures.text()
    total = panel.result.total_ms
    panel.apply.click()
    stage = ws.doc.scenario.stages[llm]
    assert stage.p50_ms == pytest.approx(round(total, 1))
    assert (stage.model.gpu, stage.model.gpus, stage.model.prompt_tokens) == ("H200", 2, 4000)
    window.undo_action.trigger()
    assert ws.doc.scenario == before
    ws.stages.select_row(0)
    assert not panel.isVisible()


def test_sla_panel_sets_a_first_token_target_and_a_per_token_target(qtbot, window) -> None:
    ws = window.workspace
    before = ws.doc.scenario
    sla = ws.sla
    sla.metric_box.setCurrentIndex(sla.metric_box.findData("first_token"))
    assert ws.doc.scenario.sla.metric == "first_token"
    sla.per_token.setValue(40)
    assert ws.doc.scenario.sla.per_token_ms == 40
    sla.per_token.setValue(0)
    assert ws.doc.scenario.sla.per_token_ms is None
    while ws.doc.undo_stack.canUndo():
        window.undo_action.trigger()
    assert ws.doc.scenario == before
    assert sla.metric_box.currentData() == "end_to_end"
