"""Reading JSON trace files document by document, with bounded memory.

JSON lines (the OTLP file exporter) are validated a line at a time straight from bytes (fast).
One big document (a plain export, pretty-printed or on one line) is never loaded whole: its
items (OTLP resourceSpans, Jaeger traces, Zipkin spans, Chrome events) are streamed with ijson
and validated one by one. Malformed documents or items are skipped and counted; if nothing could
be read, the first problem is the error, so a file of the wrong shape is refused with a reason.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import ijson
from pydantic import ConfigDict, TypeAdapter, ValidationError, ValidatorFunctionWrapHandler

from latency_advisor.importers.errors import ImporterError
from latency_advisor.importers.limits import bounded_lines
from latency_advisor.importers.progress import Progress
from latency_advisor.importers.source import (
    BIG_LINE_BYTES,
    READ_ERRORS,
    first_line,
    is_complete_json,
    new_item,
    open_binary,
    read_rest,
)
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


@dataclass(frozen=True)
class StreamSpec:
    """How to stream one big document of a format: the ijson prefix of its items by the
    document's first character, how to validate one item, and how a batch of validated items
    becomes a document for the format's span reader (`batch` None: all items in one)."""

    prefixes: dict[str, str]
    item: Callable[[], TypeAdapter]
    combine: Callable[[list], Any]
    batch: int | None = 64
    # a top-level array may end without its `]` (Chrome's JSON array format allows it: a
    # process that stops while tracing leaves it, or the last event, unwritten)
    open_array: bool = False


class _Tally:
    def __init__(self) -> None:
        self.good = self.bad = 0
        self.first_problem = ""
        self.open_array = False  # an array ended without `]`, which the format allows

    def failed(self, where: str, exc: ValidationError) -> None:
        self.bad += 1
        if not self.first_problem:
            self.first_problem = f"{where}: {describe(exc)}"


def spans_from_file(
    path: Path,
    adapter: Callable[[], TypeAdapter],
    to_spans: Callable[[Any], Iterator[Span]],
    fmt: str,
    warnings: list[str],
    progress: Progress | None = None,
    stream: StreamSpec | None = None,
) -> Iterator[Iterator[Span] | None]:
    """For each document (or batch of streamed items): an iterator of its spans, or None
    after one that could not be read."""
    tally = _Tally()
    progress = progress or Progress()
    for doc in _documents(path, adapter, stream, progress, tally):
        yield None if doc is None else to_spans(doc)
    if tally.good == 0:
        detail = tally.first_problem or "the file is empty"
        raise ImporterError(path, f"not a readable {fmt} file ({detail})")
    if tally.bad:
        warnings.append(
            f"{tally.bad} document(s) could not be read and were skipped ({tally.first_problem})"
        )
    if tally.open_array:
        warnings.append(
            "the JSON array ends without its closing `]` (the traced process may have stopped "
            "while writing); every complete event up to the end of the file was read"
        )


def _documents(
    path: Path,
    adapter: Callable[[], TypeAdapter],
    spec: StreamSpec | None,
    progress: Progress,
    tally: _Tally,
) -> Iterator[Any]:
    with open_binary(path, progress, json=True) as handle:
        try:
            first = first_line(handle, BIG_LINE_BYTES)
            if not first:
                return
            if len(first) < BIG_LINE_BYTES and is_complete_json(first):
                rest = enumerate(bounded_lines(handle, path), start=2)
                lines = ((n, line) for n, line in rest if line.strip())
                for number, line in _chain(first, lines):
                    progress.tick()
                    new_item(handle)  # a line is one item: its size is capped by the line limit
                    if spec is not None and len(line) > BIG_LINE_BYTES:
                        yield from _stream(io.BytesIO(line), spec, path, progress, tally, number)
                        continue
                    yield _validated(lambda raw=line: adapter().validate_json(raw), number, tally)
                return
            if spec is not None:
                handle.seek(0)
                count = yield from _stream(handle, spec, path, progress, tally, None)
                if count:
                    return
                handle.seek(0)  # a shape the item prefix does not reach: read it whole
            whole = first_line(handle, BIG_LINE_BYTES) + read_rest(handle, path)
            yield _validated(lambda: adapter().validate_json(whole), 1, tally)
        except READ_ERRORS as exc:
            raise ImporterError(path, f"cannot read the file ({exc})") from None


def _chain(first: bytes, rest: Iterator[tuple[int, bytes]]) -> Iterator[tuple[int, bytes]]:
    yield 1, first
    yield from rest


def _validated(validate: Callable[[], Any], number: int, tally: _Tally) -> Any:
    try:
        doc = validate()
    except ValidationError as exc:
        tally.failed(f"line {number}", exc)
        return None
    tally.good += 1
    return doc


def _stream(
    handle: BinaryIO,
    spec: StreamSpec,
    path: Path,
    progress: Progress,
    tally: _Tally,
    line: int | None,
):
    """Yield documents of validated items streamed from `handle`; return how many items."""
    head = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")[:1].decode("latin-1")
    handle.seek(0)
    prefix = spec.prefixes.get(head)
    if prefix is None:
        return 0
    batch: list = []
    count = 0
    try:
        for item in ijson.items(handle, prefix, use_float=True, multiple_values=True):
            count += 1
            new_item(handle)
            progress.tick()
            try:
                batch.append(spec.item().validate_python(item))
            except ValidationError as exc:
                tally.failed(f"line {line}, item {count}" if line else f"item {count}", exc)
                yield None
                continue
            tally.good += 1
            if spec.batch is not None and len(batch) >= spec.batch:
                yield spec.combine(batch)
                batch = []
    except ijson.JSONError as exc:
        if not (spec.open_array and head == "[" and count and _ends_early(exc)):
            where = f"line {line}" if line else ""
            raise ImporterError(path, f"invalid JSON ({_first_line(exc)})", where) from None
        tally.open_array = True  # the items before the end were all yielded: keep them
    if batch:
        yield spec.combine(batch)
    return count


def _ends_early(exc: Exception) -> bool:
    """Whether the parser stopped at the end of the input inside a value (an unclosed array),
    rather than at a syntax error: yajl's and the pure-Python backend's wording."""
    text = _first_line(exc).lower()
    return isinstance(exc, ijson.IncompleteJSONError) and (
        "premature eof" in text or "incomplete json content" in text
    )


def _first_line(exc: Exception) -> str:
    """The parser's message without its multi-line excerpt of the file."""
    text = exc.args[0] if exc.args else str(exc)
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return str(text).strip().splitlines()[0] if str(text).strip() else type(exc).__name__
