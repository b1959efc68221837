"""Load rule files from the bundled library and the user's folders; compile every expression.

A broken file is refused whole, with its path, the line, the rule id and what is wrong, and
nothing in it ever runs: YAML is read with the safe loader, and conditions compile through the
typed expression compiler (never `eval`). The loaded library is cached per set of folders and
file modification times, so an analysis pays for loading once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from latency_advisor.errors import UserError
from latency_advisor.paths import rules_dir
from latency_advisor.rules.conditions import Expression, ExpressionError, compile_expression
from latency_advisor.rules.schema import RULE_FORMAT, Effect, RuleFile, RuleSpec

ENV_VAR = "LATENCY_ADVISOR_RULES"
MAX_RULE_FILE_BYTES = 1024 * 1024
RANGE_FIELDS = (
    "speedup",
    "cut",
    "median_ms",
    "add_ms",
    "hit_rate",
    "hit_ms",
    "hit_fraction",
    "clip_percentile",
    "perceived",
    "servers_factor",
    "load_kept",
)
Value = float | Expression


class RuleFileError(UserError):
    """A rule file that cannot be used: where (file, line), which rule, what is wrong."""

    def __init__(
        self, path: Path | str, message: str, rule: str | None = None, line: int | None = None
    ):
        self.path = str(path)
        self.rule = rule
        self.line = line
        self.message = message
        where = self.path + (f":{line}" if line else "")
        who = f" rule '{rule}':" if rule else ""
        super().__init__(f"{where}:{who} {message}")


@dataclass(frozen=True)
class CompiledRule:
    """A validated rule with its condition and effect sizes compiled."""

    spec: RuleSpec
    path: Path
    when: Expression
    first_when: Expression | None
    left_out_when: Expression | None
    ranges: dict[str, tuple[Value, Value]]
    symbols: frozenset[str]

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def lossy(self) -> bool:
        return self.spec.accuracy_risk != "none"


@dataclass
class Library:
    rules: list[CompiledRule]
    folders: tuple[Path, ...]
    by_id: dict[str, CompiledRule] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {rule.id: rule for rule in self.rules}


# ------------------------------------------------------------------ folders


def user_folders(extra: list[str | Path] | None = None) -> list[Path]:
    """Folders of the user's own rules: LATENCY_ADVISOR_RULES (os.pathsep-separated), then extra."""
    folders = [Path(p) for p in os.environ.get(ENV_VAR, "").split(os.pathsep) if p.strip()]
    folders += [Path(p) for p in extra or []]
    return folders


def library_folders(extra: list[str | Path] | None = None) -> tuple[Path, ...]:
    folders = [rules_dir(), *user_folders(extra)]
    out: list[Path] = []
    for folder in folders:
        if not folder.is_dir():
            raise RuleFileError(folder, "not a folder of rule files")
        resolved = folder.resolve()
        if resolved not in out:
            out.append(resolved)
    return tuple(out)


def rule_files(folders: tuple[Path, ...]) -> list[Path]:
    """Every .yaml/.yml file under the folders, in a stable order."""
    files: list[Path] = []
    for folder in folders:
        found = []
        for root, dirs, names in os.walk(folder):
            dirs.sort()
            found += [Path(root, n) for n in names if n.endswith((".yaml", ".yml"))]
        files += sorted(found)
    return files


_CACHE: dict[tuple, Library] = {}


def load_library(extra: list[str | Path] | None = None) -> Library:
    """The bundled rules plus the user's, compiled; cached until a file changes."""
    folders = library_folders(extra)
    files = rule_files(folders)
    stats = [p.stat() for p in files]
    key = tuple((str(p), st.st_mtime_ns, st.st_size) for p, st in zip(files, stats, strict=True))
    if key not in _CACHE:
        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[key] = load_files(files, folders)
    return _CACHE[key]


def load_files(files: list[Path], folders: tuple[Path, ...] = ()) -> Library:
    rules: list[CompiledRule] = []
    seen: dict[str, Path] = {}
    for path in files:
        for rule in load_rule_file(path):
            if rule.id in seen:
                raise RuleFileError(
                    path,
                    f"duplicate rule id; '{rule.id}' is already defined in {seen[rule.id]} "
                    "(ids are stable and never reused: pick a new one)",
                    rule=rule.id,
                    line=None,
                )
            seen[rule.id] = path
            rules.append(rule)
    library = Library(rules=rules, folders=folders)
    for rule in rules:
        for kind, ids in (("requires", rule.spec.requires), ("conflicts", rule.spec.conflicts)):
            for other in ids:
                if other not in library.by_id:
                    raise RuleFileError(
                        rule.path, f"{kind}: no rule has the id '{other}'", rule=rule.id
                    )
    return library


# ------------------------------------------------------------------ one file


def load_rule_file(path: Path) -> list[CompiledRule]:
    data, lines = _read_yaml(path)
    if not isinstance(data, dict):
        raise RuleFileError(path, "expected a mapping: one rule, or 'rules:' with a list of rules")
    prefix: tuple = ()
    if "rules" in data:
        family = data
        prefix = ("rules",)
    else:
        single = {k: v for k, v in data.items() if k != "format"}
        family = {"format": data.get("format", RULE_FORMAT), "rules": [single]}
    raw_rules = family.get("rules") if isinstance(family.get("rules"), list) else []
    try:
        parsed = RuleFile.model_validate(family)
    except ValidationError as exc:
        raise _validation_error(path, exc, raw_rules, lines, bool(prefix)) from None
    out = []
    for index, spec in enumerate(parsed.rules):
        base = (*prefix, index) if prefix else ()
        out.append(_compile(path, spec, lines, base))
    return out


