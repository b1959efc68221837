"""The natively painted plan waterfall: real widgets, real analyses, pixels read back."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QImage

from latency_advisor.analysis import Analysis, analyze
from latency_advisor.report import charts
from latency_advisor.report.plan_spec import PlanBar, ms_text, plan_spec
from latency_advisor.report.tables import plan_table
from latency_advisor.report.themes import DARK, LIGHT
from latency_advisor.scenario import load_scenario
from latency_advisor.ui.plan_chart import PlanChart
from tests.conftest import EXAMPLES
from tests.test_ui_painted_charts import _near


def _analysis(name: str, *, advice: bool = True, target_ms: float | None = None) -> Analysis:
    scenario = load_scenario(EXAMPLES / f"{name}.yaml")
    if target_ms is not None:
        scenario.sla.target_ms = target_ms
    return analyze(scenario, advice=advice)


@pytest.fixture(scope="module")
def rag() -> Analysis:
    """16 steps: more than the PDF names, so the app numbers them at a common size (the RAG
    example as it was before it gave its GPU: a plan that meets the target)."""
    data = Path(__file__).parent / "data" / "rag_assistant_v1.yaml"
    return analyze(load_scenario(data))


@pytest.fixture(scope="module")
def video() -> Analysis:
    """An unbounded queue today; the first step restores a steady state."""
    return _analysis("video_analytics")


def _shown(qtbot, analysis, theme: str = "light", size=(900, 420)) -> tuple[PlanChart, QImage]:
    chart = PlanChart()
    qtbot.addWidget(chart)
    chart.resize(*size)
    chart.show_analysis(analysis, theme)
    chart.show()
    return chart, chart.grab().toImage()  # paints, and records where each mark went


def _bars(chart: PlanChart) -> list[tuple[QRectF, PlanBar]]:
    """Each bar's hover area with its bar (the names under the bars come after them)."""
    bars = chart.spec.bars
    return [(rect, bar) for (rect, _), bar in zip(chart.hit_areas(), bars, strict=False)]


def _pixel(image: QImage, x: float, y: float) -> QColor:
    ratio = image.devicePixelRatio()
    return image.pixelColor(int(x * ratio), int(y * ratio))


def _filled(image: QImage, rect: QRectF, hex_colour: str) -> bool:
    """Most of the bar is `hex_colour` (lines and labels may cross it: SLA, connectors)."""
    inner = rect.adjusted(2, 2, -2, -2)
    points = [
        _pixel(image, inner.left() + inner.width() * i / 4, inner.top() + inner.height() * j / 6)
        for i in range(5)
        for j in range(7)
    ]
    return sum(_near(c, hex_colour) for c in points) >= 0.6 * len(points)


def _px_per_ms(chart: PlanChart) -> float:
    today_rect, today = _bars(chart)[0]
    return today_rect.height() / today.projected_ms


def _with_steps(analysis: Analysis, projected: dict[int, float]) -> Analysis:
    """The analysis with some steps' projected figures changed, as a different plan would."""
    a = analysis.model_copy(deep=True)
    for index, value in projected.items():
        a.plan[index].projected_ms = value
    return a


def test_bars_float_from_the_level_before_and_are_coloured_by_their_effect(qtbot, video):
    chart, image = _shown(qtbot, video)
    scale = _px_per_ms(chart)
    bottom = _bars(chart)[0][0].bottom()
    projected = [video.current.at_sla_percentile_ms, *(s.projected_ms for s in video.plan)]
    assert len(chart.hit_areas()) == 2 * len(chart.spec.bars)  # bars, then their names
    for i, ((rect, bar), (before, after)) in enumerate(
        zip(_bars(chart)[1:-1], itertools.pairwise(projected), strict=True)
    ):
        assert bar.kind == "step" and bar.projected_ms == after
        restores = i == 0 and not video.current.steady_state  # hatched grey: next test
        if abs(before - after) * scale > 6 and not restores:  # tiny: its hover area is padded
            assert rect.top() == pytest.approx(bottom - max(before, after) * scale, abs=1.0)
            assert rect.bottom() == pytest.approx(bottom - min(before, after) * scale, abs=1.0)
            assert _filled(image, rect, LIGHT.good if after <= before else LIGHT.bad), bar.name
    after_rect, after_bar = _bars(chart)[-1]
    assert after_bar.kind == "after" and after_rect.height() == pytest.approx(
        video.plan[-1].projected_ms * scale, abs=1.0
    )
    meets = video.plan[-1].projected_ms <= video.sla.target_ms
    colour = LIGHT.stage_colour(0)  # a level, not a saving: never the steps' green
    assert colour != LIGHT.good and meets in (True, False)
    assert _filled(image, after_rect, colour)


