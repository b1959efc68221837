"""The talk track: six steps, the scenario's own numbers, three word budgets, natural text."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from latency_advisor.analysis import Analysis, Option, PlanStep, Recommendation, analyze
from latency_advisor.rehearsal import LENGTHS, STEPS, build_talk_track
from latency_advisor.rehearsal.framework import STEP_IDS
from latency_advisor.rehearsal.markdown import talk_track_markdown
from latency_advisor.rehearsal.remedies import in_plan_order
from latency_advisor.scenario import Scenario, load_scenario

EXAMPLES = sorted(
    (Path(__file__).resolve().parent.parent / "resources" / "examples").glob("*.yaml")
)
BUDGET = {"30s": (40, 90), "2min": (200, 320), "deep": (450, 950)}


@cache
def _load(path: Path) -> tuple[Scenario, Analysis]:
    scenario = load_scenario(path)
    return scenario, analyze(scenario)


def said_ms(value: float) -> str:
    """How a latency must appear in the text: 4.2 ms, 83 ms, 3,762 ms."""
    return f"{value:.1f} ms" if abs(value) < 10 else f"{round(value):,} ms"


def said_share(fraction: float) -> str:
    return "under 1%" if 0 < fraction < 0.005 else f"{round(fraction * 100)}%"


def step_text(track, step_id: str) -> str:
    return next(st.text for st in track.steps if st.step.id == step_id)


@pytest.mark.parametrize("length", list(LENGTHS))
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_covers_six_steps_with_its_own_numbers(path: Path, length: str) -> None:
    scenario, a = _load(path)
    track = build_talk_track(a, length, scenario=scenario)
    assert [st.step.id for st in track.steps] == list(STEP_IDS)
    assert all(st.sentences for st in track.steps), "every step says something"

    pct = f"p{a.sla.percentile:g}"
    clarify = step_text(track, "clarify")
    assert pct in clarify and said_ms(a.sla.target_ms) in clarify
    measure = step_text(track, "measure")
    if a.current.steady_state:
        assert said_ms(a.current.at_sla_percentile_ms) in measure
        gap_or_room = a.gap_ms if not a.meets_sla else a.headroom_ms
        assert said_ms(gap_or_room) in measure
    else:
        assert said_share(a.current.utilization) in measure
    bottleneck = step_text(track, "bottleneck")
    assert a.bottleneck.stage in bottleneck
    assert (
        said_share(a.bottleneck.share) in bottleneck or said_share(a.queueing_share) in bottleneck
    )
    assert pct in step_text(track, "rollout")
    if length != "30s":
        assert said_ms(a.current.p50_ms) in measure
        assert said_ms(a.sla.target_ms) in step_text(track, "rollout")
        assert f"{scenario.quality.max_accuracy_drop_pct:g}%" in track.text
    headroom = (a.model_extra or {}).get("headroom")
    if headroom is not None and not headroom["thin"]:  # met with room: no project
        fix = step_text(track, "fix")
        assert "already meets the target" in fix and said_ms(a.headroom_ms) in fix
    elif a.recommendations:  # the fix the plan takes first (value within risk)
        assert said_value(in_plan_order(a)[0]) in step_text(track, "fix")
    if a.options and length != "30s":
        assert any(o.name in step_text(track, "tradeoffs") for o in a.options)


def said_value(rec: Recommendation) -> str:
    """The part of a fix's value the track must quote, read from the engine's fields."""
    extra = rec.model_extra or {}
    if extra.get("perceived_saving_ms") is not None:
        low, high = extra["perceived_saving_ms"]
    elif extra.get("restores_stability"):
        return "keep up at peak"
    else:
        low, high = rec.saving_ms
    if round(low) == round(high) and high >= 10:
        return said_ms(high)
    if high < 10:
        return f"{low:.1f}–{high:.1f} ms"
    return f"{round(low):,}–{round(high):,} ms"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_lengths_stay_within_word_budgets(path: Path) -> None:
    scenario, a = _load(path)
    words = {}
    for length, (low, high) in BUDGET.items():
        track = build_talk_track(a, length, scenario=scenario)
        words[length] = track.words
        assert low <= track.words <= high, f"{length}: {track.words} words"
        assert track.words == len(track.text.split())
    assert words["30s"] < words["2min"] < words["deep"]


EMPTY_SLOT = re.compile(
    r"\bNone\b|\bnan\b|\binf\b|[{}]|  |\s[.,;:]|\.\.|\(\)|–\s*ms|(?<![\d.])0(\.0)? ms"
)


@pytest.mark.parametrize("length", list(LENGTHS))
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_text_reads_naturally(path: Path, length: str) -> None:
    scenario, a = _load(path)
    for with_scenario in (scenario, None):
        track = build_talk_track(a, length, scenario=with_scenario)
        sentences = track.sentences
        assert len(sentences) == len(set(sentences)), "no sentence is said twice"
        for sentence in sentences:
            assert not EMPTY_SLOT.search(sentence), sentence
            assert sentence.lstrip("“")[0].isupper() and sentence[-1] in ".?!", sentence
            assert len(sentence.split()) <= 60, sentence


def _with_engine_output(a: Analysis) -> Analysis:
    """The analysis as the rule engine fills it: fixes, a cumulative plan and options."""
    at = a.current.at_sla_percentile_ms
    recs = [
        Recommendation(
            rule="cache-repeats",
            title="Cache repeated results",
            level="system",
            technique="caching",
            stage=a.bottleneck.stage,
            saving_ms=(at * 0.1, at * 0.2),
            accuracy_risk="none",
            cost="low",
            effort_days=(2, 4),
            why="repeats are common",
        ),
        Recommendation(
            rule="faster-runtime",
            title="Faster runtime",
            level="serving",
            technique="runtime",
            stage=a.bottleneck.stage,
            saving_ms=(at * 0.2, at * 0.3),
            accuracy_risk="none",
            cost="none",
            effort_days=(3, 6),
            why="the runtime is slow",
        ),
        Recommendation(
            rule="int8",
            title="INT8 quantization",
            level="model",
            technique="quantization_int8",
            stage=a.bottleneck.stage,
            saving_ms=(at * 0.3, at * 0.4),
            accuracy_risk="low",
            cost="saves",
            effort_days=(5, 10),
            why="compute bound",
        ),
    ]
    target = a.sla.target_ms
    plan = [
        PlanStep(rule="cache-repeats", projected_ms=at * 0.85, meets_sla=at * 0.85 <= target),
        PlanStep(rule="faster-runtime", projected_ms=at * 0.6, meets_sla=at * 0.6 <= target),
        PlanStep(rule="int8", projected_ms=target * 0.9, meets_sla=True),
    ]
    options = [
        Option(
            name="Fastest, some quality risk",
            rules=["cache-repeats", "faster-runtime", "int8"],
            projected_ms=target * 0.9,
            meets_sla=True,
            accuracy_risk="low",
            cost="low",
            effort_days=(10, 20),
        ),
        Option(
            name="Same quality, slower",
            rules=["cache-repeats", "faster-runtime"],
            projected_ms=at * 0.6,
            meets_sla=at * 0.6 <= target,
            accuracy_risk="none",
            cost="low",
            effort_days=(5, 10),
        ),
    ]
    return a.model_copy(update={"recommendations": recs, "plan": plan, "options": options})


@pytest.mark.parametrize("length", list(LENGTHS))
def test_engine_fixes_plan_and_options_are_quoted(length: str) -> None:
    scenario, base = _load(EXAMPLES[[p.stem for p in EXAMPLES].index("rag_assistant")])
    a = _with_engine_output(base)
    track = build_talk_track(a, length, scenario=scenario)
    fix = step_text(track, "fix")
    low, high = a.recommendations[0].saving_ms
    assert f"{round(low):,}–{round(high):,} ms" in fix
    assert "cache repeated results" in fix
    tradeoffs = step_text(track, "tradeoffs")
    assert "Fastest, some quality risk" in tradeoffs  # meets the SLA: the one to propose
    assert said_ms(a.options[0].projected_ms) in tradeoffs
    if length != "30s":
        assert said_ms(a.plan[-1].projected_ms) in fix
        assert "Same quality, slower" in tradeoffs
        sentences = track.sentences
        assert len(sentences) == len(set(sentences))
    assert track.words <= LENGTHS[length].max_words


def test_markdown_export_has_a_heading_per_step_and_escapes_names() -> None:
    scenario, a = _load(EXAMPLES[0])
    a = a.model_copy(update={"scenario": "Nightly *churn* [beta]"})
    md = talk_track_markdown(build_talk_track(a, "2min", scenario=scenario), ["Why p99?"])
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert [h.split(". ", 1)[1] for h in headings[:6]] == [s.title for s in STEPS]
    assert "# Talk track: Nightly \\*churn\\* \\[beta\\]" in md
    assert "- Why p99?" in md


def test_streaming_and_stability_fixes_are_said_for_what_they_do() -> None:
    scenario, base = _load(EXAMPLES[[p.stem for p in EXAMPLES].index("rag_assistant")])
    stream = Recommendation(
        rule="stream",
        title="Stream tokens",
        level="system",
        technique="streaming",
        stage="LLM inference",
        saving_ms=(0.0, 0.0),
        accuracy_risk="none",
        cost="none",
        effort_days=(2, 5),
        why="perceived",
        perceived_saving_ms=(2400.0, 3100.0),
    )
    scale = Recommendation(
        rule="scale",
        title="Add replicas",
        level="system",
        technique="capacity",
        stage=None,
        saving_ms=(0.0, 0.0),
        accuracy_risk="none",
        cost="medium",
        effort_days=(1, 2),
        why="unstable",
        restores_stability=True,
    )
    a = base.model_copy(update={"recommendations": [stream, scale]})
    for length in LENGTHS:
        fix = step_text(build_talk_track(a, length, scenario=scenario), "fix")
        assert "cuts the wait for the first output by 2,400–3,100 ms" in fix
        assert "0.0" not in fix
        if length != "30s":
            assert "keeps up at peak" in fix
