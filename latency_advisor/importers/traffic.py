"""The request rate a file shows: requests (trace roots, CSV rows) per second in the busiest
window, and on average over the file's span.

Start times are counted in 1-second bins, not kept one by one, so memory stays bounded however
many requests a file holds; a file whose requests spread over more than MAX_CHUNKS chunks of
bins coarsens them (2 s, 4 s, ...) until half that many are used. The busiest window slides
over the bins a bin at a time: the true busiest window can hold at most about one bin's
requests more than the one we find.

Traces are often sampled (head sampling keeps 1% or 10% of requests, tail sampling keeps the
slow ones), so what a file shows is a lower bound of the real traffic unless the caller knows
the sampling rate and scales by it.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass

WINDOW_S = 60.0  # as a per-minute dashboard or PromQL's rate(...[1m]) would show it
BIN_MS = 1000.0
CHUNK_BINS = 1024
MAX_CHUNKS = 128  # 1 s bins for 36 hours of traffic (1 MB of counts), coarser beyond
_EMPTY = bytes(8 * CHUNK_BINS)


@dataclass(frozen=True)
class ObservedTraffic:
    """The request rate a file shows (a lower bound where traces are sampled)."""

    busiest_rps: float  # requests per second in the busiest window
    window_s: float  # that window's length: WINDOW_S, or the whole span when shorter
    mean_rps: float  # over the span from the first request's start to the last one's
    span_s: float
    requests: int

    def peak_rps(self, sampling_rate: float = 1.0) -> float:
        """The busiest window's rate scaled to all requests, where only `sampling_rate` of
        them (0 < rate <= 1) were kept in the file."""
        if not 0 < sampling_rate <= 1:
            raise ValueError(f"sampling rate must be in (0, 1], got {sampling_rate}")
        return self.busiest_rps / sampling_rate

    def data(self) -> dict[str, float | int]:
        """The summary's `observed_traffic` object."""
        return {
            "busiest_window_rps": round(self.busiest_rps, 4),
            "window_s": round(self.window_s, 3),
            "mean_rps": round(self.mean_rps, 4),
            "span_s": round(self.span_s, 3),
            "requests": self.requests,
        }

    def describe(self) -> str:
        """One line for people: both rates, the window, and the sampling caveat."""
        return (
            f"{rate_text(self.busiest_rps)} req/s in the busiest {seconds_text(self.window_s)}, "
            f"{rate_text(self.mean_rps)} req/s on average over {seconds_text(self.span_s)} "
            f"({self.requests:,} requests; a lower bound if only a sample of requests is in "
            "the file)"
        )


PEAK_NOTE_PREFIX = "Peak traffic: "


def peak_note(traffic: ObservedTraffic, source: str, sampling_rate: float = 1.0) -> str:
    """The scenario notes' line for a peak_rps taken from the file, saying how it was made."""
    text = (
        f"{PEAK_NOTE_PREFIX}{rate_text(traffic.peak_rps(sampling_rate))} req/s, the busiest "
        f"{seconds_text(traffic.window_s)} of {source}"
    )
    if sampling_rate < 1:
        return text + f" ({rate_text(traffic.busiest_rps)} req/s seen / sampling {sampling_rate:g})"
    return text + " (a lower bound if the traces were sampled)"


def rate_text(rps: float) -> str:
    """A rate with three significant digits, plain (no exponent) for any sensible value."""
    if rps >= 100:
        return f"{rps:,.0f}"
    return f"{rps:.3g}" if rps >= 0.001 else f"{rps:.2g}"


def seconds_text(value: float) -> str:
    if value >= 3600:
        return f"{value / 3600:.3g} h"
    if value >= 120:
        return f"{value / 60:.3g} min"
    return f"{value:.3g} s"


