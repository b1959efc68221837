"""`latency-advisor llm`: estimate an LLM stage from its size, GPU, precision, prompt and output.

Prints prefill, time to first token, time per output token, the total, the KV cache per request,
the largest batch that fits and tokens/s per GPU, from the token model (latency.tokens), with the
assumptions it rests on. Measured figures beat these: use it to size, compare and sanity-check.
"""

from __future__ import annotations

import argparse
import json

from latency_advisor.errors import UserError


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "llm",
        help="estimate prefill, time to first token and time per token of an LLM",
        description=__doc__,
    )
    p.add_argument("--params", required=True, help="model size: 8B, 70B, 1.5B or millions")
    p.add_argument("--gpu", default="H100-80GB", help="GPU name (default H100-80GB)")
    p.add_argument(
        "--precision",
        default="bf16",
        choices=["fp32", "fp16", "bf16", "fp8", "int8", "int4"],
        help="weight precision (default bf16)",
    )
    p.add_argument("--tp", type=int, default=1, help="tensor-parallel GPUs (default 1)")
    p.add_argument("--prompt", type=int, default=1000, help="prompt tokens (default 1000)")
    p.add_argument("--output", type=int, default=300, help="output tokens (default 300)")
    p.add_argument("--batch", type=int, default=1, help="concurrent sequences (default 1)")
    p.add_argument(
        "--runtime",
        default="optimized",
        choices=["optimized", "eager"],
        help="optimized (vLLM, TensorRT-LLM, CUDA graphs) or eager PyTorch",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    return p


def config_from(args: argparse.Namespace):
    from latency_advisor.latency.tokens import LlmConfig
    from latency_advisor.llm_specs import find_gpu, parse_params, unknown_gpu_message

    try:
        params = parse_params(args.params)
    except ValueError as exc:
        raise UserError(f"--params: {exc}") from None
    gpu = find_gpu(args.gpu)
    if gpu is None:
        raise UserError(f"--gpu: {unknown_gpu_message(args.gpu)}")
    for flag, value, low, high in (
        ("--tp", args.tp, 1, 64),
        ("--prompt", args.prompt, 1, 10_000_000),
        ("--output", args.output, 1, 1_000_000),
        ("--batch", args.batch, 1, 100_000),
    ):
        if not low <= value <= high:
            raise UserError(f"{flag}: must be between {low:,} and {high:,} (got {value})")
    return LlmConfig(
        params_millions=params,
        gpu=gpu,
        precision=args.precision,
        tp=args.tp,
        prompt_tokens=args.prompt,
        output_tokens=args.output,
        batch=args.batch,
        runtime=args.runtime,
    )


def run(args: argparse.Namespace) -> int:
    from latency_advisor.latency.tokens import LlmInputError, estimate

    cfg = config_from(args)
    try:
        est = estimate(cfg)
    except LlmInputError as exc:
        flag = {"prompt_tokens": "--prompt", "gpus": "--tp"}.get(exc.field, exc.field)
        raise UserError(f"{flag}: {exc}") from None
    if est.max_batch < cfg.batch:
        est.assumptions.append(
            f"Only {est.max_batch} sequences of this length fit; batch {cfg.batch} would queue."
        )
    if args.json:
        data = {"params_millions": cfg.params_millions, "gpu": cfg.gpu.name,
                "precision": cfg.precision, "tp": cfg.tp, "prompt_tokens": cfg.prompt_tokens,
                "output_tokens": cfg.output_tokens, "batch": cfg.batch, "runtime": cfg.runtime,
                **est.to_json_data()}  # fmt: skip
        print(json.dumps(data, indent=2))
        return 0
    print(
        f"{cfg.params_millions / 1000:g}B {cfg.precision} on {cfg.tp} x {cfg.gpu.name} "
        f"({cfg.runtime}), prompt {cfg.prompt_tokens:,}, output {cfg.output_tokens:,}, "
        f"batch {cfg.batch}"
    )
    rows = [
        ("prefill", f"{est.prefill_ms:.1f} ms"),
        ("time to first token", f"{est.first_token_ms:.1f} ms"),
        ("time per output token", f"{est.per_token_ms:.2f} ms"),
        ("total (one request)", f"{est.total_ms:.0f} ms"),
        ("KV cache per request", f"{est.kv_cache_mb_per_request:.0f} MB"),
        ("largest batch that fits", f"{est.max_batch}"),
        ("output tokens/s per GPU", f"{est.tokens_per_s:.0f}"),
        ("physical floor", f"prefill {est.floor_prefill_ms:.1f} ms, "
         f"{est.floor_per_token_ms:.2f} ms/token"),
    ]  # fmt: skip
    for label, value in rows:
        print(f"  {label:<26} {value}")
    print("Assumptions:")
    for note in est.assumptions:
        print(f"  - {note}")
    return 0
