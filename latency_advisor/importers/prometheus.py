"""Prometheus text exposition: histograms (`_bucket` series with `le`) and summaries.

A histogram gives counts per bucket, not samples: a percentile is interpolated linearly inside
the bucket that holds its rank (as PromQL's histogram_quantile does), and the bucket's bounds
are the honest uncertainty of that number. Summaries carry their quantiles directly.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from latency_advisor.importers.errors import ImporterError

SAMPLE_LINE = re.compile(
    r"^(?P<name>[A-Za-z_:][A-Za-z0-9_:]*)(?:\{(?P<labels>.*)\})?\s+(?P<value>\S+)(?:\s+\S+)?\s*$"
)
LABEL = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?')
UNITS: tuple[tuple[str, float], ...] = (
    ("_milliseconds", 1.0),
    ("_microseconds", 1e-3),
    ("_nanoseconds", 1e-6),
    ("_seconds", 1000.0),
    ("_ms", 1.0),
    ("_us", 1e-3),
)
QUANTILES = (0.5, 0.95, 0.99)
MAX_SAMPLE_LINE_CHARS = 64 * 1024  # real samples are far shorter; longer lines are skipped
# labels that tell replicas apart, not stages: their series are summed (sum by (le) in PromQL)
REPLICA_LABELS = frozenset(
    {
        "instance",
        "pod",
        "pod_name",
        "job",
        "host",
        "hostname",
        "node",
        "container",
        "namespace",
        "service_instance_id",
        "replica",
        "zone",
        "region",
    }
)


@dataclass
class Histogram:
    """One histogram series: cumulative counts by upper bound, in file units."""

    metric: str
    labels: dict[str, str]
    buckets: dict[float, float] = field(default_factory=dict)


@dataclass
class Quantile:
    value_ms: float
    low_ms: float
    high_ms: float  # inf when the rank falls in the +Inf bucket


@dataclass
class Series:
    """A latency series ready to become a stage."""

    metric: str
    labels: dict[str, str]
    count: int
    quantiles: dict[float, Quantile]
    unit_assumed: bool


def parse(lines: Iterable[str], path: str) -> tuple[list[Series], list[str]]:
    histograms: dict[tuple, Histogram] = {}
    summaries: dict[tuple, dict[float, float]] = {}
    summary_counts: dict[tuple, float] = {}
    warnings: list[str] = []
    bad = 0
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if len(line) > MAX_SAMPLE_LINE_CHARS:
            bad += 1
            warnings.append(
                f"line {number} is {len(line):,} characters long, over the limit of "
                f"{MAX_SAMPLE_LINE_CHARS:,} for a sample's labels and value; skipped"
            )
            continue
        match = SAMPLE_LINE.match(line)
        labels = _labels(match.group("labels") or "") if match else None
        value = _number(match.group("value")) if match else None
        if match is None or labels is None or value is None:
            bad += 1
            if bad == 1:
                warnings.append(f"line {number} is not a metric sample and was skipped")
            continue
        name = match.group("name")
        if name.endswith("_bucket") and "le" in labels:
            bound = _number(labels.pop("le"))
            if bound is None:
                continue
            labels = {k: v for k, v in labels.items() if k not in REPLICA_LABELS}
            key = (name[: -len("_bucket")], tuple(sorted(labels.items())))
            hist = histograms.setdefault(key, Histogram(key[0], labels))
            hist.buckets[bound] = hist.buckets.get(bound, 0.0) + value
        elif "quantile" in labels:
            q = _number(labels.pop("quantile"))
            if q is not None and math.isfinite(value):
                summaries.setdefault((name, tuple(sorted(labels.items()))), {})[q] = value
        elif name.endswith("_count"):
            summary_counts[(name[: -len("_count")], tuple(sorted(labels.items())))] = value
    if bad > 1:
        warnings.append(f"{bad} lines in all were not metric samples")
    series = [s for h in histograms.values() if (s := _from_histogram(h, warnings))]
    for (metric, labels), qs in summaries.items():
        factor, assumed = unit_factor(metric)
        picked = {q: qs[q] for q in QUANTILES if q in qs}
        if 0.5 not in picked:
            warnings.append(f"summary {metric} has no 0.5 quantile; it was left out")
            continue
        count = summary_counts.get((metric, labels), 0.0)
        series.append(
            Series(
                metric,
                dict(labels),
                int(count) if math.isfinite(count) else 0,
                {q: Quantile(v * factor, v * factor, v * factor) for q, v in picked.items()},
                assumed,
            )
        )
    if not series:
        raise ImporterError(
            path,
            'no latency histogram or summary found (expected `NAME_bucket{le="..."} COUNT` '
            'lines of a histogram, or `NAME{quantile="0.95"} VALUE` lines of a summary)',
        )
    return series, warnings


def unit_factor(metric: str) -> tuple[float, bool]:
    """Milliseconds per file unit, from the metric's name; seconds (the Prometheus base unit)
    when the name does not say, flagged as assumed."""
    base = metric.removesuffix("_bucket")
    for suffix, factor in UNITS:
        if base.endswith(suffix):
            return factor, False
    return 1000.0, True


def _from_histogram(hist: Histogram, warnings: list[str]) -> Series | None:
    bounds = sorted(b for b in hist.buckets if not math.isnan(b))
    counts = [hist.buckets[b] for b in bounds]
    if not bounds or not math.isinf(bounds[-1]) or any(not math.isfinite(c) for c in counts):
        warnings.append(f"histogram {hist.metric} has no +Inf bucket; it was left out")
        return None
    if any(b < a for a, b in itertools.pairwise(counts)):
        warnings.append(f"histogram {hist.metric}: bucket counts are not cumulative; left out")
        return None
    total = counts[-1]
    if total <= 0:
        warnings.append(
            f"histogram {hist.metric} {hist.labels or ''} has no observations; left out"
        )
        return None
    factor, assumed = unit_factor(hist.metric)
    quantiles = {q: _quantile(q, bounds, counts, factor) for q in QUANTILES}
    if math.isinf(quantiles[0.99].high_ms):
        warnings.append(
            f"histogram {hist.metric}: the p99 lies above the largest finite bucket "
            f"({bounds[-2] * factor if len(bounds) > 1 else 0:g} ms); reported as that bound"
        )
    return Series(hist.metric, hist.labels, int(total), quantiles, assumed)


def _quantile(q: float, bounds: list[float], counts: list[float], factor: float) -> Quantile:
    """Linear interpolation inside the bucket that holds rank q x total."""
    rank = q * counts[-1]
    for i, (bound, count) in enumerate(zip(bounds, counts, strict=True)):
        if count >= rank:
            lower = bounds[i - 1] if i > 0 else min(0.0, bound)
            below = counts[i - 1] if i > 0 else 0.0
            if math.isinf(bound):
                finite = lower if i > 0 else 0.0
                return Quantile(finite * factor, finite * factor, math.inf)
            inside = count - below
            value = lower + (bound - lower) * ((rank - below) / inside if inside > 0 else 1.0)
            return Quantile(value * factor, max(lower, 0.0) * factor, bound * factor)
    raise AssertionError("the +Inf bucket holds every observation")


def _labels(text: str) -> dict[str, str] | None:
    labels: dict[str, str] = {}
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = LABEL.match(text, pos)
        if match is None:
            return None
        value = match.group(2).replace(r"\"", '"').replace(r"\n", "\n").replace("\\\\", "\\")
        labels[match.group(1)] = value
        pos = match.end()
    return labels


def _number(text: str) -> float | None:
    try:
        return float(text)  # accepts +Inf, -Inf, NaN as Prometheus writes them
    except ValueError:
        return None


def stage_names(series: list[Series]) -> list[str]:
    """Readable names: the metric (without unit words) where several metrics are present, and
    the values of the labels that tell the series apart (stage="embedding" -> "embedding")."""
    metrics = {s.metric for s in series}
    keys = sorted({k for s in series for k in s.labels})
    varying = [k for k in keys if len({s.labels.get(k) for s in series}) > 1]
    names = []
    for s in series:
        parts = [_short_metric(s.metric)] if len(metrics) > 1 or not varying else []
        parts += [s.labels[k] for k in varying if s.labels.get(k)]
        names.append(" ".join(parts) or _short_metric(s.metric))
    return names


def _short_metric(metric: str) -> str:
    base = metric
    for suffix, _ in UNITS:
        base = base.removesuffix(suffix)
    for word in ("_duration", "_latency", "_time"):
        base = base.removesuffix(word)
    return base or metric
