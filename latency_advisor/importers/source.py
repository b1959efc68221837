"""Reading an import file: plain or gzipped (detected by its magic bytes, not its name), its
first bytes for format detection, and its JSON documents (one per line, or the whole file)."""

from __future__ import annotations

import gzip
import io
import os
import stat
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from latency_advisor.importers.errors import ImporterError
from latency_advisor.importers.limits import BoundedStream
from latency_advisor.importers.progress import Progress

HEAD_BYTES = 64 * 1024
MAX_DOCUMENT_BYTES = 1024 * 1024 * 1024
BIG_LINE_BYTES = 8 * 1024 * 1024  # longer JSON lines are streamed item by item
GZIP_MAGIC = b"\x1f\x8b"
READ_ERRORS = (OSError, EOFError, zlib.error)


@contextmanager
def open_binary(
    path: Path, progress: Progress | None = None, json: bool = False
) -> Iterator[BinaryIO]:
    """The file's bytes, gunzipped when it starts with the gzip magic, within the size limits
    (and, with `json`, the nesting limit) of `limits.BoundedStream`; `progress` follows the
    position in the file on disk (compressed or not). Only regular files are opened."""
    try:
        with _open_regular(path) as raw:
            magic = raw.read(2)
            raw.seek(0)
            if progress is not None:
                progress.attach(raw, path.stat().st_size)
            if magic == GZIP_MAGIC:
                with gzip.GzipFile(fileobj=raw) as unzipped:
                    yield _bounded(unzipped, path, json)
            else:
                yield _bounded(raw, path, json)
    except READ_ERRORS as exc:
        raise ImporterError(path, f"cannot read the file ({_reason(exc)})") from None


def _open_regular(path: Path) -> BinaryIO:
    """Open for reading without blocking on a FIFO, and refuse anything but a regular file."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ImporterError(path, "not a regular file (a folder, device or pipe)")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _bounded(stream: BinaryIO, path: Path, json: bool) -> BinaryIO:
    return io.BufferedReader(BoundedStream(stream, path, json), buffer_size=1 << 16)  # type: ignore[return-value]


def new_item(stream: BinaryIO) -> None:
    """Tell a bounded stream that one JSON item ended (its per-item size count restarts)."""
    raw = getattr(stream, "raw", None)
    if isinstance(raw, BoundedStream):
        raw.new_item()


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def read_head(path: Path) -> bytes:
    """The first bytes (decompressed), enough to tell the format."""
    if not path.exists():
        raise ImporterError(path, "no such file")
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
