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

    _fix_to_unicode_for_astral_characters()
    folder = font_folder()
    for name in (REGULAR, BOLD, ITALIC, BOLD_ITALIC, MONO):
        pdfmetrics.registerFont(TTFont(name, str(folder / f"{name}.ttf")))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, ITALIC)
    addMapping(REGULAR, 1, 1, BOLD_ITALIC)
    return REGULAR


def keep_text(text: str) -> None:
    """Let characters the font lacks still reach the PDF's text layer (drawn as a box).

    reportlab sends a character missing from the font to code 0, and the character is lost
    for search, copy and screen readers. Mapping it to the font's 'missing' glyph instead keeps
    its Unicode value in the PDF's ToUnicode table.
    """
    from reportlab.pdfbase import pdfmetrics

    register_fonts()
    for name in (REGULAR, BOLD, ITALIC, BOLD_ITALIC):
        face = pdfmetrics.getFont(name).face
        glyphs, widths = face.charToGlyph, face.charWidths
        for char in set(text):
            code = ord(char)
            if code >= 32 and code not in glyphs:
                glyphs[code] = 0
                widths[code] = widths.get(0xFFFD, face.defaultWidth)


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap, with characters beyond U+FFFF written as UTF-16 pairs."""
    entries = [
        f"<{i:02X}> <{chr(v).encode('utf-16-be').hex().upper()}>" for i, v in enumerate(subset)
    ]
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *entries,
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


def _fix_to_unicode_for_astral_characters() -> None:
    """reportlab 5.1 writes U+1F680 as <1F680>, which is not UTF-16: emoji vanish from the
    text layer. Its CMap builder is a module function, so the corrected one replaces it."""
    from reportlab.pdfbase import ttfonts

    ttfonts.makeToUnicodeCMap = _to_unicode_cmap
