"""Money: today's bill and each change's, checked by hand against replicas × hours × price."""

from __future__ import annotations

from pathlib import Path

import pytest

from latency_advisor.analysis import analyze
from latency_advisor.cli import main
from latency_advisor.money import HOURS_PER_MONTH, PRICE_TABLE, gpu_price, llm_gpus, prices
from latency_advisor.scenario import validate_scenario
from tests.conftest import EXAMPLES


def make(**over) -> dict:
    data = {
        "format": "latency-advisor/scenario/v1",
        "name": "Scorer",
        "sla": {"target_ms": 200, "percentile": 95},
        "traffic": {"peak_rps": 20, "replicas": 8},
        "stages": [
            {"name": "API", "kind": "network", "p50_ms": 10, "p95_ms": 20},
            {
                "name": "Scorer",
                "kind": "model",
                "p50_ms": 40,
                "p95_ms": 60,
                "model": {"family": "mlp", "hardware": "cpu", "runtime": "onnxruntime"},
            },
        ],
    }
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return data


def extra(model) -> dict:
    return model.model_extra or {}


def test_monthly_cost_is_replicas_times_hours_times_price_at_the_average_rate():
    s = validate_scenario(
        make(cost={"replica_hour_usd": 2.0, "engineer_day_usd": 800}, traffic={"average_rps": 5})
    )
    p = prices(s)
    # 8 replicas at peak; a quarter of peak on average → 2 replicas over the month
    assert p.monthly_usd == pytest.approx(8 * 2.0 * 730 * (5 / 20))
    assert p.monthly_usd == pytest.approx(2920.0)
    # per 1,000 requests at the average rate: 2,920 / (5 × 3,600 × 730 / 1,000)
    assert p.per_1000_requests_usd == pytest.approx(2920.0 / 13_140.0)
    assert p.one_off((3, 5)) == (2400.0, 4000.0)
    assert not any("Prices:" in a or "engineer-day" in a for a in p.assumptions)
    assert not any("Average traffic" in a for a in p.assumptions)


def test_the_fleet_never_averages_below_one_replica():
    s = validate_scenario(make(cost={"replica_hour_usd": 2.0}, traffic={"average_rps": 0.01}))
    assert prices(s).monthly_usd == pytest.approx(1 * 2.0 * HOURS_PER_MONTH)


def test_missing_prices_and_average_are_assumptions_in_the_output():
    a = analyze(validate_scenario(make()))
    said = " ".join(a.assumptions)
    assert "Prices: no cost.replica_hour_usd given" in said
    assert "CPU instance" in said and "$0.403/hour" in said
    assert "Average traffic over the month is taken as 50% of peak (10 requests/s" in said
    assert "$1,000 per engineer-day" in said
    money = extra(a)["running_cost"]
    assert money["average_rps"] == 10
    # one CPU instance per replica, 8 at peak and 4 on average
    assert money["monthly_usd"] == pytest.approx(8 * 0.403 * 730 * 0.5)


def test_stage_prices_add_to_the_shared_price_and_the_llm_is_priced_from_the_gpu_table():
    data = make(cost={"replica_hour_usd": 1.0})
    data["stages"][1]["cost"] = {"replica_hour_usd": 12.0}
    assert prices(validate_scenario(data)).replica_hour_usd == pytest.approx(13.0)
    llm = make()
    llm["stages"][1]["model"] = {
        "family": "llm",
        "params_millions": 70000,
        "precision": "fp16",
        "hardware": "gpu",
    }
    p = prices(validate_scenario(llm))
    # 140 GB of weights in at most 70 % of 80 GB per GPU: 3 GPUs, rounded up to 4
    assert p.stage_hour_usd("Scorer") == pytest.approx(4 * PRICE_TABLE["A100-80GB"].usd_per_hour)
    llm["stages"][1]["model"] |= {"gpu": "h100", "gpus": 2}
    p = prices(validate_scenario(llm))
    assert p.stage_hour_usd("Scorer") == pytest.approx(2 * 6.88)