class Arrivals:
    """Request start times (ms on the file's clock), counted per bin.

    The counts live in a few arrays of CHUNK_BINS bins each, not in a dict of one Python int
    per second: those small objects, made one by one while a big file streams past, would each
    pin a block of the allocator's memory (4 MB more peak memory on a 100 MB export)."""

    __slots__ = ("bin_ms", "chunks", "count", "first_ms", "last_ms", "max_chunks")

    def __init__(self, max_chunks: int = MAX_CHUNKS):
        # at least 4: starts on both sides of the clock's zero always keep two chunks apart
        # (-1 // 2 == -1), so coarsening can only promise to get down to two
        self.max_chunks = max(max_chunks, 4)
        self.bin_ms = BIN_MS
        self.chunks: dict[int, array] = {}  # chunk index -> counts of its bins
        self.count = 0
        self.first_ms = math.inf
        self.last_ms = -math.inf

    def add(self, start_ms: float) -> None:
        if not math.isfinite(start_ms):
            return
        self.count += 1
        if start_ms < self.first_ms:
            self.first_ms = start_ms
        if start_ms > self.last_ms:
            self.last_ms = start_ms
        chunk, index = divmod(math.floor(start_ms / self.bin_ms), CHUNK_BINS)
        counts = self.chunks.get(chunk)
        if counts is None:
            if len(self.chunks) >= self.max_chunks:
                while len(self.chunks) > self.max_chunks // 2:  # room before the next time
                    self._coarsen()
                chunk, index = divmod(math.floor(start_ms / self.bin_ms), CHUNK_BINS)
                counts = self.chunks.get(chunk)
            if counts is None:
                counts = self.chunks[chunk] = array("q", _EMPTY)
        counts[index] += 1

    def _coarsen(self) -> None:
        """Twice as wide bins: floor(t / 2b) == floor(floor(t / b) / 2), so no start moves to
        a wrong bin. Chunk c becomes half of chunk c // 2 (the lower half when c is even)."""
        half = CHUNK_BINS // 2
        merged: dict[int, array] = {}
        for chunk, counts in self.chunks.items():
            target = merged.get(chunk // 2)
            if target is None:
                target = merged[chunk // 2] = array("q", _EMPTY)
            offset = (chunk % 2) * half
            target[offset : offset + half] = array(
                "q", map(int.__add__, counts[0::2], counts[1::2])
            )
        self.chunks = merged
        self.bin_ms *= 2

    def occupied(self) -> list[tuple[int, int]]:
        """(bin, requests) of every bin with requests, in time order."""
        return [
            (chunk * CHUNK_BINS + index, n)
            for chunk in sorted(self.chunks)
            for index, n in enumerate(self.chunks[chunk])
            if n
        ]

    def traffic(self, window_s: float = WINDOW_S) -> ObservedTraffic | None:
        """None with fewer than two requests or all of them starting at once: no rate."""
        span_s = (self.last_ms - self.first_ms) / 1000.0
        # a span below ~1e-321 ms rounds to 0 s: as good as all at once, no rate to divide by
        if self.count < 2 or not 0 < span_s < math.inf:
            return None
        mean = (self.count - 1) / span_s  # n starts bound n - 1 intervals
        if not math.isfinite(mean):
            return None
        if span_s <= window_s:  # one window is the whole file: its rate is the mean
            return ObservedTraffic(mean, span_s, mean, span_s, self.count)
        width = max(1, round(window_s * 1000.0 / self.bin_ms))
        busiest = _busiest(self.occupied(), width)
        window = width * self.bin_ms / 1000.0
        return ObservedTraffic(busiest / window, window, mean, span_s, self.count)


def _busiest(bins: list[tuple[int, int]], width: int) -> int:
    """The most requests in `width` consecutive bins. A busiest window can always be moved to
    end at an occupied bin, so two pointers over the occupied ones suffice (they may be
    sparse: a dense array over a long, quiet span would not be bounded)."""
    best = total = 0
    tail = 0
    for key, n in bins:
        total += n
        while bins[tail][0] <= key - width:
            total -= bins[tail][1]
            tail += 1
        best = max(best, total)
    return best
