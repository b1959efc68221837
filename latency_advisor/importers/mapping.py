"""The span-to-stage mapping: which spans become which stage, of what kind, at what depth.

An import proposes one; the user confirms kinds and names; saved as a small YAML file it is
reused for the next trace of the same service, so the stages keep their names and kinds.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from latency_advisor.atomic import atomic_write_text
from latency_advisor.importers.errors import ImporterError
from latency_advisor.safe_yaml import SafeReadError, decode_text, load_yaml, read_bytes
from latency_advisor.scenario import StageKind

MAPPING_FORMAT = "latency-advisor/import-mapping/v1"
MAX_MAPPING_NODES = 50_000
MAX_MAPPING_BYTES = 1024 * 1024

_ID_PATTERNS = (
    (
        re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"),
        "{id}",
    ),
    (re.compile(r"(?<![A-Za-z])[0-9a-fA-F]{12,}(?![A-Za-z])"), "{id}"),
    (re.compile(r"#\d+"), "#N"),
    (re.compile(r"(?<=/)\d+(?=/|$|\?)"), "{id}"),
)
Name = Annotated[str, Field(min_length=1, max_length=200)]


def normalize_name(name: str) -> str:
    """Fold ids out of span names ("GET /users/123" -> "GET /users/{id}", "Step#7" -> "Step#N")."""
    for pattern, replacement in _ID_PATTERNS:
        name = pattern.sub(replacement, name)
    return name.strip() or "(unnamed)"


class ImportMapping(BaseModel):
    """How spans map to stages. Patterns in `rename` and `ignore` are exact names or globs."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["latency-advisor/import-mapping/v1"] = MAPPING_FORMAT
    service: str | None = None
    depth: Annotated[int, Field(ge=0, le=8)] = 1
    normalize_ids: bool = True
    rename: dict[Name, Name] = Field(default_factory=dict)
    ignore: list[Name] = Field(default_factory=list)
    kinds: dict[Name, StageKind] = Field(default_factory=dict)
    parallel_groups: dict[Name, Name] = Field(default_factory=dict)

    def stage_name(self, span_name: str) -> str | None:
        """The stage a span belongs to, or None when the mapping ignores it."""
        name = normalize_name(span_name) if self.normalize_ids else (span_name or "(unnamed)")
        result: str | None = name
        if any(_matches(pattern, span_name, name) for pattern in self.ignore):
            result = None
        else:
            for pattern, target in self.rename.items():
                if _matches(pattern, span_name, name):
                    result = target
                    break
        return result


def _matches(pattern: str, raw: str, normalized: str) -> bool:
    if pattern in (raw, normalized):
        return True
    return any(ch in pattern for ch in "*?[") and (
        fnmatch.fnmatchcase(raw, pattern) or fnmatch.fnmatchcase(normalized, pattern)
    )


def load_mapping(path: str | Path) -> ImportMapping:
    """Read a saved mapping (YAML or JSON) or raise ImporterError naming the field."""
    path = Path(path)
    try:
        text = decode_text(read_bytes(path, MAX_MAPPING_BYTES, "mapping file"))
        data, _ = load_yaml(text, MAX_MAPPING_NODES)  # JSON is YAML: one bounded reader
    except SafeReadError as exc:
        where = ".".join(str(part) for part in exc.field)
        line = f" (line {exc.line})" if exc.line else ""
        message = exc.message.replace("cannot read the file", "cannot read the mapping file")
        raise ImporterError(path, message + line, where=where) from None
    if not isinstance(data, dict):
        raise ImporterError(path, f"expected a mapping with 'format: {MAPPING_FORMAT}'")
    try:
        return ImportMapping.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(part) for part in first["loc"])
        raise ImporterError(path, str(first["msg"]), where=field) from None


def dump_mapping(mapping: ImportMapping) -> str:
    data = mapping.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def save_mapping(mapping: ImportMapping, path: str | Path) -> None:
    atomic_write_text(path, dump_mapping(mapping))
