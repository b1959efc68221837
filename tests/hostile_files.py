"""Hostile inputs for every surface the command line reads, each with what it must answer.

Shared by `test_hardening_cli.py` (each case runs in a child process with a time limit and a
memory cap) and `benchmarks/hardening_limits.py` (which prints time and peak memory of each).
Every case is small on disk; where the real attack needs gigabytes (a gzip bomb, a 50 MB label),
the case lowers the limit through its environment variable instead, which also shows the
message naming how to raise it.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SCENARIO = """\
format: latency-advisor/scenario/v1
name: Hostile
sla:
  target_ms: 100
  percentile: 95
traffic:
  peak_rps: 10
stages:
  - name: Model
    kind: model
    p50_ms: 40
    p95_ms: 60
"""

RULE = """\
id: hostile-test-rule
title: A rule written to attack the loader
level: serving
technique: threads
stage_kinds: [model]
when: {when}
references: ["none"]
effect:
  speedup: [{low}, 2.0]
accuracy_risk: none
cost: none
effort_days: [1, 2]
rationale:
  what: Nothing.
  helps: Nothing.
  costs: Nothing.
  backfires: Always.
tests:
  fires:
    - {{stage_kind: model, precision: fp32}}
  quiet:
    - {{stage_kind: model, precision: fp16}}
