"""What the app remembers between runs: recent files, geometry, theme, autosave folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

MAX_RECENT = 8


def default_settings() -> QSettings:
    return QSettings("Latency Advisor", "Latency Advisor")


def default_autosave_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".latency-advisor") / "autosave"


def recent_files(settings: QSettings) -> list[str]:
    value = settings.value("recentFiles", [])
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in (value or [])]


def add_recent(settings: QSettings, path: Path) -> list[str]:
    entry = str(Path(path).resolve())
    files = [f for f in recent_files(settings) if f != entry]
    files.insert(0, entry)
    del files[MAX_RECENT:]
    settings.setValue("recentFiles", files)
    return files
