"""The natively painted options chart: real widgets, real analyses, pixels read back."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QImage

from latency_advisor.analysis import Analysis
from latency_advisor.report import charts
from latency_advisor.report.options_spec import OptionsSpec, options_spec
from latency_advisor.report.tables import RISK_ORDER, options_table
from latency_advisor.report.themes import DARK, LIGHT, Theme
from latency_advisor.ui.options_chart import R_RING, OptionsChart
from tests.report_samples import plain_analysis, with_plan_and_options


@pytest.fixture(scope="module")
def rag() -> Analysis:
    """The bundled RAG example, with the rule engine's own options (one with streaming)."""
    return plain_analysis("rag_assistant")


@pytest.fixture(scope="module")
def mixed() -> Analysis:
    """Three options on the Pareto front (one streamed) and a fourth that one of them beats."""
    a = with_plan_and_options(plain_analysis())
    second = a.options[1]
    worse = second.model_copy(
        update={
            "name": "Slower and more work",
            "projected_ms": second.projected_ms + 50,
            "effort_days": (20.0, 40.0),
        }
    )
    a.options.append(worse)
    return a


def _shown(qtbot, analysis, theme="light", size=(900, 420)) -> tuple[OptionsChart, QImage]:
    chart = OptionsChart()
    qtbot.addWidget(chart)
    chart.resize(*size)
    chart.show_analysis(analysis, theme)
    chart.show()
    return chart, chart.grab().toImage()  # paints, and records where each mark went


def _near(colour: QColor, hex_colour: str, tolerance: int = 6) -> bool:
    want = QColor(hex_colour)
    got = (colour.red(), colour.green(), colour.blue())
    return all(
        abs(a - b) <= tolerance
        for a, b in zip(got, (want.red(), want.green(), want.blue()), strict=True)
    )


def _pixel(image: QImage, x: float, y: float) -> QColor:
    ratio = image.devicePixelRatio()
    return image.pixelColor(int(x * ratio), int(y * ratio))


def _ringed(image: QImage, centre: QPointF, theme: Theme) -> bool:
    """Whether a ring crosses the bottom of a point (in the foreground colour, antialiased)."""
    below = [_pixel(image, centre.x(), centre.y() + R_RING + dy) for dy in (-1, 0, 1)]
    return any(_near(c, theme.foreground, 100) for c in below)


def _marks(chart: OptionsChart) -> dict[str, list[QRectF]]:
    """The hit areas by kind, in the order the chart documents (bars, perceived, points)."""
    spec = chart.spec
    n, streamed = len(spec.points), sum(p.perceived_ms is not None for p in spec.points)
    areas = [rect for rect, _ in chart.hit_areas()]
    assert len(areas) == 3 * n + 2 * streamed
    return {
        "bars": areas[:n],
        "perceived": areas[n : n + 2 * streamed],
        "risk": areas[-2 * n : -n],
        "effort": areas[-n:],
    }


def _axis(spec: OptionsSpec, values: list[float]) -> list[float]:
    """Values as the latency axis spaces them: logarithms on a log axis."""
    return [math.log(v) for v in values] if spec.log_scale else list(values)


def _assert_linear(values: list[float], pixels: list[float], tolerance: float = 0.6) -> float:
    """Pixels are a straight-line function of values; returns pixels per unit."""
    lo, hi = values.index(min(values)), values.index(max(values))
    scale = (pixels[hi] - pixels[lo]) / (values[hi] - values[lo])
    for value, pixel in zip(values, pixels, strict=True):
        assert pixel == pytest.approx(pixels[lo] + (value - values[lo]) * scale, abs=tolerance)
    return scale


