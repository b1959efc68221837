"""Running cost in money: what today's path costs a month, and what a change adds or saves.

The model, in one paragraph: a replica of the path costs a price per hour (the scenario's
`cost.replica_hour_usd`, per-stage `stages[].cost.replica_hour_usd`, or the bundled table of
typical on-demand prices below). The fleet follows traffic: at peak it runs the scenario's
replicas, over the month it runs `replicas × average/peak` of them on average (never fewer than
one), for 730 hours a month (24 × 365 / 12). Cost per 1,000 requests is the month's cost over
the month's requests at the average rate. A change alters the price of the fleet at peak: added
or removed replicas at the replica price; a fix that removes a share of a stage's work (a smaller
model, quantization, caching, batching) shrinks that stage's part of the fleet by the same share
(the fleet resized to today's utilization); a move to a GPU adds a GPU to each replica; other
fixes with a running cost are priced by their cost word as a share of what they touch. One-off
cost is effort days × the engineer-day price. Every default used is listed as an assumption.

Prices vary by provider, region and commitment: the table is a typical hyperscaler on-demand
list price per GPU (instance price ÷ GPUs), read November 2026; specialised GPU clouds rent the
same GPUs for roughly 40–60 % less, and 1-year commitments take 35–40 % off.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from latency_advisor.scenario import Scenario, Stage

HOURS_PER_MONTH = 730.0  # 24 × 365 / 12, the convention cloud bills use
AVERAGE_SHARE_OF_PEAK = 0.5  # default traffic.average_rps: a daily cycle peaking at 2× its mean
ENGINEER_DAY_USD = 1000.0  # fully loaded: about $230k a year over ~230 working days
CPU_REPLICA = "CPU instance (8 vCPU, 32 GiB)"
DEFAULT_GPU = "A10G"  # a model stage on a GPU that names none (a classic inference GPU)
DEFAULT_LLM_GPU = "A100-80GB"  # an LLM stage that names no GPU
WEIGHTS_SHARE_OF_MEMORY = 0.7  # weights may fill this share of GPU memory; the rest is KV cache
BYTES_PER_PARAM = {"fp32": 4.0, "fp16": 2.0, "bf16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5}


@dataclass(frozen=True)
class Price:
    usd_per_hour: float  # per GPU (or per instance for the CPU replica)
    memory_gb: float
    source: str


# Typical on-demand list prices, USD per GPU-hour (read November 2026, US regions).
PRICE_TABLE: dict[str, Price] = {
    "A10G": Price(1.006, 24, "AWS g5.xlarge, 1× A10G, $1.006/h"),
    "L4": Price(0.805, 24, "AWS g6.xlarge, 1× L4, $0.805/h"),
    "L40S": Price(1.861, 48, "AWS g6e.xlarge, 1× L40S, $1.861/h"),
    "A100-40GB": Price(2.745, 40, "AWS p4d.24xlarge, $21.96/h ÷ 8 GPUs"),
    "A100-80GB": Price(3.431, 80, "AWS p4de.24xlarge, $27.45/h ÷ 8 GPUs"),
    "H100-80GB": Price(6.88, 80, "AWS p5.48xlarge, $55.04/h ÷ 8 GPUs"),
    "H200": Price(7.912, 141, "AWS p5en.48xlarge, $63.30/h ÷ 8 GPUs"),
    "B200": Price(14.24, 180, "AWS p6-b200.48xlarge, $113.93/h ÷ 8 GPUs"),
    "MI300X": Price(6.0, 192, "Azure ND MI300X v5, $48/h ÷ 8 GPUs"),
    CPU_REPLICA: Price(0.403, 0, "AWS m7i.2xlarge, $0.403/h"),
}
PRICE_SOURCES = (
    "AWS EC2 On-Demand pricing, us-east-1 (aws.amazon.com/ec2/pricing/on-demand)",
    "Azure VM pricing, East US (azure.microsoft.com/pricing/details/virtual-machines)",
    "Neocloud comparison: RunPod, Lambda, Hyperstack price pages (H100 SXM $2.69–4.29/GPU-h)",
)


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def gpu_price(name: str) -> tuple[str, Price] | None:
    """The table's entry for a GPU name, forgiving case and separators ("h100" is H100-80GB)."""
    wanted = _key(name)
    for known, price in PRICE_TABLE.items():
        if _key(known) == wanted:
            return known, price
    matches = [(k, p) for k, p in PRICE_TABLE.items() if _key(k).startswith(wanted) and wanted]
    return matches[0] if len(matches) == 1 else None


@dataclass(frozen=True)
class StagePrice:
    stage: str
    usd_per_hour: float  # this stage's part of one replica's hourly price
    source: str  # "scenario", "scenario (shared)" or what the table priced it as
    gpu: str | None = None
    gpus: int = 0