def test_gpu_names_match_loosely_and_every_llm_gpu_has_a_price():
    for name in ("A10G", "L4", "L40S", "A100-40GB", "A100-80GB", "H100-80GB", "H200", "B200"):
        assert gpu_price(name) is not None and gpu_price(name)[0] == name
    assert gpu_price("MI300X")[0] == "MI300X"
    assert gpu_price("h100 80gb")[0] == "H100-80GB"
    assert gpu_price("A100") is None  # two sizes: ambiguous, priced as the default with a note
    s = validate_scenario(make())
    assert llm_gpus(s.stages[1], 80) == 1  # no parameter count: one GPU


def test_an_option_that_removes_replicas_saves_money():
    s = validate_scenario(make(cost={"replica_hour_usd": 2.0}, traffic={"average_rps": 10}))
    a = analyze(s)
    assert a.meets_sla
    fewer = [o for o in a.options if extra(o)["kind"] == "fewer_replicas"]
    assert fewer, [o.name for o in a.options]
    o = fewer[0]
    n = extra(o)["replicas"]
    assert n < 8 and o.meets_sla
    saving = (n - 8) * 2.0 * HOURS_PER_MONTH * 0.5  # half of peak on average
    assert extra(o)["monthly_cost_usd"] == (pytest.approx(saving), pytest.approx(saving))
    assert o.name == f"Run {n} replica{'s' * (n > 1)} instead of 8"
    keep = next(o for o in a.options if extra(o)["kind"] == "keep")
    assert extra(keep)["monthly_cost_usd"] == (0.0, 0.0) and extra(keep)["recommended"]


def test_every_recommendation_and_option_carries_both_money_ranges():
    a = analyze(validate_scenario(make(traffic={"replicas": 2, "peak_rps": 60})))
    rows = [*a.recommendations, *a.options]
    assert rows
    for row in rows:
        lo, hi = extra(row)["monthly_cost_usd"]
        assert lo <= hi
        one_lo, one_hi = extra(row)["one_off_cost_usd"]
        assert 0 <= one_lo <= one_hi
        assert one_lo == pytest.approx(row.effort_days[0] * 1000.0)


@pytest.mark.parametrize(
    ("cost", "field"),
    [
        ("cost: {replica_hour_usd: -1}", "cost.replica_hour_usd"),
        ("cost: {replica_hour_usd: two}", "cost.replica_hour_usd"),
        ("cost: {replica_hour_usd: '2.5'}", "cost.replica_hour_usd"),
        ("cost: {engineer_day_usd: true}", "cost.engineer_day_usd"),
        ("cost: {engineer_day_usd: .nan}", "cost.engineer_day_usd"),
        ("cost: {replica_hour_eur: 2}", "cost.replica_hour_eur"),
        ("cost: {currency: EUR}", "cost.currency"),
    ],
)
def test_bad_prices_exit_2_and_name_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cost: str, field: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text((EXAMPLES / "fraud_score.yaml").read_text() + "\n" + cost + "\n")
    assert main(["analyze", str(path)]) == 2
    err = capsys.readouterr().err
    assert field in err and "Traceback" not in err


def test_a_negative_stage_price_exits_2_and_names_the_stage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (EXAMPLES / "fraud_score.yaml").read_text()
    marker = "\n    kind: "
    at = text.index(marker)
    text = text[:at] + "\n    cost: {replica_hour_usd: -3}" + text[at:]
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    assert main(["analyze", str(path)]) == 2
    assert "stages[0].cost.replica_hour_usd" in capsys.readouterr().err


def test_analyze_json_carries_the_money_keys(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["analyze", str(EXAMPLES / "rag_assistant.yaml"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["running_cost"]["monthly_usd"] > 0
    assert data["running_cost"]["per_1000_requests_usd"] > 0
    assert 1 <= len(data["options"]) <= 4
    for row in [*data["recommendations"], *data["options"]]:
        for key in ("monthly_cost_usd", "one_off_cost_usd"):
            lo, hi = row[key]
            assert lo <= hi
        assert row["cost"] in ("saves", "none", "low", "medium", "high")
    assert [r["risk"] for r in data["quality_budget"]["risk_table"]] == [
        "none",
        "low",
        "medium",
        "high",
    ]
