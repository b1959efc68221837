"""Light and dark themes that follow the system, or the user's choice from the View menu.

Qt's Fusion style draws both from the application palette; `QStyleHints.setColorScheme` switches
it, and charts are drawn with the matching matplotlib theme.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

CHOICES = ("system", "light", "dark")
_SCHEMES = {
    "system": Qt.ColorScheme.Unknown,
    "light": Qt.ColorScheme.Light,
    "dark": Qt.ColorScheme.Dark,
}


def apply(choice: str) -> None:
    """Use the system's colour scheme ("system") or force light or dark."""
    hints = QGuiApplication.styleHints()
    hints.setColorScheme(_SCHEMES.get(choice, Qt.ColorScheme.Unknown))


def is_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def chart_theme() -> str:
    """The chart theme name ("light" or "dark") matching the window."""
    return "dark" if is_dark() else "light"
