"""Strict JSON for files the tool reads: duplicate keys, huge or non-finite numbers refused.

`json.loads` keeps the last of two equal keys, turns `1e400` into infinity, spends quadratic
time on a 100,000-digit integer (or refuses it with a bare ValueError) and recurses into any
nesting. Each of these becomes a `SafeReadError` naming the field.
"""

from __future__ import annotations

import json
import math
from typing import Any

from latency_advisor.safe_yaml import MAX_DEPTH, MAX_NUMBER_CHARS, SafeReadError


def load_json(text: str) -> Any:
    """One JSON document as plain data, or SafeReadError (with the line where known)."""
    depth = _max_depth(text)
    if depth > MAX_DEPTH:
        raise SafeReadError(f"the JSON document is nested more than {MAX_DEPTH} deep")
    try:
        data = json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_int=_int,
            parse_float=_float,
            parse_constant=_constant,
        )
    except json.JSONDecodeError as exc:
        raise SafeReadError(f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    except RecursionError:
        raise SafeReadError(f"the JSON document is nested more than {MAX_DEPTH} deep") from None
    _raise_first_problem(data, ())
    return data


class _Problem:
    """A value refused while parsing, kept in place so the error can name its field."""

    def __init__(self, message: str):
        self.message = message


class _Object(dict):
    """A JSON object that had a key twice (the first such key in `twice`)."""

    twice: str | None = None


def _raise_first_problem(data: Any, path: tuple) -> None:
    if isinstance(data, _Problem):
        raise SafeReadError(data.message, field=path)
    if isinstance(data, dict):
        if isinstance(data, _Object) and data.twice is not None:
            raise SafeReadError(f"the key {data.twice!r} appears twice", field=(*path, data.twice))
        for key, value in data.items():
            _raise_first_problem(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            _raise_first_problem(value, (*path, index))


def _max_depth(text: str) -> int:
    """An upper bound of the nesting (brackets inside strings count too: only ever too high)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return 0
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return _exact_depth(text)
        elif char in "]}":
            depth -= 1
    return deepest


def _exact_depth(text: str) -> int:
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = _Object()
    for key, value in pairs:
        if key in out and out.twice is None:
            out.twice = key
        out[key] = value
    return dict(out) if out.twice is None else out


def _too_long(text: str) -> _Problem | None:
    if len(text) > MAX_NUMBER_CHARS:
        return _Problem(
            f"a number of {len(text)} characters; numbers are at most {MAX_NUMBER_CHARS} characters"
        )
    return None


def _int(text: str) -> int | _Problem:
    return _too_long(text) or int(text)


def _float(text: str) -> float | _Problem:
    problem = _too_long(text)
    if problem is not None:
        return problem
    value = float(text)
    return value if math.isfinite(value) else _Problem(f"{text} is not a finite number")


def _constant(name: str) -> _Problem:
    return _Problem(f"{name} is not a finite number")
