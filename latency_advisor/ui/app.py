"""Start the desktop app, or render it offscreen to a PNG (`--screenshot`) and exit."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from latency_advisor.errors import UserError


def _application():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        QApplication.setOrganizationName("Latency Advisor")
        QApplication.setApplicationName("Latency Advisor")
        QApplication.setApplicationDisplayName("Latency Advisor")
        app = QApplication(sys.argv[:1])
        app.setStyle("Fusion")
    return app


def open_window(path: Path | None, settings=None, autosave_dir: Path | None = None):
    """Create, theme and show the main window; it fills itself with `path` once painted."""
    _application()
    from latency_advisor.ui import theme
    from latency_advisor.ui.main_window import MainWindow

    window = MainWindow(settings=settings, autosave_dir=autosave_dir)
    theme.apply(str(window.settings.value("theme", "system")))
    window.show()
    window.start(path)
    return window


HARMLESS_QT_WARNINGS = ("propagateSizeHints",)
"""Qt messages that say nothing to a user (the offscreen platform lacks a window manager's
hints); screenshot runs drop them so their output is only the file written."""


def quiet_harmless_qt_warnings() -> None:
    """Drop HARMLESS_QT_WARNINGS; every other Qt message still reaches stderr."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_kind, _context, message: str) -> None:
        if not any(part in message for part in HARMLESS_QT_WARNINGS):
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def check(path: Path | None) -> int:
    """Open the window on `path`, let it analyse and paint, close it: 0 when all of that worked.

    `python3 dev.py app --check` runs this, so CI sees a start-up that a fresh machine would
    fail (a Qt platform plugin that cannot load aborts the process before this returns).
    """
    import tempfile

    from PySide6.QtCore import QSettings

    app = _application()
    quiet_harmless_qt_warnings()
    with tempfile.TemporaryDirectory() as tmp:  # leave the user's settings and autosaves alone
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        window = open_window(path, settings=settings, autosave_dir=Path(tmp) / "autosave")
        window.build_workspace(path, offer_recovery=False)
        app.processEvents()
        ws = window.workspace
        if ws is None:
            raise UserError(f"{path}: the window opened without the scenario")
        ws.runner.wait()
        app.processEvents()
        shown = window.isVisible() and ws.analysis is not None
        state = "analysed" if shown else "NOT analysed"
        print(f"window opened ({app.platformName()}, {window.width()}×{window.height()}): {state}")
        window.setWindowModified(False)
        window.close()
        app.processEvents()
    return 0 if shown else 1


def run(path: Path | None) -> int:
    """The app's event loop on `path`; returns the exit code."""
    app = _application()
    window = open_window(path)  # noqa: F841 (kept alive by this frame while the loop runs)
    return app.exec()


def screenshot(
    path: Path | None,
    out: Path,
    tab: str | None = None,
    size: tuple[int, int] = (1320, 840),
    dark: bool = False,
) -> Path:
    """Render the window with `path` analysed to `out` (PNG), offscreen, and return `out`."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if out.suffix.lower() != ".png":
        raise UserError(f"{out}: the screenshot is written as PNG; name it something.png")
    if not out.parent.is_dir():
        raise UserError(f"{out}: the folder {out.parent} does not exist")
    app = _application()
    quiet_harmless_qt_warnings()
    import tempfile

    from PySide6.QtCore import QBuffer, QIODevice, QSettings

    from latency_advisor.atomic import atomic_write_bytes
    from latency_advisor.ui import theme
    from latency_advisor.ui.main_window import MainWindow
    from latency_advisor.ui.workspace import TAB_KEYS

    theme.apply("dark" if dark else "light")
    with tempfile.TemporaryDirectory() as tmp:  # leave the user's settings and autosaves alone
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings=settings, autosave_dir=Path(tmp) / "autosave")
        window.resize(*size)
        window.show()
        window.build_workspace(path, offer_recovery=False)
        ws = window.workspace
        assert ws is not None
        if window.findChild(object, "errorMessage") is not None:
            raise UserError(window.statusBar().currentMessage())
        if tab and not ws.show_tab(tab):
            raise UserError(f"--tab {tab}: expected one of {', '.join(TAB_KEYS)}")
        from PySide6.QtCore import QEventLoop, QTimer

        for _ in range(2):  # the analysis (the charts follow it), then what-if answers
            ws.runner.wait()
            ws.whatif.runner.wait()
            app.processEvents()
            settle = QEventLoop()
            QTimer.singleShot(250, settle.quit)
            settle.exec()
        image = window.grab().toImage()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        atomic_write_bytes(out, bytes(buffer.data()))
        if window.autosaver is not None:
            window.autosaver.remove()
        window.setWindowModified(False)
        window.deleteLater()
        app.processEvents()
    return out
