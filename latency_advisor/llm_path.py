"""An LLM stage in tokens within its path: time to first token, time per token, first output.

A streamed answer reaches the user when the path before the LLM, the queue and the prefill are
done; the total adds every output token's decode step. The stage's measured latency stays the
truth for the total; its split into time to first token and time per token comes, in this order,
from measured `ttft_ms` / `per_token_ms`, from the token model (latency.tokens) given the model's
size, GPU, precision, tensor parallelism, prompt and output, or, with neither, from the share the
streaming rule has always assumed. The first-output path is the same path with the LLM stage
reduced to its time to first token and the stages after it off the latency path; every stage
still holds its worker for the whole request, so the queue is that of the whole answer.

Old scenarios (none of the token fields) are untouched: `uses_tokens` gates everything here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from latency_advisor.latency import PathModel, StageFit, StageSpec
from latency_advisor.latency.model import live_samples, stage_spec
from latency_advisor.latency.tokens import LlmConfig, LlmInputError, TokenEstimate, estimate
from latency_advisor.llm_specs import GPUS, find_gpu, usable_gb, weights_gb
from latency_advisor.scenario import Scenario, Stage

DEFAULT_GPU = "A100-80GB"
DEFAULT_PROMPT = 1000
DEFAULT_OUTPUT = 300
CONSISTENCY = 0.25  # ttft + output x per-token may differ this much from the stage's p50


def uses_tokens(scenario: Scenario) -> bool:
    """Whether the scenario states any of the token fields (old files state none)."""
    if scenario.sla.metric == "first_token" or scenario.sla.per_token_ms is not None:
        return True
    for stage in scenario.stages:
        m = stage.model
        if m is not None and m.family == "llm":
            given = (m.prompt_tokens, m.gpu, m.gpus, m.max_sequences, m.ttft_ms, m.per_token_ms)
            if any(v is not None for v in given) or m.precision == "fp8":
                return True
    return False


def answer_stage(scenario: Scenario) -> int | None:
    """The LLM stage that writes the answer: the last LLM stage on the path."""
    found = None
    for i, stage in enumerate(scenario.stages):
        if stage.model is not None and stage.model.family == "llm":
            found = i
    return found


def streamed(scenario: Scenario) -> bool:
    i = answer_stage(scenario)
    if i is None:
        return False
    model = scenario.stages[i].model
    return uses_tokens(scenario) or bool(model is not None and model.streaming)


def prompt_tokens(stage: Stage) -> int | None:
    m = stage.model
    if m is not None and m.prompt_tokens is not None:
        return m.prompt_tokens
    fact = stage.facts.get("prompt_tokens")
    if isinstance(fact, int | float) and not isinstance(fact, bool) and fact >= 1:
        return int(fact)
    return None


def llm_config(stage: Stage) -> tuple[LlmConfig | None, list[str]]:
    """The token model's configuration of a stage (None without a model size), and its guesses."""
    m = stage.model
    if m is None or m.params_millions is None:
        return None, []
    notes: list[str] = []
    gpu = find_gpu(m.gpu) if m.gpu else None
    if gpu is None:
        gpu = GPUS[DEFAULT_GPU]
        notes.append(f"no gpu given: {DEFAULT_GPU} assumed")
    precision = m.precision or "bf16"
    if m.precision is None:
        notes.append("no precision given: bf16 assumed")
    tp = m.gpus
    if tp is None:
        need = weights_gb(m.params_millions, precision)
        tp = next((n for n in (1, 2, 4, 8, 16) if usable_gb(gpu, n) > need * 1.1), 16)
        notes.append(f"no gpus given: {tp} assumed (the fewest that hold the weights)")
    prompt = prompt_tokens(stage)
    if prompt is None:
        prompt = DEFAULT_PROMPT
        notes.append(f"no prompt_tokens given: {DEFAULT_PROMPT} assumed")
    output = m.output_tokens or DEFAULT_OUTPUT
    if m.output_tokens is None:
        notes.append(f"no output_tokens given: {DEFAULT_OUTPUT} assumed")
    runtime = "eager" if m.runtime == "pytorch" else "optimized"
    cfg = LlmConfig(
        params_millions=m.params_millions,
        gpu=gpu,
        precision=precision,
        tp=tp,
        prompt_tokens=prompt,
        output_tokens=output,
        batch=m.max_sequences or 1,
        runtime=runtime,
    )
    return cfg, notes


@dataclass
class TokenSplit:
    """An LLM stage's time to first token and time per token, and where each came from."""

    stage: str
    index: int
    first_fit: StageFit
    per_token_fit: StageFit | None
    first_share: float  # time to first token / stage latency, at p50
    first_source: str  # measured | estimated | assumed
    per_token_source: str
    output_tokens: int
    stage_p50_ms: float = 0.0
    config: LlmConfig | None = None
    estimate: TokenEstimate | None = None
    notes: list[str] = field(default_factory=list)


