"""The rows behind each chart, for the table views: the report's own tables (the same numbers
the PDF prints), plus the recommendations list, which has no chart."""

from __future__ import annotations

from latency_advisor.analysis import Analysis
from latency_advisor.report import tables as report_tables
from latency_advisor.ui.chart_pane import Grid


def _grid(table: report_tables.ChartTable) -> Grid:
    return Grid(tuple(table.columns), table.text_rows())


def _range(pair: tuple[float, float], unit: str = "") -> str:
    return f"{pair[0]:g}–{pair[1]:g}{unit}"


def budget(analysis: Analysis) -> Grid:
    return _grid(report_tables.budget_table(analysis))


def plan(analysis: Analysis) -> Grid:
    return _grid(report_tables.plan_table(analysis))


def options(analysis: Analysis) -> Grid:
    return _grid(report_tables.options_table(analysis))


def recommendations(analysis: Analysis) -> Grid:
    rows = [
        (
            r.level,
            r.title,
            r.stage or "whole path",
            _range(r.saving_ms, " ms"),
            r.accuracy_risk,
            r.cost,
            _range(r.effort_days, " d"),
        )
        for r in analysis.recommendations
    ]
    return Grid(
        ("Level", "Recommendation", "Stage", "Saving", "Accuracy risk", "Cost", "Effort"), rows
    )
