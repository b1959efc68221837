"""Light and dark themes that follow the system, or the user's choice from the View menu.

Qt's Fusion style draws from the application palette. `QStyleHints.setColorScheme` asks the
platform for a scheme, but not every platform honours it (offscreen rendering does not), so the
dark palette is also set explicitly; the painted charts use the matching chart theme.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

CHOICES = ("system", "light", "dark")
_SCHEMES = {
    "system": Qt.ColorScheme.Unknown,
    "light": Qt.ColorScheme.Light,
    "dark": Qt.ColorScheme.Dark,
}
_state = {"choice": "system"}


def apply(choice: str) -> None:
    """Use the system's colour scheme ("system") or force light or dark."""
    choice = choice if choice in CHOICES else "system"
    _state["choice"] = choice
    QGuiApplication.styleHints().setColorScheme(_SCHEMES[choice])
    app = QGuiApplication.instance()
    if app is None:
        return
    from PySide6.QtWidgets import QApplication

    if isinstance(app, QApplication):
        app.setPalette(dark_palette() if is_dark() else app.style().standardPalette())


def is_dark() -> bool:
    choice = _state["choice"]
    if choice != "system":
        return choice == "dark"
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def chart_theme() -> str:
    """The chart theme name ("light" or "dark") matching the window."""
    return "dark" if is_dark() else "light"


def dark_palette() -> QPalette:
    """A dark Fusion palette with enough contrast for text and selection."""
    p = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    colors = {
        role.Window: "#26282b",
        role.WindowText: "#e6e6e6",
        role.Base: "#1d1f21",
        role.AlternateBase: "#2a2d30",
        role.ToolTipBase: "#303336",
        role.ToolTipText: "#e6e6e6",
        role.Text: "#e6e6e6",
        role.Button: "#303336",
        role.ButtonText: "#e6e6e6",
        role.BrightText: "#ff6b6b",
        role.Link: "#6cb6ff",
        role.Highlight: "#3d7bd9",
        role.HighlightedText: "#ffffff",
        role.PlaceholderText: "#8b8f94",
        role.Mid: "#45494d",
        role.Dark: "#191a1c",
        role.Light: "#3a3d41",
        role.Shadow: "#000000",
    }
    for r, c in colors.items():
        p.setColor(r, QColor(c))
    for r in (role.Text, role.WindowText, role.ButtonText):
        p.setColor(group.Disabled, r, QColor("#7a7e83"))
    return p
