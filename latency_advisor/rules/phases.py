"""LLM fixes by phase: which phase each speeds up, and its effect projected through the tokens.

Every recommendation gets a `phase`: `prefill` (sets time to first token), `decode` (time per
output token), `both`, `perceived` (when output appears, not how long it takes), `capacity`
(how much traffic a replica takes), or None when no LLM is involved. Where the scenario states
the token fields (`llm_path.uses_tokens`), the effect of an LLM fix on the answer stage is
replaced by what the token model says it does to each phase, weighted by the stage's split into
time to first token and decode: shorter answers and speculative decoding change decode only
(speculative decoding less as the batch fills); prefix caching changes prefill only; FP8, INT4,
INT8, a smaller model, an optimized runtime and tensor parallelism change both by the bytes and
FLOPs they remove (and the all-reduces they add). With a first-token target only the prefill
part counts. No projection goes below the GPU's physical floor: it is capped, with a warning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from latency_advisor.latency.tokens import (
    LlmConfig,
    decode_step_ms,
    estimate,
    prefill_ms,
    speculative_gain,
)
from latency_advisor.llm_path import TokenSplit, token_split, uses_tokens

if TYPE_CHECKING:
    from latency_advisor.result import Analysis
    from latency_advisor.scenario import Scenario

PHASES: dict[str, str] = {
    "shorter_output": "decode",
    "speculative_decoding": "decode",
    "kv_cache": "decode",
    "prefix_caching": "prefill",
    "chunked_prefill": "prefill",
    "flash_attention": "prefill",
    "prefilter": "prefill",
    "streaming": "perceived",
    "continuous_batching": "capacity",
    "dynamic_batching": "capacity",
    "capacity": "capacity",
    "admission_control": "capacity",
}
PATH_CAPACITY = frozenset({"capacity", "admission_control"})
CONSERVATIVE = 0.6  # the conservative end keeps this share of a modelled gain (in log terms)
PREFIX_SHARED = (0.3, 0.7)  # share of a long prompt that a prefix cache typically reuses
PRECISION_OF = {
    "quantization_fp8": "fp8",
    "quantization_int4": "int4",
    "quantization_int8": "int8",
    "fp16": "bf16",
}
SMALLER = frozenset({"smaller_model", "distillation", "pruning_structured"})


def phase_of(technique: str, stage: str | None, scenario: Scenario) -> str | None:
    """The phase a fix speeds up, or None when no LLM is involved."""
    llm_stages = {
        s.name for s in scenario.stages if s.model is not None and s.model.family == "llm"
    }
    if not llm_stages:
        return None
    if stage is None:
        return "capacity" if technique in PATH_CAPACITY else None
    if stage not in llm_stages:
        return None
    return PHASES.get(technique, "both")


@dataclass
class Projection:
    """A fix's ratios (new / old) of prefill and decode time, conservative and optimistic."""

    low: tuple[float, float]
    high: tuple[float, float]
    config_high: LlmConfig | None = None  # the configuration after the fix (optimistic end)
    output_cut: float = 0.0
    prefix_cut: bool = False
    tokens_per_step: float = 1.0  # speculative decoding: tokens verified per weight read


_SPLITS: dict[int, tuple[Scenario, TokenSplit | None]] = {}


def _split(scenario: Scenario) -> TokenSplit | None:
    hit = _SPLITS.get(id(scenario))
    if hit is None or hit[0] is not scenario:
        if len(_SPLITS) > 32:
            _SPLITS.clear()
        hit = (scenario, token_split(scenario))
        _SPLITS[id(scenario)] = hit
    return hit[1]


def token_ranges(
    technique: str, stage: str | None, scenario: Scenario, ranges: dict[str, tuple[float, float]]
) -> dict[str, tuple[float, float]]:
    """The rule's effect ranges, replaced by the token model's for an LLM fix on the answer."""
    if stage is None or not uses_tokens(scenario):
        return ranges
    split = _split(scenario)
    if split is None or split.stage != stage:
        return ranges
    if technique == "streaming" and "perceived" in ranges:  # first output: the token split
        return {**ranges, "perceived": (split.first_share, split.first_share)}
    proj = project(technique, split, ranges)
    if proj is None:
        return ranges
    ratios = [stage_ratio(split, scenario, *end) for end in (proj.low, proj.high)]
    ratios = [max(r, floor_ratio(split, scenario, proj)) for r in ratios]
    out = {k: v for k, v in ranges.items() if k not in ("speedup", "cut", "median_ms")}
    low, high = sorted(1.0 / max(r, 1e-6) for r in ratios)
    out["speedup"] = (low, high)
    return out


def stage_ratio(split: TokenSplit, scenario: Scenario, r_prefill: float, r_decode: float) -> float:
    """New / old time of the stage as the SLA sees it (first output, or the whole answer)."""
    if scenario.sla.metric == "first_token":
        return r_prefill
    s = split.first_share
    return s * r_prefill + (1.0 - s) * r_decode