"""


@dataclass(frozen=True)
class Case:
    """One hostile input: how to make it, the command, the exit code and words it must answer."""

    name: str
    make: Callable[[Path], list[str]]  # writes files under the folder, returns the CLI args
    code: int = 2
    says: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)


def _write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def _scenario(folder: Path, text: str | bytes, name: str = "s.yaml") -> list[str]:
    return ["analyze", str(_write(folder, name, text)), "--json"]


def _laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        prev, this = chr(96 + i), chr(97 + i)
        lines.append(f"{this}: &{this} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


def _rule_folder(folder: Path, text: str) -> list[str]:
    rules = folder / "rules"
    rules.mkdir(exist_ok=True)
    _write(rules, "hostile.yaml", text)
    return ["rules", "lint", str(rules)]


def _rule(when: str = "precision == 'fp32'", low: str = "1.2") -> str:
    return RULE.format(when=json.dumps(when), low=low)


def _fifo(folder: Path, name: str) -> Path:
    path = folder / name
    os.mkfifo(path)
    return path


def _zipkin(spans: list[dict]) -> str:
    return json.dumps(spans)


def _repeated_ids(folder: Path) -> list[str]:
    """A 13 KB trace whose span ids repeat, so parent links make a graph of many paths."""
    spans = [{"traceId": "t1", "id": "r", "name": "root", "timestamp": 0, "duration": 10**6}]
    for level in range(40):
        for copy in range(2):
            spans.append(
                {
                    "traceId": "t1",
                    "id": f"s{level}",
                    "parentId": f"s{level - 1}" if level else "r",
                    "name": f"step{level}-{copy}",
                    "timestamp": level * 10 + copy,
                    "duration": 10**6 - level * 20,
                }
            )
    path = _write(folder, "repeated.json", _zipkin(spans))
    return ["import", str(path), "-o", str(folder / "out.yaml"), "--sla-ms", "500"]


def _gzip_bomb(folder: Path) -> list[str]:
    """One gzipped line that expands far past the (lowered) line limit."""
    line = b'{"resourceSpans": [' + b'{"a": 1},' * ((8 << 20) // 9) + b"{}]}\n"
    path = _write(folder, "bomb.json.gz", gzip.compress(b"{}\n" + line, compresslevel=9))
    return ["import", str(path), "-o", str(folder / "out.yaml"), "--sla-ms", "500"]


def _big_item(folder: Path) -> list[str]:
    """One JSON item (a Zipkin array) holding many spans, over the (lowered) item limit."""
    span = {"traceId": "t", "id": "x", "name": "n", "timestamp": 1, "duration": 5}
    path = _write(folder, "item.json", json.dumps([span] * 40_000))
    return ["import", str(path), "-o", str(folder / "out.yaml"), "--sla-ms", "500"]


def _deep_json(folder: Path) -> list[str]:
    path = _write(folder, "deep.json", '{"resourceSpans": [' + "[" * 200_000 + "]" * 200_000 + "]}")
    return ["import", str(path), "-o", str(folder / "out.yaml"), "--sla-ms", "500"]


def _long_label(folder: Path) -> list[str]:
    label = "x" * (2 << 20)
    text = f'rpc_latency_seconds_bucket{{le="+Inf",op="{label}"}} 5\n'
    path = _write(folder, "metrics.prom", "# TYPE rpc_latency_seconds histogram\n" + text)
    return ["import", str(path), "-o", str(folder / "out.yaml"), "--sla-ms", "500"]


def _csv_huge_cell(folder: Path) -> list[str]:
    rows = "\n".join(f"{10 + i % 7},{20 + i % 5}" for i in range(200))
    path = _write(folder, "t.csv", "model_ms,db_ms\n" + rows + "\n1e308,20\n")
    return ["import", str(path), "-o", str(folder / "out.yaml"), "--sla-ms", "500"]


def _fifo_import(folder: Path) -> list[str]:
    pipe = _fifo(folder, "pipe.json")
    return ["import", str(pipe), "-o", str(folder / "out.yaml"), "--sla-ms", "500"]


def _link_to_dev_zero(folder: Path) -> list[str]:
    link = folder / "zero.yaml"
    link.symlink_to("/dev/zero")
    return ["analyze", str(link)]


def _fifo_in_rules(folder: Path) -> list[str]:
    rules = folder / "rules"
    rules.mkdir()
    _fifo(rules, "pipe.yaml")
    return ["analyze", str(_write(folder, "s.yaml", SCENARIO)), "--rules-dir", str(rules)]


def _output_fifo(folder: Path) -> list[str]:
    scenario = _write(folder, "s.yaml", SCENARIO)
    return ["rehearse", str(scenario), "--markdown", str(_fifo(folder, "out.md"))]


def _bad_result(folder: Path) -> list[str]:
    scenario = _write(folder, "s.yaml", SCENARIO)
    result = {
        "format": "latency-advisor/bench/v1",
        "model": "m",
        "results": [
            {
                "variant": "v",
                "batch": 1,
                "p50_ms": 1.0,
                "speedup_vs_baseline": 1.0,
                "speedup_ci": [1.0],
            }
        ],
    }
    path = _write(folder, "r.json", json.dumps(result))
    return ["bench", str(path), "--attach", str(scenario), "--stage", "Model"]


CASES: list[Case] = [
    # scenario files
    Case("scenario-billion-laughs", lambda d: _scenario(d, _laughs()), says=("too large",)),
    Case(
        "scenario-million-items",
        lambda d: _scenario(d, "items:\n" + "- 1\n" * 1_000_000),
        says=("too large",),
    ),
    Case(
        "scenario-tag-str",
        lambda d: _scenario(d, SCENARIO.replace("40", "!!str 40")),
        says=("YAML tags", "stages[0].p50_ms"),
    ),
    Case(
        "scenario-tag-float-abc",
        lambda d: _scenario(d, SCENARIO.replace("40", "!!float abc")),
        says=("YAML tags",),
    ),
    Case(
        "scenario-tag-binary",
        lambda d: _scenario(d, SCENARIO.replace("Hostile", "!!binary aGk=")),
        says=("YAML tags", "name"),
    ),
    Case(
        "scenario-huge-int",
        lambda d: _scenario(d, SCENARIO.replace("40", "9" * 5000)),
        says=("stages[0].p50_ms", "numbers are at most"),
    ),
    Case(
        "scenario-near-1e308",
        lambda d: _scenario(d, SCENARIO.replace("60", "1.7e308")),
        says=("stages[0].p95_ms", "at most"),
    ),
    Case(
        "scenario-many-calls-of-huge-latency",
        lambda d: _scenario(d, SCENARIO.replace("p95_ms: 60", "p95_ms: 1e300\n    calls: 10000")),
        says=("stages[0].p95_ms", "at most"),
    ),
    Case(
        "scenario-p50-true",
        lambda d: _scenario(d, SCENARIO.replace("40", "true")),
        says=("stages[0].p50_ms", "must be a number"),
    ),
    Case(
        "scenario-duplicate-key",
        lambda d: _scenario(d, SCENARIO + "name: Again\n"),
        says=("name", "appears twice"),
    ),
    Case(
        "scenario-json-duplicate-key",
        lambda d: _scenario(
            d, '{"format": "latency-advisor/scenario/v1", "name": "a", "name": "b"}', "s.json"
        ),
        says=("name", "appears twice"),
    ),
    Case(
        "scenario-peak-1e9",
        lambda d: _scenario(d, SCENARIO.replace("peak_rps: 10", "peak_rps: 1e9")),
        says=("traffic.peak_rps", "requests per second"),
    ),
    Case(
        "scenario-huge-fleet",
        lambda d: _scenario(
            d,
            SCENARIO.replace(
                "peak_rps: 10", "peak_rps: 1e7\n  replicas: 100000\n  concurrency: 10000"
            ),
        ),
        code=0,
    ),
    Case(
        "scenario-deep-nesting",
        lambda d: _scenario(d, "a: " + "[" * 5000 + "]" * 5000),
        says=("nested",),
    ),
    Case("scenario-link-to-dev-zero", _link_to_dev_zero, says=("not a regular file",)),
    Case(
        "scenario-fifo",
        lambda d: ["analyze", str(_fifo(d, "pipe.yaml"))],
        says=("not a regular file",),
    ),
    Case("scenario-utf16", lambda d: _scenario(d, SCENARIO.encode("utf-16")), code=0),
    # rule files
    Case(
        "rule-regex-between-literals",
        lambda d: _rule_folder(d, _rule("'" + "a" * 40 + "!' =~ '(a+)+$'")),
        says=("hostile.yaml", "regular expressions"),
    ),
    Case(
        "rule-attribute-access",
        lambda d: _rule_folder(d, _rule("'abc'.length > 1")),
        says=("hostile.yaml", "attribute access"),
    ),
    Case(
        "rule-indexing",
        lambda d: _rule_folder(d, _rule("{'a': 1}['a'] > 0")),
        says=("hostile.yaml", "not allowed"),
    ),
    Case("rule-billion-laughs", lambda d: _rule_folder(d, _laughs()), says=("too large",)),
    Case("rule-effect-inf", lambda d: _rule_folder(d, _rule(low=".inf")), says=("finite",)),
    Case(
        "rule-effect-1e308",
        lambda d: _rule_folder(d, _rule(low="1.0e+308")),
        says=("effect.speedup[0]", "out of range"),
    ),
    Case(
        "rule-servers-factor-1e7",
        lambda d: _rule_folder(
            d, _rule().replace("speedup: [1.2, 2.0]", "servers_factor: [1.0e7, 1.0e+7]")
        ),
        says=("servers_factor", "out of range"),
    ),
    Case(
        "rule-duplicate-key",
        lambda d: _rule_folder(d, _rule() + "level: model\n"),
        says=("level", "appears twice"),
    ),
    Case(
        "rule-tag",
        lambda d: _rule_folder(d, _rule().replace("title: A", "title: !!binary A")),
        says=("YAML tags",),
    ),
    Case("rules-folder-with-fifo", _fifo_in_rules, says=("not a regular file",)),
    # importers
    Case("import-repeated-span-ids", _repeated_ids, code=0),
    Case(
        "import-gzip-bomb",
        _gzip_bomb,
        says=("LATENCY_ADVISOR_IMPORT_MAX_LINE_MB",),
        env={"LATENCY_ADVISOR_IMPORT_MAX_LINE_MB": "1"},
    ),
    Case(
        "import-one-item-many-spans",
        _big_item,
        says=("LATENCY_ADVISOR_IMPORT_MAX_ITEM_MB",),
        env={"LATENCY_ADVISOR_IMPORT_MAX_ITEM_MB": "1"},
    ),
    Case("import-deep-nesting", _deep_json, says=("nested more than",)),
    Case(
        "import-long-prometheus-label",
        _long_label,
        says=("LATENCY_ADVISOR_IMPORT_MAX_LINE_MB",),
        env={"LATENCY_ADVISOR_IMPORT_MAX_LINE_MB": "1"},
    ),
    Case("import-csv-1e308-cell", _csv_huge_cell, says=("over the scenario limit",)),
    Case("import-fifo", _fifo_import, says=("not a regular file",)),
    # outputs and result files
    Case("output-to-a-fifo", _output_fifo, says=("out.md", "not a regular file")),
    Case("bench-attach-malformed-result", _bad_result, says=("r.json", "speedup_ci")),
]
