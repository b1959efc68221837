"""Chrome trace begin/end (B/E) events: the same trace written with B/E pairs instead of
complete (X) events imports to the same stages, whatever the order of the events, the threads
they interleave, the mix of both forms; malformed pairs are skipped and counted."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from latency_advisor.importers import import_file
from tests.trace_files import (
    as_begin_end,
    chrome_events,
    write_chrome_array,
    write_chrome_document,
)

STEPS = 160


def _stages(result) -> list[tuple]:
    """What an import says about each stage (the numbers the scenario gets), the times to
    1e-9 ms: times are taken relative to the first event read, which the order can change,
    and float rounding with it."""
    return [
        (
            s.name,
            s.count,
            *(_round(v) for v in (s.p50_ms, s.p95_ms, s.p99_ms)),
            s.calls,
            s.parallel_group,
        )
        for s in result.stages
    ]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 9)


def _check_against_generator(result, expected: dict[str, list[float]]) -> None:
    stages = {s.name: s for s in result.stages}
    assert set(stages) == set(expected)
    for name, values in expected.items():
        want = np.percentile(values, [50, 95, 99])
        got = [stages[name].p50_ms, stages[name].p95_ms, stages[name].p99_ms]
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-6, err_msg=name)


@pytest.mark.parametrize(
    ("every", "name_ends", "order", "threads", "gz"),
    [
        (1, False, "file", 1, True),  # every X a B/E pair, each E right after its B: unsorted
        (1, True, "time", 2, False),  # sorted by time: two threads' pairs interleave
        (2, False, "time", 3, True),  # X and B/E mixed on the same threads
        (1, True, "shuffled", 2, False),  # any order at all
    ],
    ids=["begin-end", "interleaved-threads", "mixed-with-x", "shuffled"],
)
def test_begin_end_pairs_give_the_same_stages_as_complete_events(
    tmp_path: Path, every, name_ends, order, threads, gz
) -> None:
    events, expected = chrome_events(STEPS, seed=7, threads=threads)
    complete = import_file(write_chrome_document(events, tmp_path / "x.json", gz=gz))
    paired_events = as_begin_end(events, every=every, name_ends=name_ends, order=order)
    assert any(e["ph"] == "B" for e in paired_events)
    assert (every == 2) == any(e["ph"] == "X" for e in paired_events)
    paired = import_file(write_chrome_document(paired_events, tmp_path / "be.json", gz=gz))

    assert paired.traces == complete.traces == STEPS
    assert _stages(paired) == _stages(complete)
    _check_against_generator(paired, expected)
    # the GPU kernels written as B/E are left out just like X ones
    assert [w for w in paired.warnings if "GPU events" in w] == [
        w for w in complete.warnings if "GPU events" in w
    ]
    assert not [w for w in paired.warnings if "B/E" in w or "named unlike" in w]


def test_the_json_array_form_may_lack_its_closing_bracket(tmp_path: Path) -> None:
    events = as_begin_end(chrome_events(STEPS, seed=2)[0], order="time")
    closed = import_file(write_chrome_array(events, tmp_path / "closed.json"))
    assert not any("closing" in w for w in closed.warnings)

    unclosed = import_file(write_chrome_array(events, tmp_path / "open.json", closed=False))
    assert _stages(unclosed) == _stages(closed)
    assert any("ends without its closing `]`" in w for w in unclosed.warnings)

    # cut in the middle of the last event (its E): what was complete is read, the B left
    # open by the lost E is counted
    path = tmp_path / "cut.json"
    text = (tmp_path / "open.json").read_text().rstrip(",\n")
    path.write_text(text[: -len(json.dumps(events[-1])) // 2])
    cut = import_file(path)
    shorter = import_file(write_chrome_array(events[:-1], tmp_path / "shorter.json"))
    assert _stages(cut) == _stages(shorter)
    assert cut.traces == shorter.traces == STEPS - 1  # the last step never closed
    assert any("ends without its closing `]`" in w for w in cut.warnings)
    assert any("1 B never closed by an E" in w for w in cut.warnings)


def test_a_broken_array_is_still_refused_with_its_reason(tmp_path: Path) -> None:
    """Only a missing end is forgiven: a syntax error inside the array is not."""
    from latency_advisor.importers import ImporterError

    events = as_begin_end(chrome_events(20, seed=2)[0], order="time")
    path = write_chrome_array(events, tmp_path / "broken.json", closed=False)
    lines = path.read_text().splitlines()
    lines[10] = lines[10].replace('"ph"', '"ph" "oops"', 1)
    path.write_text("\n".join(lines))
    with pytest.raises(ImporterError, match="invalid JSON") as info:
        import_file(path)
    assert str(path) in str(info.value)


def test_unpaired_and_misnamed_events_are_skipped_and_counted(tmp_path: Path) -> None:
    events, expected = chrome_events(STEPS, seed=4, threads=2)
    paired = as_begin_end(events, name_ends=True, order="time")
    clean = import_file(write_chrome_document(paired, tmp_path / "clean.json"))
    first_ts = min(e["ts"] for e in paired)
    last_ts = max(e["ts"] for e in paired)
    broken = [
        {"ph": "E", "pid": 1, "tid": 1, "ts": first_ts - 50},  # nothing open yet
        {"ph": "E", "pid": 1, "tid": 2, "ts": first_ts - 40, "name": "forward"},
        *paired,
        {"ph": "B", "pid": 1, "tid": 1, "ts": last_ts + 500, "name": "ProfilerStep#999"},
        {"ph": "B", "pid": 9, "tid": 9, "ts": 5.0, "name": "never closed"},
        {"ph": "B", "pid": 9, "tid": 9, "name": "no time"},  # malformed: skipped
    ]
    for event in broken:  # one E of a forward event says the wrong name: it still closes it
        if event["ph"] == "E" and event.get("name") == "forward" and event["ts"] > first_ts:
            event["name"] = "backward"
            break
    result = import_file(write_chrome_document(broken, tmp_path / "broken.json"))

    assert _stages(result) == _stages(clean)
    _check_against_generator(result, expected)
    assert (
        "4 begin/end (B/E) events could not be paired and were skipped (2 E with no open B on "
        "its thread, 2 B never closed by an E)"
    ) in result.warnings
    assert any(
        w.startswith("1 E events are named unlike the B they close") for w in result.warnings
    )
    assert "1 spans lacked ids or times and were skipped" in result.warnings


def test_events_at_the_same_time_keep_the_files_order(tmp_path: Path) -> None:
    """Back to back (an E and the next B at one time) and out of time order in the file: the
    sort keeps the file's order of the tied events, so `a` ends before `b` begins."""
    events = [
        {"ph": "E", "pid": 1, "tid": 1, "ts": 30},  # b's end, written first
        {"ph": "B", "pid": 1, "tid": 1, "ts": 0, "name": "a"},
        {"ph": "E", "pid": 1, "tid": 1, "ts": 10},
        {"ph": "B", "pid": 1, "tid": 1, "ts": 10, "name": "b"},
        {"ph": "B", "pid": 1, "tid": 1, "ts": 12, "name": "b.child"},
        {"ph": "E", "pid": 1, "tid": 1, "ts": 20},
        {"ph": "X", "pid": 1, "tid": 2, "ts": 5, "dur": 40, "name": "c"},  # another thread
    ]
    result = import_file(write_chrome_array(events, tmp_path / "ties.json"))
    stages = {s.name: s for s in result.stages}
    assert set(stages) == {"a", "b", "c"}  # b.child nests inside b (one level: the stage is b)
    assert stages["a"].p50_ms == pytest.approx(0.010)
    assert stages["b"].p50_ms == pytest.approx(0.020)
    assert stages["c"].p50_ms == pytest.approx(0.040)


