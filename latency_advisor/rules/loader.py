"""Load rule files from the bundled library and the user's folders; compile every expression.

A broken file is refused whole, with its path, the line, the rule id and what is wrong, and
nothing in it ever runs: YAML is read by the bounded reader (`safe_yaml`: no tags, no duplicate
keys, node and number limits), and conditions compile through the typed expression compiler
(never `eval`). The compiled library is cached by the rule files' content, in the process and on
disk (`library_cache`), so a start pays for compiling only after a rule file changes.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from latency_advisor.errors import UserError
from latency_advisor.paths import rules_dir
from latency_advisor.rules import library_cache
from latency_advisor.rules.conditions import Expression, ExpressionError, compile_expression
from latency_advisor.rules.schema import RULE_FORMAT, Effect, RuleFile, RuleSpec
from latency_advisor.safe_yaml import SafeReadError, decode_text, load_yaml, read_bytes

ENV_VAR = "LATENCY_ADVISOR_RULES"
MAX_RULE_FILE_BYTES = 1024 * 1024
MAX_RULE_NODES = 50_000
MAX_EFFECT_VALUE = 1e6  # any number in an effect range
MAX_SERVERS_FACTOR = 1000.0  # extra capacity a rule may add: at most a thousand times the fleet
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


_CACHE: dict[str, Library] = {}


def load_library(extra: list[str | Path] | None = None) -> Library:
    """The bundled rules plus the user's, compiled; cached by the files' content."""
    folders = library_folders(extra)
    files = rule_files(folders)
    contents = [_read_bytes(path) for path in files]
    key = library_cache.content_key(files, contents)
    if key not in _CACHE:
        if len(_CACHE) > 8:
            _CACHE.clear()
        library = _from_cache(key, folders)
        if library is None:
            library = load_files(files, folders, contents)
            library_cache.write_entry(key, [_rule_to_data(rule) for rule in library.rules])
        _CACHE[key] = library
    return _CACHE[key]


def _from_cache(key: str, folders: tuple[Path, ...]) -> Library | None:
    entry = library_cache.read_entry(key)
    if entry is None:
        return None
    try:
        return Library(rules=[_rule_from_data(item) for item in entry], folders=folders)
    except Exception:  # a damaged entry is only a slower start: compile afresh
        return None


def _rule_to_data(rule: CompiledRule) -> dict[str, Any]:
    """A compiled rule as JSON-ready data: its spec, path, ranges, and every expression field
    (found by type, so a field added to CompiledRule is cached without a change here)."""

    def value(item: Value) -> Any:
        return library_cache.expression_to_data(item) if isinstance(item, Expression) else item

    expressions = {}
    for name in _expression_fields():
        item = getattr(rule, name)
        expressions[name] = library_cache.expression_to_data(item) if item is not None else None
    return {
        "spec": rule.spec.model_dump(mode="json"),
        "path": str(rule.path),
        "expressions": expressions,
        "ranges": {name: [value(a), value(b)] for name, (a, b) in rule.ranges.items()},
        "symbols": sorted(rule.symbols),
    }


def _rule_from_data(data: dict[str, Any]) -> CompiledRule:
    def value(item: Any) -> Value:
        if isinstance(item, dict):
            return library_cache.expression_from_data(item)
        return float(item)

    expressions: dict[str, Expression | None] = {}
    for name in _expression_fields():
        item = data["expressions"][name]
        expressions[name] = library_cache.expression_from_data(item) if item else None
    ranges = {name: (value(a), value(b)) for name, (a, b) in data["ranges"].items()}
    symbols = frozenset(str(name) for name in data["symbols"])
    return CompiledRule(
        spec=RuleSpec.model_validate(data["spec"]),
        path=Path(data["path"]),
        ranges=ranges,
        symbols=symbols,
        **expressions,  # type: ignore[arg-type]
    )


def _expression_fields() -> tuple[str, ...]:
    """CompiledRule's fields that hold an Expression (or None)."""
    return tuple(f.name for f in dataclasses.fields(CompiledRule) if "Expression" in str(f.type))


def load_files(
    files: list[Path], folders: tuple[Path, ...] = (), contents: list[bytes] | None = None
) -> Library:
    rules: list[CompiledRule] = []
    seen: dict[str, Path] = {}
    for index, path in enumerate(files):
        for rule in load_rule_file(path, contents[index] if contents is not None else None):
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


def load_rule_file(path: Path, raw: bytes | None = None) -> list[CompiledRule]:
    data, lines = _read_yaml(path, raw)
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
                constant = expr.tree[1] if expr.tree[0] == "const" else None
            else:
                values.append(float(item))
                constant = float(item)
            if constant is not None:
                number = float(constant)
                limit = _limit(name)
                if not abs(number) <= limit:
                    raise RuleFileError(
                        path,
                        f"effect.{name}[{i}]: {number:g} is out of range; effect values are at "
                        f"most {limit:g}",
                        rule=spec.id,
                        line=_line_of(lines, (*base, "effect", name, i)),
                    )
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


def _limit(name: str) -> float:
    return MAX_SERVERS_FACTOR if name == "servers_factor" else MAX_EFFECT_VALUE


def _bounded(value: float, limit: float) -> float:
    """An effect size held to its limit (an expression over facts can compute anything)."""
    if value != value:  # NaN
        return 0.0
    return max(-limit, min(limit, value))


def effect_values(rule: CompiledRule, facts: dict[str, Any]) -> dict[str, tuple[float, float]]:
    return {
        name: (_bounded(resolve(a, facts), _limit(name)), _bounded(resolve(b, facts), _limit(name)))
        for name, (a, b) in rule.ranges.items()
    }


# ------------------------------------------------------------------ YAML with line numbers


def _read_bytes(path: Path) -> bytes:
    try:
        return read_bytes(path, MAX_RULE_FILE_BYTES, "rule file")
    except SafeReadError as exc:
        raise RuleFileError(path, exc.message) from None


def _read_yaml(path: Path, raw: bytes | None = None) -> tuple[Any, dict[tuple, int]]:
    try:
        text = decode_text(raw if raw is not None else _read_bytes(path))
        data, lines = load_yaml(text, MAX_RULE_NODES)
    except SafeReadError as exc:
        field = ".".join(str(part) for part in exc.field)
        message = f"{field}: {exc.message}" if field else exc.message
        raise RuleFileError(path, message, line=exc.line) from None
    if data is None:
        raise RuleFileError(path, "the file is empty")
    return data, lines


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
