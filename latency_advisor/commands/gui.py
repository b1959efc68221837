"""`latency-advisor gui [FILE] [--screenshot OUT.png [--tab NAME]]` (the default command).

Opens the desktop app on FILE (the bundled RAG assistant example when no file is given). With
`--screenshot`, renders the window offscreen with the scenario analysed, writes the PNG and exits:
for the README's pictures and for checks.
"""

from __future__ import annotations

import argparse

TABS = ("budget", "recommendations", "plan", "options", "whatif", "benchmarks", "rehearse")


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("gui", help="open the desktop app (default)", description=__doc__)
    p.add_argument("file", nargs="?", help="scenario file to open")
    p.add_argument(
        "--screenshot", metavar="OUT.png", help="render the window offscreen to this PNG and exit"
    )
    p.add_argument("--tab", choices=TABS, help="with --screenshot: the tab to show")
    p.add_argument("--dark", action="store_true", help="with --screenshot: the dark theme")
    return p


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from latency_advisor.errors import UserError
    from latency_advisor.paths import example

    path = Path(args.file) if args.file else example("rag_assistant")
    if args.screenshot:
        from latency_advisor.scenario import load_scenario
        from latency_advisor.ui.app import screenshot

        load_scenario(path)  # a broken file is a user error (exit 2), not an empty picture
        out = screenshot(path, Path(args.screenshot), args.tab, dark=args.dark)
        print(out)
        return 0
    if args.tab or args.dark:
        raise UserError("--tab and --dark go with --screenshot")
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    from latency_advisor.ui.app import run as run_app

    return run_app(path)
