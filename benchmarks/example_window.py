"""The window the desktop benchmarks drive: the RAG example open offscreen, ready to edit.

with example_window() as (window, workspace, cell):
    seconds = edit_and_repaint(window, workspace, cell, 2400)  # the LLM stage's p50
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "resources" / "examples" / "rag_assistant.yaml"


@contextmanager
def example_window(size: tuple[int, int] = (1400, 880)) -> Iterator[tuple[Any, Any, Any]]:
    """(main window, its workspace, the model index of the LLM stage's p50 cell)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    from latency_advisor.ui.app import _application
    from latency_advisor.ui.main_window import MainWindow
    from latency_advisor.ui.stage_table import KEYS

    app = _application()
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings=settings, autosave_dir=Path(tmp) / "autosave")
        window.resize(*size)
        window.show()
        window.build_workspace(EXAMPLE, offer_recovery=False)
        ws = window.workspace
        assert ws is not None
        row = [s.name for s in ws.doc.scenario.stages].index("LLM inference")
        try:
            yield window, ws, ws.stages.model.index(row, KEYS.index("p50_ms"))
        finally:
            ws.doc.undo_stack.setClean()  # no "save changes?" question
            window.close()
            app.processEvents()


def edit_and_repaint(window: Any, ws: Any, cell: Any, value: float) -> float:
    """Type `value` into `cell` (as the stage table's editor does), wait for the analysis, paint
    the whole window; returns the seconds that took."""
    import time

    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    ws.analysis_ready.connect(loop.quit)
    QTimer.singleShot(30_000, loop.quit)
    start = time.perf_counter()
    ws.stages.model.setData(cell, f"{value:g}")
    loop.exec()
    window.repaint()
    ws.analysis_ready.disconnect(loop.quit)
    return time.perf_counter() - start
