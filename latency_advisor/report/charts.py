"""The charts the desktop app and the PDF share: plain matplotlib Figures, never pyplot state.

Every function takes an `Analysis` and a theme ("light" or "dark") and returns a new `Figure`
that the caller owns (embed it in a Qt canvas, or save it into the PDF). The figure's label
(`fig.get_label()`) is its accessible title; the numbers it draws are in the table function of
the same name in `latency_advisor.report.tables` (re-exported here).

Stable API (the desktop app depends on it):
    budget_chart(analysis, theme="light") -> Figure      budget_table(analysis) -> ChartTable
    plan_waterfall(analysis, theme="light") -> Figure    plan_table(analysis) -> ChartTable
    options_chart(analysis, theme="light") -> Figure     options_table(analysis) -> ChartTable
    CHARTS: name -> (chart function, table function)
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullLocator

from latency_advisor.analysis import Analysis
from latency_advisor.numbers import fmt_tick
from latency_advisor.report.budget_spec import MAX_SEGMENTS, budget_spec
from latency_advisor.report.label_place import place_labels, square
from latency_advisor.report.options_spec import options_spec
from latency_advisor.report.plan_spec import plan_spec
from latency_advisor.report.tables import (
    ChartTable,
    budget_table,
    options_table,
    plan_table,
)
from latency_advisor.report.themes import Theme, ThemeName
from latency_advisor.report.themes import theme as get_theme

__all__ = [
    "CHARTS",
    "MAX_SEGMENTS",
    "ChartTable",
    "budget_chart",
    "budget_table",
    "options_chart",
    "options_table",
    "plan_table",
    "plan_waterfall",
]

WIDTH_IN = 7.0


def plain(text: str) -> str:
    """User text as matplotlib should print it: a `$` must not start mathtext."""
    return text.replace("\\", "\\\\").replace("$", r"\$")


def _short(text: str, width: int = 28) -> str:
    return textwrap.shorten(text, width=width, placeholder="…")


def _new_figure(t: Theme, title: str, height: float) -> Figure:
    fig = Figure(figsize=(WIDTH_IN, height), layout="constrained", facecolor=t.background)
    fig.set_label(title)
    return fig


def _style(ax: Axes, t: Theme) -> None:
    ax.set_facecolor(t.background)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(t.muted)
    ax.tick_params(colors=t.foreground, labelsize=8)
    ax.xaxis.label.set_color(t.foreground)
    ax.yaxis.label.set_color(t.foreground)
    ax.title.set_color(t.foreground)


def _legend(ax: Axes, t: Theme, **kwargs) -> None:
    legend = ax.legend(fontsize=7, frameon=False, **kwargs)
    for text in legend.get_texts():
        text.set_color(t.foreground)


# ------------------------------------------------------------------------- budget


def budget_chart(analysis: Analysis, theme: ThemeName = "light") -> Figure:
    """Where the time goes at the SLA percentile, against the SLA line and the naive sum."""
    t = get_theme(theme)
    spec = budget_spec(analysis)
    fig = _new_figure(t, spec.title, 2.9)
    ax = fig.add_subplot()
    _style(ax, t)
    left = 0.0
    for seg in spec.segments:
        ax.barh(
            1,
            seg.ms,
            left=left,
            height=0.55,
            color=t.wait if seg.is_wait else t.stage_colour(seg.colour_index),
            hatch="//" if seg.is_wait else None,
            edgecolor=t.background,
            linewidth=0.6,
            label=plain(textwrap.fill(seg.name, 24)),  # wrapped, never cut
        )
        left += seg.ms
    ax.barh(0, spec.naive_ms, height=0.55, color=t.naive, edgecolor=t.muted, linewidth=0.6)
    ax.axvline(spec.target_ms, color=t.sla, linestyle="--", linewidth=1.4)
    nudge = spec.axis_max_ms / 1.32 * 0.01
    ax.text(
        spec.target_ms, 1.55, f" {spec.sla_label}", color=t.sla, fontsize=8, ha="left", va="bottom"
    )
    ax.text(
        spec.composed_ms + nudge,
        1,
        spec.composed_label,
        va="center",
        fontsize=8,
        color=t.foreground,
    )
    naive_text = f"{spec.naive_label} {spec.naive_note}"
    naive = ax.text(spec.naive_ms + nudge, 0, naive_text, va="center", fontsize=8, color=t.muted)
    ax.set_yticks([1, 0], ["\n".join(spec.composed_row), "\n".join(spec.naive_row)])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt_tick(v)))  # 1,000 as the app
    ax.set_ylim(-0.5, 1.9)
    ax.set_xlim(0, spec.axis_max_ms)
    ax.set_xlabel(spec.axis_label)
    ax.grid(axis="x", color=t.grid, linewidth=0.5)
    ax.set_axisbelow(True)
    ax.set_title(plain(spec.title), fontsize=9, loc="left", color=t.foreground)
    _legend(ax, t, loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=4)
    _keep_inside(fig, ax, naive, spec.naive_ms - nudge, t)
    return fig


def _keep_inside(fig: Figure, ax: Axes, text, x_inside: float, t: Theme) -> None:
    """A label that would run past the axes' right edge moves inside its bar's end instead."""
    fig.draw_without_rendering()
    if text.get_window_extent().x1 <= ax.get_window_extent().x1:
        return
    text.set_x(x_inside)
    text.set_horizontalalignment("right")
    text.set_color(t.foreground)  # on the grey bar, not on the page
    text.set_text(text.get_text().replace(" (", "\n(", 1))


# ------------------------------------------------------------------------- plan


def plan_waterfall(analysis: Analysis, theme: ThemeName = "light") -> Figure:
    """Projected latency after each cumulative plan step, from today down towards the SLA."""
    t = get_theme(theme)
    spec = plan_spec(analysis)
    fig = _new_figure(t, spec.title, 3.2)
    ax = fig.add_subplot()
    _style(ax, t)
    top = spec.axis_max_ms / 1.3
    labels = []
    for bar in spec.bars:
        x = bar.number
        step = bar.kind == "step"
        ax.bar(
            x,
            bar.high_ms - bar.low_ms,
            bottom=bar.low_ms,
            color=bar.colour(t),
            width=0.6,
            alpha=0.85 if step else None,
            hatch="//" if bar.hatched else None,
            edgecolor=t.muted if bar.kind == "today" else None,
            linewidth=0.6 if bar.kind == "today" else None,
        )
        if bar.connect_ms is not None:
            ax.plot([x - 1.3, x + 0.3], [bar.connect_ms] * 2, color=t.muted, linewidth=0.6)
        upright = spec.numbered  # crowded: numbered steps, every value label upright
        ax.text(
            x,
            bar.high_ms + (top * 0.01 if upright else 0),
            bar.value_label,
            ha="center",
            va="bottom",
            fontsize=6 if upright else 7,
            rotation=90 if upright else 0,
            color=t.foreground,
        )
        tick = bar.tick if spec.numbered or not step else textwrap.fill(_short(bar.tick, 30), 14)
        if bar.note:
            tick += "\n" + textwrap.fill(bar.note, 14)
        labels.append(plain(tick))
    if spec.message:
        ax.text(
            0.5,
            0.5,
            spec.message,
            transform=ax.transAxes,
            ha="center",
            color=t.muted,
            fontsize=9,
        )
    ax.axhline(spec.target_ms, color=t.sla, linestyle="--", linewidth=1.2)
    _sla_tick(ax, spec.target_ms, spec.sla_label, t)  # never over the Today bar
    ax.set_xticks(range(len(labels)), labels, fontsize=6.5)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.set_ylim(0, spec.axis_max_ms)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt_tick(v)))  # 1,000 as the app
    ax.set_ylabel(spec.axis_label)
    ax.grid(axis="y", color=t.grid, linewidth=0.5)
    ax.set_axisbelow(True)
    ax.set_title(plain(spec.title), fontsize=9, loc="left", color=t.foreground)
    return fig


# ------------------------------------------------------------------------- options


def options_chart(analysis: Analysis, theme: ThemeName = "light") -> Figure:
    """Options: projected latency against accuracy risk and against effort, Pareto front marked."""
    t = get_theme(theme)
    spec = options_spec(analysis)
    fig = _new_figure(t, spec.title, 3.3)
    risk_ax, effort_ax = fig.subplots(1, 2, sharey=True)
    for ax in (risk_ax, effort_ax):
        _style(ax, t)
        ax.axhline(spec.target_ms, color=t.sla, linestyle="--", linewidth=1.2)
        ax.grid(color=t.grid, linewidth=0.5)
        ax.set_axisbelow(True)
    for p in spec.points:
        colour = t.stage_colour(p.colour_index)
        label = plain(textwrap.fill(p.label, 40))  # wrapped, never cut
        for ax, x in ((risk_ax, p.risk_x), (effort_ax, p.effort_mid_days)):
            ax.scatter(
                [x],
                [p.projected_ms],
                s=60,
                color=colour,
                zorder=3,
                label=label if ax is risk_ax else None,
            )
            if p.pareto:
                ax.scatter(
                    [x],
                    [p.projected_ms],
                    s=190,
                    facecolors="none",
                    edgecolors=t.foreground,
                    linewidths=1.1,
                    zorder=4,
                )
            if p.perceived_ms is not None:
                ax.scatter(
                    [x], [p.perceived_ms], s=40, facecolors="none", edgecolors=colour, zorder=3
                )
                ax.plot([x, x], [p.perceived_ms, p.projected_ms], color=colour, lw=0.8)
        effort_ax.plot(list(p.effort_days), [p.projected_ms] * 2, color=colour, lw=1.5, alpha=0.5)
    risk_ax.set_xticks(range(len(spec.categories)), list(spec.categories))
    risk_ax.set_xlim(-0.5, len(spec.categories) - 0.5)
    risk_ax.set_xlabel(spec.risk_label)
    risk_ax.set_ylabel(spec.value_label)
    effort_ax.set_xlabel(spec.effort_label)
    effort_ax.set_xlim(0, spec.effort_max_days)
    if spec.log_scale:  # the same axis as the app's: options near the target stay apart
        risk_ax.set_yscale("log")
        ticks = spec.log_ticks()
        risk_ax.set_yticks(ticks, [fmt_tick(v) for v in ticks])
        risk_ax.yaxis.set_minor_locator(NullLocator())
    else:
        risk_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt_tick(v)))
    risk_ax.set_ylim(spec.value_min_ms, spec.value_max_ms)
    _sla_tick(effort_ax, spec.target_ms, spec.sla_label, t)
    if spec.points:
        risk_ax.scatter(
            [], [], s=120, facecolors="none", edgecolors=t.foreground, label=spec.pareto_label
        )
        if spec.perceived_label:
            risk_ax.scatter(
                [], [], s=40, facecolors="none", edgecolors=t.muted, label=spec.perceived_label
            )
        handles, labels = risk_ax.get_legend_handles_labels()
        legend = fig.legend(
            handles, labels, loc="outside lower center", ncol=2, fontsize=7, frameon=False
        )
        for text in legend.get_texts():
            text.set_color(t.foreground)
    elif spec.empty_message:
        risk_ax.text(
            (len(spec.categories) - 1) / 2,
            spec.target_ms * 0.5,
            spec.empty_message,
            ha="center",
            color=t.muted,
            fontsize=9,
        )
    fig.suptitle(plain(spec.title), fontsize=9, x=0.01, ha="left", color=t.foreground)
    _number_points(fig, t, [(risk_ax, p.risk_x, p) for p in spec.points])
    _number_points(fig, t, [(effort_ax, p.effort_mid_days, p) for p in spec.points])
    return fig


LABEL_PT = 7.0
MARKER_PT = {False: 4.0, True: 7.0}  # radius of a point, of a Pareto ring (s=60, s=190)


def _number_points(fig: Figure, t: Theme, points: list) -> None:
    """Each option's number beside its point where it covers no marker and no other number
    (the shared placer: place, nudge, else leave it to the numbered legend). The layout is
    fixed first, so the numbers are placed against the axes as they will be drawn."""
    if not points:
        return
    fig.draw_without_rendering()
    fig.set_layout_engine("none")  # freeze: later draws must not move the axes under the labels
    scale = fig.dpi / 72.0
    height = fig.bbox.height
    anchors, sizes, rings = [], [], []
    for ax, x, p in points:
        px, py = ax.transData.transform((x, p.projected_ms))
        anchors.append((px, height - py))  # y down, as the placer counts
        # DejaVu digits are 0.64 em wide; ascent plus descent 1.17 em
        sizes.append((len(str(p.number)) * 0.66 * LABEL_PT * scale, 1.2 * LABEL_PT * scale))
        rings.append(square(px, height - py, MARKER_PT[p.pareto] * scale))
        if p.perceived_ms is not None:
            qx, qy = ax.transData.transform((x, p.perceived_ms))
            rings.append(square(qx, height - qy, 3.5 * scale))
    box = points[0][0].bbox
    bounds = (box.x0, height - box.y1, box.x1, height - box.y0)
    spots = place_labels(anchors, sizes, rings, bounds, clearance=MARKER_PT[True] * scale * 0.8)
    for (ax, x, p), (px, py), spot in zip(points, anchors, spots, strict=True):
        if spot is None:
            continue
        ax.annotate(
            str(p.number),
            (x, p.projected_ms),
            xytext=((spot[0] - px) / scale, (py - spot[3]) / scale),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=LABEL_PT,
            color=t.foreground,
        )


def _sla_tick(ax: Axes, target_ms: float, label: str, t: Theme) -> None:
    """The SLA's name as a tick label on the right edge: beside its line, over nothing."""
    right = ax.secondary_yaxis("right")
    right.set_yticks([target_ms], [label])
    right.yaxis.set_minor_locator(NullLocator())  # a log parent axis would add 4×10³ and such
    right.tick_params(colors=t.sla, labelsize=7, length=0)
    right.spines["right"].set_visible(False)


ChartFunction = Callable[[Analysis, ThemeName], Figure]
TableFunction = Callable[[Analysis], ChartTable]

CHARTS: dict[str, tuple[ChartFunction, TableFunction]] = {
    "budget": (budget_chart, budget_table),
    "plan": (plan_waterfall, plan_table),
    "options": (options_chart, options_table),
}
