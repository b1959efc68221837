"""What the Benchmarks tab's speedup chart says, apart from who draws it.

The chart is painted natively in the view, so it can follow every interim row of a run at a
cost of about a millisecond; the decisions about the data (labels, verdicts, whiskers, the
axis, the words for screen readers) live here, without Qt or a plotting library, so they can
be tested on plain result rows (CONTRACTS.md §4) and reused by any other renderer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from latency_advisor.bench.results import fmt_ms
from latency_advisor.report.themes import Theme
from latency_advisor.report.ticks import nice_ticks

INTERIM = "_interim"
"""Key a viewer sets on a row shown while its variant is still being measured."""

REFERENCE = 1.0
"""No change against the baseline: the dashed line."""

Verdict = Literal["baseline", "gain", "loss", "holds"]

_FILL: dict[Verdict, str] = {"baseline": "naive", "gain": "good", "loss": "bad", "holds": "series"}
_WORDS: dict[Verdict, str] = {
    "baseline": "the baseline",
    "gain": "faster: the whole 95% CI is above 1×",
    "loss": "slower: the whole 95% CI is below 1×",
    "holds": "no clear change: the 95% CI holds 1×",
}
LEGEND: tuple[tuple[Verdict, str], ...] = (
    ("gain", "faster (CI above 1×)"),
    ("holds", "CI holds 1×"),
    ("loss", "slower (CI below 1×)"),
    ("baseline", "baseline"),
)


def fmt_x(value: float) -> str:
    """A speedup as the chart and table print it: 1.70×."""
    return f"{value:.2f}×"


def short_labels(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Each variant by what differs from the baseline ("int8-dynamic-per-channel", "batch=8")."""
    if not rows:
        return []
    base = str(rows[0]["variant"]).split("/")
    labels = [f"{base[0]} baseline"]
    for r in rows[1:]:
        parts = str(r["variant"]).split("/")
        diff = [p for i, p in enumerate(parts) if p not in base or (i == 0 and p != base[0])]
        labels.append(" ".join(diff) or str(r["variant"]))
    return labels


def ci_bounds(row: dict[str, Any]) -> tuple[float, float] | None:
    """The speedup's 95% CI, or None when the run could not give one."""
    ci = row.get("speedup_ci")
    if not ci or ci[0] is None or ci[1] is None:
        return None
    return float(ci[0]), float(ci[1])


def verdict(row: dict[str, Any], baseline: bool) -> Verdict:
    """A gain only when the whole CI is above 1×, a loss when it is all below; else it holds 1×.

    Without a CI the point estimate alone cannot tell noise from change, so it holds 1×."""
    if baseline:
        return "baseline"
    ci = ci_bounds(row)
    if ci is None:
        return "holds"
    if ci[0] > REFERENCE:
        return "gain"
    return "loss" if ci[1] < REFERENCE else "holds"


@dataclass(frozen=True)
class SpeedupBar:
    """One variant: its bar, whisker, words and how sure the numbers are."""

    variant: str  # the full name, as in the table
    label: str  # what differs from the baseline
    speedup: float
    low: float  # whisker ends; equal to `speedup` when there is no CI
    high: float
    has_ci: bool
    verdict: Verdict
    interim: bool  # still being measured: drawn as provisional
    value_label: str  # "1.70×"
    tip: str

    def colour(self, t: Theme) -> str:
        """The bar's fill in theme `t`."""
        fill = _FILL[self.verdict]
        return t.stage_colour(0) if fill == "series" else getattr(t, fill)


@dataclass(frozen=True)
class SpeedupSpec:
    """Everything the speedup chart shows, bars in run order (the baseline first)."""

    title: str
    bars: tuple[SpeedupBar, ...]
    reference: float
    reference_label: str
    axis_max: float  # the value axis runs from 0 to here (room for whiskers and labels)
    ticks: tuple[float, ...]
    axis_label: str
    legend: tuple[tuple[Verdict, str], ...]  # the verdicts present, in a fixed order
    empty_text: str
    summary: str

    @property
    def provisional(self) -> bool:
        return any(b.interim for b in self.bars)


def _tip(
    row: dict[str, Any], bar_words: str, speedup: float, ci: tuple[float, float] | None
) -> str:
    ci_text = f" (95% CI {ci[0]:.2f}–{ci[1]:.2f}×)" if ci else " (no CI: too few samples)"
    lines = [
        str(row["variant"]),
        f"speedup {fmt_x(speedup)}{ci_text}: {bar_words}",
        f"p50 {fmt_ms(row.get('p50_ms'))} ms · p95 {fmt_ms(row.get('p95_ms'))} ms · "
        f"p99 {fmt_ms(row.get('p99_ms'))} ms",
    ]
    if row.get(INTERIM):
        lines.append("Still measuring: these numbers settle as rounds complete.")
    return "\n".join(lines)


def speedup_spec(rows: Sequence[dict[str, Any]]) -> SpeedupSpec:
    """Describe the speedup chart of benchmark result rows (the first row is the baseline)."""
    labels = short_labels(rows)
    bars = []
    for i, (row, label) in enumerate(zip(rows, labels, strict=True)):
        speedup = float(row["speedup_vs_baseline"])
        ci = ci_bounds(row)
        low, high = ci if ci else (speedup, speedup)
        kind = verdict(row, i == 0)
        bars.append(
            SpeedupBar(
                variant=str(row["variant"]),
                label=label,
                speedup=speedup,
                low=min(low, speedup),
                high=max(high, speedup),
                has_ci=ci is not None,
                verdict=kind,
                interim=bool(row.get(INTERIM)),
                value_label=fmt_x(speedup),
                tip=_tip(row, _WORDS[kind], speedup, ci),
            )
        )
    top = max((b.high for b in bars), default=REFERENCE)
    axis_max = max(top * 1.2, REFERENCE * 1.25)
    present = {b.verdict for b in bars}
    return SpeedupSpec(
        title="Speedup per variant against the baseline (median latency, 95% CI)",
        bars=tuple(bars),
        reference=REFERENCE,
        reference_label="1× (no change)",
        axis_max=axis_max,
        ticks=tuple(nice_ticks(axis_max, most=6)),
        axis_label="speedup vs baseline (×); batches: per item",
        legend=tuple((v, text) for v, text in LEGEND if v in present),
        empty_text="No results yet: bars appear as variants are measured.",
        summary=_summary(bars),
    )


def _summary(bars: list[SpeedupBar]) -> str:
    """One paragraph for screen readers: the chart's message without looking at it."""
    if not bars:
        return "Speedup chart: no benchmark results yet."
    others = bars[1:]
    counts = {v: sum(b.verdict == v for b in others) for v in ("gain", "holds", "loss")}
    parts = [f"Speedup of {len(others)} variants against {bars[0].label}"]
    if others:
        best = max(others, key=lambda b: b.speedup)
        parts.append(
            f"the fastest is {best.label} at {best.value_label}; {counts['gain']} faster, "
            f"{counts['holds']} not clearly different, {counts['loss']} slower"
        )
    each = "; ".join(f"{b.label}: {b.speedup:.2f} times" for b in others)
    provisional = (
        " Still measuring: the numbers are provisional." if any(b.interim for b in bars) else ""
    )
    return ": ".join(parts) + "." + (f" {each}." if each else "") + provisional
