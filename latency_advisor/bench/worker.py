"""The child process: `python -m latency_advisor.bench.worker` reads a BenchSpec as JSON on
stdin and writes events as JSON lines on stdout.

onnxruntime can crash on a malformed model and holds the GIL while it builds a session, so
every benchmark runs here, never in the caller. Before anything heavy is imported the child caps
its address space (RLIMIT_AS), turns off core dumps and asks to die with its parent; native
code's stray prints are pointed at stderr so stdout carries only events.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

# exit codes of the child (the parent reads the events; these are for a person reading logs)
EXIT_OK, EXIT_INTERNAL, EXIT_USER = 0, 1, 2


def _limit_resources(memory_mb: int) -> None:
    try:
        import resource

        cap = int(memory_mb) << 20
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass  # not on this platform: the parent's wall-clock limit still holds
    try:  # Linux: end this child if the parent dies
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _event_stream() -> Any:
    """A private copy of stdout for events; fd 1 itself now goes to stderr."""
    events_fd = os.dup(1)
    os.dup2(2, 1)
    return os.fdopen(events_fd, "w", buffering=1, encoding="utf-8")


def main() -> int:
    raw = sys.stdin.read()
    data = json.loads(raw)
    _limit_resources(data.get("memory_mb", 8192))
    out = _event_stream()

    def emit(event: dict[str, Any]) -> None:
        out.write(json.dumps(event, allow_nan=False, default=str) + "\n")
        out.flush()

    from latency_advisor.bench.runner import MemoryLimitError, run_spec
    from latency_advisor.bench.spec import BenchSpec
    from latency_advisor.errors import UserError

    spec = BenchSpec.from_json(data)
    try:
        import onnxruntime

        onnxruntime.set_default_logger_severity(3)
        report = run_spec(spec, emit)
    except MemoryLimitError as exc:
        emit({"event": "error", "kind": "memory", "message": str(exc)})
        return EXIT_USER
    except MemoryError:
        emit(
            {
                "event": "error",
                "kind": "memory",
                "message": f"{spec.model}: the model asked for more memory than the benchmark's "
                f"limit ({spec.memory_mb} MB) and was stopped",
            }
        )
        return EXIT_USER
    except UserError as exc:
        emit({"event": "error", "kind": "invalid_model", "message": str(exc)})
        return EXIT_USER
    except Exception as exc:  # our own bug: say what it was; the parent exits 1
        import traceback

        traceback.print_exc()
        emit({"event": "error", "kind": "internal", "message": f"{type(exc).__name__}: {exc}"})
        return EXIT_INTERNAL
    emit({"event": "result", "report": report})
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
