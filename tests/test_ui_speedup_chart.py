"""The Benchmarks tab's speedup chart: its core spec and the painted widget, pixels read back.

Real rows come from one short benchmark of the smallest MLP (baseline, INT8, threads); edge
cases (a loss, a CI holding 1×, no CI, one row, twelve rows) are rows written by hand.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QImage

from latency_advisor.bench import BenchSpec, run_bench
from latency_advisor.bench.results import fmt_ms
from latency_advisor.bench.speedup_spec import INTERIM, ci_bounds, speedup_spec
from latency_advisor.report.themes import DARK, LIGHT, Theme
from latency_advisor.ui.bench_chart import CHART_NAME, SpeedupChart
from tests.test_ui_painted_charts import _near

BASE = "fp32/threads=1/opt=all/batch=1"


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    """Result rows of a real, short run: the baseline, per-channel INT8 and more threads."""
    spec = BenchSpec("mlp-s", quick=True, budget_s=0.3, levers=["int8_per_channel", "threads"])
    return run_bench(spec).results


def row(variant: str, speedup: float, ci: list[float] | None, p50: float = 1.0) -> dict:
    """A hand-made result row (CONTRACTS.md §4) with consistent percentiles."""
    return {
        "variant": variant,
        "speedup_vs_baseline": speedup,
        "speedup_ci": ci,
        "p50_ms": p50,
        "p95_ms": p50 * 1.3,
        "p99_ms": p50 * 1.6,
    }


BASELINE = row(BASE, 1.0, [1.0, 1.0])
LOSS = row("fp32/threads=4/opt=all/batch=1", 0.6, [0.5, 0.7], p50=1.7)
HOLDS = row("fp32/threads=1/opt=basic/batch=1", 1.05, [0.9, 1.2])
NO_CI = row("int8-dynamic/threads=1/opt=all/batch=1", 1.8, None, p50=0.55)
GAIN = row("int8-dynamic-per-channel/threads=1/opt=all/batch=1", 2.0, [1.6, 2.4], p50=0.5)


def twelve() -> list[dict]:
    """A baseline and eleven variants, speedups spread over losses and gains."""
    out = [BASELINE]
    for i in range(1, 12):
        s = 0.4 + 0.25 * i
        out.append(row(f"fp32/threads={i + 1}/opt=all/batch=1", s, [s * 0.9, s * 1.1]))
    return out


def shown(qtbot, rows: list[dict], theme: str = "light", size=(900, 420)) -> tuple:
    chart = SpeedupChart()
    qtbot.addWidget(chart)
    chart.resize(*size)
    chart.show_rows(rows, theme)
    chart.show()
    image = chart.grab().toImage()  # paints, and records where each bar went
    return chart, image


def pixel(image: QImage, x: float, y: float) -> QColor:
    ratio = image.devicePixelRatio()
    return image.pixelColor(int(x * ratio), int(y * ratio))


def expected_verdict(r: dict, first: bool) -> str:
    if first:
        return "baseline"
    ci = ci_bounds(r)
    if ci is None:
        return "holds"
    return "gain" if ci[0] > 1 else "loss" if ci[1] < 1 else "holds"


def px_per_x(chart: SpeedupChart) -> float:
    """The chart's scale, from the baseline's bar (exactly 1×)."""
    rect = chart.hit_areas()[0][0]
    return rect.width() / chart.spec.bars[0].speedup


# ---------------------------------------------------------------------- the spec


def test_spec_of_real_rows_follows_the_rows(rows):
    spec = speedup_spec(rows)
    assert [b.variant for b in spec.bars] == [r["variant"] for r in rows]
    assert len(rows) >= 3
    base = rows[0]["variant"].split("/")
    for i, (bar, r) in enumerate(zip(spec.bars, rows, strict=True)):
        assert bar.speedup == r["speedup_vs_baseline"]
        assert bar.value_label == f"{r['speedup_vs_baseline']:.2f}×"
        assert bar.verdict == expected_verdict(r, i == 0)
        assert bar.low <= bar.speedup <= bar.high < spec.axis_max
        if r.get("speedup_ci"):
            assert (bar.low, bar.high) == (
                min(r["speedup_ci"][0], bar.speedup),
                max(r["speedup_ci"][1], bar.speedup),
            )
        if i:  # a variant is named by what differs from the baseline
            differs = [p for p in r["variant"].split("/") if p not in base]
            assert bar.label.split() == differs
        assert not bar.interim
        for key in ("p50_ms", "p95_ms", "p99_ms"):
            assert f"{fmt_ms(r[key])} ms" in bar.tip
    assert spec.bars[0].label == f"{base[0]} baseline"
    assert spec.ticks[0] == 0 and spec.ticks[-1] <= spec.axis_max
    assert {v for v, _ in spec.legend} == {b.verdict for b in spec.bars}
    assert all(b.label in spec.summary for b in spec.bars[1:])
    assert not spec.provisional


@pytest.mark.parametrize(
    ("case", "verdict", "fill"),
    [(LOSS, "loss", LIGHT.bad), (HOLDS, "holds", LIGHT.series[0]), (GAIN, "gain", LIGHT.good)],
)
def test_spec_verdict_and_colour_by_where_the_ci_lies(case, verdict, fill):
    bar = speedup_spec([BASELINE, case]).bars[1]
    assert bar.verdict == verdict
    assert bar.colour(LIGHT) == fill
    assert (bar.low, bar.high) == tuple(case["speedup_ci"])
    assert f"{case['speedup_ci'][0]:.2f}–{case['speedup_ci'][1]:.2f}×" in bar.tip


def test_spec_without_a_ci_has_no_whisker_and_claims_no_change():
    bar = speedup_spec([BASELINE, NO_CI]).bars[1]
    assert not bar.has_ci and bar.low == bar.high == NO_CI["speedup_vs_baseline"]
    assert bar.verdict == "holds"  # a point estimate alone is not a measured gain
    assert "no CI" in bar.tip


def test_spec_of_one_row_and_of_none():
    spec = speedup_spec([BASELINE])
    assert [b.verdict for b in spec.bars] == ["baseline"]
    assert spec.axis_max > spec.reference
    assert "0 variants" in spec.summary
    empty = speedup_spec([])
    assert empty.bars == () and "no benchmark results" in empty.summary


def test_spec_marks_interim_rows_provisional():
    spec = speedup_spec([BASELINE, GAIN | {INTERIM: True}])
    assert [b.interim for b in spec.bars] == [False, True]
    assert spec.provisional and "Still measuring" in spec.bars[1].tip
    assert "provisional" in spec.summary


def test_spec_of_twelve_rows_keeps_every_variant_apart():
    data = twelve()
    spec = speedup_spec(data)
    assert len(spec.bars) == 12
    assert len({b.label for b in spec.bars}) == 12
    assert spec.axis_max > max(r["speedup_ci"][1] for r in data)


# ---------------------------------------------------------------------- the widget


def test_bars_are_as_long_as_their_speedups_and_coloured(qtbot, rows, artifacts_dir):
    chart, image = shown(qtbot, rows)
    image.save(str(artifacts_dir / "speedup_chart.png"))
    areas = chart.hit_areas()
    assert len(areas) == len(rows)
    scale = px_per_x(chart)
    for (rect, tip), r, bar in zip(areas, rows, chart.spec.bars, strict=True):
        assert rect.left() == areas[0][0].left()
        assert rect.width() == pytest.approx(r["speedup_vs_baseline"] * scale, abs=0.5)
        assert tip.startswith(r["variant"])
        if rect.width() > 6:  # the bar's start, clear of the whisker and the 1× line
            colour = pixel(image, rect.left() + 3, rect.top() + 2)
            assert _near(colour, bar.colour(LIGHT)), (bar.variant, colour.name())
    tops = [rect.top() for rect, _ in areas]
    assert tops == sorted(tops)  # the baseline on top, in run order as in the table


def test_reference_line_at_one_and_whisker_at_the_ci(qtbot):
    chart, image = shown(qtbot, [BASELINE, LOSS, GAIN])
    base, loss, gain = (rect for rect, _ in chart.hit_areas())
    scale = px_per_x(chart)
    one_x = base.right()
    # the dashed 1× line crosses the gap between the loss bar and the gain bar below it
    column = [pixel(image, one_x, y) for y in range(int(loss.bottom()) + 2, int(gain.top()) - 1)]
    assert sum(_near(c, LIGHT.muted, 60) for c in column) >= len(column) // 3
    # the gain's whisker reaches past its bar up to the CI's top, and no further
    mid = gain.center().y()
    high_x = gain.left() + GAIN["speedup_ci"][1] * scale

    def inked(x: float) -> bool:
        return any(_near(pixel(image, x, mid + dy), LIGHT.foreground, 90) for dy in (-1, 0, 1))

    assert inked((gain.right() + high_x) / 2)
    assert not inked(high_x + 12)  # past the cap: empty until the value label
    assert chart.tooltip_at(loss.center()).startswith(LOSS["variant"])


def test_interim_bars_are_drawn_provisional(qtbot):
    interim = GAIN | {INTERIM: True}
    chart, image = shown(qtbot, [BASELINE, interim, LOSS])
    base, provisional, final = (rect for rect, _ in chart.hit_areas())

    def colours(rect: QRectF) -> set[str]:
        """The bar's fill: its upper part, left of the 1× line (clear of whisker and line)."""
        right = min(rect.right(), base.right()) - 3
        return {
            pixel(image, x, y).name()
            for x in range(int(rect.left()) + 3, int(right))
            for y in range(int(rect.top()) + 2, int(rect.center().y()) - 6)
        }

    assert colours(final) == {QColor(LIGHT.bad).name()}  # solid
    seen = colours(provisional)
    assert len(seen) > 1  # hatched
    lighter = [c for c in seen if QColor(c).lightness() > QColor(LIGHT.good).lightness()]
    assert lighter  # a light fill under the hatching
    assert "Still measuring" in chart.tooltip_at(provisional.center())


