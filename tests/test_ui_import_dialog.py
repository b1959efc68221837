"""The import preview dialog, driven like a user would (offscreen Qt, pytest-qt): real files
the tests write, real imports on the dialog's worker thread, real scenarios out."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from latency_advisor.importers import import_file, load_mapping
from latency_advisor.scenario import load_scenario, scenario_to_data
from latency_advisor.ui.import_dialog import (
    COL_COUNT,
    COL_GROUP,
    COL_NAME,
    COL_P50,
    COL_PRESENCE,
    COL_WHY,
    ImportDialog,
    importable,
)
from tests.conftest import EXAMPLES
from tests.trace_files import (
    arrivals_us,
    expected_ms,
    make_requests,
    write_chrome,
    write_otlp_lines,
    write_wide_csv,
)

REQUESTS = make_requests(200, seed=11)
RAG = EXAMPLES / "rag_assistant.yaml"


@pytest.fixture(scope="module")
def otlp_file(tmp_path_factory) -> Path:
    return write_otlp_lines(REQUESTS, tmp_path_factory.mktemp("otlp") / "traces.jsonl")


@pytest.fixture
def scenario():
    return load_scenario(RAG)


def _open(qtbot, path: Path, scenario, expect: str = "loaded") -> ImportDialog:
    dialog = ImportDialog(path, scenario)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(getattr(dialog, expect), timeout=30_000):
        dialog.show()
    return dialog


def _rows(dialog: ImportDialog) -> dict[str, int]:
    return {dialog.table.item(r, COL_NAME).text(): r for r in range(dialog.table.rowCount())}


def _screenshot(qtbot, dialog: ImportDialog, path: Path) -> None:
    label = dialog.hint_label  # the last label to change: wait until it is laid out
    qtbot.waitUntil(lambda: label.height() >= label.sizeHint().height(), timeout=5000)
    assert dialog.grab().save(str(path))


def _click(qtbot, button) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_otlp_preview_edit_and_replace(qtbot, otlp_file, scenario, artifacts_dir) -> None:
    dialog = _open(qtbot, otlp_file, scenario)
    assert "OpenTelemetry OTLP JSON" in dialog.summary_label.text()
    assert "200 traces" in dialog.summary_label.text()
    rows = _rows(dialog)
    assert set(rows) == {
        "embed query",
        "vector search",
        "keyword search",
        "llm generate",
        "redis GET",
        "POST /chat (own time)",
    }
    # the guessed kind, and why, are shown; the two searches are one parallel group
    search = dialog.kind_combo(rows["vector search"])
    assert search.currentText() == "retrieval"
    assert "vector search" in search.toolTip() and "guessed" in search.toolTip()
    assert dialog.table.item(rows["llm generate"], COL_WHY).text().startswith("model")
    searches = ("vector search", "keyword search")
    groups = {dialog.table.item(rows[n], COL_GROUP).text() for n in searches}
    assert len(groups) == 1 and groups != {""}
    want_p50 = np.percentile(expected_ms(REQUESTS, "llm generate"), 50)
    assert float(dialog.table.item(rows["llm generate"], COL_P50).text()) == pytest.approx(
        want_p50, abs=0.05
    )
    _screenshot(qtbot, dialog, artifacts_dir / "import_dialog_preview.png")

    dialog.table.item(rows["embed query"], COL_NAME).setText("Query embedding")
    dialog.kind_combo(rows["embed query"]).setCurrentText("model")
    dialog.table.item(rows["redis GET"], COL_GROUP).setText("")
    assert "keeps only these 6 stages" in dialog.hint_label.text()
    _click(qtbot, dialog.replace_button)

    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.mode == "replace"
    new = dialog.result_scenario()
    assert [s.name for s in new.stages] == [
        dialog.table.item(r, COL_NAME).text() for r in range(dialog.table.rowCount())
    ]
    embedding = new.stage("Query embedding")
    assert embedding.kind == "model"
    assert embedding.p50_ms == pytest.approx(
        np.percentile(expected_ms(REQUESTS, "embed query"), 50), abs=1e-3
    )
    assert new.stage("vector search").parallel_group == new.stage("keyword search").parallel_group
    assert new.stage("redis GET").calls == 2 and new.stage("redis GET").parallel_group is None
    assert new.sla == scenario.sla and new.name == scenario.name
    assert scenario.stage("Network round trip") is not None  # the input is left untouched


def test_csv_merge_keeps_the_scenarios_stages(qtbot, tmp_path, scenario) -> None:
    path = write_wide_csv(REQUESTS, tmp_path / "timings.csv")
    dialog = _open(qtbot, path, scenario)
    assert "CSV stage timings" in dialog.summary_label.text()
    rows = _rows(dialog)
    assert list(rows) == ["embed query", "vector search", "llm generate"]
    dialog.table.item(rows["vector search"], COL_NAME).setText("Vector search")  # as in the file
    assert "1 same-named stage(s)" in dialog.hint_label.text()
    _click(qtbot, dialog.merge_button)

    new = dialog.result_scenario()
    assert dialog.mode == "merge"
    old_names = [s.name for s in scenario.stages]
    assert [s.name for s in new.stages] == [*old_names, "embed query", "llm generate"]
    before, after = scenario.stage("Vector search"), new.stage("Vector search")
    assert after.kind == before.kind and after.facts == before.facts
    assert after.p50_ms == pytest.approx(
        np.percentile(expected_ms(REQUESTS, "vector search"), 50), abs=1e-3
    )
    assert after.p50_ms != before.p50_ms
    assert new.stage("LLM inference") == scenario.stage("LLM inference")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02 not text", "a binary file"),
        (b"hello\nthis is not a trace at all\n", "not a format we can import"),
        (b'{"some": "json"}', "a JSON file, but not a trace we know"),
        (b"", "the file is empty"),
    ],
)
def test_a_file_we_cannot_read_shows_the_importers_message(
    qtbot, tmp_path, scenario, content, message, artifacts_dir
) -> None:
    path = tmp_path / "garbage.json"
    path.write_bytes(content)
    dialog = _open(qtbot, path, scenario, expect="failed")
    text = dialog.error_label.text()
    assert message in text and str(path) in text and "Traceback" not in text
    assert dialog.error_label.isVisible()
    if not content:
        _screenshot(qtbot, dialog, artifacts_dir / "import_dialog_error.png")
    assert not dialog.replace_button.isEnabled() and not dialog.merge_button.isEnabled()
    assert dialog.cancel_button.text() == "Close"
    _click(qtbot, dialog.cancel_button)
    assert dialog.result() == QDialog.DialogCode.Rejected and dialog.result_scenario() is None


def test_histogram_metrics_show_bucket_bounds_and_warnings(
    qtbot, tmp_path, scenario, artifacts_dir
) -> None:
    from tests.test_import_formats import PROMETHEUS

    path = tmp_path / "metrics.prom"
    path.write_text(PROMETHEUS)
    dialog = _open(qtbot, path, scenario)
    assert "Prometheus text exposition" in dialog.summary_label.text()
    rows = _rows(dialog)
    assert list(rows) == ["embed", "model"]
    p95 = dialog.table.item(rows["embed"], COL_P50 + 1)
    assert p95.text() == "366.7"
    assert p95.toolTip() == "within [200, 500] ms (bucket)"
    assert dialog.table.item(rows["model"], COL_PRESENCE).text() == "—"  # metrics cannot say
    assert dialog.table.item(rows["model"], COL_COUNT).text() == "1,000"
    warnings = [dialog.warnings.item(i).text() for i in range(dialog.warnings.count())]
    assert any("order of stages" in w for w in warnings)
    assert dialog.warnings.isVisible() and dialog.warnings_label.text().startswith("Warnings (")
    assert not dialog.traffic_row.isVisible() and "req/s" not in dialog.summary_label.text()
    _screenshot(qtbot, dialog, artifacts_dir / "import_dialog_metrics.png")


def test_bad_edits_are_refused_in_place(qtbot, otlp_file, scenario) -> None:
    dialog = _open(qtbot, otlp_file, scenario)
    rows = _rows(dialog)
    dialog.table.item(rows["keyword search"], COL_NAME).setText("vector search")
    _click(qtbot, dialog.replace_button)
    assert dialog.isVisible() and dialog.result_scenario() is None
    assert "must be unique" in dialog.message_label.text()
    dialog.table.item(rows["keyword search"], COL_NAME).setText("   ")
    _click(qtbot, dialog.merge_button)
    assert "needs a name" in dialog.message_label.text() and dialog.result_scenario() is None
    dialog.table.item(rows["keyword search"], COL_NAME).setText("BM25 search")
    _click(qtbot, dialog.merge_button)
    assert dialog.result_scenario().stage("BM25 search").kind == "retrieval"


def test_saved_mapping_is_reused_for_the_next_file(qtbot, otlp_file, scenario, tmp_path) -> None:
    dialog = _open(qtbot, otlp_file, scenario)
    rows = _rows(dialog)
    dialog.table.item(rows["embed query"], COL_NAME).setText("Query embedding")
    dialog.kind_combo(rows["embed query"]).setCurrentText("model")
    mapping_path = tmp_path / "chat.mapping.yaml"
    assert dialog.save_mapping_to(mapping_path)
    saved = load_mapping(mapping_path)
    assert saved.kinds["Query embedding"] == "model"
    assert saved.rename["embed query"] == "Query embedding"

    later = write_otlp_lines(make_requests(60, seed=12), tmp_path / "later.jsonl")
    second = _open(qtbot, later, scenario)
    assert "embed query" in _rows(second)
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: latency-advisor/import-mapping/v1\ndepth: 99\n")
    assert not second.load_mapping_from(bad)
    assert "depth" in second.message_label.text() and "embed query" in _rows(second)

    with qtbot.waitSignal(second.loaded, timeout=30_000):
        assert second.load_mapping_from(mapping_path)
    rows = _rows(second)
    assert "Query embedding" in rows and "embed query" not in rows
    assert second.kind_combo(rows["Query embedding"]).currentText() == "model"
    assert "saved mapping" in second.table.item(rows["Query embedding"], COL_WHY).text()
    assert "with the loaded mapping" in second.summary_label.text()


def _big_csv(path: Path, rows: int) -> Path:
    rng = random.Random(3)
    lines = ["request_id,embed (ms),search (ms),llm (ms)"]
    lines += [
        f"r{i},{rng.random() * 20:.3f},{rng.random() * 40:.3f},{rng.random() * 300:.3f}"
        for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_cancel_during_a_slow_import_stops_the_worker(qtbot, tmp_path, scenario) -> None:
    path = _big_csv(tmp_path / "big.csv", 800_000)
    dialog = ImportDialog(path, scenario)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.progress_bar.value() > 0, timeout=30_000)
    assert dialog.running and dialog.pages.currentIndex() == 0, dialog.progress_bar.value()
    assert not dialog.replace_button.isEnabled()
    with qtbot.waitSignal(dialog.cancelled, timeout=10_000):
        _click(qtbot, dialog.cancel_button)
    assert dialog.wait(10_000) and not dialog.running
    assert dialog.result() == QDialog.DialogCode.Rejected
    # the worker saw the stop at a progress check (mid-file, or at the last one on a machine
    # busy enough that the whole file was read first): no result either way
    assert dialog.import_result is None and dialog.result_scenario() is None


def test_cancel_before_the_import_starts_never_reads_the_file(qtbot, otlp_file, scenario):
    dialog = ImportDialog(otlp_file, scenario)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.reject()
    qtbot.wait(50)
    assert not dialog.running and dialog.import_result is None and dialog.progress_bar.value() == 0


def test_importable_tells_traces_from_scenarios(tmp_path, otlp_file, scenario) -> None:
    csv = write_wide_csv(REQUESTS[:30], tmp_path / "t.csv")
    as_json = tmp_path / "scenario.json"
    as_json.write_text(json.dumps(scenario_to_data(scenario)))
    garbage = tmp_path / "notes.txt"
    garbage.write_bytes(b"\x00\x01")
    model = tmp_path / "m.onnx"
    model.write_bytes(b"\x08\x07")
    chrome = tmp_path / "profile.pt.trace.json.gz"
    write_chrome(5, chrome)
    assert importable(otlp_file) and importable(csv) and importable(chrome)
    assert not importable(RAG) and not importable(as_json)
    assert not importable(garbage) and not importable(model)
    assert not importable(tmp_path / "missing.csv") and not importable(tmp_path)


# ------------------------------------------------------------------ observed traffic


@pytest.fixture(scope="module")
def bursty_file(tmp_path_factory) -> Path:
    """10 requests/s for 50 s, then 40/s for 20 s: the busiest minute holds 20 req/s."""
    starts = arrivals_us([(10.0, 50.0), (40.0, 20.0)])
    requests = make_requests(len(starts), seed=3, starts_us=starts)
    return write_otlp_lines(requests, tmp_path_factory.mktemp("bursty") / "bursty.jsonl")


def test_observed_traffic_is_shown_and_replace_can_take_it(
    qtbot, bursty_file, scenario, artifacts_dir
) -> None:
    dialog = _open(qtbot, bursty_file, scenario)
    seen = dialog.import_result.observed_traffic
    assert 19 < seen.busiest_rps <= 20.1  # the file's arithmetic (see test_import_traffic)
    summary = dialog.summary_label.text()
    assert f"observed {seen.busiest_rps:.3g} req/s in the busiest 60 s" in summary
    assert f"mean {seen.mean_rps:.3g} req/s" in summary and "lower bound" in summary
    check = dialog.traffic_check
    assert check.isVisible() and check.isEnabled() and not check.isChecked()  # opt-in
    assert check.text() == f"Use observed peak ({seen.busiest_rps:.3g} req/s) as peak traffic"
    assert "peak traffic becomes" not in dialog.hint_label.text()

    _click(qtbot, check)
    assert check.isChecked()
    hint = dialog.hint_label.text()
    assert f"peak traffic becomes {seen.busiest_rps:.3g} req/s" in hint
    assert f"(it is {scenario.traffic.peak_rps:g} now)" in hint
    assert "The traffic stays as it is." in hint  # Merge never changes it
    dialog.sampling_spin.setValue(25.0)  # a quarter of the requests were traced
    assert f"({seen.busiest_rps * 4:.3g} req/s)" in check.text()
    assert f"becomes {seen.busiest_rps * 4:.3g} req/s" in dialog.hint_label.text()
    _screenshot(qtbot, dialog, artifacts_dir / "import_dialog_traffic.png")
    _click(qtbot, dialog.replace_button)

    new = dialog.result_scenario()
    assert new.traffic.peak_rps == pytest.approx(seen.busiest_rps * 4, abs=1e-3)
    assert new.traffic.replicas == scenario.traffic.replicas
    assert "Peak traffic:" in new.notes and "bursty.jsonl" in new.notes
    assert "sampling 0.25" in new.notes


@pytest.mark.parametrize(("mode", "ticked"), [("merge", True), ("replace", False)])
def test_traffic_changes_only_when_ticked_and_replacing(
    qtbot, bursty_file, scenario, mode, ticked
) -> None:
    dialog = _open(qtbot, bursty_file, scenario)
    if ticked:
        _click(qtbot, dialog.traffic_check)
    _click(qtbot, dialog.merge_button if mode == "merge" else dialog.replace_button)
    new = dialog.result_scenario()
    assert new is not None and dialog.mode == mode
    assert new.traffic == scenario.traffic and new.notes == scenario.notes


def test_taking_the_observed_peak_is_one_undo_step_with_the_import(
    qtbot, tmp_path, bursty_file
) -> None:
    from tests.test_ui_window import make_window
    from tests.ui_helpers import copy_example, wait_analysis

    window = make_window(qtbot, tmp_path, copy_example(tmp_path))
    before = window.workspace.doc.scenario
    window.import_path(bursty_file)
    dialog = window.findChild(ImportDialog)
    qtbot.waitUntil(lambda: dialog.replace_button.isEnabled(), timeout=30_000)
    _click(qtbot, dialog.traffic_check)
    wait_analysis(qtbot, window, dialog.replace_button.click)
    after = window.workspace.doc.scenario
    seen = import_file(bursty_file).observed_traffic
    assert after.traffic.peak_rps == pytest.approx(seen.busiest_rps, abs=1e-4)
    assert after.traffic.peak_rps != before.traffic.peak_rps
    window.undo_action.trigger()
    assert window.workspace.doc.scenario == before
    window.redo_action.trigger()
    assert window.workspace.doc.scenario == after
