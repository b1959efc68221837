"""LLM servers' own Prometheus histograms -> one LLM stage in tokens.

vLLM, SGLang, TensorRT-LLM (as Dynamo exposes it) and Hugging Face TGI export per-request
histograms of the whole request, the time to first token, the time per output token and the
prompt and output token counts. Read as plain latency series they would become five stages (two
of them token counts read as seconds); here they become one `model` stage whose percentiles are
the request's, with `model.ttft_ms`, `model.per_token_ms`, `model.prompt_tokens` and
`model.output_tokens` filled in, and the bucket bounds reported as the uncertainty.

Names, from each server's documentation:
- vLLM (docs/design/metrics): `vllm:e2e_request_latency_seconds`,
  `vllm:time_to_first_token_seconds`, `vllm:time_per_output_token_seconds` (newer releases also
  `vllm:inter_token_latency_seconds`), `vllm:request_prompt_tokens`,
  `vllm:request_generation_tokens`.
- SGLang (production metrics): the same names under `sglang:`.
- TensorRT-LLM through NVIDIA Dynamo: `trtllm:e2e_request_latency_seconds`,
  `trtllm:time_to_first_token_seconds`, `trtllm:time_per_output_token_seconds` (`trtllm_` in
  later releases); Triton's own `nv_inference_first_response_histogram_ms` is the time to first
  response of a decoupled (streaming) model.
- TGI (reference/metrics): `tgi_request_duration`, `tgi_request_mean_time_per_token_duration`,
  `tgi_request_input_length`, `tgi_request_generated_tokens` (TGI has no time-to-first-token
  histogram; its queue and prefill batches are per batch, not per request).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from latency_advisor.importers.prometheus import Quantile, Series, unit_factor

ROLES = ("e2e", "ttft", "tpot", "prompt", "output")
# metric name (after the server's prefix) -> role
_SUFFIXES: dict[str, str] = {
    "e2e_request_latency_seconds": "e2e",
    "time_to_first_token_seconds": "ttft",
    "time_per_output_token_seconds": "tpot",
    "inter_token_latency_seconds": "tpot",
    "request_prompt_tokens": "prompt",
    "request_generation_tokens": "output",
}
_PREFIXES = {
    "vllm:": "vLLM",
    "sglang:": "SGLang",
    "trtllm:": "TensorRT-LLM",
    "trtllm_": "TensorRT-LLM",
}
_EXACT: dict[str, tuple[str, str]] = {
    "tgi_request_duration": ("TGI", "e2e"),
    "tgi_request_mean_time_per_token_duration": ("TGI", "tpot"),
    "tgi_request_input_length": ("TGI", "prompt"),
    "tgi_request_generated_tokens": ("TGI", "output"),
    "nv_inference_first_response_histogram_ms": ("Triton", "ttft"),
}
TOKEN_ROLES = frozenset({"prompt", "output"})
# labels that split a server's series without telling models apart
_IGNORED_LABELS = frozenset({"finished_reason", "method", "engine_type", "version"})


def role_of(metric: str) -> tuple[str, str] | None:
    """(server, role) of an LLM server's metric, or None for any other metric."""
    if metric in _EXACT:
        return _EXACT[metric]
    for prefix, server in _PREFIXES.items():
        if metric.startswith(prefix):
            role = _SUFFIXES.get(metric[len(prefix) :])
            return (server, role) if role else None
    return None


@dataclass
class LlmSeries:
    """The recognised series of one served model."""

    server: str
    labels: dict[str, str]
    roles: dict[str, Series] = field(default_factory=dict)

    @property
    def name(self) -> str:
        model = self.labels.get("model_name") or self.labels.get("model")
        return f"LLM {model} ({self.server})" if model else f"LLM ({self.server})"


def split(series: list[Series]) -> tuple[list[LlmSeries], list[Series], list[str]]:
    """The LLM servers' series grouped per model, the other series, and warnings."""
    groups: dict[tuple, LlmSeries] = {}
    rest: list[Series] = []
    warnings: list[str] = []
    for s in series:
        found = role_of(s.metric)
        if found is None:
            rest.append(s)
            continue
        server, role = found
        labels = {k: v for k, v in s.labels.items() if k not in _IGNORED_LABELS}
        key = (server, tuple(sorted(labels.items())))
        group = groups.setdefault(key, LlmSeries(server, labels))
        if role in group.roles:  # e.g. both time_per_output_token and inter_token_latency
            continue
        group.roles[role] = s
    out = []
    for group in groups.values():
        if "e2e" not in group.roles:
            warnings.append(
                f"{group.server}: no whole-request latency histogram, so its time-to-first-token "
                "and per-token series were not made into a stage"
            )
            continue
        out.append(group)
    return out, rest, warnings


def _ms(q: Quantile) -> float:
    return round(max(q.value_ms, 0.0), 3)


def _tokens(series: Series) -> int | None:
    """The median token count (the series was read as seconds: undo the unit)."""
    q = series.quantiles.get(0.5)
    if q is None or not math.isfinite(q.value_ms) or q.value_ms <= 0:
        return None
    factor, _assumed = unit_factor(series.metric)
    return max(1, round(q.value_ms / factor))


def model_fields(group: LlmSeries) -> tuple[dict[str, object], list[str]]:
    """`model` fields of the stage (family, ttft_ms, per_token_ms, tokens) and bound notes."""
    e2e = group.roles["e2e"]
    fields: dict[str, object] = {"family": "llm"}  # streamed or not, the server cannot tell
    notes: list[str] = []
    for role, key in (("ttft", "ttft_ms"), ("tpot", "per_token_ms")):
        s = group.roles.get(role)
        if s is None:
            continue
        values: dict[str, float] = {}
        bounds: list[str] = []
        for q, label in ((0.5, "p50"), (0.95, "p95"), (0.99, "p99")):
            quantile = s.quantiles.get(q)
            if quantile is None:
                continue
            value = _ms(quantile)
            if role == "ttft" and e2e.quantiles.get(q) is not None:
                value = min(value, _ms(e2e.quantiles[q]))  # interpolation must not exceed e2e
            values[label] = value
            if quantile.high_ms > quantile.low_ms:
                high = " or more" if math.isinf(quantile.high_ms) else f"–{quantile.high_ms:g}"
                bounds.append(f"{label} {value:g} ms in {quantile.low_ms:g}{high} ms")
        if bounds:
            notes.append(
                f"{group.name}: {key} interpolated inside histogram buckets: {', '.join(bounds)}"
            )
        _ordered(values)
        if "p50" in values:
            fields[key] = values
    for role, key in (("prompt", "prompt_tokens"), ("output", "output_tokens")):
        s = group.roles.get(role)
        count = _tokens(s) if s is not None else None
        if count is not None:
            fields[key] = count
    return fields, notes


def _ordered(values: dict[str, float]) -> None:
    """Interpolated percentiles of one histogram never decrease; clamping keeps that true."""
    last = 0.0
    for label in ("p50", "p95", "p99"):
        if label in values:
            values[label] = last = max(values[label], last)
