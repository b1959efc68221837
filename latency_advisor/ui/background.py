"""Run a core function off the UI thread; only the answer to the latest request is delivered.

Analysis takes milliseconds in formula mode but about a second when it simulates a busy queue,
so the UI never calls it directly. Requests made while one runs are coalesced: when the running
one ends, only the newest waiting request starts, and stale answers are dropped.
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Signals(QObject):
    done = Signal(int, object, str)  # generation, result, error message ("" when ok)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[Any], Any], arg: Any, generation: int, signals: _Signals):
        super().__init__()
        self.fn, self.arg, self.generation, self.signals = fn, arg, generation, signals

    def run(self) -> None:
        try:
            result, error = self.fn(self.arg), ""
        except Exception as exc:  # shown to the user; the app keeps running
            result, error = None, f"{type(exc).__name__}: {exc}"
            traceback.print_exc()
        # the runner may have been deleted while this job ran: then nobody is waiting
        with contextlib.suppress(RuntimeError):
            self.signals.done.emit(self.generation, result, error)


class BackgroundRunner(QObject):
    """Calls `fn(arg)` in a worker thread; emits `ready(result)` or `failed(message)`."""

    ready = Signal(object)
    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, fn: Callable[[Any], Any], parent: QObject | None = None):
        super().__init__(parent)
        self._fn = fn
        # The application-wide pool: a pool owned by this object would wait for its threads in
        # its destructor, on the UI thread, while they need the interpreter lock (a deadlock).
        self._pool = QThreadPool.globalInstance()
        # Not a child of this runner: a job still running when the runner (and its window) is
        # deleted holds the signals object, so its last emit never reaches a deleted C++ object
        # (that crashed the process); the connection to a deleted receiver is simply dropped.
        self._signals = _Signals()
        self._signals.done.connect(self._on_done)
        self._generation = 0
        self._running = False
        self._pending: tuple[int, Any] | None = None

    @property
    def busy(self) -> bool:
        return self._running

    def request(self, arg: Any) -> None:
        self._generation += 1
        if self._running:
            self._pending = (self._generation, arg)
        else:
            self._start(self._generation, arg)

    def _start(self, generation: int, arg: Any) -> None:
        self._running = True
        self.busy_changed.emit(True)
        self._pool.start(_Job(self._fn, arg, generation, self._signals))

    def _on_done(self, generation: int, result: Any, error: str) -> None:
        self._running = False
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._start(*pending)
            return
        self.busy_changed.emit(False)
        if generation != self._generation:
            return
        if error:
            self.failed.emit(error)
        else:
            self.ready.emit(result)

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until background work is done (tests, screenshots, shutdown)."""
        return self._pool.waitForDone(msecs)
