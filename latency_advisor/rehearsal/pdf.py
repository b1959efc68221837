"""The talk track as a short PDF, built with the report's fonts, styles and safe text.

One or two pages: the key figures the answer quotes, then the six steps, then the questions to
prepare for. Byte-identical for the same input (reportlab's invariant mode), written atomically.
"""

from __future__ import annotations

import io
from pathlib import Path

from latency_advisor.analysis import Analysis
from latency_advisor.atomic import atomic_write_bytes
from latency_advisor.rehearsal.markdown import spoken_time
from latency_advisor.rehearsal.talk_track import TalkTrack
from latency_advisor.rehearsal.wording import ms, pct_label, share


def build_talk_track_pdf(
    track: TalkTrack, analysis: Analysis, questions: list[str] | None = None
) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    from latency_advisor import __version__
    from latency_advisor.report.fonts import register_fonts
    from latency_advisor.report.styles import grid_style, styles
    from latency_advisor.report.text import esc

    register_fonts()
    st = styles()
    heading = ParagraphStyle("rehearsal-h2", parent=st.h2, keepWithNext=1)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Talk track: {track.scenario}",
        subject="Rehearsal: the structured answer",
        author="Latency Advisor",
        creator=f"Latency Advisor {__version__}",
        invariant=1,
        lang="en",
    )
    story: list = [
        Paragraph(esc(f"Talk track: {track.scenario}"), st.title),
        Paragraph(
            esc(
                f"{track.length.label}: {track.words} words, about "
                f"{spoken_time(track.speaking_seconds)} spoken at a relaxed pace"
            ),
            st.subtitle,
        ),
    ]
    rows = [
        [Paragraph("Figure", st.cell_head), Paragraph("Value", st.cell_head)],
        *[
            [Paragraph(esc(k), st.cell), Paragraph(esc(v), st.cell)]
            for k, v in key_figures(analysis)
        ],
    ]
    table = Table(rows, colWidths=[60 * mm, doc.width - 60 * mm], hAlign="LEFT")
    table.setStyle(grid_style())
    story += [table, Spacer(1, 4 * mm)]
    if track.intro:
        story.append(Paragraph(esc(track.intro), st.body))
    for number, step in enumerate(track.steps, 1):
        story.append(Paragraph(esc(f"{number}. {step.step.title}"), heading))
        story.append(Paragraph(esc(step.text), st.body))
    if questions:
        story.append(Paragraph("Questions to prepare for", heading))
        story += [Paragraph(esc(q), st.bullet, bulletText="•") for q in questions]
    doc.build(story)
    return out.getvalue()


def key_figures(a: Analysis) -> list[tuple[str, str]]:
    """The numbers the answer rests on, as (label, value) rows."""
    c = a.current
    pct = pct_label(a.sla.percentile)
    rows = [
        ("Target", f"{pct} ≤ {ms(a.sla.target_ms)} ({a.sla.workload})"),
        (f"Today at {pct}", ms(c.at_sla_percentile_ms) if c.steady_state else "no steady state"),
    ]
    if not c.steady_state:
        rows.append(("Utilization at peak", share(c.utilization)))
    elif a.meets_sla:
        rows.append(("Headroom", ms(a.headroom_ms)))
    else:
        rows.append(("Gap to close", ms(a.gap_ms)))
    rows.append(("Bottleneck", f"{a.bottleneck.stage} ({share(a.bottleneck.share)})"))
    if a.recommendations:
        first = a.recommendations[0]
        low, high = first.saving_ms
        rows.append(("First fix", f"{first.title} (saves {ms(low)} to {ms(high)})"))
    return rows


def write_talk_track_pdf(
    path: str | Path, track: TalkTrack, analysis: Analysis, questions: list[str] | None = None
) -> int:
    """Build, then replace `path` in one step; returns the size in bytes."""
    data = build_talk_track_pdf(track, analysis, questions)
    atomic_write_bytes(path, data)
    return len(data)
