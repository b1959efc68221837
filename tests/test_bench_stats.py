"""Benchmark statistics against known distributions; the open-loop schedule and timing."""

from __future__ import annotations

import time

import numpy as np
import pytest

from latency_advisor.bench.openloop import predicted_latency
from latency_advisor.bench.stats import (
    StopRule,
    binomial_cdf,
    percentile,
    quantile_ci_ranks,
    ratio_interval,
    summarize,
)
from latency_advisor.bench.timing import closed_loop, open_loop, poisson_schedule


def test_binomial_cdf_matches_direct_sum():
    from math import comb

    n, q = 40, 0.3
    direct = np.cumsum([comb(n, k) * q**k * (1 - q) ** (n - k) for k in range(n + 1)])
    assert np.allclose(binomial_cdf(n, q), direct, atol=1e-12)


def test_p99_needs_enough_samples_for_an_upper_bound():
    # two-sided 95%: the upper rank exists once 1 - 0.99^n >= 0.975, i.e. n >= 368
    assert quantile_ci_ranks(367, 0.99)[1] is None
    assert quantile_ci_ranks(368, 0.99)[1] is not None
    # one-sided 95% (confidence 0.90 two-sided): the classic 299
    assert quantile_ci_ranks(298, 0.99, confidence=0.90)[1] is None
    assert quantile_ci_ranks(299, 0.99, confidence=0.90)[1] is not None


@pytest.mark.parametrize(
    ("name", "draw", "true_q"),
    [
        ("exponential", lambda r, n: r.exponential(2.0, n), lambda q: -2.0 * np.log1p(-q)),
        ("uniform", lambda r, n: r.uniform(0, 10, n), lambda q: 10 * q),
    ],
)
def test_percentiles_of_known_distributions(name, draw, true_q):
    rng = np.random.default_rng(7)
    samples = draw(rng, 50_000)
    for pct in (50, 95, 99):
        est = percentile(samples, pct)
        truth = true_q(pct / 100)
        assert est.ci_low <= truth <= est.ci_high, (name, pct, est, truth)
        assert abs(est.value - truth) / truth < 0.05


@pytest.mark.parametrize(("pct", "n"), [(50, 101), (95, 400), (99, 1000)])
def test_ci_coverage_is_at_least_nominal(pct, n):
    """Over many repeated samples the 95% interval holds the true percentile >= ~95%."""
    rng = np.random.default_rng(pct)
    trials = 2000
    data = np.sort(rng.lognormal(0.0, 0.8, size=(trials, n)), axis=1)
    truth = float(np.exp(0.8 * _normal_quantile(pct / 100)))
    lo, hi = quantile_ci_ranks(n, pct / 100)
    assert lo is not None and hi is not None
    covered = (data[:, lo - 1] <= truth) & (truth <= data[:, hi - 1])
    assert covered.mean() >= 0.94  # exact intervals are conservative: >= 95% up to noise
    assert covered.mean() <= 0.995  # ... but not trivially wide


def _normal_quantile(q: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(q)


def test_summary_reports_spread():
    s = summarize(np.array([1.0, 1.0, 1.0, 1.0]))
    assert s.scv == 0 and s.p50.value == 1.0
    expo = summarize(np.random.default_rng(1).exponential(1.0, 20_000))
    assert 0.9 < expo.scv < 1.1  # exponential: SCV 1


def test_stop_rule_waits_for_a_narrow_interval():
    rule = StopRule(pct=99, rel_half_width=0.05, min_samples=100)
    rng = np.random.default_rng(3)
    assert not rule.satisfied(rng.exponential(1.0, 500))
    assert rule.satisfied(rng.exponential(1.0, 100_000))


def test_ratio_interval_brackets_the_point_ratio():
    rng = np.random.default_rng(4)
    base = percentile(rng.normal(10, 1, 5000), 50)
    fast = percentile(rng.normal(5, 0.5, 5000), 50)
    lo, hi = ratio_interval(base, fast)
    assert lo <= base.value / fast.value <= hi
    assert lo > 1.9 and hi < 2.1


def test_closed_loop_stops_on_budget_or_ci():
    calls = []
    samples = closed_loop(lambda: calls.append(1), StopRule(budget_s=0.3, rel_half_width=1e-9))
    assert len(samples) >= 100 and (samples >= 0).all()
    quick = closed_loop(lambda: None, StopRule(pct=50, rel_half_width=0.5, budget_s=5))
    assert len(quick) >= 100


def test_poisson_schedule_has_exponential_gaps():
    sched = poisson_schedule(200.0, 20_000, seed=1)
    gaps = np.diff(np.concatenate(([0.0], sched)))
    assert (gaps > 0).all()
    assert abs(gaps.mean() - 1 / 200) / (1 / 200) < 0.03
    assert abs(gaps.std() / gaps.mean() - 1.0) < 0.05  # CV of an exponential is 1
    assert np.array_equal(sched, poisson_schedule(200.0, 20_000, seed=1))


def test_open_loop_counts_the_queue_a_slow_server_builds():
    """At 2x overload the open loop sees the queue grow; service time alone stays ~5 ms."""
    schedule = np.arange(1, 41) * 0.0025  # 400 requests/s for 0.1 s, one worker of 5 ms
    run = open_loop(lambda: time.sleep(0.005), schedule, workers=1)
    assert run.latency_ms.size == 40
    assert np.median(run.service_ms) < 15
    # the last request waited for ~39 earlier ones minus its own offset: far above service
    assert run.latency_ms[-1] > 60
    assert run.latency_ms[-1] > 5 * np.median(run.service_ms)


def test_open_loop_more_workers_drain_the_queue():
    schedule = np.arange(1, 41) * 0.0025
    run = open_loop(lambda: time.sleep(0.005), schedule, workers=4)
    assert np.percentile(run.latency_ms, 90) < 30


def test_prediction_says_when_there_is_no_steady_state():
    service = np.full(100, 10.0)  # 10 ms
    over = predicted_latency(service, rps=200, workers=1)
    assert over["steady_state"] is False and "cannot keep up" in over["note"]
    light = predicted_latency(service, rps=10, workers=1)
    assert light["steady_state"] and 10.0 <= light["p50_ms"] < light["p99_ms"]
