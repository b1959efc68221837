"""`latency-advisor bench MODEL`: measure what threads, graph optimization, INT8, FP16 and
batching buy on this machine, for a built-in reference model or any .onnx file.

Every run happens in a child process with a time and a memory limit. `--json` prints
CONTRACTS.md §4; `--attach SCENARIO --stage NAME` writes the measured speedups into the
scenario's model stage. `bench RESULTS.json --attach ...` imports a result file made elsewhere
(e.g. headless on the target server).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from latency_advisor.errors import UserError
from latency_advisor.percentiles import percentile_option


class BenchOptionError(UserError):
    """A command-line option that cannot work: which option, what it expects."""


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "bench",
        help="measure ONNX Runtime levers on this machine",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "model",
        nargs="?",
        help="built-in model name (see --list), an .onnx file, or a results .json to attach",
    )
    p.add_argument("--list", action="store_true", help="list the built-in reference models")
    p.add_argument(
        "--quick",
        action="store_true",
        help="a short run for a first look (about 20 s for a small model)",
    )
    p.add_argument(
        "--shape",
        action="append",
        metavar="NAME=D0,D1",
        help="shape for an input with dynamic dimensions (repeatable)",
    )
    p.add_argument(
        "--value",
        action="append",
        metavar="NAME=NUMBER",
        help="fill an input with a constant (repeatable)",
    )
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("-o", "--output", metavar="FILE.json", help="also write the JSON results")
    p.add_argument("--csv", metavar="OUT", help="write the results table as CSV")
    p.add_argument(
        "--open-loop",
        nargs="?",
        const=-1.0,
        type=float,
        metavar="RPS",
        help="also serve Poisson traffic at RPS requests/s (default with --attach: "
        "the scenario's peak traffic per replica) and compare with the queueing model",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="workers serving the open loop (default: the scenario's concurrency, or 1)",
    )
    p.add_argument(
        "--duration",
        type=float,
        default=None,
        metavar="S",
        help="open-loop duration in seconds (default 10, 4 with --quick)",
    )
    p.add_argument("--attach", metavar="SCENARIO", help="scenario file to calibrate")
    p.add_argument("--stage", metavar="NAME", help="the model stage to attach results to")
    p.add_argument(
        "--percentile",
        type=percentile_option((50, 95, 99)),
        default=None,
        help="50, 95 or 99 (p99 works too): percentile whose CI decides when to stop "
        "(default: the --attach scenario's SLA "
        "percentile, else 99)",
    )
    p.add_argument(
        "--ci",
        type=float,
        default=None,
        metavar="FRACTION",
        help="stop when that CI's half-width is within this fraction "
        "(default 0.05, 0.10 with --quick)",
    )
    p.add_argument(
        "--budget",
        type=float,
        default=None,
        metavar="S",
        help="time budget per variant (default 6 s, 2.5 s with --quick)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="S",
        help="wall-clock limit for the whole run and for any one step (default: from the "
        "grid, and 60 s for one step: one call or one session build)",
    )
    p.add_argument(
        "--memory-mb",
        type=int,
        default=None,
        metavar="MB",
        help="address-space cap for the benchmark process (default: 3/4 of RAM, at most 8192)",
    )
    return p


def _list_models() -> int:
    from latency_advisor.bench.refmodels import REFERENCE_MODELS

    for model in REFERENCE_MODELS.values():
        print(f"{model.name:<16} {model.family:<20} {model.description}")
    return 0


def _check_args(args: argparse.Namespace) -> None:
    if not args.model:
        raise BenchOptionError(
            "bench: MODEL is required (a built-in name, see --list, or an .onnx file)"
        )
    if bool(args.attach) != bool(args.stage):
        raise BenchOptionError("--attach SCENARIO and --stage NAME go together")
    if args.open_loop is not None and args.open_loop == -1.0 and not args.attach:
        raise BenchOptionError(
            "--open-loop without RPS takes the traffic from --attach "
            "SCENARIO; give a rate, e.g. --open-loop 50"
        )
    if args.open_loop is not None and args.open_loop != -1.0 and args.open_loop <= 0:
        raise BenchOptionError(f"--open-loop {args.open_loop:g}: expected a rate > 0")
    if args.workers is not None and not 1 <= args.workers <= 256:
        raise BenchOptionError(f"--workers {args.workers}: expected 1..256")
    for name in ("ci", "budget", "timeout", "duration"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            raise BenchOptionError(f"--{name} {value:g}: expected a number > 0")
    if args.memory_mb is not None and args.memory_mb < 256:
        raise BenchOptionError(f"--memory-mb {args.memory_mb}: expected at least 256")


def _open_loop_traffic(args: argparse.Namespace) -> tuple[float | None, int]:
    workers = args.workers or 1
    if args.open_loop is None:
        return None, workers
    if args.open_loop != -1.0:
        return float(args.open_loop), workers
    from latency_advisor.scenario import ScenarioError, load_scenario

    traffic = load_scenario(args.attach).traffic
    if traffic.peak_rps <= 0:
        raise ScenarioError(
            args.attach,
            "is 0; --open-loop needs a traffic level (or give --open-loop RPS)",
            field="traffic.peak_rps",
        )
    return traffic.peak_rps / traffic.replicas, args.workers or traffic.concurrency


def _stop_percentile(args: argparse.Namespace) -> float:
    """The percentile that matters: as asked, else the scenario's SLA percentile, else p99."""
    if args.percentile is not None:
        return float(args.percentile)
    if args.attach:
        from latency_advisor.scenario import load_scenario

        sla = load_scenario(args.attach).sla.percentile
        return 50.0 if sla <= 50 else 95.0 if sla <= 95 else 99.0
    return 99.0