def scaled(fit: StageFit, factor: float) -> StageFit:
    """The same curve multiplied by `factor` (a share of the stage)."""
    if fit.constant_ms is not None:
        return replace(fit, constant_ms=fit.constant_ms * factor)
    shift = math.log(max(factor, 1e-9))
    return replace(fit, log_ms=tuple(v + shift for v in fit.log_ms))


def token_split(scenario: Scenario) -> TokenSplit | None:
    """The split of the answer stage, or None where there is no LLM stage."""
    index = answer_stage(scenario)
    if index is None:
        return None
    stage = scenario.stages[index]
    m = stage.model
    assert m is not None
    fit = stage_spec(stage).fit
    output = m.output_tokens or DEFAULT_OUTPUT
    cfg, guesses = llm_config(stage)
    est = None
    notes: list[str] = []
    if cfg is not None:
        try:
            est = estimate(cfg)
        except LlmInputError as exc:
            notes.append(f"The token model cannot run '{stage.name}' as given ({exc}).")
            cfg = None
    if m.ttft_ms is not None:
        first_fit = StageFit.from_percentiles(m.ttft_ms.p50, m.ttft_ms.p95, m.ttft_ms.p99, "model")
        share, first_source = m.ttft_ms.p50 / max(stage.p50_ms, 1e-9), "measured"
    elif est is not None:
        share, first_source = est.first_token_ms / max(est.total_ms, 1e-9), "estimated"
        first_fit = scaled(fit, share)
    else:
        share, first_source = min(0.5, 0.08 + 20.0 / output), "assumed"
        first_fit = scaled(fit, share)
    share = min(max(share, 0.0), 1.0)
    per_fit: StageFit | None = None
    per_source = "measured"
    if m.per_token_ms is not None:
        p = m.per_token_ms
        per_fit = StageFit.from_percentiles(p.p50, p.p95, p.p99, "model")
    elif output > 1:
        per_fit = scaled(fit, (1.0 - share) / (output - 1))
        per_source = "derived"
    split = TokenSplit(
        stage=stage.name,
        index=index,
        first_fit=first_fit,
        per_token_fit=per_fit,
        first_share=share,
        first_source=first_source,
        per_token_source=per_source,
        output_tokens=output,
        stage_p50_ms=stage.p50_ms,
        config=cfg,
        estimate=est,
        notes=notes,
    )
    if est is not None and cfg is not None and m.max_sequences and est.max_batch < m.max_sequences:
        split.notes.append(
            f"WARNING: '{stage.name}': {m.max_sequences} concurrent sequences of "
            f"{cfg.prompt_tokens + cfg.output_tokens:,} tokens need "
            f"{m.max_sequences * est.kv_cache_mb_per_request / 1000:.0f} GB of KV cache, but "
            f"{cfg.tp} x {cfg.gpu.name} hold about {est.max_batch} after the weights (90 % of "
            "memory, as vLLM reserves): the rest wait, or the cache is swapped."
        )
    if est is not None and cfg is not None and m.gpu is not None:
        floor = est.floor_prefill_ms + (output - 1) * est.floor_per_token_ms
        if stage.p50_ms < 0.9 * floor:
            split.notes.append(
                f"WARNING: '{stage.name}' takes {stage.p50_ms:g} ms at p50 for {output} tokens, "
                f"less than {cfg.tp} x {cfg.gpu.name} can physically do in {cfg.precision} "
                f"({floor:.0f} ms: every weight read once per token at full bandwidth); check "
                "gpu, gpus, precision and output_tokens."
            )
    if est is not None and guesses:
        split.notes.append(f"Token model of '{stage.name}': " + "; ".join(guesses) + ".")
    if m.ttft_ms is not None and m.per_token_ms is not None:
        composed = m.ttft_ms.p50 + (output - 1) * m.per_token_ms.p50
        if abs(composed - stage.p50_ms) > CONSISTENCY * stage.p50_ms:
            split.notes.append(
                f"WARNING: '{stage.name}': time to first token + {output - 1} tokens x time per "
                f"token is {composed:.0f} ms at p50, but the stage's p50 is {stage.p50_ms:g} ms; "
                "check output_tokens and the measurements (the stage's figure is used)."
            )
    return split


def first_output_specs(scenario: Scenario, split: TokenSplit | None = None) -> list[StageSpec]:
    """The path to the first output: the LLM at its time to first token, later stages off it."""
    split = split or token_split(scenario)
    specs = [stage_spec(s) for s in scenario.stages]
    if split is None:
        return specs
    i = split.index
    rest = scaled(specs[i].fit, max(1.0 - split.first_share, 0.0))
    specs[i] = replace(specs[i], fit=split.first_fit, busy_fit=rest, note=None)
    for j in range(i + 1, len(specs)):
        if specs[j].group is None or specs[j].group != specs[i].group:
            specs[j] = replace(specs[j], on_path=False)
    return specs


