"""Autosave to a separate folder and recovery after a crash.

Unsaved work is written every few seconds to `<autosave folder>/<key>.yaml`, beside a small JSON
note naming the original file and the process that wrote it; the user's own file is never
touched. A clean save or a clean close removes the autosave. At start, autosaves left by a
process that is no longer running are offered for recovery.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from latency_advisor.atomic import atomic_write_text

INTERVAL_MS = 15_000


@dataclass(frozen=True)
class Recoverable:
    """An autosave left behind by a session that did not end cleanly."""

    data: Path
    note: Path
    original: Path | None
    saved_at: float
    name: str
    opened_sha256: str | None = None

    def discard(self) -> None:
        for path in (self.data, self.note):
            with contextlib.suppress(OSError):
                path.unlink()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but not ours
        return True
    return True


def find_recoverable(folder: Path) -> list[Recoverable]:
    """Autosaves whose writer is gone, newest first."""
    found = []
    for note in folder.glob("*.json"):
        try:
            meta = json.loads(note.read_text(encoding="utf-8"))
            pid = int(meta["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        data = note.with_suffix(".yaml")
        if _alive(pid) or not data.is_file():
            continue
        original = Path(meta["original"]) if meta.get("original") else None
        found.append(
            Recoverable(
                data,
                note,
                original,
                float(meta.get("saved_at", 0)),
                str(meta.get("name", data.stem)),
                str(meta["opened_sha256"]) if meta.get("opened_sha256") else None,
            )
        )
    return sorted(found, key=lambda r: r.saved_at, reverse=True)


class Autosaver(QObject):
    """Writes the document's unsaved state to the autosave folder on a timer."""

    def __init__(self, doc, folder: Path, interval_ms: int = INTERVAL_MS, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.folder = folder
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.save_now)
        self.timer.start()
        self.key = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"  # one autosave per window
        doc.undo_stack.cleanChanged.connect(self._on_clean_changed)

    def _on_clean_changed(self, clean: bool) -> None:
        if clean:
            self.remove()

    def paths(self) -> tuple[Path, Path]:
        stem = self.folder / self.key
        return stem.with_suffix(".yaml"), stem.with_suffix(".json")

    def save_now(self) -> Path | None:
        """Write the autosave if there is unsaved work; returns its path."""
        if not self.doc.modified:
            return None
        self.folder.mkdir(parents=True, exist_ok=True)
        data, note = self.paths()
        atomic_write_text(data, self.doc.text(), private=True)
        meta = {
            "pid": os.getpid(),
            "original": str(self.doc.path) if self.doc.path else None,
            "saved_at": time.time(),
            "name": self.doc.scenario.name,
            # what the original held when opened: recovery keeps the changed-on-disk guard
            "opened_sha256": self.doc.stamp.sha256 if self.doc.stamp else None,
        }
        atomic_write_text(note, json.dumps(meta), private=True)
        return data

    def remove(self) -> None:
        for path in self.paths():
            with contextlib.suppress(OSError):
                path.unlink()
