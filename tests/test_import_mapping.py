"""Span-to-stage mapping: the critical path, parallel groups, fan-out, wrappers, orphans,
renames and ignores, kind guesses, and saved mappings reused on the next file."""

from __future__ import annotations

from pathlib import Path

import pytest

from latency_advisor.importers import (
    ImporterError,
    ImportMapping,
    guess_kind,
    import_file,
    load_mapping,
    save_mapping,
)
from latency_advisor.importers.critical_path import breakdown
from latency_advisor.importers.mapping import normalize_name
from latency_advisor.importers.spans import Span
from tests.trace_files import make_requests, write_otlp_lines


def _span(sid, parent, name, start, end):
    return Span("t", sid, parent, name, float(start), float(end))


def _obs(spans, depth=1, namer=lambda n: n):
    result = breakdown(spans, namer, depth)
    return {(o.stage, o.duration_ms, o.group, o.fan_out) for o in result.observations}


def test_sequential_children_and_own_time_add_up_to_the_root() -> None:
    spans = [
        _span("r", None, "root", 0, 100),
        _span("a", "r", "A", 5, 25),
        _span("b", "r", "B", 30, 90),
    ]
    obs = _obs(spans)
    assert obs == {("root (own time)", 20.0, None, 1), ("A", 20.0, None, 1), ("B", 60.0, None, 1)}
    assert sum(o[1] for o in obs) == 100.0


def test_overlapping_children_form_a_parallel_group_and_same_names_a_fan_out() -> None:
    spans = [
        _span("r", None, "root", 0, 100),
        _span("a", "r", "search", 0, 40),
        _span("b", "r", "lookup", 10, 60),
        _span("c", "r", "shard", 60, 70),
        _span("d", "r", "shard", 60, 90),
        _span("e", "r", "shard", 61, 80),
    ]
    obs = _obs(spans)
    group = frozenset({"search", "lookup"})
    assert ("search", 40.0, group, 1) in obs and ("lookup", 50.0, group, 1) in obs
    assert ("shard", 30.0, None, 3) in obs  # the slowest of three parallel calls
    assert ("root (own time)", 10.0, None, 1) in obs


def test_clock_skew_overlap_is_not_parallelism() -> None:
    spans = [
        _span("r", None, "root", 0, 100),
        _span("a", "r", "A", 0, 50.5),  # ends 0.5 ms after B starts: skew between hosts
        _span("b", "r", "B", 50, 100),
    ]
    assert {o[2] for o in _obs(spans)} == {None}


def test_wrappers_are_looked_through() -> None:
    spans = [
        _span("r", None, "HTTP POST", 0, 100),
        _span("h", "r", "handler", 1, 99),
        _span("a", "h", "A", 2, 50),
        _span("b", "h", "B", 50, 98),
    ]
    assert _obs(spans) == {
        ("A", 48.0, None, 1),
        ("B", 48.0, None, 1),
        ("handler (own time)", 4.0, None, 1),  # 2 ms its own, 2 ms the wrapper's
    }
    result = breakdown(spans, lambda n: n, 1)
    assert result.total_ms == 100.0 and result.root_name == "HTTP POST"


def test_orphans_inside_the_root_window_are_its_children() -> None:
    spans = [
        _span("r", None, "root", 0, 100),
        _span("a", "r", "A", 0, 40),
        _span("b", "gone", "B", 50, 90),
    ]
    assert ("B", 40.0, None, 1) in _obs(spans)


def test_ignored_spans_count_as_their_parents_own_time() -> None:
    mapping = ImportMapping(ignore=["noise*"], rename={"A*": "Stage A"})
    spans = [
        _span("r", None, "root", 0, 100),
        _span("a", "r", "A1", 0, 40),
        _span("n", "r", "noise-gc", 40, 60),
        _span("b", "r", "A2", 60, 100),
    ]
    obs = _obs(spans, namer=mapping.stage_name)
    assert obs == {("Stage A", 40.0, None, 1), ("root (own time)", 20.0, None, 1)}


