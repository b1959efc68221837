"""The Rehearse tab, offscreen: talk track lengths, timer, and a drill scored end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt

from latency_advisor.analysis import analyze
from latency_advisor.rehearsal.scoring import score_answer
from latency_advisor.scenario import load_scenario
from latency_advisor.ui.rehearse_tab import ITEM_ROLE, RehearseTab

ROOT = Path(__file__).resolve().parent.parent
FRAUD = ROOT / "resources" / "examples" / "fraud_score.yaml"


@pytest.fixture
def tab(qtbot):
    widget = RehearseTab()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    yield widget
    widget.shutdown()


def _rows(tab: RehearseTab) -> list[str]:
    return [tab.fix_list.item(r).data(ITEM_ROLE) for r in range(tab.fix_list.count())]


def _arrange(qtbot, tab: RehearseTab, wanted: list[str]) -> None:
    """Put `wanted` on top, in order, with the Up button, as a user would."""
    for position, item_id in enumerate(wanted):
        row = _rows(tab).index(item_id)
        tab.fix_list.setCurrentRow(row)
        for _ in range(row - position):
            qtbot.mouseClick(tab.up_button, Qt.MouseButton.LeftButton)
    assert _rows(tab)[: len(wanted)] == wanted


def test_talk_track_follows_the_length_picker(qtbot, tab) -> None:
    assert "Open a scenario" in tab.track_view.toPlainText()
    scenario = load_scenario(FRAUD)
    analysis = analyze(scenario)
    tab.set_analysis(analysis, scenario)
    words = {}
    for index in range(tab.length_combo.count()):
        tab.length_combo.setCurrentIndex(index)
        shown = tab.track_view.toPlainText()
        assert "Find the bottleneck" in shown and analysis.bottleneck.stage in shown
        words[tab.length_combo.currentData()] = tab.track.words
        assert f"{tab.track.words} words" in tab.words_label.text()
    assert words["30s"] < words["2min"] < words["deep"]
    assert tab.timer_label.text().endswith("of 6:00")  # deep: six minutes to say it


def test_timer_runs_and_resets(qtbot, tab) -> None:
    qtbot.mouseClick(tab.timer_button, Qt.MouseButton.LeftButton)
    assert tab.timer_button.text() == "Pause timer"
    qtbot.waitUntil(lambda: tab.timer_label.text().startswith("0:01"), timeout=5000)
    qtbot.mouseClick(tab.timer_reset_button, Qt.MouseButton.LeftButton)
    assert tab.timer_label.text() == "0:00 of 2:00"


def test_markdown_and_pdf_export_from_the_tab(qtbot, tab, tmp_path: Path) -> None:
    scenario = load_scenario(FRAUD)
    tab.set_analysis(analyze(scenario), scenario)
    out = tmp_path / "t.md"
    tab.export_markdown(out)
    assert out.read_text(encoding="utf-8").count("\n## ") == 6
    pdf = tmp_path / "t.pdf"
    tab.export_pdf(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_pick_a_card_order_fixes_and_get_a_score(qtbot, tab) -> None:
    assert not tab.score_button.isEnabled()
    with qtbot.waitSignal(tab.drill_ready, timeout=20000) as ready:
        tab.select_card("fraud-feature-fetch")
    expected = ready.args[0]
    assert sorted(_rows(tab)) == sorted(expected.items)
    assert tab.score_button.isEnabled()

    # A weak answer first: everything ticked in the shown order, no metric.
    with qtbot.waitSignal(tab.scored) as first:
        qtbot.mouseClick(tab.score_button, Qt.MouseButton.LeftButton)
    weak = first.args[0]
    assert weak.percent < 100
    assert weak.percent == score_answer(expected, tab.answer()).percent
    assert f"Score: {weak.percent}/100" in tab.result_view.toPlainText()

    # Now the expected answer: order with the buttons, untick distractors, pick the metric.
    _arrange(qtbot, tab, ["measure", *expected.order, "rollout"])
    for row in range(tab.fix_list.count()):
        item = tab.fix_list.item(row)
        if item.data(ITEM_ROLE) in expected.skip:
            item.setCheckState(Qt.CheckState.Unchecked)
    tab.metric_combo.setCurrentIndex(tab.metric_combo.findData(expected.metric))
    if expected.best_option is not None:
        tab.option_combo.setCurrentIndex(tab.option_combo.findData(expected.best_option.name))
    with qtbot.waitSignal(tab.scored) as second:
        qtbot.mouseClick(tab.score_button, Qt.MouseButton.LeftButton)
    assert second.args[0].percent == 100
    assert "Score: 100/100" in tab.result_view.toPlainText()

    # Quantization moved to the top: the tab names the mistake.
    _arrange(qtbot, tab, ["quantization_int8"])
    tab.fix_list.item(0).setCheckState(Qt.CheckState.Checked)
    qtbot.mouseClick(tab.score_button, Qt.MouseButton.LeftButton)
    assert "jumping to quantization before measuring" in tab.result_view.toPlainText()


def test_switching_cards_drops_the_previous_answer(qtbot, tab) -> None:
    with qtbot.waitSignal(tab.drill_ready, timeout=20000):
        tab.select_card("bert-intent")
    with qtbot.waitSignal(tab.drill_ready, timeout=20000) as ready:
        tab.select_card("mobile-classifier")
    assert sorted(_rows(tab)) == sorted(ready.args[0].items)
    assert "Android" in tab.question_label.text()
