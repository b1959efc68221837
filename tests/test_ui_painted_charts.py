"""The app's natively painted charts: real widgets, real analyses, pixels read back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor

from latency_advisor.analysis import analyze
from latency_advisor.report.budget_spec import budget_spec, nice_ticks
from latency_advisor.report.tables import budget_table
from latency_advisor.report.themes import DARK, LIGHT
from latency_advisor.scenario import load_scenario
from latency_advisor.ui.budget_chart import BudgetChart
from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def rag():
    return analyze(load_scenario(EXAMPLES / "rag_assistant.yaml"))


def _shown(qtbot, chart, analysis, theme="light", size=(900, 420)):
    qtbot.addWidget(chart)
    chart.resize(*size)
    chart.show_analysis(analysis, theme)
    chart.show()
    image = chart.grab().toImage()  # paints, and records where each mark went
    return image


def _near(colour: QColor, hex_colour: str, tolerance: int = 6) -> bool:
    want = QColor(hex_colour)
    return all(
        abs(a - b) <= tolerance
        for a, b in zip(
            (colour.red(), colour.green(), colour.blue()),
            (want.red(), want.green(), want.blue()),
            strict=True,
        )
    )


def test_budget_blocks_are_as_wide_as_their_milliseconds_and_coloured(qtbot, rag, artifacts_dir):
    chart = BudgetChart()
    image = _shown(qtbot, chart, rag)
    image.save(str(artifacts_dir / "budget_chart_native.png"))
    spec = chart.spec
    areas = chart.hit_areas()
    assert len(areas) == len(spec.segments) + 1  # every block, then the naive bar
    ms_per_px = [
        seg.ms / rect.width() for (rect, _), seg in zip(areas[:-1], spec.segments, strict=True)
    ]
    assert max(ms_per_px) == pytest.approx(min(ms_per_px), rel=0.02)
    naive_rect = areas[-1][0]
    assert spec.naive_ms / naive_rect.width() == pytest.approx(ms_per_px[0], rel=0.02)
    ratio = image.devicePixelRatio()
    for (rect, tip), seg in zip(areas[:-1], spec.segments, strict=True):
        assert seg.name in tip
        if rect.width() < 4:
            continue
        x, y = rect.left() + 2, rect.top() + 3  # a corner: clear of the name drawn inside
        pixel = image.pixelColor(int(x * ratio), int(y * ratio))
        assert _near(pixel, LIGHT.stage_colour(seg.colour_index)), (seg.name, pixel.name())


def test_budget_sla_line_sits_at_the_target(qtbot, rag):
    chart = BudgetChart()
    image = _shown(qtbot, chart, rag)
    first = chart.hit_areas()[0][0]
    px_per_ms = first.width() / chart.spec.segments[0].ms
    sla_x = first.left() + chart.spec.target_ms * px_per_ms
    naive = chart.hit_areas()[-1][0]
    # down the dashed line, through the naive bar (no stage block is drawn above it there)
    column = [
        image.pixelColor(round(sla_x), int(y))
        for y in range(int(naive.top()) + 1, int(naive.bottom()) - 1)
    ]
    assert sum(_near(c, LIGHT.sla, 40) for c in column) >= len(column) // 3


def test_budget_hover_names_the_stage_and_its_share(qtbot, rag):
    chart = BudgetChart()
    _shown(qtbot, chart, rag)
    llm = next((rect, tip) for rect, tip in chart.hit_areas() if tip.startswith("LLM inference"))
    tip = chart.tooltip_at(llm[0].center())
    share = next(s.share for s in chart.spec.segments if s.name == "LLM inference")
    assert tip.startswith("LLM inference: ") and f"{share:.0%} of the p95" in tip
    assert chart.tooltip_at(QPointF(1, 1)) == ""
    assert "naive" in chart.tooltip_at(chart.hit_areas()[-1][0].center())


def test_budget_dark_theme_and_accessible_summary(qtbot, rag, artifacts_dir):
    chart = BudgetChart()
    image = _shown(qtbot, chart, rag, theme="dark")
    image.save(str(artifacts_dir / "budget_chart_native_dark.png"))
    assert _near(image.pixelColor(2, 2), DARK.background)
    assert chart.accessibleName() == "Latency budget chart"
    description = chart.accessibleDescription()
    assert "LLM inference" in description and chart.spec.composed_label in description


@pytest.mark.parametrize("size", [(330, 170), (2400, 900)])
def test_budget_paints_at_extreme_sizes(qtbot, rag, size):
    chart = BudgetChart()
    _shown(qtbot, chart, rag, size=size)
    for rect, _ in chart.hit_areas():
        assert rect.left() >= 0 and rect.right() <= size[0] + 1
        assert rect.top() >= 0 and rect.bottom() <= size[1] + 1


def test_budget_spec_numbers_are_all_in_the_table(rag):
    spec = budget_spec(rag)
    table = budget_table(rag)
    charted = {round(seg.ms, 6) for seg in spec.segments}
    tabled = {round(row[-1], 6) for row in table.rows if isinstance(row[-1], float)}
    assert charted <= tabled
    assert round(spec.naive_ms, 6) in tabled and round(spec.target_ms, 6) in tabled
    assert sum(seg.ms for seg in spec.segments) == pytest.approx(spec.composed_ms, rel=0.02)


@pytest.mark.parametrize(
    ("upper", "expected"),
    [(5280.0, [0, 1000, 2000, 3000, 4000, 5000]), (80.5, [0, 20, 40, 60, 80]), (0.0, [0])],
)
def test_nice_ticks(upper, expected):
    assert nice_ticks(upper) == pytest.approx(expected)


def test_a_stage_edit_in_the_window_redraws_the_budget_at_once(qtbot, tmp_path):
    from tests.test_ui_window import make_window, row_of, type_into_cell
    from tests.ui_helpers import copy_example, wait_analysis

    window = make_window(qtbot, tmp_path, copy_example(tmp_path))
    chart = window.workspace.budget.chart.canvas
    assert isinstance(chart, BudgetChart)
    chart.grab()

    def llm_part() -> float:
        """The LLM block's part of the composed bar, in pixels (the axis rescales)."""
        blocks = chart.hit_areas()[:-1]
        llm = next(r.width() for r, tip in blocks if tip.startswith("LLM inference"))
        return llm / sum(r.width() for r, _ in blocks)

    before = llm_part()
    window_before = window.workspace.analysis
    llm = row_of(window, "LLM inference")
    after = wait_analysis(
        qtbot, window, lambda: type_into_cell(qtbot, window, llm, "p50_ms", "400")
    )
    chart.grab()  # no worker thread to wait for: the chart follows the analysis directly
    assert chart.spec.composed_ms == pytest.approx(after.current.at_sla_percentile_ms)

    def share(analysis) -> float:
        return next(s.share for s in analysis.stages if s.name == "LLM inference")

    assert before == pytest.approx(share(window_before), abs=0.005)
    assert llm_part() == pytest.approx(share(after), abs=0.005)
    assert abs(share(after) - share(window_before)) > 0.02


def test_hover_tips_show_names_as_typed():
    from latency_advisor.ui.painted_chart import as_plain_tip

    tip = as_plain_tip("<b>calls</b> & co: 12 ms")
    assert "<b>" not in tip and "&lt;b&gt;calls&lt;/b&gt; &amp; co" in tip
    assert tip.startswith("<p")  # rich text on purpose, so the escaped name prints literally