def test_a_step_that_restores_a_steady_state_is_hatched_grey_and_a_loss_red(qtbot, video):
    today = video.current.at_sla_percentile_ms
    # the queue-free figure was a lower bound: restoring a steady state may raise it a lot
    a = _with_steps(video, {0: today * 1.4, 1: today * 1.6})
    chart, image = _shown(qtbot, a)
    (restore_rect, restore), (loss_rect, loss) = _bars(chart)[1:3]
    assert restore.hatched and "restores a steady state" in restore.tip.lower()
    assert f"Costs {ms_text(a.plan[1].projected_ms - a.plan[0].projected_ms)}" in loss.tip
    row = [
        _pixel(image, x, restore_rect.center().y())
        for x in range(int(restore_rect.left()) + 1, int(restore_rect.right()) - 1)
    ]
    assert any(_near(c, LIGHT.wait) for c in row) and any(_near(c, LIGHT.background) for c in row)
    assert _filled(image, loss_rect, LIGHT.bad)
    assert chart.spec.bars[0].value_label.startswith("≥ ")  # today is a lower bound


def test_the_sla_line_sits_at_the_target(qtbot, video):
    chart, image = _shown(qtbot, video)
    sla_y = _bars(chart)[0][0].bottom() - video.sla.target_ms * _px_per_ms(chart)
    after = _bars(chart)[-1][0]
    # along the line, right of the last bar, where nothing else is drawn
    xs = range(int(after.right()) + 2, chart.width() - 10)
    on_line = sum(
        any(_near(_pixel(image, x, y), LIGHT.sla, 40) for y in (sla_y - 1, sla_y, sla_y + 1))
        for x in xs
    )
    assert len(xs) >= 6 and on_line >= len(xs) // 3


def test_hover_names_the_step_its_saving_and_the_projected_figure(qtbot, video):
    chart, _ = _shown(qtbot, video)
    rows = plan_table(video).rows
    for (rect, bar), row in zip(_bars(chart)[1:-1], rows[1:], strict=True):
        tip = chart.tooltip_at(rect.center())
        number, title, saving, projected, meets = row
        assert tip.startswith(f"{number}. {title}\n")
        assert ms_text(projected) in tip and ("meets" in tip) == meets
        if not bar.hatched:
            assert ms_text(abs(saving)) in tip
        name_area = chart.hit_areas()[len(chart.spec.bars) + bar.number][0]
        assert chart.tooltip_at(name_area.center()) == tip  # the name under the bar too
    assert chart.tooltip_at(QPointF(1, 1)) == ""


def test_names_wrap_under_the_bars_until_the_slots_get_narrow(qtbot, video, rag):
    roomy, _ = _shown(qtbot, video)
    assert roomy.key_entries == []
    for analysis, width in ((rag, 560), (video, 420)):
        crowded, _ = _shown(qtbot, analysis, size=(width, 420))
        steps = crowded.spec.steps
        assert len(crowded.key_entries) == len(steps)
        for entry, bar in zip(crowded.key_entries, steps, strict=True):
            number, _, text = entry.partition("  ")
            assert number == str(bar.number) and bar.name.startswith(text.rstrip("…"))


def test_dark_theme_and_accessible_summary(qtbot, rag, artifacts_dir):
    chart, image = _shown(qtbot, rag, theme="dark")
    image.save(str(artifacts_dir / "plan_chart_native_dark.png"))
    assert _near(image.pixelColor(2, 2), DARK.background)
    today_rect = _bars(chart)[0][0]
    assert _filled(image, today_rect, DARK.naive)
    assert chart.accessibleName() == "Plan chart"
    description = chart.accessibleDescription()
    first = next(s for s in chart.spec.steps if s.value_label.endswith("✓"))
    assert chart.spec.title in description and first.name in description


