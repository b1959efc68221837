"""The request rate a file shows: traces (and CSV rows with a timestamp) with a known arrival
pattern give the busiest window's and the mean rate the pattern implies; the `import` command
takes it as the peak traffic on request, and says what it saw when not asked."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from latency_advisor.cli import main
from latency_advisor.importers import import_file
from latency_advisor.importers.summary import summary_data
from latency_advisor.importers.traffic import WINDOW_S, Arrivals
from latency_advisor.scenario import load_scenario
from tests.conftest import EXAMPLES
from tests.trace_files import (
    arrivals_us,
    make_requests,
    write_chrome_requests,
    write_jaeger,
    write_otlp_lines,
    write_wide_csv,
    write_zipkin,
)

# 10 requests/s for 50 s, then a burst of 40 requests/s for 20 s
PHASES = [(10.0, 50.0), (40.0, 20.0)]
BIN_S = 1.0  # Arrivals counts starts per second


def expected_traffic(phases: list[tuple[float, float]], window: float = WINDOW_S):
    """(busiest rps, window s, mean rps, span s, requests) of evenly spaced arrivals, from the
    pattern alone. The requests in [t, t + window) integrate a piecewise-constant rate, whose
    maximum lies where t or t + window meets a phase boundary."""
    requests = sum(round(rate * seconds) for rate, seconds in phases)
    total = sum(seconds for _, seconds in phases)
    span = total - 1 / phases[-1][0]  # the last request starts one interval before the end
    mean = (requests - 1) / span
    if span <= window:
        return mean, span, mean, span, requests
    edges = [0.0]
    for _, seconds in phases:
        edges.append(edges[-1] + seconds)

    def arrivals_in(a: float, b: float) -> float:
        return sum(
            rate * max(0.0, min(b, end) - max(a, begin))
            for (rate, _), begin, end in zip(phases, edges, edges[1:], strict=False)
        )

    starts = [min(max(e - d, 0.0), total - window) for e in edges for d in (0.0, window)]
    busiest = max(arrivals_in(t, t + window) for t in starts) / window
    return busiest, window, mean, span, requests


def _tolerance(phases) -> float:
    """A window aligned to whole bins may miss up to one bin's arrivals (and one more for
    counting discrete requests) of the busiest continuous window."""
    return (max(rate for rate, _ in phases) * BIN_S + 1) / WINDOW_S


def _write_traces(kind: str, phases, path: Path) -> Path:
    starts = arrivals_us(phases)
    if kind == "chrome":
        return write_chrome_requests(starts, path)
    requests = make_requests(len(starts), seed=3, starts_us=starts)
    writers = {
        "otlp": write_otlp_lines,
        "jaeger": write_jaeger,
        "zipkin": write_zipkin,
        "csv-iso": lambda r, p: write_wide_csv(r, p, times="iso"),
        "csv-unix-ms": lambda r, p: write_wide_csv(r, p, excel=True, times="unix_ms"),
    }
    return writers[kind](requests, path)


KINDS = ["otlp", "jaeger", "zipkin", "chrome", "csv-iso", "csv-unix-ms"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_known_arrival_pattern_gives_its_busiest_and_mean_rate(tmp_path: Path, kind) -> None:
    busiest, window, mean, span, requests = expected_traffic(PHASES)
    assert (busiest, window) == (pytest.approx(20.0), 60.0)  # the pattern's own arithmetic
    result = import_file(_write_traces(kind, PHASES, tmp_path / "input.data"))
    seen = result.observed_traffic
    assert seen is not None, result.no_traffic_reason
    assert seen.requests == requests == 1300
    assert seen.window_s == window
    assert busiest - _tolerance(PHASES) <= seen.busiest_rps <= busiest + 1 / WINDOW_S
    assert seen.span_s == pytest.approx(span, abs=1e-3)
    assert seen.mean_rps == pytest.approx(mean, rel=1e-4)
    assert result.observed_rps == seen.mean_rps
    # both rates well apart from the single phases: the window really found the burst
    assert 10.0 < seen.mean_rps < seen.busiest_rps < 40.0
    data = summary_data(result)["observed_traffic"]
    assert data == {
        "busiest_window_rps": round(seen.busiest_rps, 4),
        "window_s": 60.0,
        "mean_rps": round(seen.mean_rps, 4),
        "span_s": round(seen.span_s, 3),
        "requests": 1300,
    }


@pytest.mark.parametrize(
    "phases",
    [
        [(40.0, 20.0), (10.0, 50.0)],  # the burst first
        [(5.0, 40.0), (25.0, 10.0), (5.0, 40.0), (15.0, 30.0)],  # a short burst inside
        [(8.0, 200.0)],  # steady
    ],
)
def test_other_patterns_match_their_arithmetic(tmp_path: Path, phases) -> None:
    busiest, window, mean, _, requests = expected_traffic(phases)
    seen = import_file(_write_traces("zipkin", phases, tmp_path / "z.json")).observed_traffic
    assert seen.requests == requests and seen.window_s == window
    assert busiest - _tolerance(phases) <= seen.busiest_rps <= busiest + 1 / WINDOW_S
    assert seen.mean_rps == pytest.approx(mean, rel=1e-4)


def test_a_file_shorter_than_the_window_has_one_window_the_whole_span(tmp_path: Path) -> None:
    phases = [(20.0, 30.0)]
    busiest, window, mean, span, _ = expected_traffic(phases)
    assert window == pytest.approx(span) and window < WINDOW_S
    seen = import_file(_write_traces("otlp", phases, tmp_path / "t.jsonl")).observed_traffic
    assert seen.window_s == pytest.approx(span, abs=1e-3)
    assert seen.busiest_rps == seen.mean_rps == pytest.approx(mean, rel=1e-4)
    assert seen.mean_rps == pytest.approx(busiest, rel=1e-4)


def test_arrivals_stay_bounded_over_a_long_span_and_still_find_the_burst() -> None:
    """Two days at 1 request/s around a 10-minute burst at 30/s: the bins coarsen to keep
    their memory bounded, and the busiest window is still the burst's rate."""
    arrivals = Arrivals(max_chunks=8)
    day_ms = 86_400_000
    for second in range(2 * 86_400):
        arrivals.add(second * 1000.0)
    burst_start = day_ms + 1234.0
    for k in range(30 * 600):
        arrivals.add(burst_start + k * 1000.0 / 30)
        assert len(arrivals.chunks) <= 8
    seen = arrivals.traffic()
    assert arrivals.bin_ms > 1000.0  # coarser bins, so the window is a whole number of them
    assert 60.0 <= seen.window_s < 60.0 + arrivals.bin_ms / 1000.0
    assert seen.busiest_rps == pytest.approx(31.0, rel=0.02)  # the burst plus the background
    assert seen.requests == 2 * 86_400 + 30 * 600
    assert seen.mean_rps == pytest.approx(seen.requests / (2 * 86_400), rel=1e-3)


