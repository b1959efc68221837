"""The rows behind each chart, for the table views.

The shared report code holds the canonical tables (`latency_advisor.report.tables`: the same
numbers the PDF prints); until it is installed these fallbacks read the analysis directly.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from latency_advisor.analysis import Analysis
from latency_advisor.ui.chart_pane import Grid


def _shared(name: str) -> Callable[[Analysis], Grid] | None:
    try:
        module = importlib.import_module("latency_advisor.report.tables")
    except ImportError:
        return None
    fn = getattr(module, name, None)
    if fn is None:
        return None

    def grid(analysis: Analysis) -> Grid:
        table = fn(analysis)
        return Grid(tuple(table.columns), table.text_rows())

    return grid


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def _range(pair: tuple[float, float], unit: str = "") -> str:
    return f"{pair[0]:g}–{pair[1]:g}{unit}"


def budget(analysis: Analysis) -> Grid:
    shared = _shared("budget_table")
    if shared:
        return shared(analysis)
    at = analysis.current.at_sla_percentile_ms
    pct = f"p{analysis.sla.percentile:g}"
    rows = [
        (s.name, s.kind, f"{s.share:.1%}", _ms(s.share * at), _ms(s.p50_ms), _ms(s.p95_ms))
        for s in analysis.stages
    ]
    if analysis.queueing_share > 0.0005:
        rows.append(
            (
                "queueing wait",
                "queue",
                f"{analysis.queueing_share:.1%}",
                _ms(analysis.queueing_share * at),
                "",
                "",
            )
        )
    rows.append(
        (
            "End to end (composed)",
            "",
            "100%",
            _ms(at),
            _ms(analysis.current.p50_ms),
            _ms(analysis.current.p95_ms),
        )
    )
    rows.append(("SLA target", "", "", _ms(analysis.sla.target_ms), "", ""))
    return Grid(("Stage", "Kind", f"Share at {pct}", f"ms at {pct}", "p50 ms", "p95 ms"), rows)


def plan(analysis: Analysis) -> Grid:
    shared = _shared("plan_table")
    if shared:
        return shared(analysis)
    titles = {r.rule: r.title for r in analysis.recommendations}
    rows = [
        (
            "Today",
            "",
            _ms(analysis.current.at_sla_percentile_ms),
            "yes" if analysis.meets_sla else "no",
        )
    ]
    rows += [
        (titles.get(s.rule, s.rule), s.rule, _ms(s.projected_ms), "yes" if s.meets_sla else "no")
        for s in analysis.plan
    ]
    return Grid(("Step", "Rule", "Projected ms", "Meets SLA"), rows)


def options(analysis: Analysis) -> Grid:
    shared = _shared("options_table")
    if shared:
        return shared(analysis)
    rows = [
        (
            o.name,
            _ms(o.projected_ms),
            _ms(o.perceived_ms),
            "yes" if o.meets_sla else "no",
            o.accuracy_risk,
            o.cost,
            _range(o.effort_days, " d"),
        )
        for o in analysis.options
    ]
    return Grid(
        ("Option", "Projected ms", "Perceived ms", "Meets SLA", "Accuracy risk", "Cost", "Effort"),
        rows,
    )


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
