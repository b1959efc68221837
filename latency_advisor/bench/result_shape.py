"""The shape a benchmark result file must have before anything reads it (`bench --attach`).

A file made elsewhere may be damaged or hand-edited: every field the calibration reads is
checked here for its type and range, so a bad file is refused naming the file and the field
instead of failing somewhere inside with an IndexError or a KeyError.
"""

from __future__ import annotations

import math
from typing import Any

MAX_RESULT_ROWS = 10_000


def shape_problem(data: Any, fmt: str) -> str | None:
    """The first problem with a result document, as 'field: what is wrong', or None."""
    if not isinstance(data, dict) or data.get("format") != fmt:
        got = data.get("format") if isinstance(data, dict) else type(data).__name__
        return f"format: expected {fmt!r}, got {got!r}"
    if not isinstance(data.get("model", ""), str):
        return "model: expected a string"
    machine = data.get("machine", {})
    if not isinstance(machine, dict):
        return "machine: expected an object"
    flags = machine.get("flags", [])
    if not isinstance(flags, list) or not all(isinstance(f, str) for f in flags):
        return "machine.flags: expected a list of strings"
    rows = data.get("results")
    if not isinstance(rows, list) or not rows:
        return "results: expected a non-empty list of measured variants"
    if len(rows) > MAX_RESULT_ROWS:
        return f"results: more than {MAX_RESULT_ROWS:,} variants; is this a result file?"
    for i, row in enumerate(rows):
        problem = _row_problem(row)
        if problem:
            return f"results[{i}]{problem}"
    return None


def _row_problem(row: Any) -> str | None:
    if not isinstance(row, dict):
        return ": expected an object"
    for key in ("variant", "batch", "p50_ms", "speedup_vs_baseline"):
        if key not in row:
            return f".{key}: missing"
    for key in ("variant", "lever", "opt_level"):
        if key in row and row[key] is not None and not isinstance(row[key], str):
            return f".{key}: expected a string, got {row[key]!r:.40}"
    for key in ("batch", "threads"):
        if key in row and not (_is_int(row[key]) and row[key] >= 1):
            return f".{key}: expected a whole number >= 1, got {row[key]!r:.40}"
    for key in ("p50_ms", "speedup_vs_baseline"):
        if not (_is_number(row[key]) and row[key] > 0):
            return f".{key}: expected a positive number, got {row[key]!r:.40}"
    diff = row.get("max_abs_output_diff")
    if diff is not None and not (_is_number(diff) and diff >= 0):
        return f".max_abs_output_diff: expected a number >= 0 or null, got {diff!r:.40}"
    for key in ("speedup_ci", "p50_ci_ms"):
        ci = row.get(key)
        if ci is None:
            continue
        if not isinstance(ci, list) or len(ci) != 2:
            return f".{key}: expected [low, high], got {ci!r:.40}"
        if not all(v is None or (_is_number(v) and v > 0) for v in ci):
            return f".{key}: expected positive numbers or null, got {ci!r:.40}"
    return None


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and abs(value) <= 1e12
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value <= 1_000_000