def test_sparse_requests_far_apart_need_no_dense_table() -> None:
    """A few requests a year apart: the busiest window is found among the occupied bins."""
    arrivals = Arrivals()
    year_ms = 365 * 86_400_000.0
    for start in (0.0, 10.0, 20.0, year_ms, year_ms + 500.0):
        arrivals.add(start)
    seen = arrivals.traffic()
    assert len(arrivals.chunks) == 2 and arrivals.bin_ms == 1000.0
    assert [n for _, n in arrivals.occupied()] == [3, 2]
    assert seen.busiest_rps == pytest.approx(3 / 60)
    assert seen.mean_rps == pytest.approx(4 / (year_ms / 1000 + 0.5))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.floats(-1e7, 1e9, allow_nan=False), min_size=2, max_size=300),
    st.integers(4, 8),
)
def test_coarsened_bins_hold_what_a_direct_count_would(starts, max_chunks) -> None:
    """However often the bins coarsened, each holds exactly the starts that fall in it, and the
    busiest window is the most starts in any run of `width` bins, counted directly."""
    arrivals = Arrivals(max_chunks=max_chunks)
    for start in starts:
        arrivals.add(start)
    assert len(arrivals.chunks) <= max_chunks
    direct = Counter(math.floor(start / arrivals.bin_ms) for start in starts)
    assert dict(arrivals.occupied()) == dict(direct)
    seen = arrivals.traffic()
    if seen is None:  # all at once, or a span too small to give a finite rate
        span_s = (max(starts) - min(starts)) / 1000.0
        assert span_s == 0 or not math.isfinite((len(starts) - 1) / span_s)
        return
    if seen.window_s < WINDOW_S:  # a short file: one window, the mean
        assert seen.busiest_rps == seen.mean_rps
        return
    width = round(seen.window_s * 1000 / arrivals.bin_ms)
    most = max(sum(direct.get(b, 0) for b in range(k - width + 1, k + 1)) for k in direct)
    assert seen.busiest_rps == pytest.approx(most / seen.window_s)


