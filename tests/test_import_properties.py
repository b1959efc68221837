"""Property tests: whatever JSON, CSV or text a user drops on the importer, the outcome is a
valid scenario or our own ImporterError, never another exception."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from latency_advisor.importers import ImporterError, import_file, new_scenario
from latency_advisor.scenario import Scenario

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEYS = st.sampled_from(
    [
        "resourceSpans",
        "scopeSpans",
        "spans",
        "traceId",
        "spanId",
        "parentSpanId",
        "name",
        "startTimeUnixNano",
        "endTimeUnixNano",
        "data",
        "traceID",
        "spanID",
        "operationName",
        "references",
        "startTime",
        "duration",
        "id",
        "parentId",
        "timestamp",
        "traceEvents",
        "ph",
        "ts",
        "dur",
        "pid",
        "tid",
        "attributes",
        "tags",
        "kind",
        "x",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["X", "B", "E", "CHILD_OF", "a", "b", "", "1", "+Inf"])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(KEYS | st.text(max_size=6), inner, max_size=6)
    ),
    max_leaves=40,
)


def _outcome(content: bytes, name: str = "input") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(content)
        try:
            result = import_file(path)
            scenario = new_scenario(result, sla_ms=100)
        except ImporterError as exc:
            assert str(path) in str(exc)
            return
        assert isinstance(scenario, Scenario)
        assert result.stages and all(s.p50_ms >= 0 for s in result.stages)


def _dumps(value, pretty: bool = False) -> bytes:
    return json.dumps(value, allow_nan=True, indent=1 if pretty else None).encode()


@SETTINGS
@given(JSON, st.booleans())
def test_arbitrary_json(value, pretty) -> None:
    """Pretty-printed documents take the streaming path, one-line ones the JSON-lines path."""
    _outcome(_dumps(value, pretty))


@SETTINGS
@given(st.lists(JSON, min_size=1, max_size=4))
def test_arbitrary_json_lines(values) -> None:
    _outcome(b"\n".join(_dumps(v) for v in values))


IDS = st.sampled_from(["a", "b", "c", "d", ""])
TIMES = st.one_of(*[st.integers(0, 50)] * 15, st.sampled_from([2**63, 10**30, -5]))


@st.composite
def otlp_docs(draw):
    spans = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "traceId": st.sampled_from(["t1", "t2"]),
                    "spanId": IDS,
                    "parentSpanId": IDS,
                    "name": st.text(max_size=300) | st.sampled_from(["GET /a/1", "db", "llm"]),
                    "startTimeUnixNano": TIMES.map(str),
                    "endTimeUnixNano": TIMES,
                }
            ),
            max_size=12,
        )
    )
    return {"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]}


@SETTINGS
@given(otlp_docs(), st.booleans())
def test_arbitrary_span_trees(doc, pretty) -> None:
    """Duplicate ids, cycles, self-parents, zero and negative durations, huge times."""
    _outcome(_dumps(doc, pretty))


@st.composite
def zipkin_docs(draw):
    return draw(
        st.lists(
            st.fixed_dictionaries(
                {"traceId": st.just("t"), "id": IDS, "name": st.text(max_size=5)},
                optional={
                    "parentId": IDS,
                    "timestamp": st.floats(-1e20, 1e20) | st.integers(0, 100),
                    "duration": st.floats(allow_nan=False) | st.integers(-5, 100),
                    "shared": st.booleans(),
                },
            ),
            max_size=10,
        )
    )


@SETTINGS
@given(zipkin_docs(), st.booleans())
def test_arbitrary_zipkin(doc, pretty) -> None:
    _outcome(_dumps(doc, pretty))


CELLS = (
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=8)
    | st.floats(allow_nan=True, allow_infinity=True).map(str)
    | st.integers(-1000, 10**6).map(str)
    | st.sampled_from(
        ["p50", "p95", "p99", "stage", "kind", "calls", "model", "1,5", "-3", "", "ms", "total"]
    )
)


@SETTINGS
@given(
    st.lists(st.lists(CELLS, min_size=1, max_size=5), min_size=1, max_size=8),
    st.sampled_from([",", ";", "\t", "|"]),
    st.booleans(),
)
def test_arbitrary_csv(rows, sep, quote) -> None:
    if quote:
        text = "\n".join(sep.join(json.dumps(c) for c in row) for row in rows)
    else:
        text = "\n".join(sep.join(row) for row in rows)
    _outcome(text.encode("utf-8", errors="surrogatepass"), "input.csv")


@SETTINGS
@given(st.binary(max_size=200))
def test_arbitrary_bytes(content) -> None:
    _outcome(content)


PROM_LINE = st.builds(
    lambda name, labels, value: f"{name}{labels} {value}",
    st.sampled_from(["x_seconds_bucket", "x_seconds_count", "y_ms_bucket", "z", "s_seconds"]),
    st.sampled_from(
        [
            '{le="0.1"}',
            '{le="+Inf"}',
            '{le="1",a="b"}',
            '{quantile="0.5"}',
            '{quantile="0.95"}',
            '{le="NaN"}',
            '{le="-1"}',
            "{",
            '{a="\\"x"}',
            "",
        ]
    ),
    st.sampled_from(["1", "0", "5", "-2", "+Inf", "NaN", "1e400", "abc"]),
)


@SETTINGS
@given(st.lists(PROM_LINE, min_size=1, max_size=12))
def test_arbitrary_prometheus(lines) -> None:
    _outcome(("# TYPE x_seconds histogram\n" + "\n".join(lines)).encode())
