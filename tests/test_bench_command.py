"""`latency-advisor bench` end to end: JSON and CSV results, calibration of a scenario, import."""

from __future__ import annotations

import io
import json
import shutil

import pandas as pd
import pytest

from latency_advisor import cli
from latency_advisor.bench.calibration import calibrate_stage
from latency_advisor.bench.results import load_report
from latency_advisor.scenario import load_scenario
from tests.conftest import EXAMPLES

FAST = ["--quick", "--budget", "0.4"]
CONTRACT_ROW_KEYS = {
    "variant",
    "batch",
    "threads",
    "opt_level",
    "precision",
    "samples",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "p99_ci_ms",
    "throughput_per_s",
    "speedup_vs_baseline",
    "max_abs_output_diff",
}


@pytest.fixture(scope="module")
def mlp_results(tmp_path_factory) -> dict:
    """One quick run of the small MLP, shared by the tests below (a child process each run)."""
    folder = tmp_path_factory.mktemp("bench")
    out, csv = folder / "mlp.json", folder / "mlp.csv"
    code = cli.main(["bench", "mlp-s", *FAST, "--output", str(out), "--csv", str(csv)])
    assert code == 0
    return {"json": out, "csv": csv, "data": json.loads(out.read_text())}


def test_json_follows_the_contract(mlp_results):
    data = mlp_results["data"]
    assert data["format"] == "latency-advisor/bench/v1" and data["model"] == "mlp-s"
    assert {"cpu", "cores", "flags", "onnxruntime"} <= set(data["machine"])
    assert data["errors"] == []
    rows = data["results"]
    assert len(rows) >= 2 and all(set(r) >= CONTRACT_ROW_KEYS for r in rows)
    base = rows[0]
    assert base["speedup_vs_baseline"] == 1.0 and base["precision"] == "fp32"
    for r in rows:
        assert 0 < r["p50_ms"] <= r["p95_ms"] <= r["p99_ms"]
        assert r["samples"] >= 100 and r["session"]["allow_spinning"] is False
    int8 = next(r for r in rows if r["precision"] == "int8")
    assert int8["max_abs_output_diff"] > 0  # quantization changes the outputs, measured
    assert data["inputs"] == [
        {"name": "input", "dtype": "float", "shape": [1, 128], "fill": "random uniform 0..1"}
    ]


def test_csv_matches_the_json(mlp_results):
    frame = pd.read_csv(mlp_results["csv"])
    rows = mlp_results["data"]["results"]
    assert list(frame["variant"]) == [r["variant"] for r in rows]
    assert frame["p50_ms"].tolist() == pytest.approx([r["p50_ms"] for r in rows])


def test_results_attach_to_a_scenario_model_stage(mlp_results, tmp_path, capsys):
    scenario = tmp_path / "bert.yaml"
    shutil.copy(EXAMPLES / "bert_intent.yaml", scenario)
    code = cli.main(
        [
            "bench",
            str(mlp_results["json"]),
            "--attach",
            str(scenario),
            "--stage",
            "BERT-base inference",
        ]
    )
    assert code == 0
    stage = load_scenario(scenario).stage("BERT-base inference")
    assert {"quantization_int8", "threads"} <= set(stage.calibration)
    cal = stage.calibration["quantization_int8"]
    int8_rows = [r for r in mlp_results["data"]["results"] if r["precision"] == "int8"]
    best = max(int8_rows, key=lambda r: r["speedup_vs_baseline"])
    assert cal.speedup[0] <= best["speedup_vs_baseline"] <= cal.speedup[1]
    assert cal.max_abs_output_diff == pytest.approx(best["max_abs_output_diff"])
    assert cal.source.startswith("measured:") and "mlp-s" in cal.source
    assert "runtime" not in stage.calibration  # a built-in model says nothing of this stage's
    assert "calibrated 'BERT-base inference'" in capsys.readouterr().err


def test_attaching_to_a_non_model_stage_names_the_field(mlp_results, tmp_path, capsys):
    scenario = tmp_path / "bert.yaml"
    shutil.copy(EXAMPLES / "bert_intent.yaml", scenario)
    before = scenario.read_bytes()
    code = cli.main(
        ["bench", str(mlp_results["json"]), "--attach", str(scenario), "--stage", "Tokenization"]
    )
    err = capsys.readouterr().err
    assert code == 2 and "stages[1].kind" in err and "kind 'model'" in err
    assert scenario.read_bytes() == before  # nothing written


