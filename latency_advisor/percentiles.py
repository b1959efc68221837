"""Reading a percentile the way people write it: `p99.9`, `P95`, `99.9`, `95%` all mean one thing.

The app and the PDF print "p95"; a user who copies that into a scenario file or onto the
command line must not be told it is not a number. Standard library only, so the command line's
option parsing can use it without importing the scenario models.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable, Iterable

_WRITTEN = re.compile(r"\s*[pP]?\s*(\d+(?:\.\d+)?)\s*%?\s*")


def parse_percentile(value: object) -> float:
    """The percentile as a number (99.9), from a number or a text such as "p99.9" or "95%"."""
    if isinstance(value, bool):
        raise ValueError("expected a percentile such as 95, p95 or 99.9, got a yes/no value")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and (match := _WRITTEN.fullmatch(value)):
        number = float(match.group(1))
    else:
        raise ValueError(f"expected a percentile such as 95, p95 or 99.9, got {value!r}")
    if not math.isfinite(number):
        raise ValueError(f"expected a percentile such as 95, p95 or 99.9, got {value!r}")
    return number


def percentile_option(allowed: Iterable[float]) -> Callable[[str], float]:
    """An argparse `type=` that takes p95, 95 or 95% and only the percentiles in `allowed`."""
    known = tuple(float(p) for p in allowed)
    words = ", ".join(f"{p:g}" for p in known)

    def parse(text: str) -> float:
        try:
            number = parse_percentile(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        if number not in known:
            raise argparse.ArgumentTypeError(f"{text!r}: expected one of {words}")
        return number

    parse.__name__ = "percentile"  # argparse names the type in its messages
    return parse