@dataclass(frozen=True)
class Prices:
    """What one replica costs, stage by stage, and how the month is counted."""

    stages: tuple[StagePrice, ...]
    replicas: int
    peak_rps: float
    average_rps: float
    engineer_day_usd: float
    assumptions: tuple[str, ...] = field(default_factory=tuple)

    @property
    def replica_hour_usd(self) -> float:
        return sum(s.usd_per_hour for s in self.stages)

    def stage_hour_usd(self, stage: str | None) -> float:
        """A stage's part of a replica's price per hour (the whole replica for None)."""
        if stage is None:
            return self.replica_hour_usd
        return sum(s.usd_per_hour for s in self.stages if s.stage == stage)

    @property
    def month_factor(self) -> float:
        """Hours in a month the peak fleet's price is paid for (the fleet follows traffic)."""
        if self.peak_rps <= 0:
            return HOURS_PER_MONTH
        share = min(1.0, self.average_rps / self.peak_rps)
        return HOURS_PER_MONTH * max(share, 1.0 / self.replicas)

    def fleet_monthly(self, replicas: int, replica_hour_usd: float) -> float:
        """A month's cost of a fleet of `replicas` at peak that follows traffic (never fewer
        than one replica running)."""
        if self.peak_rps <= 0:
            return replicas * replica_hour_usd * HOURS_PER_MONTH
        share = min(1.0, self.average_rps / self.peak_rps)
        return replica_hour_usd * HOURS_PER_MONTH * max(replicas * share, 1.0)

    @property
    def monthly_usd(self) -> float:
        return self.fleet_monthly(self.replicas, self.replica_hour_usd)

    @property
    def requests_per_month(self) -> float:
        return self.average_rps * 3600.0 * HOURS_PER_MONTH

    @property
    def per_1000_requests_usd(self) -> float | None:
        n = self.requests_per_month
        return self.monthly_usd / n * 1000.0 if n > 0 else None

    def one_off(self, effort_days: tuple[float, float]) -> tuple[float, float]:
        return (effort_days[0] * self.engineer_day_usd, effort_days[1] * self.engineer_day_usd)


def llm_gpus(stage: Stage, memory_gb: float) -> int:
    """GPUs an LLM's weights need (a power of two), leaving room for the KV cache."""
    m = stage.model
    if m is None or m.params_millions is None or memory_gb <= 0:
        return 1
    weights_gb = m.params_millions * 1e6 * BYTES_PER_PARAM.get(m.precision or "fp16", 2.0) / 1e9
    need = max(1, math.ceil(weights_gb / (memory_gb * WEIGHTS_SHARE_OF_MEMORY)))
    return 1 << (need - 1).bit_length()


def _gpu_stage(stage: Stage) -> tuple[str, Price, int, list[str]] | None:
    """The GPU a model stage runs on and how many per replica, with what was assumed."""
    m = stage.model
    if m is None or m.hardware != "gpu":
        return None
    notes: list[str] = []
    found = gpu_price(m.gpu) if m.gpu else None
    if found is None:
        default = DEFAULT_LLM_GPU if m.family == "llm" else DEFAULT_GPU
        if m.gpu:
            notes.append(f"GPU '{m.gpu}' is not in the price table; priced as {default}")
        found = (default, PRICE_TABLE[default])
    name, price = found
    gpus = m.gpus or (llm_gpus(stage, price.memory_gb) if m.family == "llm" else 1)
    if m.gpus is None and m.family == "llm" and gpus > 1:
        notes.append(f"{gpus} GPUs per replica to hold the weights (model.gpus not given)")
    return name, price, gpus, notes


def _time_weight(stage: Stage) -> float:
    """A stage's share of a replica's work, for splitting a shared price: its typical time."""
    return max(stage.p50_ms, 0.01) * stage.calls * stage.share_of_requests