def test_a_big_begin_end_document_is_streamed(tmp_path: Path, monkeypatch) -> None:
    """B/E files are read like X ones: streamed item by item, never parsed whole."""
    from latency_advisor.importers import json_models

    events, _ = chrome_events(60, seed=1)
    path = write_chrome_document(as_begin_end(events), tmp_path / "doc.json", gz=False)
    whole = import_file(path)
    path.write_text(json.dumps(json.loads(path.read_text()), indent=1))
    calls = []
    real_items = json_models.ijson.items
    monkeypatch.setattr(
        json_models.ijson, "items", lambda *a, **k: calls.append(a[1]) or real_items(*a, **k)
    )
    streamed = import_file(path)
    assert calls == ["traceEvents.item"]
    assert _stages(streamed) == _stages(whole)


EVENT = st.fixed_dictionaries(
    {
        "ph": st.sampled_from(["X", "B", "E", "i", ""]),
        "ts": st.none()
        | st.integers(-(10**18), 10**18)
        | st.floats(allow_nan=True, allow_infinity=True),
        "pid": st.integers(0, 2),
        "tid": st.integers(0, 2) | st.sampled_from(["main", "stream 7"]),
    },
    optional={
        "dur": st.floats(-10, 1e6, allow_nan=False) | st.integers(0, 10**6),
        "name": st.sampled_from(["a", "b", "ProfilerStep#1", "ProfilerStep#2", ""]),
        "cat": st.sampled_from(["cpu_op", "kernel", "gpu_memcpy", ""]),
    },
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EVENT, max_size=40), st.booleans(), st.booleans())
def test_arbitrary_events_import_or_are_refused_with_a_reason(events, closed, wrapped) -> None:
    """Whatever mix of X, B and E events, in whatever order and with whatever times: a valid
    result whose summary is plain JSON (no NaN or infinity), or our own ImporterError."""
    from latency_advisor.importers import ImporterError, new_scenario
    from latency_advisor.importers.summary import summary_data

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "trace.json"
        if wrapped:
            path.write_text(json.dumps({"traceEvents": events}))
        else:
            text = json.dumps(events)
            path.write_text(text if closed else text[:-1])  # without the closing `]`
        try:
            result = import_file(path)
        except ImporterError as exc:
            assert str(path) in str(exc)
            return
        json.dumps(summary_data(result), allow_nan=False)
        new_scenario(result, sla_ms=100)
        seen = result.observed_traffic
        if seen is not None:
            assert seen.mean_rps > 0 and seen.busiest_rps > 0 and seen.requests >= 2
