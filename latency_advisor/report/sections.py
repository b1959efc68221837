"""The PDF's sections as lists of flowables, in the order a stakeholder reads them.

Every user string is escaped (`esc`) before it reaches a Paragraph; charts come from
`latency_advisor.report.charts` (the same code the desktop app draws with), in the light theme.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
)

from latency_advisor.analysis import Analysis, Recommendation
from latency_advisor.numbers import fmt_pct, fmt_utilization
from latency_advisor.report import charts
from latency_advisor.report.fonts import BOLD, REGULAR, register_fonts
from latency_advisor.report.glossary import GLOSSARY
from latency_advisor.report.guards import guard_for
from latency_advisor.report.llm_section import PHASE_TEXT, llm_split
from latency_advisor.report.narrative import (
    LEVELS,
    Choice,
    executive_summary,
    recommendation_paragraph,
    running_cost_sentence,
    steps_to_target,
    verdict,
    why_not,
)
from latency_advisor.report.styles import BAD_BG, GOOD_BG, grid_style, styles
from latency_advisor.report.tables import ChartTable, format_cell, option_money
from latency_advisor.report.text import days, esc, ms, pct
from latency_advisor.scenario import Scenario

CHART_DPI = 200


def chart_image(fig: Any, width: float) -> Flowable:
    """A Figure as a high-resolution raster flowable `width` points wide.

    The Agg pixels go to reportlab directly (no PNG encode and decode on the way): the charts
    are the bulk of the report's build time.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image as PILImage

    fig.set_dpi(CHART_DPI)
    canvas = FigureCanvasAgg(fig)
    with warnings.catch_warnings():
        # a name in a script DejaVu lacks draws as boxes in the chart; the tables print it
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        canvas.draw()
    pixels = PILImage.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
    w_in, h_in = fig.get_size_inches()
    return Picture(pixels.convert("RGB"), width, width * h_in / w_in)


class Picture(Flowable):
    """A PIL image drawn at a given size (platypus' Image wants a file)."""

    def __init__(self, image: Any, width: float, height: float, alt: str = "") -> None:
        super().__init__()
        self.image, self.width, self.height = ImageReader(image), width, height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.drawImage(self.image, 0, 0, self.width, self.height)


