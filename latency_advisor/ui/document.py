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


class FileChangedOnDisk(UserError):
    """The file was changed by someone else since it was opened; saving would lose their edits."""


@dataclass(frozen=True)
class DiskStamp:
    """What the file held when we last read or wrote it."""

    sha256: str

    @classmethod
    def of(cls, path: Path) -> DiskStamp | None:
        """The stamp of a regular file (a pipe or device is never read: it could block)."""
        from latency_advisor.safe_yaml import SafeReadError, read_bytes
        from latency_advisor.scenario import MAX_FILE_BYTES

        try:
            return cls(hashlib.sha256(read_bytes(path, MAX_FILE_BYTES)).hexdigest())
        except SafeReadError:
            return None


class EditCommand(QUndoCommand):
    """One user edit: the scenario before and after.

    Consecutive edits of one field are merged by `ScenarioDocument.edit`, not by Qt: a command
    Qt merges away is deleted in C++ while PySide keeps its Python object (and both scenarios)
    alive for the life of the stack, so a long session of typing would grow without bound.
    """

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
        self.merge_key = merge_key
        self.when = time.monotonic()

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
        last = self._continued(merge_key)
        if last is not None:  # the same field again, moments later: one undo step, like typing
            last.after, last.when = after, time.monotonic()
            self._set(after)
            return
        self.undo_stack.push(EditCommand(self, self.scenario, after, text, merge_key))

    def _continued(self, merge_key: str | None) -> EditCommand | None:
        """The newest command, when an edit of `merge_key` now continues it.

        As Qt would merge: only at the top of the history (nothing to redo), never into the
        saved state (the file on disk must stay reachable by undo), within MERGE_WINDOW_S.
        """
        stack = self.undo_stack
        index = stack.index()
        if merge_key is None or index == 0 or index != stack.count() or index == stack.cleanIndex():
            return None
        last = stack.command(index - 1)
        if not isinstance(last, EditCommand) or last.merge_key != merge_key:
            return None
        return last if time.monotonic() - last.when <= MERGE_WINDOW_S else None

    def replace(
        self,
        scenario: Scenario,
        path: Path | None,
        *,
        modified: bool = False,
        opened: DiskStamp | None = None,
    ) -> None:
        """Start over on another scenario (open, new, recover): history is cleared.

        `opened` is what the file held when it was first opened (a recovered autosave carries
        it), so a change made on disk since then is still caught on save.
        """
        self.undo_stack.clear()
        self.path = path
        self.stamp = opened if opened is not None else (DiskStamp.of(path) if path else None)
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
