"""A benchmark job for callers (the command line, a Qt worker): start the child, read its
events, enforce the wall-clock and stall limits, cancel within a second.

    job = BenchJob(BenchSpec("mlp-s", quick=True))
    job.start()
    for event in job.events():          # blocks; run it off the UI thread
        if isinstance(event, Progress): bar.setValue(int(event.fraction * 100))
    report = job.report                 # BenchReport, or job.failure says why
    job.cancel()                        # from any thread: the child is killed at once

The child never shares the caller's process: a crash, a hang or a memory bomb in a model ends
the child with a clear message, never the caller.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from latency_advisor.bench.results import BenchReport
from latency_advisor.bench.spec import BenchSpec
from latency_advisor.errors import UserError

POLL_S = 0.1
STDERR_KEEP = 4000


class BenchError(UserError):
    """The model could not be benchmarked (invalid, crashed, too slow, too big): exit code 2."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


class BenchInternalError(RuntimeError):
    """The harness itself failed (a bug): exit code 1."""


class BenchCancelled(Exception):
    """The caller cancelled the job."""


@dataclass(frozen=True)
class Progress:
    fraction: float  # 0..1 of the whole job
    message: str
    variant: str | None = None
    samples: int | None = None


@dataclass(frozen=True)
class VariantDone:
    result: dict[str, Any]  # one row of CONTRACTS.md §4 `results`
    interim: bool = False  # measured so far; a later row for the same variant replaces it


@dataclass(frozen=True)
class Finished:
    report: BenchReport


@dataclass(frozen=True)
class Failed:
    kind: str  # invalid_model | memory | timeout | crash | cancelled | internal
    message: str


Event = Progress | VariantDone | Finished | Failed


FROZEN_WORKER_FLAG = "--bench-worker"


def worker_command(python: str) -> list[str]:
    """How to start the child: the module in a Python install, a flag in a frozen bundle."""
    if getattr(sys, "frozen", False):  # PyInstaller: the bundle's own executable is the worker
        return [sys.executable, FROZEN_WORKER_FLAG]
    return [python, "-m", "latency_advisor.bench.worker"]


