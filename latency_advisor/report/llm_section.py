"""The LLM stage in tokens, for the report: its time split into prefill (up to the first token)
and decode (every token after), and the time to first token beside the whole answer."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable, Paragraph, Spacer

from latency_advisor.analysis import Analysis
from latency_advisor.report.styles import styles
from latency_advisor.report.text import esc, ms, pct

PHASE_TEXT = {
    "prefill": "speeds up the prefill: the first token comes sooner",
    "decode": "speeds up the decode: every token after the first, not the first",
    "both": "speeds up both prefill and decode",
    "perceived": "changes when the answer starts to show, not its total",
    "capacity": "adds capacity: a shorter queue before the prefill",
}
SOURCE = {
    "measured": "measured",
    "estimated": "estimated from the model size, GPU and prompt",
    "assumed": "an assumed share (no size or measurement)",
    "derived": "the rest of the stage over the output tokens",
}


def llm_split(a: Analysis, width: float) -> list[Flowable]:
    """A paragraph and a small table; nothing where the analysis has no LLM in tokens."""
    from latency_advisor.report.sections import grid

    llm: dict[str, Any] | None = getattr(a, "llm", None)
    first = getattr(a.current, "first_token_ms", None)
    if not llm or first is None:
        return []
    s = styles()
    p = pct(a.sla.percentile)
    whole = getattr(a.current, "end_to_end_ms", None) or a.current.at_sla_percentile_ms
    ttft = llm["first_token_ms"] or {}
    per = llm.get("per_token_ms") or {}
    tokens = int(llm["output_tokens"])
    decode = per.get("p50", 0.0) * max(tokens - 1, 0)
    rows = [
        ("Prefill: time to first token (p50)", ms(ttft.get("p50", 0.0)),
         SOURCE.get(llm["first_token_source"], "")),
        (f"Decode: {tokens - 1} more tokens (p50)", ms(decode),
         SOURCE.get(llm.get("per_token_source", ""), "")),
        (f"Time per output token ({p})", f"{getattr(a.current, 'per_token_ms', 0.0):.1f} ms", ""),
        (f"First output of the path ({p})", ms(first), "path before the LLM + queue + prefill"),
        (f"Whole answer ({p})", ms(whole), ""),
    ]  # fmt: skip
    share = llm.get("prefill_share", 0.0)
    return [
        Paragraph(
            f"The LLM stage, {esc(llm['stage'])}, in tokens: the prefill reads the prompt and "
            f"sets the time to the first token ({share:.0%} of the stage); decoding then "
            f"produces the {tokens} output tokens one step at a time. A streamed answer "
            f"starts after {ms(first)} at {p} and ends after {ms(whole)}.",
            s.body,
        ),
        grid(["LLM phase", "Time", "From"], rows, [width * 0.42, width * 0.18, width * 0.40]),
        Spacer(1, 3),
    ]