def test_hover_names_the_variant_with_percentiles_and_ci(qtbot, rows):
    chart, _ = shown(qtbot, rows)
    for (rect, _), r in zip(chart.hit_areas(), rows, strict=True):
        tip = chart.tooltip_at(rect.center())
        assert r["variant"] in tip
        for key in ("p50_ms", "p95_ms", "p99_ms"):
            assert f"{key[:3]} {fmt_ms(r[key])} ms" in tip
        ci = ci_bounds(r)
        if ci is not None:
            assert f"{ci[0]:.2f}–{ci[1]:.2f}×" in tip
    assert chart.tooltip_at(QPointF(1, 1)) == ""


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=lambda t: t.name)
def test_theme_background_and_accessible_words(qtbot, rows, theme: Theme, artifacts_dir):
    chart, image = shown(qtbot, rows, theme=theme.name)
    image.save(str(artifacts_dir / f"speedup_chart_{theme.name}.png"))
    assert _near(pixel(image, 2, 2), theme.background)
    assert chart.accessibleName() == CHART_NAME
    description = chart.accessibleDescription()
    assert description.startswith(speedup_spec(rows).summary)
    for bar in chart.spec.bars[1:]:
        assert f"{bar.label}: {bar.speedup:.2f} times" in description


@pytest.mark.parametrize("size", [(320, 170), (2400, 900)])
def test_twelve_bars_stay_inside_the_widget_at_any_size(qtbot, size):
    chart, image = shown(qtbot, twelve(), size=size)
    areas = [rect for rect, _ in chart.hit_areas()]
    assert len(areas) == 12
    for rect in areas:
        assert rect.left() >= 0 and rect.right() <= size[0] + 1
        assert rect.top() >= 0 and rect.bottom() <= size[1] + 1
    for upper, lower in itertools.pairwise(areas):
        assert upper.bottom() <= lower.top()  # no two bars overlap
    # long labels are elided: nothing is drawn over the left margin
    margin = {pixel(image, x, y).name() for x in range(2) for y in range(size[1])}
    assert margin == {QColor(LIGHT.background).name()}


def test_no_rows_shows_a_placeholder_and_no_bars(qtbot):
    chart, _ = shown(qtbot, [])
    assert chart.hit_areas() == []
    assert "no benchmark results" in chart.accessibleDescription()
    chart.show_rows([BASELINE, GAIN], "light")
    chart.grab()
    assert len(chart.hit_areas()) == 2


def test_the_benchmarks_tab_never_imports_matplotlib():
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from latency_advisor.ui.bench_view import BenchView\n"
        "view = BenchView()\n"
        f"view.chart.show_rows([{BASELINE!r}, {GAIN!r}])\n"
        "view.chart.grab()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))\n"
    )
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
