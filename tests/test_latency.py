"""The latency model against closed forms and against the project's own long simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from latency_advisor.analysis import analyze, naive_sum, path_model
from latency_advisor.latency.distributions import StageFit, z_of
from latency_advisor.latency.model import WAIT_LABEL, PathModel, StageSpec
from latency_advisor.latency.queueing import allen_cunneen, erlang_c
from latency_advisor.latency.simulation import fifo_waits
from latency_advisor.scenario import load_scenario, parse_scenario
from tests.conftest import EXAMPLES


def spec(name: str, p50: float, p95=None, p99=None, kind="model", calls=1, group=None):
    return StageSpec(name, kind, StageFit.from_percentiles(p50, p95, p99, kind), calls, group)


# ------------------------------------------------------------------ stage fits


def test_fit_passes_through_every_given_percentile() -> None:
    fit = StageFit.from_percentiles(100, 180, 400)
    for pct, value in ((50, 100), (95, 180), (99, 400)):
        assert fit.quantile(pct) == pytest.approx(value, rel=1e-9)
    # two points: exactly a lognormal
    two = StageFit.from_percentiles(100, None, 200)
    sigma = math.log(2) / z_of(99)
    assert two.quantile(95) == pytest.approx(100 * math.exp(sigma * z_of(95)), rel=1e-9)


def test_only_p50_assumes_a_spread_and_says_so() -> None:
    fit = StageFit.from_percentiles(50, kind="network")
    assert fit.assumed_sigma is not None
    assert fit.quantile(95) > 50
    scenario = parse_scenario(
        "format: latency-advisor/scenario/v1\nname: x\nsla: {target_ms: 100, percentile: 95}\n"
        "traffic: {peak_rps: 0}\nstages:\n  - {name: A, kind: network, p50_ms: 50}\n"
    )
    result = analyze(scenario)
    assert result.stages[0].spread_assumed is True
    assert any("only p50" in a and "'A'" in a for a in result.assumptions)
    assert result.current.p95_ms > 50  # never silently treated as constant


def test_zero_and_constant_stages() -> None:
    model = PathModel([spec("zero", 0), spec("flat", 10, 10, 10), spec("m", 5, 6, 7)])
    est = model.estimate(0, 1, 99)
    assert est.at_percentile_ms == pytest.approx(10 + 7, rel=0.01)


def test_empirical_samples_are_used_when_they_agree() -> None:
    rng = np.random.default_rng(3)
    data = rng.gamma(2.0, 20.0, 4000)
    p50, p95, p99 = np.percentile(data, [50, 95, 99])
    text = (
        "format: latency-advisor/scenario/v1\nname: x\nsla: {target_ms: 100, percentile: 99}\n"
        f"traffic: {{peak_rps: 0}}\nstages:\n  - name: A\n    kind: model\n    p50_ms: {p50}\n"
        f"    p95_ms: {p95}\n    p99_ms: {p99}\n    samples_ms: {data.round(3).tolist()}\n"
    )
    result = analyze(parse_scenario(text))
    assert result.stages[0].distribution == "samples"
    assert result.current.p99_ms == pytest.approx(p99, rel=0.03)
    edited = text.replace(f"p50_ms: {p50}", f"p50_ms: {p50 * 2}")
    result = analyze(parse_scenario(edited))
    assert result.stages[0].distribution == "percentiles"
    assert any("disagree" in a for a in result.assumptions)


# ------------------------------------------------------------------ composition


def test_sum_of_normal_stages_matches_closed_form() -> None:
    model = PathModel([spec("a", 1), spec("b", 1), spec("c", 1)])
    rng = np.random.default_rng(7)
    n = model.n
    samples = {name: rng.normal(100, 15, n) for name in ("a", "b", "c")}
    est = model.estimate(0, 1, 99, samples=samples)
    expected = 300 + z_of(99) * 15 * math.sqrt(3)
    assert est.at_percentile_ms == pytest.approx(expected, rel=0.01)
    assert est.p(50) == pytest.approx(300, rel=0.005)


def test_percentiles_do_not_add() -> None:
    """Three independent stages of p50 100 / p99 200 compose to well under 600 ms."""
    text = "\n".join(f"  - {{name: S{i}, kind: model, p50_ms: 100, p99_ms: 200}}" for i in range(3))
    scenario = parse_scenario(
        "format: latency-advisor/scenario/v1\nname: x\nsla: {target_ms: 500, percentile: 99}\n"
        f"traffic: {{peak_rps: 0}}\nstages:\n{text}\n"
    )
    result = analyze(scenario)
    assert result.current.sum_of_stage_percentiles_ms == pytest.approx(600)
    # the exact p99 of a sum of three such lognormals (a long direct simulation)
    rng = np.random.default_rng(11)
    sigma = math.log(2) / z_of(99)
    direct = rng.lognormal(math.log(100), sigma, (3, 2_000_000)).sum(axis=0)
    exact = float(np.percentile(direct, 99))
    assert result.current.p99_ms == pytest.approx(exact, rel=0.02)
    assert result.current.p99_ms < 0.85 * 600


def test_parallel_group_takes_the_slowest_member() -> None:
    model = PathModel(
        [spec("a", 50, 60, 70, group="g"), spec("b", 80, 90, 100, group="g"), spec("c", 10)]
    )
    est = model.estimate(0, 1, 50)
    assert 85 < est.p(50) < 95  # ~ max(a, b) + c = 80 + 10, never 50 + 80 + 10
    shares = est.shares
    assert shares["b"] > shares["a"]
    assert sum(shares.values()) == pytest.approx(1.0, abs=0.01)


def test_calls_add_sequentially() -> None:
    one = PathModel([spec("a", 100, 150)]).estimate(0, 1, 50)
    three = PathModel([spec("a", 100, 150, calls=3)]).estimate(0, 1, 50)
    many = PathModel([spec("a", 10, 15, calls=40)]).estimate(0, 1, 50)
    assert three.mean_service_ms == pytest.approx(3 * one.mean_service_ms, rel=0.01)
    assert many.mean_service_ms == pytest.approx(40 * one.mean_service_ms / 10, rel=0.02)


def test_shares_sum_to_one_with_the_wait(example_paths) -> None:
    for path in example_paths:
        result = analyze(load_scenario(path))
        total = sum(s.share for s in result.stages) + result.queueing_share
        assert total == pytest.approx(1.0, abs=0.02), path.name


def test_naive_sum_reported_beside_composed(example_paths) -> None:
    for path in example_paths:
        scenario = load_scenario(path)
        result = analyze(scenario)
        assert result.current.sum_of_stage_percentiles_ms == pytest.approx(
            naive_sum(scenario, path_model(scenario))
        )
        if scenario.traffic.peak_rps == 0 or result.current.queueing_wait_ms == 0:
            assert result.current.at_sla_percentile_ms <= result.current.sum_of_stage_percentiles_ms


# ------------------------------------------------------------------ queueing closed forms


def test_erlang_c_known_values() -> None:
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(10, 8.0) == pytest.approx(0.409, abs=0.001)
    assert erlang_c(4, 5.0) == 1.0
    assert 0 < erlang_c(2000, 1900.0) < 1  # large fleets stay finite


def test_mm1_response_time_is_exponential() -> None:
    """M/M/1: the response time is exponential with rate mu - lambda."""
    mean_service, rho = 10.0, 0.7
    model = PathModel([spec("s", 1)], samples=16_384)
    rng = np.random.default_rng(5)
    exp = {"s": rng.exponential(mean_service, model.n)}
    rate = (1 - rho) / mean_service
    est = model.estimate(rho / mean_service * 1000, 1, 99, samples=exp, method="formula")
    for pct in (50.0, 95.0, 99.0):
        assert est.p(pct) == pytest.approx(-math.log(1 - pct / 100) / rate, rel=0.05)


def test_mmc_wait_matches_erlang_c_in_simulation() -> None:
    c, mean_service, rho = 4, 20.0, 0.8
    lam = rho * c / mean_service
    rng = np.random.default_rng(9)
    n = 1_000_000
    waits = fifo_waits(rng.exponential(1 / lam, n), rng.exponential(mean_service, n), c)[n // 20 :]
    model = allen_cunneen(lam, c, mean_service, 1.0)
    assert (waits > 0).mean() == pytest.approx(model.p_wait, rel=0.03)
    assert waits.mean() == pytest.approx(model.mean_wait_ms, rel=0.05)


def test_lindley_and_heap_agree_for_one_server() -> None:
    rng = np.random.default_rng(2)
    gaps, service = rng.exponential(10, 20_000), rng.lognormal(2, 0.5, 20_000)
    one = fifo_waits(gaps, service, 1)
    # the heap path with a second server that is never free reproduces one server
    arrivals = np.cumsum(gaps)
    free, ref = 0.0, np.zeros_like(one)
    for i, (a, s) in enumerate(zip(arrivals, service, strict=True)):
        start = max(a, free)
        ref[i] = start - a
        free = start + s
    assert np.allclose(one, ref)


# ------------------------------------------------------------------ against long simulation

PATHS = {
    "one-light": [("m", "model", (100, 130, 150), None)],
    "one-heavy": [("m", "model", (100, 300, 700), None)],
    "three-mixed": [
        ("n", "network", (20, 40, 80), None),
        ("f", "feature_fetch", (30, 80, 200), None),
        ("m", "model", (100, 130, 160), None),
    ],
    "five-with-group": [
        ("n", "network", (10, 20, 30), None),
        ("a", "retrieval", (40, 60, 90), "g"),
        ("b", "feature_fetch", (30, 70, 150), "g"),
        ("m", "model", (80, 100, 120), None),
        ("p", "postprocessing", (5, 8, 12), None),
    ],
}


def build(name: str) -> PathModel:
    return PathModel([spec(n, *pcts, kind=k, group=g) for n, k, pcts, g in PATHS[name]])


def long_simulation(model: PathModel, rps: float, servers: int, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    stages = {s.name: model._draw(s, rng, n, False) for s in model.stages}
    total, busy = model.compose(stages)
    waits = fifo_waits(rng.exponential(1000 / rps, n), busy, servers)
    keep = slice(n // 20, None)
    return np.percentile(total[keep] + waits[keep], [50, 95, 99])


QUICK_GRID = [
    ("one-light", 0.5, 1),
    ("one-heavy", 0.7, 4),
    ("three-mixed", 0.9, 16),
    ("five-with-group", 0.8, 1),
    ("five-with-group", 0.6, 16),
]
FULL_GRID = [
    (name, rho, c)
    for name in PATHS
    for rho in (0.5, 0.7, 0.8, 0.9)
    for c in (1, 4, 16)
    if (name, rho, c) not in QUICK_GRID
]


def check_against_long_simulation(name: str, rho: float, servers: int, n: int) -> None:
    model = build(name)
    mean_busy = model.compose(model.samples)[1].mean()
    rps = rho * servers / mean_busy * 1000
    est = model.estimate(rps, servers, 99)
    reference = long_simulation(model, rps, servers, n, seed=1234)
    for pct, ref in zip((50.0, 95.0, 99.0), reference, strict=True):
        assert est.p(pct) == pytest.approx(ref, rel=0.05), (name, rho, servers, pct, est.method)


@pytest.mark.parametrize(("name", "rho", "servers"), QUICK_GRID)
def test_within_5_percent_of_long_simulation(name: str, rho: float, servers: int) -> None:
    check_against_long_simulation(name, rho, servers, n=3_000_000)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "rho", "servers"), FULL_GRID)
def test_within_5_percent_of_long_simulation_full_grid(name: str, rho: float, servers: int) -> None:
    check_against_long_simulation(name, rho, servers, n=3_000_000)


def test_method_is_chosen_and_named() -> None:
    model = build("three-mixed")
    mean_busy = model.compose(model.samples)[1].mean()
    low = model.estimate(0.5 * 16 / mean_busy * 1000, 16, 99)
    high = model.estimate(0.9 * 16 / mean_busy * 1000, 16, 99)
    assert low.method == "formula" and low.simulated_requests == 0
    assert high.method == "simulation" and high.simulated_requests >= 1_000_000


# ------------------------------------------------------------------ capacity


def test_unstable_path_says_so_and_sizes_the_fleet() -> None:
    scenario = load_scenario(EXAMPLES / "video_analytics.yaml")
    result = analyze(scenario)
    assert result.current.utilization > 1 and not result.current.steady_state
    assert result.current.queueing_wait_ms is None
    assert result.meets_sla is False
    assert result.current.replicas_needed_for_stability == 2
    assert math.isfinite(result.current.at_sla_percentile_ms)


def test_replicas_for_sla_is_the_smallest_that_meets() -> None:
    model = build("three-mixed")
    rps, target = 100.0, 500.0
    servers = model.servers_for_sla(rps, 99, target)
    assert servers is not None
    assert model.estimate(rps, servers, 99, method="formula").at_percentile_ms <= target
    fewer = model.estimate(rps, servers - 1, 99, method="formula")
    assert not fewer.stable or fewer.at_percentile_ms > target
    assert model.servers_for_sla(rps, 99, 100.0) is None  # service alone is too slow


def test_queueing_share_appears_under_load() -> None:
    model = build("one-light")
    mean_busy = model.compose(model.samples)[1].mean()
    est = model.estimate(0.85 / mean_busy * 1000, 1, 99)
    assert est.shares[WAIT_LABEL] > 0.2


# ------------------------------------------------------------------ evenly spaced arrivals


def test_periodic_arrivals_queue_less_than_poisson() -> None:
    stages = [spec(n, *p, kind=k, group=g) for n, k, p, g in PATHS["three-mixed"]]
    poisson = PathModel(stages)
    periodic = PathModel(stages, arrivals="periodic")
    mean_busy = poisson.compose(poisson.samples)[1].mean()
    rps = 0.8 / mean_busy * 1000
    est = periodic.estimate(rps, 1, 99)
    assert est.method == "simulation"
    assert est.p(99) < poisson.estimate(rps, 1, 99).p(99)
    # against a long simulation with evenly spaced sends
    rng = np.random.default_rng(77)
    n = 3_000_000
    draws = {s.name: periodic._draw(s, rng, n, False) for s in periodic.stages}
    total, busy = periodic.compose(draws)
    waits = fifo_waits(np.full(n, 1000 / rps), busy, 1)[n // 20 :]
    reference = np.percentile(total[n // 20 :] + waits, [50, 95, 99])
    for pct, ref in zip((50.0, 95.0, 99.0), reference, strict=True):
        assert est.p(pct) == pytest.approx(ref, rel=0.05)


def test_constant_service_with_periodic_arrivals_never_waits() -> None:
    model = PathModel([spec("frame", 10, 10, 10)], arrivals="periodic")
    est = model.estimate(80, 1, 99, method="simulation")  # 80 fps x 10 ms = 80% busy
    assert est.mean_wait_ms == pytest.approx(0.0, abs=1e-6)
    assert est.p(99) == pytest.approx(10, rel=1e-6)


def test_streaming_workload_arrives_evenly_unless_stated() -> None:
    video = load_scenario(EXAMPLES / "video_analytics.yaml")
    assert video.sla.workload == "streaming" and video.arrivals == "periodic"
    assert path_model(video).arrivals == "periodic"
    stated = video.model_copy(
        update={"traffic": video.traffic.model_copy(update={"arrivals": "poisson"})}
    )
    assert stated.arrivals == "poisson"
    assert load_scenario(EXAMPLES / "rag_assistant.yaml").arrivals == "poisson"
    assert any("evenly spaced" in a for a in analyze(video).assumptions)


def test_a_vanishing_wait_probability_gives_no_waits_and_no_overflow():
    """Erlang C can return a wait probability near the smallest float at light load."""
    import warnings

    from latency_advisor.latency.queueing import WaitModel

    uniforms = (np.arange(4096) + 0.5) / 4096
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow in the division would raise here
        waits = WaitModel(0.01, 1e-310, 1e-308).sample_from_uniform(uniforms)
    assert not waits.any()


def test_a_p999_sla_is_estimated_within_a_few_percent_whatever_the_seed():
    """Enough samples beyond p99.9 that the live figure does not hinge on the random seed."""
    from latency_advisor.analysis import path_model
    from latency_advisor.scenario import load_scenario
    from tests.conftest import EXAMPLES

    base = load_scenario(EXAMPLES / "recommender.yaml")
    data = base.model_dump(mode="python")
    data["sla"]["percentile"] = 99.9
    scenario = type(base).model_validate(data)
    reference = path_model(scenario, samples=1 << 20).estimate(0.0, 1, 99.9, method="formula")
    errors = [
        abs(
            path_model(scenario, seed=seed)
            .estimate(0.0, 1, 99.9, method="formula")
            .at_percentile_ms
            / reference.at_percentile_ms
            - 1
        )
        for seed in range(1, 9)
    ]
    assert max(errors) < 0.03, [f"{e:.1%}" for e in errors]
