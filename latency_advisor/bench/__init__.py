"""On-box ONNX Runtime micro-benchmarks: measurements instead of guesses, fed back into advice.

For callers (the command line, a Qt worker thread):

    from latency_advisor.bench import BenchJob, BenchSpec, Progress, Finished, Failed
    job = BenchJob(BenchSpec("model.onnx", quick=True))   # or a built-in name: "mlp-s"
    job.start()                     # the child process starts; returns at once
    for event in job.events():      # blocking: run it off the UI thread
        ...                         # Progress(fraction, message), VariantDone(row),
                                    # then Finished(report) or Failed(kind, message)
    job.cancel()                    # any thread; the child is killed at once

`run_bench(spec, on_event)` does the same in one call and raises `BenchError` (a UserError),
`BenchCancelled` or `BenchInternalError`. `BenchReport` gives the JSON (CONTRACTS.md §4), a
pandas DataFrame and CSV; `calibration.attach_report` writes measured speedups into a
scenario's model stage. onnxruntime, onnx and pandas are imported only where they are used.
"""

from latency_advisor.bench.job import (
    BenchCancelled,
    BenchError,
    BenchInternalError,
    BenchJob,
    Event,
    Failed,
    Finished,
    Progress,
    VariantDone,
    run_bench,
)
from latency_advisor.bench.results import BenchReport, load_report
from latency_advisor.bench.spec import BenchSpec

__all__ = [
    "BenchCancelled",
    "BenchError",
    "BenchInternalError",
    "BenchJob",
    "BenchReport",
    "BenchSpec",
    "Event",
    "Failed",
    "Finished",
    "Progress",
    "VariantDone",
    "load_report",
    "run_bench",
]
