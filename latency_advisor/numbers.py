"""One way to write a number, for the terminal, the app and the PDF alike.

A user compares the figure the command line prints with the one in the window and the one in
the handout: they must read the same ("3,222 ms" everywhere, never "3222" in one place and
"3,222.0" in another). Plain Python, no Qt and no numpy, so every layer can use it.
"""

from __future__ import annotations

import math

OVERLOAD = 10.0
"""Above this utilization (1,000%) the exact figure means nothing: it reads "over 10×"."""


def fmt_number(value: float) -> str:
    """Thousands separators and the digits the magnitude deserves: 3,222 · 37.3 · 7.94 · 0.031."""
    if not math.isfinite(value):
        return "—"
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return _trim(f"{value:.1f}")
    if size >= 1:
        return _trim(f"{value:.2f}")
    if size < 0.0005:
        return "0"
    return _trim(f"{value:.3f}" if size >= 0.01 else f"{value:.4f}")


def _trim(text: str) -> str:
    """Drop zeros after the point that carry nothing: 7.50 → 7.5, 12.0 → 12."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt_ms(value: float) -> str:
    return f"{fmt_number(value)} ms"


def fmt_ms_range(low: float, high: float) -> str:
    """One figure when both ends print alike, else `low–high ms`."""
    lo, hi = fmt_number(low), fmt_number(high)
    return f"{lo} ms" if lo == hi else f"{lo}–{hi} ms"


def fmt_pct(fraction: float) -> str:
    """A fraction as a percentage with at most one decimal: 59.4% · 3.2% · 100%."""
    if not math.isfinite(fraction):
        return "—"
    return f"{_trim(f'{fraction * 100:,.1f}')}%"


def fmt_utilization(utilization: float) -> str:
    """Utilization as a percentage, or "over 10×" once the figure stops meaning anything."""
    if not math.isfinite(utilization) or utilization > OVERLOAD:
        return f"over {OVERLOAD:g}×"
    return fmt_pct(utilization)


def fmt_tick(value: float) -> str:
    """An axis tick with the decimals it needs and no more: 1,000 · 2.5 · 0.25."""
    return _trim(f"{value:,.2f}")
