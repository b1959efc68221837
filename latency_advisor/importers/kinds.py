"""Guess a stage's kind from its span names and attributes, with the reason, for the user to
confirm: OpenTelemetry semantic conventions (db.system, rpc.system, http.*, gen_ai.*) first,
then words in the name. A guess is only a proposal; a saved mapping overrides it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class KindGuess:
    """`kind` is a scenario stage kind; `label` the finer word shown to the user (db, rpc, ...)."""

    kind: str
    label: str
    reason: str


# attribute key (or key prefix) -> (label, scenario kind); checked before names
_ATTRIBUTE_RULES: tuple[tuple[str, str, str], ...] = (
    ("gen_ai.", "model", "model"),
    ("llm.", "model", "model"),
    ("db.vector", "vector search", "retrieval"),
    ("db.system=redis", "cache", "feature_fetch"),
    ("db.system=memcached", "cache", "feature_fetch"),
    ("db.system=elasticsearch", "search", "retrieval"),
    ("db.system=opensearch", "search", "retrieval"),
    ("db.system=", "db", "feature_fetch"),
    ("db.", "db", "feature_fetch"),
    ("messaging.", "queue", "queueing"),
    ("rpc.system=", "rpc", "network"),
    ("rpc.", "rpc", "network"),
    ("http.", "http", "network"),
    ("url.full", "http", "network"),
    ("cat=kernel", "gpu kernel", "model"),
)

# words in a span name -> (label, scenario kind); the first match wins, so order matters
_NAME_RULES: tuple[tuple[str, str, str], ...] = (
    (
        r"cold.?start|warm.?up|load.?model|model.?load|init(iali[sz]e)?\b",
        "cold start",
        "cold_start",
    ),
    (r"queue|wait|pending|enqueue|backlog", "queue", "queueing"),
    (r"embed", "embedding", "preprocessing"),
    (
        r"vector|retriev|knn|\bann\b|faiss|pinecone|qdrant|milvus|weaviate|chroma|similarity|search",
        "retrieval",
        "retrieval",
    ),
    (r"rerank|re-rank", "model", "model"),
    (
        r"llm|generat|infer|predict|model|forward|decode_step|prefill|onnx|triton|torch|"
        r"tensorrt|vllm|completion|chat\.|score|classif|aten::|profilerstep|backward|optimizer",
        "model",
        "model",
    ),
    (
        r"token|preprocess|pre-process|resize|normali[sz]e|featuri[sz]e|prepare|parse",
        "preprocessing",
        "preprocessing",
    ),
    (
        r"postprocess|post-process|format|filter|render|detokeni[sz]e|nms",
        "postprocessing",
        "postprocessing",
    ),
    (r"seriali[sz]e|json|protobuf|marshal|encode|decode", "serialization", "serialization"),
    (
        r"feature|redis|cache|memcache|lookup|fetch|dynamo|cassandra|bigtable",
        "feature fetch",
        "feature_fetch",
    ),
    (r"select|insert|update|sql|postgres|mysql|mongo|\bdb\b|database", "db", "feature_fetch"),
    (
        r"grpc|rpc|\b(get|post|put|delete|patch)\b|http|request|fetch|call|client|upstream",
        "http",
        "network",
    ),
)
_COMPILED = tuple((re.compile(p, re.IGNORECASE), label, kind) for p, label, kind in _NAME_RULES)


def guess_kind(names: Iterable[str], hints: Iterable[str] = ()) -> KindGuess:
    """A kind for a stage made of spans with these names and attribute hints ("key=value")."""
    names = list(names)
    hints = list(hints)
    for name in names:
        for pattern, label, kind in _COMPILED:
            if pattern.search(name) and label in {"cold start", "queue", "embedding", "retrieval"}:
                return KindGuess(kind, label, f"the name {name!r} says {label}")
    for prefix, label, kind in _ATTRIBUTE_RULES:
        for hint in hints:
            if hint.startswith(prefix):
                return KindGuess(kind, label, f"attribute {hint}")
    for name in names:
        for pattern, label, kind in _COMPILED:
            if pattern.search(name):
                return KindGuess(kind, label, f"the name {name!r} says {label}")
    if "span.kind=client" in hints:
        return KindGuess("network", "remote call", "a client span (a call to another service)")
    return KindGuess("other", "other", "nothing in the name or attributes says what it is")
