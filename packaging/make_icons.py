"""Render the app icon's PNG sizes from resources/icons/latency-advisor.svg (run after editing it).

.venv/bin/python packaging/make_icons.py
"""

from __future__ import annotations

import os
from pathlib import Path

SIZES = (16, 32, 48, 64, 128, 256, 512)
ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication([])  # noqa: F841  (Qt needs an application to paint)
    renderer = QSvgRenderer(str(ICONS / "latency-advisor.svg"))
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        image.save(str(ICONS / f"latency-advisor-{size}.png"))
        print(ICONS / f"latency-advisor-{size}.png")


if __name__ == "__main__":
    main()
