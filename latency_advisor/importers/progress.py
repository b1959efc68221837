"""Progress and cancellation for long imports, for a caller on another thread (the app's
worker): the share of the file read so far, and a way to stop between two lines."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO, TypeVar

T = TypeVar("T")
ProgressCallback = Callable[[float], "bool | None"]
INTERVAL_S = 0.1


class ImportCancelled(Exception):
    """The caller's progress callback returned False: the import stopped, nothing was made."""


class Progress:
    """Calls `callback(fraction)` at most every 0.1 s while a file is read; a callback that
    returns False cancels the import (ImportCancelled is raised between two items)."""

    def __init__(self, callback: ProgressCallback | None = None):
        self.callback = callback
        self.raw: BinaryIO | None = None
        self.size = 0
        self._next = 0.0

    def attach(self, raw: BinaryIO, size: int) -> None:
        self.raw, self.size = raw, size

    def tick(self, force: bool = False) -> None:
        if self.callback is None:
            return
        now = time.monotonic()
        if not force and now < self._next:
            return
        self._next = now + INTERVAL_S
        fraction = 0.0
        if self.raw is not None and self.size > 0:
            try:
                fraction = min(self.raw.tell() / self.size, 1.0)
            except (OSError, ValueError):
                fraction = 0.0
        if self.callback(fraction) is False:
            raise ImportCancelled("import cancelled")

    def iterate(self, items: Iterable[T], every: int = 256) -> Iterator[T]:
        for index, item in enumerate(items):
            if index % every == 0:
                self.tick()
            yield item
