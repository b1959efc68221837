"""The compiled rule library on disk, keyed by the rule files' content, for a fast start.

Compiling the library (reading YAML, validating, parsing every condition) costs several times
what an analysis does. The result is plain data - rule specs, expression trees, numbers - kept
as JSON in the user's cache folder under the SHA-256 of the program version and every rule
file's path and bytes: any edit makes a new key, so a stale entry is never read. A missing,
unreadable or damaged entry is ignored and the library compiled afresh; an entry can hold only
data (trees evaluate through `tree_eval`'s whitelist), never code.

`LATENCY_ADVISOR_CACHE_DIR` moves the folder; set it to an empty string to turn the cache off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from latency_advisor import __version__
from latency_advisor.rules.conditions import Expression, expression_from_tree
from latency_advisor.rules.tree_eval import from_data, to_data
from latency_advisor.user_cache import CACHE_ENV, cache_dir

__all__ = ["CACHE_ENV", "cache_dir", "content_key", "read_entry", "write_entry"]

CACHE_FORMAT = "rules-cache/1"
KEEP_ENTRIES = 8


# the modules whose code decides what a compiled rule holds: a change to any of them (in a
# checkout, where the version number stays put) must not read an entry made by the old code
COMPILER_MODULES = (
    "latency_advisor.rules.loader",
    "latency_advisor.rules.schema",
    "latency_advisor.rules.conditions",
    "latency_advisor.rules.tree_eval",
    "latency_advisor.rules.facts",
    "latency_advisor.rules.library_cache",
)


def _compiler_fingerprint() -> bytes:
    """The compiler's own source (bytes of each module file; a frozen app has only its version)."""
    digest = hashlib.sha256()
    for name in COMPILER_MODULES:
        module = sys.modules.get(name)
        try:
            with open(module.__file__ or "", "rb") as handle:  # type: ignore[union-attr]
                digest.update(handle.read())
        except (AttributeError, OSError, TypeError):
            digest.update(name.encode())
    return digest.digest()


def content_key(files: list[Path], contents: list[bytes]) -> str:
    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{__version__}\0".encode())
    digest.update(_compiler_fingerprint())
    for path, data in zip(files, contents, strict=True):
        name = str(path).encode("utf-8", "surrogateescape")
        digest.update(len(name).to_bytes(8, "big") + name)
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def read_entry(key: str) -> list[dict[str, Any]] | None:
    """The cached rules for `key`, or None (no entry, or one that cannot be read)."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with open(folder / f"rules-{key}.json", encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
        return None
    rules = data.get("rules")
    return rules if isinstance(rules, list) else None


def write_entry(key: str, rules: list[dict[str, Any]]) -> None:
    """Store an entry (best effort: a read-only or full disk only costs the next start)."""
    folder = cache_dir()
    if folder is None:
        return
    target = folder / f"rules-{key}.json"
    tmp = folder / f".rules-{key}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        text = json.dumps({"format": CACHE_FORMAT, "rules": rules}, separators=(",", ":"))
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
        _prune(folder, target)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            tmp.unlink()


def _prune(folder: Path, keep: Path) -> None:
    entries = sorted(folder.glob("rules-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP_ENTRIES:]:
        if old != keep:
            with contextlib.suppress(OSError):
                old.unlink()


def expression_to_data(expr: Expression) -> dict[str, Any]:
    return {"text": expr.text, "result": expr.result, "tree": to_data(expr.tree)}


def expression_from_data(data: dict[str, Any]) -> Expression:
    return expression_from_tree(data["text"], data["result"], from_data(data["tree"]))
