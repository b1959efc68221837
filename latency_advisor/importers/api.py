"""`import_file`: any supported file -> an ImportResult (stages, kinds, groups, warnings)."""

from __future__ import annotations

import io
import itertools
import math
from pathlib import Path

from latency_advisor.importers import chrome_trace, jaeger, llm_metrics, otlp, prometheus, zipkin
from latency_advisor.importers.collect import TraceCollector
from latency_advisor.importers.csv_timings import decode, encoding_of, read_table
from latency_advisor.importers.detect import FORMAT_NAMES, FORMATS, detect_format
from latency_advisor.importers.errors import ImporterError
from latency_advisor.importers.json_models import spans_from_file
from latency_advisor.importers.kinds import KindGuess, guess_kind
from latency_advisor.importers.limits import bounded_lines
from latency_advisor.importers.mapping import ImportMapping
from latency_advisor.importers.progress import ImportCancelled, Progress, ProgressCallback
from latency_advisor.importers.result import (
    ImportedStage,
    ImportResult,
    presence_warning,
    unique_names,
)
from latency_advisor.importers.source import open_binary, read_head
from latency_advisor.importers.spans import Clock, ReadCounts, Span
from latency_advisor.importers.stats import percentiles
from latency_advisor.importers.trace_stages import result_from_traces
from latency_advisor.importers.traffic import Arrivals


