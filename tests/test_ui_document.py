"""The open scenario's history: edits merge like typing, undo is exact, nothing piles up."""

from __future__ import annotations

import gc

import pytest

from latency_advisor.scenario import load_scenario
from latency_advisor.ui import document
from latency_advisor.ui.document import EditCommand, ScenarioDocument
from latency_advisor.ui.edits import with_data
from tests.conftest import EXAMPLES


@pytest.fixture
def doc(qapp):
    return ScenarioDocument(load_scenario(EXAMPLES / "rag_assistant.yaml"))


def _with_target(scenario, ms: float):
    return with_data(scenario, lambda d: d["sla"].__setitem__("target_ms", ms))


def _alive_commands() -> int:
    gc.collect()
    return sum(isinstance(o, EditCommand) for o in gc.get_objects())


def test_typing_in_one_field_is_one_undo_step_and_keeps_nothing_else_alive(doc):
    original = doc.scenario
    before = _alive_commands()
    for ms in range(400, 600):
        doc.edit(_with_target(doc.scenario, ms), "Change target", merge_key="sla.target_ms")
    assert doc.undo_stack.count() == 1
    assert doc.scenario.sla.target_ms == 599
    # one command stays, holding two scenarios; the 199 merged edits are gone
    assert _alive_commands() - before == 1
    doc.undo_stack.undo()
    assert doc.scenario == original
    doc.undo_stack.redo()
    assert doc.scenario.sla.target_ms == 599


def test_other_fields_pauses_and_the_saved_state_start_new_steps(doc, tmp_path, monkeypatch):
    doc.edit(_with_target(doc.scenario, 450), "Change target", merge_key="sla.target_ms")
    doc.edit(
        with_data(doc.scenario, lambda d: d["traffic"].__setitem__("replicas", 5)),
        "Change replicas",
        merge_key="traffic.replicas",
    )
    assert doc.undo_stack.count() == 2
    doc.save(tmp_path / "s.yaml")
    saved = doc.scenario
    doc.edit(
        with_data(doc.scenario, lambda d: d["traffic"].__setitem__("replicas", 6)),
        "Change replicas",
        merge_key="traffic.replicas",
    )
    assert doc.undo_stack.count() == 3  # not merged into the saved state
    doc.undo_stack.undo()
    assert doc.scenario == saved and not doc.modified
    doc.undo_stack.redo()
    monkeypatch.setattr(document, "MERGE_WINDOW_S", -1.0)  # every edit now comes "too late"
    doc.edit(
        with_data(doc.scenario, lambda d: d["traffic"].__setitem__("replicas", 7)),
        "Change replicas",
        merge_key="traffic.replicas",
    )
    assert doc.undo_stack.count() == 4


def test_no_merge_after_an_undo(doc):
    doc.edit(_with_target(doc.scenario, 450), "Change target", merge_key="sla.target_ms")
    doc.edit(_with_target(doc.scenario, 460), "Change target", merge_key="sla.target_ms")
    doc.undo_stack.undo()
    doc.edit(_with_target(doc.scenario, 470), "Change target", merge_key="sla.target_ms")
    assert doc.undo_stack.count() == 1 and doc.undo_stack.index() == 1
    doc.undo_stack.undo()
    assert doc.scenario.sla.target_ms == 500