def test_points_sit_at_their_latency_risk_and_effort(qtbot, rag, artifacts_dir):
    chart, image = _shown(qtbot, rag)
    image.save(str(artifacts_dir / "options_chart_native.png"))
    spec = chart.spec
    marks = _marks(chart)
    projected = [p.projected_ms for p in spec.points]
    risk_y = [r.center().y() for r in marks["risk"]]
    effort_y = [r.center().y() for r in marks["effort"]]
    axis = _axis(spec, projected)
    scale = _assert_linear(axis, risk_y)
    assert scale < 0  # up the screen as latency grows
    assert effort_y == pytest.approx(risk_y)  # the panels share the latency axis
    # proportional, not just linear: the axis's lowest value is on the axis line
    bottom = math.log(spec.value_min_ms) if spec.log_scale else 0.0
    zero = risk_y[0] - (axis[0] - bottom) * scale
    x = marks["risk"][0].center().x()
    assert any(_near(_pixel(image, x, zero + dy), LIGHT.muted, 60) for dy in (-1, 0, 1))
    assert (
        _assert_linear([p.risk_x for p in spec.points], [r.center().x() for r in marks["risk"]]) > 0
    )
    mids = [p.effort_mid_days for p in spec.points]
    per_day = _assert_linear(mids, [r.center().x() for r in marks["effort"]])
    for bar, point, p in zip(marks["bars"], marks["effort"], spec.points, strict=True):
        assert bar.center().y() == pytest.approx(point.center().y())
        low, high = p.effort_days
        assert bar.width() == pytest.approx((high - low) * per_day, abs=1.0)
        assert bar.left() == pytest.approx(
            point.center().x() - (p.effort_mid_days - low) * per_day, abs=0.6
        )


def test_points_are_coloured_and_the_pareto_front_ringed(qtbot, mixed, artifacts_dir):
    chart, image = _shown(qtbot, mixed)
    image.save(str(artifacts_dir / "options_chart_native_mixed.png"))
    spec = chart.spec
    assert [p.pareto for p in spec.points] == [True, True, True, False]
    marks = _marks(chart)
    for panel in ("risk", "effort"):
        for rect, p in zip(marks[panel], spec.points, strict=True):
            centre = rect.center()
            assert _near(_pixel(image, centre.x(), centre.y()), LIGHT.stage_colour(p.colour_index))
            assert _ringed(image, centre, LIGHT) == p.pareto, (panel, p.name)


def test_perceived_latency_is_a_hollow_point_on_a_stem(qtbot, mixed):
    chart, image = _shown(qtbot, mixed)
    spec = chart.spec
    marks = _marks(chart)
    streamed = [p for p in spec.points if p.perceived_ms is not None]
    assert len(streamed) == 1 and len(marks["perceived"]) == 2
    p = streamed[0]
    k = spec.points.index(p)
    scale = _assert_linear(
        _axis(spec, [q.projected_ms for q in spec.points]), [r.center().y() for r in marks["risk"]]
    )
    (perceived, projected) = _axis(spec, [p.perceived_ms, p.projected_ms])
    for seen, point in zip(marks["perceived"], (marks["risk"][k], marks["effort"][k]), strict=True):
        assert seen.center().x() == pytest.approx(point.center().x())
        want = point.center().y() + (perceived - projected) * scale
        assert seen.center().y() == pytest.approx(want, abs=0.6)
        # hollow: the background inside, the option's colour on the stem half-way up
        assert _near(_pixel(image, seen.center().x(), seen.center().y()), LIGHT.background, 30)
        middle = (seen.center().y() + point.center().y()) / 2
        stem = [_pixel(image, seen.center().x() + dx, middle) for dx in (-1, 0, 1)]
        assert any(_near(c, LIGHT.stage_colour(p.colour_index), 60) for c in stem)