def test_cyclic_or_duplicate_ids_do_not_hang() -> None:
    spans = [
        _span("x", None, "root", 0, 100),
        _span("y", "x", "A", 0, 50),
        _span("x", "y", "B", 0, 20),  # reuses the root's id
    ]
    result = breakdown(spans, lambda n: n, 8)
    assert result is not None and len(result.observations) < 10_001


def test_names_are_folded_over_ids() -> None:
    assert normalize_name("GET /users/12345/orders") == "GET /users/{id}/orders"
    assert normalize_name("ProfilerStep#17") == "ProfilerStep#N"
    assert normalize_name("fetch 3f2a9c0d-1b2c-4d5e-8f90-0123456789ab") == "fetch {id}"
    assert normalize_name("   ") == "(unnamed)"


@pytest.mark.parametrize(
    ("names", "hints", "kind", "label"),
    [
        (["SELECT users"], ["db.system=postgresql"], "feature_fetch", "db"),
        (["GET"], ["db.system=redis"], "feature_fetch", "cache"),
        (["chat gpt-4o"], ["gen_ai.system=openai"], "model", "model"),
        (["HTTP GET"], ["http.request.method=GET", "span.kind=client"], "network", "http"),
        (["/grpc.Health/Check"], ["rpc.system=grpc"], "network", "rpc"),
        (["embed query"], ["http.request.method=POST"], "preprocessing", "embedding"),
        (["faiss.search"], [], "retrieval", "retrieval"),
        (["wait for slot"], [], "queueing", "queue"),
        (["tokenize"], [], "preprocessing", "preprocessing"),
        (["serialize response"], [], "serialization", "serialization"),
        (["xyzzy"], [], "other", "other"),
    ],
)
def test_kind_guesses_say_why(names, hints, kind, label) -> None:
    guess = guess_kind(names, hints)
    assert (guess.kind, guess.label) == (kind, label)
    assert guess.reason


def test_saved_mapping_is_reused_for_the_next_trace(tmp_path: Path) -> None:
    first = import_file(write_otlp_lines(make_requests(60, seed=1), tmp_path / "monday.jsonl"))
    stage = next(s for s in first.stages if s.name == "POST /chat (own time)")
    assert not stage.kind_confirmed
    stage.kind = "serialization"  # the user corrects a guess in the preview
    next(s for s in first.stages if s.name == "embed query").name = "Query embedding"
    mapping = first.confirmed_mapping()
    assert mapping.rename == {"embed query": "Query embedding"}
    mapping = mapping.model_copy(update={"rename": {**mapping.rename, "redis *": "Cache reads"}})
    save_mapping(mapping, tmp_path / "chat.mapping.yaml")

    loaded = load_mapping(tmp_path / "chat.mapping.yaml")
    assert loaded == mapping
    assert loaded.service == "POST /chat"
    second = import_file(
        write_otlp_lines(make_requests(60, seed=2), tmp_path / "tue.jsonl"), loaded
    )
    stages = {s.name: s for s in second.stages}
    assert stages["POST /chat (own time)"].kind == "serialization"
    assert stages["POST /chat (own time)"].kind_confirmed
    assert "Cache reads" in stages and "redis GET" not in stages
    assert "Query embedding" in stages and stages["Query embedding"].kind == "preprocessing"
    assert stages["vector search"].parallel_group == "parallel: keyword search + vector search"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("format: latency-advisor/import-mapping/v1\ndepth: 12\n", "depth"),
        ("format: latency-advisor/import-mapping/v1\nkinds: {A: gpu}\n", "kinds.A"),
        ("format: latency-advisor/import-mapping/v1\nrenames: {}\n", "renames"),
        ("- a\n- b\n", "expected a mapping"),
        ("a: [\n", "invalid YAML"),
    ],
)
def test_broken_mapping_files_name_the_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text)
    with pytest.raises(ImporterError, match=message) as info:
        load_mapping(path)
    assert "m.yaml" in str(info.value)


