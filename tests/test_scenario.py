"""The scenario file format: every example loads, round-trips, and bad input is named precisely."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from latency_advisor.atomic import atomic_output
from latency_advisor.scenario import (
    FORMAT,
    Scenario,
    ScenarioError,
    dump_scenario,
    load_scenario,
    parse_scenario,
    save_scenario,
    scenario_json_schema,
)
from tests.conftest import EXAMPLES

MINIMAL = f"""\
format: {FORMAT}
name: Tiny
sla:
  target_ms: 100
  percentile: 95
traffic:
  peak_rps: 10
  replicas: 2
stages:
  - name: Model
    kind: model
    p50_ms: 40
    p95_ms: 60
"""


def write(tmp_path: Path, text: str | bytes, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str | bytes, name: str = "s.yaml") -> ScenarioError:
    path = write(tmp_path, text, name)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(path) in str(info.value), "every message names the file"
    return info.value


def test_examples_are_valid_and_cover_the_brief(example_paths: list[Path]) -> None:
    names = {p.stem for p in example_paths}
    assert {
        "rag_assistant",
        "recommender",
        "fraud_score",
        "bert_intent",
        "video_analytics",
        "mobile_classifier",
        "batch_scoring",
    } <= names
    for path in example_paths:
        scenario = load_scenario(path)
        assert scenario.stages and scenario.sla.target_ms > 0


def test_minimal_defaults(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, MINIMAL))
    assert scenario.traffic.replicas == 2
    assert scenario.traffic.concurrency == 1
    assert scenario.quality.max_accuracy_drop_pct == 1.0
    assert scenario.sla.workload == "interactive"
    assert scenario.stages[0].calls == 1
    assert scenario.stages[0].p99_ms is None


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_round_trip_every_example(tmp_path: Path, example_paths: list[Path], suffix: str) -> None:
    for path in example_paths:
        original = load_scenario(path)
        out = tmp_path / f"{path.stem}{suffix}"
        save_scenario(original, out)
        assert load_scenario(out) == original
        if suffix == ".json":
            assert json.loads(out.read_text())["format"] == FORMAT


def test_json_scenario_parsed_by_content_not_extension(tmp_path: Path) -> None:
    data = yaml.safe_load(MINIMAL)
    scenario = load_scenario(write(tmp_path, json.dumps(data), "looks-like.yaml"))
    assert scenario.name == "Tiny"


def test_percentile_99_9_and_serialisation() -> None:
    scenario = parse_scenario(MINIMAL.replace("percentile: 95", "percentile: 99.9"))
    assert scenario.sla.percentile == 99.9
    assert "percentile: 99.9" in dump_scenario(scenario)
    assert "percentile: 95\n" in dump_scenario(parse_scenario(MINIMAL))


@pytest.mark.parametrize(
    ("edit", "field", "fragment"),
    [
        (("  peak_rps: 10\n", ""), "traffic.peak_rps", "required"),
        (
            ("    p50_ms: 40\n", "    p50_ms: 40\n    p59_ms: 3\n"),
            "stages[0].p59_ms",
            "unknown key",
        ),
        (("    p50_ms: 40\n", "    p50_ms: -4\n"), "stages[0].p50_ms", "greater than or equal"),
        (("    p95_ms: 60\n", "    p95_ms: 30\n"), "stages[0]", "p95_ms (30) must be >= p50_ms"),
        (("  percentile: 95\n", "  percentile: 97\n"), "sla.percentile", "one of 50, 90, 95"),
        (("  target_ms: 100\n", "  target_ms: 0\n"), "sla.target_ms", "greater than 0"),
        (("    kind: model\n", "    kind: gpu\n"), "stages[0].kind", "expected one of"),
        (("  percentile: 95\n", "  percentile: 95\n  wrkload: batch\n"), "sla.wrkload", "unknown"),
        (("name: Tiny\n", "name: '  '\n"), "name", "at least 1 character"),
        (
            ("    p95_ms: 60\n", "    p95_ms: 60\n    presence: 0\n"),
            "stages[0].presence",
            "more than 0",
        ),
        (
            ("    p95_ms: 60\n", "    p95_ms: 60\n    presence: 30\n"),
            "stages[0].presence",
            "30 % is written 0.3",
        ),
        (
            ("    p95_ms: 60\n", "    p95_ms: 60\n    presence: yes\n"),
            "stages[0].presence",
            "must be a number",
        ),
        (
            ("    p95_ms: 60\n", "    p95_ms: 60\n    presence: often\n"),
            "stages[0].presence",
            "valid number",
        ),
    ],
)
def test_invalid_fields_are_named_with_line(
    tmp_path: Path, edit: tuple[str, str], field: str, fragment: str
) -> None:
    text = MINIMAL.replace(*edit)
    assert text != MINIMAL
    err = error_of(tmp_path, text)
    assert err.field == field
    assert fragment in err.message
    assert err.line is not None and 1 <= err.line <= text.count("\n") + 1


def test_error_line_points_at_the_field(tmp_path: Path) -> None:
    text = MINIMAL.replace("    p95_ms: 60\n", "    p95_ms: 60\n    p99_ms: 50\n")
    err = error_of(tmp_path, text)
    assert err.field == "stages[0]"
    bad = MINIMAL.replace("    p50_ms: 40\n", "    p50_ms: fast\n")
    err = error_of(tmp_path, bad)
    assert err.field == "stages[0].p50_ms"
    assert err.line == bad.splitlines().index("    p50_ms: fast") + 1


def test_inverted_p99_below_p95(tmp_path: Path) -> None:
    err = error_of(
        tmp_path, MINIMAL.replace("    p95_ms: 60\n", "    p95_ms: 60\n    p99_ms: 50\n")
    )
    assert "p99_ms (50) must be >= p95_ms (60)" in err.message


def test_duplicate_stage_names_and_keys(tmp_path: Path) -> None:
    twice = MINIMAL + "  - name: Model\n    kind: network\n    p50_ms: 1\n"
    assert "appears twice" in error_of(tmp_path, twice).message
    dup_key = MINIMAL.replace("  target_ms: 100\n", "  target_ms: 100\n  target_ms: 200\n")
    err = error_of(tmp_path, dup_key)
    assert err.field == "sla.target_ms" and "twice" in err.message and err.line == 5


def test_broken_yaml_names_line(tmp_path: Path) -> None:
    err = error_of(tmp_path, MINIMAL.replace("  percentile: 95\n", "  percentile: [95\n"))
    assert "invalid YAML" in err.message and err.line is not None


def test_yaml_tags_never_build_objects(tmp_path: Path) -> None:
    evil = MINIMAL.replace("name: Tiny", "name: !!python/object/apply:os.system ['echo pwned']")
    err = error_of(tmp_path, evil)
    assert "YAML tags" in err.message


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    err = error_of(tmp_path, "\n".join(lines) + "\n")
    assert "too large" in err.message


def test_huge_and_binary_and_non_utf8_files(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.write(b"# " + b"x" * 1024 + b"\n")
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(ScenarioError, match="MB"):
        load_scenario(big)
    assert "binary" in error_of(tmp_path, b"\x7fELF\x02\x01\x01\x00\x00\x00", "b.yaml").message
    assert "UTF-8" in error_of(tmp_path, "name: caf\xe9\n".encode("latin-1"), "c.yaml").message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("- just\n- a list\n", "list"),
        ("format: latency-advisor/scenario/v0\nname: x\n", "expected 'latency-advisor"),
        ("name: x\n", "format"),
        ('{"format": "latency-advisor/scenario/v1", "name": ', "invalid JSON"),
        ('{"format": "latency-advisor/scenario/v1", "x": NaN}', "NaN"),
    ],
)
def test_documents_that_are_not_scenarios(tmp_path: Path, text: str, fragment: str) -> None:
    assert fragment in str(error_of(tmp_path, text))


def test_missing_file() -> None:
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario("/nonexistent/scenario.yaml")


def test_atomic_save_keeps_the_old_file_on_failure(tmp_path: Path) -> None:
    target = write(tmp_path, MINIMAL)
    with pytest.raises(RuntimeError), atomic_output(target) as handle:
        handle.write("partial")
        raise RuntimeError("disk full")
    assert target.read_text() == MINIMAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


def test_json_schema_describes_the_format() -> None:
    schema = scenario_json_schema()
    assert schema["properties"]["format"]["const"] == FORMAT
    assert set(schema["required"]) >= {"format", "name", "sla", "traffic", "stages"}
    assert schema["additionalProperties"] is False
    stage = schema["$defs"]["Stage"]
    assert "network" in json.dumps(stage["properties"]["kind"])
    presence = stage["properties"]["presence"]
    assert {"type": "number", "exclusiveMinimum": 0, "maximum": 1} in presence["anyOf"]
    assert "presence" not in stage.get("required", [])


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_presence_round_trips_and_stays_out_of_stages_without_it(
    tmp_path: Path, example_paths: list[Path], suffix: str
) -> None:
    for path in example_paths:  # no example sets it: saving must not add the key
        assert "presence" not in dump_scenario(load_scenario(path), "json")
    text = MINIMAL + "  - name: Fallback\n    kind: model\n    p50_ms: 300\n    presence: 0.05\n"
    scenario = parse_scenario(text)
    assert scenario.stages[0].presence is None and scenario.stages[0].share_of_requests == 1.0
    assert scenario.stages[1].presence == 0.05
    out = tmp_path / f"s{suffix}"
    save_scenario(scenario, out)
    assert load_scenario(out) == scenario
    saved = yaml.safe_load(out.read_text())["stages"]
    assert "presence" not in saved[0] and saved[1]["presence"] == 0.05


def test_model_is_strict_on_assignment() -> None:
    scenario = parse_scenario(MINIMAL)
    with pytest.raises(ValueError):
        scenario.sla.target_ms = -1
    assert isinstance(scenario, Scenario)


def test_examples_load_by_path_helper() -> None:
    from latency_advisor.paths import example, examples_dir

    assert examples_dir() == EXAMPLES
    assert example("rag_assistant").name == "rag_assistant.yaml"


def test_atomic_writes_keep_usual_permissions(tmp_path: Path) -> None:
    from latency_advisor.atomic import atomic_write_text

    fresh = tmp_path / "fresh.txt"
    atomic_write_text(fresh, "x")
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask
    shared = write(tmp_path, "old", "shared.txt")
    shared.chmod(0o640)
    atomic_write_text(shared, "new")
    assert shared.stat().st_mode & 0o777 == 0o640 and shared.read_text() == "new"
