"""The PDF's fonts: DejaVu Sans from matplotlib's data folder, so text beyond Latin-1 prints.

The standard PDF fonts stop at Latin-1; DejaVu covers Latin, Greek, Cyrillic and many symbols.
Characters it lacks (CJK, emoji) still go into the text layer (search, copy, screen readers)
but are drawn as a box.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
ITALIC = "DejaVuSans-Oblique"
BOLD_ITALIC = "DejaVuSans-BoldOblique"
MONO = "DejaVuSansMono"


def font_folder() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@cache
def register_fonts() -> str:
    """Register the DejaVu family with reportlab once; return the regular face's name."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = font_folder()
    for name in (REGULAR, BOLD, ITALIC, BOLD_ITALIC, MONO):
        pdfmetrics.registerFont(TTFont(name, str(folder / f"{name}.ttf")))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, ITALIC)
    addMapping(REGULAR, 1, 1, BOLD_ITALIC)
    return REGULAR
