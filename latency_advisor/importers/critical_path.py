"""One trace -> the stage observations on its critical path.

The root span is the request. Wrapper spans (a single child covering most of the parent) are
looked through. Below the root, `depth` levels of spans become stages; a span's own time (its
duration minus the union of its children's) is a stage too, so the stages add up to the root.
Children whose intervals overlap run in parallel: differently named ones form a parallel
group (the latency model takes the slowest), same-named ones are a fan-out (the slowest counts).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from latency_advisor.importers.spans import Span

OWN_TIME = " (own time)"
WRAPPER_COVERAGE = 0.9
MAX_OBSERVATIONS = 10_000
# overlap below this share of the shorter span is clock skew between services, not parallelism
PARALLEL_OVERLAP = 0.1


@dataclass(slots=True)
class Observation:
    """One stage's latency in one request."""

    stage: str
    duration_ms: float
    offset_ms: float
    group: frozenset[str] | None
    fan_out: int
    span_name: str
    hints: tuple[str, ...]


@dataclass(slots=True)
class TraceBreakdown:
    root_name: str
    total_ms: float
    start_ms: float
    observations: list[Observation]


Namer = Callable[[str], "str | None"]


def breakdown(spans: list[Span], namer: Namer, depth: int) -> TraceBreakdown | None:
    """The critical-path stages of one trace, or None when it has no usable root."""
    if not spans:
        return None
    by_id: dict[str, Span] = {}
    for span in spans:  # a repeated span id keeps its first span: ids make a tree, not a graph
        by_id.setdefault(span.span_id, span)
    if len(by_id) < len(spans):
        spans = list(by_id.values())
    children: dict[str, list[Span]] = defaultdict(list)
    roots: list[Span] = []
    for span in spans:
        parent = span.parent_id
        if parent and parent != span.span_id and parent in by_id:
            children[parent].append(span)
        else:
            roots.append(span)
    if not roots:
        return None
    root = max(roots, key=lambda s: s.duration_ms)
    for other in roots:  # orphans (parent not exported or sampled out) inside the root's window
        if other is not root and other.start_ms >= root.start_ms and other.end_ms <= root.end_ms:
            children[root.span_id].append(other)
    walker = _Walker(children, namer, depth, root.start_ms)
    node, wrapped = root, 0.0
    for _ in range(32 if depth > 0 else 0):  # look through wrappers: a lone child spanning
        kids = walker.kids(node)  # most of its parent (an HTTP server span around a handler)
        if len(kids) != 1 or kids[0].duration_ms < WRAPPER_COVERAGE * node.duration_ms:
            break
        wrapped += max(node.duration_ms - kids[0].duration_ms, 0.0)
        node = kids[0]
    walker.expand(node, 0, walker.kids(node), wrapped)
    return TraceBreakdown(root.name, max(root.duration_ms, 0.0), root.start_ms, walker.out)


class _Walker:
    def __init__(self, children: dict[str, list[Span]], namer: Namer, depth: int, t0: float):
        self.children = children
        self.namer = namer
        self.depth = depth
        self.t0 = t0
        self.out: list[Observation] = []

    def kids(self, span: Span) -> list[Span]:
        return [c for c in self.children.get(span.span_id, ()) if self.namer(c.name) is not None]

    def own_time(self, span: Span, kids: list[Span]) -> float:
        covered, cursor = 0.0, span.start_ms
        for kid in sorted(kids, key=lambda k: k.start_ms):
            lo, hi = max(kid.start_ms, cursor), min(kid.end_ms, span.end_ms)
            if hi > lo:
                covered += hi - lo
                cursor = hi
        return max(span.duration_ms - covered, 0.0)

    def emit(self, span: Span, stage: str, duration: float, group=None, fan_out: int = 1) -> None:
        if len(self.out) < MAX_OBSERVATIONS:
            self.out.append(
                Observation(
                    stage,
                    max(duration, 0.0),
                    span.start_ms - self.t0,
                    group,
                    fan_out,
                    span.name,
                    span.hints,
                )
            )

    def expand(self, span: Span, level: int, kids: list[Span], wrapped: float = 0.0) -> None:
        """Emit `span` as a stage, or its own time and its children's stages; `wrapped` is
        the own time of wrappers looked through above it, counted as its own time."""
        stage = self.namer(span.name) or span.name
        if level >= self.depth or not kids:
            self.emit(span, stage, span.duration_ms)
            if wrapped > 0:
                self.emit(span, stage + OWN_TIME, wrapped)
            return
        own = self.own_time(span, kids) + wrapped
        if own > 0:
            self.emit(span, stage + OWN_TIME, own)
        for cluster in _clusters(kids):
            if len(cluster) == 1:
                self.expand(cluster[0], level + 1, self.kids(cluster[0]))
                continue
            named: dict[str, list[Span]] = defaultdict(list)
            for member in cluster:
                named[self.namer(member.name) or member.name].append(member)
            group = frozenset(named) if len(named) > 1 else None
            for name, members in named.items():
                slowest = max(members, key=lambda m: m.duration_ms)
                self.emit(slowest, name, slowest.duration_ms, group, len(members))


def _clusters(kids: list[Span]) -> list[list[Span]]:
    """Children in start order, grouped where their intervals really overlap."""
    ordered = sorted(kids, key=lambda k: (k.start_ms, -k.end_ms))
    clusters: list[list[Span]] = []
    end = longest = float("-inf")
    for kid in ordered:
        if clusters:
            overlap = min(end, kid.end_ms) - kid.start_ms
            if overlap > 0 and overlap > PARALLEL_OVERLAP * min(kid.duration_ms, longest):
                clusters[-1].append(kid)
                end = max(end, kid.end_ms)
                longest = max(longest, kid.duration_ms)
                continue
        clusters.append([kid])
        end, longest = kid.end_ms, kid.duration_ms
    return clusters
