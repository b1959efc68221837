"""Effects go through the latency model, and each is honest about what it changes."""

from __future__ import annotations

import numpy as np
import pytest

from latency_advisor.analysis import analyze
from latency_advisor.rules.effects import stage_transform, traffic
from latency_advisor.rules.engine import Projector
from latency_advisor.rules.schema import Effect
from latency_advisor.scenario import validate_scenario


def make_scenario(**overrides):
    data = {
        "format": "latency-advisor/scenario/v1",
        "name": "two stages",
        "sla": {"target_ms": 150, "percentile": 95},
        "traffic": {"peak_rps": 5, "replicas": 2},
        "stages": [
            {"name": "fetch", "kind": "feature_fetch", "p50_ms": 20, "p95_ms": 60, "p99_ms": 140},
            {"name": "model", "kind": "model", "p50_ms": 80, "p95_ms": 100, "p99_ms": 120},
        ],
    }
    data.update(overrides)
    return validate_scenario(data)


@pytest.fixture(scope="module")
def projector():
    s = make_scenario()
    return Projector(s, analyze(s, advice=False))


def one_step(projector, stage, **effect):
    spec = Effect(**effect)
    values = {k: float(v[0]) for k, v in effect.items() if isinstance(v, list)}
    info = projector.stage_info[stage]
    transform = stage_transform(info, spec, values)
    return projector.model.estimate(
        projector.rps,
        projector.servers,
        projector.percentile,
        transforms=[transform],
        method="formula",
        with_shares=False,
    ).at_percentile_ms


def base_ms(projector):
    return projector.model.estimate(
        projector.rps, projector.servers, projector.percentile, method="formula", with_shares=False
    ).at_percentile_ms


def test_a_cache_with_a_low_hit_rate_leaves_the_tail_alone(projector):
    base = base_ms(projector)
    low = one_step(projector, "model", hit_rate=[0.03, 0.03], hit_ms=[1.0, 1.0])
    high = one_step(projector, "model", hit_rate=[0.6, 0.6], hit_ms=[1.0, 1.0])
    # at p95 a 3 % hit rate is still a miss: the tail barely moves; a 60 % hit rate does
    assert abs(base - low) < 0.04 * base
    assert high < 0.85 * base


def test_hedging_cuts_the_tail_more_than_the_middle(projector):
    info = projector.stage_info["fetch"]
    transform = stage_transform(info, Effect(hedge_percentile=95), {})
    x = projector.model.samples["fetch"]
    before = x.copy()
    out = transform(dict(projector.model.samples), np.random.default_rng(1))["fetch"]
    assert np.array_equal(x, before)  # inputs are never mutated
    assert np.percentile(out, 99) < 0.8 * np.percentile(x, 99)
    assert np.percentile(out, 50) > 0.9 * np.percentile(x, 50)


def test_running_alongside_the_previous_stage_leaves_only_what_sticks_out(projector):
    info = projector.stage_info["model"]
    transform = stage_transform(info, Effect(overlap_previous=True), {})
    samples = dict(projector.model.samples)
    out = transform(samples, np.random.default_rng(1))
    total = out["fetch"] + out["model"]
    expected = np.maximum(samples["fetch"], samples["model"])
    assert np.allclose(total, expected)


def test_a_speedup_divides_and_a_cut_removes_a_share(projector):
    info = projector.stage_info["model"]
    samples = dict(projector.model.samples)
    sped = stage_transform(info, Effect(speedup=[2.0, 2.0]), {"speedup": 2.0})(samples, None)
    cut = stage_transform(info, Effect(cut=[0.25, 0.25]), {"cut": 0.25})(samples, None)
    assert np.allclose(sped["model"], samples["model"] / 2)
    assert np.allclose(cut["model"], samples["model"] * 0.75)


def test_traffic_effects_change_rate_and_servers():
    effect = Effect(load_kept=[0.9, 0.8], servers_factor=[2.0, 2.0])
    rps, servers = traffic({"load_kept": 0.8, "servers_factor": 2.0}, effect, 100.0, 3, {})
    assert (rps, servers) == (80.0, 6)
    effect = Effect(servers_for="stability")
    assert traffic({}, effect, 100.0, 3, {"stability": 9, "sla": 12}) == (100.0, 9)


def test_int8_gain_depends_on_the_cpu():
    def saving(vnni: bool) -> float:
        s = make_scenario(
            stages=[
                {
                    "name": "bert",
                    "kind": "model",
                    "p50_ms": 70,
                    "p95_ms": 100,
                    "model": {
                        "family": "transformer_encoder",
                        "precision": "fp32",
                        "hardware": "cpu",
                        "runtime": "onnxruntime",
                        "params_millions": 110,
                    },
                    "facts": {"cpu_vnni": vnni},
                }
            ]
        )
        rec = next(r for r in analyze(s).recommendations if r.rule == "int8-quantization-cpu")
        return sum(rec.saving_ms) / 2

    assert saving(True) > 1.3 * saving(False)


def test_batching_adds_latency_at_low_traffic_and_helps_under_load():
    def batching(rps: float):
        s = make_scenario(
            traffic={"peak_rps": rps, "replicas": 2},
            stages=[
                {
                    "name": "cnn",
                    "kind": "model",
                    "p50_ms": 30,
                    "p95_ms": 45,
                    "model": {"family": "cnn", "hardware": "gpu", "batching": "none"},
                }
            ],
        )
        a = analyze(s)
        listed = [r for r in a.recommendations if r.technique == "dynamic_batching"]
        left = [x for x in a.model_extra["not_recommended"] if x["rule"] == "dynamic-batching"]
        return listed, left

    listed, left = batching(2.0)
    assert not listed and "nothing to batch" in left[0]["reason"]
    listed, left = batching(60.0)  # 90 % utilization: throughput is what the tail needs
    assert listed and listed[0].saving_ms[0] > 0 and not left
