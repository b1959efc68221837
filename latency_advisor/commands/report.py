"""`latency-advisor report FILE -o OUT.pdf`: the stakeholder PDF (options, tradeoffs, rollout)."""

from __future__ import annotations

import argparse
from pathlib import Path

from latency_advisor.commands.analyze import add_method_option
from latency_advisor.commands.rules import add_rules_dir_option
from latency_advisor.errors import UserError


class OutputPathError(UserError):
    """The output path cannot take the report (missing folder, a folder, not a .pdf name)."""


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "report", help="write the stakeholder PDF for a scenario", description=__doc__
    )
    p.add_argument("file", help="scenario file (.yaml or .json)")
    p.add_argument("-o", "--output", required=True, metavar="OUT.pdf", help="the PDF to write")
    add_method_option(p)
    add_rules_dir_option(p)
    return p


def check_output(path: Path) -> None:
    if path.suffix.lower() != ".pdf":
        raise OutputPathError(f"{path}: -o/--output must name a .pdf file")
    if path.is_dir():
        raise OutputPathError(f"{path}: -o/--output is a folder; expected a .pdf file name")
    if not path.parent.is_dir():
        raise OutputPathError(
            f"{path}: -o/--output: the folder {path.parent} does not exist; create it first"
        )


def run(args: argparse.Namespace) -> int:
    from latency_advisor.analysis import analyze
    from latency_advisor.report.document import write_report
    from latency_advisor.scenario import load_scenario

    out = Path(args.output)
    check_output(out)
    source = Path(args.file)
    scenario = load_scenario(source)
    analysis = analyze(scenario, method=args.method, rule_folders=args.rules_dir)
    try:
        size = write_report(scenario, analysis, out, source=source)
    except PermissionError as exc:
        raise OutputPathError(f"{out}: -o/--output: cannot write here ({exc.strerror})") from None
    print(f"wrote {out} ({size / 1024:.0f} KiB)")
    return 0
