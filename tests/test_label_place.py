"""The shared label placer: place, nudge, else give up; never a label over a marker or label."""

from __future__ import annotations

import random

import pytest

from latency_advisor.report.label_place import inside, overlaps, place_labels, square


def _scatter(seed: int, count: int, spread: float) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    return [
        (200 + rng.uniform(-spread, spread), 150 + rng.uniform(-spread, spread))
        for _ in range(count)
    ]


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(("count", "spread"), [(1, 10), (4, 15), (8, 30), (8, 8), (20, 60)])
def test_placed_labels_cover_nothing_and_stay_inside(seed, count, spread) -> None:
    points = _scatter(seed, count, spread)
    markers = [square(x, y, 7) for x, y in points]
    bounds = (0.0, 0.0, 400.0, 300.0)
    spots = place_labels(points, [(8.0, 12.0)] * count, markers, bounds, clearance=8)
    placed = [s for s in spots if s is not None]
    for i, spot in enumerate(placed):
        assert inside(spot, bounds)
        assert not any(overlaps(spot, m) for m in markers)
        assert not any(overlaps(spot, other) for other in placed[i + 1 :])


def test_a_lone_point_gets_its_label_at_the_first_place_beside_it() -> None:
    (spot,) = place_labels([(100, 100)], [(8, 12)], [square(100, 100, 5)], (0, 0, 300, 300), 6)
    assert spot == (106, 82, 114, 94)  # upper right, just clear of the marker


def test_a_label_is_nudged_out_before_it_is_given_up() -> None:
    """Every spot on the first ring is taken by a wall of obstacles; the second ring is free."""
    walls = [(84.0, 80.0, 116.0, 120.0)]  # covers the first ring's spots, not the second's
    (spot,) = place_labels([(100, 100)], [(6, 10)], walls, (0, 0, 300, 300), 10)
    assert spot is not None and not overlaps(spot, walls[0])


def test_no_room_at_all_gives_none_for_the_legend_to_key() -> None:
    spots = place_labels([(10, 10)], [(8, 12)], [(0, 0, 100, 100)], (0, 0, 100, 100), 6)
    assert spots == [None]
