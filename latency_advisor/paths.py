"""Where the bundled data lives: a source checkout, an installed wheel, or a frozen app."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_root() -> Path:
    """The folder that holds `rules/` and `resources/`."""
    candidates = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates.append(Path(frozen) / "latency_advisor" / "_data")
    candidates += [_PACKAGE / "_data", _PACKAGE.parent]
    for root in candidates:
        if (root / "rules").is_dir() and (root / "resources").is_dir():
            return root
    raise FileNotFoundError(
        "cannot find the bundled rules/ and resources/ folders; looked in "
        + ", ".join(str(c) for c in candidates)
    )


def rules_dir() -> Path:
    return data_root() / "rules"


def resources_dir() -> Path:
    return data_root() / "resources"


def examples_dir() -> Path:
    return resources_dir() / "examples"


def example(name: str) -> Path:
    """A bundled example by stem (`rag_assistant`) or file name."""
    folder = examples_dir()
    for candidate in (folder / name, folder / f"{name}.yaml", folder / f"{name}.json"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no bundled example named {name!r} in {folder}")
