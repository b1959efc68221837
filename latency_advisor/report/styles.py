"""Paragraph and table styles of the PDF: one light look, whatever the app's theme."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import TableStyle

from latency_advisor.report.fonts import BOLD, REGULAR, register_fonts

INK = colors.HexColor("#1F2328")
MUTED = colors.HexColor("#57606A")
RULE = colors.HexColor("#D0D7DE")
HEAD_BG = colors.HexColor("#F0F3F6")
ACCENT = colors.HexColor("#0969DA")
GOOD = colors.HexColor("#1A7F37")
BAD = colors.HexColor("#CF222E")
GOOD_BG = colors.HexColor("#DAFBE1")
BAD_BG = colors.HexColor("#FFEBE9")


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    bullet: ParagraphStyle
    callout: ParagraphStyle


@cache
def styles() -> Styles:
    register_fonts()
    body = ParagraphStyle(
        "body", fontName=REGULAR, fontSize=9.5, leading=13.5, textColor=INK, spaceAfter=5
    )
    return Styles(
        title=ParagraphStyle(
            "title", parent=body, fontName=BOLD, fontSize=20, leading=25, spaceAfter=6
        ),
        subtitle=ParagraphStyle(
            "subtitle", parent=body, fontSize=11.5, leading=15, textColor=MUTED, spaceAfter=14
        ),
        h1=ParagraphStyle(
            "h1",
            parent=body,
            fontName=BOLD,
            fontSize=14,
            leading=18,
            spaceBefore=10,
            spaceAfter=6,
            textColor=ACCENT,
        ),
        h2=ParagraphStyle(
            "h2", parent=body, fontName=BOLD, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4
        ),
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=10.5, textColor=MUTED),
        cell=ParagraphStyle("cell", parent=body, fontSize=8, leading=10, spaceAfter=0),
        cell_head=ParagraphStyle(
            "cell_head", parent=body, fontName=BOLD, fontSize=8, leading=10, spaceAfter=0
        ),
        bullet=ParagraphStyle(
            "bullet",
            parent=body,
            leftIndent=12,
            bulletIndent=2,
            spaceAfter=3,
            bulletFontName=REGULAR,
        ),
        callout=ParagraphStyle(
            "callout",
            parent=body,
            fontSize=10.5,
            leading=15,
            spaceBefore=0,
            spaceAfter=0,
        ),
    )


def grid_style(header_rows: int = 1) -> TableStyle:
    return TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, header_rows - 1), 0.8, INK),
            ("LINEBELOW", (0, header_rows), (-1, -1), 0.3, RULE),
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD_BG),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ]
    )