def project(
    technique: str, split: TokenSplit, ranges: dict[str, tuple[float, float]]
) -> Projection | None:
    """The phase ratios of one fix (None: keep the rule's own effect)."""
    cfg = split.config
    if technique == "shorter_output" and "cut" in ranges:
        lo, hi = sorted(min(max(c, 0.0), 0.95) for c in ranges["cut"])
        return Projection((1.0, 1.0 - lo), (1.0, 1.0 - hi), output_cut=hi)
    if technique == "speculative_decoding" and "speedup" in ranges:
        gains = [_spec_gain(cfg, split, a) for a in sorted(ranges["speedup"])]
        accepted = max(ranges["speedup"])
        return Projection((1.0, 1.0 / gains[0]), (1.0, 1.0 / gains[1]), tokens_per_step=accepted)
    if technique == "prefix_caching":
        lo, hi = PREFIX_SHARED
        return Projection((1.0 - lo, 1.0), (1.0 - hi, 1.0), prefix_cut=True)
    if cfg is None:
        return None
    if technique == "tensor_parallel" and cfg.tp >= 8:  # a node's NVLink domain is used up
        return Projection((1.0, 1.0), (1.0, 1.0))
    new = _changed(technique, cfg, ranges)
    if new is None:
        return None
    high = (prefill_ms(new) / prefill_ms(cfg), decode_step_ms(new) / decode_step_ms(cfg))
    low = (high[0] ** CONSERVATIVE, high[1] ** CONSERVATIVE)
    return Projection(low, high, config_high=new)


def _spec_gain(cfg: LlmConfig | None, split: TokenSplit, accepted: float) -> float:
    """The token model's gain at the stage's batch; without it, the rule's own range."""
    return speculative_gain(cfg, accepted) if cfg is not None else accepted


def _changed(
    technique: str, cfg: LlmConfig, ranges: dict[str, tuple[float, float]]
) -> LlmConfig | None:
    if technique in PRECISION_OF:
        target = PRECISION_OF[technique]
        return None if target == cfg.precision else cfg.with_(precision=target)
    if technique in ("runtime", "compile") and cfg.runtime == "eager":
        return cfg.with_(runtime="optimized")
    if technique == "tensor_parallel" and cfg.tp < 8:
        return cfg.with_(tp=cfg.tp * 2)
    if technique in SMALLER and "speedup" in ranges:
        factor = max(ranges["speedup"])
        return cfg.with_(params_millions=cfg.params_millions / max(factor, 1.0))
    return None


CONFIG_TECHNIQUES = frozenset({*PRECISION_OF, "runtime", "compile", "tensor_parallel", *SMALLER})
END_EXPONENT = {"low": CONSERVATIVE, "mid": (CONSERVATIVE + 1.0) / 2.0, "high": 1.0}


@dataclass(frozen=True)
class ConfigStep:
    """A fix that changes the LLM's configuration, ready to compose with others."""

    technique: str
    stage: str
    exponent: float  # the share of the modelled gain taken (in log terms): its end of range
    ranges: tuple[tuple[str, tuple[float, float]], ...]  # the rule's own effect sizes


def config_step(
    technique: str,
    stage: str | None,
    scenario: Scenario,
    end: str,
    raw: dict[str, tuple[float, float]],
) -> ConfigStep | None:
    """The configuration change a fix makes to the answering LLM, or None."""
    if technique not in CONFIG_TECHNIQUES or stage is None or not uses_tokens(scenario):
        return None
    split = _split(scenario)
    if split is None or split.config is None or split.stage != stage:
        return None
    return ConfigStep(technique, stage, END_EXPONENT.get(end, 1.0), tuple(sorted(raw.items())))


_COMBINED: dict[tuple, tuple[Scenario, float | None]] = {}


def combined_ratio(scenario: Scenario, steps: list[ConfigStep]) -> float | None:
    """`_combined_ratio`, computed once per scenario (the same object) and list of changes."""
    key = (id(scenario), tuple(steps))
    hit = _COMBINED.get(key)
    if hit is None or hit[0] is not scenario:
        if len(_COMBINED) > 512:
            _COMBINED.clear()
        hit = (scenario, _combined_ratio(scenario, steps))
        _COMBINED[key] = hit
    return hit[1]


def _combined_ratio(scenario: Scenario, steps: list[ConfigStep]) -> float | None:
    """New / old time of the LLM stage after several configuration changes, applied in order
    to one configuration: each change's marginal ratio is taken from the configuration the
    changes before it left (an optimized runtime first makes FP8's saved bytes count), scaled
    by its end of range, and the result never goes below the final configuration's floor."""
    split = _split(scenario)
    if split is None or split.config is None:
        return None
    base = split.config
    cfg = base
    log_ratio = 0.0
    for step in steps:
        new = _changed(step.technique, cfg, dict(step.ranges))
        if new is None:
            continue
        try:
            before = _stage_ratio_of(split, scenario, base, cfg)
            after = _stage_ratio_of(split, scenario, base, new)
        except (ValueError, ZeroDivisionError):
            continue
        log_ratio += step.exponent * (math.log(max(after, 1e-9)) - math.log(max(before, 1e-9)))
        cfg = new
    floor = floor_ratio(split, scenario, Projection((1.0, 1.0), (1.0, 1.0), config_high=cfg))
    return max(math.exp(log_ratio), floor)


