"""The Benchmarks tab inside the window: a dropped model, a real run attached as one undo step."""

from __future__ import annotations

from pathlib import Path

import pytest

from latency_advisor.ui.main_window import MainWindow
from latency_advisor.ui.workspace import TAB_KEYS
from tests.test_ui_window import make_window
from tests.ui_helpers import copy_example, wait_analysis

STAGE = "BERT-base inference"


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    w = make_window(qtbot, tmp_path, copy_example(tmp_path, "bert_intent"))
    w.workspace.show_tab("benchmarks")
    return w


def test_quick_builtin_benchmark_attached_as_one_undo_step(qtbot, window: MainWindow) -> None:
    view = window.workspace.bench
    assert [view.stage_combo.itemText(i) for i in range(view.stage_combo.count())] == [STAGE]
    view.model_combo.setCurrentIndex(view.model_combo.findData("mlp-s"))
    assert view.stage_combo.currentIndex() == -1  # MLP results are not aimed at a BERT stage
    view.stage_combo.setCurrentText(STAGE)  # the user says where they go
    view.set_levers({"int8_per_channel"})
    view.budget_spin.setValue(0.3)
    with qtbot.waitSignal(view.run_finished, timeout=180_000) as done:
        view.run_button.click()
        assert view.running  # the click returned: the run is off the UI thread
    assert done.args[0] is not None
    before = window.workspace.doc.scenario.stage(STAGE).calibration
    wait_analysis(qtbot, window, view.attach_button.click)
    after = window.workspace.doc.scenario.stage(STAGE).calibration
    assert "quantization_int8" in after and after != before
    assert window.isWindowModified()
    window.undo_action.trigger()
    assert window.workspace.doc.scenario.stage(STAGE).calibration == before


def test_a_dropped_broken_model_shows_its_message_and_the_app_stays_responsive(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    bad = tmp_path / "not_a_model.onnx"
    bad.write_bytes(b"this is not a protobuf" * 10)
    view = window.workspace.bench
    window.open_path(bad)  # File > Open or a drop hands an .onnx file to this tab
    assert window.workspace.tabs.currentIndex() == TAB_KEYS.index("benchmarks")
    with qtbot.waitSignal(view.run_finished, timeout=120_000) as done:
        view.run_button.click()
    assert done.args[0] is None
    assert view.message.isVisible() and "not_a_model.onnx" in view.message.text()
    ws = window.workspace
    analysis = wait_analysis(qtbot, window, lambda: ws.sla.target.setValue(1234))
    assert analysis.sla.target_ms == 1234
