"""Which option the report recommends, why not the others, and how user text is made safe."""

from __future__ import annotations

from latency_advisor.report.narrative import (
    executive_summary,
    recommended_option,
    steps_to_target,
    why_not,
)
from latency_advisor.report.text import esc
from latency_advisor.scenario import load_scenario
from tests.report_samples import EXAMPLES, plain_analysis, with_plan_and_options


def _setup():
    scenario = load_scenario(EXAMPLES / "rag_assistant.yaml")
    return scenario, with_plan_and_options(plain_analysis())


def test_the_only_option_meeting_the_target_is_recommended_and_others_explained():
    scenario, a = _setup()
    choice = recommended_option(a, scenario)
    assert choice.index == 0 and "only option that meets" in choice.reason
    reasons = dict(why_not(a, scenario, choice))
    assert set(reasons) == {esc(o.name) for o in a.options[1:]}
    assert all("misses the p95 target" in why for why in reasons.values())
    assert "first output after" in reasons[esc(a.options[2].name)]


def test_lowest_accuracy_risk_wins_among_options_that_meet_the_target():
    scenario, a = _setup()
    a.options[1].projected_ms = a.sla.target_ms * 0.9
    a.options[1].meets_sla = True
    choice = recommended_option(a, scenario)
    assert choice.index == 1  # low risk beats medium risk
    reasons = dict(why_not(a, scenario, choice))
    assert "higher accuracy risk (medium against low)" in reasons[esc(a.options[0].name)]


def test_no_accuracy_budget_rules_out_risky_options():
    scenario, a = _setup()
    scenario.quality.max_accuracy_drop_pct = 0
    choice = recommended_option(a, scenario)
    assert a.options[choice.index].accuracy_risk == "none"
    assert "comes closest" in choice.reason
    reasons = dict(why_not(a, scenario, choice))
    assert "more than the accuracy budget (0%) allows" in reasons[esc(a.options[0].name)]


def test_an_option_the_engine_flags_is_recommended():
    scenario, a = _setup()
    flagged = a.options[2].model_copy(update={"recommended": True})
    a.options[2] = flagged
    assert recommended_option(a, scenario).index == 2


def test_summary_without_options_or_plan_says_what_to_do_next():
    scenario = load_scenario(EXAMPLES / "batch_scoring.yaml")
    a = plain_analysis("batch_scoring", advice=False)
    choice = recommended_option(a, scenario)
    assert choice.index is None and steps_to_target(a) is None
    text = " ".join(executive_summary(a, scenario, choice))
    assert "No change is needed now" in text and "meets the target" in text


def test_user_text_is_escaped_and_cleaned():
    assert esc('<img src="x"> & <b>') == '&lt;img src="x"&gt; &amp; &lt;b&gt;'
    assert esc("a\x00b\x07c\r\nd") == "abc<br/>d"


def test_decision_asks_for_effort_risk_and_speed_versus_first_response():
    scenario, a = _setup()
    choice = recommended_option(a, scenario)
    text = " ".join(executive_summary(a, scenario, choice))
    assert "Please approve about 15–30 days of work" in text
    assert "accept a medium accuracy risk" in text
    assert "a first response on screen after about 200 ms" in text