@pytest.mark.parametrize(
    "starts",
    [[], [5.0], [7.0, 7.0, 7.0], [math.nan, 3.0], [0.0, 5e-324], [0.0, 1e-320, 2e-320]],
)
def test_no_rate_without_two_distinct_start_times(starts) -> None:
    arrivals = Arrivals()
    for start in starts:
        arrivals.add(start)
    assert arrivals.traffic() is None


def test_files_without_request_times_show_no_traffic(tmp_path: Path) -> None:
    from tests.test_import_formats import PROMETHEUS

    prom = tmp_path / "metrics.prom"
    prom.write_text(PROMETHEUS)
    plain_csv = write_wide_csv(make_requests(50), tmp_path / "plain.csv")
    long_csv = tmp_path / "long.csv"
    long_csv.write_text("stage,p50,p95\nmodel,30,50\n")
    chrome = tmp_path / "stages.json"  # top-level events of several names are stages
    chrome.write_text(
        json.dumps(
            [
                {"ph": "X", "name": name, "ts": t * 1000, "dur": 500, "pid": 1, "tid": 1}
                for t, name in enumerate(["preprocess", "infer"] * 20)
            ]
        )
    )
    reasons = {
        prom: "Prometheus metrics",
        plain_csv: "no timestamp column",
        long_csv: "one row per stage",
        chrome: "without ProfilerStep#N markers",
    }
    for path, reason in reasons.items():
        result = import_file(path)
        assert result.observed_traffic is None and result.observed_rps is None, path
        assert reason in result.no_traffic_reason
        assert summary_data(result)["observed_traffic"] is None
        assert not any("req/s" in w for w in result.warnings)


def test_csv_time_cells_that_are_not_times_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    rows = [f"2025-03-01T10:00:{s:02d}Z,{10 + s % 3}" for s in range(0, 60, 2)]
    rows[3] = "yesterday-ish,11"
    rows[4] = ",12"
    path.write_text("started_at,model_ms\n" + "\n".join(rows) + "\n")
    result = import_file(path)
    assert [s.name for s in result.stages] == ["model"]  # the time column is not a stage
    assert result.observed_traffic.requests == 28
    assert result.observed_traffic.mean_rps == pytest.approx(27 / 58)
    assert any("column 'started_at': 2 cells are not times" in w for w in result.warnings), (
        result.warnings
    )