def grid(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    *,
    escape_cells: bool = True,
) -> Table:
    """A wrapped table: header text is fixed markup, cells are user text unless told otherwise."""
    s = styles()
    data = [[Paragraph(h, s.cell_head) for h in header]]
    for row in rows:
        data.append([Paragraph(esc(c) if escape_cells else c, s.cell) for c in row])
    table = Table(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    table.setStyle(grid_style())
    return table


def chart_table(table: ChartTable, width: float) -> Table:
    rows = table.text_rows()
    return grid([esc(c) for c in table.columns], rows, fit_widths(table.columns, rows, width))


def fit_widths(header: Sequence[str], rows: Sequence[Sequence[str]], width: float) -> list[float]:
    """Column widths that keep header words whole and give long text the room left over."""
    register_fonts()
    pad = 12.0

    def text_width(text: str, font: str) -> float:
        return stringWidth(text, font, 8) + pad

    least = [max(text_width(word, BOLD) for word in h.split() or [""]) for h in header]
    want = [
        max(least[i], *(text_width(str(r[i]), REGULAR) for r in rows)) for i in range(len(header))
    ]
    want = [min(max(w, lo), width * 0.4) for w, lo in zip(want, least, strict=True)]
    total = sum(want)
    if total <= width:
        return [w * width / total for w in want]
    spare = width - sum(least)
    if spare <= 0:
        return [lo * width / sum(least) for lo in least]
    extra = [w - lo for w, lo in zip(want, least, strict=True)]
    return [lo + spare * e / sum(extra) for lo, e in zip(least, extra, strict=True)]


def bullets(items: Sequence[str]) -> ListFlowable:
    s = styles()
    return ListFlowable(
        [ListItem(Paragraph(text, s.body), leftIndent=12) for text in items],
        bulletType="bullet",
        start="•",
        leftIndent=12,
        bulletFontSize=8,
    )


# ------------------------------------------------------------------------- title page


def title_page(a: Analysis, scenario: Scenario, choice: Choice, width: float) -> list[Flowable]:
    s = styles()
    p = pct(a.sla.percentile)
    out: list[Flowable] = [
        Spacer(1, 6 * mm),
        Paragraph(esc(scenario.name), s.title),
        Paragraph(
            f"Inference latency: options and tradeoffs. Target {p} ≤ {ms(a.sla.target_ms)}.",
            s.subtitle,
        ),
    ]
    box = Table(
        [
            [
                Paragraph(
                    f"<b>Today:</b> {p} {ms(a.current.at_sla_percentile_ms)}; {verdict(a)}.",
                    s.callout,
                )
            ]
        ],
        colWidths=[width],
    )
    box.setStyle(
        [
            ("BACKGROUND", (0, 0), (-1, -1), GOOD_BG if a.meets_sla else BAD_BG),
            ("LEFTPADDING", (0, 0), (-1, -1), 10),
            ("TOPPADDING", (0, 0), (-1, -1), 6),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ]
    )
    out += [box, Spacer(1, 4 * mm), Paragraph("Executive summary", s.h1)]
    out += [Paragraph(text, s.body) for text in executive_summary(a, scenario, choice)]
    if scenario.notes:
        out += [Paragraph("Context from the team", s.h2), Paragraph(esc(scenario.notes), s.body)]
    out += [Paragraph("Key figures", s.h2), key_figures(a, width)]
    return out


def key_figures(a: Analysis, width: float) -> Table:
    c = a.current
    p = pct(a.sla.percentile)
    # the target, today's figure and the gap are in the box above: these add what it leaves out
    rows = [
        (f"Sum of stage {p}s (misleading)", ms(c.sum_of_stage_percentiles_ms)),
        ("Typical request (p50) / p99", f"{ms(c.p50_ms)} / {ms(c.p99_ms)}"),
        ("Bottleneck", f"{a.bottleneck.stage} ({fmt_pct(a.bottleneck.share)} of the time)"),
        (
            "Server utilization at peak",
            f"{fmt_utilization(c.utilization)} on {c.replicas} replica(s)",
        ),
        (
            "Replicas to keep up / to meet the target",
            f"{c.replicas_needed_for_stability} / "
            + (str(c.replicas_needed_for_sla) if c.replicas_needed_for_sla else "none suffices"),
        ),
    ]
    return grid(["Figure", "Value"], rows, [width * 0.45, width * 0.55])


# ------------------------------------------------------------------------- budget


def budget_section(a: Analysis, width: float) -> list[Flowable]:
    s = styles()
    p = pct(a.sla.percentile)
    c = a.current
    out: list[Flowable] = [
        Paragraph("1. Where the time goes", s.h1),
        Paragraph(
            f"Each coloured block is the part of the end-to-end {p} that a step of the request "
            "path contributes; the dashed line is the target. The grey bar below is what adding "
            f"up each step's own {p} gives: it overstates the time the steps take, because they "
            "are rarely all slow at once"
            + (
                ", and it leaves out the time spent waiting in the queue (hatched)."
                if a.queueing_share > 0.0005
                else "."
            ),
            s.body,
        ),
        chart_image(charts.budget_chart(a, "light"), width),
        chart_table(charts.budget_table(a), width),
        Spacer(1, 3 * mm),
    ]
    out += llm_split(a, width)  # the LLM in tokens: prefill and decode, first token beside total
    if c.steady_state and c.queueing_wait_ms is not None and c.queueing_wait_ms < 0.05:
        out.append(
            Paragraph(
                "At peak traffic the servers are "
                f"{fmt_utilization(c.utilization)} busy and requests "
                "practically never wait for a free server.",
                s.body,
            )
        )
    elif c.steady_state and c.queueing_wait_ms is not None:
        out.append(
            Paragraph(
                "At peak traffic the servers are "
                f"{fmt_utilization(c.utilization)} busy; a request waits "
                f"{ms(c.queueing_wait_ms)} in the queue on average"
                + (
                    f" ({fmt_pct(c.queueing_wait_probability)} of requests wait at all)."
                    if c.queueing_wait_probability is not None
                    else "."
                ),
                s.body,
            )
        )
    if a.warnings:
        out.append(Paragraph("Warnings", s.h2))
        out.append(bullets([esc(w) for w in a.warnings]))
    return out


# ------------------------------------------------------------------------- options


def options_section(
    a: Analysis, scenario: Scenario, choice: Choice, width: float
) -> list[Flowable]:
    """One page a product manager reads in a minute: the chart, the choices in money and weeks,
    the recommendation, and what the accuracy budget admits."""
    s = styles()
    out: list[Flowable] = [PageBreak(), Paragraph("2. The options", s.h1)]
    if not a.options:
        text = (
            "The path already meets its target, so there is nothing to choose between. The "
            "rollout plan's monitoring still applies to future changes."
            if a.meets_sla
            else "No bundled options are available for this path yet; the ordered fixes in "
            "section 3 are the way forward."
        )
        return [*out, Paragraph(text, s.body)]
    out += [
        Paragraph(
            f"{len(a.options)} distinct choices (★ recommended): latency against accuracy risk "
            "(left) and effort (right); rings mark the Pareto front, hollow markers the first "
            "output. " + running_cost_sentence(a) + budget_sentence(a),
            s.body,
        ),
        chart_image(charts.options_chart(a, "light"), width),
        options_grid(a, width),
        Spacer(1, 2 * mm),
        Paragraph("What we recommend", s.h2),
        Paragraph(recommendation_paragraph(a, choice), s.body),
    ]
    reasons = why_not(a, scenario, choice)
    if reasons:
        said = " ".join(f"<i>{name}</i>: {why}" for name, why in reasons)
        out.append(Paragraph(f"<b>Why not the others.</b> {said}", s.body))
    return out


def budget_sentence(a: Analysis) -> str:
    """What the accuracy budget admits, in one sentence (the table is in section 6)."""
    budget = (a.model_extra or {}).get("quality_budget")
    if not budget:
        return ""
    words = {
        "admitted": "admitted",
        "admitted with an offline evaluation": "only with an offline evaluation",
        "not admitted": "not admitted",
    }
    said = ", ".join(
        f"{esc(r['risk'])} risk {words.get(r['this_budget'], esc(r['this_budget']))}"
        for r in budget["risk_table"][1:]
    )
    return (
        f" <b>Accuracy budget {budget['max_accuracy_drop_pct']:g} %:</b> {said} (table in "
        "section 6)."
    )


def options_grid(a: Analysis, width: float) -> Table:
    """The options in money and weeks: name and why, latency, risk, monthly, one-off, weeks."""
    p = pct(a.sla.percentile)
    rows = []
    for i, o in enumerate(a.options, 1):
        ox = o.model_extra or {}
        star = " ★" if ox.get("recommended") else ""
        first = f"{i}. <b>{esc(o.name)}</b>{star}"
        if ox.get("why"):
            first += f'<br/><font size="7" color="#57606A">{esc(ox["why"])}</font>'
        latency = ms(o.projected_ms) + (" ✓" if o.meets_sla else "")
        if o.perceived_ms is not None:
            latency += f"<br/>first output {ms(o.perceived_ms)}"
        monthly, once = option_money(o)
        lo, hi = o.effort_days
        weeks = "—" if hi == 0 else f"{lo / 5:.2g}–{hi / 5:.2g}"
        rows.append((first, latency, esc(o.accuracy_risk), esc(monthly), esc(once), weeks))
    header = ("Option", f"{p}", "Accuracy risk", "Running cost / month", "One-off", "Weeks")
    widths = [width * f for f in (0.38, 0.13, 0.10, 0.16, 0.14, 0.09)]
    return grid([esc(c) for c in header], rows, widths, escape_cells=False)


def risk_grid(budget: dict, width: float) -> Table:
    """The accuracy-risk table with this budget's verdict on each level."""
    rows = [
        (esc(r["risk"]), esc(r["typical_drop"]), esc(r["this_budget"]))
        for r in budget["risk_table"]
    ]
    header = (
        "Accuracy risk",
        "Typical accuracy drop",
        f"Budget {budget['max_accuracy_drop_pct']:g} %",
    )
    return grid([esc(c) for c in header], rows, [width * 0.2, width * 0.3, width * 0.5])


# ------------------------------------------------------------------------- plan


def plan_section(a: Analysis, width: float) -> list[Flowable]:
    s = styles()
    p = pct(a.sla.percentile)
    out: list[Flowable] = [CondPageBreak(90 * mm), Paragraph("3. The fixes, in order", s.h1)]
    if not a.recommendations:
        text = (
            "No fixes are needed: the path meets its target at peak traffic."
            if a.meets_sla
            else "No fixes are listed for this path yet."
        )
        return [*out, Paragraph(text, s.body)]
    n = steps_to_target(a)
    reach = (
        f"The first {n} step(s) reach the target."
        if n is not None
        else "The whole plan does not reach the target on its own."
        if a.plan
        else ""
    )
    out.append(
        Paragraph(
            "The field's practice is to start with the cheapest, least risky levers: first the "
            "system around the model, then how the model is served, and only then the model "
            f"itself. Each bar is the projected {p} after applying the fixes up to it. {reach}",
            s.body,
        )
    )
    if a.plan:
        out.append(chart_image(charts.plan_waterfall(a, "light"), width))
        out.append(chart_table(charts.plan_table(a), width))
    number = 0
    steps = {(step.rule, getattr(step, "stage", None)): i for i, step in enumerate(a.plan, 1)}
    for level, heading in LEVELS:
        recs = [r for r in a.recommendations if r.level == level]
        if not recs:
            continue
        out.append(Paragraph(heading, s.h2))
        for r in recs:
            number += 1
            step = steps.get((r.rule, r.stage))
            out.append(KeepTogether(_fix(number, r, p, step)))
    skipped = _not_recommended(a)
    if skipped:
        out.append(Paragraph("Considered and not recommended here", s.h2))
        out.append(bullets(skipped))
    return out


def _fix(number: int, r: Recommendation, p: str, step: int | None) -> list[Flowable]:
    """One fix: what it saves and costs, why it helps, what it takes."""
    s = styles()
    lo, hi = r.saving_ms
    saves = f"Saves {ms(lo)[:-3]}–{ms(hi)} at {p}" if hi > 0 else f"Does not shorten the {p}"
    perceived = getattr(r, "perceived_saving_ms", None)
    if isinstance(perceived, (list, tuple)) and len(perceived) == 2 and perceived[1] > 0:
        saves += f", but cuts the time to the first output by {ms(perceived[0])[:-3]}–"
        saves += ms(perceived[1])
    phase = PHASE_TEXT.get(getattr(r, "phase", None) or "")
    if phase:
        saves += f" ({phase})"
    measured = " (measured on this system)" if getattr(r, "calibrated", False) is True else ""
    where = f" on {esc(r.stage)}" if r.stage else " on the whole path"
    if step is not None:
        where += f" · plan step {step}"
    details = (
        f"{saves}{measured}; accuracy risk {r.accuracy_risk}; running cost {r.cost}; "
        f"effort {days(r.effort_days)}. {esc(r.why)}"
    )
    takes = _rationale(r).get("costs")
    if takes:
        details += f" <i>What it takes:</i> {esc(takes)}"
    return [
        Paragraph(f"<b>{number}. {esc(r.title)}</b>{where}", s.body),
        Paragraph(details, s.small),
    ]


def _rationale(r: Recommendation) -> dict[str, str]:
    """The engine's what / helps / costs / backfires texts, where it gives them."""
    rationale = getattr(r, "rationale", None)
    if not isinstance(rationale, dict):
        return {}
    return {k: v for k, v in rationale.items() if isinstance(v, str) and v}


def _not_recommended(a: Analysis) -> list[str]:
    skipped = getattr(a, "not_recommended", None)
    if not isinstance(skipped, list):
        return []
    out = []
    for item in skipped:
        if isinstance(item, dict) and item.get("rule"):
            where = f" on {esc(item['stage'])}" if item.get("stage") else ""
            out.append(f"<b>{esc(item['rule'])}</b>{where}: {esc(item.get('reason', ''))}")
    return out


# ------------------------------------------------------------------------- risks


def _recommended_changes(a: Analysis, choice: Choice) -> list[Recommendation]:
    """The fixes the report asks for: the recommended option's, else the plan's, else all."""
    if choice.index is not None:
        wanted = set(a.options[choice.index].rules)
    elif a.plan:
        wanted = {step.rule for step in a.plan}
    else:
        return list(a.recommendations)
    return [r for r in a.recommendations if r.rule in wanted]


def risks_section(a: Analysis, scenario: Scenario, choice: Choice, width: float) -> list[Flowable]:
    s = styles()
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for r in _recommended_changes(a, choice):
        risk, guard = guard_for(r.technique, r.level)
        risk = _rationale(r).get("backfires", risk)
        if r.title in seen:
            continue
        seen.add(r.title)
        rows.append((esc(r.title), esc(risk), esc(guard)))
    assumed = [st.name for st in a.stages if st.spread_assumed]
    if assumed:
        rows.append(
            (
                "The estimate itself",
                "Some steps give only their typical time; their spread is assumed, so the "
                "tail estimate may be off.",
                "Measure p95 and p99 of " + esc(", ".join(assumed)) + " before committing.",
            )
        )
    if a.current.utilization >= 0.7 or not a.current.steady_state:
        rows.append(
            (
                "Traffic growth",
                f"Servers are {fmt_utilization(a.current.utilization)} busy at peak: more "
                "traffic makes the "
                "queue, and the tail, grow steeply.",
                "Alert on utilization above 80% and plan capacity "
                f"({a.current.replicas_needed_for_stability} replicas keep up at today's peak).",
            )
        )
    rows.append(
        (
            "Any change",
            "A faster path can be a worse one: lower quality, more errors, higher cost.",
            "Validate offline, then shadow and canary with the rollback trigger below.",
        )
    )
    return [
        CondPageBreak(60 * mm),
        Paragraph("4. Risks and how each is guarded", s.h1),
        Paragraph(
            "What could go wrong with the changes we recommend"
            + (" (the recommended option's fixes)" if choice.index is not None else "")
            + ", with the estimate itself, and how each risk is caught before users feel it.",
            s.body,
        ),
        grid(
            ["Change", "What can go wrong", "Guard"],
            rows,
            [width * 0.24, width * 0.36, width * 0.40],
            escape_cells=False,
        ),
    ]


# ------------------------------------------------------------------------- rollout


def rollout_section(a: Analysis, scenario: Scenario, width: float) -> list[Flowable]:
    s = styles()
    c = a.current
    p = pct(a.sla.percentile)
    budget = scenario.quality.max_accuracy_drop_pct
    accuracy = (
        f"no more than {budget:g}% below today's" if budget > 0 else "no measurable loss at all"
    )
    steps = [
        f"<b>Offline evaluation.</b> Measure accuracy on a held-out set of real requests: "
        f"{accuracy}. Time the changed component on production-like hardware, at the "
        f"{p}, not only on average.",
        "<b>Shadow traffic.</b> Mirror a share of live requests to the new version without "
        "showing its answers; compare latency percentiles and outputs with the current version "
        "over at least one daily peak.",
        "<b>Canary.</b> Serve 1%, then 10%, then 50% of users, holding each step through a peak "
        "period, with the current version as the control group.",
        "<b>Full rollout</b> only when every metric below holds; keep the previous version "
        "deployable for a quick switch back.",
    ]
    metrics = [
        ("p50 (typical request)", ms(c.p50_ms), "lower than today; never above the control"),
        (
            f"{p} (the target)",
            ms(c.at_sla_percentile_ms),
            f"≤ {ms(a.sla.target_ms)} (goal); never above the control",
        ),
        ("p99 (tail)", ms(c.p99_ms), "never above the control group's"),
        ("Error rate", "from monitoring", "no increase over the control group"),
        ("Accuracy / quality metric", "from monitoring", accuracy),
        ("Cost per 1,000 requests", "from billing", "within the option's expected cost"),
        ("Server utilization at peak", f"{fmt_utilization(c.utilization)}", "below 80%"),
    ]
    trigger = (
        f"<b>Rollback trigger.</b> Switch back at once if, during any step, the {p} or p99 of "
        "the new version stays more than 10% above the control group's (or above "
        f"{ms(a.sla.target_ms)} once the change was expected to meet it) for 15 "
        "minutes, the error rate rises by more than 0.1 percentage point over the control "
        f"group, or the quality metric drops by more than {max(budget, 0.0):g}%. The trigger is "
        "automatic where the platform allows it; otherwise it is on the on-call checklist."
    )
    return [
        CondPageBreak(60 * mm),
        Paragraph("5. Validation and rollout", s.h1),
        Paragraph(
            "Every change is proven before users depend on it, and is easy to take back.", s.body
        ),
        bullets(steps),
        Paragraph("Metrics to watch", s.h2),
        grid(
            ["Metric", "Today", "Goal and guard"],
            metrics,
            [width * 0.38, width * 0.22, width * 0.40],
        ),
        Spacer(1, 3 * mm),
        Paragraph(trigger, s.body),
    ]


# ------------------------------------------------------------------------- assumptions


def assumptions_section(a: Analysis, scenario: Scenario, width: float = 0.0) -> list[Flowable]:
    s = styles()
    items = [esc(x) for x in a.assumptions]
    calibrated = [(st.name, technique) for st in scenario.stages for technique in st.calibration]
    if a.recommendations:
        items.append(
            "Savings, risks, costs and efforts of the fixes are typical ranges from the rule "
            "library, scaled to this path"
            + (
                "; where a measurement was attached (appendix A) it replaces the typical range."
                if calibrated
                else "; none was measured on this system yet."
            )
        )
    if calibrated and not any("measured" in x for x in a.assumptions):
        items.append(
            "Measured effects: "
            + "; ".join(f"{esc(t)} on {esc(n)}" for n, t in calibrated)
            + " (see appendix A)."
        )
    out: list[Flowable] = [
        CondPageBreak(40 * mm),
        Paragraph("6. Assumptions behind the numbers", s.h1),
        bullets(items),
    ]
    budget = (a.model_extra or {}).get("quality_budget")
    if budget:
        out += [
            Paragraph("The accuracy budget against accuracy risk", s.h2),
            Paragraph(
                "Each risk level stands for a typical accuracy drop on the task's own metric. A "
                "budget admits a level outright when it covers the whole typical range, and only "
                "with an offline evaluation (named in the option) when it covers the low end.",
                s.body,
            ),
            risk_grid(budget, width),
        ]
    return out


def measurement_appendix(
    scenario: Scenario, width: float, source: Path | None = None
) -> list[Flowable]:
    """Attached benchmark results: what was measured, where, and what it cannot tell."""
    s = styles()
    rows = []
    sources = []
    benches: list[dict[str, Any]] = []
    for st in scenario.stages:
        for technique, cal in st.calibration.items():
            diff = f"{cal.max_abs_output_diff:.3g}" if cal.max_abs_output_diff is not None else "—"
            rows.append(
                (
                    f"{len(rows) + 1}. {st.name}",
                    technique,
                    f"{cal.speedup[0]:.2f}×–{cal.speedup[1]:.2f}×",
                    diff,
                )
            )
            sources.append(f"{len(rows)}. " + esc(cal.source or "source not recorded"))
            bench = _bench_file(cal.source, source)
            if bench is not None and bench not in benches:
                benches.append(bench)
    if not rows:
        return []
    out: list[Flowable] = [
        CondPageBreak(60 * mm),
        Paragraph("Appendix A. Measurements", s.h1),
        Paragraph(
            "These effects were measured with on-box micro-benchmarks and replace the typical "
            "ranges for the fixes they concern. The speed-up is a range built from the "
            "confidence intervals of the baseline's and the variant's measured times; the "
            "output difference is the largest change in the model's outputs.",
            s.body,
        ),
        grid(
            ["Stage", "Technique", "Speed-up (interval)", "Max output difference"],
            rows,
            [width * 0.36, width * 0.24, width * 0.2, width * 0.2],
        ),
        Paragraph("What was measured, where and on what machine", s.h2),
        *[Paragraph(text, s.small) for text in sources],
    ]
    for bench in benches:
        out += _bench_flowables(bench, width)
    out.append(Spacer(1, 3 * mm))
    out.append(
        Paragraph(
            "<b>What a micro-benchmark cannot tell.</b> It times one component alone, on one "
            "machine, with synthetic inputs and no other load: no network, no queueing, no "
            "production traffic mix, no cache effects of a busy server. Its ratios (variant "
            "against baseline) travel better than its absolute times. A p99 needs thousands of "
            "samples to be trusted; intervals here are distribution-free bounds from the "
            "samples taken. Confirm every gain in shadow traffic before counting on it.",
            s.body,
        )
    )
    return out


def _bench_file(name: str, scenario_path: Path | None) -> dict[str, Any] | None:
    """A bench JSON named by a calibration's source, if it exists next to the scenario."""
    from latency_advisor.safe_json import load_json
    from latency_advisor.safe_yaml import decode_text, read_bytes

    if not name or not name.endswith(".json"):
        return None
    base = (scenario_path.parent if scenario_path is not None else Path.cwd()).resolve()
    path = (base / name).resolve()
    try:
        if not path.is_relative_to(base) or not path.is_file() or path.stat().st_size > 5_000_000:
            return None
        data = load_json(decode_text(read_bytes(path, 5_000_000, "result file")))
    except (OSError, ValueError):  # SafeReadError is a ValueError: no such table, that is all
        return None
    if not isinstance(data, dict) or data.get("format") != "latency-advisor/bench/v1":
        return None
    return data


def _bench_flowables(bench: dict[str, Any], width: float) -> list[Flowable]:
    s = styles()
    machine = bench.get("machine") or {}
    facts = ", ".join(
        f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in machine.items()
    )
    out: list[Flowable] = [
        Paragraph(f"Benchmark of {esc(bench.get('model', '?'))}", s.h2),
        Paragraph("Machine: " + esc(facts or "not recorded"), s.small),
    ]
    rows = []
    for r in bench.get("results") or []:
        if not isinstance(r, dict):
            continue
        ci = r.get("p99_ci_ms")
        rows.append(
            (
                str(r.get("variant", "?")),
                format_cell(r.get("samples")),
                _num(r.get("p50_ms")),
                _num(r.get("p99_ms")),
                f"{_num(ci[0])}–{_num(ci[1])}" if isinstance(ci, list) and len(ci) == 2 else "—",
                _num(r.get("speedup_vs_baseline"), "×"),
            )
        )
    if rows:
        out.append(
            grid(
                ["Variant", "Samples", "p50 ms", "p99 ms", "p99 95% interval", "Speed-up"],
                rows,
                [width * 0.36, width * 0.1, width * 0.12, width * 0.12, width * 0.18, width * 0.12],
            )
        )
    return out


def _num(value: Any, unit: str = "") -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "—"
    return f"{value:.3g}{unit}"


def glossary_section(width: float, appendix: str) -> list[Flowable]:
    s = styles()
    rows = [(f"<b>{term}</b>", text) for term, text in GLOSSARY]
    return [
        CondPageBreak(60 * mm),
        Paragraph(f"Appendix {appendix}. Glossary", s.h1),
        grid(["Term", "Meaning"], rows, [width * 0.28, width * 0.72], escape_cells=False),
    ]
