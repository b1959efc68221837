"""The command line: outputs, exit codes, and no tracebacks for user errors."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from latency_advisor.cli import main
from tests.conftest import EXAMPLES, ROOT


def _all_numbers(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _all_numbers(v)
    elif isinstance(value, list):
        for v in value:
            yield from _all_numbers(v)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield value


def test_analyze_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(EXAMPLES / "rag_assistant.yaml"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "latency-advisor/analysis/v1"
    assert data["sla"] == {"target_ms": 500.0, "percentile": 95, "workload": "interactive"}
    for key in (
        "at_sla_percentile_ms",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "sum_of_stage_percentiles_ms",
        "queueing_wait_ms",
        "utilization",
    ):
        assert key in data["current"]
    assert data["meets_sla"] is False
    assert data["gap_ms"] == pytest.approx(data["current"]["at_sla_percentile_ms"] - 500, abs=0.1)
    assert data["bottleneck"]["stage"] == "LLM inference"
    assert {s["name"] for s in data["stages"]} >= {"LLM inference", "Vector search"}
    for key in ("recommendations", "plan", "options", "assumptions", "warnings"):
        assert isinstance(data[key], list)
    # the composed percentile is below the naive sum of stage percentiles
    assert data["current"]["p95_ms"] < data["current"]["sum_of_stage_percentiles_ms"]


def test_overloaded_path_has_no_infinite_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", str(EXAMPLES / "video_analytics.yaml"), "--json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert data["current"]["utilization"] > 1
    assert data["meets_sla"] is False
    assert data["current"]["steady_state"] is False
    assert data["current"]["replicas_needed_for_stability"] == 2
    assert any("grows without bound" in w for w in data["warnings"])
    assert all(math.isfinite(x) for x in _all_numbers(data))
    assert "Infinity" not in out and "NaN" not in out


def test_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(EXAMPLES / "fraud_score.yaml")]) == 0
    out = capsys.readouterr().out
    assert "MISSES the SLA" in out
    assert "Bottleneck: Online feature lookups" in out


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("format: latency-advisor/scenario/v1\nname: x\n", "sla"),
        ("a: [1\n", "invalid YAML"),
        ("!!python/object/apply:os.system ['true']\n", "YAML tags"),
    ],
)
def test_invalid_input_exits_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, fragment: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    assert main(["analyze", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and fragment in err
    assert "Traceback" not in err


def test_schema_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "scenario"]) == 0
    assert json.loads(capsys.readouterr().out)["title"].startswith("Latency Advisor scenario")


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze"]) == 2


def test_real_process_end_to_end(tmp_path: Path) -> None:
    """The installed entry point, as a user runs it: exit codes cross the process boundary."""
    ok = subprocess.run(
        [sys.executable, "-m", "latency_advisor", "analyze", str(EXAMPLES / "bert_intent.yaml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert ok.returncode == 0 and "BERT-base inference" in ok.stdout
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "latency-advisor/scenario/v1", "name": "x", "sla": {}}')
    failed = subprocess.run(
        [sys.executable, "-m", "latency_advisor", "analyze", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert failed.returncode == 2
    assert "sla.target_ms" in failed.stderr and "Traceback" not in failed.stderr
