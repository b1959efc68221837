"""Drills: cards load, expected orders come from the engine (or the card), scoring is exact."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest

from latency_advisor.analysis import Analysis, Option, Recommendation, analyze
from latency_advisor.rehearsal.cards import CardError, find_card, load_card_file, load_cards
from latency_advisor.rehearsal.drill import (
    AnswerError,
    DrillAnswer,
    expected_answer,
    shuffled_items,
)
from latency_advisor.rehearsal.scoring import (
    MEASURE_POINTS,
    METRIC_POINTS,
    OPTION_POINTS,
    ORDER_POINTS,
    ROLLOUT_POINTS,
    SELECTION_POINTS,
    format_score,
    score_answer,
)
from latency_advisor.rehearsal.wording import LEVEL_RANK, level_of, technique_label

NO_OPTIONS_MAX = ORDER_POINTS + SELECTION_POINTS + MEASURE_POINTS + ROLLOUT_POINTS + METRIC_POINTS


def _analysis(card_id: str) -> Analysis:
    return analyze(find_card(card_id).load_scenario())


def _card_only(card_id: str) -> Analysis:
    """The card's analysis as it is before the rule engine speaks: no fixes, no options."""
    return _analysis(card_id).model_copy(update={"recommendations": [], "options": []})


def _perfect(expected) -> DrillAnswer:
    return DrillAnswer(
        items=["measure", *expected.order, "rollout"],
        metric=expected.metric,
        option=expected.best_option.name if expected.best_option else None,
    )


def test_the_seven_cards_of_the_source_material_load_with_their_scenarios() -> None:
    cards = load_cards()
    assert {c.scenario for c in cards} == {
        "rag_assistant",
        "mobile_classifier",
        "bert_intent",
        "video_analytics",
        "recommender",
        "fraud_score",
        "batch_scoring",
    }
    for card in cards:
        scenario = card.load_scenario()
        assert scenario.stages
        assert card.tradeoff_questions
        assert not set(card.candidates) & set(card.distractors)


@pytest.mark.parametrize("card", load_cards(), ids=lambda c: c.id)
def test_card_order_without_engine_runs_system_then_serving_then_model(card) -> None:
    a = _card_only(card.id)
    expected = expected_answer(card, a)
    assert expected.source == "card"
    ranks = [LEVEL_RANK[level_of(t)] for t in expected.order]
    assert ranks == sorted(ranks)
    assert set(expected.order) == set(card.candidates)
    shown = shuffled_items(expected)
    assert sorted(shown) == sorted(expected.items) and shown != expected.items
    score = score_answer(expected, _perfect(expected))
    assert score.percent == 100 and not score.findings


def test_one_swapped_pair_costs_exactly_one_pair_of_order_points() -> None:
    card = find_card("bert-intent")
    ex = expected_answer(card, _card_only("bert-intent"))
    assert ex.order == [
        "runtime",
        "graph_optimization",
        "threads",
        "quantization_int8",
        "distillation",
    ]
    items = [
        "measure",
        "runtime",
        "graph_optimization",
        "quantization_int8",
        "threads",
        "distillation",
        "rollout",
    ]
    score = score_answer(ex, DrillAnswer(items, metric="p95"))
    pairs = len(list(combinations(ex.order, 2)))
    assert score.points == pytest.approx(NO_OPTIONS_MAX - ORDER_POINTS / pairs, abs=0.05)
    assert score.max_points == NO_OPTIONS_MAX  # no options in the analysis: not scored
    (finding,) = score.findings
    assert finding.part == "order"
    assert technique_label("threads") in finding.message
    assert "serving" in finding.message and "accuracy" in finding.message
    assert score.mistakes == []


def test_quantization_before_measuring_without_rollout_and_the_average_names_the_mistakes() -> None:
    card = find_card("fraud-feature-fetch")
    ex = expected_answer(card, _card_only("fraud-feature-fetch"))
    answer = DrillAnswer(
        items=["quantization_int8", "measure", "colocate", "fewer_calls", "precompute", "caching"],
        metric="average",
    )
    score = score_answer(ex, answer)
    assert score.mistakes == sorted(
        [
            "quantization-before-measuring",
            "forgetting-rollout",
            "ignoring-the-tail",
            "model-first",
            "model-only-thinking",
        ]
    )
    # Lost: the distractor (1 of 6 selection decisions), measure, rollout, metric; order intact.
    lost = SELECTION_POINTS / 6 + MEASURE_POINTS + ROLLOUT_POINTS + METRIC_POINTS
    assert score.points == pytest.approx(NO_OPTIONS_MAX - lost, abs=0.05)
    text = format_score(score).lower()
    for phrase in (
        "jumping to quantization before measuring",
        "forgetting rollout",
        "ignoring the tail",
        "the model is a small tree",
    ):
        assert phrase in text


def test_model_first_with_system_fixes_available_is_named() -> None:
    card = find_card("rag-assistant")
    ex = expected_answer(card, _card_only("rag-assistant"))
    items = [
        "measure",
        "quantization_int4",
        *[t for t in ex.order if t != "quantization_int4"],
        "rollout",
    ]
    score = score_answer(ex, DrillAnswer(items, metric="p95"))
    assert "model-first" in score.mistakes
    assert "model-only-thinking" not in score.mistakes  # the LLM really is the bottleneck
    # quantization_int4 is last in the expected order: every other fix forms a wrong pair with it
    wrong = len(ex.order) - 1
    pairs = len(list(combinations(ex.order, 2)))
    assert score.points == pytest.approx(NO_OPTIONS_MAX - ORDER_POINTS * wrong / pairs, abs=0.05)


