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


# ------------------------------------------------------------------ stages on some requests only

E2E_TOLERANCE = 0.05  # the measured end-to-end percentiles of 500 traces carry sampling noise


def composed_vs_measured(scenario, measured: dict[float, float]) -> list[float]:
    """Relative error of the composed p50, p95 and p99 against the measured end-to-end ones."""
    current = analyze(scenario, advice=False).current
    composed = (current.p50_ms, current.p95_ms, current.p99_ms)
    return [c / measured[p] - 1.0 for c, p in zip(composed, (50.0, 95.0, 99.0), strict=True)]


def without_presence(scenario):
    stages = [s.model_copy(update={"presence": None}) for s in scenario.stages]
    return scenario.model_copy(update={"stages": stages})


def test_a_conditional_stage_in_traces_composes_to_the_measured_end_to_end(
    tmp_path: Path,
) -> None:
    """The LLM answers only the 30 % of requests its cache misses: written as its presence, the
    composed p50/p95/p99 match the traces' own end-to-end ones; added to every request (as
    before presence existed) they are far off, p50 most of all."""
    requests = make_requests(500, seed=5, llm_share=0.3)
    measured_share = np.mean([bool(r.expected["llm generate"]) for r in requests])
    result = import_file(write_otlp_lines(requests, tmp_path / "cached.jsonl"))
    assert any("'llm generate' (" in w and "conditional" in w for w in result.warnings)
    scenario = new_scenario(result, sla_ms=400, percentile=99)
    llm = scenario.stage("llm generate")
    assert llm.presence == pytest.approx(measured_share, abs=1e-3)
    assert llm.facts == {}  # the share is a field the model reads, not a free-form fact
    assert all(s.presence is None for s in scenario.stages if s.name != "llm generate")
    assert sorted(llm.samples_ms) == pytest.approx(np.sort(expected_ms(requests, "llm generate")))
    again = tmp_path / "cached.yaml"
    save_scenario(scenario, again)
    assert load_scenario(again) == scenario

    errors = composed_vs_measured(scenario, result.end_to_end_ms)
    assert max(abs(e) for e in errors) < E2E_TOLERANCE, errors
    before = composed_vs_measured(without_presence(scenario), result.end_to_end_ms)
    assert before[0] > 1.0  # p50 more than doubled: the LLM counted on every request
    assert before[1] > E2E_TOLERANCE
    assert all(abs(b) > abs(e) for b, e in zip(before, errors, strict=True)), (before, errors)


def test_the_same_traces_without_a_conditional_stage_still_compose_to_the_measured(
    tmp_path: Path,
) -> None:
    result = import_file(write_otlp_lines(make_requests(500, seed=5), tmp_path / "all.jsonl"))
    scenario = new_scenario(result, sla_ms=400, percentile=99)
    assert all(s.presence is None for s in scenario.stages)
    assert not any("conditional" in w for w in result.warnings)
    errors = composed_vs_measured(scenario, result.end_to_end_ms)
    assert max(abs(e) for e in errors) < E2E_TOLERANCE, errors


def test_empty_cells_of_a_wide_csv_make_a_stage_conditional(tmp_path: Path) -> None:
    rng = np.random.default_rng(8)
    n = 2000
    parse = rng.lognormal(np.log(5), 0.3, n)
    model = rng.lognormal(np.log(60), 0.25, n)
    fallback = np.where(rng.random(n) < 0.2, rng.lognormal(np.log(400), 0.3, n), np.nan)
    total = parse + model + np.nan_to_num(fallback)
    lines = ["request_id,parse_ms,model_ms,fallback_ms,total_ms"]
    for i in range(n):
        cell = "" if np.isnan(fallback[i]) else f"{fallback[i]:.4f}"
        lines.append(f"r{i},{parse[i]:.4f},{model[i]:.4f},{cell},{total[i]:.4f}")
    path = tmp_path / "timings.csv"
    path.write_text("\n".join(lines) + "\n")
    result = import_file(path)
    assert any("'fallback' (" in w and "rows" in w and "conditional" in w for w in result.warnings)
    scenario = new_scenario(result, sla_ms=300)
    share = float(np.mean(~np.isnan(fallback)))
    assert scenario.stage("fallback").presence == pytest.approx(share, abs=1e-3)
    assert scenario.stage("parse").presence is None and scenario.stage("model").presence is None
    errors = composed_vs_measured(scenario, result.end_to_end_ms)
    assert max(abs(e) for e in errors) < E2E_TOLERANCE, errors
    assert composed_vs_measured(without_presence(scenario), result.end_to_end_ms)[0] > 1.0


def test_merge_and_replace_take_a_measured_presence_and_keep_one_the_source_cannot_know(
    tmp_path: Path,
) -> None:
    base = load_scenario(EXAMPLES / "rag_assistant.yaml")
    llm = base.stage("LLM inference")
    marked = base.model_copy(
        update={
            "stages": [
                s.model_copy(update={"presence": 0.5}) if s.name == llm.name else s
                for s in base.stages
            ]
        }
    )
    per_stage = tmp_path / "p.csv"  # one row per stage: says nothing about which requests
    per_stage.write_text(f"stage,p50,p95\n{llm.name},900,1100\n")
    merged = apply_to_scenario(import_file(per_stage), marked, "merge")
    assert merged.stage(llm.name).presence == 0.5
    replaced = apply_to_scenario(import_file(per_stage), marked, "replace")
    assert replaced.stage(llm.name).presence == 0.5
    per_request = tmp_path / "r.csv"  # one row per request, a value in every row: all of them
    per_request.write_text(
        f"{llm.name} (ms)\n" + "\n".join(str(900 + i % 50) for i in range(200)) + "\n"
    )
    merged = apply_to_scenario(import_file(per_request), marked, "merge")
    assert merged.stage(llm.name).presence is None
