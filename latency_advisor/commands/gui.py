"""`latency-advisor gui [FILE]` (the default command): the desktop app.

Until the desktop window lands, this prints the analysis of FILE (the bundled RAG assistant
example when no file is given), so the README's run command shows real content.
"""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("gui", help="open the desktop app (default)", description=__doc__)
    p.add_argument("file", nargs="?", help="scenario file to open")
    return p


def run(args: argparse.Namespace) -> int:
    from latency_advisor.analysis import analyze, format_text
    from latency_advisor.paths import example
    from latency_advisor.scenario import load_scenario

    path = args.file or example("rag_assistant")
    print(format_text(analyze(load_scenario(path))), end="")
    return 0
