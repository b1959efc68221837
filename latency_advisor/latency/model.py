"""End-to-end latency of a serving path: stages composed by sampling, queueing at peak traffic.

Percentiles do not add: the p99 of a sum is well below the sum of p99s when stages vary
independently. We draw every stage's latency from its fitted distribution (Latin-hypercube
stratified, fixed seed, so results are repeatable and what-if comparisons share their random
numbers), compose them in request order (parallel groups take the slowest member, `calls` add up),
and add the queueing wait at `peak_rps` over the servers (replicas x concurrency).

A replica is held for the whole request except client-side network transit (kind `network`) and
an externally measured queue (kind `queueing`): those stages add latency but not load.

A conditional stage (`presence` p < 1: an LLM on a cache miss, a fallback on a timeout) is on a
fraction p of the requests, independently of the other stages. Its samples hold what it would
take on every request (so a what-if transforms the stage as the requests that have it see it);
a fixed presence mask per stage and sample size zeroes the requests that skip it when the path
is composed, so an absent parallel member does not hold its group and the mean busy time that
sets the utilization is weighted by presence.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal

import numpy as np

from latency_advisor.latency.distributions import StageFit
from latency_advisor.latency.normal import inv_cdf
from latency_advisor.latency.queueing import WaitModel, allen_cunneen, mg1_waits
from latency_advisor.latency.simulation import fifo_waits

LIVE_SAMPLES = 16_384


def live_samples(percentile: float) -> int:
    """Samples for the live figure: 16,384 leave ~16 beyond p99.9, and its estimate then moves by
    up to ~6% with the seed; four times as many keep a p99.9 SLA within ~2% (p99 and below are
    already within ~1%)."""
    return LIVE_SAMPLES if percentile < 99.9 else 4 * LIVE_SAMPLES


SIM_REQUESTS = 1_000_000
SIM_REQUESTS_HIGH_LOAD = 2_000_000
SIM_WARMUP_FRACTION = 0.05
DIRECT_CALL_LIMIT = 8
NON_OCCUPYING_KINDS = frozenset({"network", "queueing"})
REPORTED_PERCENTILES: tuple[float, ...] = (50.0, 90.0, 95.0, 99.0, 99.9)
WAIT_LABEL = "queueing wait"

Method = Literal["auto", "formula", "simulation"]
Arrivals = Literal["poisson", "periodic"]
StageSamples = dict[str, np.ndarray]
Transform = Callable[[StageSamples, np.random.Generator], StageSamples]


@dataclass(frozen=True)
class StageSpec:
    """One stage as the latency model sees it."""

    name: str
    kind: str
    fit: StageFit
    calls: int = 1
    group: str | None = None
    source: Literal["percentiles", "assumed", "samples"] = "percentiles"
    note: str | None = None
    presence: float | None = None  # fraction of requests that have the stage (None: all)
    holds_worker: bool | None = None  # stated by the scenario; None: the default for the kind
    # first-output paths (a streamed LLM answer): a stage after the first output holds the
    # worker but adds nothing to the latency (on_path False); the LLM stage's samples are its
    # time to first token, and it holds the worker for busy_fit more (the decode) off the path
    on_path: bool = True
    busy_fit: StageFit | None = None

    @property
    def occupies_worker(self) -> bool:
        if self.holds_worker is not None:
            return self.holds_worker
        return self.kind not in NON_OCCUPYING_KINDS

    @property
    def conditional(self) -> bool:
        """Only some requests pass through the stage."""
        return self.presence is not None and self.presence < 1.0


@dataclass
class Estimate:
    """The composed end-to-end latency at one traffic level."""

    percentile: float
    at_percentile_ms: float
    percentiles_ms: dict[float, float]
    service_percentiles_ms: dict[float, float]
    service_at_percentile_ms: float
    mean_service_ms: float
    mean_busy_ms: float
    busy_scv: float
    utilization: float
    stable: bool
    mean_wait_ms: float | None
    p_wait: float | None
    method: Literal["none", "formula", "simulation", "unstable"]
    simulated_requests: int = 0
    shares: dict[str, float] = field(default_factory=dict)

    def p(self, percentile: float) -> float:
        return self.percentiles_ms[percentile]


def _stratified_uniforms(rng: np.random.Generator, n: int) -> np.ndarray:
    """Latin-hypercube uniforms: one draw in each of n equal strata, shuffled."""
    return (rng.permutation(n) + rng.random(n)) / n


# The normal quantile by interpolation in a fine table: uniform spacing in the body, log spacing
# in both tails (numpy has no vectorised inverse normal CDF; this is accurate to ~1e-6 in z).
_TAIL = np.logspace(-12, -3, 2000)
_Z_TABLE_U = np.sort(np.concatenate((_TAIL, np.linspace(1e-3, 1 - 1e-3, 20001), 1 - _TAIL[::-1])))
# what np.unique gives, without the import of numpy.ma that np.unique costs (15 ms at start)
_Z_TABLE_U = _Z_TABLE_U[np.concatenate(([True], np.diff(_Z_TABLE_U) > 0))]
_Z_TABLE_Z = inv_cdf(_Z_TABLE_U)  # equal to NormalDist().inv_cdf at each point, vectorised


def _z_from_uniform(u: np.ndarray) -> np.ndarray:
    return np.interp(np.clip(u, 1e-12, 1 - 1e-12), _Z_TABLE_U, _Z_TABLE_Z)


@lru_cache(maxsize=64)  # bounded: a conditional stage's strata come in sizes of its own
def _stratified_z(n: int) -> np.ndarray:
    """Normal scores at the midpoints of n equal-probability strata (read-only, shared)."""
    z = _z_from_uniform((np.arange(n) + 0.5) / n)
    z.flags.writeable = False
    return z


def _normal_scores(rng: np.random.Generator, n: int, stratified: bool) -> np.ndarray:
    """Stratified (a shuffled Latin-hypercube column) or plain standard-normal draws."""
    return rng.permutation(_stratified_z(n)) if stratified else rng.standard_normal(n)


class PathModel:
    """A serving path's stage distributions, ready to compose at any traffic level."""

    def __init__(
        self,
        stages: list[StageSpec],
        samples: int = LIVE_SAMPLES,
        seed: int = 20261122,
        arrivals: Arrivals = "poisson",
    ):
        if not stages:
            raise ValueError("a path needs at least one stage")
        self.stages = stages
        self.arrivals = arrivals
        self.seed = seed
        self.n = samples
        self._conditional = {s.name: i for i, s in enumerate(stages) if s.conditional}
        self._masks: dict[tuple[str, int], np.ndarray] = {}
        rng = np.random.default_rng(seed)
        self.samples: StageSamples = {s.name: self._draw(s, rng, samples, True) for s in stages}
        self.wait_uniforms = _stratified_uniforms(rng, samples)
        self._add_busy(self.samples, samples, True)
        self._sim_cache: dict[int, tuple[StageSamples, np.ndarray]] = {}

    @classmethod
    def from_stages(cls, stages, **kwargs) -> PathModel:  # stages: Iterable[scenario.Stage]
        return cls([stage_spec(s) for s in stages], **kwargs)

    # ------------------------------------------------------------ sampling

    def presence_mask(self, name: str, n: int) -> np.ndarray | None:
        """Which of n requests pass through stage `name` (None: all of them).

        Exactly p n requests (randomly rounded) at random places, from a seed of its own per
        stage and n: the same requests in every what-if (common random numbers), independent of
        the other stages, and no draw taken from the stream the stage samples come from.
        """
        index = self._conditional.get(name)
        if index is None:
            return None
        mask = self._masks.get((name, n))
        if mask is None:
            presence = float(self.stages[index].presence or 1.0)
            rng = np.random.default_rng([self.seed, 0x9E5E, index, n])
            present = min(n, math.floor(presence * n + rng.random()))
            mask = rng.permutation(n) < present
            mask.flags.writeable = False
            self._masks[(name, n)] = mask
        return mask

    def _draw(
        self, spec: StageSpec, rng: np.random.Generator, n: int, stratified: bool
    ) -> np.ndarray:
        """Per-request latency of a stage on requests that pass through it: `calls` draws added.

        A conditional stage's stratified draws are stratified apart over the requests that have
        it and those that skip it, so the ones that count are an exact Latin-hypercube sample.
        """
        mask = self.presence_mask(spec.name, n) if stratified else None
        if mask is None:
            return _draw_calls(spec, rng, n, stratified)
        out = np.empty(n)
        present = int(mask.sum())
        if present:
            out[mask] = _draw_calls(spec, rng, present, True)
        if present < n:
            out[~mask] = _draw_calls(spec, rng, n - present, True)
        return out

    def _add_busy(self, out: StageSamples, n: int, stratified: bool) -> None:
        """Draw the off-path busy time of stages that have one, from a stream of their own."""
        for i, spec in enumerate(self.stages):
            if spec.busy_fit is not None:
                rng = np.random.default_rng([self.seed, 0xB5, i, n])
                extra = replace(spec, fit=spec.busy_fit, presence=None, busy_fit=None)
                out[busy_key(spec.name)] = self._draw(extra, rng, n, stratified)

    def effective(self, samples: StageSamples) -> StageSamples:
        """The samples with 0 ms where a conditional stage is skipped (the input when none is)."""
        if not self._conditional:
            return samples
        out = dict(samples)
        for name in self._conditional:
            values = out.get(name)
            if values is not None:
                out[name] = values * self.presence_mask(name, len(values))
        return out

    def sim_samples(self, requests: int) -> tuple[StageSamples, np.ndarray]:
        """Fresh (unstratified) per-request stage samples and interarrival exponentials."""
        if requests not in self._sim_cache:
            rng = np.random.default_rng(self.seed + requests)
            stages = {s.name: self._draw(s, rng, requests, False) for s in self.stages}
            self._sim_cache[requests] = (stages, rng.exponential(1.0, requests))
            self._add_busy(stages, requests, False)
        return self._sim_cache[requests]

    # ------------------------------------------------------------ composition

    def units(self) -> list[list[StageSpec]]:
        """Sequential units in request order: a lone stage, or all stages of one parallel group."""
        units: list[list[StageSpec]] = []
        by_group: dict[str, list[StageSpec]] = {}
        for spec in self.stages:
            if spec.group is None:
                units.append([spec])
            elif spec.group in by_group:
                by_group[spec.group].append(spec)
            else:
                by_group[spec.group] = [spec]
                units.append(by_group[spec.group])
        return units

    def compose(self, samples: StageSamples) -> tuple[np.ndarray, np.ndarray]:
        """Total and worker-busy latency per request from per-stage samples."""
        return self._compose(self.effective(samples))

    def _compose(self, samples: StageSamples) -> tuple[np.ndarray, np.ndarray]:
        """`compose` of samples where skipped conditional stages are already 0 ms."""
        total = np.zeros_like(next(iter(samples.values())))
        busy = np.zeros_like(total)
        for unit in self.units():
            if len(unit) == 1:
                part = samples[unit[0].name]
            else:
                part = np.max(np.stack([samples[s.name] for s in unit]), axis=0)
            if any(s.on_path for s in unit):
                total += part
            if any(s.occupies_worker for s in unit):
                busy += part
                for spec in unit:
                    if spec.busy_fit is not None:
                        busy += samples[busy_key(spec.name)]
        return total, busy

    # ------------------------------------------------------------ estimates

    def estimate(
        self,
        peak_rps: float,
        servers: int,
        percentile: float,
        *,
        samples: StageSamples | None = None,
        transforms: list[Transform] | None = None,
        method: Method = "auto",
        with_shares: bool = True,
        with_percentiles: bool = True,
    ) -> Estimate:
        """The end-to-end estimate; `transforms` rewrite stage samples first (what-ifs).

        `with_percentiles=False` skips the table of reported percentiles (what-ifs need only the
        SLA percentile): `percentiles_ms` then holds that one percentile.
        """

        def summary(values: np.ndarray) -> dict[float, float]:
            if with_percentiles:
                return _percentiles(values)
            return {float(percentile): _percentile(values, percentile)}

        base = samples if samples is not None else self.samples
        live = self.effective(_apply(base, transforms, self.seed))
        total, busy = self._compose(live)
        mean_busy = float(busy.mean())
        scv = float(busy.var() / mean_busy**2) if mean_busy > 0 else 0.0
        arrival = peak_rps / 1000.0
        periodic = self.arrivals == "periodic"
        wait = allen_cunneen(arrival, servers, mean_busy, scv, 0.0 if periodic else 1.0)
        service_pcts = summary(total)
        service_at = service_pcts.get(float(percentile))
        if service_at is None:
            service_at = _percentile(total, percentile)
        common = dict(
            percentile=percentile,
            service_percentiles_ms=service_pcts,
            service_at_percentile_ms=service_at,
            mean_service_ms=float(total.mean()),
            mean_busy_ms=mean_busy,
            busy_scv=scv,
            utilization=wait.utilization,
        )
        if wait.utilization >= 1.0:
            return Estimate(
                at_percentile_ms=service_at,
                percentiles_ms=service_pcts,
                stable=False,
                mean_wait_ms=None,
                p_wait=None,
                method="unstable",
                shares=self._shares(live, total, None, percentile) if with_shares else {},
                **common,
            )
        if arrival <= 0 or mean_busy <= 0:
            return Estimate(
                at_percentile_ms=service_at,
                percentiles_ms=service_pcts,
                stable=True,
                mean_wait_ms=0.0,
                p_wait=0.0,
                method="none",
                shares=self._shares(live, total, None, percentile) if with_shares else {},
                **common,
            )
        chosen = method
        if method == "auto":
            simulate = needs_simulation(wait, scv, service_at, servers, periodic)
            chosen = "simulation" if simulate else "formula"
        if chosen == "formula":
            exact = servers == 1 and not periodic
            if exact:  # Poisson into one server: exact, whatever the load or the tail
                rng = np.random.default_rng(self.seed + 11)
                waits = mg1_waits(busy, wait.utilization, self.wait_uniforms, rng)
            else:
                waits = wait.sample_from_uniform(self.wait_uniforms)
            e2e = total + waits
            e2e_pcts = summary(e2e)
            at = e2e_pcts.get(float(percentile))
            return Estimate(
                at_percentile_ms=_percentile(e2e, percentile) if at is None else at,
                percentiles_ms=e2e_pcts,
                stable=True,
                mean_wait_ms=float(waits.mean()) if exact else wait.mean_wait_ms,
                p_wait=float((waits > 0).mean()) if exact else wait.p_wait,
                method="formula",
                shares=self._shares(live, e2e, waits, percentile) if with_shares else {},
                **common,
            )
        requests = SIM_REQUESTS_HIGH_LOAD if wait.utilization >= 0.85 else SIM_REQUESTS
        sim_base, exp_gaps = self.sim_samples(requests)
        sim_live = self.effective(_apply(sim_base, transforms, self.seed + 1))
        sim_total, sim_busy = self._compose(sim_live)
        gaps = np.full(requests, 1.0 / arrival) if periodic else exp_gaps / arrival
        waits = fifo_waits(gaps, sim_busy, servers)
        keep = slice(int(requests * SIM_WARMUP_FRACTION), None)
        e2e = sim_total[keep] + waits[keep]
        sim_waits = waits[keep]
        return Estimate(
            at_percentile_ms=_percentile(e2e, percentile),
            percentiles_ms=summary(e2e),
            stable=True,
            mean_wait_ms=float(sim_waits.mean()),
            p_wait=float((sim_waits > 0).mean()),
            method="simulation",
            simulated_requests=requests,
            shares=(
                self._shares({k: v[keep] for k, v in sim_live.items()}, e2e, sim_waits, percentile)
                if with_shares
                else {}
            ),
            **common,
        )

    def _shares(
        self, live: StageSamples, e2e: np.ndarray, waits: np.ndarray | None, percentile: float
    ) -> dict[str, float]:
        """Each stage's share of the latency at the percentile (Euler allocation).

        Among requests whose end-to-end latency sits at the percentile, the share of a stage is
        its mean contribution over the mean total; a parallel group's time goes to whichever
        member was slowest in each request. Shares add up to 1 with the queueing wait.
        """
        n = len(e2e)
        rank = min(n - 1, round(percentile / 100.0 * (n - 1)))
        half = max(25, int(0.005 * n))
        order = np.argpartition(e2e, (max(0, rank - half), min(n - 1, rank + half)))
        window = order[max(0, rank - half) : min(n, rank + half + 1)]
        denominator = float(e2e[window].mean())
        if denominator <= 0:
            return {s.name: 0.0 for s in self.stages}
        shares: dict[str, float] = {}
        for unit in self.units():
            if not any(s.on_path for s in unit):  # after the first output: no latency share
                shares.update({s.name: 0.0 for s in unit})
                continue
            if len(unit) == 1:
                shares[unit[0].name] = float(live[unit[0].name][window].mean()) / denominator
                continue
            stacked = np.stack([live[s.name][window] for s in unit])
            winner = np.argmax(stacked, axis=0)
            peak = stacked.max(axis=0)
            for i, spec in enumerate(unit):
                shares[spec.name] = float(np.where(winner == i, peak, 0.0).mean()) / denominator
        if waits is not None:
            shares[WAIT_LABEL] = float(waits[window].mean()) / denominator
        return shares

    # ------------------------------------------------------------ capacity

    def servers_for_stability(self, peak_rps: float) -> int:
        """The fewest servers (replicas x concurrency) with utilization below 1 at peak."""
        _, busy = self.compose(self.samples)
        offered = peak_rps / 1000.0 * float(busy.mean())
        return max(1, math.floor(offered) + 1)

    def servers_for_sla(
        self, peak_rps: float, percentile: float, target_ms: float, limit: int = 1_000_000
    ) -> int | None:
        """The fewest servers meeting the target at peak (formula mode), or None if none can.

        More replicas only shorten the queue: if the service time alone misses the target,
        no replica count will meet it.
        """
        if _percentile(self.compose(self.samples)[0], percentile) > target_ms:
            return None

        def meets(c: int) -> bool:
            est = self.estimate(peak_rps, c, percentile, method="formula", with_shares=False)
            return est.stable and est.at_percentile_ms <= target_ms

        low = self.servers_for_stability(peak_rps)
        if meets(low):
            return low
        high = low * 2
        while not meets(high):
            if high >= limit:
                return None
            low, high = high, min(limit, high * 2)
        while high - low > 1:
            mid = (low + high) // 2
            low, high = (low, mid) if meets(mid) else (mid, high)
        return high


