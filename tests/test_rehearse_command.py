"""`latency-advisor rehearse`: talk track, Markdown export, drills; exit codes and atomic output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from latency_advisor.analysis import analyze
from latency_advisor.cli import main
from latency_advisor.rehearsal.cards import find_card
from latency_advisor.rehearsal.drill import expected_answer
from latency_advisor.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
RAG = ROOT / "resources" / "examples" / "rag_assistant.yaml"


def test_prints_the_talk_track_with_six_numbered_steps(capsys) -> None:
    assert main(["rehearse", str(RAG), "--length", "30s"]) == 0
    out = capsys.readouterr().out
    for number in range(1, 7):
        assert f"\n{number}. " in out
    a = analyze(load_scenario(RAG))
    assert f"{round(a.current.at_sla_percentile_ms):,} ms" in out


def test_markdown_export_is_written_whole(tmp_path: Path, capsys) -> None:
    out = tmp_path / "track.md"
    assert main(["rehearse", str(RAG), "--length", "deep", "--markdown", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Talk track: ")
    assert text.count("\n## ") == 7  # six steps, then the card's tradeoff questions
    assert "## Questions to prepare for" in text
    assert find_card("rag-assistant").tradeoff_questions[0] in text
    assert list(tmp_path.iterdir()) == [out]


def test_invalid_scenario_exits_2_and_writes_nothing(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: latency-advisor/scenario/v1\nname: x\n", encoding="utf-8")
    out = tmp_path / "track.md"
    assert main(["rehearse", str(bad), "--markdown", str(out)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "Traceback" not in err
    assert not out.exists()


def test_scripted_drill_answer_is_scored_as_json(capsys) -> None:
    card = find_card("bert-intent")
    scenario = card.load_scenario()
    expected = expected_answer(card, analyze(scenario), scenario)
    right = ",".join(["measure", *expected.order, "rollout"])
    argv = ["rehearse", "--drill", "bert-intent", "--metric", "p95", "--json"]
    if expected.best_option is not None:
        argv += ["--option", expected.best_option.name]
    assert main([*argv, "--answer", right]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["card"] == "bert-intent" and data["score"] == 100 and data["findings"] == []
    assert data["expected_order"] == right.split(",")

    backwards = ",".join(reversed(expected.order))
    assert main([*argv, "--answer", backwards]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["score"] < 50
    assert {"forgetting-rollout", "fixing-before-measuring"} <= set(data["mistakes"]) or {
        "forgetting-rollout",
        "quantization-before-measuring",
    } <= set(data["mistakes"])


def test_interactive_drill_reads_the_answer_from_the_prompt(monkeypatch, capsys) -> None:
    replies = iter(["1 2 3", "average", ""])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(replies))
    assert main(["rehearse", "--drill", "fraud-feature-fetch"]) == 0
    out = capsys.readouterr().out
    assert "Score:" in out and "ignoring the tail" in out
    assert "Tradeoff questions to prepare:" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["rehearse"], "exactly one of"),
        (["rehearse", "--drill", "nope"], "no drill card 'nope'"),
        (["rehearse", "--drill", "bert-intent", "--answer", "measure,teleport"], "teleport"),
    ],
)
def test_user_errors_exit_2(argv: list[str], message: str, capsys) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_lists_the_cards(capsys) -> None:
    assert main(["rehearse", "--cards"]) == 0
    assert "rag-assistant" in capsys.readouterr().out
