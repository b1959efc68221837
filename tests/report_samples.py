"""Analyses for report tests: a real analysis of an example plus a plan and options shaped
like the three options of the seed material (fast with some risk, same quality, streaming).

The rule engine fills these lists in the product; here they are written out so the report's
layout can be checked with and without them, whatever rules exist.
"""

from __future__ import annotations

from pathlib import Path

from latency_advisor.analysis import Analysis, Option, PlanStep, Recommendation, analyze
from latency_advisor.scenario import load_scenario

EXAMPLES = Path(__file__).resolve().parent.parent / "resources" / "examples"

FIXES = [
    ("stream-llm-tokens", "Stream the answer's tokens", "system", "streaming", 0.0, "none", "low"),
    ("semantic-cache", "Cache answers to similar questions", "system", "semantic_caching", 0.15,
     "low", "low"),
    ("ann-index", "Approximate vector search (HNSW)", "system", "ann_index", 0.08, "low", "none"),
    ("continuous-batching", "Continuous batching", "serving", "continuous_batching", 0.2, "none",
     "saves"),
    ("smaller-model", "Fine-tuned 7B model instead of 70B", "model", "smaller_model", 0.5,
     "medium", "saves"),
]  # fmt: skip


def plain_analysis(name: str = "rag_assistant", *, advice: bool = True) -> Analysis:
    """The real analysis of a bundled example; without the rule engine's advice if asked."""
    return analyze(load_scenario(EXAMPLES / f"{name}.yaml"), advice=advice)


def with_plan_and_options(analysis: Analysis) -> Analysis:
    """The analysis with recommendations, a cumulative plan and three options filled in."""
    a = analysis.model_copy(deep=True)
    a.recommendations, a.plan = [], []
    projected = a.current.at_sla_percentile_ms
    for rule, title, level, technique, fraction, risk, cost in FIXES:
        saving = projected * fraction
        a.recommendations.append(
            Recommendation(
                rule=rule,
                title=title,
                level=level,
                technique=technique,
                stage=a.bottleneck.stage,
                saving_ms=(saving * 0.7, saving * 1.2),
                accuracy_risk=risk,
                cost=cost,
                effort_days=(2, 8),
                why=f"{title}: the bottleneck's time drops by about {fraction:.0%}.",
            )
        )
        projected -= saving
        a.plan.append(
            PlanStep(rule=rule, projected_ms=projected, meets_sla=projected <= a.sla.target_ms)
        )
    target = a.sla.target_ms
    a.options = [
        Option(name="Fastest: smaller model and caching", rules=["smaller-model", "semantic-cache"],
               projected_ms=target * 0.96, meets_sla=True, accuracy_risk="medium", cost="saves",
               effort_days=(15, 30)),
        Option(name="Same quality: optimise the pipeline", rules=["ann-index",
               "continuous-batching"], projected_ms=target * 1.6, meets_sla=False,
               accuracy_risk="low", cost="low", effort_days=(8, 18)),
        Option(name="Stream with progressive display", rules=["stream-llm-tokens"],
               projected_ms=a.current.at_sla_percentile_ms * 0.95, perceived_ms=target * 0.4,
               meets_sla=False, accuracy_risk="none", cost="none", effort_days=(2, 5)),
    ]  # fmt: skip
    return a
