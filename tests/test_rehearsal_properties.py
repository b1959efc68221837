"""The talk track holds its promises on scenarios nobody wrote by hand (hypothesis)."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from latency_advisor.analysis import analyze
from latency_advisor.rehearsal import LENGTHS, build_talk_track
from latency_advisor.rehearsal.framework import STEP_IDS
from latency_advisor.scenario import STAGE_KINDS, validate_scenario

WORDS = ["API", "feature", "lookup", "ranker", "encoder", "cache", "decode", "search", "LLM"]
EMPTY_SLOT = re.compile(r"\bNone\b|\bnan\b|\binf\b|[{}]|  |\s[.,;:]|\.\.|\(\)")


@st.composite
def scenarios(draw):
    count = draw(st.integers(1, 6))
    stages = []
    for i in range(count):
        p50 = draw(st.floats(0.5, 2000, allow_nan=False))
        stages.append(
            {
                "name": f"{draw(st.sampled_from(WORDS))} stage {i + 1}",
                "kind": draw(st.sampled_from(STAGE_KINDS)),
                "p50_ms": round(p50, 2),
                "p95_ms": round(p50 * draw(st.floats(1.0, 3.0)), 2),
            }
        )
    return validate_scenario(
        {
            "format": "latency-advisor/scenario/v1",
            "name": "Generated path",
            "sla": {
                "target_ms": draw(st.sampled_from([5, 50, 100, 500, 3000])),
                "percentile": draw(st.sampled_from([50, 90, 95, 99, 99.9])),
                "workload": draw(st.sampled_from(["interactive", "batch", "streaming"])),
            },
            "traffic": {
                "peak_rps": draw(st.sampled_from([0, 0.5, 5, 50, 400])),
                "replicas": draw(st.integers(1, 8)),
            },
            "quality": {"max_accuracy_drop_pct": draw(st.sampled_from([0, 0.5, 1, 5]))},
            "stages": stages,
        }
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_any_scenario_gives_six_steps_within_budget_without_empty_slots(scenario) -> None:
    analysis = analyze(scenario)
    previous = 0
    for length in LENGTHS.values():
        track = build_talk_track(analysis, length.id, scenario=scenario)
        assert [s.step.id for s in track.steps] == list(STEP_IDS)
        assert all(s.sentences for s in track.steps)
        assert track.words <= length.max_words
        assert track.words > previous
        previous = track.words
        sentences = track.sentences
        assert len(sentences) == len(set(sentences))
        for sentence in sentences:
            assert not EMPTY_SLOT.search(sentence), sentence
