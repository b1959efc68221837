"""Limits that keep an import bounded in time and memory, whatever the file holds.

A small gzip can expand to gigabytes, one line or one JSON item can hold a whole file, and deep
nesting makes a JSON parser's memory grow with the square of the depth. Every read goes through
`BoundedStream`, which counts decompressed bytes (in all and per item) and, for JSON, tracks the
nesting depth of each chunk (vectorised, strings skipped). Each limit's message names it and the
environment variable that raises it.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from latency_advisor.importers.errors import ImporterError

ENV_PREFIX = "LATENCY_ADVISOR_IMPORT_"
DEFAULTS_MB = {"MAX_INPUT_MB": 4096, "MAX_LINE_MB": 64, "MAX_ITEM_MB": 256}
MAX_JSON_DEPTH = 256
_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_OPEN = (ord("["), ord("{"))
_CLOSE = (ord("]"), ord("}"))


def limit_mb(name: str) -> int:
    """A limit in MB: the environment's `LATENCY_ADVISOR_IMPORT_<name>`, else the default."""
    raw = os.environ.get(ENV_PREFIX + name, "")
    try:
        value = int(raw)
    except ValueError:
        return DEFAULTS_MB[name]
    return value if value > 0 else DEFAULTS_MB[name]


def too_big(path: Path | str, what: str, name: str, where: str = "") -> ImporterError:
    mb = limit_mb(name)
    return ImporterError(
        path,
        f"{what} is over the limit of {mb:,} MB; if the file is trusted, raise it with "
        f"{ENV_PREFIX}{name}={mb * 4}",
        where,
    )


class BoundedStream(io.RawIOBase):
    """A read-only stream that stops at the size limits and, with `json`, at deep nesting."""

    def __init__(self, inner: Any, path: Path, json: bool = False):
        self.inner = inner
        self.path = path
        self.json = json
        self.max_total = limit_mb("MAX_INPUT_MB") << 20
        self.max_item = limit_mb("MAX_ITEM_MB") << 20
        self._reset()

    def _reset(self) -> None:
        self.total = self.item = self.depth = 0
        self.in_string = False
        self.escaped = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return bool(self.inner.seekable())

    def seek(self, offset: int, whence: int = 0) -> int:
        if (offset, whence) != (0, 0):
            raise io.UnsupportedOperation("only a rewind to the start is supported")
        self._reset()
        return self.inner.seek(0)

    def tell(self) -> int:
        return self.total

    def new_item(self) -> None:
        """A JSON item was completed: the per-item count starts again."""
        self.item = 0

    def readinto(self, buffer: Any) -> int:
        data = self.inner.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.total += n
        self.item += n
        if self.total > self.max_total:
            raise too_big(self.path, "the decompressed input", "MAX_INPUT_MB")
        if self.item > self.max_item:
            raise too_big(self.path, "one JSON item (or document)", "MAX_ITEM_MB")
        if self.json and n:
            self._track_depth(data)
        return n

    def _track_depth(self, data: bytes) -> None:
        raw = np.frombuffer(data, dtype=np.uint8)
        quote = raw == _QUOTE
        if self.in_string or quote.any():
            real_quote = quote & ~_escaped(raw, self.escaped)
            parity = (np.cumsum(real_quote) + self.in_string) % 2  # quotes seen up to byte i
            inside = (parity - real_quote) % 2 == 1  # byte i lies inside a string
            structural = np.where(inside | real_quote, 0, raw)
            self.in_string = bool(parity[-1])
        else:
            structural = raw
        trailing = len(raw) - 1 - _last_not(raw, _BACKSLASH)  # backslashes ending the chunk
        self.escaped = bool((trailing + (self.escaped if trailing == len(raw) else 0)) % 2)
        step = np.isin(structural, _OPEN).astype(np.int64) - np.isin(structural, _CLOSE)
        walk = self.depth + np.cumsum(step)
        self.depth = int(walk[-1])
        if int(walk.max()) > MAX_JSON_DEPTH:
            raise ImporterError(
                self.path,
                f"the JSON is nested more than {MAX_JSON_DEPTH} deep (no trace format nests so "
                "deep; is this the right file?)",
            )


def _escaped(raw: np.ndarray, carried: bool) -> np.ndarray:
    """Which bytes follow an odd run of backslashes (`carried`: the previous chunk ended so)."""
    index = np.arange(len(raw))
    backslash = raw == _BACKSLASH
    last_other = np.maximum.accumulate(np.where(backslash, -1, index))
    run = np.zeros(len(raw), dtype=np.int64)
    run[1:] = index[:-1] - last_other[:-1]
    reaches_start = np.ones(len(raw), dtype=bool)
    reaches_start[1:] = last_other[:-1] == -1
    return (run + (reaches_start & carried)) % 2 == 1


def _last_not(raw: np.ndarray, value: int) -> int:
    others = np.flatnonzero(raw != value)
    return int(others[-1]) if len(others) else -1


def bounded_lines(lines: Any, path: Path | str, limit_chars: int | None = None) -> Iterator[Any]:
    """Lines of a text or binary stream, refusing one longer than MAX_LINE_MB."""
    limit = limit_chars if limit_chars is not None else limit_mb("MAX_LINE_MB") << 20
    number = 0
    while True:
        line = lines.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit:
            raise too_big(path, f"line {number}", "MAX_LINE_MB")
        yield line
