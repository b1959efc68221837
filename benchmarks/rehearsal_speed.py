"""How long the rehearsal mode takes: talk tracks and drill scores for every bundled example.

Prints medians (and the analysis time beside them, for scale) measured in one run:

    .venv/bin/python benchmarks/rehearsal_speed.py [--repeat N]

A figure here is what the Rehearse tab spends on the UI thread when the length changes
(talk track), an export is written (Markdown, PDF) or the Score button is pressed (drill
scoring); a card's analysis runs on a worker thread.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable

from latency_advisor.analysis import analyze
from latency_advisor.paths import examples_dir
from latency_advisor.rehearsal.cards import load_cards
from latency_advisor.rehearsal.drill import DrillAnswer, expected_answer
from latency_advisor.rehearsal.markdown import talk_track_markdown
from latency_advisor.rehearsal.pdf import build_talk_track_pdf
from latency_advisor.rehearsal.scoring import score_answer
from latency_advisor.rehearsal.talk_track import build_talk_track
from latency_advisor.scenario import load_scenario


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up
    samples = []
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.perf_counter_ns()
            fn()
            samples.append((time.perf_counter_ns() - start) / 1e6)
    finally:
        gc.enable()
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    print(
        f"{'example':<22} {'analysis':>9} {'30s':>7} {'2min':>7} {'deep':>7} {'md':>7} "
        f"{'pdf':>7}  (ms, medians)"
    )
    for path in sorted(examples_dir().glob("*.yaml")):
        scenario = load_scenario(path)
        a = analyze(scenario)
        t_an = median_ms(lambda s=scenario: analyze(s), max(5, args.repeat // 20))
        row = [t_an]
        for length in ("30s", "2min", "deep"):
            row.append(
                median_ms(
                    lambda a=a, n=length, s=scenario: build_talk_track(a, n, scenario=s),
                    args.repeat,
                )
            )
        track = build_talk_track(a, "deep", scenario=scenario)
        row.append(median_ms(lambda t=track: talk_track_markdown(t), args.repeat))
        row.append(
            median_ms(lambda t=track, a=a: build_talk_track_pdf(t, a), max(5, args.repeat // 20))
        )
        print(f"{path.stem:<22} " + " ".join(f"{v:>7.3f}" for v in row))
    print()
    for card in load_cards():
        scenario = card.load_scenario()
        expected = expected_answer(card, analyze(scenario), scenario)
        answer = DrillAnswer(items=list(reversed(expected.items)), metric="average")
        t = median_ms(lambda e=expected, w=answer: score_answer(e, w), args.repeat)
        print(f"drill score {card.id:<22} {t:7.3f} ms")


if __name__ == "__main__":
    main()
