"""The numbers behind every chart as plain rows: for screen readers, the app's tables and the PDF.

Each chart in `charts` has a table function here; a charted number that is not in its table is
a bug. Cells hold raw values (numbers stay numbers, so a view can sort them); `text_rows()`
formats them for display.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from latency_advisor.analysis import Analysis, Option
from latency_advisor.latency.model import WAIT_LABEL
from latency_advisor.numbers import fmt_number

Cell = str | float | int | bool | None

RISK_ORDER = ("none", "low", "medium", "high")
COST_ORDER = ("saves", "none", "low", "medium", "high")


@dataclass(frozen=True)
class ChartTable:
    """A titled grid of values: `columns` names them, each row has one value per column."""

    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]] = field(default_factory=list)

    def text_rows(self) -> list[tuple[str, ...]]:
        return [tuple(format_cell(value) for value in row) for row in self.rows]


def format_cell(value: Cell) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return fmt_number(value)
    return value


def pct_label(percentile: float) -> str:
    return f"p{percentile:g}"


def budget_segments(analysis: Analysis) -> list[tuple[str, float]]:
    """Milliseconds each stage (and the queueing wait) adds at the SLA percentile, in order."""
    total = analysis.current.at_sla_percentile_ms
    out = [(s.name, s.share * total) for s in analysis.stages]
    if analysis.queueing_share > 0.0005:
        out.append((WAIT_LABEL, analysis.queueing_share * total))
    return out


def budget_table(analysis: Analysis) -> ChartTable:
    """Stages with their percentiles and their part of the end-to-end time at the SLA percentile."""
    pct = pct_label(analysis.sla.percentile)
    total = analysis.current.at_sla_percentile_ms
    rows: list[tuple[Cell, ...]] = []
    for s in analysis.stages:
        rows.append(
            (s.name, s.kind, s.p50_ms, s.p95_ms, s.p99_ms, round(100 * s.share, 1), s.share * total)
        )
    if analysis.queueing_share > 0.0005:
        rows.append(
            (
                WAIT_LABEL,
                "queueing",
                None,
                None,
                None,
                round(100 * analysis.queueing_share, 1),
                analysis.queueing_share * total,
            )
        )
    rows.append((f"End-to-end {pct} (composed)", "total", None, None, None, 100.0, total))
    rows.append(
        (
            f"Sum of stage {pct}s (naive)",
            "total",
            None,
            None,
            None,
            None,
            analysis.current.sum_of_stage_percentiles_ms,
        )
    )
    rows.append((f"SLA target ({pct})", "target", None, None, None, None, analysis.sla.target_ms))
    return ChartTable(
        title=f"Latency budget at {pct}",
        columns=("Stage", "Kind", "p50 ms", "p95 ms", "p99 ms", f"% of {pct}", f"ms at {pct}"),
        rows=rows,
    )


def plan_steps(analysis: Analysis) -> list[tuple[str, str, float, float, bool]]:
    """(rule, title, saving, projected, meets) for each cumulative plan step."""
    titles = {r.rule: r.title for r in analysis.recommendations}
    titles |= {(r.rule, r.stage): r.title for r in analysis.recommendations}
    before = analysis.current.at_sla_percentile_ms
    repeated = {r for r in (s.rule for s in analysis.plan) if _count(analysis, r) > 1}
    out = []
    for step in analysis.plan:
        stage = getattr(step, "stage", None)
        title = titles.get((step.rule, stage)) or titles.get(step.rule, step.rule)
        if step.rule in repeated and isinstance(stage, str):
            title = f"{title} ({stage})"  # the same fix on two stages
        out.append(
            (
                step.rule,
                title,
                before - step.projected_ms,
                step.projected_ms,
                step.meets_sla,
            )
        )
        before = step.projected_ms
    return out


def _count(analysis: Analysis, rule: str) -> int:
    return sum(1 for s in analysis.plan if s.rule == rule)


def plan_table(analysis: Analysis) -> ChartTable:
    """Projected latency after each cumulative plan step, from today's figure down."""
    pct = pct_label(analysis.sla.percentile)
    rows: list[tuple[Cell, ...]] = [
        (0, "Today", None, analysis.current.at_sla_percentile_ms, analysis.meets_sla)
    ]
    for i, (_rule, title, saving, projected, meets) in enumerate(plan_steps(analysis), 1):
        rows.append((i, title, saving, projected, meets))
    return ChartTable(
        title=f"Plan: projected {pct} after each step",
        columns=("Step", "Fix", "Saving ms", f"Projected {pct} ms", "Meets SLA"),
        rows=rows,
    )


def effort_mid(option: Option) -> float:
    return (option.effort_days[0] + option.effort_days[1]) / 2


def pareto_front(options: list[Option]) -> list[bool]:
    """Which options no other option beats on latency, accuracy risk and effort all at once.

    The rule engine marks its options (`pareto`); its verdict is used where every option has one.
    """
    flags = [getattr(o, "pareto", None) for o in options]
    if options and all(isinstance(f, bool) for f in flags):
        return [bool(f) for f in flags]

    def key(o: Option) -> tuple[float, float, float]:
        return (o.projected_ms, float(RISK_ORDER.index(o.accuracy_risk)), effort_mid(o))

    keys = [key(o) for o in options]
    front = []
    for i, k in enumerate(keys):
        dominated = any(
            j != i and all(a <= b for a, b in zip(other, k, strict=True)) and other != k
            for j, other in enumerate(keys)
        )
        front.append(not dominated)
    return front


def options_table(analysis: Analysis) -> ChartTable:
    """The options a decision maker chooses between, with what each costs."""
    pct = pct_label(analysis.sla.percentile)
    front = pareto_front(analysis.options)
    rows: list[tuple[Cell, ...]] = []
    for option, on_front in zip(analysis.options, front, strict=True):
        rows.append(
            (
                option.name,
                option.projected_ms,
                option.perceived_ms,
                option.meets_sla,
                option.accuracy_risk,
                option.cost,
                f"{option.effort_days[0]:g}–{option.effort_days[1]:g}",
                on_front,
                *option_money(option),
                bool((option.model_extra or {}).get("recommended", False)),
            )
        )
    return ChartTable(
        title="Options",
        columns=(
            "Option",
            f"Projected {pct} ms",
            "Perceived ms",
            "Meets SLA",
            "Accuracy risk",
            "Running cost",
            "Effort (days)",
            "Pareto front",
            "Running cost / month",
            "One-off cost",
            "Recommended",
        ),
        rows=rows,
    )


def option_money(option: Option) -> tuple[str, str]:
    """An option's monthly and one-off cost as the tables print them ("—" when not sized)."""
    from latency_advisor.money import usd, usd_range

    extra = option.model_extra or {}
    monthly, once = extra.get("monthly_cost_usd"), extra.get("one_off_cost_usd")
    if monthly is None or once is None:
        return ("—", "—")
    lo, hi = once
    build = usd(lo) if usd(lo) == usd(hi) else f"{usd(lo)}–{usd(hi)}"
    return (usd_range(*monthly), build)
