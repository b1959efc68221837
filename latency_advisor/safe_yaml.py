"""The one bounded reader for every YAML or text file the tool reads (scenarios, rules, mappings).

PyYAML's safe loader still expands aliases without limit ("billion laughs"), builds integers of
any length and floats that overflow to infinity, accepts tags (`!!str`, `!!binary`) and keeps
the last of two equal keys. This reader composes the document itself from the parser's events,
so every limit holds while the file is read, not after a huge object exists:

- at most `max_nodes` nodes, an alias counting as every node it repeats;
- nesting at most `MAX_DEPTH` deep;
- no tags, no complex keys, no duplicate keys;
- numbers at most `MAX_NUMBER_CHARS` characters and finite.

`read_text` opens regular files only (a FIFO or a link to `/dev/zero` would block or never end),
within a byte limit, and decodes UTF-8 or, with a byte-order mark, UTF-16/32.
"""

from __future__ import annotations

import codecs
import math
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

MAX_DEPTH = 64
MAX_NUMBER_CHARS = 64
DEFAULT_MAX_NODES = 200_000
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER = yaml.resolver.Resolver()
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

Lines = dict[tuple, int]


class SafeReadError(ValueError):
    """A file refused while reading: `message` says why, `line` (1-based) where, if known."""

    def __init__(self, message: str, line: int | None = None, field: tuple = ()):
        self.message = message
        self.line = line
        self.field = field
        super().__init__(message)


# ---------------------------------------------------------------- files


