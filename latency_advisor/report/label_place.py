"""Where a point's label goes so that it covers no marker, no other label and no fixed text.

Shared by the app's painted charts and the PDF's matplotlib ones, so both follow one rule:
place the label beside its point, then nudge it further out, and where no free spot is left
give up (None): the chart's numbered legend is then the key for that point, never a label
drawn over another. Plain geometry in any unit with y growing downwards (screen pixels).
"""

from __future__ import annotations

from collections.abc import Sequence

Rect = tuple[float, float, float, float]
"""left, top, right, bottom."""

# beside the point first (upper right, right, upper left, left), then below, then above/under
DIRECTIONS: tuple[tuple[int, int], ...] = (
    (1, -1),
    (1, 0),
    (-1, -1),
    (-1, 0),
    (1, 1),
    (-1, 1),
    (0, -1),
    (0, 1),
)
RINGS: tuple[float, ...] = (1.0, 1.8, 2.8)
"""How far out a label may be nudged, in multiples of the clearance."""


def overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(a: Rect, bounds: Rect) -> bool:
    return bounds[0] <= a[0] and a[2] <= bounds[2] and bounds[1] <= a[1] and a[3] <= bounds[3]


def square(x: float, y: float, radius: float) -> Rect:
    """The box around a round marker."""
    return (x - radius, y - radius, x + radius, y + radius)


def _spot(x: float, y: float, w: float, h: float, dx: int, dy: int, d: float) -> Rect:
    left = x + d if dx > 0 else x - d - w if dx < 0 else x - w / 2
    top = y + d if dy > 0 else y - d - h if dy < 0 else y - h / 2
    return (left, top, left + w, top + h)


def place_labels(
    anchors: Sequence[tuple[float, float]],
    sizes: Sequence[tuple[float, float]],
    obstacles: Sequence[Rect],
    bounds: Rect,
    clearance: float,
    gap: float = 1.0,
) -> list[Rect | None]:
    """A box for each label (in the anchors' order), or None where none is free.

    `obstacles` are the markers and fixed texts no label may cover; `clearance` is how far from
    its anchor a label starts (a marker's radius and a little); `gap` keeps labels apart.
    """
    taken = list(obstacles)
    out: list[Rect | None] = []
    for (x, y), (w, h) in zip(anchors, sizes, strict=True):
        chosen = None
        for ring in RINGS:
            for dx, dy in DIRECTIONS:
                spot = _spot(x, y, w, h, dx, dy, clearance * ring)
                padded = (spot[0] - gap, spot[1] - gap, spot[2] + gap, spot[3] + gap)
                if inside(spot, bounds) and not any(overlaps(padded, t) for t in taken):
                    chosen = spot
                    break
            if chosen is not None:
                break
        out.append(chosen)
        if chosen is not None:
            taken.append(chosen)
    return out
