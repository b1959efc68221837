"""The shared charts: real Figures from real analyses, both themes, every number in a table."""

from __future__ import annotations

import io
import itertools
import subprocess
import sys

import pytest
from matplotlib.figure import Figure

from latency_advisor.analysis import analyze
from latency_advisor.report import charts
from latency_advisor.report.tables import pareto_front
from latency_advisor.report.themes import DARK, LIGHT
from latency_advisor.scenario import load_scenario
from tests.report_samples import EXAMPLES, plain_analysis, with_plan_and_options


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=60)
    return buf.getvalue()


@pytest.mark.parametrize("name", sorted(charts.CHARTS))
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_chart_draws_with_a_title_and_a_table(name, theme, artifacts_dir):
    chart, table = charts.CHARTS[name]
    for analysis in (plain_analysis(), with_plan_and_options(plain_analysis())):
        fig = chart(analysis, theme)
        assert isinstance(fig, Figure)
        assert fig.get_label()
        expected = (LIGHT if theme == "light" else DARK).background.lower()
        assert fig.get_facecolor()[:3] == pytest.approx(_rgb(expected))
        assert _png(fig).startswith(b"\x89PNG")
        assert table(analysis).columns
    fig.savefig(artifacts_dir / f"chart_{name}_{theme}.png", dpi=100)


def _rgb(hex_colour: str) -> tuple[float, float, float]:
    return tuple(int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))


def test_budget_table_holds_the_charted_numbers():
    a = plain_analysis("recommender")
    table = charts.budget_table(a)
    by_name = {row[0]: row for row in table.rows}
    total = a.current.at_sla_percentile_ms
    composed = next(row for row in table.rows if "composed" in str(row[0]))
    naive = next(row for row in table.rows if "naive" in str(row[0]))
    assert composed[-1] == pytest.approx(total)
    assert naive[-1] == pytest.approx(a.current.sum_of_stage_percentiles_ms)
    stage_ms = sum(row[-1] for row in table.rows if row[1] not in {"total", "target"})
    assert stage_ms == pytest.approx(total, rel=0.02)
    for stage in a.stages:
        assert by_name[stage.name][2] == stage.p50_ms


def test_plan_table_walks_down_the_plan():
    a = with_plan_and_options(plain_analysis())
    rows = charts.plan_table(a).rows
    assert rows[0][3] == pytest.approx(a.current.at_sla_percentile_ms)
    assert [r[3] for r in rows[1:]] == [s.projected_ms for s in a.plan]
    for prev, row in itertools.pairwise(rows):
        assert row[2] == pytest.approx(prev[3] - row[3])


def test_pareto_front_drops_only_dominated_options():
    a = with_plan_and_options(plain_analysis())
    worse = a.options[1].model_copy(
        update={"name": "Worse", "projected_ms": a.options[1].projected_ms + 50,
                "effort_days": (20.0, 40.0)}
    )  # fmt: skip
    a.options.append(worse)
    assert pareto_front(a.options) == [True, True, True, False]
    table = charts.options_table(a)
    assert table.rows[-1][table.columns.index("Pareto front")] is False


def test_user_text_with_dollars_and_markup_draws(tmp_path):
    scenario = load_scenario(EXAMPLES / "fraud_score.yaml")
    scenario.stages[0].name = "Costs $5 per $1k <b>calls</b> & 日本語"
    a = with_plan_and_options(analyze(scenario))
    for chart, _table in charts.CHARTS.values():
        assert _png(chart(a, "light"))


def test_charts_never_touch_pyplot_state():
    code = (
        "import sys\n"
        "from tests.report_samples import plain_analysis\n"
        "from latency_advisor.report import charts\n"
        "[c(plain_analysis(), 'dark') for c, _ in charts.CHARTS.values()]\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_theme_is_refused():
    with pytest.raises(ValueError, match="theme"):
        charts.budget_chart(plain_analysis(), "sepia")  # type: ignore[arg-type]


def test_many_stages_and_steps_stay_legible():
    a = with_plan_and_options(plain_analysis("recommender"))
    first = a.stages[0]
    a.stages = [first.model_copy(update={"name": f"stage {i}", "share": 1 / 40}) for i in range(40)]
    a.plan = a.plan * 4
    budget = charts.budget_chart(a)
    labels = budget.axes[0].get_legend_handles_labels()[1]
    assert len(labels) <= charts.MAX_SEGMENTS + 1 and "31 other stages" in labels
    waterfall = charts.plan_waterfall(a)
    ticks = [t.get_text() for t in waterfall.axes[0].get_xticklabels()]
    assert ticks[1:4] == ["1", "2", "3"]
    assert len(charts.budget_table(a).rows) >= 40
    assert _png(budget) and _png(waterfall)


def _luminance(rgb) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_all_chart_text_is_readable_on_its_background(theme):
    from matplotlib.colors import to_rgb
    from matplotlib.text import Text

    a = with_plan_and_options(plain_analysis())
    for chart, _table in charts.CHARTS.values():
        fig = chart(a, theme)
        _png(fig)  # lay out, so every text artist exists
        bg = _luminance(fig.get_facecolor())
        for text in fig.findobj(Text):
            if not text.get_text().strip() or not text.get_visible():
                continue
            fg = _luminance(to_rgb(text.get_color()))
            ratio = (max(fg, bg) + 0.05) / (min(fg, bg) + 0.05)
            assert ratio >= 3.0, (fig.get_label(), text.get_text(), ratio)


@pytest.mark.parametrize("name", ["rag_assistant", "recommender", "fraud_score"])
def test_pdf_chart_text_stays_inside_the_figure_and_legends_keep_whole_names(name):
    """The issue's budget page: an annotation past the axes and a legend entry cut to "…"."""
    a = plain_analysis(name)
    for make in (charts.budget_chart, charts.plan_waterfall, charts.options_chart):
        fig = make(a)
        fig.draw_without_rendering()
        page = fig.bbox
        for ax in fig.axes:
            for text in ax.texts:
                box = text.get_window_extent()
                assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1, (make.__name__, text)
                if make is charts.budget_chart:  # the values beside the bars: inside the axes
                    assert box.x1 <= ax.bbox.x1 + 1, text.get_text()
        labels = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
        labels += [
            t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()
        ]
        assert not any("…" in label for label in labels), labels
    stages = {s.name for s in a.stages}
    legend = charts.budget_chart(a).axes[0].get_legend()
    from latency_advisor.latency.model import WAIT_LABEL

    assert {" ".join(t.get_text().split()) for t in legend.get_texts()} <= stages | {WAIT_LABEL}
