"""The accuracy budget against accuracy risk: which risk a budget admits, and on what condition.

Each risk level stands for a typical accuracy drop on the task's own metric. A budget admits a
level outright when it covers the level's whole typical range, and only with an offline
evaluation step (measure the drop on a held-out set, hard slices included, before rollout) when
it covers the low end only. This matches the engine's `allowed_risk`, which admits a level up to
the evaluation condition; the options name the evaluation where it is needed.

| risk   | typical drop  | admitted outright | with an offline evaluation |
| ------ | ------------- | ----------------- | -------------------------- |
| none   | 0 %           | any budget        |                            |
| low    | up to 0.5 %   | budget ≥ 0.5 %    | budget > 0                 |
| medium | 0.5 – 2 %     | budget ≥ 2 %      | budget ≥ 0.5 %             |
| high   | 2 – 5 % +     | budget ≥ 5 %      | budget ≥ 2 %               |

Sources for the typical drops: INT8 post-training quantization within ~1 % on most CNN and
transformer benchmarks (Jacob et al., CVPR 2018; Dettmers et al., LLM.int8(), 2022); 4-bit
weight-only LLM quantization within ~1–2 points of perplexity-matched quality (Frantar et al.,
GPTQ, ICLR 2023; Lin et al., AWQ, MLSys 2024); distillation and smaller models keep 95–97 % of
the teacher's score (Sanh et al., DistilBERT, 2019), i.e. a few points on hard tasks.
"""

from __future__ import annotations

from dataclasses import dataclass

from latency_advisor.rules.techniques import RISKS, risk_rank


@dataclass(frozen=True)
class RiskRow:
    risk: str
    typical_drop: str
    outright_pct: float | None  # the budget from which the level needs no evaluation
    evaluated_pct: float | None  # the budget from which it is admitted with an evaluation


RISK_TABLE: tuple[RiskRow, ...] = (
    RiskRow("none", "0 %, answers unchanged", 0.0, None),
    RiskRow("low", "up to 0.5 %", 0.5, 0.0),
    RiskRow("medium", "0.5–2 %", 2.0, 0.5),
    RiskRow("high", "2–5 % or more", 5.0, 2.0),
)
EVALUATION_DAYS = (2.0, 5.0)  # building the held-out set and running it on the changed model


def _row(risk: str) -> RiskRow:
    return RISK_TABLE[risk_rank(risk)]


def admits_outright(budget_pct: float, risk: str) -> bool:
    row = _row(risk)
    return row.outright_pct is not None and budget_pct >= row.outright_pct


def admits(budget_pct: float, risk: str) -> bool:
    """Within the budget, with an offline evaluation where the level needs one."""
    if admits_outright(budget_pct, risk):
        return True
    row = _row(risk)
    return row.evaluated_pct is not None and budget_pct > 0 and budget_pct >= row.evaluated_pct


def highest_admitted(budget_pct: float) -> str:
    return max((r for r in RISKS if admits(budget_pct, r)), key=risk_rank)


def needs_evaluation(budget_pct: float, risk: str) -> bool:
    return admits(budget_pct, risk) and not admits_outright(budget_pct, risk)


def evaluation_step(budget_pct: float, rules: list[str]) -> str:
    """The offline evaluation an option must pass before rollout, in one sentence."""
    named = ", ".join(rules)
    return (
        f"Offline evaluation before rollout: measure the accuracy drop of {named} on a held-out "
        f"set, hard slices included; ship only within {budget_pct:g} %."
    )


def table_rows(budget_pct: float) -> list[dict[str, object]]:
    """The table for the public JSON and the text output, with this budget's verdict per row."""
    rows = []
    for r in RISK_TABLE:
        if admits_outright(budget_pct, r.risk):
            verdict = "admitted"
        elif admits(budget_pct, r.risk):
            verdict = "admitted with an offline evaluation"
        else:
            verdict = "not admitted"
        rows.append(
            {
                "risk": r.risk,
                "typical_drop": r.typical_drop,
                "admitted_outright_from_pct": r.outright_pct,
                "admitted_with_evaluation_from_pct": r.evaluated_pct,
                "this_budget": verdict,
            }
        )
    return rows