def test_relative_seconds_without_a_unit_are_said_to_be_read_as_seconds(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("ts,model_ms\n" + "\n".join(f"{s * 0.5},{20 + s % 5}" for s in range(41)))
    seen = import_file(path)
    assert seen.observed_traffic.span_s == pytest.approx(20.0)
    assert any("read as seconds" in w for w in seen.warnings)
    with_unit = tmp_path / "u.csv"
    with_unit.write_text(
        "ts (ms),model_ms\n" + "\n".join(f"{s * 500},{20 + s % 5}" for s in range(41))
    )
    again = import_file(with_unit)
    assert again.observed_traffic.span_s == pytest.approx(20.0)
    assert not any("read as seconds" in w for w in again.warnings)


# ------------------------------------------------------------------ the command


@pytest.fixture(scope="module")
def traces(tmp_path_factory) -> Path:
    return _write_traces("otlp", PHASES, tmp_path_factory.mktemp("traffic") / "traces.jsonl")


def _run(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(["import", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_peak_rps_observed_takes_the_busiest_window(traces: Path, tmp_path: Path, capsys):
    seen = import_file(traces).observed_traffic
    out = tmp_path / "s.yaml"
    code, printed, err = _run(
        [traces, "-o", out, "--sla-ms", "500", "--peak-rps", "observed"], capsys
    )
    assert code == 0, err
    scenario = load_scenario(out)
    assert scenario.traffic.peak_rps == pytest.approx(seen.busiest_rps, abs=1e-4)
    assert "observed traffic:" in printed and "busiest 60 s" in printed
    assert "lower bound" in printed
    assert "Peak traffic:" in scenario.notes and "busiest 60 s of traces.jsonl" in scenario.notes
    assert "no --peak-rps" not in err

    sampled = tmp_path / "sampled.yaml"
    args = [traces, "-o", sampled, "--sla-ms", "500", "--peak-rps", "observed"]
    code, _, err = _run([*args, "--sampling-rate", "0.25", "--json"], capsys)
    assert code == 0, err
    assert load_scenario(sampled).traffic.peak_rps == pytest.approx(
        seen.busiest_rps / 0.25, abs=1e-3
    )
    assert "sampling 0.25" in load_scenario(sampled).notes


def test_cli_without_peak_rps_keeps_zero_and_says_what_it_saw(traces: Path, tmp_path: Path, capsys):
    out = tmp_path / "s.yaml"
    code, _, err = _run([traces, "-o", out, "--sla-ms", "500", "--json"], capsys)
    assert code == 0
    assert load_scenario(out).traffic.peak_rps == 0
    warning = next(line for line in err.splitlines() if "no --peak-rps given" in line)
    seen = import_file(traces).observed_traffic
    assert f"{seen.busiest_rps:.3g} req/s in its busiest 60 s" in warning
    assert "--peak-rps observed" in warning and "--sampling-rate" in warning


def test_cli_json_summary_keeps_its_keys_and_adds_observed_traffic(traces: Path, tmp_path, capsys):
    code, printed, _ = _run(
        [traces, "-o", tmp_path / "s.json", "--sla-ms", "500", "--peak-rps", "3", "--json"], capsys
    )
    assert code == 0
    summary = json.loads(printed)
    assert set(summary) >= {
        "format",
        "source",
        "detected_format",
        "traces",
        "spans",
        "end_to_end_ms",
        "observed_rps",
        "stages",
        "warnings",
        "observed_traffic",
    }
    assert summary["format"] == "latency-advisor/import/v1"
    assert summary["observed_traffic"]["window_s"] == 60.0
    assert summary["observed_rps"] == pytest.approx(
        summary["observed_traffic"]["mean_rps"], abs=1e-4
    )
    assert load_scenario(tmp_path / "s.json").traffic.peak_rps == 3


def test_cli_merge_changes_traffic_only_when_asked(traces: Path, tmp_path: Path, capsys) -> None:
    existing = tmp_path / "rag.yaml"
    existing.write_bytes((EXAMPLES / "rag_assistant.yaml").read_bytes())
    before = load_scenario(existing).traffic
    code, _, err = _run([traces, "-o", existing, "--merge-into", existing], capsys)
    assert code == 0, err
    assert load_scenario(existing).traffic == before
    assert "no --peak-rps" not in err  # an existing scenario keeps its own traffic

    code, printed, err = _run(
        [traces, "-o", existing, "--merge-into", existing, "--peak-rps", "observed"], capsys
    )
    assert code == 0, err
    after = load_scenario(existing).traffic
    seen = import_file(traces).observed_traffic
    assert after.peak_rps == pytest.approx(seen.busiest_rps, abs=1e-4)
    assert after.replicas == before.replicas
    assert f"(was {before.peak_rps:g})" in printed


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("PROMETHEUS", ["--peak-rps", "observed"], "this file shows no request rate"),
        ("model_ms\n1\n2\n", ["--peak-rps", "observed"], "no timestamp column"),
        ("model_ms\n1\n2\n", ["--sampling-rate", "0.5"], "use it with --peak-rps observed"),
        ("model_ms\n1\n2\n", ["--peak-rps", "4", "--sampling-rate", "0.5"], "--peak-rps observed"),
        ("model_ms\n1\n2\n", ["--peak-rps", "observed", "--sampling-rate", "0"], "above 0"),
        ("model_ms\n1\n2\n", ["--peak-rps", "observed", "--sampling-rate", "1.5"], "at most 1"),
        ("model_ms\n1\n2\n", ["--peak-rps", "observed", "--sampling-rate", "nan"], "above 0"),
        ("model_ms\n1\n2\n", ["--peak-rps", "lots"], "or `observed`"),
        ("model_ms\n1\n2\n", ["--peak-rps", "-3"], "or `observed`"),
        ("model_ms\n1\n2\n", ["--peak-rps", "inf"], "or `observed`"),
    ],
)
def test_cli_traffic_errors_exit_2_and_write_nothing(
    tmp_path: Path, capsys, content, args, message
) -> None:
    from tests.test_import_formats import PROMETHEUS

    source = tmp_path / "input.txt"
    source.write_text(PROMETHEUS if content == "PROMETHEUS" else content)
    out = tmp_path / "out.yaml"
    code, _, err = _run([source, "-o", out, "--sla-ms", "300", *args], capsys)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert not out.exists()
