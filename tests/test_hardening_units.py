"""Hardening at the level of each part: the rule cache, safe outputs, Erlang C at any size,
result files for `bench --attach`, and the readers' encodings."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from latency_advisor.atomic import OutputError, atomic_write_text
from latency_advisor.bench.results import BenchFileError, load_report
from latency_advisor.latency import queueing
from latency_advisor.scenario import ScenarioError, load_scenario
from tests.hostile_files import SCENARIO

ROOT = Path(__file__).resolve().parent.parent


def _child(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        check=False,
    )


# ------------------------------------------------------------------ the compiled-rule cache

LOAD = (
    "import sys\n"
    "from latency_advisor.rules.loader import load_library\n"
    "lib = load_library()\n"
    "print(len(lib.rules), 'rule_engine' in sys.modules)\n"
)


def test_a_cached_library_loads_without_the_condition_parser(tmp_path: Path) -> None:
    env = {"LATENCY_ADVISOR_CACHE_DIR": str(tmp_path)}
    first = _child(LOAD, env)
    count, parsed = first.stdout.split()
    assert parsed == "True" and list(tmp_path.glob("rules-*.json"))
    second = _child(LOAD, env)
    assert second.stdout.split() == [count, "False"], second.stderr


def test_a_damaged_cache_entry_is_ignored_and_rewritten(tmp_path: Path) -> None:
    env = {"LATENCY_ADVISOR_CACHE_DIR": str(tmp_path)}
    count = _child(LOAD, env).stdout.split()[0]
    [entry] = tmp_path.glob("rules-*.json")
    entry.write_text('{"format": "rules-cache/1", "rules": [{"when": ["call", "os.system"]}]}')
    again = _child(LOAD, env)
    assert again.stdout.split() == [count, "True"], again.stderr
    assert json.loads(entry.read_text())["rules"][0]["spec"]


def test_the_cached_library_equals_the_compiled_one(tmp_path: Path, monkeypatch) -> None:
    from latency_advisor.rules import loader
    from latency_advisor.rules.selftest import run_library_cases

    monkeypatch.setenv("LATENCY_ADVISOR_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(loader, "_CACHE", {})
    compiled = loader.load_library()
    monkeypatch.setattr(loader, "_CACHE", {})
    cached = loader.load_library()
    assert cached is not compiled
    assert [r.spec for r in cached.rules] == [r.spec for r in compiled.rules]
    assert [r.path for r in cached.rules] == [r.path for r in compiled.rules]
    assert [r.symbols for r in cached.rules] == [r.symbols for r in compiled.rules]
    assert run_library_cases(cached) == run_library_cases(compiled)


# ------------------------------------------------------------------ outputs


def test_saving_through_a_link_writes_the_target_and_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "real.md"
    target.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    atomic_write_text(link, "new")
    assert link.is_symlink() and target.read_text() == "new"


def test_saving_a_hard_linked_file_updates_every_name(tmp_path: Path) -> None:
    first = tmp_path / "a.md"
    first.write_text("old")
    second = tmp_path / "b.md"
    os.link(first, second)
    atomic_write_text(first, "new")
    assert second.read_text() == "new" and first.stat().st_ino == second.stat().st_ino


def test_a_target_that_is_not_a_regular_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(OutputError, match="not a regular file") as err:
        atomic_write_text(pipe, "x")
    assert str(pipe) in str(err.value) and stat.S_ISFIFO(pipe.stat().st_mode)
    with pytest.raises(OutputError, match="not a regular file"):
        atomic_write_text(tmp_path, "x")


def test_a_write_error_names_the_output_not_the_temp_file(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "report.md"
    with pytest.raises(OutputError) as err:
        atomic_write_text(out, "x")
    assert str(out) in str(err.value) and ".tmp" not in str(err.value)


def test_temp_files_of_a_dead_writer_are_cleaned_on_the_next_write(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    stale = tmp_path / f".out.md.{dead}.abc123.tmp"
    stale.write_text("partial")
    live = tmp_path / f".out.md.{os.getppid()}.def456.tmp"  # a writer still running
    live.write_text("in progress")
    other = tmp_path / f".other.md.{dead}.abc123.tmp"  # not ours to judge: another file's
    other.write_text("x")
    atomic_write_text(tmp_path / "out.md", "done")
    assert not stale.exists() and live.exists() and other.exists()
    assert (tmp_path / "out.md").read_text() == "done"


def test_private_outputs_such_as_autosaves_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "autosave.yaml"
    atomic_write_text(path, "x", private=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# ------------------------------------------------------------------ Erlang C


def _exact_erlang_c(servers: int, load: float) -> float:
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    rho = load / servers
    return b / (1.0 - rho * (1.0 - b))


@settings(max_examples=60, deadline=None)
@given(st.integers(2_001, 40_000), st.floats(0.5, 0.999))
def test_erlang_c_beyond_the_exact_size_stays_close_to_the_exact_sum(servers, rho) -> None:
    exact = _exact_erlang_c(servers, servers * rho)
    approx = queueing.erlang_c(servers, servers * rho)
    assert abs(approx - exact) <= 0.01 * exact + 1e-12


def test_erlang_c_for_a_billion_servers_needs_no_memory() -> None:
    code = (
        "import resource\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))\n"
        "from latency_advisor.latency.queueing import erlang_c\n"
        "print(erlang_c(10**9, 10**9 - 10**5), erlang_c(10**9, 5e8))\n"
    )
    done = _child(code, {})
    assert done.returncode == 0, done.stderr
    high, low = map(float, done.stdout.split())
    assert 0.0 < high < 1.0 and low == 0.0


# ------------------------------------------------------------------ result files


GOOD_ROW = {"variant": "v", "batch": 1, "p50_ms": 1.0, "speedup_vs_baseline": 1.0}


def _result(**changes: object) -> dict:
    doc = {"format": "latency-advisor/bench/v1", "model": "m", "results": [dict(GOOD_ROW)]}
    for key, value in changes.items():
        if key.startswith("row_"):
            doc["results"][0][key[4:]] = value
        else:
            doc[key] = value
    return doc


MALFORMED = [
    ("results", _result(results=[])),
    ("results[0]", _result(results=[1])),
    ("results[0].batch", _result(row_batch="1")),
    ("results[0].batch", _result(row_batch=True)),
    ("results[0].p50_ms", _result(row_p50_ms=-1)),
    ("results[0].speedup_ci", _result(row_speedup_ci=[1.0])),
    ("results[0].speedup_ci", _result(row_speedup_ci=["a", "b"])),
    ("results[0].p50_ci_ms", _result(row_p50_ci_ms={"a": 1})),
    ("results[0].threads", _result(row_threads=0)),
    ("results[0].lever", _result(row_lever=5)),
    ("results[0].max_abs_output_diff", _result(row_max_abs_output_diff="big")),
    ("machine", _result(machine=[1])),
    ("machine.flags", _result(machine={"flags": "avx2"})),
]


@pytest.mark.parametrize("field, doc", MALFORMED, ids=[f for f, _ in MALFORMED])
def test_a_malformed_result_file_is_refused_naming_the_field(tmp_path, field, doc) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(BenchFileError) as err:
        load_report(path)
    assert f"{path}: {field}" in str(err.value)


def test_a_result_file_with_a_key_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text('{"format": "latency-advisor/bench/v1", "format": "x", "results": []}')
    with pytest.raises(BenchFileError, match="appears twice"):
        load_report(path)


# ------------------------------------------------------------------ encodings


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-8-sig"])
def test_a_scenario_with_a_byte_order_mark_reads(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(SCENARIO.encode(encoding))
    assert load_scenario(path).name == "Hostile"


def test_utf16_without_a_byte_order_mark_is_called_binary(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(SCENARIO.encode("utf-16-le"))
    with pytest.raises(ScenarioError, match="byte-order mark"):
        load_scenario(path)


# ------------------------------------------------------------------ the parser's tables

PARSE = (
    "from latency_advisor.rules.conditions import compile_expression\n"
    "e = compile_expression(\"family == 'llm' and share > 0.3\", 'boolean')\n"
    "import rule_engine\n"
    "kind = type(rule_engine.Rule.parser._parser.productions[1]).__name__\n"
    "print(e.tree[0], kind)\n"
)


def test_the_condition_parser_reads_its_tables_from_the_cache(tmp_path: Path) -> None:
    """ply builds LALR tables into Production objects and reads cached ones into
    MiniProductions: the second start reads, and a damaged file is rebuilt."""
    env = {"LATENCY_ADVISOR_CACHE_DIR": str(tmp_path)}
    assert _child(PARSE, env).stdout.split() == ["and", "Production"]
    [tables] = tmp_path.glob("rule-engine-parser-*.json")
    assert _child(PARSE, env).stdout.split() == ["and", "MiniProduction"]
    tables.write_text('{"format": "ply-tables/1", "signature": "x"')
    assert _child(PARSE, env).stdout.split() == ["and", "Production"]
    assert _child(PARSE, env).stdout.split() == ["and", "MiniProduction"]


def test_chrome_children_written_before_their_parent_keep_it(tmp_path: Path) -> None:
    """Nesting follows time containment per thread, whatever the order in the file."""
    from latency_advisor.importers import import_file

    events = []
    for step in range(5):
        t0 = step * 10_000
        events += [
            {"ph": "X", "name": "child_a", "ts": t0 + 100, "dur": 3000, "pid": 1, "tid": 1},
            {"ph": "X", "name": "child_b", "ts": t0 + 3200, "dur": 5000, "pid": 1, "tid": 1},
            {"ph": "X", "name": f"ProfilerStep#{step}", "ts": t0, "dur": 9000, "pid": 1, "tid": 1},
        ]
    path = tmp_path / "trace.json"
    path.write_text(json.dumps({"traceEvents": events}))
    result = import_file(path)
    assert result.traces == 5
    assert {s.name for s in result.stages} >= {"child_a", "child_b"}


def test_a_utf16_trace_is_named_utf16_not_read_as_csv(tmp_path: Path) -> None:
    from latency_advisor.importers import ImporterError, import_file

    path = tmp_path / "trace.json"
    path.write_bytes('{"resourceSpans": []}\n{"resourceSpans": []}\n'.encode("utf-16"))
    with pytest.raises(ImporterError, match="UTF-16"):
        import_file(path)


def test_an_unclosed_csv_quote_that_swallows_rows_warns(tmp_path: Path) -> None:
    from latency_advisor.importers import import_file

    rows = [f"{10 + i % 7},{20 + i % 5}" for i in range(50)]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(["model_ms,db_ms", *rows, '"12,30', *rows * 20]) + "\n")
    result = import_file(path)
    assert any("unclosed quote" in w and "line 52" in w for w in result.warnings)


# ------------------------------------------------------------------ bench: dynamic sizes


def test_bench_tries_common_sizes_of_a_dynamic_dimension_before_asking(tmp_path: Path) -> None:
    """An audio-like model that reshapes its window into frames of 512 fails on the default
    sequence size; the harness finds 512 itself instead of asking for --shape."""
    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper

    from latency_advisor.bench.inputs import plan_inputs, synthesize
    from latency_advisor.bench.runner import _inputs_that_run
    from latency_advisor.bench.spec import BenchSpec

    frames = helper.make_tensor("frames", TensorProto.INT64, [2], [-1, 512])
    graph = helper.make_graph(
        [helper.make_node("Reshape", ["audio", "frames"], ["out"])],
        "framer",
        [helper.make_tensor_value_info("audio", TensorProto.FLOAT, [1, "samples"])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [None, 512])],
        initializer=[frames],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path = tmp_path / "framer.onnx"
    onnx.save(model, str(path))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    spec = BenchSpec(model=str(path))
    specs = plan_inputs(session.get_inputs(), {}, {})
    with pytest.raises(ort.capi.onnxruntime_pybind11_state.Fail):
        session.run(None, synthesize(specs))  # the default window does not make whole frames
    chosen, feeds = _inputs_that_run(session, spec, specs, synthesize(specs))
    assert chosen[0].shape == (1, 512)
    assert np.asarray(session.run(None, feeds)[0]).shape == (1, 512)


# ------------------------------------------------------------------ bytecode, when no __pycache__

IMPORTS = (
    "import sys\n"
    "import latency_advisor.analysis\n"
    "print(type(sys.modules['latency_advisor.scenario'].__spec__.loader).__name__)\n"
)


def test_without_pycache_the_package_keeps_its_bytecode_in_the_cache(tmp_path: Path) -> None:
    env = {"LATENCY_ADVISOR_CACHE_DIR": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
    first = _child(IMPORTS, env)
    assert first.stdout.strip() == "_CachingLoader", first.stderr
    entries = {p.name for p in (tmp_path / "bytecode").glob("latency_advisor.scenario.*.bin")}
    assert len(entries) == 1
    second = _child(IMPORTS, env)
    assert second.returncode == 0 and second.stdout.strip() == "_CachingLoader"
    [entry] = (tmp_path / "bytecode").glob("latency_advisor.scenario.*.bin")
    entry.write_bytes(b"not bytecode")  # a damaged entry: compiled again from source
    third = _child(IMPORTS, env)
    assert third.returncode == 0, third.stderr
    assert entry.read_bytes() != b"not bytecode"
