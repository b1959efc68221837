"""Hostile models end in exit code 2 with a clear message, in bounded time, caller alive.

Each case runs the real command in-process (`cli.main`): the benchmark itself runs in a child
process, so the test process surviving *is* the check that the caller stays alive.
"""

from __future__ import annotations

import time

import numpy as np

from latency_advisor import cli
from latency_advisor.bench.job import BenchJob, Failed, Finished, Progress, VariantDone
from latency_advisor.bench.refmodels import REFERENCE_MODELS
from latency_advisor.bench.spec import BenchSpec
from tests import bench_models as bm

FAST = ["--quick", "--budget", "0.3"]


def _bench(argv: list[str], capsys) -> tuple[int, str, str, float]:
    began = time.monotonic()
    code = cli.main(["bench", *argv])
    out, err = capsys.readouterr()
    return code, out, err, time.monotonic() - began


def test_truncated_file(tmp_path, capsys):
    good = bm.save(REFERENCE_MODELS["mlp-s"].build(), tmp_path / "good.onnx").read_bytes()
    path = tmp_path / "truncated.onnx"
    path.write_bytes(good[: len(good) // 2])
    code, _, err, secs = _bench([str(path), *FAST], capsys)
    assert code == 2 and secs < 20
    assert "truncated.onnx" in err and "not a valid ONNX model" in err
    assert "Traceback" not in err


def test_garbage_file(tmp_path, capsys):
    path = tmp_path / "garbage.onnx"
    path.write_bytes(np.random.default_rng(1).bytes(10_000))
    code, _, err, secs = _bench([str(path), *FAST], capsys)
    assert code == 2 and secs < 20 and "garbage.onnx" in err and "not a valid ONNX" in err, err


def test_external_data_path_escape(tmp_path, capsys):
    folder = tmp_path / "model"
    folder.mkdir()
    (tmp_path / "secret.bin").write_bytes(b"\0" * 64)
    path = bm.save(bm.external_data_model("../secret.bin"), folder / "escape.onnx")
    code, _, err, secs = _bench([str(path), *FAST], capsys)
    assert code == 2 and secs < 20
    assert "'../secret.bin' points outside the model's folder" in err


def test_memory_bomb_is_stopped(tmp_path, capsys):
    path = bm.save(bm.memory_bomb(), tmp_path / "bomb.onnx")
    code, out, err, secs = _bench([str(path), *FAST, "--memory-mb", "2048", "--json"], capsys)
    assert code == 2 and secs < 30
    assert "more memory than" in err and "2048 MB" in err
    assert '"kind": "memory"' in out  # the JSON on stdout carries it in `errors`


def test_runaway_loop_is_stopped(tmp_path, capsys):
    path = bm.save(bm.runaway_loop(), tmp_path / "loop.onnx")
    code, _, err, secs = _bench([str(path), *FAST, "--timeout", "4"], capsys)
    assert code == 2 and secs < 10
    assert "loop.onnx" in err and "was stopped" in err


def test_model_needing_a_value_says_which_input_and_option(tmp_path, capsys):
    path = bm.save(bm.gather_model(table_size=1), tmp_path / "lookup.onnx")  # only index 0 fits
    code, _, err, _ = _bench([str(path), *FAST], capsys)
    assert code == 2 and "input 'index'" in err and "--value index=NUMBER" in err
    code, out, _, _ = _bench([str(path), *FAST, "--value", "index=0", "--json"], capsys)
    assert code == 0 and '"fill": "constant 0"' in out


def test_unknown_model_name(capsys):
    code, _, err, _ = _bench(["no-such-model", *FAST], capsys)
    assert code == 2 and "built-in models are mlp-s" in err


def test_cancel_ends_the_child_within_a_second():
    job = BenchJob(BenchSpec("mlp-s", budget_s=30.0, ci=1e-9))
    job.start()
    for event in job.events():
        if isinstance(event, Progress) and event.samples:
            began = time.monotonic()
            job.cancel()
        if isinstance(event, Failed | Finished):
            break
    assert isinstance(event, Failed) and event.kind == "cancelled"
    assert time.monotonic() - began < 1.0
    assert not job.running  # the child is gone


def test_progress_streams_from_the_child_then_the_result():
    job = BenchJob(BenchSpec("cnn-s", quick=True, budget_s=0.3))
    events = list(job.events())
    progress = [e for e in events if isinstance(e, Progress)]
    assert len(progress) >= 5
    fractions = [p.fraction for p in progress]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert isinstance(events[-1], Finished) and job.report is not None
    done = [e for e in events if isinstance(e, VariantDone)]
    rows = [e.result for e in done if not e.interim]
    assert rows == job.report.results
    # rows streamed while measuring: each variant's numbers before the run ended, then final
    names = [r["variant"] for r in rows]
    interim = [e for e in done if e.interim]
    assert interim and {e.result["variant"] for e in interim} == set(names)
    assert events.index(interim[0]) < events.index(done[-len(rows)])
    frame = job.report.dataframe()
    assert list(frame["variant"]) == [r["variant"] for r in job.report.results]
    assert frame["p50_ms"].gt(0).all()


def test_a_crashing_child_is_reported_and_the_caller_lives_on():
    """The real child, killed by SIGSEGV mid-run as onnxruntime would on a malformed model."""
    import os
    import signal

    job = BenchJob(BenchSpec("mlp-s", budget_s=30.0, ci=1e-9))
    job.start()
    for event in job.events():
        if isinstance(event, Progress) and event.samples:
            assert job._proc is not None
            os.kill(job._proc.pid, signal.SIGSEGV)
        if isinstance(event, Failed | Finished):
            break
    assert isinstance(event, Failed) and event.kind == "crash"
    assert "onnxruntime crashed on this model (SIGSEGV)" in event.message