def test_metric_stricter_or_looser_than_the_target() -> None:
    card = find_card("rag-assistant")
    ex = expected_answer(card, _card_only("rag-assistant"))
    strict = score_answer(ex, DrillAnswer(["measure", *ex.order, "rollout"], metric="p99"))
    loose = score_answer(ex, DrillAnswer(["measure", *ex.order, "rollout"], metric="p90"))
    assert strict.points == pytest.approx(NO_OPTIONS_MAX - 0.3 * METRIC_POINTS)
    assert loose.points == pytest.approx(NO_OPTIONS_MAX - 0.6 * METRIC_POINTS)
    assert "ignoring-the-tail" not in strict.mistakes + loose.mistakes


def _rec(technique: str, level: str, saving: tuple[float, float]) -> Recommendation:
    return Recommendation(
        rule=f"r-{technique}",
        title=technique,
        level=level,
        technique=technique,
        stage=None,
        saving_ms=saving,
        accuracy_risk="none" if level != "model" else "low",
        cost="low",
        effort_days=(1, 3),
        why="test",
    )


def test_engine_order_replaces_the_cards_and_explains_savings() -> None:
    card = find_card("rag-assistant")
    recs = [
        _rec("semantic_caching", "system", (400.0, 900.0)),
        _rec("streaming", "system", (100.0, 300.0)),
        _rec("dynamic_batching", "serving", (50.0, 80.0)),  # a card distractor the engine wants
        _rec("smaller_model", "model", (1200.0, 1800.0)),
    ]
    options = [
        Option(
            name="Small model and cache",
            rules=["r-smaller_model"],
            projected_ms=480,
            meets_sla=True,
            accuracy_risk="low",
            cost="saves",
            effort_days=(10, 20),
        ),
        Option(
            name="Optimized pipeline",
            rules=["r-streaming"],
            projected_ms=800,
            meets_sla=False,
            accuracy_risk="none",
            cost="low",
            effort_days=(5, 10),
        ),
    ]
    a = _analysis("rag-assistant").model_copy(update={"recommendations": recs, "options": options})
    ex = expected_answer(card, a)
    assert ex.source == "engine"
    assert ex.order == ["semantic_caching", "streaming", "dynamic_batching", "smaller_model"]
    assert "dynamic_batching" not in ex.skip
    assert ex.best_option.name == "Small model and cache"

    swapped = DrillAnswer(
        [
            "measure",
            "streaming",
            "semantic_caching",
            "dynamic_batching",
            "smaller_model",
            "rollout",
        ],
        metric="p95",
        option="Optimized pipeline",
    )
    score = score_answer(ex, swapped)
    messages = " ".join(f.message for f in score.findings)
    assert "400–900 ms" in messages and "100–300 ms" in messages  # same level: by saving
    assert "“Small model and cache” meets the target" in messages
    assert score.points == pytest.approx(
        ORDER_POINTS * (1 - 1 / 6)
        + SELECTION_POINTS
        + MEASURE_POINTS
        + ROLLOUT_POINTS
        + METRIC_POINTS,
        abs=0.05,
    )
    assert score.max_points == NO_OPTIONS_MAX + OPTION_POINTS
    assert score_answer(ex, _perfect(ex)).percent == 100


def test_answers_naming_what_the_card_does_not_offer_are_user_errors() -> None:
    card = find_card("bert-intent")
    ex = expected_answer(card, _analysis("bert-intent"))
    with pytest.raises(AnswerError, match="'warp_drive' is not offered"):
        score_answer(ex, DrillAnswer(["measure", "warp_drive"]))
    with pytest.raises(AnswerError, match="metric 'p42'"):
        score_answer(ex, DrillAnswer(["measure"], metric="p42"))
    with pytest.raises(AnswerError, match="option 'Nope'"):
        score_answer(ex, DrillAnswer(["measure"], option="Nope"))
    with pytest.raises(AnswerError, match="twice"):
        score_answer(ex, DrillAnswer(["measure", "measure"]))


def test_a_broken_card_file_names_the_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: bad\ntitle: Bad\nscenario: rag_assistant\nquestion: Why?\n"
        "candidates: [caching, teleport]\n",
        encoding="utf-8",
    )
    with pytest.raises(CardError, match=r"bad\.yaml: field 'candidates'.*teleport"):
        load_card_file(bad)
    with pytest.raises(CardError, match="no drill card 'nope'; the cards are: "):
        find_card("nope")


def test_spoken_technique_levels_agree_with_the_rule_engines_vocabulary() -> None:
    from latency_advisor.rehearsal.wording import TECHNIQUES as SPOKEN

    ENGINE = pytest.importorskip("latency_advisor.rules.techniques").TECHNIQUES

    assert set(ENGINE) <= set(SPOKEN), "every engine word has a spoken phrase"
    assert {word: SPOKEN[word][0] for word in ENGINE} == dict(ENGINE)


def test_a_fix_beyond_the_quality_budget_belongs_left_out() -> None:
    card = find_card("rag-assistant")
    risky = _rec("quantization_int4", "model", (500.0, 900.0)).model_copy(
        update={"accuracy_risk": "high"}
    )
    risky.within_quality_budget = False
    recs = [_rec("streaming", "system", (100.0, 300.0)), risky]
    ex = expected_answer(
        card, _card_only("rag-assistant").model_copy(update={"recommendations": recs})
    )
    assert "quantization_int4" not in ex.order
    assert "quality budget" in ex.skip["quantization_int4"]
    included = DrillAnswer(["measure", "streaming", "quantization_int4", "rollout"], metric="p95")
    score = score_answer(ex, included)
    assert any("quality budget" in f.message for f in score.findings)