def import_file(
    path: str | Path,
    mapping: ImportMapping | None = None,
    fmt: str | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Read a trace, metrics or timings file into stages; the format is detected from content
    unless `fmt` (one of FORMATS) is given. Raises ImporterError for anything we cannot read.

    `progress(fraction)` is called now and then (at most every 0.1 s) from the calling thread;
    returning False stops the import with ImportCancelled."""
    path = Path(path)
    tracker = Progress(progress)
    mapping = mapping or ImportMapping()
    head = read_head(path)
    if fmt is None:
        fmt = detect_format(head, path)
    elif fmt not in FORMATS:
        raise ImporterError(path, f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    tracker.tick(force=True)
    if fmt == "prometheus":
        result = _import_prometheus(path, mapping, tracker)
    elif fmt == "csv":
        result = _import_csv(path, head, mapping, tracker)
    else:
        result = _import_traces(path, fmt, mapping, tracker)
    if progress is not None and progress(1.0) is False:
        raise ImportCancelled("import cancelled")
    _check_scenario_limits(result)
    return result


def _check_scenario_limits(result: ImportResult) -> None:
    """Refuse now what a scenario could not hold: an import never writes a file `analyze`
    would refuse (a stage of days is a unit mistake or a damaged file)."""
    from latency_advisor.scenario_values import MAX_MS

    for stage in result.stages:
        values = [v for v in (stage.p50_ms, stage.p95_ms, stage.p99_ms) if v is not None]
        if stage.samples_ms is not None and len(stage.samples_ms):
            values.append(float(stage.samples_ms.max()))
        longest = max(values)
        if not longest <= MAX_MS:
            raise ImporterError(
                result.path,
                f"stage {stage.name!r} takes {longest:.3g} ms, over the scenario limit of "
                f"{MAX_MS:.0e} ms (about 11 days); are the times in the unit the file says?",
            )


def _import_traces(path: Path, fmt: str, mapping: ImportMapping, tracker: Progress) -> ImportResult:
    warnings: list[str] = []
    counts = ReadCounts()
    if fmt == "otlp":
        clock = Clock(per_ms=1e6)
        reader = otlp.OtlpReader(clock, counts)
        adapter, to_spans, stream = reader.adapter, reader.spans, reader.stream_spec()
    elif fmt == "jaeger":
        clock = Clock(per_ms=1e3)
        adapter, stream = lambda: jaeger.ADAPTER, jaeger.STREAM
        to_spans = lambda doc: jaeger.spans(doc, clock, counts)  # noqa: E731
    elif fmt == "zipkin":
        clock = Clock(per_ms=1e3)
        adapter, stream = lambda: zipkin.ADAPTER, zipkin.STREAM
        to_spans = lambda doc: zipkin.spans(doc, counts, clock)  # noqa: E731
    else:
        clock = Clock(per_ms=1e3)
        adapter, stream = lambda: chrome_trace.ADAPTER, chrome_trace.STREAM
        to_spans = lambda doc: chrome_trace.spans(doc, counts, clock)  # noqa: E731
    collector = TraceCollector(mapping)
    untimed = 0
    documents = spans_from_file(
        path, adapter, to_spans, FORMAT_NAMES[fmt], warnings, tracker, stream
    )
    for batch in documents:
        for span in batch or ():
            if _timed(span):
                collector.add(span)
            else:
                untimed += 1
        if fmt == "chrome" and not counts.has_steps and "depth" not in mapping.model_fields_set:
            collector.mapping = mapping = mapping.model_copy(update={"depth": 0})
        collector.end_batch()
    collector.finish()
    if counts.malformed:
        warnings.append(f"{counts.malformed} spans lacked ids or times and were skipped")
    if untimed:
        warnings.append(f"{untimed} spans had no usable start and end times and were skipped")
    if counts.untimed:
        warnings.append(f"{counts.untimed} Zipkin spans without timestamp or duration skipped")
    if counts.gpu:
        warnings.append(
            f"{counts.gpu} GPU events (kernels, copies) left out: stages are timed by the "
            "CPU-side ops that launch them"
        )
    if fmt == "chrome" and not counts.has_steps:
        warnings.append(
            "no ProfilerStep#N markers: each top-level event is one sample of its own stage"
        )
    unpaired = []
    if counts.unmatched_ends:
        unpaired.append(f"{counts.unmatched_ends} E with no open B on its thread")
    if counts.unclosed_begins:
        unpaired.append(f"{counts.unclosed_begins} B never closed by an E")
    if unpaired:
        warnings.append(
            f"{counts.unmatched_ends + counts.unclosed_begins} begin/end (B/E) events could not "
            f"be paired and were skipped ({', '.join(unpaired)})"
        )
    if counts.renamed_ends:
        warnings.append(
            f"{counts.renamed_ends} E events are named unlike the B they close; each closed the "
            "innermost open B of its thread, as Chrome's trace viewer pairs them"
        )
    if counts.outside_steps:
        warnings.append(f"{counts.outside_steps} events outside any ProfilerStep left out")
    result = result_from_traces(collector, str(path), FORMAT_NAMES[fmt], warnings)
    if fmt == "chrome" and not counts.has_steps and len(collector.root_names) > 1:
        # top-level events of several names are the stages of a request, not requests
        result.observed_traffic = result.observed_rps = None
        names = sorted(collector.root_names)
        more = ", ..." if len(names) > 3 else ""
        result.no_traffic_reason = (
            "without ProfilerStep#N markers the trace's top-level events are stages "
            f"({', '.join(names[:3])}{more}), not requests"
        )
    elif result.observed_traffic is None:
        result.no_traffic_reason = _too_few(collector.arrivals)
    return result


def _too_few(arrivals: Arrivals) -> str:
    return (
        f"the file's {arrivals.count} request(s) do not span any time"
        if arrivals.count
        else "the file holds no readable request start times"
    )


def _timed(span: Span) -> bool:
    return (
        math.isfinite(span.start_ms) and math.isfinite(span.end_ms) and span.end_ms >= span.start_ms
    )


def _import_prometheus(path: Path, mapping: ImportMapping, tracker: Progress) -> ImportResult:
    with open_binary(path, tracker) as stream:
        text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace")
        series, warnings = prometheus.parse(tracker.iterate(bounded_lines(text, path)), str(path))
    llms, series, llm_warnings = llm_metrics.split(series)  # LLM servers: one stage in tokens
    warnings += llm_warnings
    stages: list[ImportedStage] = [_llm_stage(g, mapping, warnings) for g in llms]
    stages = [s for s in stages if s is not None]
    names = prometheus.stage_names(series) if series else []
    for raw_name, s in zip(names, series, strict=True):
        name = mapping.stage_name(raw_name)
        if name is None:
            continue
        q = {p: s.quantiles.get(p) for p in (0.5, 0.95, 0.99)}
        values = [max(v.value_ms, 0.0) if v else None for v in q.values()]
        if any(b is not None and a is not None and b < a for a, b in itertools.pairwise(values)):
            warnings.append(f"{name}: its quantiles decrease; left out")
            continue
        guess = _kind_for(name, mapping, [f"{k}={v}" for k, v in s.labels.items()] + [s.metric])
        stages.append(
            ImportedStage(
                name=name,
                count=s.count,
                p50_ms=values[0] or 0.0,
                p95_ms=values[1],
                p99_ms=values[2],
                bounds_ms={p * 100: (v.low_ms, v.high_ms) for p, v in q.items() if v is not None},
                kind=guess.kind,
                kind_label=guess.label,
                kind_reason=guess.reason,
                kind_confirmed=name in mapping.kinds,
                parallel_group=mapping.parallel_groups.get(name),
                span_names=[raw_name],
            )
        )
        if s.unit_assumed:
            warnings.append(f"{s.metric}: no unit in the name; read as seconds (Prometheus' base)")
    if not stages:
        raise ImporterError(path, "every latency series was left out (see the mapping's ignore)")
    unique_names(stages)
    warnings.append("metrics do not say the order of stages or which run in parallel: check both")
    return ImportResult(
        str(path),
        FORMAT_NAMES["prometheus"],
        stages,
        mapping,
        warnings,
        no_traffic_reason="Prometheus metrics hold counts since the process started, not when "
        "requests came",
    )


def _llm_stage(
    group: llm_metrics.LlmSeries, mapping: ImportMapping, warnings: list[str]
) -> ImportedStage | None:
    """One LLM server's histograms as one model stage with its token fields."""
    name = mapping.stage_name(group.name)
    if name is None:
        return None
    e2e = group.roles["e2e"]
    q = {p: e2e.quantiles.get(p) for p in (0.5, 0.95, 0.99)}
    fields, notes = llm_metrics.model_fields(group)
    warnings += notes
    return ImportedStage(
        name=name,
        count=e2e.count,
        p50_ms=max(q[0.5].value_ms, 0.0) if q[0.5] else 0.0,
        p95_ms=max(q[0.95].value_ms, 0.0) if q[0.95] else None,
        p99_ms=max(q[0.99].value_ms, 0.0) if q[0.99] else None,
        bounds_ms={p * 100: (v.low_ms, v.high_ms) for p, v in q.items() if v is not None},
        kind=mapping.kinds.get(name, "model"),
        kind_label=mapping.kinds.get(name, "model"),
        kind_reason=f"{group.server}'s request histograms",
        kind_confirmed=name in mapping.kinds,
        parallel_group=mapping.parallel_groups.get(name),
        span_names=[s.metric for s in group.roles.values()],
        model_family="llm",
        model_fields=fields,
    )


def _kind_for(name: str, mapping: ImportMapping, hints: list[str]) -> KindGuess:
    if name in mapping.kinds:
        return KindGuess(mapping.kinds[name], mapping.kinds[name], "saved mapping")
    return guess_kind([name], hints)


def _import_csv(path: Path, head: bytes, mapping: ImportMapping, tracker: Progress) -> ImportResult:
    encoding = encoding_of(head)
    with open_binary(path, tracker) as stream:
        text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
        table = read_table(tracker.iterate(bounded_lines(text, path)), decode(head), str(path))
    stages: list[ImportedStage] = []
    warnings = list(table.warnings)
    if table.shape == "long":
        for row in table.rows:
            name = mapping.stage_name(row.name)
            if name is None:
                continue
            p50, p95, p99 = (row.percentiles_ms.get(p) for p in (50.0, 95.0, 99.0))
            ordered = [v for v in (p50, p95, p99) if v is not None]
            if ordered != sorted(ordered):
                raise ImporterError(
                    path, f"stage {row.name!r}: percentiles must not decrease (p50 <= p95 <= p99)"
                )
            guess = (
                KindGuess(row.kind, row.kind, "the file says so")
                if row.kind and name not in mapping.kinds
                else _kind_for(name, mapping, [])
            )
            stages.append(
                ImportedStage(
                    name=name,
                    p50_ms=p50 or 0.0,
                    p95_ms=p95,
                    p99_ms=p99,
                    kind=guess.kind,
                    kind_label=guess.label,
                    kind_reason=guess.reason,
                    kind_confirmed=bool(row.kind) or name in mapping.kinds,
                    calls=row.calls,
                    parallel_group=mapping.parallel_groups.get(name, row.group),
                    span_names=[row.name],
                )
            )
        requests = 0
    else:
        for column in table.columns:
            name = mapping.stage_name(column.name)
            if name is None:
                continue
            guess = _kind_for(name, mapping, [])
            stages.append(
                ImportedStage.from_samples(
                    name,
                    column.samples.as_array(),
                    count=column.samples.count,
                    kind=guess.kind,
                    kind_label=guess.label,
                    kind_reason=guess.reason,
                    kind_confirmed=name in mapping.kinds,
                    parallel_group=mapping.parallel_groups.get(name),
                    presence=column.samples.count / max(table.requests, 1),
                    span_names=[column.name],
                )
            )
        requests = table.requests
    if not stages:
        raise ImporterError(path, "every stage was left out (see the mapping's ignore)")
    unique_names(stages)
    partial = presence_warning(stages, "rows") if table.shape == "wide" else None
    if partial:  # an empty cell: the request did not go through that stage
        warnings.append(partial)
    e2e: dict[float, float] = {}
    if table.total is not None:
        e2e = dict(
            zip((50.0, 95.0, 99.0), percentiles(table.total.samples.as_array()), strict=True)
        )
    traffic, why = None, "a CSV with one row per stage holds no request times"
    if table.shape == "wide" and table.times is None:
        why = (
            "the CSV has no timestamp column (`timestamp`, `time`, `ts`, `start_time`, ... "
            "holding ISO 8601 or Unix times)"
        )
    elif table.times is not None:
        traffic = table.times.arrivals.traffic()
        why = "" if traffic else f"column {table.times.name!r}: " + _too_few(table.times.arrivals)
    return ImportResult(
        str(path),
        FORMAT_NAMES["csv"],
        stages,
        mapping,
        warnings,
        traces=requests,
        end_to_end_ms=e2e,
        observed_rps=traffic.mean_rps if traffic else None,
        observed_traffic=traffic,
        no_traffic_reason=why,
    )
