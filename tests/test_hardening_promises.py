"""The README's promises about reading files, each a test named after it, plus the families
behind them (hypothesis): tags, duplicate keys, refused conditions, bounded reading."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from latency_advisor.importers.errors import ImporterError
from latency_advisor.importers.limits import MAX_JSON_DEPTH, BoundedStream
from latency_advisor.importers.mapping import load_mapping
from latency_advisor.rules.conditions import ExpressionError, compile_expression
from latency_advisor.rules.loader import RuleFileError, load_rule_file
from latency_advisor.safe_json import load_json
from latency_advisor.safe_yaml import SafeReadError, load_yaml
from latency_advisor.scenario import ScenarioError, load_scenario, parse_scenario
from tests.hostile_files import SCENARIO, _rule

ROOT = Path(__file__).resolve().parent.parent
MAPPING = "format: latency-advisor/import-mapping/v1\n"


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ the README's promises


@pytest.mark.parametrize("tag", ["!!str", "!!binary", "!!python/object/apply:os.system", "!x"])
def test_promise_yaml_files_hold_no_tags(tmp_path: Path, tag: str) -> None:
    """Scenario, rule and mapping files: any tag is refused, naming the file and the line."""
    with pytest.raises(ScenarioError, match="YAML tags") as err:
        load_scenario(_write(tmp_path, "s.yaml", SCENARIO.replace("Hostile", f"{tag} aGk=")))
    assert err.value.line == 2 and err.value.field == "name"
    with pytest.raises(RuleFileError, match="YAML tags"):
        load_rule_file(_write(tmp_path, "r.yaml", _rule().replace("title: A", f"title: {tag} A")))
    with pytest.raises(ImporterError, match="YAML tags"):
        load_mapping(_write(tmp_path, "m.yaml", MAPPING + f"kinds: {tag} x\n"))


def test_promise_duplicate_keys_are_errors(tmp_path: Path) -> None:
    """YAML and JSON scenarios, rule files and mappings: a key given twice is refused."""
    with pytest.raises(ScenarioError, match="appears twice") as err:
        load_scenario(_write(tmp_path, "s.yaml", SCENARIO.replace("    p95_ms", "    p50_ms")))
    assert err.value.field == "stages[0].p50_ms" and err.value.line == 12
    text = SCENARIO_JSON.replace('"peak_rps": 10', '"peak_rps": 10, "peak_rps": 11')
    with pytest.raises(ScenarioError, match="appears twice") as err:
        parse_scenario(text, source="s.json")
    assert err.value.field == "traffic.peak_rps"
    with pytest.raises(RuleFileError, match="appears twice"):
        load_rule_file(_write(tmp_path, "r.yaml", _rule() + "cost: low\n"))
    with pytest.raises(ImporterError, match="appears twice"):
        load_mapping(_write(tmp_path, "m.yaml", MAPPING + "ignore: []\nignore: []\n"))


@pytest.mark.parametrize(
    "text, words",
    [
        ("'" + "a" * 1000 + "!' =~ '(a+)+$'", "regular expressions"),
        ("family =~ 'l.*'", "regular expressions"),
        ("family !~~ 'x'", "regular expressions"),
        ("'abc'.length > 1", "attribute access"),
        ("family.as_lower == 'llm'", "attribute access"),
        ("{'a': 1}['a'] > 0", "indexing"),
        ("[1, 2][0] > share", "indexing"),
        ("'abc'[0:1] == 'a'", "slicing"),
        ("$now > 1", "built-in symbols"),
        ("family.__class__ == 1", "'__' is not allowed"),
        ("[x for x in [1]] == [1]", "comprehension"),
        ("1e999 > share", "too large"),
    ],
)
def test_promise_refused_conditions_are_refused_and_never_run(text: str, words: str) -> None:
    """Attribute access, indexing, calls, regular expressions, `$` built-ins and `__` are
    refused when the file loads: checked on the parse tree, before anything is evaluated
    (a regex between two literals would otherwise hang while the condition is parsed)."""
    with pytest.raises(ExpressionError, match=words):
        compile_expression(text, "boolean")


def test_promise_bounded_memory_on_hostile_imports(tmp_path: Path) -> None:
    """An import holds bounded memory: a deeply nested document that made the JSON parser
    take gigabytes is refused in a child process capped at 1.5 GB of address space."""
    path = tmp_path / "deep.json"
    path.write_text('{"resourceSpans": [' + "[" * 300_000 + "]" * 300_000 + "]}")
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))\n"
        "from latency_advisor.importers import import_file\n"
        "from latency_advisor.importers.errors import ImporterError\n"
        "try:\n"
        f"    import_file({str(path)!r})\n"
        "except ImporterError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "nested more than" in done.stdout


SCENARIO_JSON = json.dumps(
    {
        "format": "latency-advisor/scenario/v1",
        "name": "j",
        "sla": {"target_ms": 100, "percentile": 95},
        "traffic": {"peak_rps": 10},
        "stages": [{"name": "m", "kind": "model", "p50_ms": 10}],
    }
)


# ------------------------------------------------------------------ families


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_data_or_a_clear_yaml_refusal(text: str) -> None:
    try:
        data, lines = load_yaml(text, max_nodes=500)
    except SafeReadError as exc:
        assert exc.message
        return
    assert isinstance(lines, dict)
    json.dumps(data, default=str)  # plain data only


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_json_the_standard_library_reads_reads_the_same(value: object) -> None:
    text = json.dumps(value)
    try:
        assert load_json(text) == json.loads(text)
    except SafeReadError as exc:  # only for what the limits refuse: infinity, long numbers
        assert "finite" in exc.message or "at most" in exc.message


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@settings(max_examples=100, deadline=None)
@given(json_values, st.integers(1, 64), st.integers(0, 300))
def test_json_depth_guard_counts_structure_not_strings(value, chunk: int, extra: int) -> None:
    """The streamed nesting guard agrees with the real depth, whatever the chunking and
    however many brackets and escaped quotes the strings hold."""
    doc = "[" * extra + json.dumps(['[[{\\"]]', value]) + "]" * extra
    depth = extra + 1 + _depth(value)
    reader = io.BufferedReader(BoundedStream(io.BytesIO(doc.encode()), Path("x"), json=True), chunk)
    try:
        while reader.read(chunk):
            pass
    except ImporterError:
        assert depth > MAX_JSON_DEPTH
        return
    assert depth <= MAX_JSON_DEPTH


atoms = st.sampled_from(
    ["share", "1", "'llm'", "family", "streaming", "true", "2.5", "calls", "repeat_rate"]
)
operators = st.sampled_from(
    [" and ", " or ", " == ", " != ", " < ", " >= ", " + ", " * ", " / ", " in ", " =~ ", "."]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(atoms, operators), min_size=1, max_size=6), atoms)
def test_any_condition_compiles_or_is_refused_with_a_reason(parts, last) -> None:
    text = "".join(a + op for a, op in parts) + last
    for expect in ("boolean", "number"):
        try:
            expr = compile_expression(text, expect)
        except ExpressionError as exc:
            assert exc.message
            continue
        assert "=~" not in text
        facts = {"share": 0.5, "family": "llm", "streaming": True, "calls": 2.0}
        facts["repeat_rate"] = 0.1
        assert isinstance(expr.evaluate(facts), bool | float | int)
