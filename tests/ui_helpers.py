"""Helpers for the desktop tests: a window on a copy of an example, modal-dialog answering."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox, QWidget

from tests.conftest import EXAMPLES


def copy_example(tmp_path: Path, name: str = "rag_assistant") -> Path:
    target = tmp_path / f"{name}.yaml"
    shutil.copy(EXAMPLES / f"{name}.yaml", target)
    return target


def answer_next_dialog(button_text: str, seen: list[str] | None = None, tries: int = 200) -> None:
    """Click the button labelled `button_text` in the next modal message box, as a user would."""

    def attempt(left: int) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            if seen is not None:
                seen.append(box.text())
            for button in box.findChildren(QAbstractButton):
                if button.text().replace("&", "") == button_text:
                    button.click()
                    return
            raise AssertionError(f"no button {button_text!r} in {box.text()!r}")
        if left:
            QTimer.singleShot(20, lambda: attempt(left - 1))

    QTimer.singleShot(0, lambda: attempt(tries))


def wait_analysis(qtbot, window, action: Callable[[], None], timeout: int = 20_000):
    """Run `action` and return the analysis it causes."""
    with qtbot.waitSignal(window.workspace.analysis_ready, timeout=timeout) as blocker:
        action()
    return blocker.args[0]


def drop_file(widget: QWidget, path: Path) -> None:
    """Drop `path` on `widget` as a file manager would (the event does not own its data, so
    the data is kept alive here until the widget has handled it)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    widget.dropEvent(event)
