"""The stakeholder PDF: page templates, the sections in order, byte-identical output.

`build_pdf()` returns the bytes (reportlab's invariant mode: no timestamps or random ids, so
the same scenario gives the same file); `write_report()` writes them atomically, so the output
path holds either the previous file or the complete new one.
"""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageBreak, PageTemplate

from latency_advisor import __version__
from latency_advisor.analysis import Analysis
from latency_advisor.atomic import atomic_write_bytes
from latency_advisor.report import sections
from latency_advisor.report.fonts import REGULAR, keep_text, register_fonts
from latency_advisor.report.narrative import recommended_option
from latency_advisor.report.styles import MUTED, RULE
from latency_advisor.scenario import Scenario

PAGE = A4
MARGIN = 18 * mm
HEADER = 10 * mm
FRAME_WIDTH = PAGE[0] - 2 * MARGIN


class _NumberedCanvas(Canvas):
    """Holds pages back until the end so each footer can say 'page X of Y'."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(REGULAR, 7.5)
            self.setFillColor(MUTED)
            self.drawRightString(PAGE[0] - MARGIN, 10 * mm, f"Page {self._pageNumber} of {total}")
            super().showPage()
        super().save()


def _decorations(title: str):
    """Header (not on the title page) and footer drawn on every page."""

    def header_footer(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(MUTED)
        canvas.setStrokeColor(RULE)
        if doc.page > 1:
            top = PAGE[1] - MARGIN + 4 * mm
            canvas.drawString(MARGIN, top, _fit(canvas, title, FRAME_WIDTH * 0.7))
            canvas.drawRightString(
                PAGE[0] - MARGIN, top, "Inference latency: options and tradeoffs"
            )
            canvas.line(MARGIN, top - 2 * mm, PAGE[0] - MARGIN, top - 2 * mm)
        canvas.line(MARGIN, 14 * mm, PAGE[0] - MARGIN, 14 * mm)
        canvas.drawString(MARGIN, 10 * mm, f"Prepared with Latency Advisor {__version__}")
        canvas.restoreState()

    return header_footer


def _fit(canvas: Canvas, text: str, width: float) -> str:
    """Shorten text with an ellipsis until it fits `width` points in the header font."""
    text = " ".join(text.split())
    if canvas.stringWidth(text, REGULAR, 7.5) <= width:
        return text
    while text and canvas.stringWidth(text + "…", REGULAR, 7.5) > width:
        text = text[:-1]
    return text + "…"


def _template(scenario: Scenario, out: io.BytesIO) -> BaseDocTemplate:
    doc = BaseDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER,
        bottomMargin=MARGIN + 4 * mm,
        title=scenario.name,
        subject="Inference latency: options and tradeoffs",
        author="Latency Advisor",
        creator=f"Latency Advisor {__version__}",
        invariant=1,
        lang="en",
    )
    body = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    title_frame = Frame(
        doc.leftMargin, doc.bottomMargin, doc.width, doc.height + HEADER, id="title"
    )
    draw = _decorations(scenario.name)
    doc.addPageTemplates(
        [
            PageTemplate(id="title", frames=[title_frame], onPage=draw),
            PageTemplate(id="body", frames=[body], onPage=draw),
        ]
    )
    return doc


def build_pdf(scenario: Scenario, analysis: Analysis, *, source: Path | None = None) -> bytes:
    """The whole report as PDF bytes; `source` (the scenario's path) locates attached benches."""
    register_fonts()
    keep_text(scenario.name)  # the page header draws it outside any Paragraph
    width = FRAME_WIDTH
    choice = recommended_option(analysis, scenario)
    story = [
        *sections.title_page(analysis, scenario, choice, width),
        NextPageTemplate("body"),
        PageBreak(),
        *sections.budget_section(analysis, width),
        *sections.options_section(analysis, scenario, choice, width),
        *sections.plan_section(analysis, width),
        *sections.risks_section(analysis, scenario, choice, width),
        *sections.rollout_section(analysis, scenario, width),
        *sections.assumptions_section(analysis, scenario, width),
    ]
    appendix = sections.measurement_appendix(scenario, width, source)
    story += appendix
    story += sections.glossary_section(width, "B" if appendix else "A")
    out = io.BytesIO()
    _template(scenario, out).build(story, canvasmaker=_NumberedCanvas)
    return out.getvalue()


def write_report(
    scenario: Scenario, analysis: Analysis, path: str | Path, *, source: Path | None = None
) -> int:
    """Build the report, then replace `path` with it in one step; returns the size in bytes."""
    data = build_pdf(scenario, analysis, source=source)
    atomic_write_bytes(path, data)
    return len(data)