def first_output_model(scenario: Scenario, samples: int | None = None) -> PathModel:
    n = samples or live_samples(scenario.sla.percentile)
    return PathModel(first_output_specs(scenario), samples=n, arrivals=scenario.arrivals)


def annotate(scenario: Scenario, analysis: Any, method: str = "auto") -> None:
    """Add the token figures to an analysis: first output, time per token, their targets."""
    if answer_stage(scenario) is None and uses_tokens(scenario):
        analysis.warnings.append(
            "The SLA is set on the first token or the time per token, but no stage is an LLM "
            "(model: {family: llm}): the targets are checked on the whole path instead."
        )
        return
    if not streamed(scenario):
        return
    split = token_split(scenario)
    if split is None:
        return
    sla = scenario.sla
    pct = float(sla.percentile)
    c = analysis.current
    t = scenario.traffic
    if sla.metric == "first_token":
        c.first_token_ms = c.at_sla_percentile_ms
        whole = PathModel.from_stages(
            scenario.stages, samples=live_samples(pct), arrivals=scenario.arrivals
        ).estimate(t.peak_rps, t.servers, pct, method=method, with_shares=False)  # type: ignore[arg-type]
        c.end_to_end_ms = whole.at_percentile_ms
    else:
        first = first_output_model(scenario).estimate(
            t.peak_rps,
            t.servers,
            pct,
            method=method,
            with_shares=False,  # type: ignore[arg-type]
        )
        c.first_token_ms = first.at_percentile_ms
    per_token = split.per_token_fit.quantile(pct) if split.per_token_fit is not None else None
    c.per_token_ms = per_token
    analysis.llm = _llm_block(split, pct)
    analysis.assumptions += _assumptions(split, scenario)
    analysis.warnings += [n[len("WARNING: ") :] for n in split.notes if n.startswith("WARNING: ")]
    analysis.assumptions += [n for n in split.notes if not n.startswith("WARNING: ")]
    if sla.per_token_ms is not None and per_token is not None and per_token > sla.per_token_ms:
        analysis.meets_sla = False
        analysis.warnings.append(
            f"Time per output token at p{pct:g} is {per_token:.1f} ms, above the "
            f"{sla.per_token_ms:g} ms target: the SLA is missed on streaming speed even where "
            "the latency target is met."
        )
    analysis.per_token_meets_target = (
        None if sla.per_token_ms is None or per_token is None else per_token <= sla.per_token_ms
    )


def _llm_block(split: TokenSplit, pct: float) -> dict[str, Any]:
    def pcts(fit: StageFit | None) -> dict[str, float] | None:
        if fit is None:
            return None
        return {f"p{p:g}": fit.quantile(p) for p in (50.0, 95.0, 99.0)}

    block: dict[str, Any] = {
        "stage": split.stage,
        "output_tokens": split.output_tokens,
        "first_token_ms": pcts(split.first_fit),
        "first_token_source": split.first_source,
        "per_token_ms": pcts(split.per_token_fit),
        "per_token_source": split.per_token_source,
        "prefill_share": split.first_share,
    }
    if split.estimate is not None and split.config is not None:
        cfg = split.config
        block["token_model"] = {
            "gpu": cfg.gpu.name,
            "gpus": cfg.tp,
            "precision": cfg.precision,
            "prompt_tokens": cfg.prompt_tokens,
            "batch": cfg.batch,
            "runtime": cfg.runtime,
            **split.estimate.to_json_data(),
        }
        block["token_model"].pop("assumptions", None)
    return block


def _assumptions(split: TokenSplit, scenario: Scenario) -> list[str]:
    out = []
    where = f"'{split.stage}'"
    if split.first_source == "measured":
        out.append(
            f"Time to first token of {where} is measured (ttft_ms); it is part of the stage."
        )
    elif split.first_source == "estimated":
        est = split.estimate
        assert est is not None
        out.append(
            f"Time to first token of {where} is {split.first_share:.0%} of the stage, the token "
            f"model's share (prefill {est.prefill_ms:.0f} ms, {est.per_token_ms:.1f} ms per "
            f"token over {split.output_tokens} tokens); the measured stage latency is kept."
        )
        out += [f"Token model: {note}" for note in est.assumptions]
    else:
        out.append(
            f"Time to first token of {where} is assumed to be {split.first_share:.0%} of the "
            "stage (no model size or measurement to split prefill from decode)."
        )
    if split.per_token_source == "derived":
        out.append(
            f"Time per output token of {where} is the rest of the stage over "
            f"{split.output_tokens - 1} tokens."
        )
    if scenario.sla.metric == "first_token":
        out.append(
            "The target is on the first output: a fix is credited with what it takes off the "
            "time to first token; the decode it may also shorten frees capacity that is not "
            "counted (a conservative reading of the queue)."
        )
    after = [s.name for s in scenario.stages[split.index + 1 :]]
    out.append(
        "First output = the path before the LLM + queue + time to first token"
        + (f"; {', '.join(after)} run(s) as tokens stream." if after else ".")
    )
    return out
