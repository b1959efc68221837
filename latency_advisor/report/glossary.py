"""Plain-language definitions for the people who read the PDF but do not build the system."""

from __future__ import annotations

GLOSSARY: list[tuple[str, str]] = [
    (
        "Latency",
        "The time from the moment a user's request leaves their device until the answer is "
        "back. Measured in milliseconds (ms); 1,000 ms is one second.",
    ),
    (
        "Percentile (p50, p95, p99)",
        "Sort a day's requests from fastest to slowest. The p95 is the time that 95 out of 100 "
        "requests beat; the slowest 5 in 100 take longer. p50 is the typical request, p99 the "
        "unlucky one in a hundred.",
    ),
    (
        "Tail latency",
        "The slow end of the distribution (p95, p99). Averages hide it, yet it is what "
        "frequent users run into and remember.",
    ),
    (
        "SLA / latency target",
        "The promise the feature must keep, stated as a percentile and a time: "
        "'p95 under 500 ms' means 95% of requests answer within half a second.",
    ),
    (
        "Composed percentile",
        "The end-to-end percentile computed from how each step's time varies. It is lower than "
        "adding up each step's own p95, because steps are rarely all slow on the same request.",
    ),
    (
        "Bottleneck",
        "The step that takes the largest part of the time. Speeding up anything else helps little.",
    ),
    (
        "Utilization",
        "How busy the servers are at peak traffic: 60% means busy 60% of the time. Above about "
        "80% requests start to queue and the tail grows quickly; at 100% the queue never empties.",
    ),
    (
        "Queueing wait",
        "Time a request spends waiting for a free server before any work starts on it.",
    ),
    (
        "Perceived latency",
        "How long the user waits before seeing something useful, such as the first words of a "
        "streamed answer, even if the full answer takes longer.",
    ),
    (
        "Streaming",
        "Sending the answer piece by piece as it is produced, instead of all at the end.",
    ),
    (
        "Caching",
        "Keeping answers to repeated (or, with a semantic cache, similar) requests so they can "
        "be returned without redoing the work. Risk: an answer that is out of date.",
    ),
    (
        "Batching",
        "Letting the hardware process several requests together. It raises throughput; done "
        "carelessly it makes single requests wait for a batch to fill.",
    ),
    (
        "Quantization",
        "Storing a model's numbers with fewer bits (for example 8-bit integers instead of "
        "32-bit decimals). Smaller and faster, usually with a small loss of accuracy that must be "
        "measured.",
    ),
    (
        "Distillation / smaller model",
        "Training a small model to imitate a large one, or switching to a smaller model: "
        "much faster, with an accuracy cost that must be checked on real examples.",
    ),
    (
        "Approximate nearest-neighbour search (ANN)",
        "Finding similar items by searching a smart index instead of comparing with every item. "
        "Far faster; occasionally misses a match (measured as recall).",
    ),
    (
        "Shadow traffic / canary",
        "Ways to try a change safely: shadow sends a copy of real traffic to the new version "
        "without showing its answers; a canary serves a small share of real users first.",
    ),
    (
        "Rollback",
        "Switching back to the previous version when the new one misbehaves, decided by a "
        "trigger agreed in advance.",
    ),
    (
        "Micro-benchmark",
        "A timing of one component alone on one machine. Good for comparing variants; it does "
        "not include network, queueing or production traffic.",
    ),
]
