"""Shared pieces of the JSON trace readers: validation of one document into spans, and the
bookkeeping of documents that could not be read (skipped with a warning, or the error)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, TypeAdapter, ValidationError, ValidatorFunctionWrapHandler

from latency_advisor.importers.errors import ImporterError
from latency_advisor.importers.progress import Progress
from latency_advisor.importers.source import json_documents
from latency_advisor.importers.spans import Span

LENIENT = ConfigDict(extra="ignore", populate_by_name=True)


def or_none(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Wrap validator for list items: a malformed span becomes None (counted and skipped by
    the reader) instead of failing the whole batch it came in."""
    try:
        return handler(value)
    except ValidationError:
        return None


def describe(exc: ValidationError) -> str:
    first = exc.errors(include_url=False)[0]
    loc = ".".join(str(p) for p in first["loc"])
    return f"{loc}: {first['msg']}" if loc else str(first["msg"])


def spans_from_file(
    path: Path,
    adapter: Callable[[], TypeAdapter],
    to_spans: Callable[[Any], Iterator[Span]],
    fmt: str,
    warnings: list[str],
    progress: Progress | None = None,
) -> Iterator[Iterator[Span] | None]:
    """For each document of the file: an iterator of its spans (None after a bad document).

    Bad documents are skipped and counted; if no document could be read at all, the first
    problem becomes the error, so a file of the wrong shape is refused with a reason."""
    bad, good, first_problem = 0, 0, ""
    for number, raw in json_documents(path, progress):
        try:
            doc = adapter().validate_json(raw)
        except ValidationError as exc:
            bad += 1
            if not first_problem:
                first_problem = f"line {number}: {describe(exc)}"
            yield None
            continue
        good += 1
        yield to_spans(doc)
    if good == 0:
        detail = first_problem or "the file is empty"
        raise ImporterError(path, f"not a readable {fmt} file ({detail})")
    if bad:
        warnings.append(f"{bad} document(s) could not be read and were skipped ({first_problem})")