@dataclass
class BenchJob:
    spec: BenchSpec
    python: str = sys.executable
    report: BenchReport | None = None
    failure: Failed | None = None
    _proc: subprocess.Popen | None = field(default=None, repr=False)
    _lines: queue.Queue = field(default_factory=queue.Queue, repr=False)
    _stderr: list[str] = field(default_factory=list, repr=False)
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)

    def start(self) -> None:
        env = dict(os.environ, MALLOC_ARENA_MAX="2", PYTHONUNBUFFERED="1")
        # the child imports this very package, installed or not (a source checkout)
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_root, os.environ.get("PYTHONPATH", "")) if p
        )
        self._proc = subprocess.Popen(
            worker_command(self.python),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
            start_new_session=True,  # a Ctrl-C in the terminal reaches the caller only
        )
        assert self._proc.stdin is not None
        self._proc.stdin.write(json.dumps(self.spec.to_json()))
        self._proc.stdin.close()
        threading.Thread(target=self._pump_stdout, daemon=True).start()
        threading.Thread(target=self._pump_stderr, daemon=True).start()

    def _pump_stdout(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for line in self._proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _pump_stderr(self) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        for line in self._proc.stderr:
            self._stderr.append(line)
            if sum(map(len, self._stderr)) > STDERR_KEEP * 4:
                del self._stderr[: len(self._stderr) // 2]

    @property
    def running(self) -> bool:
        """Whether the child process is still alive."""
        return self._proc is not None and self._proc.poll() is None

    def cancel(self) -> None:
        """Stop the job now (safe from any thread); `events()` then yields Failed('cancelled')."""
        self._cancel.set()
        self._kill()

    def _kill(self) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()

    def events(self) -> Iterator[Event]:
        """Events until the job ends; the last one is Finished or Failed."""
        if self._proc is None:
            self.start()
        proc = self._proc
        assert proc is not None
        started = time.monotonic()
        last_event = started
        limit = self.spec.wall_clock_limit_s()
        stall = min(self.spec.stall_s, limit)
        while True:
            try:
                line = self._lines.get(timeout=POLL_S)
            except queue.Empty:
                now = time.monotonic()
                if self._cancel.is_set():
                    yield self._fail("cancelled", "the benchmark was cancelled")
                    return
                if now - started > limit or now - last_event > stall:
                    self._kill()
                    which = (
                        f"its time limit of {limit:g} s"
                        if now - started > limit
                        else f"{stall:g} s without finishing one step (one call or "
                        "one session build)"
                    )
                    yield self._fail(
                        "timeout",
                        f"{self.spec.model}: the benchmark ran past {which} and was stopped "
                        "(a model that runs away, e.g. an endless Loop, or one far too slow "
                        "for this machine; raise the limit with --timeout)",
                    )
                    return
                continue
            if line is None:
                yield self._ended(proc)
                return
            last_event = time.monotonic()
            event = self._parse(line)
            if event is not None:
                yield event
                if isinstance(event, Finished | Failed):
                    self._reap(proc)
                    return

    def _parse(self, line: str) -> Event | None:
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            return None
        kind = data.get("event")
        if kind == "progress":
            return Progress(
                float(data.get("fraction", 0.0)),
                str(data.get("message", "")),
                data.get("variant"),
                data.get("samples"),
            )
        if kind == "variant":
            return VariantDone(data["result"], bool(data.get("interim", False)))
        if kind == "result":
            self.report = BenchReport(data["report"])
            return Finished(self.report)
        if kind == "error":
            return self._fail(str(data.get("kind", "internal")), str(data.get("message", "")))
        return None

    def _ended(self, proc: subprocess.Popen) -> Failed:
        """The child closed its output without a result: say how it ended."""
        self._reap(proc)
        code = proc.returncode
        tail = "".join(self._stderr)[-STDERR_KEEP:]
        if self._cancel.is_set():
            return self._fail("cancelled", "the benchmark was cancelled")
        if any(m in tail for m in ("MemoryError", "bad_alloc", "Failed to allocate")):
            return self._fail(
                "memory",
                f"{self.spec.model}: the model asked for more memory than the benchmark's "
                f"limit ({self.spec.memory_mb} MB) and was stopped",
            )
        if code is not None and code < 0:
            name = (
                signal.Signals(-code).name
                if -code in signal.Signals.__members__.values()
                else str(-code)
            )
            return self._fail(
                "crash",
                f"{self.spec.model}: onnxruntime crashed on this model ({name}); the model is "
                "malformed or hits a runtime bug",
            )
        last = tail.strip().splitlines()[-1] if tail.strip() else "no message"
        return self._fail("internal", f"the benchmark process ended (exit {code}): {last}")

    def _reap(self, proc: subprocess.Popen) -> None:
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def _fail(self, kind: str, message: str) -> Failed:
        self._kill()
        self.failure = Failed(kind, message)
        return self.failure


def run_bench(
    spec: BenchSpec,
    on_event: Callable[[Event], None] | None = None,
    python: str = sys.executable,
) -> BenchReport:
    """Run a job to its end; raise BenchError (exit 2), BenchCancelled or BenchInternalError."""
    job = BenchJob(spec, python=python)
    job.start()
    try:
        for event in job.events():
            if on_event is not None:
                on_event(event)
    finally:
        if job.report is None and job.failure is None:  # interrupted: leave no child behind
            job.cancel()
    if job.report is not None:
        return job.report
    failure = job.failure or Failed("internal", "the benchmark ended without a result")
    if failure.kind == "cancelled":
        raise BenchCancelled(failure.message)
    if failure.kind == "internal":
        raise BenchInternalError(failure.message)
    raise BenchError(failure.kind, failure.message)
