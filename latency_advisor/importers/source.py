"""Reading an import file: plain or gzipped (detected by its magic bytes, not its name), its
first bytes for format detection, and its JSON documents (one per line, or the whole file)."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from latency_advisor.importers.errors import ImporterError
from latency_advisor.importers.progress import Progress

HEAD_BYTES = 64 * 1024
MAX_DOCUMENT_BYTES = 1024 * 1024 * 1024
BIG_LINE_BYTES = 8 * 1024 * 1024  # longer JSON lines are streamed item by item
GZIP_MAGIC = b"\x1f\x8b"
READ_ERRORS = (OSError, EOFError, zlib.error)


@contextmanager
def open_binary(path: Path, progress: Progress | None = None) -> Iterator[BinaryIO]:
    """The file's bytes, gunzipped when it starts with the gzip magic; `progress` follows the
    position in the file on disk (compressed or not)."""
    try:
        with path.open("rb") as raw:
            magic = raw.read(2)
            raw.seek(0)
            if progress is not None:
                progress.attach(raw, path.stat().st_size)
            if magic == GZIP_MAGIC:
                with gzip.GzipFile(fileobj=raw) as unzipped:
                    yield unzipped  # type: ignore[misc]
            else:
                yield raw
    except READ_ERRORS as exc:
        raise ImporterError(path, f"cannot read the file ({_reason(exc)})") from None


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def read_head(path: Path) -> bytes:
    """The first bytes (decompressed), enough to tell the format."""
    if not path.is_file():
        raise ImporterError(path, "no such file (or it is a folder)")
    with open_binary(path) as stream:
        try:
            return stream.read(HEAD_BYTES)
        except READ_ERRORS as exc:
            raise ImporterError(path, f"cannot read the file ({_reason(exc)})") from None


def first_line(stream: BinaryIO, limit: int) -> bytes:
    """The first non-blank line, at most `limit` bytes of it."""
    line = stream.readline(limit)
    while line and not line.strip():
        line = stream.readline(limit)
    return line


def is_complete_json(line: bytes) -> bool:
    import json

    try:
        json.loads(line)
    except (ValueError, RecursionError):
        return False
    return True


def read_rest(stream: BinaryIO, path: Path) -> bytes:
    """The remaining bytes of a document that must be read whole, within a size limit."""
    rest = stream.read(MAX_DOCUMENT_BYTES)
    if stream.read(1):
        raise ImporterError(
            path,
            "a single JSON document over 1 GB in a shape that cannot be streamed; export JSON "
            "lines (one document per line)",
        )
    return rest
