"""What an LLM fix touches, in spoken words: the prefill (first token), the decode (every token
after it), both, only what the user sees, or capacity. Read from each fix's `phase`."""

from __future__ import annotations

from latency_advisor.analysis import Recommendation
from latency_advisor.rehearsal.sentences import Facts, Sentence

PHASE_WORDS = {
    "prefill": "shortens the prefill, so the first token comes sooner",
    "decode": "speeds up decoding, so every token after the first comes faster, not the first",
    "both": "lightens both the prefill and the decode",
    "perceived": "changes when the answer starts to show, not how long it takes",
    "capacity": "adds capacity, which shortens the queue before the prefill",
}


def phase_of(rec: Recommendation) -> str | None:
    value = (rec.model_extra or {}).get("phase")
    return value if value in PHASE_WORDS else None


def phase_sentences(f: Facts) -> list[Sentence]:
    """One sentence naming the phase each of the leading LLM fixes touches."""
    recs = [r for r in f.a.recommendations[:6] if phase_of(r)]
    if not recs:
        return []
    parts = [f"{f.fix(r)}: it {PHASE_WORDS[phase_of(r) or '']}" for r in recs[:4]]
    text = "In LLM terms, " + "; ".join(parts) + "."
    out = [Sentence(text, 2, 4)]
    first_token = getattr(f.c, "first_token_ms", None)
    whole = getattr(f.c, "end_to_end_ms", None) or f.c.at_sla_percentile_ms
    if isinstance(first_token, int | float):
        out.append(
            Sentence(
                f"The first token reaches the user after about {first_token:,.0f} ms at "
                f"{f.P}, the whole answer after about {whole:,.0f} ms.",
                2,
                3,
            )
        )
    return out