def test_sla_line_crosses_both_panels_at_the_target(qtbot, rag):
    chart, image = _shown(qtbot, rag)
    spec = chart.spec
    marks = _marks(chart)
    projected = [p.projected_ms for p in spec.points]
    risk_y = [r.center().y() for r in marks["risk"]]
    scale = _assert_linear(_axis(spec, projected), risk_y)
    target, first = _axis(spec, [spec.target_ms, projected[0]])
    sla_y = risk_y[0] + (target - first) * scale
    for left, right in ((0, chart.width() // 2), (chart.width() // 2, chart.width())):
        red = max(
            sum(_near(_pixel(image, x, sla_y + dy), LIGHT.sla, 60) for x in range(left, right))
            for dy in (-1, 0, 1)
        )
        assert red >= (right - left) // 4, (left, red)


def test_hover_gives_the_options_numbers_as_the_table_prints_them(qtbot, rag):
    chart, _ = _shown(qtbot, rag)
    spec = chart.spec
    table = options_table(rag)
    marks = _marks(chart)
    for rect, p, row in zip(marks["risk"], spec.points, table.text_rows(), strict=True):
        tip = chart.tooltip_at(rect.center())
        name, projected, perceived, _meets, risk, cost, effort, front, *_money = row
        lines = tip.split("\n")
        assert lines[0] == f"{p.number}. {name}"
        assert f"{projected} ms" in lines[1]
        assert ("meets" if p.meets_sla else "misses") in lines[1]
        assert (f"Perceived (streaming): {perceived} ms" in lines) == (p.perceived_ms is not None)
        assert f"Accuracy risk: {risk}" in lines and f"Effort: {effort} engineer-days" in lines
        assert any(line.startswith(f"Running cost: {cost}") for line in lines)
        assert lines[-1].startswith(f"Pareto front: {front},")
    # the effort bar answers too, where no point covers it
    marked = marks["bars"] + marks["perceived"] + marks["risk"] + marks["effort"]
    ends = [QPointF(bar.right() - 1, bar.center().y()) for bar in marks["bars"]]
    clear = [
        (end, p)
        for end, p in zip(ends, spec.points, strict=True)
        if sum(r.contains(end) for r in marked) == 1
    ]
    assert clear
    for end, p in clear:
        assert chart.tooltip_at(end) == "\n".join(p.details)
    assert chart.tooltip_at(QPointF(1, 1)) == ""


def test_legend_shows_every_option_and_gives_way_when_small(qtbot, mixed):
    def legend_colours(size) -> set[int]:
        chart, image = _shown(qtbot, mixed, size=size)
        below = max(rect.bottom() for rect, _ in chart.hit_areas()) + 2
        ratio = image.devicePixelRatio()
        found = set()
        for y in range(int(below * ratio), image.height()):
            for x in range(0, image.width(), 2):
                for p in chart.spec.points:
                    if _near(image.pixelColor(x, y), LIGHT.stage_colour(p.colour_index), 4):
                        found.add(p.colour_index)
        return found

    every = {p.colour_index for p in options_spec(mixed).points}
    assert legend_colours((900, 420)) == every
    assert legend_colours((330, 170)) == set()  # a one-line hint instead of a squeezed plot


def test_dark_theme_and_accessible_summary(qtbot, rag, artifacts_dir):
    chart, image = _shown(qtbot, rag, theme="dark")
    image.save(str(artifacts_dir / "options_chart_native_dark.png"))
    assert _near(image.pixelColor(2, 2), DARK.background)
    rect = _marks(chart)["risk"][0]
    assert chart.spec.points[0].pareto and _ringed(image, rect.center(), DARK)
    assert chart.accessibleName() == "Options for a decision maker chart"
    description = chart.accessibleDescription()
    fastest = min(rag.options, key=lambda o: o.projected_ms)
    assert chart.spec.title in description and fastest.name in description


@pytest.mark.parametrize("size", [(330, 170), (500, 300), (2400, 900)])
@pytest.mark.parametrize("name", ["rag_assistant", "video_analytics", "batch_scoring"])
def test_paints_inside_the_widget_at_any_size(qtbot, name, size):
    chart, _ = _shown(qtbot, plain_analysis(name), size=size)
    assert chart.hit_areas()
    for rect, _ in chart.hit_areas():
        assert rect.left() >= 0 and rect.right() <= size[0] + 1
        assert rect.top() >= 0 and rect.bottom() <= size[1] + 1


def test_no_options_says_why_and_still_draws_the_sla(qtbot):
    a = plain_analysis("rag_assistant", advice=False)
    assert not a.options and not a.meets_sla
    chart, image = _shown(qtbot, a)
    spec = chart.spec
    assert spec.points == () and chart.hit_areas() == []
    assert spec.empty_message == "No options listed yet."
    assert spec.summary == f"{spec.title}. {spec.empty_message}"
    # the message: rows in the upper plot with many muted pixels (axis lines give one or two)
    muted = max(
        sum(_near(image.pixelColor(x, y), LIGHT.muted, 40) for x in range(image.width()))
        for y in range(image.height() // 4, image.height() // 2)
    )
    sla = sum(
        _near(image.pixelColor(x, y), LIGHT.sla, 40)
        for x in range(0, image.width(), 2)
        for y in range(image.height())
    )
    assert muted > 20 and sla > 100
    meeting = options_spec(plain_analysis("batch_scoring", advice=False))
    assert meeting.empty_message == "No options: the path meets its SLA."


def _check_spec(spec: OptionsSpec, a: Analysis) -> None:
    rows = options_table(a).rows
    assert [p.name for p in spec.points] == [row[0] for row in rows]
    for p, row in zip(spec.points, rows, strict=True):
        assert (p.projected_ms, p.perceived_ms, p.meets_sla, p.pareto) == (
            row[1],
            row[2],
            row[3],
            row[7],
        )
        assert p.accuracy_risk == row[4] and p.cost == row[5]
        assert f"{p.effort_days[0]:g}–{p.effort_days[1]:g}" == row[6]
        assert round(p.risk_x) == RISK_ORDER.index(p.accuracy_risk)
        assert p.effort_days[0] <= p.effort_mid_days <= p.effort_days[1]
        assert p.projected_ms <= spec.value_max_ms and p.effort_days[1] <= spec.effort_max_days
    assert spec.target_ms == a.sla.target_ms <= spec.value_max_ms
    for risk in RISK_ORDER:  # points sharing a category are fanned out, none on another
        xs = [p.risk_x for p in spec.points if p.accuracy_risk == risk]
        assert len(set(xs)) == len(xs)


@pytest.mark.parametrize("name", ["rag_assistant", "bert_intent", "video_analytics"])
def test_spec_numbers_are_all_in_the_table(name):
    a = plain_analysis(name)
    _check_spec(options_spec(a), a)


def test_the_pdf_chart_draws_the_same_spec(mixed):
    spec = options_spec(mixed)
    fig = charts.options_chart(mixed)
    risk_ax, effort_ax = fig.axes
    assert fig.get_label() == spec.title
    assert risk_ax.get_ylim() == pytest.approx((spec.value_min_ms, spec.value_max_ms))
    assert risk_ax.get_yscale() == ("log" if spec.log_scale else "linear")
    assert effort_ax.get_xlim() == pytest.approx((0, spec.effort_max_days))
    assert [t.get_text() for t in risk_ax.get_xticklabels()] == list(spec.categories)
    assert (risk_ax.get_xlabel(), effort_ax.get_xlabel()) == (spec.risk_label, spec.effort_label)
    assert risk_ax.get_ylabel() == spec.value_label
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == [p.label for p in spec.points] + [spec.pareto_label, spec.perceived_label]
    texts = {t.get_text() for t in risk_ax.texts}
    assert {str(p.number) for p in spec.points} <= texts
    right = [t.get_text() for ax in effort_ax.child_axes for t in ax.get_yticklabels()]
    assert right == [spec.sla_label]  # beside its line, over no point


def test_a_stage_edit_in_the_window_moves_the_options_at_once(qtbot, tmp_path):
    from tests.test_ui_window import make_window, row_of, type_into_cell
    from tests.ui_helpers import copy_example, wait_analysis

    window = make_window(qtbot, tmp_path, copy_example(tmp_path))
    assert window.workspace.show_tab("options")
    chart = window.workspace.options.chart.canvas
    assert isinstance(chart, OptionsChart)
    chart.grab()

    def heights() -> list[float]:
        return [rect.center().y() for rect in _marks(chart)["risk"]]

    before = heights()
    llm = row_of(window, "LLM inference")
    after = wait_analysis(
        qtbot, window, lambda: type_into_cell(qtbot, window, llm, "p50_ms", "400")
    )
    chart.grab()  # no worker thread to wait for: the chart follows the analysis directly
    assert chart.spec == options_spec(after)
    moved = heights()
    _assert_linear(_axis(chart.spec, [o.projected_ms for o in after.options]), moved)
    assert moved != pytest.approx(before, abs=1.0)


def test_options_near_the_target_stay_apart_on_a_log_axis():
    """A path 8× over its target: options from just under the target to today's latency. On a
    linear axis the ones near the target share the bottom strip; on the log axis the target's
    neighbourhood gets a fair share of the height."""
    from latency_advisor.report.options_spec import LOG_SPREAD

    spec = options_spec(plain_analysis("rag_assistant"))
    values = [spec.target_ms, *(p.projected_ms for p in spec.points)]
    assert max(values) / min(values) >= LOG_SPREAD and spec.log_scale
    under, over = spec.target_ms * 0.9, spec.target_ms * 1.2
    assert spec.value_fraction(over) - spec.value_fraction(under) > 0.08


@pytest.mark.parametrize("count", range(1, 9))
def test_the_latency_axis_holds_one_to_eight_options(count):
    """Every option and the target inside the axis, in order, with ticks inside it."""
    from dataclasses import replace

    from latency_advisor.report.options_spec import _value_axis

    base = options_spec(plain_analysis("rag_assistant"))
    values = [500.0 * 1.6**i for i in range(count)]
    spec = replace(base, **_value_axis([500.0, *values]))
    fractions = [spec.value_fraction(v) for v in sorted([500.0, *values])]
    assert all(0 < f < 1 for f in fractions) and fractions == sorted(fractions)
    ticks = spec.log_ticks() if spec.log_scale else []
    assert all(spec.value_min_ms <= t <= spec.value_max_ms for t in ticks)
    assert spec.log_scale == (max(values) / 500.0 >= 4.0)


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize("name", ["rag_assistant", "bert_intent", "recommender", "fraud_score"])
def test_pdf_numbers_cover_no_marker_and_no_other_number(name):
    """The issue's "1 4 5" and "23": each number placed clear of every point and ring, and of
    the other numbers; a number with no free spot is left to the legend, never overlapped."""
    from matplotlib.transforms import Bbox

    a = plain_analysis(name)
    fig = charts.options_chart(a)
    fig.draw_without_rendering()
    for ax in fig.axes[:2]:
        numbers = [t.get_window_extent() for t in ax.texts if t.get_text().isdigit()]
        markers = []
        for collection in ax.collections:
            radius = (max(collection.get_sizes(), default=0) ** 0.5) / 2 * fig.dpi / 72
            for x, y in collection.get_offset_transform().transform(collection.get_offsets()):
                markers.append(Bbox.from_extents(x - radius, y - radius, x + radius, y + radius))
        for i, box in enumerate(numbers):
            assert not any(_overlap(box, m) for m in markers), (name, i)
            assert not any(_overlap(box, other) for other in numbers[i + 1 :]), (name, i)
        assert len(numbers) >= len(options_spec(a).points) // 2  # most points keep a number


def test_app_numbers_cover_no_point_and_no_other_number(qtbot, rag):
    chart, _ = _shown(qtbot, rag)
    marks = _marks(chart)
    boxes = [b for b in chart.number_boxes if b is not None]
    assert len(chart.number_boxes) == 2 * len(chart.spec.points) and boxes
    points = [r.adjusted(4, 4, -4, -4) for r in marks["risk"] + marks["effort"]]  # the dots
    for i, box in enumerate(boxes):
        assert not any(box.intersects(p) for p in points), i
        assert not any(box.intersects(other) for other in boxes[i + 1 :]), i
