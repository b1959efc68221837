"""A long editing session: does the window's memory stay flat?

    .venv/bin/python benchmarks/ui_soak.py [--phases 3] [--edits 400]

Edits the example's LLM stage p50 again and again (as the stage table does), switching between
the Budget, Plan and Options tabs and resizing the window now and then, and prints the resident
memory after each phase. After the first phase (caches, fonts) it should not grow. Offscreen;
prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path


def rss_mb() -> float:
    """Resident memory of this process (Linux)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phases", type=int, default=3)
    parser.add_argument("--edits", type=int, default=400)
    args = parser.parse_args()
    from example_window import edit_and_repaint, example_window

    with example_window() as (window, ws, cell):
        tabs = (ws.budget, ws.plan, ws.options)

        print(f"start: {rss_mb():.0f} MB")
        for phase in range(args.phases):
            start, before = time.perf_counter(), rss_mb()
            for i in range(args.edits):
                if i % 50 == 0:
                    ws.tabs.setCurrentWidget(tabs[(i // 50) % len(tabs)])
                if i % 7 == 0:
                    window.resize(1200 + (i % 3) * 100, 800)
                edit_and_repaint(window, ws, cell, 2000 + (i % 97) * 10)
            took = time.perf_counter() - start
            print(
                f"phase {phase + 1}: {args.edits} edits in {took:.1f} s, resident memory "
                f"{before:.0f} -> {rss_mb():.0f} MB; undo steps {ws.doc.undo_stack.count()}"
            )


if __name__ == "__main__":
    main()