def prices(scenario: Scenario) -> Prices:
    """Resolve every stage's price from the scenario, else from the table, saying which."""
    given = scenario.cost
    shared = given.replica_hour_usd if given is not None else None
    out: list[StagePrice] = []
    notes: list[str] = []
    unpriced = [s for s in scenario.stages if s.cost is None or s.cost.replica_hour_usd is None]
    for stage in scenario.stages:
        if stage.cost is not None and stage.cost.replica_hour_usd is not None:
            out.append(StagePrice(stage.name, float(stage.cost.replica_hour_usd), "scenario"))
    if shared is not None:
        weights = {s.name: _time_weight(s) for s in unpriced}
        total = sum(weights.values()) or 1.0
        for stage in unpriced:
            part = float(shared) * weights[stage.name] / total
            out.append(StagePrice(stage.name, part, "scenario (shared by time)"))
    else:
        cpu_stages = []
        for stage in unpriced:
            gpu = _gpu_stage(stage)
            if gpu is None:
                if stage.model is not None and stage.model.hardware in ("edge", "npu"):
                    out.append(StagePrice(stage.name, 0.0, "on the user's device: no server"))
                else:
                    cpu_stages.append(stage)
                continue
            name, price, gpus, gpu_notes = gpu
            out.append(
                StagePrice(
                    stage.name, price.usd_per_hour * gpus, f"{gpus}× {name}", gpu=name, gpus=gpus
                )
            )
            described = f"'{stage.name}' on {gpus}× {name} at ${price.usd_per_hour:g}/GPU-hour"
            notes.append(described + (f" ({'; '.join(gpu_notes)})" if gpu_notes else ""))
        if cpu_stages:
            cpu = PRICE_TABLE[CPU_REPLICA].usd_per_hour
            weights = {s.name: _time_weight(s) for s in cpu_stages}
            total = sum(weights.values()) or 1.0
            for stage in cpu_stages:
                out.append(StagePrice(stage.name, cpu * weights[stage.name] / total, CPU_REPLICA))
            notes.append(f"the other stages share one {CPU_REPLICA} at ${cpu:g}/hour")
    order = {s.name: i for i, s in enumerate(scenario.stages)}
    out.sort(key=lambda p: order[p.stage])
    assumptions: list[str] = []
    if unpriced and shared is None:
        assumptions.append(
            "Prices: no cost.replica_hour_usd given, so a replica is priced from the bundled "
            "table of typical on-demand prices (hyperscaler list prices, November 2026): "
            + "; ".join(notes)
            + ". Prices vary by provider, region and commitment (specialised GPU clouds charge "
            "roughly 40–60 % less): set cost.replica_hour_usd for your own figure."
        )
    traffic = scenario.traffic
    average = traffic.average_rps
    if average is None:
        average = traffic.peak_rps * AVERAGE_SHARE_OF_PEAK
        assumptions.append(
            f"Average traffic over the month is taken as {AVERAGE_SHARE_OF_PEAK:.0%} of peak "
            f"({average:g} requests/s; a daily cycle peaking at twice its mean): set "
            "traffic.average_rps from your metrics."
        )
    engineer = given.engineer_day_usd if given is not None else None
    if engineer is None:
        engineer = ENGINEER_DAY_USD
        assumptions.append(
            f"One-off cost is effort at ${ENGINEER_DAY_USD:,.0f} per engineer-day (fully "
            "loaded): set cost.engineer_day_usd for your own figure."
        )
    result = Prices(
        stages=tuple(out),
        replicas=traffic.replicas,
        peak_rps=float(traffic.peak_rps),
        average_rps=float(average),
        engineer_day_usd=float(engineer),
    )
    assumptions.append(
        f"Running cost: the fleet follows traffic, {traffic.replicas} replica(s) at peak and "
        f"{result.month_factor / HOURS_PER_MONTH * traffic.replicas:.3g} on average, "
        f"{HOURS_PER_MONTH:g} hours a month; a fleet that never scales down costs "
        f"${traffic.replicas * result.replica_hour_usd * HOURS_PER_MONTH:,.0f} a month. "
        "Savings from fixes that remove work assume the fleet is resized to today's utilization."
    )
    return Prices(**{**result.__dict__, "assumptions": tuple(assumptions)})


def running_cost(p: Prices) -> dict[str, object]:
    """The public JSON's `running_cost`: today's money figures and where the prices came from."""
    return {
        "monthly_usd": p.monthly_usd,
        "per_1000_requests_usd": p.per_1000_requests_usd,
        "replica_hour_usd": p.replica_hour_usd,
        "replicas_at_peak": p.replicas,
        "average_replicas": p.month_factor / HOURS_PER_MONTH * p.replicas,
        "average_rps": p.average_rps,
        "peak_rps": p.peak_rps,
        "hours_per_month": HOURS_PER_MONTH,
        "engineer_day_usd": p.engineer_day_usd,
        "stages": [
            {"stage": s.stage, "replica_hour_usd": s.usd_per_hour, "priced_as": s.source}
            for s in p.stages
        ],
    }


def usd(value: float) -> str:
    """Money as a reader says it: $1,234 or $12.5k or $1.2M; a negative figure is a saving."""
    sign = "−" if value < 0 else ""
    v = abs(value)
    if v == 0:
        return "$0"
    if v < 0.01:
        return f"{sign}${v:.2g}"
    if v >= 1e6:
        text = f"${v / 1e6:.1f}M"
    elif v >= 1e5:
        text = f"${v / 1e3:.0f}k"
    elif v >= 1e3:
        text = f"${v / 1e3:.1f}".removesuffix(".0") + "k"
    elif v >= 10:
        text = f"${v:.0f}"
    else:
        text = f"${v:.2f}"
    return sign + text


def usd_range(lo: float, hi: float, per: str = "") -> str:
    """A [low, high] money range; savings read as 'saves $x–$y'."""
    if lo < 0 and hi <= 0:
        a, b = sorted((-lo, -hi))
        body = usd(a) if usd(a) == usd(b) else f"{usd(a)}–{usd(b)}"
        return f"saves {body}{per}"
    if usd(lo) == usd(hi):
        return ("+" if lo > 0 else "") + usd(lo) + per
    return f"{'+' if lo > 0 else ''}{usd(lo)} to {'+' if hi > 0 else ''}{usd(hi)}{per}"
