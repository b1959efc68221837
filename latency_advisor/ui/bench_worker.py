"""Run a benchmark job off the UI thread and hand its events to the view as Qt signals.

`BenchJob.events()` blocks while the child process measures, so it is read in a QThread; the
signals cross to the UI thread queued. Cancel is safe from the UI thread at any moment, even
before the child has started: the child is killed and the thread ends within about 0.1 s.
Progress events are thinned to about 20 a second so a fast model cannot flood the event loop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal

from latency_advisor.bench import BenchJob, BenchSpec, Failed, Finished, Progress, VariantDone

PROGRESS_EVERY_S = 0.05


class BenchThread(QThread):
    """One benchmark run; ends with exactly one `ended` signal (Finished or Failed)."""

    progress = Signal(object)  # Progress
    row = Signal(dict, bool)  # one variant's row (CONTRACTS.md §4), and whether it is interim
    ended = Signal(object)  # Finished | Failed

    def __init__(self, spec: BenchSpec, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.job: BenchJob | None = None
        self._lock = threading.Lock()
        self._cancelled = False

    def cancel(self) -> None:
        """Stop the run (any thread); the thread then emits Failed('cancelled')."""
        with self._lock:
            self._cancelled = True
            job = self.job
        if job is not None:
            job.cancel()

    def run(self) -> None:
        job = BenchJob(self.spec)
        with self._lock:
            self.job = job
            cancelled = self._cancelled
        if cancelled:
            self.ended.emit(Failed("cancelled", "the benchmark was cancelled"))
            return
        try:
            job.start()
            if self._cancelled:  # cancelled while the child was starting
                job.cancel()
            last = 0.0
            for event in job.events():
                if isinstance(event, Progress):
                    now = time.monotonic()
                    if now - last >= PROGRESS_EVERY_S or event.fraction >= 1.0:
                        last = now
                        self.progress.emit(event)
                elif isinstance(event, VariantDone):
                    self.row.emit(event.result, event.interim)
                elif isinstance(event, Finished | Failed):
                    self.ended.emit(event)
                    return
            self.ended.emit(Failed("internal", "the benchmark ended without a result"))
        except Exception as exc:  # a harness bug must not take the window down
            job.cancel()
            self.ended.emit(Failed("internal", f"{type(exc).__name__}: {exc}"))


_LIVE: set[BenchThread] = set()


def start_detached(thread: BenchThread) -> None:
    """Start a parentless thread and keep it alive until it has finished and been deleted."""
    _LIVE.add(thread)
    thread.finished.connect(thread.deleteLater)
    thread.destroyed.connect(lambda *_: _LIVE.discard(thread))
    thread.start()


class CurrentRun:
    """The run a view owns; a plain object, so it can still cancel when the view is destroyed."""

    def __init__(self) -> None:
        self.thread: BenchThread | None = None

    def cancel(self, *_: object) -> None:
        if self.thread is not None:
            self.thread.cancel()


class _TaskSignals(QObject):
    done = Signal(object, str)  # result, error message ("" when ok)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _TaskSignals) -> None:
        super().__init__()
        self.fn, self.signals = fn, signals

    def run(self) -> None:
        try:
            result, error = self.fn(), ""
        except Exception as exc:  # shown to the user
            result, error = None, str(exc) or type(exc).__name__
        self.signals.done.emit(result, error)


class BackgroundTask(QObject):
    """A short task (an export that imports pandas) in Qt's thread pool; `done(result, error)`."""

    done = Signal(object, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._signals = _TaskSignals(self)
        self._signals.done.connect(self.done)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)

    def start(self, fn: Callable[[], Any]) -> None:
        self._pool.start(_Task(fn, self._signals))

    def wait(self, msecs: int = 30_000) -> bool:
        return self._pool.waitForDone(msecs)