class ProgressBar:
    """A one-line bar on stderr, shown for anything longer than a second (terminals only)."""

    def __init__(self, stream: Any = None, delay_s: float = 1.0) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.monotonic()
        self.delay_s = delay_s
        self.shown = False

    def update(self, fraction: float, message: str) -> None:
        if not self.enabled or time.monotonic() - self.start < self.delay_s:
            return
        width = 30
        filled = int(max(0.0, min(fraction, 1.0)) * width)
        text = f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} {message[:60]:<60}"
        self.stream.write(text)
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()


def run(args: argparse.Namespace) -> int:
    if args.list:
        return _list_models()
    _check_args(args)
    from latency_advisor.bench.results import format_text, load_report

    if args.attach:  # check the target before a long run, not after
        from latency_advisor.bench.calibration import model_stage_index
        from latency_advisor.scenario import load_scenario

        model_stage_index(load_scenario(args.attach), args.stage, source=args.attach)
    if args.model.lower().endswith(".json"):
        if not args.attach:
            raise BenchOptionError(
                f"{args.model}: a results file is imported with --attach SCENARIO --stage NAME"
            )
        report = load_report(args.model)
    else:
        report = _measure(args)
    if args.output:
        report.write_json(args.output)
    if args.csv:
        report.write_csv(args.csv)
    if args.attach:
        from latency_advisor.bench.calibration import attach_report

        techniques = attach_report(args.attach, args.stage, report)
        print(
            f"calibrated {args.stage!r} in {args.attach}: {', '.join(techniques) or 'nothing'}",
            file=sys.stderr,
        )
    if args.json:
        print(report.to_json_text(), end="")
    elif not args.model.lower().endswith(".json"):
        print(format_text(report), end="")
    return 0


def _measure(args: argparse.Namespace) -> Any:
    from latency_advisor.bench.inputs import parse_assignments
    from latency_advisor.bench.job import BenchError, Progress, run_bench
    from latency_advisor.bench.spec import BenchSpec

    rps, workers = _open_loop_traffic(args)
    spec = BenchSpec(
        model=args.model,
        quick=args.quick,
        shapes=parse_assignments(args.shape, "--shape"),
        values=parse_assignments(args.value, "--value"),
        percentile=_stop_percentile(args),
        ci=args.ci,
        budget_s=args.budget,
        open_loop_rps=rps,
        workers=workers,
        open_loop_s=args.duration,
        timeout_s=args.timeout,
    )
    if args.timeout is not None:  # the user's limit bounds one step as well as the whole run
        spec.stall_s = args.timeout
    if args.memory_mb is not None:
        spec.memory_mb = args.memory_mb
    bar = ProgressBar()

    def on_event(event: Any) -> None:
        if isinstance(event, Progress):
            bar.update(event.fraction, event.message)

    try:
        return run_bench(spec, on_event)
    except BenchError as exc:
        if args.json:
            print(
                json.dumps(
                    {
                        "format": "latency-advisor/bench/v1",
                        "model": args.model,
                        "machine": {},
                        "results": [],
                        "errors": [{"kind": exc.kind, "message": str(exc)}],
                    },
                    indent=2,
                )
            )
        raise
    finally:
        bar.close()
