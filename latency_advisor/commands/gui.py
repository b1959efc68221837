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
    p.add_argument(
        "--size",
        type=_size,
        default=DEFAULT_SIZE,
        metavar="WxH",
        help="with --screenshot: the window's size (default 1320x840, the app's first size)",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="start the app, open the window on FILE, close it and exit: a start-up check "
        "(exit 0 when the window opened)",
    )
    return p


DEFAULT_SIZE = (1320, 840)


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected WIDTHxHEIGHT, e.g. 1024x700"
        ) from None
    if not (320 <= width <= 8000 and 240 <= height <= 8000):
        raise argparse.ArgumentTypeError(f"{text!r}: expected a size from 320x240 to 8000x8000")
    return width, height


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from latency_advisor.errors import UserError
    from latency_advisor.paths import example

    path = Path(args.file) if args.file else example("rag_assistant")
    if args.screenshot:
        from latency_advisor.scenario import load_scenario
        from latency_advisor.ui.app import screenshot

        load_scenario(path)  # a broken file is a user error (exit 2), not an empty picture
        out = screenshot(path, Path(args.screenshot), args.tab, size=args.size, dark=args.dark)
        print(out)
        return 0
    if args.tab or args.dark or args.size != DEFAULT_SIZE:
        raise UserError("--tab, --dark and --size go with --screenshot")
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    if args.check:
        from latency_advisor.ui.app import check

        return check(path)
    from latency_advisor.ui.app import run as run_app

    return run_app(path)
