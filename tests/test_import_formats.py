"""Every import format, on files the tests write, against answers computed from the same data."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from latency_advisor.importers import ImporterError, import_file, new_scenario
from tests.trace_files import (
    expected_ms,
    make_requests,
    write_chrome,
    write_jaeger,
    write_otlp_export,
    write_otlp_lines,
    write_wide_csv,
    write_zipkin,
)

REQUESTS = make_requests(240, seed=11)
STAGES = ["embed query", "vector search", "keyword search", "llm generate", "redis GET"]
WRITERS = {
    "OpenTelemetry OTLP JSON": [write_otlp_lines, write_otlp_export],
    "Jaeger JSON": [write_jaeger],
    "Zipkin v2 JSON": [write_zipkin],
}


def _by_name(result):
    return {s.name: s for s in result.stages}


@pytest.mark.parametrize(
    ("fmt", "writer"),
    [(fmt, w) for fmt, ws in WRITERS.items() for w in ws],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_trace_formats_give_the_known_breakdown(tmp_path: Path, fmt, writer) -> None:
    path = writer(REQUESTS, tmp_path / "trace.data")  # no telling extension: content decides
    result = import_file(path)
    assert result.format == fmt
    assert result.traces == len(REQUESTS)
    stages = _by_name(result)
    assert set(stages) == {*STAGES, "POST /chat (own time)"}
    for name in [*STAGES, "POST /chat (own time)"]:
        want = np.percentile(expected_ms(REQUESTS, name), [50, 95, 99])
        got = [stages[name].p50_ms, stages[name].p95_ms, stages[name].p99_ms]
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-6, err_msg=name)
    np.testing.assert_allclose(
        [result.end_to_end_ms[p] for p in (50.0, 95.0, 99.0)],
        np.percentile(expected_ms(REQUESTS, "__end_to_end__"), [50, 95, 99]),
        rtol=1e-9,
    )
    # the two searches overlap in every request: one parallel group; the rest run in sequence
    assert result.parallel_groups == {
        "parallel: keyword search + vector search": ["vector search", "keyword search"]
    } or result.parallel_groups == {
        "parallel: keyword search + vector search": ["keyword search", "vector search"]
    }
    assert stages["redis GET"].calls == 2 and stages["redis GET"].count == 2 * len(REQUESTS)
    assert [s.name for s in result.stages][:1] == ["embed query"]
    assert result.stages[-1].name == "POST /chat (own time)"
    kinds = {name: s.kind for name, s in stages.items()}
    assert kinds["vector search"] == "retrieval"
    assert kinds["llm generate"] == "model"
    assert kinds["redis GET"] == "feature_fetch"


def test_depth_two_splits_the_llm_call_into_its_children(tmp_path: Path) -> None:
    from latency_advisor.importers import ImportMapping

    path = write_otlp_lines(REQUESTS, tmp_path / "t.jsonl")
    result = import_file(path, ImportMapping(depth=2))
    stages = _by_name(result)
    assert "llm generate" not in stages
    tok, dec, own = (
        np.array([r.expected["__llm_children__"][i] for r in REQUESTS]) / 1000 for i in range(3)
    )
    assert stages["decode"].p50_ms == pytest.approx(np.percentile(dec, 50))
    assert stages["tokenize"].p95_ms == pytest.approx(np.percentile(tok, 95))
    assert stages["llm generate (own time)"].p50_ms == pytest.approx(np.percentile(own, 50))


def test_otlp_export_with_numeric_times_and_a_parent_outside_the_file(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    doc = {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": "s"}}]
                },
                "scopeSpans": [
                    {
                        "scope": {"name": "lib", "version": "1.0.0"},
                        "spans": [
                            {
                                "traceId": "5B8EFFF798038103D269B633813FC60C",
                                "spanId": "EEE19B7EC3C1B174",
                                "parentSpanId": "EEE19B7EC3C1B173",
                                "name": "checkout",
                                "startTimeUnixNano": 1544712660000000000,
                                "endTimeUnixNano": 1544712660250000000,
                                "kind": "SPAN_KIND_SERVER",
                                "attributes": [
                                    {"key": "http.request.method", "value": {"stringValue": "GET"}}
                                ],
                            }
                        ],
                    }
                ],
            }
        ]
    }
    path.write_text(json.dumps(doc, indent=2))
    result = import_file(path)
    assert [(s.name, s.p50_ms, s.count) for s in result.stages] == [("checkout", 250.0, 1)]


@pytest.mark.parametrize("wrap", ["tempo", "jaeger-api-v3"])
def test_otlp_variants_of_tempo_and_the_jaeger_api(tmp_path: Path, wrap: str) -> None:
    reference = import_file(write_otlp_export(REQUESTS, tmp_path / "otlp.json"))
    doc = json.loads((tmp_path / "otlp.json").read_text())
    doc = {"batches": doc["resourceSpans"]} if wrap == "tempo" else {"result": doc}
    path = tmp_path / "variant.json"
    path.write_text(json.dumps(doc, indent=2))
    result = import_file(path)
    assert result.format == "OpenTelemetry OTLP JSON"
    assert [(s.name, s.p99_ms) for s in result.stages] == [
        (s.name, s.p99_ms) for s in reference.stages
    ]


def test_gzipped_files_are_read_whatever_the_name(tmp_path: Path) -> None:
    plain = write_zipkin(REQUESTS, tmp_path / "z.json")
    packed = tmp_path / "spans.bin"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert _by_name(import_file(packed))["llm generate"].p50_ms == pytest.approx(
        np.percentile(expected_ms(REQUESTS, "llm generate"), 50)
    )


def test_chrome_trace_from_the_pytorch_profiler(tmp_path: Path) -> None:
    path = tmp_path / "worker.pt.trace.json.gz"
    expected = write_chrome(150, path)
    result = import_file(path)
    assert result.format == "Chrome trace (PyTorch profiler)"
    assert result.traces == 150
    stages = _by_name(result)
    assert [s.name for s in result.stages] == [
        "forward",
        "backward",
        "Optimizer.step#SGD.step",
        "ProfilerStep#N (own time)",
    ]
    for name, values in expected.items():
        want = np.percentile(values, [50, 95, 99])
        got = [stages[name].p50_ms, stages[name].p95_ms, stages[name].p99_ms]
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-6, err_msg=name)
    assert any(w.startswith("150 GPU events") for w in result.warnings)


def test_chrome_trace_without_steps_gives_one_stage_per_top_level_event(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(
        '{"traceEvents": ['
        '{"ph": "X", "name": "preprocess", "ts": 0, "dur": 1000, "pid": 1, "tid": 1},'
        '{"ph": "X", "name": "aten::add", "ts": 10, "dur": 5, "pid": 1, "tid": 1},'
        '{"ph": "X", "name": "preprocess", "ts": 2000, "dur": 3000, "pid": 1, "tid": 1},'
        '{"ph": "X", "name": "infer", "ts": 6000, "dur": 2000, "pid": 1, "tid": 1}]}'
    )
    stages = _by_name(import_file(path))
    assert set(stages) == {"preprocess", "infer"}
    assert stages["preprocess"].count == 2 and stages["preprocess"].p50_ms == pytest.approx(2.0)


def test_csv_one_row_per_request(tmp_path: Path) -> None:
    result = import_file(write_wide_csv(REQUESTS, tmp_path / "timings.txt"))
    stages = _by_name(result)
    assert list(stages) == ["embed query", "vector search", "llm generate"]
    for name in stages:
        want = np.percentile(expected_ms(REQUESTS, name), [50, 95, 99])
        got = [stages[name].p50_ms, stages[name].p95_ms, stages[name].p99_ms]
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-6)
    assert result.end_to_end_ms[50.0] == pytest.approx(
        np.percentile(expected_ms(REQUESTS, "__end_to_end__"), 50)
    )


def test_excel_csv_with_semicolons_decimal_commas_and_bom(tmp_path: Path) -> None:
    plain = _by_name(import_file(write_wide_csv(REQUESTS, tmp_path / "a.csv")))
    excel = _by_name(import_file(write_wide_csv(REQUESTS, tmp_path / "b.csv", excel=True)))
    assert list(excel) == list(plain)
    for name in plain:
        assert excel[name].p99_ms == pytest.approx(plain[name].p99_ms)


def test_excel_unicode_text_export_is_utf16_with_tabs(tmp_path: Path) -> None:
    plain = _by_name(import_file(write_wide_csv(REQUESTS, tmp_path / "a.csv")))
    text = write_wide_csv(REQUESTS, tmp_path / "b.csv").read_text().replace(",", "\t")
    path = tmp_path / "export.txt"
    path.write_bytes(text.replace("embed query", "embed quéry").encode("utf-16"))
    unicode = _by_name(import_file(path))
    assert unicode["embed quéry"].p95_ms == pytest.approx(plain["embed query"].p95_ms)


def test_csv_units_from_the_header(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    rows = ["id,fetch_s,model [us]"] + [f"{i},{i / 1000:.3f},{i * 1000}" for i in range(1, 101)]
    path.write_text("\n".join(rows))
    stages = _by_name(import_file(path))
    assert stages["fetch"].p50_ms == pytest.approx(50.5)
    assert stages["model"].p50_ms == pytest.approx(50.5)


def test_csv_one_row_per_stage_with_percentiles(tmp_path: Path) -> None:
    path = tmp_path / "breakdown.csv"
    path.write_text(
        "Stage,Kind,p50 (ms),p95 (ms),p99 (ms),calls,parallel_group\n"
        "Auth,network,12,20,31,,\n"
        "Feature lookup,,4.5,9,15,3,\n"
        "Ranker,model,38,55,80,,\n"
    )
    result = import_file(path)
    stages = _by_name(result)
    assert [s.name for s in result.stages] == ["Auth", "Feature lookup", "Ranker"]
    assert (stages["Auth"].p50_ms, stages["Auth"].p95_ms, stages["Auth"].p99_ms) == (12, 20, 31)
    assert stages["Auth"].kind == "network" and stages["Auth"].kind_confirmed
    assert stages["Feature lookup"].calls == 3 and stages["Feature lookup"].kind == "feature_fetch"
    assert stages["Ranker"].samples_ms is None


def test_csv_row_with_decreasing_percentiles_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("stage,p50,p95\nA,10,5\n")
    with pytest.raises(ImporterError, match=r"b\.csv.*'A'.*p50 <= p95"):
        import_file(path)


PROMETHEUS = """\
# HELP request_stage_duration_seconds Time per serving stage.
# TYPE request_stage_duration_seconds histogram
request_stage_duration_seconds_bucket{stage="embed",le="0.1"} 50
request_stage_duration_seconds_bucket{stage="embed",le="0.2"} 90
request_stage_duration_seconds_bucket{stage="embed",le="0.5"} 99
request_stage_duration_seconds_bucket{stage="embed",le="+Inf"} 100
request_stage_duration_seconds_sum{stage="embed"} 12.5
request_stage_duration_seconds_count{stage="embed"} 100
request_stage_duration_seconds_bucket{stage="model",le="0.1"} 0
request_stage_duration_seconds_bucket{stage="model",le="0.2"} 10
request_stage_duration_seconds_bucket{stage="model",le="0.5"} 990
request_stage_duration_seconds_bucket{stage="model",le="1"} 990
request_stage_duration_seconds_bucket{stage="model",le="+Inf"} 1000
request_stage_duration_seconds_count{stage="model"} 1000
"""


def test_prometheus_histogram_quantiles_with_bucket_bounds(tmp_path: Path) -> None:
    path = tmp_path / "metrics"
    path.write_text(PROMETHEUS)
    result = import_file(path)
    stages = _by_name(result)
    embed = stages["embed"]
    # rank 50 ends bucket (0, 0.1]; rank 95 is 5/9 into (0.2, 0.5]; rank 99 ends that bucket
    assert embed.p50_ms == pytest.approx(100.0)
    assert embed.p95_ms == pytest.approx(200 + 300 * 5 / 9)
    assert embed.p99_ms == pytest.approx(500.0)
    assert embed.bounds_ms == {50.0: (0.0, 100.0), 95.0: (200.0, 500.0), 99.0: (200.0, 500.0)}
    assert embed.count == 100 and embed.samples_ms is None
    model = stages["model"]
    assert model.p50_ms == pytest.approx(200 + 300 * (500 - 10) / 980)
    # rank 990 is the last one in (0.2, 0.5]: interpolation reaches the bucket's top
    assert model.p99_ms == pytest.approx(500.0)
    assert model.kind == "model"
    notes = new_scenario(result, sla_ms=300).notes
    assert "embed p95 in [200, 500] ms" in notes and "embed p50 in [0, 100] ms" in notes


def test_prometheus_replicas_are_summed_like_sum_by_le(tmp_path: Path) -> None:
    one = tmp_path / "one.prom"
    one.write_text(PROMETHEUS)
    two = tmp_path / "two.prom"
    two.write_text(
        PROMETHEUS.replace('{stage="', '{instance="a:9100",stage="')
        + PROMETHEUS.replace('{stage="', '{instance="b:9100",stage="')
    )
    single, summed = _by_name(import_file(one)), _by_name(import_file(two))
    assert set(summed) == {"embed", "model"}
    assert summed["embed"].count == 200
    assert summed["embed"].p95_ms == pytest.approx(single["embed"].p95_ms)


def test_prometheus_quantile_in_the_inf_bucket_is_unbounded(tmp_path: Path) -> None:
    path = tmp_path / "m.prom"
    path.write_text(
        'rpc_latency_ms_bucket{le="10"} 90\nrpc_latency_ms_bucket{le="50"} 97\n'
        'rpc_latency_ms_bucket{le="+Inf"} 100\n'
    )
    stage = import_file(path).stages[0]
    assert stage.name == "rpc"
    assert stage.p99_ms == 50.0 and stage.bounds_ms[99.0] == (50.0, float("inf"))
    assert (
        "rpc p99 above 50 ms (the +Inf bucket)" in new_scenario(import_file(path), sla_ms=1.0).notes
    )
    assert stage.p50_ms == pytest.approx(10 * 50 / 90)


def test_prometheus_summary_quantiles(tmp_path: Path) -> None:
    path = tmp_path / "m.txt"
    path.write_text(
        "# TYPE search_seconds summary\n"
        'search_seconds{quantile="0.5"} 0.012\nsearch_seconds{quantile="0.95"} 0.03\n'
        'search_seconds{quantile="0.99"} 0.07\nsearch_seconds_count 4200\n'
    )
    stage = import_file(path).stages[0]
    assert (stage.p50_ms, stage.p95_ms, stage.p99_ms) == pytest.approx((12, 30, 70))
    assert stage.count == 4200 and stage.kind == "retrieval"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b'{"hello": "world"}', "not a trace we know"),
        (b"just some words\n", "not a format we can import"),
        (b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"name": 3}]}]}]}', "no complete spans"),
        (b'{"resourceSpans": {"scopeSpans": 1}}', "not a readable OpenTelemetry"),
        (b'{"data": [{"spans": [{"spanID": "a"}]}]}', "Jaeger JSON file holds no complete"),
        (b'{"data": 7, "operationName": 1}', "not a readable Jaeger"),
        (b"\x1f\x8bnot really gzip", "cannot read"),
        (b"a,b\n", "no stage columns"),
    ],
)
def test_unreadable_files_get_a_clear_message(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(content)
    with pytest.raises(ImporterError, match=message) as info:
        import_file(path)
    assert str(path) in str(info.value)


def test_a_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(ImporterError, match="no such file"):
        import_file(tmp_path / "nope.json")


def test_bad_lines_and_spans_are_skipped_with_a_warning(tmp_path: Path) -> None:
    path = write_otlp_lines(REQUESTS[:50], tmp_path / "t.jsonl", split=False)
    with path.open("a") as handle:
        handle.write('{"resourceSpans": "oops"}\n')
        handle.write('{"resourceSpans": [{"scopeSpans": [{"spans": [{"spanId": "x"}]}]}]}\n')
    result = import_file(path)
    assert result.traces == 50
    assert any("1 document(s) could not be read" in w for w in result.warnings)
    assert any("1 spans lacked ids or times" in w for w in result.warnings)


def test_example_file_copies_keep_working(tmp_path: Path) -> None:
    # a copy under a misleading extension is still detected from its content
    src = write_jaeger(REQUESTS[:30], tmp_path / "j.json")
    dst = tmp_path / "looks.csv"
    shutil.copy(src, dst)
    assert import_file(dst).format == "Jaeger JSON"


def test_progress_is_reported_and_a_false_return_cancels(tmp_path: Path, monkeypatch) -> None:
    from latency_advisor.importers import ImportCancelled
    from latency_advisor.importers import progress as progress_module

    monkeypatch.setattr(progress_module, "INTERVAL_S", 0.0)  # report at every chance
    path = write_otlp_lines(REQUESTS, tmp_path / "t.jsonl")
    seen: list[float] = []
    import_file(path, progress=seen.append)
    assert len(seen) > 10 and seen == sorted(seen) and seen[-1] == 1.0
    assert 0.0 < seen[len(seen) // 2] < 1.0

    calls: list[float] = []

    def stop_halfway(fraction: float) -> bool:
        calls.append(fraction)
        return fraction < 0.5

    with pytest.raises(ImportCancelled):
        import_file(path, progress=stop_halfway)
    assert 0.5 <= calls[-1] < 1.0


@pytest.mark.parametrize("writer", [write_otlp_export, write_jaeger, write_zipkin, "chrome"])
@pytest.mark.parametrize("shape", ["pretty", "long line"])
def test_big_documents_are_streamed_item_by_item(tmp_path: Path, monkeypatch, writer, shape):
    """A plain export is never loaded whole: pretty-printed or on one long line, its items are
    streamed, and the result is the same as reading it at once."""
    from latency_advisor.importers import json_models

    path = tmp_path / "doc.json"
    if writer == "chrome":
        write_chrome(120, path, gz=False)
    else:
        writer(REQUESTS, path)
    whole = import_file(path)
    if shape == "pretty":
        path.write_text(json.dumps(json.loads(path.read_text()), indent=1))
    else:
        monkeypatch.setattr(json_models, "BIG_LINE_BYTES", 1000)
    calls = []
    real_items = json_models.ijson.items
    monkeypatch.setattr(
        json_models.ijson, "items", lambda *a, **k: calls.append(a[1]) or real_items(*a, **k)
    )
    streamed = import_file(path)
    assert calls, "the document was not streamed"
    assert [(s.name, s.count, s.p50_ms, s.p99_ms, s.parallel_group) for s in streamed.stages] == [
        (s.name, s.count, s.p50_ms, s.p99_ms, s.parallel_group) for s in whole.stages
    ]
    assert streamed.traces == whole.traces
