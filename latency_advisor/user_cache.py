"""Where the tool keeps what it can rebuild (compiled rules, parser tables, bytecode)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

CACHE_ENV = "LATENCY_ADVISOR_CACHE_DIR"


def cache_dir() -> Path | None:
    """The platform's user cache folder for this tool, or None when turned off (empty value)."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) if configured.strip() else None
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "latency-advisor"
