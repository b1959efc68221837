"""The PDF's fonts: DejaVu Sans from matplotlib's data folder, so text beyond Latin-1 prints.

The standard PDF fonts stop at Latin-1; DejaVu covers Latin, Greek, Cyrillic and many symbols.
For what it lacks (CJK above all) a fallback TrueType font is used where the machine has one
(a common system font, or the file named by LATENCY_ADVISOR_FALLBACK_FONT); characters no font
has (emoji, usually) still go into the text layer (search, copy, screen readers) but are drawn
as a box.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import cache
from pathlib import Path

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
ITALIC = "DejaVuSans-Oblique"
BOLD_ITALIC = "DejaVuSans-BoldOblique"
MONO = "DejaVuSansMono"
FALLBACK = "LatencyAdvisorFallback"
FALLBACK_ENV = "LATENCY_ADVISOR_FALLBACK_FONT"
# TrueType-outline fonts with wide CJK coverage (reportlab cannot embed CFF-outline OpenType)
FALLBACK_CANDIDATES = (
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simsun.ttc",
    "C:/Windows/Fonts/malgun.ttf",
)


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


@cache
def native_chars() -> frozenset[int]:
    """The code points DejaVu Sans draws, before `keep_text` adds any."""
    from reportlab.pdfbase import pdfmetrics

    register_fonts()
    return frozenset(pdfmetrics.getFont(REGULAR).face.charToGlyph)


def fallback_chars() -> frozenset[int]:
    """The code points of the fallback font, registered on first use; empty when none."""
    return fallback_font()[1]


@cache
def fallback_font() -> tuple[str, frozenset[int]]:
    """(registered name, code points) of the fallback font; ("", empty) when there is none.

    The name carries a digest of the file's path: reportlab never replaces a TrueType font
    registered under a name it already knows, so one name for every file would keep the first
    file found in this process (a system CJK font) even after the environment names another.
    """
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    named = os.environ.get(FALLBACK_ENV)
    for path in [named] if named else FALLBACK_CANDIDATES:
        if not Path(path).is_file():
            continue
        name = f"{FALLBACK}-{hashlib.sha256(path.encode()).hexdigest()[:10]}"
        try:
            font = TTFont(name, path)
        except Exception:  # not a usable TrueType file: try the next one
            continue
        pdfmetrics.registerFont(font)
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(name, bold, italic, name)
        return name, frozenset(font.face.charToGlyph)
    return "", frozenset()


def with_fallback(markup: str) -> str:
    """Wrap runs of characters DejaVu lacks but the fallback font has in a font tag.

    `markup` is already escaped: entities and tags are ASCII, so a run never cuts one.
    """
    name, extra = fallback_font()
    if not extra or markup.isascii():
        return markup
    native = native_chars()

    def wrap(match: re.Match[str]) -> str:
        return f'<font name="{name}">{match.group(0)}</font>'

    pattern = _run_pattern(native, extra, markup)
    return pattern.sub(wrap, markup) if pattern is not None else markup


def _run_pattern(native: frozenset[int], extra: frozenset[int], text: str) -> re.Pattern | None:
    wanted = sorted({c for c in map(ord, text) if c not in native and c in extra})
    if not wanted:
        return None
    chars = "".join(re.escape(chr(c)) for c in wanted)
    return re.compile(f"[{chars}]+")


def keep_text(text: str) -> None:
    """Let characters the font lacks still reach the PDF's text layer (drawn as a box).

    reportlab sends a character missing from the font to code 0, and the character is lost
    for search, copy and screen readers. Mapping it to the font's 'missing' glyph instead keeps
    its Unicode value in the PDF's ToUnicode table.
    """
    from reportlab.pdfbase import pdfmetrics

    native_chars()  # remember what the font really draws before adding to it
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
