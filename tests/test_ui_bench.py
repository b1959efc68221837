"""The benchmarks tab driven as a user would: a quick real run, a cancel, a broken model."""

from __future__ import annotations

from pathlib import Path

import pytest

from latency_advisor.ui.main_window import MainWindow
from tests.test_ui_window import make_window
from tests.ui_helpers import copy_example, wait_analysis


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    w = make_window(qtbot, tmp_path, copy_example(tmp_path, "bert_intent"))
    w.workspace.show_tab("benchmarks")
    return w


def test_quick_builtin_benchmark_and_attach(qtbot, window: MainWindow) -> None:
    tab = window.workspace.bench
    tab.builtin.setCurrentIndex(tab.builtin.findData("mlp-s"))
    tab.budget_s = 0.3  # a short run: the timing precision is not what this test checks
    with qtbot.waitSignal(tab.finished, timeout=180_000) as blocker:
        tab.run_button.click()
        assert not tab.run_button.isEnabled() and tab.cancel_button.isEnabled()
    report = blocker.args[0]
    assert report is not None, tab.status.text()
    assert tab.table.rowCount() == len(report.results) >= 2
    assert tab.table.item(0, 0).text().startswith("fp32")
    assert tab.progress.value() == 100
    assert tab.attach_button.isEnabled()

    stage = tab.stage.currentText()
    before = window.workspace.doc.scenario.stage(stage).calibration
    wait_analysis(qtbot, window, tab.attach_button.click)
    after = window.workspace.doc.scenario.stage(stage).calibration
    assert after and after != before
    assert all(c.source for c in after.values())
    window.undo_action.trigger()
    assert window.workspace.doc.scenario.stage(stage).calibration == before


def test_cancel_a_running_benchmark(qtbot, window: MainWindow) -> None:
    tab = window.workspace.bench
    tab.builtin.setCurrentIndex(tab.builtin.findData("transformer-m"))
    tab.quick.setChecked(False)
    for box in tab.levers.values():
        box.setChecked(True)
    with qtbot.waitSignal(tab.finished, timeout=60_000) as blocker:
        tab.run_button.click()
        qtbot.waitUntil(lambda: tab.status.text() != "Starting transformer-m…", timeout=60_000)
        tab.cancel_button.click()
    assert blocker.args[0] is None
    assert tab.status.text() == "Cancelled."
    assert tab.run_button.isEnabled() and not tab.cancel_button.isEnabled()
    assert not tab.attach_button.isEnabled()


def test_a_broken_model_shows_its_message_and_the_app_stays_responsive(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    bad = tmp_path / "not_a_model.onnx"
    bad.write_bytes(b"this is not a protobuf" * 10)
    tab = window.workspace.bench
    window.open_path(bad)  # File > Open or a drop hands an .onnx file to this tab
    assert window.workspace.tabs.currentWidget() is tab
    assert tab.model() == str(bad)
    with qtbot.waitSignal(tab.finished, timeout=120_000) as blocker:
        tab.run_button.click()
    assert blocker.args[0] is None
    assert "not_a_model.onnx" in tab.status.text()
    assert "Benchmark failed" in window.statusBar().currentMessage()
    # the window still answers: an edit is analysed as usual
    ws = window.workspace
    analysis = wait_analysis(qtbot, window, lambda: ws.sla.target.setValue(1234))
    assert analysis.sla.target_ms == 1234
