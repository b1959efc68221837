"""The timed loops: closed loop (service time of one request) and open loop (latency at a
traffic level).

Closed loop: one warm-up call at least, garbage collection off inside the timed chunks,
`perf_counter_ns` around each bare call, and adaptive stopping between chunks. Open loop:
Poisson send times drawn ahead; each request is timed from its *scheduled* send, and no sender
waits for a reply before the next send is due, so a slow reply cannot hide the queue it causes
(coordinated omission).
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from latency_advisor.bench.stats import StopRule

Progress = Callable[[float, int], None]  # (fraction of this variant's budget, samples so far)
CHUNK_S = 0.1  # time between stop checks (and progress reports)


def closed_loop(
    call: Callable[[], object],
    rule: StopRule,
    on_progress: Progress | None = None,
    warmup_calls: int = 3,
    prior: np.ndarray | None = None,
) -> np.ndarray:
    """Latencies in ms of back-to-back calls until `rule` is satisfied or its budget runs out.

    `prior` holds samples from earlier rounds of the same variant: the stop rule judges them
    together with the new ones; only the new ones are returned.
    """
    perf = time.perf_counter_ns
    per_call_ns = _warm_up(call, warmup_calls, max_s=min(1.0, max(0.2, 0.15 * rule.budget_s)))
    chunk = max(1, min(int(CHUNK_S * 1e9 / per_call_ns), 20_000))
    samples: list[int] = []
    append = samples.append
    deadline = perf() + int(rule.budget_s * 1e9)
    began = perf()
    while True:
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            for _ in range(chunk):
                t0 = perf()
                call()
                append(perf() - t0)
        finally:
            if gc_was_enabled:
                gc.enable()
        now = perf()
        arr = np.asarray(samples, dtype=np.float64) / 1e6
        seen = arr if prior is None or not prior.size else np.concatenate([prior, arr])
        if on_progress is not None:
            on_progress(min((now - began) / (deadline - began), 1.0), len(seen))
        if now >= deadline or rule.satisfied(seen):
            return arr
        chunk = max(min(chunk, rule.max_samples - len(seen)), 1)


def _warm_up(call: Callable[[], object], min_calls: int, max_s: float) -> float:
    """Call until the per-call time settles (allocator arenas, lazy kernel init, caches, clock
    ramp-up): two 50 ms windows whose medians agree within 2%, or `max_s`. Returns ns/call."""
    perf = time.perf_counter_ns
    start = perf()
    for _ in range(min_calls):
        call()
    previous = None
    while True:
        window: list[int] = []
        window_start = perf()
        while perf() - window_start < 50_000_000 or len(window) < 3:
            t0 = perf()
            call()
            window.append(perf() - t0)
        median = float(np.median(window))
        if previous is not None and abs(median - previous) <= 0.02 * previous:
            return max(median, 1.0)
        if perf() - start > max_s * 1e9:
            return max(median, 1.0)
        previous = median


def poisson_schedule(rate_per_s: float, count: int, seed: int = 0) -> np.ndarray:
    """Send times in seconds from the start: cumulative exponential gaps, drawn ahead."""
    if rate_per_s <= 0 or count <= 0:
        raise ValueError("rate and count must be positive")
    gaps = np.random.default_rng(seed).exponential(1.0 / rate_per_s, size=count)
    return np.cumsum(gaps)


@dataclass(frozen=True)
class OpenLoopRun:
    latency_ms: np.ndarray  # from scheduled send to reply, in schedule order
    service_ms: np.ndarray  # from actual start to reply
    duration_s: float
    late_start_ms: np.ndarray  # from scheduled send to start: queueing, plus wake-up jitter
    send_jitter_ms: np.ndarray  # lateness of requests whose worker was idle (timer precision)


def open_loop(
    call: Callable[[], object],
    schedule_s: np.ndarray,
    workers: int,
    on_progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> OpenLoopRun:
    """Serve the schedule with `workers` threads, first come first served.

    Each worker takes the next request in schedule order, sleeps until its send time if that
    is still ahead, and runs it; if the time has passed, the request has been queueing since
    its send time, and that wait counts in its latency.
    """
    n = len(schedule_s)
    latency = np.zeros(n)
    service = np.zeros(n)
    late = np.zeros(n)
    woke = np.zeros(n, dtype=bool)
    lock = threading.Lock()
    next_index = [0]
    perf = time.perf_counter_ns
    origin = perf() + 20_000_000  # start 20 ms from now so every worker is ready
    sched_ns = origin + (schedule_s * 1e9).astype(np.int64)
    stop = cancel or threading.Event()

    def worker() -> None:
        while not stop.is_set():
            with lock:
                i = next_index[0]
                next_index[0] += 1
            if i >= n:
                return
            due = int(sched_ns[i])
            slept = _wait_until(due, perf)
            started = perf()
            call()
            done = perf()
            latency[i] = (done - due) / 1e6
            service[i] = (done - started) / 1e6
            late[i] = max(started - due, 0) / 1e6
            woke[i] = slept

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for t in threads:
            t.start()
        total_s = float(schedule_s[-1])
        while any(t.is_alive() for t in threads):
            for t in threads:
                t.join(timeout=0.2)
            if on_progress is not None:
                elapsed = (perf() - origin) / 1e9
                on_progress(min(max(elapsed / total_s, 0.0), 1.0), min(next_index[0], n))
    finally:
        if gc_was_enabled:
            gc.enable()
    done_count = min(next_index[0], n)
    return OpenLoopRun(
        latency_ms=latency[:done_count],
        service_ms=service[:done_count],
        duration_s=(perf() - origin) / 1e9,
        late_start_ms=late[:done_count],
        send_jitter_ms=late[:done_count][woke[:done_count]],
    )


SPIN_NS = 200_000  # the last 0.2 ms before a send is spun, not slept (sleep wakes up late)


def _wait_until(due_ns: int, perf: Callable[[], int]) -> bool:
    """Sleep, then spin briefly, until `due_ns`; True if there was time to wait at all."""
    remaining = due_ns - perf()
    if remaining <= 0:
        return False
    if remaining > SPIN_NS:
        time.sleep((remaining - SPIN_NS) / 1e9)
    while perf() < due_ns:
        pass
    return True
