"""`latency-advisor import FILE -o SCENARIO`: measured stages from traces, metrics or a CSV.

The format (OTLP JSON, Jaeger, Zipkin v2, Chrome trace, Prometheus histograms, CSV) is read from
the content. Writes a new scenario, or merges into (or replaces the stages of) an existing one.

`--peak-rps observed` takes the peak traffic from the file: the request rate of its busiest
minute (traces, or CSV rows with a timestamp). Traces are often sampled, so that is a lower
bound; `--sampling-rate 0.1` (the share of requests kept) scales it up.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from latency_advisor.percentiles import percentile_option

PERCENTILE_CHOICES = ("50", "90", "95", "99", "99.9")
OBSERVED = "observed"


def _peak_rps(text: str) -> float | str:
    """A number of requests per second, or `observed` (the file's busiest minute)."""
    if text.strip().lower() == OBSERVED:
        return OBSERVED
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected requests per second (a number >= 0) or `observed`, got {text!r}"
        ) from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a number >= 0 or `observed`, got {text!r}")
    return value


def _sampling_rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value <= 1:  # also refuses NaN
        raise argparse.ArgumentTypeError(
            f"the share of requests the file holds, above 0 and at most 1 (0.1 for 10%), "
            f"got {text!r}"
        )
    return value


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "import",
        help="import stage timings from traces, metrics or a CSV",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", help="trace, metrics or CSV file (gzipped is fine)")
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="SCENARIO",
        help="scenario file to write (.yaml or .json)",
    )
    p.add_argument(
        "--format",
        dest="fmt",
        choices=("otlp", "jaeger", "zipkin", "chrome", "prometheus", "csv"),
        help="skip detection from the content",
    )
    p.add_argument("--mapping", metavar="FILE", help="a saved span-to-stage mapping to apply")
    p.add_argument(
        "--save-mapping", metavar="FILE", help="save the mapping used (with the kinds shown) here"
    )
    p.add_argument("--depth", type=int, help="levels below the root that become stages")
    p.add_argument(
        "--merge-into",
        metavar="SCENARIO",
        help="an existing scenario to update instead of a new one",
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="with --merge-into: replace its stages instead of merging by name",
    )
    p.add_argument("--name", help="name of a new scenario")
    p.add_argument("--sla-ms", type=float, help="SLA target of a new scenario, in ms")
    p.add_argument(
        "--percentile",
        type=percentile_option(float(p) for p in PERCENTILE_CHOICES),
        default=95.0,
        help="SLA percentile: 50, 90, 95, 99 or 99.9; p95 works too (default 95)",
    )
    p.add_argument(
        "--peak-rps",
        type=_peak_rps,
        metavar="RPS|observed",
        help="peak requests/s (default 0 for a new scenario; an existing one keeps its own), or "
        "`observed`: the rate of the file's busiest minute",
    )
    p.add_argument(
        "--sampling-rate",
        type=_sampling_rate,
        metavar="R",
        help="with --peak-rps observed: the share of requests the traces hold (0 < R <= 1); "
        "the observed rate is divided by it",
    )
    p.add_argument("--replicas", type=int, default=1, help="replicas of a new scenario (1)")
    p.add_argument("--json", action="store_true", help="print the import summary as JSON")
    return p


def run(args: argparse.Namespace) -> int:
    from latency_advisor.importers import (
        ImporterError,
        ImportMapping,
        apply_to_scenario,
        import_file,
        load_mapping,
        new_scenario,
        save_mapping,
    )
    from latency_advisor.importers.result import with_peak_rps
    from latency_advisor.importers.summary import format_summary, summary_data
    from latency_advisor.importers.traffic import peak_note, rate_text, seconds_text
    from latency_advisor.scenario import load_scenario, save_scenario

    mapping = load_mapping(args.mapping) if args.mapping else ImportMapping()
    if args.depth is not None:
        if not 0 <= args.depth <= 8:
            raise ImporterError(None, f"--depth must be from 0 to 8, got {args.depth}")
        mapping = mapping.model_copy(update={"depth": args.depth})
    if args.replace and not args.merge_into:
        raise ImporterError(None, "--replace needs --merge-into EXISTING")
    if not args.merge_into:
        if args.sla_ms is None or not args.sla_ms > 0:
            raise ImporterError(
                None, "a new scenario needs --sla-ms (the target, > 0), or use --merge-into FILE"
            )
        if args.replicas < 1:
            raise ImporterError(None, f"--replicas must be >= 1, got {args.replicas}")
    if args.sampling_rate is not None and args.peak_rps != OBSERVED:
        raise ImporterError(
            None, "--sampling-rate scales the observed traffic: use it with --peak-rps observed"
        )
    existing = load_scenario(args.merge_into) if args.merge_into else None
    result = import_file(args.file, mapping, args.fmt)
    peak, note = args.peak_rps, None
    if peak == OBSERVED:
        traffic = result.observed_traffic
        if traffic is None:
            raise ImporterError(
                args.file,
                f"--peak-rps observed: this file shows no request rate: {result.no_traffic_reason}"
                "; give the peak as a number, --peak-rps RPS",
            )
        peak = round(traffic.peak_rps(args.sampling_rate or 1.0), 4)
        note = peak_note(traffic, Path(args.file).name, args.sampling_rate or 1.0)
    if existing is not None:
        scenario = apply_to_scenario(result, existing, "replace" if args.replace else "merge")
        if peak is not None:  # asked for: the existing scenario's traffic changes
            scenario = with_peak_rps(scenario, peak, note)
    else:
        scenario = new_scenario(
            result,
            name=args.name,
            sla_ms=args.sla_ms,
            percentile=float(args.percentile),
            peak_rps=peak or 0.0,
            replicas=args.replicas,
            peak_note=note,
        )
    for target in filter(None, (args.output, args.save_mapping)):  # fail before writing any
        if not Path(target).resolve().parent.is_dir():
            raise ImporterError(target, "cannot write here: the folder does not exist")
    try:
        save_scenario(scenario, args.output)
        if args.save_mapping:
            save_mapping(result.confirmed_mapping(), args.save_mapping)
    except OSError as exc:
        raise ImporterError(exc.filename, f"cannot write ({exc.strerror or exc})") from None
    if args.json:
        print(json.dumps(summary_data(result), indent=2, ensure_ascii=False, allow_nan=False))
    else:
        print(format_summary(result), end="")
        if peak is not None:
            was = f" (was {rate_text(existing.traffic.peak_rps)})" if existing is not None else ""
            print(f"traffic.peak_rps: {rate_text(scenario.traffic.peak_rps)} req/s{was}")
        print(f"wrote {args.output}")
    warnings = list(result.warnings)
    if existing is None and peak is None:
        text = "no --peak-rps given: traffic.peak_rps is 0, so no queueing is modelled"
        seen = result.observed_traffic
        if seen is not None:
            text += (
                f"; the file shows {rate_text(seen.busiest_rps)} req/s in its busiest "
                f"{seconds_text(seen.window_s)} (a lower bound if the traces were sampled): "
                "--peak-rps observed uses it, with --sampling-rate R to scale it by 1/R"
            )
        warnings.append(text)
    for warning in warnings:
        print(f"latency-advisor: warning: {warning}", file=sys.stderr)
    return 0
