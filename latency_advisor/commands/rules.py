"""`latency-advisor rules list|test|lint|facts|techniques`: the rule library from the command line.

`list` shows every rule (bundled and your own), `test` runs each rule's own cases (CI runs it),
`lint` checks rule files the way a reviewer would, `facts` prints the vocabulary conditions can
read, and `techniques` the technique words with their level. Your own rules live in folders
given with `--rules-dir` (repeatable) or in LATENCY_ADVISOR_RULES (separated by the OS path
separator).
"""

from __future__ import annotations

import argparse
import json
import sys


def add_rules_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rules-dir",
        action="append",
        default=[],
        metavar="DIR",
        help="a folder of your own rule files, loaded with the bundled ones (repeatable; "
        "also LATENCY_ADVISOR_RULES)",
    )


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("rules", help="list, test and lint the rule library", description=__doc__)
    actions = p.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list the rules")
    listing.add_argument("--json", action="store_true", help="print the rules as JSON")
    add_rules_dir_option(listing)
    test = actions.add_parser("test", help="run every rule's own test cases")
    add_rules_dir_option(test)
    lint = actions.add_parser("lint", help="check rule files (schema, facts, ids, vocabulary)")
    lint.add_argument(
        "paths", nargs="*", help="rule files or folders to check (default: the whole library)"
    )
    add_rules_dir_option(lint)
    facts = actions.add_parser("facts", help="the facts rule conditions can read")
    facts.add_argument("--json", action="store_true", help="print the vocabulary as JSON")
    actions.add_parser("techniques", help="the technique vocabulary and its levels")
    return p


def run(args: argparse.Namespace) -> int:
    return {
        "list": _list,
        "test": _test,
        "lint": _lint,
        "facts": _facts,
        "techniques": _techniques,
    }[args.rules_command](args)


def _list(args: argparse.Namespace) -> int:
    from latency_advisor.rules.loader import load_library
    from latency_advisor.rules.techniques import LEVELS

    library = load_library(args.rules_dir)
    rules = sorted(
        library.rules, key=lambda r: (LEVELS.index(r.spec.level), r.spec.technique, r.id)
    )
    if args.json:
        rows = []
        for rule in rules:
            data = rule.spec.model_dump(mode="json", exclude={"tests"})
            data["file"] = str(rule.path)
            rows.append(data)
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    width = max(len(rule.id) for rule in rules)
    for rule in rules:
        s = rule.spec
        print(f"{rule.id:<{width}}  {s.level:<7}  {s.technique:<20}  {s.title}")
    print(f"\n{len(library.rules)} rules from {', '.join(str(f) for f in library.folders)}")
    return 0


def _test(args: argparse.Namespace) -> int:
    from latency_advisor.rules.loader import load_library
    from latency_advisor.rules.selftest import run_library_cases

    library = load_library(args.rules_dir)
    results = run_library_cases(library)
    failed = [r for r in results if not r.ok]
    for r in failed:
        path = library.by_id[r.rule].path
        print(f"FAIL {path}: rule '{r.rule}': tests.{r.kind}[{r.index}] {r.message}")
    print(
        f"{len(results) - len(failed)} of {len(results)} rule cases pass "
        f"({len(library.rules)} rules)"
    )
    return 1 if failed else 0


def _lint(args: argparse.Namespace) -> int:
    from pathlib import Path

    from latency_advisor.rules.lint import lint_library
    from latency_advisor.rules.loader import (
        library_folders,
        load_files,
        load_library,
        rule_files,
    )

    if args.paths:
        bundled = rule_files(library_folders(args.rules_dir))
        extra: list[Path] = []
        for raw in args.paths:
            path = Path(raw)
            if path.is_dir():
                extra += rule_files((path,))
            elif path.is_file():
                extra.append(path)
            else:
                from latency_advisor.rules.loader import RuleFileError

                raise RuleFileError(path, "no such rule file or folder")
        resolved = {p.resolve() for p in bundled}
        files = bundled + [p for p in extra if p.resolve() not in resolved]
        library = load_files(files)
        wanted = {p.resolve() for p in extra}
        library.rules = [r for r in library.rules if r.path.resolve() in wanted]
        findings = lint_library(library, coverage=False)
    else:
        library = load_library(args.rules_dir)
        findings = lint_library(library)
    for finding in findings:
        print(finding, file=sys.stderr)
    if findings:
        print(f"{len(findings)} problem(s) in {len(library.rules)} rules", file=sys.stderr)
        return 2
    print(f"{len(library.rules)} rules: no problems")
    return 0


def _facts(args: argparse.Namespace) -> int:
    from latency_advisor.rules.facts import VOCABULARY, vocabulary_data

    if args.json:
        print(json.dumps(vocabulary_data(), indent=2))
        return 0
    for fact in VOCABULARY:
        values = f" ({', '.join(fact.values)})" if fact.values else ""
        print(f"{fact.name:<24} {fact.type:<8} {fact.scope:<10} {fact.doc}{values}")
    return 0


def _techniques(args: argparse.Namespace) -> int:
    from latency_advisor.rules.techniques import TECHNIQUES

    for word, level in TECHNIQUES.items():
        print(f"{level:<8} {word}")
    return 0
