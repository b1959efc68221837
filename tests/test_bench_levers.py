"""Lever selection: the baseline always, then exactly the variants the chosen levers move."""

from __future__ import annotations

import pytest

from latency_advisor.bench.levers import LEVER_KEYS, QUICK_LEVERS, UnknownLever, only_levers
from latency_advisor.bench.variants import default_grid


def full_grid():
    return default_grid(cores=4, vnni=True, batch_dynamic=True, quick=False)


def test_no_lever_leaves_the_baseline():
    grid = full_grid()
    assert only_levers(grid, []) == grid[:1]


def test_every_lever_is_the_full_grid():
    grid = full_grid()
    assert only_levers(grid, LEVER_KEYS) == grid


def test_each_lever_picks_its_own_variants():
    grid = full_grid()
    seen = []
    for key in LEVER_KEYS:
        picked = only_levers(grid, [key])[1:]
        assert picked, key
        seen += picked
    assert sorted(v.name for v in seen) == sorted(v.name for v in grid[1:])  # a partition


def test_quick_levers_cover_the_quick_grid():
    quick = default_grid(cores=4, vnni=True, batch_dynamic=True, quick=True)
    names = {v.name for v in only_levers(full_grid(), QUICK_LEVERS)}
    assert {v.name for v in quick} <= names


def test_unknown_lever_is_refused():
    with pytest.raises(UnknownLever, match="int4"):
        only_levers(full_grid(), ["int4"])
