"""User text made safe for reportlab's Paragraph markup: it prints exactly as typed.

Paragraph parses a small XML dialect: an unescaped `<` breaks the build, and `<img src=...>`
would make it fetch a file or a URL. Every string that came from a user goes through `esc`.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from latency_advisor.numbers import fmt_ms
from latency_advisor.report.fonts import keep_text, with_fallback

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def esc(text: object) -> str:
    """Escape markup, drop control characters, keep line breaks as breaks."""
    clean = _CONTROL.sub("", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    keep_text(clean)
    return with_fallback(escape(clean).replace("\n", "<br/>"))


def ms(value: float) -> str:
    """A latency for prose, written as everywhere else (the shared number format)."""
    return fmt_ms(value)


def days(span: tuple[float, float]) -> str:
    low, high = span
    return f"{low:g} days" if low == high else f"{low:g}–{high:g} days"


def pct(percentile: float) -> str:
    return f"p{percentile:g}"
