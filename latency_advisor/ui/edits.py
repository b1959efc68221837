"""Turn a user's edit of one field into a new, validated scenario, or a hint why not.

Widgets never build scenarios by hand: they name the field and the typed text, and this module
parses it, validates the whole scenario with the core's rules and returns either the new
scenario or a short hint to show in place ("p95 must be at least p50 (300 ms)").
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

from latency_advisor.scenario import ModelInfo, Scenario, ScenarioError, validate_scenario


class EditRefused(ValueError):
    """A typed value the scenario cannot take; the message is the hint for the user."""


def with_data(scenario: Scenario, mutate: Callable[[dict[str, Any]], None]) -> Scenario:
    """Apply `mutate` to the scenario's plain data and validate the result."""
    data = scenario.model_dump(mode="python")
    mutate(data)
    try:
        return validate_scenario(data)
    except ScenarioError as exc:
        where = f"{exc.field}: " if exc.field else ""
        raise EditRefused(f"{where}{exc.message}") from None


def parse_ms(text: str, label: str, *, optional: bool) -> float | None:
    """A duration typed in milliseconds ("120", "120 ms", "1.5e3"); blank clears optional ones."""
    cleaned = text.strip().lower().removesuffix("ms").strip().replace(",", "")
    if not cleaned:
        if optional:
            return None
        raise EditRefused(f"{label} is required: type a duration in milliseconds, e.g. 120")
    try:
        value = float(cleaned)
    except ValueError:
        raise EditRefused(
            f"{label} expects a number of milliseconds, e.g. 120 (got {text.strip()!r})"
        ) from None
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        raise EditRefused(f"{label} must be a finite number of milliseconds, 0 or more")
    return value


def parse_percent_of_requests(text: str, label: str) -> float | None:
    """A share of requests typed in percent ("30", "30 %", "0.5"), as a fraction of 1.

    Blank or 100 means every request (None), so a scenario does not grow a `presence` key for
    a stage on every request.
    """
    cleaned = text.strip().removesuffix("%").strip().replace(",", ".")
    if not cleaned:
        return None
    hint = f"{label} expects a percentage above 0 and at most 100, e.g. 30 (blank: every request)"
    try:
        value = float(cleaned)
    except ValueError:
        raise EditRefused(f"{hint}; got {text.strip()!r}") from None
    if value != value or not 0 < value <= 100:
        raise EditRefused(hint)
    return None if value == 100 else value / 100.0


def parse_int(text: str, label: str, low: int, high: int) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise EditRefused(f"{label} expects a whole number from {low} to {high}") from None
    if not low <= value <= high:
        raise EditRefused(f"{label} expects a whole number from {low} to {high}")
    return value


def literal_choices(model: type, field: str) -> list[str]:
    """The words a Literal field (possibly Optional) accepts, in declaration order."""
    words: list[str] = []

    def walk(annotation: Any) -> None:
        for arg in typing.get_args(annotation):
            if isinstance(arg, str):
                words.append(arg)
            else:
                walk(arg)

    walk(model.model_fields[field].annotation)
    return words


MODEL_CHOICES: dict[str, list[str]] = {
    name: literal_choices(ModelInfo, name)
    for name in ("family", "precision", "runtime", "hardware", "batching")
}
