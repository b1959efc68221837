"""The Benchmarks view, offscreen, on real benchmark runs in a child process.

Runs are kept small for a shared 2-core machine: the smallest MLP, the baseline plus one lever,
a fraction of a second per variant.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt

from latency_advisor.bench import BenchReport, BenchSpec, run_bench
from latency_advisor.scenario import load_scenario
from latency_advisor.ui.bench_chart import CHART_NAME
from latency_advisor.ui.bench_view import BenchView
from tests.conftest import EXAMPLES
from tests.ui_helpers import drop_file

SMALL = "mlp-s"
SHORT_S = 0.3
STAGE = "BERT-base inference"  # the model stage of bert_intent.yaml


@pytest.fixture
def view(qtbot):
    widget = BenchView()
    qtbot.addWidget(widget)
    widget.resize(1100, 820)
    yield widget
    widget.shutdown()


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> Path:
    """A real results file (baseline and per-channel INT8 of the smallest MLP)."""
    report = run_bench(BenchSpec(SMALL, quick=True, budget_s=SHORT_S, levers=["int8_per_channel"]))
    path = tmp_path_factory.mktemp("bench") / "mlp-s.json"
    report.write_json(path)
    return path


def small_run(
    view: BenchView, levers: set[str], budget_s: float = SHORT_S, model: str = SMALL
) -> None:
    view.model_combo.setCurrentIndex(view.model_combo.findData(model))
    view.set_levers(levers)
    view.budget_spin.setValue(budget_s)


def screenshot(view: BenchView, qtbot, path: Path) -> None:
    view.show()
    qtbot.waitExposed(view)
    assert view.grab().save(str(path))


def cell(view: BenchView, row: int, column: int) -> str:
    model = view.table.model()
    return model.data(model.index(row, column))


def test_quick_run_fills_table_chart_and_exports(view, qtbot, tmp_path, artifacts_dir):
    small_run(view, {"int8_per_channel"})
    spec = view.spec()
    assert spec.levers == ["int8_per_channel"] and spec.budget_s == SHORT_S
    assert (spec.percentile, spec.ci) == (99.0, 0.10)  # the quick preset's stopping rule
    italic_when_shown: list[bool] = []  # rows arrive while measuring, marked as interim
    view.results.rowsInserted.connect(
        lambda _parent, first, _last: italic_when_shown.append(
            view.results.index(first, 0).data(Qt.ItemDataRole.FontRole) is not None
        )
    )
    charted: list[tuple[bool, int, bool]] = []  # per row signal: interim?, bars, provisional?
    with qtbot.waitSignal(view.run_finished, timeout=120_000) as done:
        qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
        # the click returned while the child measures: the run is not on the UI thread
        assert view.running
        assert not view.run_button.isEnabled() and view.cancel_button.isEnabled()
        # connected after the view's own slot, so this sees the chart the row produced
        view.bench_thread.row.connect(
            lambda _row, interim: charted.append(
                (interim, len(view.chart.spec.bars), view.chart.spec.provisional)
            )
        )
    report = done.args[0]
    assert isinstance(report, BenchReport)
    variants = [r["variant"] for r in report.results]
    assert variants[0].startswith("fp32/threads=1/opt=all/batch=1")
    assert len(variants) == 2 and variants[1].startswith("int8-dynamic-per-channel")

    # the table showed rows while measuring (in italics), then the final rows, upright
    assert len(italic_when_shown) == 2 and all(italic_when_shown)
    assert view.table.model().rowCount() == 2
    font_role = Qt.ItemDataRole.FontRole
    assert all(view.table.model().index(i, 0).data(font_role) is None for i in range(2))
    assert [cell(view, i, 0) for i in range(2)] == variants
    assert cell(view, 0, 5).startswith("1.00×")
    assert f"{report.results[1]['speedup_vs_baseline']:.2f}×" in cell(view, 1, 5)
    assert view.progress.value() == view.progress.maximum()
    assert view.run_button.isEnabled() and not view.cancel_button.isEnabled()

    # the chart followed the interim rows (provisional bars), then showed the final ones
    interim_seen = [c for c in charted if c[0]]
    assert interim_seen and all(provisional for _, _, provisional in interim_seen)
    assert {bars for _, bars, _ in interim_seen} <= {1, 2}
    assert charted[-1] == (False, 2, False)

    # the chart: one bar per variant, as long as its speedup, named for screen readers
    chart = view.chart
    assert chart.accessibleName() == CHART_NAME
    chart.grab()
    areas = chart.hit_areas()
    assert [tip.splitlines()[0] for _, tip in areas] == variants
    px_per_x = areas[0][0].width() / report.results[0]["speedup_vs_baseline"]
    for (rect, _), r in zip(areas, report.results, strict=True):
        assert rect.width() == pytest.approx(r["speedup_vs_baseline"] * px_per_x, abs=0.5)
    assert not chart.spec.provisional
    assert chart.spec.bars[1].label in chart.accessibleDescription()

    # exports, read back
    for name in ("results.csv", "results.json"):
        with qtbot.waitSignal(view._exporter.done, timeout=30_000) as exported:
            view.export(tmp_path / name)
        assert exported.args[1] == ""
    with open(tmp_path / "results.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["variant"] for r in rows] == variants
    assert float(rows[1]["p50_ms"]) == pytest.approx(report.results[1]["p50_ms"])
    data = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert data["format"] == "latency-advisor/bench/v1"
    assert [r["variant"] for r in data["results"]] == variants

    screenshot(view, qtbot, artifacts_dir / "bench_view.png")


def test_cancel_stops_the_child_and_frees_the_view(view, qtbot):
    # the baseline alone, timed for a minute: a CI this narrow is never reached first
    small_run(view, set(), budget_s=60.0, model="mlp-m")
    view.ci_spin.setValue(view.ci_spin.minimum())
    view.run()
    qtbot.waitUntil(lambda: "samples" in view.progress_label.text(), timeout=60_000)
    thread = view.bench_thread
    assert thread is not None and thread.job is not None and thread.job.running
    with qtbot.waitSignal(view.run_finished, timeout=5_000) as done:
        qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    assert done.args[0] is None
    assert not thread.job.running  # the child process is gone
    assert view.progress_label.text() == "Cancelled."
    assert not view.message.isVisibleTo(view)  # a cancel is not an error
    assert view.run_button.isEnabled() and view.report is None


def test_closing_the_view_mid_run_kills_the_child(qtbot):
    view = BenchView()
    small_run(view, set(), budget_s=60.0, model="mlp-m")
    view.ci_spin.setValue(view.ci_spin.minimum())
    view.run()
    qtbot.waitUntil(lambda: "samples" in view.progress_label.text(), timeout=60_000)
    thread = view.bench_thread
    assert thread is not None and thread.job is not None
    job = thread.job
    view.deleteLater()
    qtbot.waitUntil(lambda: not job.running, timeout=5_000)
    # the thread ended on its own, without its view, and was deleted (never while running)
    qtbot.waitUntil(lambda: not shiboken6.isValid(thread), timeout=5_000)


def test_garbage_model_shows_its_message(view, qtbot, tmp_path, artifacts_dir):
    bad = tmp_path / "garbage.onnx"
    bad.write_bytes(b"this is not a protobuf \x00\x01\x02 at all" * 10)
    assert view.open_model(bad)
    assert view.spec().model == str(bad)
    with qtbot.waitSignal(view.run_finished, timeout=60_000) as done:
        view.run()
        assert view.running
    assert done.args[0] is None
    assert view.message.isVisibleTo(view)
    assert "garbage.onnx" in view.message.text()
    assert view.table.model().rowCount() == 0
    assert view.run_button.isEnabled()
    screenshot(view, qtbot, artifacts_dir / "bench_view_failed.png")


def relu_model(path: Path) -> Path:
    """A one-node ONNX model whose input has a dynamic batch and a dynamic width."""
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])],
        "relu",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "width"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "width"])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def test_own_model_runs_with_the_shapes_typed(view, qtbot, tmp_path):
    model = relu_model(tmp_path / "relu.onnx")
    assert view.open_model(model)
    view.set_levers(set())
    view.budget_spin.setValue(SHORT_S)
    view.shapes_edit.setText("x=3,7")
    with qtbot.waitSignal(view.run_finished, timeout=60_000) as done:
        view.run()
    report = done.args[0]
    assert report is not None, view.message.text()
    assert report.model == str(model)
    assert [i["shape"] for i in report.data["inputs"]] == [[3, 7]]
    assert view.table.model().rowCount() == 1


def test_malformed_input_text_is_refused_before_running(view):
    view.values_edit.setText("sample_rate")
    view.run()
    assert not view.running
    assert "Input values 'sample_rate': expected NAME=VALUE" in view.message.text()


def test_open_model_refuses_other_files(view):
    assert not view.open_model("/tmp/scenario.yaml")
    assert "not an .onnx file" in view.message.text()
    assert view.model_name == view.model_combo.itemData(0)


def test_attach_emits_scenario_with_calibration_on_the_stage(view, qtbot, measured, artifacts_dir):
    scenario = load_scenario(EXAMPLES / "bert_intent.yaml")
    view.set_scenario(scenario)
    model_stages = [s.name for s in scenario.stages if s.kind == "model"]
    assert [view.stage_combo.itemText(i) for i in range(view.stage_combo.count())] == model_stages
    assert not view.attach_button.isEnabled()  # nothing measured yet
    assert view.spec().percentile == scenario.sla.percentile  # timing stops on the SLA's

    assert view.open_results(measured)
    assert view.table.model().rowCount() == 2
    view.stage_combo.setCurrentText(STAGE)
    assert view.attach_button.isEnabled()
    with qtbot.waitSignal(view.scenario_calibrated, timeout=5_000) as attached:
        qtbot.mouseClick(view.attach_button, Qt.MouseButton.LeftButton)
    updated = attached.args[0]
    calibration = updated.stage(STAGE).calibration
    assert "quantization_int8" in calibration
    assert calibration["quantization_int8"].speedup[0] > 0
    assert "mlp-s" in calibration["quantization_int8"].source
    assert "quantization_int8" not in scenario.stage(STAGE).calibration  # a new scenario
    others = [s for s in updated.stages if s.name != STAGE]
    assert others == [s for s in scenario.stages if s.name != STAGE]
    assert "quantization_int8" in view.progress_label.text()
    screenshot(view, qtbot, artifacts_dir / "bench_view_attached.png")


def test_attach_to_a_stage_that_is_gone_says_so(view, measured):
    view.set_scenario(load_scenario(EXAMPLES / "bert_intent.yaml"))
    view.open_results(measured)
    assert view.attach_to_stage("Tokenization") is None  # not a model stage
    assert "kind 'model'" in view.message.text()


def test_dropped_results_file_is_shown(view, measured):
    drop_file(view, measured)
    assert view.report is not None and view.table.model().rowCount() == 2
    assert view.json_button.isEnabled()


@pytest.mark.parametrize(
    ("example", "model", "stage"),
    [
        ("bert_intent", "transformer-l", "BERT-base inference"),  # the BERT-sized block
        ("mobile_classifier", "cnn-m", "ResNet-50 inference"),
        ("rag_assistant", "mlp-s", None),  # no built-in stands in for an LLM
    ],
)
def test_the_first_model_and_stage_follow_the_scenario(view, example, model, stage):
    """The issue's first look: a 0.1 M MLP with "Attach to stage" aimed at "LLM inference"."""
    scenario = load_scenario(EXAMPLES / f"{example}.yaml")
    view.set_scenario(scenario)
    assert view.model_name == model
    from latency_advisor.bench.refmodels import reference_model

    family = reference_model(model).family
    chosen = view.stage_combo.currentText() if view.stage_combo.currentIndex() >= 0 else None
    matching = [
        s.name
        for s in scenario.stages
        if s.kind == "model" and s.model and s.model.family == family
    ]
    assert chosen == (matching[0] if matching else None)
    if stage is not None:
        assert chosen == stage
    assert not view.attach_button.isEnabled()  # nothing measured, and nowhere unless chosen


def test_a_model_the_user_picked_is_kept_when_the_scenario_changes(view):
    view.model_combo.setCurrentIndex(view.model_combo.findData("cnn-s"))
    view.model_combo.activated.emit(view.model_combo.currentIndex())  # as a click does
    view.set_scenario(load_scenario(EXAMPLES / "bert_intent.yaml"))
    assert view.model_name == "cnn-s"
    assert view.stage_combo.currentIndex() == -1  # a CNN's speedups are not a BERT's
