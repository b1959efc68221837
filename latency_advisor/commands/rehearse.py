"""`latency-advisor rehearse`: say the analysis as a structured answer, or practise a drill.

    latency-advisor rehearse FILE [--length 30s|2min|deep] [--markdown OUT.md] [--pdf OUT.pdf]
    latency-advisor rehearse --cards
    latency-advisor rehearse --drill CARD [--answer ITEMS --metric P --option NAME] [--json]

Without --answer a drill asks for the answer at the prompt.
"""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "rehearse",
        help="turn an analysis into a spoken answer, or practise a drill",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", nargs="?", help="scenario file (.yaml or .json)")
    p.add_argument(
        "--length",
        choices=("30s", "2min", "deep"),
        default="2min",
        help="which talk track: 30-second, 2-minute (default) or deep technical",
    )
    p.add_argument("--markdown", metavar="OUT.md", help="write the talk track as Markdown")
    p.add_argument("--pdf", metavar="OUT.pdf", help="write the talk track as a short PDF")
    p.add_argument("--cards", action="store_true", help="list the drill cards")
    p.add_argument("--drill", metavar="CARD", help="practise a drill card (id from --cards)")
    p.add_argument(
        "--answer",
        metavar="ITEMS",
        help="a drill answer: items in your order, comma-separated (e.g. measure,caching,rollout)",
    )
    p.add_argument("--metric", help="the latency your drill answer optimizes (e.g. p95)")
    p.add_argument("--option", help="the option your drill answer proposes (by name)")
    p.add_argument("--json", action="store_true", help="print the drill score as JSON")
    return p


def run(args: argparse.Namespace) -> int:
    from latency_advisor.errors import UserError

    chosen = [bool(args.file), bool(args.drill), bool(args.cards)]
    if sum(chosen) != 1:
        raise UserError("rehearse: give exactly one of FILE, --drill CARD or --cards")
    if args.cards:
        return _list_cards()
    if args.drill:
        return _drill(args)
    return _talk_track(args)


def _talk_track(args: argparse.Namespace) -> int:
    from latency_advisor.analysis import analyze
    from latency_advisor.atomic import atomic_write_text
    from latency_advisor.rehearsal.cards import questions_for
    from latency_advisor.rehearsal.markdown import talk_track_markdown, talk_track_text
    from latency_advisor.rehearsal.talk_track import build_talk_track
    from latency_advisor.scenario import load_scenario

    scenario = load_scenario(args.file)
    analysis = analyze(scenario)
    track = build_talk_track(analysis, args.length, scenario=scenario)
    questions = questions_for(args.file)
    if args.markdown:
        atomic_write_text(args.markdown, talk_track_markdown(track, questions))
        print(f"wrote {args.markdown}")
    if args.pdf:
        from latency_advisor.rehearsal.pdf import write_talk_track_pdf

        size = write_talk_track_pdf(args.pdf, track, analysis, questions)
        print(f"wrote {args.pdf} ({size:,} bytes)")
    if not (args.markdown or args.pdf):
        print(talk_track_text(track), end="")
    return 0


def _list_cards() -> int:
    from latency_advisor.rehearsal.cards import load_cards

    for card in load_cards():
        print(f"{card.id:<22} {card.title}")
    return 0


def _drill(args: argparse.Namespace) -> int:
    from latency_advisor.analysis import analyze
    from latency_advisor.rehearsal.cards import find_card
    from latency_advisor.rehearsal.drill import DrillAnswer, expected_answer, shuffled_items
    from latency_advisor.rehearsal.scoring import format_score, score_answer

    card = find_card(args.drill)
    scenario = card.load_scenario()
    expected = expected_answer(card, analyze(scenario), scenario)
    if args.answer is not None:
        items = [i.strip() for i in args.answer.split(",") if i.strip()]
        answer = DrillAnswer(items=items, metric=args.metric, option=args.option)
    else:
        answer = _ask(card, expected, shuffled_items(expected))
    score = score_answer(expected, answer)
    if args.json:
        data = {
            "card": card.id,
            "score": score.percent,
            "points": score.points,
            "max_points": score.max_points,
            "expected_order": [i for i in expected.items if i not in expected.skip],
            "expected_source": expected.source,
            "mistakes": score.mistakes,
            "findings": [
                {"part": f.part, "message": f.message, "points_lost": round(f.points_lost, 2)}
                for f in score.findings
            ],
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(format_score(score), end="")
        if card.tradeoff_questions:
            print("\nTradeoff questions to prepare:")
            for question in card.tradeoff_questions:
                print(f"  - {question}")
    return 0


def _ask(card, expected, items: list[str]):
    """Ask for a drill answer at the prompt: numbers for the order, then metric and option."""
    from latency_advisor.errors import UserError
    from latency_advisor.rehearsal.drill import METRICS, DrillAnswer
    from latency_advisor.rehearsal.wording import technique_label

    print(f"{card.title}\n\n{card.question}\n")
    for number, item in enumerate(items, 1):
        print(f"  {number}. {technique_label(item)}")
    order = _prompt("\nYour order (numbers separated by spaces; leave out what you would not do): ")
    try:
        picked = [items[int(n) - 1] for n in order.replace(",", " ").split()]
    except (ValueError, IndexError):
        raise UserError(f"answer: expected numbers from 1 to {len(items)}, got {order!r}") from None
    metric = _prompt(f"Which latency do you optimize ({', '.join(METRICS)})? ").strip() or None
    option = None
    if expected.options:
        for number, opt in enumerate(expected.options, 1):
            print(f"  {number}. {opt.name}")
        raw = _prompt("Which option do you propose (number)? ").strip()
        if raw:
            try:
                option = expected.options[int(raw) - 1].name
            except (ValueError, IndexError):
                raise UserError(f"answer: option must be a number, got {raw!r}") from None
    return DrillAnswer(items=picked, metric=metric, option=option)


def _prompt(text: str) -> str:
    from latency_advisor.errors import UserError

    try:
        return input(text)
    except EOFError:
        print(file=sys.stderr)
        raise UserError("drill: no answer given (use --answer to score without prompts)") from None
