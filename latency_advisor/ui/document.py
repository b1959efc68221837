"""The open scenario: its current state, its file, and the undo stack of every edit.

Each edit replaces the whole (immutable, validated) scenario, and one `EditCommand` holds the
states before and after, so undo and redo are exact and no widget has to know how to revert
itself. Consecutive edits of the same field merge into one undo step, like typing in a field.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from latency_advisor.errors import UserError
from latency_advisor.scenario import Scenario, dump_scenario, load_scenario, save_scenario

MERGE_WINDOW_S = 2.0
_MERGE_IDS: dict[str, int] = {}


class FileChangedOnDisk(UserError):
    """The file was changed by someone else since it was opened; saving would lose their edits."""


@dataclass(frozen=True)
class DiskStamp:
    """What the file held when we last read or wrote it."""

    sha256: str

    @classmethod
    def of(cls, path: Path) -> DiskStamp | None:
        try:
            return cls(hashlib.sha256(path.read_bytes()).hexdigest())
        except OSError:
            return None


def _merge_id(key: str) -> int:
    return _MERGE_IDS.setdefault(key, len(_MERGE_IDS) + 1)


class EditCommand(QUndoCommand):
    """One user edit: the scenario before and after."""

    def __init__(
        self,
        doc: ScenarioDocument,
        before: Scenario,
        after: Scenario,
        text: str,
        merge_key: str | None,
    ):
        super().__init__(text)
        self._doc = doc
        self.before = before
        self.after = after
        self._merge = _merge_id(merge_key) if merge_key else -1
        self._when = time.monotonic()

    def id(self) -> int:
        return self._merge

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditCommand) or other.id() != self.id():
            return False
        if other._when - self._when > MERGE_WINDOW_S:
            return False
        self.after = other.after
        self._when = other._when
        return True

    def redo(self) -> None:
        self._doc._set(self.after)

    def undo(self) -> None:
        self._doc._set(self.before)


class ScenarioDocument(QObject):
    """The scenario being edited, its path and whether it has unsaved changes."""

    changed = Signal(object)  # the new Scenario
    path_changed = Signal(object)  # Path | None

    def __init__(self, scenario: Scenario, path: Path | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.scenario = scenario
        self.path = path
        self.stamp = DiskStamp.of(path) if path else None
        self.undo_stack = QUndoStack(self)

    # ------------------------------------------------------------------ edits

    def edit(self, after: Scenario, text: str, merge_key: str | None = None) -> None:
        """Record a user edit (undoable); no-op when nothing changed."""
        if after == self.scenario:
            return
        self.undo_stack.push(EditCommand(self, self.scenario, after, text, merge_key))

    def replace(self, scenario: Scenario, path: Path | None, *, modified: bool = False) -> None:
        """Start over on another scenario (open, new, recover): history is cleared."""
        self.undo_stack.clear()
        self.path = path
        self.stamp = DiskStamp.of(path) if path else None
        self._set(scenario)
        if modified:  # a recovered autosave: unsaved until the user saves it
            self.undo_stack.resetClean()
        self.path_changed.emit(path)

    def _set(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.changed.emit(scenario)

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    # ------------------------------------------------------------------ files

    def open(self, path: Path) -> None:
        """Load `path`; a broken file raises ScenarioError and leaves the document untouched."""
        scenario = load_scenario(path)
        self.replace(scenario, path)

    def changed_on_disk(self) -> bool:
        """True when the file differs from what we last read or wrote."""
        if self.path is None or self.stamp is None:
            return False
        return DiskStamp.of(self.path) != self.stamp

    def save(self, path: Path | None = None, *, force: bool = False) -> Path:
        """Save atomically; refuse to overwrite our file if it changed on disk since opened."""
        target = Path(path or self.path or "")
        if not str(target):
            raise UserError("the scenario has no file yet; use Save As")
        same_file = self.path is not None and target.resolve() == self.path.resolve()
        if same_file and not force and self.changed_on_disk():
            raise FileChangedOnDisk(
                f"{target}: the file was changed on disk since it was opened; saving would "
                "overwrite those changes. Use Save As to keep both, or reopen the file."
            )
        save_scenario(self.scenario, target)
        self.path = target
        self.stamp = DiskStamp.of(target)
        self.undo_stack.setClean()
        self.path_changed.emit(target)
        return target

    def text(self) -> str:
        """The scenario as YAML (what an autosave holds)."""
        return dump_scenario(self.scenario)
