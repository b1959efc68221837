"""The rule library and its loader: the bundled rules are complete, broken files are refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from latency_advisor.cli import main
from latency_advisor.rules.lint import lint_library
from latency_advisor.rules.loader import (
    RuleFileError,
    load_files,
    load_library,
    load_rule_file,
)
from latency_advisor.rules.schema import rule_json_schema
from latency_advisor.rules.selftest import run_library_cases
from latency_advisor.rules.techniques import TECHNIQUES

ROOT = Path(__file__).resolve().parent.parent

GOOD_RULE = """\
id: {id}
title: A test rule
level: system
technique: caching
stage_kinds: [model]
when: {when}
effect:
  cut: [0.1, 0.2]
accuracy_risk: none
cost: none
effort_days: [1, 2]
rationale:
  what: Does a thing.
  helps: It helps here.
  costs: Little.
  backfires: Rarely.
references: ["a reference"]
tests:
  fires: [{{stage_kind: model, share: 0.5}}]
  quiet: [{{stage_kind: model, share: 0.01}}]
"""


def write_rule(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_library_is_large_complete_and_clean():
    library = load_library()
    assert len(library.rules) >= 45
    ids = [r.id for r in library.rules]
    assert len(ids) == len(set(ids))
    assert {r.spec.technique for r in library.rules} == set(TECHNIQUES)
    for rule in library.rules:
        assert TECHNIQUES[rule.spec.technique] == rule.spec.level
        assert rule.spec.tests.fires and rule.spec.tests.quiet
        assert rule.spec.references
        r = rule.spec.rationale
        assert all(len(text) > 20 for text in (r.what, r.helps, r.costs, r.backfires)), rule.id
    assert lint_library(library) == []


def test_every_bundled_rule_passes_its_own_cases():
    results = run_library_cases(load_library())
    failed = [r for r in results if not r.ok]
    assert failed == []
    assert len(results) >= 2 * 45


def test_a_valid_rule_file_loads(tmp_path):
    path = write_rule(tmp_path, "ok.yaml", GOOD_RULE.format(id="my-rule", when="share >= 0.1"))
    [rule] = load_rule_file(path)
    assert rule.id == "my-rule"
    assert rule.when.evaluate({"share": 0.5}) is True


@pytest.mark.parametrize(
    "when, fragments",
    [
        ("share >= ) 0.1", ["syntax error", "line 1, column 10 of the expression"]),
        ("shar >= 0.1", ["unknown fact 'shar'", "did you mean 'share'"]),
        ("share == 'big'", ["compares or combines a number with a string"]),
        ("family.__class__ == 'x'", ["'__' is not allowed"]),
        ("family.length > 1", ["attribute access"]),
    ],
)
def test_broken_conditions_are_refused_with_path_rule_and_position(tmp_path, when, fragments):
    path = write_rule(tmp_path, "bad.yaml", GOOD_RULE.format(id="bad-rule", when=f'"{when}"'))
    with pytest.raises(RuleFileError) as err:
        load_rule_file(path)
    message = str(err.value)
    assert message.startswith(f"{path}:6: rule 'bad-rule': when: ")
    for fragment in fragments:
        assert fragment in message


def test_unknown_technique_and_wrong_level_are_refused(tmp_path):
    text = GOOD_RULE.format(id="t-rule", when="true").replace(
        "technique: caching", "technique: magic"
    )
    with pytest.raises(RuleFileError, match="unknown technique 'magic'") as err:
        load_rule_file(write_rule(tmp_path, "t.yaml", text))
    assert "rule 't-rule'" in str(err.value)
    text = GOOD_RULE.format(id="l-rule", when="true").replace("level: system", "level: model")
    with pytest.raises(RuleFileError, match="'caching' is a system-level technique, not model"):
        load_rule_file(write_rule(tmp_path, "l.yaml", text))


def test_wrong_field_types_and_unknown_keys_are_refused_with_the_field(tmp_path):
    text = GOOD_RULE.format(id="x-rule", when="true").replace(
        "effort_days: [1, 2]", "effort_days: soon"
    )
    with pytest.raises(RuleFileError, match=r":11: rule 'x-rule': effort_days"):
        load_rule_file(write_rule(tmp_path, "x.yaml", text))
    text = GOOD_RULE.format(id="y-rule", when="true") + "colour: blue\n"
    with pytest.raises(RuleFileError, match="colour: unknown key"):
        load_rule_file(write_rule(tmp_path, "y.yaml", text))


def test_duplicate_ids_across_files_are_refused(tmp_path):
    a = write_rule(tmp_path, "a.yaml", GOOD_RULE.format(id="same-id", when="true"))
    b = write_rule(tmp_path, "b.yaml", GOOD_RULE.format(id="same-id", when="true"))
    with pytest.raises(
        RuleFileError, match=f"duplicate rule id; 'same-id' is already defined in {a}"
    ):
        load_files([a, b])


def test_an_id_from_the_bundled_library_cannot_be_reused(tmp_path):
    write_rule(tmp_path, "mine.yaml", GOOD_RULE.format(id="stream-llm-tokens", when="true"))
    with pytest.raises(RuleFileError, match="duplicate rule id"):
        load_library([tmp_path])


def test_yaml_tags_never_construct_objects(tmp_path):
    marker = tmp_path / "ran"
    text = f"!!python/object/apply:os.system ['touch {marker}']\n"
    with pytest.raises(RuleFileError, match=r"YAML tags .* are not allowed"):
        load_rule_file(write_rule(tmp_path, "evil.yaml", text))
    assert not marker.exists()


def test_unknown_references_to_other_rules_are_refused(tmp_path):
    text = GOOD_RULE.format(id="needs-rule", when="true") + "requires: [no-such-rule]\n"
    with pytest.raises(RuleFileError, match="requires: no rule has the id 'no-such-rule'"):
        load_files([write_rule(tmp_path, "r.yaml", text)])


def test_a_family_file_reports_the_failing_rule(tmp_path):
    good = textwrap.indent(GOOD_RULE.format(id="fam-one", when="true"), "    ")
    bad = textwrap.indent(GOOD_RULE.format(id="fam-two", when="nope > 1"), "    ")
    text = "rules:\n" + "  - " + good.lstrip() + "  - " + bad.lstrip()
    with pytest.raises(RuleFileError, match="rule 'fam-two': when: unknown fact 'nope'"):
        load_rule_file(write_rule(tmp_path, "fam.yaml", text))


def test_rule_schema_export_describes_both_file_shapes():
    schema = rule_json_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    assert "RuleSpec" in schema["$defs"]
    props = schema["$defs"]["RuleSpec"]["properties"]
    for key in ("id", "technique", "when", "effect", "rationale", "tests", "references"):
        assert key in props
    json.dumps(schema)


# ------------------------------------------------------------------ command line


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "latency_advisor", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_rules_test_and_lint_pass_on_the_bundled_library():
    test = run_cli("rules", "test")
    assert test.returncode == 0, test.stdout + test.stderr
    assert "rule cases pass" in test.stdout
    lint = run_cli("rules", "lint")
    assert lint.returncode == 0, lint.stderr
    assert "no problems" in lint.stdout


def test_rules_test_fails_when_a_case_is_wrong(tmp_path):
    text = GOOD_RULE.format(id="wrong-case", when="share >= 0.9")
    write_rule(tmp_path, "w.yaml", text)
    out = run_cli("rules", "test", "--rules-dir", str(tmp_path))
    assert out.returncode == 1
    assert "FAIL" in out.stdout and "rule 'wrong-case': tests.fires[0] stayed quiet" in out.stdout


def test_rules_lint_flags_unknown_values_and_case_facts(tmp_path):
    text = GOOD_RULE.format(id="lint-me", when="\"family == 'lmm'\"").replace(
        "quiet: [{stage_kind: model, share: 0.01}]", "quiet: [{stage_kind: model, sharee: 1}]"
    )
    path = write_rule(tmp_path, "lint.yaml", text)
    out = run_cli("rules", "lint", str(path))
    assert out.returncode == 2
    assert "'lmm' is not a known value of 'family'" in out.stderr
    assert "tests.quiet[0]: unknown fact 'sharee'" in out.stderr


def test_a_broken_user_rule_stops_analyze_with_exit_2_and_no_traceback(tmp_path, capsys):
    write_rule(tmp_path, "bad.yaml", GOOD_RULE.format(id="bad-one", when="share >>> 1"))
    code = main(
        ["analyze", str(ROOT / "resources/examples/bert_intent.yaml"), "--rules-dir", str(tmp_path)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "bad.yaml:6: rule 'bad-one': when: syntax error" in err
    assert "Traceback" not in err


def test_user_rules_from_the_environment_take_part_in_the_analysis(tmp_path):
    text = GOOD_RULE.format(id="my-team-cache", when="is_bottleneck").replace(
        "A test rule", "Our team's cache for the bottleneck"
    )
    write_rule(tmp_path, "team.yaml", text)
    out = run_cli(
        "analyze",
        "resources/examples/bert_intent.yaml",
        "--json",
        env={"LATENCY_ADVISOR_RULES": str(tmp_path)},
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    mine = [r for r in data["recommendations"] if r["rule"] == "my-team-cache"]
    assert len(mine) == 1 and mine[0]["stage"] == "BERT-base inference"
    assert mine[0]["saving_ms"][1] > mine[0]["saving_ms"][0] > 0


def test_rules_list_facts_schema_and_techniques_from_the_command_line():
    listing = run_cli("rules", "list", "--json")
    rows = json.loads(listing.stdout)
    assert len(rows) >= 45 and all("tests" not in row and "file" in row for row in rows)
    facts = json.loads(run_cli("rules", "facts", "--json").stdout)
    assert {"share", "family", "repeat_rate", "utilization"} <= {f["name"] for f in facts}
    schema = json.loads(run_cli("schema", "rule").stdout)
    assert "RuleSpec" in schema["$defs"]
    words = run_cli("rules", "techniques").stdout.split()
    assert "speculative_decoding" in words and "admission_control" in words


def test_a_very_large_library_sizes_the_largest_fixes_and_says_so(tmp_path):
    from latency_advisor.analysis import analyze
    from latency_advisor.rules.engine import MAX_SIZED
    from latency_advisor.scenario import load_scenario

    for i in range(MAX_SIZED + 10):
        text = GOOD_RULE.format(id=f"bulk-{i:03d}", when="true").replace(
            "cut: [0.1, 0.2]", f"cut: [{0.01 + i / 1000:.3f}, {0.02 + i / 1000:.3f}]"
        )
        write_rule(tmp_path, f"bulk_{i:03d}.yaml", text)
    a = analyze(
        load_scenario(ROOT / "resources/examples/bert_intent.yaml"), rule_folders=[tmp_path]
    )
    unsized = [x for x in a.model_extra["not_recommended"] if x["reason"].startswith("not sized")]
    assert unsized
    # the smallest bulk effects are the ones left unsized
    assert all(int(x["rule"].split("-")[1]) < 30 for x in unsized if x["rule"].startswith("bulk"))
    assert len(a.plan) <= 20


def test_a_user_rule_can_read_a_stages_presence(tmp_path):
    """`presence` is in the vocabulary: a rule for conditional stages fires on those only."""
    from latency_advisor.analysis import analyze
    from latency_advisor.rules.facts import FACTS
    from latency_advisor.scenario import validate_scenario

    assert FACTS["presence"].scope == "stage" and FACTS["presence"].default_value == 1.0
    text = GOOD_RULE.format(id="conditional-model", when='"presence < 0.5"').replace(
        "fires: [{stage_kind: model, share: 0.5}]", "fires: [{stage_kind: model, presence: 0.3}]"
    )
    write_rule(tmp_path, "conditional.yaml", text)
    model = {"kind": "model", "p50_ms": 200, "p95_ms": 300}
    scenario = validate_scenario(
        {
            "format": "latency-advisor/scenario/v1",
            "name": "two models",
            "sla": {"target_ms": 100, "percentile": 95},
            "traffic": {"peak_rps": 0},
            "stages": [{"name": "main", **model}, {"name": "fallback", **model, "presence": 0.3}],
        }
    )
    result = analyze(scenario, rule_folders=[tmp_path])
    fired = {r.stage for r in result.recommendations if r.rule == "conditional-model"}
    assert fired == {"fallback"}
    out = run_cli("rules", "test", "--rules-dir", str(tmp_path))
    assert out.returncode == 0, out.stdout + out.stderr
