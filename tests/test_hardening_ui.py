"""Recovery keeps the changed-on-disk guard, and autosaves are private (the app's documents)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from latency_advisor.scenario import load_scenario
from latency_advisor.ui.autosave import Autosaver, find_recoverable
from latency_advisor.ui.document import DiskStamp, FileChangedOnDisk, ScenarioDocument
from tests.ui_helpers import copy_example


def test_a_recovered_autosave_still_refuses_to_overwrite_a_file_changed_on_disk(
    qtbot, tmp_path: Path
) -> None:
    original = copy_example(tmp_path)
    doc = ScenarioDocument(load_scenario(original), original)
    doc.edit(doc.scenario.model_copy(update={"name": "Edited"}), "rename")
    saver = Autosaver(doc, tmp_path / "autosave")
    saver.timer.stop()
    data = saver.save_now()
    assert data is not None
    assert stat.S_IMODE(data.stat().st_mode) == 0o600
    assert stat.S_IMODE(data.with_suffix(".json").stat().st_mode) == 0o600
    note = data.with_suffix(".json")
    meta = json.loads(note.read_text())
    meta["pid"] = 2**22 + 12345  # the session "crashed": its process is gone
    note.write_text(json.dumps(meta))
    # meanwhile, someone changes the file on disk
    original.write_text(original.read_text().replace("replicas: 4", "replicas: 5"))
    [item] = [r for r in find_recoverable(tmp_path / "autosave") if r.data == data]
    assert item.opened_sha256
    recovered = ScenarioDocument(load_scenario(item.data), None)
    recovered.replace(
        load_scenario(item.data),
        item.original,
        modified=True,
        opened=DiskStamp(item.opened_sha256),
    )
    with pytest.raises(FileChangedOnDisk):
        recovered.save()
    assert "replicas: 5" in original.read_text()