def read_bytes(path: str | Path, max_bytes: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most `max_bytes`; never blocks on a FIFO or a device."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise SafeReadError(f"cannot read the file ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SafeReadError(f"not a regular file ({_kind(info.st_mode)}); give a {what}")
        if info.st_size > max_bytes:
            raise SafeReadError(
                f"the file is {info.st_size / 1e6:.1f} MB; a {what} is at most "
                f"{max_bytes / 1e6:g} MB (is this the right file?)"
            )
        chunks = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        raise SafeReadError(f"cannot read the file ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise SafeReadError(f"the file grew past {max_bytes / 1e6:g} MB while it was read")
    return data


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a plain file"


def decode_text(raw: bytes) -> str:
    """UTF-8 text, or UTF-16/32 when a byte-order mark says so; binary data is refused."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError as exc:
                raise SafeReadError(
                    f"the file starts as {encoding.upper()} but has a bad byte at offset "
                    f"{exc.start}"
                ) from None
    if b"\x00" in raw[:8192]:
        raise SafeReadError("this is a binary file, not text (no UTF-16/32 byte-order mark)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SafeReadError(
            f"the file is not UTF-8 text (bad byte at offset {exc.start})"
        ) from None


def read_text(path: str | Path, max_bytes: int, what: str = "file") -> str:
    return decode_text(read_bytes(path, max_bytes, what))


# ---------------------------------------------------------------- YAML


def load_yaml(text: str, max_nodes: int = DEFAULT_MAX_NODES) -> tuple[Any, Lines]:
    """One YAML document as plain data, and the 1-based line of every field path.

    An empty document gives `(None, {})`. Raises SafeReadError for anything over a limit.
    """
    try:
        events = yaml.parse(text, Loader=_LOADER)
        composer = _Composer(events, max_nodes)
        return composer.document(), composer.lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise SafeReadError(
            f"invalid YAML: {problem}", line=mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as exc:
        raise SafeReadError(f"invalid YAML: {exc}") from None


class _Composer:
    """Builds Python data from parser events, enforcing the limits as it goes."""

    def __init__(self, events: Iterator[yaml.Event], max_nodes: int):
        self.events = events
        self.max_nodes = max_nodes
        self.nodes = 0
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.lines: Lines = {}
        self.constructor = yaml.constructor.SafeConstructor()

    def next(self) -> yaml.Event:
        return next(self.events)

    def document(self) -> Any:
        event = self.next()  # StreamStart
        event = self.next()
        if isinstance(event, yaml.StreamEndEvent):
            return None
        data = self.node(self.next(), (), 0)
        self.next()  # DocumentEnd
        event = self.next()
        if not isinstance(event, yaml.StreamEndEvent):
            raise SafeReadError(
                "the file holds more than one YAML document (a second '---')",
                line=_line(event),
            )
        return data

    def count(self, n: int, event: yaml.Event) -> None:
        self.nodes += n
        if self.nodes > self.max_nodes:
            raise SafeReadError(
                f"the YAML document is too large: more than {self.max_nodes:,} values "
                "(aliases count as every value they repeat)",
                line=_line(event),
            )

    def node(self, event: yaml.Event, path: tuple, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise SafeReadError(
                f"the YAML document is nested more than {MAX_DEPTH} deep", line=_line(event)
            )
        self.lines.setdefault(path, _line(event))
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                raise SafeReadError(f"unknown alias *{event.anchor}", line=_line(event))
            value, size = self.anchors[event.anchor]
            self.count(size, event)
            return value
        tag = getattr(event, "tag", None)
        if tag is not None:
            raise SafeReadError(
                f"YAML tags ({tag.replace('tag:yaml.org,2002:', '!!')}) are not allowed: "
                "the file holds plain data only",
                line=_line(event),
                field=path,
            )
        start = self.nodes
        self.count(1, event)
        if isinstance(event, yaml.ScalarEvent):
            value = self.scalar(event, path)
        elif isinstance(event, yaml.SequenceStartEvent):
            value = self.sequence(path, depth)
        elif isinstance(event, yaml.MappingStartEvent):
            value = self.mapping(path, depth)
        else:  # pragma: no cover - the parser gives no other node events
            raise SafeReadError("invalid YAML", line=_line(event))
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, self.nodes - start)
        return value

    def scalar(self, event: yaml.ScalarEvent, path: tuple) -> Any:
        tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag.endswith((":int", ":float")) and len(event.value) > MAX_NUMBER_CHARS:
            raise SafeReadError(
                f"a number of {len(event.value)} characters; numbers are at most "
                f"{MAX_NUMBER_CHARS} characters",
                line=_line(event),
                field=path,
            )
        if tag.endswith(":str"):
            return event.value
        value = self.constructor.construct_object(yaml.ScalarNode(tag, event.value))
        if isinstance(value, float) and not math.isfinite(value):
            raise SafeReadError(
                f"{event.value!r} is not a finite number", line=_line(event), field=path
            )
        return value

    def sequence(self, path: tuple, depth: int) -> list:
        items: list = []
        event = self.next()
        while not isinstance(event, yaml.SequenceEndEvent):
            items.append(self.node(event, (*path, len(items)), depth + 1))
            event = self.next()
        return items

    def mapping(self, path: tuple, depth: int) -> dict:
        out: dict = {}
        merges: list = []
        event = self.next()
        while not isinstance(event, yaml.MappingEndEvent):
            if not isinstance(event, yaml.ScalarEvent) or event.tag is not None:
                raise SafeReadError(
                    "a mapping key must be a plain name or number", line=_line(event), field=path
                )
            key_line = _line(event)
            self.count(1, event)
            if event.value == "<<" and event.implicit[0]:
                merges.append((self.node(self.next(), (*path, "<<"), depth + 1), key_line))
            else:
                key = self.scalar(event, path)
                if not isinstance(key, str | int | float | bool) and key is not None:
                    raise SafeReadError(
                        "a mapping key must be a plain name or number", line=key_line, field=path
                    )
                if key in out:
                    raise SafeReadError(
                        f"the key {key!r} appears twice", line=key_line, field=(*path, key)
                    )
                out[key] = self.node(self.next(), (*path, key), depth + 1)
            event = self.next()
        for value, line in merges:
            for source in value if isinstance(value, list) else [value]:
                if not isinstance(source, dict):
                    raise SafeReadError("'<<' merges mappings only", line=line, field=path)
                for key, item in source.items():
                    out.setdefault(key, item)
        return out


def _line(event: yaml.Event) -> int | None:
    mark = getattr(event, "start_mark", None)
    return mark.line + 1 if mark is not None else None