@pytest.mark.parametrize("size", [(330, 170), (2400, 900)])
@pytest.mark.parametrize("name", ["rag_assistant", "video_analytics"])
def test_paints_at_extreme_sizes(qtbot, name, size, artifacts_dir):
    chart, image = _shown(qtbot, _analysis(name), size=size)
    image.save(str(artifacts_dir / f"plan_chart_native_{name}_{size[0]}.png"))
    for rect, _ in chart.hit_areas():
        assert rect.left() >= 0 and rect.right() <= size[0] + 1
        assert rect.top() >= 0 and rect.bottom() <= size[1] + 1


@pytest.mark.parametrize(
    ("target_ms", "message"),
    [(None, "No fixes found for this path yet."), (1e6, "The path meets its SLA: nothing to fix.")],
)
def test_without_a_plan_today_stands_alone_with_the_reason(qtbot, target_ms, message):
    analysis = _analysis("recommender", advice=False, target_ms=target_ms)
    chart, image = _shown(qtbot, analysis)
    assert chart.spec.message == message and [b.kind for b in chart.spec.bars] == ["today"]
    assert len(chart.hit_areas()) == 2
    assert message in chart.accessibleDescription()
    # the message is drawn right of today's bar, clear of it
    today = _bars(chart)[0][0]
    muted = [
        _pixel(image, x, y)
        for x in range(int(today.right()) + 4, chart.width() - 8, 2)
        for y in range(int(chart.height() * 0.2), int(chart.height() * 0.8), 2)
    ]
    assert any(_near(c, LIGHT.muted, 60) for c in muted)


def test_every_charted_number_is_in_the_table(rag, video):
    for analysis in (rag, video):
        spec = plan_spec(analysis)
        rows = plan_table(analysis).rows
        assert spec.bars[0].projected_ms == rows[0][3]
        for bar, row in zip(spec.steps, rows[1:], strict=True):
            assert (bar.number, bar.name, bar.saving_ms, bar.projected_ms) == row[:4]
            assert bar.value_label.endswith("✓") == row[4]
        assert spec.bars[-1].projected_ms == rows[-1][3]


def test_the_pdf_chart_draws_the_same_spec(rag, video):
    for analysis in (rag, video):
        spec = plan_spec(analysis)
        fig = charts.plan_waterfall(analysis)
        ax = fig.axes[0]
        assert fig.get_label() == spec.title
        texts = [t.get_text() for t in ax.texts]
        assert [b.value_label for b in spec.bars] == texts[: len(spec.bars)]
        right = [t.get_text() for child in ax.child_axes for t in child.get_yticklabels()]
        assert right == [spec.sla_label]  # on the right edge, never over the Today bar
        ticks = [t.get_text() for t in ax.get_xticklabels()]
        assert ticks[0].split("\n")[0] == "Today" and ticks[-1] == "After plan"
        if spec.numbered:
            assert ticks[1:-1] == [str(b.number) for b in spec.steps]
        assert ax.get_ylim()[1] == pytest.approx(spec.axis_max_ms)


def test_a_stage_edit_in_the_window_redraws_the_plan_at_once(qtbot, tmp_path):
    from tests.test_ui_window import make_window, row_of, type_into_cell
    from tests.ui_helpers import copy_example, wait_analysis

    window = make_window(qtbot, tmp_path, copy_example(tmp_path))
    assert window.workspace.show_tab("plan")
    chart = window.workspace.plan.chart.canvas
    assert isinstance(chart, PlanChart)
    chart.grab()
    today_tip = chart.tooltip_at(_bars(chart)[0][0].center())
    llm = row_of(window, "LLM inference")
    after = wait_analysis(
        qtbot, window, lambda: type_into_cell(qtbot, window, llm, "p50_ms", "400")
    )
    chart.grab()  # no worker thread to wait for: the chart follows the analysis directly
    today = after.current.at_sla_percentile_ms
    assert chart.spec.today_ms == pytest.approx(today)
    new_tip = chart.tooltip_at(_bars(chart)[0][0].center())
    assert ms_text(today) in new_tip and new_tip != today_tip
    scale = _px_per_ms(chart)
    levels = [today, *(s.projected_ms for s in after.plan)]
    for (rect, _), (before, now) in zip(
        _bars(chart)[1:-1], itertools.pairwise(levels), strict=True
    ):
        assert rect.height() == pytest.approx(max(abs(before - now) * scale, 6.0), abs=1.0)