def test_a_broken_results_file_names_the_field(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "format": "latency-advisor/bench/v1",
                "results": [{"variant": "x", "batch": 1, "p50_ms": -1, "speedup_vs_baseline": 1}],
            }
        )
    )
    code = cli.main(
        [
            "bench",
            str(bad),
            "--attach",
            str(EXAMPLES / "bert_intent.yaml"),
            "--stage",
            "BERT-base inference",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "bad.json: results[0].p50_ms: expected a positive number" in err


def test_runtime_calibration_compares_with_the_stated_latency(mlp_results):
    report = load_report(mlp_results["json"])
    report.data["model_family"] = None  # as for the user's own model file
    scenario = load_scenario(EXAMPLES / "bert_intent.yaml")
    stage = calibrate_stage(scenario, "BERT-base inference", report).stage("BERT-base inference")
    runtime = stage.calibration["runtime"]
    base_p50 = mlp_results["data"]["results"][0]["p50_ms"]
    assert runtime.speedup[0] <= 72 / base_p50 <= runtime.speedup[1]
    assert "pytorch" in runtime.source


def test_open_loop_shows_measured_beside_predicted(tmp_path, capsys):
    code = cli.main(["bench", "mlp-s", *FAST, "--open-loop", "200", "--duration", "1", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    ol = data["open_loop"]
    assert ol["rps"] == 200 and ol["requests"] == 200 and ol["workers"] == 1
    assert ol["timed_from"].startswith("scheduled send")
    assert ol["predicted"]["steady_state"] and ol["predicted"]["utilization"] < 0.5
    for key in ("p50_ms", "p95_ms", "p99_ms"):
        assert ol["measured"][key] > 0 and ol["predicted"][key] > 0


def test_options_are_checked_before_anything_runs(capsys):
    assert cli.main(["bench", "mlp-s", "--attach", "x.yaml"]) == 2
    assert "--attach SCENARIO and --stage NAME go together" in capsys.readouterr().err
    assert cli.main(["bench", "mlp-s", "--open-loop"]) == 2
    assert "give a rate" in capsys.readouterr().err
    assert cli.main(["bench", "--list"]) == 0
    assert "transformer-l" in capsys.readouterr().out


def test_open_loop_takes_the_scenario_traffic_per_replica(tmp_path, capsys):
    scenario = tmp_path / "bert.yaml"
    shutil.copy(EXAMPLES / "bert_intent.yaml", scenario)  # 60 requests/s over 8 replicas
    code = cli.main(
        [
            "bench",
            "cnn-s",
            *FAST,
            "--open-loop",
            "--duration",
            "2",
            "--json",
            "--attach",
            str(scenario),
            "--stage",
            "BERT-base inference",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["open_loop"]["rps"] == 7.5 and data["open_loop"]["requests"] == 15
    assert data["settings"]["stop_percentile"] == 95  # the scenario's SLA percentile
    assert load_scenario(scenario).stage("BERT-base inference").calibration


@pytest.mark.slow
def test_default_grid_measures_every_lever_and_calibrates_each_technique(tmp_path, capsys):
    scenario = tmp_path / "bert.yaml"
    shutil.copy(EXAMPLES / "bert_intent.yaml", scenario)
    code = cli.main(
        [
            "bench",
            "transformer-s",
            "--budget",
            "0.2",
            "--json",
            "--attach",
            str(scenario),
            "--stage",
            "BERT-base inference",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["settings"]["interleaved_rounds"] == 3
    measured = {r["lever"] for r in data["results"]} | {s["variant"] for s in data["skipped"]}
    assert {
        "baseline",
        "threads",
        "graph_optimization",
        "execution_mode",
        "quantization_int8",
        "dynamic_batching",
    } <= measured
    assert {r["opt_level"] for r in data["results"]} == {"disabled", "basic", "extended", "all"}
    assert {r["quantization"] for r in data["results"]} >= {
        "dynamic-per-tensor",
        "dynamic-per-channel",
    }
    calibration = load_scenario(scenario).stage("BERT-base inference").calibration
    assert {"quantization_int8", "threads", "graph_optimization", "dynamic_batching"} <= set(
        calibration
    )
    for cal in calibration.values():
        assert cal.speedup[0] <= cal.speedup[1] and cal.source.startswith("measured:")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_shows_after_a_second_on_a_terminal_only():
    from latency_advisor.commands.bench import ProgressBar

    term = _Terminal()
    bar = ProgressBar(term, delay_s=0.0)
    bar.update(0.5, "fp32/threads=1: 1000 samples")
    assert "[###############...............]  50% fp32/threads=1" in term.getvalue()
    bar.close()
    assert term.getvalue().endswith("\r")
    quiet = _Terminal()
    ProgressBar(quiet, delay_s=60.0).update(0.5, "x")  # a short run shows no bar
    assert quiet.getvalue() == ""
    piped = io.StringIO()
    ProgressBar(piped, delay_s=0.0).update(0.5, "x")  # not a terminal: nothing
    assert piped.getvalue() == ""


def test_shape_option_sets_the_inputs_and_scales_the_batch_variant(tmp_path, capsys):
    from onnx import TensorProto

    from tests import bench_models as bm

    path = bm.save(bm.identity_model(TensorProto.INT64, ["batch", "seq"]), tmp_path / "ids.onnx")
    code = cli.main(["bench", str(path), *FAST, "--shape", "x=2,16", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["inputs"] == [
        {"name": "x", "dtype": "int64", "shape": [2, 16], "fill": "random integers 0..7"}
    ]
    assert {r["batch"] for r in data["results"]} == {2, 16}  # baseline 2, batched 8x
