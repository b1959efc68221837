"""What a new user types first: aliases from --help, every error of a file at once, `p95` as a
percentile, and numbers printed as the app and the PDF print them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from latency_advisor.cli import build_parser, command_names, main
from latency_advisor.numbers import fmt_ms, fmt_number, fmt_pct, fmt_utilization
from latency_advisor.scenario import MAX_LISTED_PROBLEMS, ScenarioError, parse_scenario
from tests.conftest import EXAMPLES

RAG = str(EXAMPLES / "rag_assistant.yaml")

GOOD = """\
format: latency-advisor/scenario/v1
name: Tiny
sla:
  target_ms: 100
  percentile: 95
traffic:
  peak_rps: 10
stages:
  - name: model
    kind: model
    p50_ms: 40
"""


def _help_aliases() -> set[str]:
    """Every command word `latency-advisor --help` shows, aliases included."""
    text = build_parser().format_help()
    words = set()
    for line in text.splitlines():
        match = re.match(r"\s{4}(\S+(?: \(\S+\))?)(?:\s|$)", line)
        if match:
            words |= set(re.findall(r"[a-z]+", match.group(1)))
    return words


def test_help_lists_the_british_spelling_and_every_listed_word_is_a_command() -> None:
    shown = _help_aliases()
    assert "analyse" in shown and "analyze" in shown
    assert shown <= command_names(build_parser())


def test_analyse_runs_like_analyze(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyse", RAG]) == 0
    british = capsys.readouterr().out
    assert main(["analyze", RAG]) == 0
    assert british == capsys.readouterr().out


def test_analyse_without_a_file_asks_for_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyse"]) == 2
    err = capsys.readouterr().err
    assert "file" in err and "no such file" not in err


def test_a_mistyped_command_is_named_not_opened_as_a_file(capsys) -> None:
    assert main(["anlyze", "x.yaml"]) == 2
    assert "did you mean 'analyze'?" in capsys.readouterr().err


@pytest.mark.parametrize("written", ["p95", "P95", "95", "95%", "'95'", "p99.9", "99.9"])
def test_a_percentile_is_read_as_people_write_it(written: str) -> None:
    scenario = parse_scenario(GOOD.replace("percentile: 95", f"percentile: {written}"))
    assert scenario.sla.percentile == (99.9 if "99.9" in written else 95)


@pytest.mark.parametrize("written", ["p97", "ninety", "p", "true"])
def test_a_percentile_outside_the_list_is_refused_with_the_list(written: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(GOOD.replace("percentile: 95", f"percentile: {written}"))
    assert info.value.field == "sla.percentile"
    assert "99.9" in str(info.value) and "unable to parse" not in str(info.value)


def test_import_takes_p99_9_on_the_command_line(tmp_path: Path) -> None:
    parser = build_parser()
    args = parser.parse_args(["import", "t.json", "-o", "x.yaml", "--percentile", "p99.9"])
    assert args.percentile == 99.9
    with pytest.raises(SystemExit):
        parser.parse_args(["import", "t.json", "-o", "x.yaml", "--percentile", "p97"])


def test_every_problem_of_a_file_is_listed_with_its_line_and_a_suggestion(tmp_path) -> None:
    bad = (
        GOOD.replace("  peak_rps: 10\n", "  peak_rps: 10\n  replica: 2\n")
        .replace("    kind: model\n", "    kind: modle\n    modle: {family: llm}\n")
        .replace("  target_ms: 100\n", "  target_ms: -1\n")
    )
    path = tmp_path / "two.yaml"
    path.write_text(bad)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(bad, source=path)
    lines = str(info.value).splitlines()
    assert lines[0].startswith(f"{path}:4: sla.target_ms:")
    assert f"{path}:8: traffic.replica: unknown key; did you mean 'replicas'?" in lines[1]
    assert any("stages[0].kind: got 'modle'; did you mean 'model'?" in x for x in lines)
    assert any("stages[0].modle: unknown key; did you mean 'model'?" in x for x in lines)
    assert len(lines) == 4 and "more problem" not in str(info.value)


def test_an_unknown_key_far_from_any_name_gets_no_guess() -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(GOOD.replace("  peak_rps: 10\n", "  peak_rps: 10\n  zzzzzz: 1\n"))
    assert "did you mean" not in str(info.value) and "unknown key" in str(info.value)


def test_a_file_of_many_problems_lists_a_sensible_number_and_counts_the_rest() -> None:
    many = "".join(f"    extra_{i}: 1\n" for i in range(MAX_LISTED_PROBLEMS + 5))
    with pytest.raises(ScenarioError) as info:
        parse_scenario(GOOD.replace("    p50_ms: 40\n", "    p50_ms: 40\n" + many))
    lines = str(info.value).splitlines()
    assert len(lines) == MAX_LISTED_PROBLEMS + 1
    assert lines[-1].strip() == "(and 5 more problems)"


def test_the_terminal_prints_numbers_as_the_app_does(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", RAG]) == 0
    out = capsys.readouterr().out
    assert re.search(r"p50 3,\d{3} · p95 3,\d{3}", out), out
    assert not re.search(r"(?<![\d.,])\d{4,} ms", out), "a four-digit figure without its separator"


def test_an_overloaded_path_says_over_ten_times_not_millions_of_percent(tmp_path, capsys):
    path = tmp_path / "flood.yaml"
    path.write_text(GOOD.replace("peak_rps: 10", "peak_rps: 1000000"))
    assert main(["analyze", str(path)]) == 0
    out = capsys.readouterr().out
    assert "utilization over 10×" in out and not re.search(r"\d{4,}%", out)


@pytest.mark.parametrize(
    ("value", "text"),
    [(3222.4, "3,222"), (1373.0, "1,373"), (37.34, "37.3"), (7.941, "7.94"), (0.0, "0"),
     (0.031, "0.031"), (12.0, "12"), (-250.0, "-250")],
)  # fmt: skip
def test_one_number_format(value: float, text: str) -> None:
    assert fmt_number(value) == text
    assert fmt_ms(value) == f"{text} ms"


def test_percentages_carry_at_most_one_decimal_and_overload_reads_as_a_multiple() -> None:
    assert fmt_pct(0.0319) == "3.2%" and fmt_pct(0.594) == "59.4%" and fmt_pct(1.0) == "100%"
    assert fmt_utilization(0.59) == "59%" and fmt_utilization(9.99) == "999%"
    assert fmt_utilization(245130.6) == "over 10×" and fmt_utilization(float("inf")) == "over 10×"


def test_the_rag_examples_title_and_notes_state_its_composed_p95_and_median() -> None:
    """The first figure a user and a product manager compare: the title's must be the p95."""
    from latency_advisor.analysis import analyze
    from latency_advisor.scenario import load_scenario

    scenario = load_scenario(EXAMPLES / "rag_assistant.yaml")
    current = analyze(scenario).current
    title = re.search(r"— (\d+(?:\.\d+)?) s at p95", scenario.name)
    assert title, scenario.name
    assert float(title.group(1)) == pytest.approx(current.p95_ms / 1000, abs=0.05)
    notes = " ".join((scenario.notes or "").split())
    median = re.search(r"median\) takes about (\d+(?:\.\d+)?) s", notes)
    p95 = re.search(r"takes (\d+(?:\.\d+)?) s or more \(p95\)", notes)
    assert median and p95, notes
    assert float(median.group(1)) == pytest.approx(current.p50_ms / 1000, abs=0.05)
    assert float(p95.group(1)) == pytest.approx(current.p95_ms / 1000, abs=0.05)


def test_a_met_target_with_no_peak_traffic_reads_in_every_output(tmp_path, capsys) -> None:
    """Found by a property test in a fresh run: a path that meets its SLA at 0 requests/s has a
    rate where it would break but no multiple of today's peak; text, PDF and talk track said
    "None times" or crashed."""
    from latency_advisor.analysis import analyze
    from latency_advisor.rehearsal.markdown import talk_track_text
    from latency_advisor.rehearsal.talk_track import build_talk_track
    from latency_advisor.report.document import build_pdf

    text = GOOD.replace("peak_rps: 10", "peak_rps: 0").replace("target_ms: 100", "target_ms: 500")
    path = tmp_path / "idle.yaml"
    path.write_text(text)
    scenario = parse_scenario(text)
    a = analyze(scenario)
    assert a.meets_sla and (a.model_extra or {}).get("headroom", {}).get("breaks_at_rps")
    assert main(["analyze", str(path)]) == 0
    assert "None" not in capsys.readouterr().out
    track = build_talk_track(a, "2min", scenario=scenario)
    assert "None" not in talk_track_text(track)
    assert build_pdf(scenario, a).startswith(b"%PDF")
