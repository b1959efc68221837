"""Talk tracks as text: Markdown for export, plain text for the terminal.

User strings (scenario and stage names) are escaped so a name with `*` or `[` cannot change the
document's structure.
"""

from __future__ import annotations

import re

from latency_advisor.rehearsal.talk_track import TalkTrack

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def spoken_time(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def talk_track_markdown(track: TalkTrack, questions: list[str] | None = None) -> str:
    """One talk track as a Markdown document: a heading per step, one paragraph each."""
    lines = [
        f"# Talk track: {escape(track.scenario)}",
        "",
        f"*{track.length.label}: {track.words} words, about {spoken_time(track.speaking_seconds)} "
        "spoken at a relaxed pace.*",
        "",
    ]
    if track.intro:
        lines += [escape(track.intro), ""]
    for number, st in enumerate(track.steps, 1):
        lines += [f"## {number}. {st.step.title}", "", escape(st.text), ""]
    if questions:
        lines += ["## Questions to prepare for", ""]
        lines += [f"- {escape(q)}" for q in questions]
        lines.append("")
    return "\n".join(lines)


def talk_track_text(track: TalkTrack) -> str:
    """The track for a terminal: numbered step titles over their paragraphs."""
    head = f"{track.scenario}\n{track.length.label}: {track.words} words, about "
    head += f"{spoken_time(track.speaking_seconds)} spoken"
    parts = [head]
    if track.intro:
        parts.append(track.intro)
    for number, st in enumerate(track.steps, 1):
        parts.append(f"{number}. {st.step.title.upper()}\n{st.text}")
    return "\n\n".join(parts) + "\n"
