"""Round tick values for a chart's value axis, in a module of their own.

Kept apart from the chart specs so that a light module (the Benchmarks tab's speedup chart)
can use them without importing the analysis, numpy and the latency model.
"""

from __future__ import annotations

from math import floor, log10


def nice_ticks(upper: float, most: int = 7) -> list[float]:
    """Round tick values from 0 to `upper` (1, 2, 2.5 or 5 times a power of ten), at most `most`."""
    if upper <= 0:
        return [0.0]
    raw = upper / max(most - 1, 1)
    power = 10.0 ** floor(log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return [i * step for i in range(int(upper / step + 1e-9) + 1)]
