"""The command line: `latency-advisor COMMAND ...`; everything the app does works headless.

Each command lives in `latency_advisor/commands/<name>.py` with `add_parser(subparsers)` and
`run(args) -> int`; heavy libraries are imported inside `run`, so `--help` stays instant.
Exit codes (CONTRACTS.md §5): 0 success, 2 invalid input, 1 anything else.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback

from latency_advisor import __version__
from latency_advisor.errors import UserError

# command name -> module under latency_advisor.commands
COMMANDS: dict[str, str] = {
    "gui": "gui",
    "analyze": "analyze",
    "schema": "schema",
    "examples": "examples",
    "bench": "bench",
    "report": "report",
    "rules": "rules",
    "import": "import_",
    "rehearse": "rehearse",
    "llm": "llm",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `only`, just that command's (a start imports one command module)."""
    parser = argparse.ArgumentParser(
        prog="latency-advisor",
        description="Where the time of an ML-backed request goes, and what to fix first.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show a traceback for unexpected errors"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in COMMANDS.items():
        if only is not None and name != only:
            continue
        mod = importlib.import_module(f"latency_advisor.commands.{module}")
        command = mod.add_parser(sub)
        command.set_defaults(_run=mod.run)
    return parser


def command_names(parser: argparse.ArgumentParser) -> set[str]:
    """Every name a command answers to, aliases included (`analyse` as well as `analyze`)."""
    for action in parser._subparsers._group_actions if parser._subparsers else []:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set(COMMANDS)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    only = _command_of(argv)  # a command named first: build (and import) only that one
    parser = build_parser(only)
    if only is None:
        names = command_names(parser)
        if not any(a in names for a in argv) and not any(a in ("-h", "--help") for a in argv):
            if "--version" not in argv and (typo := _mistyped_command(argv, names)):
                print(typo, file=sys.stderr)
                return 2
            argv = ["gui", *argv] if "--version" not in argv else argv
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 2 for usage errors, 0 for --help
        return int(exc.code or 0)
    try:
        return int(args._run(args) or 0)
    except UserError as exc:
        print(f"latency-advisor: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("latency-advisor: interrupted", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 1
    except Exception as exc:  # an unexpected failure: say so plainly, details on request
        if args.debug:
            traceback.print_exc()
        print(
            f"latency-advisor: internal error: {type(exc).__name__}: {exc} "
            "(run with --debug for details)",
            file=sys.stderr,
        )
        return 1


def _command_of(argv: list[str]) -> str | None:
    """The command word when it comes first after global options (else None: build them all)."""
    for arg in argv:
        if arg in COMMANDS:
            return arg
        if arg not in ("--debug",):
            return None
    return None


def _mistyped_command(argv: list[str], names: set[str]) -> str | None:
    """A first word that is no file but close to a command's name was meant as that command."""
    from difflib import get_close_matches
    from pathlib import Path

    first = next((a for a in argv if not a.startswith("-")), None)
    if first is None or Path(first).exists() or Path(first).suffix or "/" in first:
        return None
    close = get_close_matches(first, sorted(names), n=1, cutoff=0.75)
    if not close:
        return None
    return (
        f"latency-advisor: error: {first!r} is neither a command nor a file; "
        f"did you mean {close[0]!r}?"
    )


def gui_main() -> int:
    """The desktop launcher (a gui-script: no console window on Windows)."""
    return main(["gui", *sys.argv[1:]])