SAMPLE_AGREEMENT = 0.10


def busy_key(name: str) -> str:
    """The samples key of a stage's off-path busy time (never a stage name: it holds a NUL)."""
    return f"{name}\x00busy"


def stage_spec(stage) -> StageSpec:  # stage: scenario.Stage
    """Fit a scenario stage: its measured samples when they agree with its stated percentiles,
    else the percentiles, else p50 with an assumed spread."""
    by_pct = StageFit.from_percentiles(stage.p50_ms, stage.p95_ms, stage.p99_ms, stage.kind)
    source = "assumed" if by_pct.assumed_sigma is not None else "percentiles"
    fit, note = by_pct, None
    samples = getattr(stage, "samples_ms", None)
    if samples:
        stated = [(50.0, stage.p50_ms), (95.0, stage.p95_ms), (99.0, stage.p99_ms)]
        observed = np.percentile(np.asarray(samples, dtype=float), [p for p, _ in stated])
        agree = all(
            v is None or abs(o - v) <= max(SAMPLE_AGREEMENT * v, 0.5)
            for (_, v), o in zip(stated, observed, strict=True)
        )
        if agree:
            fit, source = StageFit.from_samples(samples), "samples"
            note = f"Stage '{stage.name}' uses its {len(samples):,} measured samples."
        else:
            note = (
                f"Stage '{stage.name}': its measured samples disagree with its stated "
                "percentiles (edited since import?); the percentiles are used."
            )
    return StageSpec(
        name=stage.name,
        kind=stage.kind,
        fit=fit,
        calls=stage.calls,
        group=stage.parallel_group,
        source=source,
        note=note,
        presence=getattr(stage, "presence", None),
        holds_worker=getattr(stage, "holds_worker", None),
    )


