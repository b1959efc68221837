"""From an import to a scenario: new, merged, replaced; saved, reloaded and analysed; and the
`import` command's outputs and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from latency_advisor.analysis import analyze
from latency_advisor.cli import main
from latency_advisor.importers import apply_to_scenario, import_file, new_scenario
from latency_advisor.scenario import load_scenario, save_scenario
from tests.conftest import EXAMPLES
from tests.trace_files import expected_ms, make_requests, write_jaeger, write_otlp_lines

REQUESTS = make_requests(400, seed=5)


@pytest.fixture(scope="module")
def otlp_file(tmp_path_factory) -> Path:
    return write_otlp_lines(REQUESTS, tmp_path_factory.mktemp("otlp") / "traces.jsonl")


def test_new_scenario_round_trips_with_thinned_samples(otlp_file: Path, tmp_path: Path) -> None:
    result = import_file(otlp_file)
    scenario = new_scenario(result, name="Chat", sla_ms=400, percentile=99, peak_rps=5)
    out = tmp_path / "chat.yaml"
    save_scenario(scenario, out)
    again = load_scenario(out)
    assert again == scenario
    redis = again.stage("redis GET")
    assert redis.calls == 2 and redis.kind == "feature_fetch"
    assert len(redis.samples_ms) == 800  # all per-call samples: under the 2,000-point cap
    assert sorted(redis.samples_ms) == pytest.approx(np.sort(expected_ms(REQUESTS, "redis GET")))
    assert again.stage("llm generate").model.family == "llm"  # from gen_ai.* attributes
    assert again.stage("embed query").model is None
    groups = {s.parallel_group for s in again.stages if s.parallel_group}
    assert groups == {"parallel: keyword search + vector search"}
    analysis = analyze(again)
    rows = {row.name: row for row in analysis.stages}
    assert rows["llm generate"].distribution == "samples"
    # the composed estimate lands near the measured end-to-end p50 (stages are independent here)
    assert analysis.current.p50_ms == pytest.approx(result.end_to_end_ms[50.0], rel=0.05)


def test_many_samples_are_thinned_to_quantile_points(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    values = np.random.default_rng(3).lognormal(3, 0.5, 9000)
    path.write_text("model_ms\n" + "\n".join(f"{v:.6f}" for v in values))
    result = import_file(path)
    scenario = new_scenario(result, sla_ms=100)
    kept = np.array(scenario.stages[0].samples_ms)
    assert len(kept) == 2000 and kept.min() == pytest.approx(values.min())
    assert np.percentile(kept, 99) == pytest.approx(np.percentile(values, 99), rel=0.01)
    assert scenario.stages[0].p99_ms == pytest.approx(np.percentile(values, 99), rel=1e-6)


def test_merge_updates_measured_numbers_and_keeps_the_rest(tmp_path: Path) -> None:
    base = load_scenario(EXAMPLES / "rag_assistant.yaml")
    csv = tmp_path / "t.csv"
    csv.write_text("stage,p50,p95,p99\nLLM inference,900,1100,1300\nCache check,2,3,5\n")
    merged = apply_to_scenario(import_file(csv), base, "merge")
    assert [s.name for s in merged.stages] == [s.name for s in base.stages] + ["Cache check"]
    llm = merged.stage("LLM inference")
    assert (llm.p50_ms, llm.p95_ms, llm.p99_ms) == (900, 1100, 1300)
    assert llm.model == base.stage("LLM inference").model
    assert llm.facts == base.stage("LLM inference").facts
    assert merged.stage("Vector search") == base.stage("Vector search")
    assert merged.sla == base.sla and merged.traffic == base.traffic

    replaced = apply_to_scenario(import_file(csv), base, "replace")
    assert [s.name for s in replaced.stages] == ["LLM inference", "Cache check"]
    assert replaced.stage("LLM inference").model == base.stage("LLM inference").model


def test_cli_import_new_scenario_and_mapping(otlp_file: Path, tmp_path: Path, capsys) -> None:
    out, mapping = tmp_path / "s.json", tmp_path / "m.yaml"
    code = main(
        [
            "import",
            str(otlp_file),
            "-o",
            str(out),
            "--sla-ms",
            "350",
            "--percentile",
            "99",
            "--save-mapping",
            str(mapping),
            "--name",
            "Chat backend",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "llm generate" in printed and "400 traces" in printed
    scenario = load_scenario(out)
    assert scenario.name == "Chat backend" and scenario.sla.percentile == 99
    assert json.loads(out.read_text())["format"] == "latency-advisor/scenario/v1"
    # the saved mapping is applied to the next file (Jaeger this time): same stage names
    second = tmp_path / "s2.yaml"
    jaeger = write_jaeger(make_requests(50, seed=9), tmp_path / "j.json")
    assert (
        main(
            [
                "import",
                str(jaeger),
                "-o",
                str(second),
                "--sla-ms",
                "350",
                "--mapping",
                str(mapping),
                "--json",
            ]
        )
        == 0
    )
    summary = json.loads(capsys.readouterr().out)
    assert summary["detected_format"] == "Jaeger JSON"
    assert all(s["kind_confirmed"] for s in summary["stages"])
    assert [s.name for s in load_scenario(second).stages] == [s.name for s in scenario.stages]


def test_cli_merge_into_existing(tmp_path: Path) -> None:
    existing = tmp_path / "rag.yaml"
    existing.write_bytes((EXAMPLES / "rag_assistant.yaml").read_bytes())
    csv = tmp_path / "t.csv"
    csv.write_text("stage,p50,p95\nPost-processing,40,60\n")
    assert main(["import", str(csv), "-o", str(existing), "--merge-into", str(existing)]) == 0
    assert load_scenario(existing).stage("Post-processing").p50_ms == 40


NOTES = "nothing to see here\n"
TIMINGS = "model_ms\n1\n2\n"


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (NOTES, ["--sla-ms", "300"], "not a format we can import"),
        (TIMINGS, [], "needs --sla-ms"),
        (TIMINGS, ["--sla-ms", "300", "--replace"], "--replace needs --merge-into"),
        (TIMINGS, ["--sla-ms", "300", "--mapping", "{tmp}/nope.yaml"], "cannot read the mapping"),
        (
            TIMINGS,
            ["--sla-ms", "300", "--save-mapping", "{tmp}/no/m.yaml"],
            "the folder does not exist",
        ),
    ],
)
def test_cli_user_errors_exit_2_and_write_nothing(
    tmp_path: Path, capsys, content, args, message
) -> None:
    source = tmp_path / "input.txt"
    source.write_text(content)
    out = tmp_path / "out.yaml"
    args = [a.format(tmp=tmp_path) for a in args]
    assert main(["import", str(source), "-o", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [source]


def _excel_cell(value) -> str:
    if value is None:
        return ""
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)


def test_every_example_round_trips_through_a_breakdown_csv(example_paths, tmp_path: Path) -> None:
    """Stages written as one row per stage and imported back replace themselves exactly."""
    for path in example_paths:
        scenario = load_scenario(path)
        rows = ["stage;kind;p50 (ms);p95 (ms);p99 (ms);calls;parallel_group"]
        for s in scenario.stages:
            cells = [s.name, s.kind, s.p50_ms, s.p95_ms, s.p99_ms, s.calls, s.parallel_group]
            rows.append(";".join(_excel_cell(c) for c in cells))
        csv = tmp_path / f"{path.stem}.csv"
        csv.write_text("\n".join(rows), encoding="cp1252", errors="replace")
        if any(not s.name.isascii() for s in scenario.stages):
            csv.write_text("\n".join(rows), encoding="utf-8-sig")
        back = apply_to_scenario(import_file(csv), scenario, "replace")
        assert back == scenario, path.name
