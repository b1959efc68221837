"""Value limits a scenario must keep before its model is validated, and why each exists.

Validation alone lets `p50_ms: true` through as 1 ms and accepts values near 1e308 that turn
into infinity (then NaN) once multiplied by `calls` or summed over stages. These limits keep
every number the analysis computes finite; each is documented in the README.
"""

from __future__ import annotations

import math
import typing
from functools import cache
from typing import Any

MAX_MS = 1e9  # about 11.6 days: any latency, per call or per stage
MAX_RPS = 1e7  # ten million requests per second at peak
MAX_NUMBER = 1e12  # every other number (costs, items, facts, model sizes)
# fields whose own validator refuses a boolean with a better message (the allowed values)
OWN_BOOLEAN_CHECK = frozenset({"percentile", "presence"})


def check_values(data: Any, path: tuple = ()) -> tuple[tuple, str] | None:
    """The first (field path, problem) of a value out of its limits, or None."""
    if isinstance(data, dict):
        for key, value in data.items():
            found = check_values(value, (*path, key))
            if found:
                return found
        return None
    if isinstance(data, list):
        for index, value in enumerate(data):
            found = check_values(value, (*path, index))
            if found:
                return found
        return None
    name = next((p for p in reversed(path) if isinstance(p, str)), "")
    if isinstance(data, str) and name in _typed_fields(float) | _typed_fields(int):
        try:  # validation reads "1.7e308" as a number too: hold it to the same limits
            data = float(data.replace("_", ""))
        except ValueError:
            return None
        if not math.isfinite(data):
            return path, "must be a finite number"
    if isinstance(data, bool):
        if "facts" in path or name in OWN_BOOLEAN_CHECK or name in _typed_fields(bool):
            return None
        return path, f"must be a number, not {str(data).lower()}"
    if isinstance(data, int | float):
        if name.endswith("_ms") and abs(data) > MAX_MS:
            return path, f"at most {MAX_MS:.0e} ms (about 11 days) is allowed (got {data:.3g})"
        if name.endswith("_rps") and abs(data) > MAX_RPS:
            return path, f"at most {MAX_RPS:.0e} requests per second is allowed (got {data:.3g})"
        if abs(data) > MAX_NUMBER:
            return path, f"at most {MAX_NUMBER:.0e} is allowed here (got {data:.3g})"
    return None


@cache
def _typed_fields(wanted: type) -> frozenset[str]:
    """Names of scenario fields whose type admits `wanted` (read from the models)."""
    from pydantic import BaseModel

    from latency_advisor.scenario import Scenario

    names: set[str] = set()
    seen: set[type] = set()

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for field_name, info in model.model_fields.items():
            for kind in _leaf_types(info.annotation):
                if kind is wanted:
                    names.add(field_name)
                elif isinstance(kind, type) and issubclass(kind, BaseModel):
                    visit(kind)

    visit(Scenario)
    return frozenset(names)


def _leaf_types(annotation: Any) -> list[Any]:
    args = typing.get_args(annotation)
    if not args:
        return [annotation]
    out = []
    for arg in args:
        out += _leaf_types(arg)
    return out