def _draw_calls(spec: StageSpec, rng: np.random.Generator, n: int, stratified: bool) -> np.ndarray:
    """n per-request latencies of a stage: `calls` independent draws added up."""

    def one() -> np.ndarray:
        if stratified:  # the fitted curve at sorted strata midpoints, shuffled
            return spec.fit.quantile_from_z(_stratified_z(n))[rng.permutation(n)]
        return spec.fit.quantile_from_z(rng.standard_normal(n))

    if spec.calls <= DIRECT_CALL_LIMIT:
        total = one()
        for _ in range(spec.calls - 1):
            total = total + one()
        return total
    # Many calls: match mean and variance of the sum with a lognormal (Fenton-Wilkinson)
    probe = spec.fit.quantile_from_z(_normal_scores(rng, 65_536, True))
    mean = spec.calls * probe.mean()
    var = spec.calls * probe.var()
    if mean <= 0:
        return np.zeros(n)
    sigma2 = math.log1p(var / mean**2)
    mu = math.log(mean) - sigma2 / 2
    return np.exp(mu + math.sqrt(sigma2) * _normal_scores(rng, n, stratified))


def needs_simulation(
    wait: WaitModel, busy_scv: float, service_at_ms: float, servers: int, periodic: bool = False
) -> bool:
    """Formulas are trusted unless the queue matters and load or tail is beyond their range.

    One server uses the exact Pollaczek–Khinchine construction, several servers Allen–Cunneen;
    both drift beyond about 5% at p99 above 75% utilization or with heavy-tailed service (the
    former because a finite sample of the service time thins its extreme tail).
    """
    del servers  # the same limits hold for one server and for many
    if wait.mean_wait_ms <= 0.01 * max(service_at_ms, 1e-9):
        return False
    if periodic:  # evenly spaced arrivals: the exponential-tail approximation does not hold
        return True
    return wait.utilization >= 0.75 or busy_scv > 1.0


