"""On-box ONNX Runtime micro-benchmarks: measurements instead of guesses, fed back into advice.

Public API: `BenchSpec` (what to run), `BenchJob` / `run_bench` (run it in a child process with
time and memory limits, streaming progress), `BenchReport` (results as JSON, DataFrame, CSV),
`calibrate_stage` / `attach_report` (measured speedups onto a scenario's model stage).
Heavy libraries (onnxruntime, onnx, pandas) are imported only where they are used.
"""