def _compile(path: Path, spec: RuleSpec, lines: dict[tuple, int], base: tuple) -> CompiledRule:
    def fail(field_path: tuple, label: str, exc: ExpressionError) -> RuleFileError:
        line = _line_of(lines, (*base, *field_path))
        where = ""
        if exc.line is not None:
            where = f" (line {exc.line}, column {exc.column} of the expression)"
        return RuleFileError(path, f"{label}: {exc.message}{where}", rule=spec.id, line=line)

    try:
        when = compile_expression(spec.when, "boolean")
    except ExpressionError as exc:
        raise fail(("when",), "when", exc) from None
    first = None
    if spec.first_when:
        try:
            first = compile_expression(spec.first_when, "boolean")
        except ExpressionError as exc:
            raise fail(("first_when",), "first_when", exc) from None
    left_out = None
    if spec.left_out_when:
        try:
            left_out = compile_expression(spec.left_out_when.when, "boolean")
        except ExpressionError as exc:
            raise fail(("left_out_when", "when"), "left_out_when.when", exc) from None
    ranges: dict[str, tuple[Value, Value]] = {}
    symbols = set(when.symbols)
    for name in RANGE_FIELDS:
        pair = getattr(spec.effect, name)
        if pair is None:
            continue
        values: list[Value] = []
        for i, item in enumerate(pair):
            if isinstance(item, str):
                try:
                    expr = compile_expression(item, "number")
                except ExpressionError as exc:
                    raise fail(("effect", name, i), f"effect.{name}[{i}]", exc) from None
                symbols |= expr.symbols
                values.append(expr)
            else:
                values.append(float(item))
        ranges[name] = (values[0], values[1])
    return CompiledRule(
        spec=spec,
        path=path,
        when=when,
        first_when=first,
        left_out_when=left_out,
        ranges=ranges,
        symbols=frozenset(symbols),
    )


def resolve(value: Value, facts: dict[str, Any]) -> float:
    return float(value.evaluate(facts)) if isinstance(value, Expression) else value


def effect_values(rule: CompiledRule, facts: dict[str, Any]) -> dict[str, tuple[float, float]]:
    return {name: (resolve(a, facts), resolve(b, facts)) for name, (a, b) in rule.ranges.items()}


# ------------------------------------------------------------------ YAML with line numbers


def _read_yaml(path: Path) -> tuple[Any, dict[tuple, int]]:
    try:
        if path.stat().st_size > MAX_RULE_FILE_BYTES:
            raise RuleFileError(path, "the file is larger than 1 MB; is this a rule file?")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise RuleFileError(path, "the file is not UTF-8 text") from None
    except OSError as exc:
        raise RuleFileError(path, f"cannot read the file ({exc.strerror or exc})") from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise RuleFileError(path, "the file is empty")
        lines: dict[tuple, int] = {}
        _index(node, (), lines)
        return loader.construct_document(node), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise RuleFileError(
            path, f"invalid YAML: {problem}", line=mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as exc:
        raise RuleFileError(path, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise RuleFileError(path, "the YAML document is nested too deeply") from None
    finally:
        loader.dispose()


def _index(node: yaml.Node, at: tuple, lines: dict[tuple, int]) -> None:
    lines[at] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            lines[(*at, name)] = key.start_mark.line + 1
            if isinstance(value, yaml.MappingNode | yaml.SequenceNode):
                _index(value, (*at, name), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*at, i), lines)


def _line_of(lines: dict[tuple, int], at: tuple) -> int | None:
    for cut in range(len(at), -1, -1):
        if at[:cut] in lines:
            return lines[at[:cut]]
    return None


def _validation_error(
    path: Path, exc: ValidationError, raw: list, lines: dict[tuple, int], family: bool
) -> RuleFileError:
    first = exc.errors(include_url=False)[0]
    loc = tuple(first["loc"])
    rule_id = None
    file_loc: tuple = loc
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        item = raw[loc[1]] if loc[1] < len(raw) else None
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            rule_id = item["id"]
        if not family:
            file_loc = loc[2:]
    clean = tuple(p for p in file_loc if not _is_tag(p))
    field_name = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in clean)
    field_name = field_name.replace(".[", "[")
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown key (check the spelling; see `latency-advisor schema rule`)"
    elif first["type"] == "missing":
        message = "missing; this field is required"
    got = first.get("input")
    if first["type"] not in ("missing", "extra_forbidden", "value_error", "model_type") and (
        isinstance(got, str | int | float | bool) and len(repr(got)) < 60
    ):
        message += f" (got {got!r})"
    count = exc.error_count()
    if count > 1:
        message += f" (and {count - 1} more problem{'s' if count > 2 else ''})"
    return RuleFileError(
        path,
        f"{field_name}: {message}" if field_name else message,
        rule=rule_id,
        line=_line_of(lines, clean if not family else loc),
    )


def _is_tag(part: Any) -> bool:
    return isinstance(part, str) and (
        part.startswith(("function-", "literal[", "constrained-", "tuple["))
        or part in {"float", "int", "bool", "str", "list", "dict", "none"}
    )


def _effect_fields() -> tuple[str, ...]:  # kept in step with the schema (checked by tests)
    return tuple(name for name in Effect.model_fields if name in RANGE_FIELDS)