def _apply(base: StageSamples, transforms: list[Transform] | None, seed: int) -> StageSamples:
    if not transforms:
        return base
    rng = np.random.default_rng(seed + 7)
    live = dict(base)
    for transform in transforms:
        live = transform(live, rng)
    return live


def _percentile(values: np.ndarray, percentile: float) -> float:
    """np.percentile's default (linear) method by one partial sort: what-ifs call it often."""
    n = len(values)
    if n < 2:
        return float(np.percentile(values, percentile))
    position = percentile / 100.0 * (n - 1)
    low = min(math.floor(position), n - 1)
    high = min(low + 1, n - 1)
    part = np.partition(values, (low, high))
    a, b = float(part[low]), float(part[high])
    t = position - low
    return a + (b - a) * t if t < 0.5 else b - (b - a) * (1.0 - t)


def _percentiles(values: np.ndarray) -> dict[float, float]:
    """The reported percentiles by one partial sort (same values as np.percentile's default)."""
    n = len(values)
    if n < 2:
        points = np.percentile(values, REPORTED_PERCENTILES)
        return {p: float(v) for p, v in zip(REPORTED_PERCENTILES, points, strict=True)}
    positions = [p / 100.0 * (n - 1) for p in REPORTED_PERCENTILES]
    lows = [min(math.floor(x), n - 1) for x in positions]
    highs = [min(low + 1, n - 1) for low in lows]
    part = np.partition(values, sorted(set(lows + highs)))
    out = {}
    for p, x, low, high in zip(REPORTED_PERCENTILES, positions, lows, highs, strict=True):
        a, b = float(part[low]), float(part[high])
        t = x - low
        out[p] = a + (b - a) * t if t < 0.5 else b - (b - a) * (1.0 - t)
    return out