def _stage_ratio_of(
    split: TokenSplit, scenario: Scenario, base: LlmConfig, cfg: LlmConfig
) -> float:
    return stage_ratio(
        split,
        scenario,
        prefill_ms(cfg) / prefill_ms(base),
        decode_step_ms(cfg) / decode_step_ms(base),
    )


def floor_ratio(split: TokenSplit, scenario: Scenario, proj: Projection) -> float:
    """The lowest new / old ratio physics allows: the new configuration at 100 % of its GPU
    (all weights read once per token at full bandwidth, the prompt at the full dense rate),
    against the stage as measured. Never above 1: a stage already faster than its stated GPU
    allows is flagged by the analysis, not made slower here."""
    cfg = proj.config_high or split.config
    if cfg is None or split.estimate is None or split.stage_p50_ms <= 0:
        return 0.0
    try:
        est = estimate(cfg)
    except ValueError:
        return 0.0
    floor = est.floor_prefill_ms * (1.0 - (PREFIX_SHARED[1] if proj.prefix_cut else 0.0))
    if scenario.sla.metric != "first_token":
        tokens = max(1, split.output_tokens - 1) * (1.0 - proj.output_cut)
        floor += tokens * est.floor_per_token_ms / proj.tokens_per_step
    base = split.first_fit.quantile(50) if scenario.sla.metric == "first_token" else None
    return min(1.0, floor / (base or split.stage_p50_ms))


def annotate(scenario: Scenario, analysis: Analysis) -> None:
    """`phase` on every recommendation; a warning where the plan's LLM fixes hit the floor."""
    for rec in analysis.recommendations:
        rec.phase = phase_of(rec.technique, rec.stage, scenario)  # type: ignore[attr-defined]
    if not uses_tokens(scenario):
        return
    split = _split(scenario)
    if split is None or split.estimate is None or split.config is None:
        return
    _cap_plan(scenario, analysis, split)


def _cap_plan(scenario: Scenario, analysis: Analysis, split: TokenSplit) -> None:
    """Stacked fixes on the LLM stage never project it below its GPU's physical floor."""
    est = split.estimate
    assert est is not None
    by_rule = {r.rule: r for r in analysis.recommendations}
    stage_now = _stage_ms(analysis, split.stage)
    first = scenario.sla.metric == "first_token"
    base = split.first_fit.quantile(50) if first else split.stage_p50_ms
    floor_ratio_now = min(1.0, _stacked_floor(analysis, split, first) / max(base, 1e-9))
    ratio = 1.0
    added = 0.0
    warned = False
    for step in analysis.plan:
        rec = by_rule.get(step.rule)
        if rec is not None and rec.stage == split.stage and rec.saving_ms[1] > 0:
            lo, hi = rec.saving_ms
            ratio *= max(0.0, 1.0 - (lo + hi) / 2.0 / max(stage_now, 1e-9))
        if ratio < floor_ratio_now:
            need = (floor_ratio_now - ratio) * stage_now
            if need > added:
                step.projected_ms += need - added
                step.meets_sla = step.projected_ms <= scenario.sla.target_ms and step.meets_sla
                added = need
                warned = True
        elif added:
            step.projected_ms += added
    if warned:
        analysis.warnings.append(
            f"The plan's stacked fixes on '{split.stage}' would project it below what "
            f"{split.config.gpu.name if split.config else 'its GPU'} can physically do (all "
            "weights read once per token at full bandwidth, the prompt at the full dense rate); "
            "the projection is capped at that floor."
        )


def _stacked_floor(analysis: Analysis, split: TokenSplit, first_only: bool) -> float:
    """The floor of the stage with every configuration-changing plan step applied."""
    cfg = split.config
    assert cfg is not None
    techniques = {
        r.technique
        for r in analysis.recommendations
        if r.stage == split.stage and r.rule in {s.rule for s in analysis.plan}
    }
    for technique in techniques:
        new = _changed(technique, cfg, {"speedup": (1.0, 6.0)})
        if new is not None and technique not in ("runtime", "compile"):
            cfg = new
    out = max(1, split.output_tokens - 1)
    if "shorter_output" in techniques:
        out = math.ceil(out * 0.4)
    try:
        est = estimate(cfg)
    except ValueError:
        return 0.0
    prefill = est.floor_prefill_ms
    if "prefix_caching" in techniques:
        prefill *= 1.0 - PREFIX_SHARED[1]
    if first_only:
        return prefill
    spec = 2.5 if "speculative_decoding" in techniques else 1.0
    return prefill + out * est.floor_per_token_ms / spec


def _stage_ms(analysis: Analysis, name: str) -> float:
    for row in analysis.stages:
        if row.name == name:
            return row.share * analysis.current.at_sla_percentile_ms
    return 0.0