def test_trace_buffer_stays_bounded_and_closes_idle_traces(monkeypatch) -> None:
    from latency_advisor.importers import collect

    monkeypatch.setattr(collect, "MAX_PENDING_SPANS", 40)
    monkeypatch.setattr(collect, "IDLE_BATCHES", 3)
    collector = collect.TraceCollector(ImportMapping())
    peak = 0
    for i in range(200):  # one trace per batch; its root arrives one batch after its child
        collector.add(Span(f"t{i}", "c", "r", "work", i * 10.0 + 1, i * 10.0 + 5))
        if i:
            collector.add(Span(f"t{i - 1}", "r", None, "req", (i - 1) * 10.0, (i - 1) * 10.0 + 6))
        collector.end_batch()
        peak = max(peak, collector._pending_spans)
    collector.add(Span("t199", "r", None, "req", 1990.0, 1996.0))
    collector.finish()
    assert peak <= 8  # traces close once idle for 3 batches: memory does not grow with the file
    assert collector.traces == 200 and collector.skipped_traces == 0
    assert collector.stages["work"].samples.count == 200

    flood = collect.TraceCollector(ImportMapping())
    for i in range(500):  # never idle, all in one batch: the hard cap closes the oldest
        flood.add(Span(f"t{i}", "r", None, "req", 0.0, 1.0))
        assert flood._pending_spans <= 40
    flood.finish()
    assert flood.traces == 500


def test_a_late_root_joins_its_trace_and_rootless_traces_wait_for_the_clock(monkeypatch) -> None:
    from latency_advisor.importers import collect

    monkeypatch.setattr(collect, "IDLE_BATCHES", 3)
    collector = collect.TraceCollector(ImportMapping())
    collector.add(Span("late", "c", "r", "slow child", 1.0, 900.0))
    collector.end_batch()
    for i in range(100):  # other requests complete meanwhile (one second of trace time)
        collector.add(Span(f"t{i}", "r", None, "req", i * 10.0, i * 10.0 + 5))
        collector.end_batch()
    assert "late" in collector._pending  # no root yet: still waiting
    collector.add(Span("late", "r", None, "req", 0.0, 1000.0))
    for _ in range(4):
        collector.end_batch()
    assert "late" not in collector._pending and "slow child" in collector.stages
    assert collector.stages["slow child"].samples.count == 1

    collector.add(Span("orphan", "x", "gone", "lost", 2000.0, 2001.0))
    collector.end_batch()
    collector.add(Span("later", "r", None, "req", 700_000.0, 700_005.0))  # 11 min later
    for _ in range(4):
        collector.end_batch()
    assert "orphan" not in collector._pending  # the clock passed it by more than the grace


def test_a_stage_in_some_requests_only_carries_its_presence(tmp_path: Path) -> None:
    import json

    from latency_advisor.importers import new_scenario

    spans = []
    for i in range(100):
        t = i * 1000
        spans.append(
            {
                "traceId": f"t{i}",
                "id": f"r{i}",
                "name": "GET /item",
                "timestamp": t,
                "duration": 500,
            }
        )
        spans.append(
            {
                "traceId": f"t{i}",
                "id": f"c{i}",
                "parentId": f"r{i}",
                "name": "cache get",
                "timestamp": t + 10,
                "duration": 20,
            }
        )
        if i % 10 < 3:  # a cache miss in 30% of requests
            spans.append(
                {
                    "traceId": f"t{i}",
                    "id": f"d{i}",
                    "parentId": f"r{i}",
                    "name": "SELECT item",
                    "timestamp": t + 40,
                    "duration": 300,
                }
            )
    path = tmp_path / "zipkin.json"
    path.write_text(json.dumps(spans))
    result = import_file(path)
    stages = {s.name: s for s in result.stages}
    assert stages["SELECT item"].presence == pytest.approx(0.3)
    assert stages["cache get"].presence == 1.0
    assert any("'SELECT item' (30%)" in w and "conditional" in w for w in result.warnings)
    scenario = new_scenario(result, sla_ms=100)
    assert scenario.stage("SELECT item").presence == 0.3
    assert scenario.stage("cache get").presence is None
    assert scenario.stage("SELECT item").facts == {}
