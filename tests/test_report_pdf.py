"""The stakeholder PDF, read back as text (pypdf) and rendered to images (pypdfium2)."""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from latency_advisor.analysis import analyze
from latency_advisor.cli import main
from latency_advisor.report.document import build_pdf, write_report
from latency_advisor.report.narrative import recommended_option
from latency_advisor.report.text import ms
from latency_advisor.scenario import Calibration, load_scenario, save_scenario
from tests.report_samples import EXAMPLES, plain_analysis, with_plan_and_options

SECTIONS = [
    "Executive summary",
    "Key figures",
    "1. Where the time goes",
    "2. The options",
    "3. The fixes, in order",
    "4. Risks and how each is guarded",
    "5. Validation and rollout",
    "Metrics to watch",
    "Rollback trigger",
    "6. Assumptions behind the numbers",
    "Glossary",
]


def pdf_text(data: bytes) -> str:
    """All pages' text with line breaks and runs of spaces folded, so wrapped text matches."""
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)


def render_pages(data: bytes, folder: Path | None = None, stem: str = "") -> list:
    pdf = pdfium.PdfDocument(data)
    images = []
    for i in range(len(pdf)):
        image = pdf[i].render(scale=1.2).to_pil()
        if folder is not None:
            image.save(folder / f"{stem}_page{i + 1}.png")
        images.append(image)
    return images


def ink(image) -> float:
    """Share of pixels that are not white: an empty page is near 0."""
    grey = image.convert("L")
    hist = grey.histogram()
    return 1 - sum(hist[250:]) / sum(hist)


def colour_pixels(image) -> int:
    """Saturated pixels: chart colours, not black text on white."""
    hsv = np.asarray(image.convert("HSV"))
    return int(((hsv[..., 1] > 90) & (hsv[..., 2] > 60)).sum())


@pytest.fixture(scope="module")
def example_report() -> tuple[bytes, object, object]:
    scenario = load_scenario(EXAMPLES / "rag_assistant.yaml")
    analysis = analyze(scenario)  # the rule engine's real fixes, plan and options
    return build_pdf(scenario, analysis), scenario, analysis


def test_example_report_has_every_section_with_the_scenarios_numbers(example_report):
    data, scenario, a = example_report
    text = pdf_text(data)
    for heading in SECTIONS:
        assert heading in text, heading
    pages = len(PdfReader(io.BytesIO(data)).pages)
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    for figure in (
        a.sla.target_ms,
        a.current.at_sla_percentile_ms,
        a.current.sum_of_stage_percentiles_ms,
        a.gap_ms,
    ):
        assert ms(figure) in text, figure
    assert a.bottleneck.stage in text
    for stage in scenario.stages:
        assert stage.name in text
    assert a.options and a.plan and a.recommendations
    for option in a.options:
        assert option.name in text
    for rec in a.recommendations:
        assert rec.title in text
    choice = recommended_option(a, scenario)
    assert f"Take the option “{a.options[choice.index].name}”" in text
    assert "Why not the others" in text
    for step in a.plan:
        assert ms(step.projected_ms).replace(" ms", "") in text
    for metric in ("p50", "p99", "Error rate", "Cost per 1,000 requests"):
        assert metric in text
    assert "Percentile (p50, p95, p99)" in text and "Quantization" in text


def test_example_report_pages_render_with_charts(example_report, artifacts_dir):
    data, _scenario, _a = example_report
    (artifacts_dir / "report_rag_assistant.pdf").write_bytes(data)
    images = render_pages(data, artifacts_dir, "report_rag_assistant")
    assert len(images) >= 5
    assert all(ink(img) > 0.02 for img in images)
    # pages 2-4 carry the budget, options and plan charts: coloured bars and markers
    assert all(colour_pixels(img) > 2000 for img in images[1:4])
    # the glossary has no chart: at most its coloured heading (about 1,100 pixels)
    assert colour_pixels(images[-1]) < 0.6 * min(colour_pixels(img) for img in images[1:4])


def test_output_is_byte_identical_for_the_same_input(example_report):
    data, scenario, a = example_report
    assert build_pdf(scenario, a) == data


def test_report_reads_sensibly_without_plan_or_options(artifacts_dir):
    for name in ("bert_intent", "recommender", "video_analytics", "batch_scoring"):
        scenario = load_scenario(EXAMPLES / f"{name}.yaml")
        data = build_pdf(scenario, analyze(scenario, advice=False))
        text = pdf_text(data)
        for heading in SECTIONS:
            assert heading in text, (name, heading)
        if name == "batch_scoring":
            assert "nothing to choose between" in text
            assert "No fixes are needed" in text
            assert "meets the target with" in text
            render_pages(data, artifacts_dir, f"report_{name}")
        else:
            assert "No fixes are listed for this path yet" in text
    cannot = build_pdf(
        scenario := load_scenario(EXAMPLES / "video_analytics.yaml"),
        analyze(scenario, advice=False),
    )
    assert "cannot keep up" in pdf_text(cannot)


HOSTILE = (
    'Look: <img src="http://example.invalid/x.png"> and <font color="red">red</font> '
    "& <b>bold</b> <unclosed & done. 日本語のメモ, 中文说明, 한국어 and emoji 🚀🔥 end."
)


def test_markup_unicode_and_emoji_print_as_typed_and_fetch_nothing(
    monkeypatch, tmp_path, artifacts_dir
):
    def no_network(*args, **kwargs):
        raise AssertionError("the report tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    scenario = load_scenario(EXAMPLES / "rag_assistant.yaml")
    scenario.notes = HOSTILE
    scenario.name = "Zürich <assistant> & “quotes” 東京"
    scenario.stages[3].name = '<font size="40">LLM</font> & 推論'
    analysis = with_plan_and_options(analyze(scenario))
    analysis.options[0].name = "Fast <i>& risky</i> 🚀"
    data = build_pdf(scenario, analysis)
    text = pdf_text(data)
    for piece in (
        '<img src="http://example.invalid/x.png">',
        '<font color="red">red</font>',
        "& <b>bold</b> <unclosed & done.",
        "日本語のメモ",
        "中文说明",
        "한국어",
        "🚀🔥",
        "Zürich <assistant> & “quotes” 東京",
        '<font size="40">LLM</font> & 推論',
        "Fast <i>& risky</i> 🚀",
    ):
        assert piece in text, piece
    images = render_pages(data, artifacts_dir, "report_hostile_text")
    assert all(ink(img) > 0.02 for img in images)


def test_measurement_appendix_shows_machine_facts_and_intervals(tmp_path, artifacts_dir):
    bench = {
        "format": "latency-advisor/bench/v1",
        "model": "intent-encoder.onnx",
        "machine": {"cpu": "Test CPU 9000", "cores": 2, "flags": ["avx2"], "onnxruntime": "1.31.1"},
        "results": [
            {"variant": "int8-dynamic/threads=1/opt=all/batch=1", "samples": 2000,
             "p50_ms": 0.031, "p95_ms": 0.04, "p99_ms": 0.052, "p99_ci_ms": [0.049, 0.056],
             "speedup_vs_baseline": 2.3},
        ],
        "errors": [],
    }  # fmt: skip
    (tmp_path / "bench.json").write_text(json.dumps(bench))
    scenario = load_scenario(EXAMPLES / "bert_intent.yaml")
    model_stage = next(s for s in scenario.stages if s.kind == "model")
    model_stage.calibration["quantization_int8"] = Calibration(
        speedup=(1.8, 2.6), max_abs_output_diff=0.004, source="bench.json"
    )
    model_stage.calibration["threads"] = Calibration(
        speedup=(1.1, 1.4),
        source="measured: 1 intra-op threads vs 2, p50 speedup 1.25x; latency-advisor bench "
        "intent.onnx on Test CPU 9000 (2 cores, avx512_vnni), onnxruntime 1.31.1",
    )
    data = build_pdf(scenario, analyze(scenario), source=tmp_path / "scenario.yaml")
    render_pages(data, artifacts_dir, "report_measured")
    text = pdf_text(data)
    assert "1.10×–1.40×" in text and "(2 cores, avx512_vnni), onnxruntime 1.31.1" in text
    assert "Appendix A. Measurements" in text and "Appendix B. Glossary" in text
    assert "1.80×–2.60×" in text and "quantization_int8" in text
    assert "Test CPU 9000" in text and "0.049–0.056" in text
    assert "What a micro-benchmark cannot tell" in text


def test_report_command_writes_a_pdf_and_reports_bad_paths(tmp_path, capsys):
    out = tmp_path / "handout.pdf"
    assert main(["report", str(EXAMPLES / "fraud_score.yaml"), "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF-")
    assert "Executive summary" in pdf_text(out.read_bytes())
    assert [p.name for p in tmp_path.iterdir()] == ["handout.pdf"]  # no temp file left

    missing = tmp_path / "nowhere" / "x.pdf"
    assert main(["report", str(EXAMPLES / "fraud_score.yaml"), "-o", str(missing)]) == 2
    err = capsys.readouterr().err
    assert "nowhere" in err and "does not exist" in err and "Traceback" not in err
    assert main(["report", str(EXAMPLES / "fraud_score.yaml"), "-o", str(tmp_path)]) == 2


def test_invalid_scenario_leaves_the_previous_report_alone(tmp_path, capsys):
    out = tmp_path / "handout.pdf"
    out.write_bytes(b"previous report")
    bad = tmp_path / "bad.yaml"
    bad.write_text((EXAMPLES / "fraud_score.yaml").read_text().replace("p50_ms:", "p51_ms:", 1))
    assert main(["report", str(bad), "-o", str(out)]) == 2
    assert "bad.yaml" in capsys.readouterr().err
    assert out.read_bytes() == b"previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "handout.pdf"]


def test_write_report_replaces_the_file_in_one_step(tmp_path):
    scenario = load_scenario(EXAMPLES / "mobile_classifier.yaml")
    out = tmp_path / "r.pdf"
    out.write_bytes(b"old")
    size = write_report(scenario, plain_analysis("mobile_classifier"), out)
    assert out.stat().st_size == size and out.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]


def test_cli_start_imports_no_chart_or_pdf_library():
    code = (
        "import sys\n"
        "from latency_advisor.cli import build_parser\n"
        "build_parser()\n"
        "heavy = {'matplotlib', 'reportlab'} & {m.split('.')[0] for m in sys.modules}\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_separate_runs_write_identical_files(tmp_path):
    scenario = tmp_path / "hostile.yaml"
    hostile = load_scenario(EXAMPLES / "rag_assistant.yaml")
    hostile.notes = HOSTILE
    save_scenario(hostile, scenario)
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"run{seed}.pdf"
        subprocess.run(
            [sys.executable, "-m", "latency_advisor", "report", str(scenario), "-o", str(out),
             "--method", "simulation"],
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )  # fmt: skip
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert "日本語のメモ" in pdf_text(outputs[0])


@pytest.mark.parametrize("earlier", [None, "cmr10.ttf"])
def test_a_fallback_font_draws_what_dejavu_lacks(monkeypatch, tmp_path, earlier):
    """Also when another fallback (a system CJK font, say) was registered earlier in the run."""
    from latency_advisor.report import fonts

    if earlier:
        monkeypatch.setenv(fonts.FALLBACK_ENV, str(fonts.font_folder() / earlier))
        fonts.fallback_font.cache_clear()
        assert fonts.fallback_chars()
    # STIX (shipped with matplotlib) has letters DejaVu Sans lacks, e.g. U+1D81 and U+1D84
    monkeypatch.setenv(fonts.FALLBACK_ENV, str(fonts.font_folder() / "STIXGeneral.ttf"))
    fonts.fallback_font.cache_clear()
    scenario = load_scenario(EXAMPLES / "bert_intent.yaml")
    scenario.notes = "Extra letters: \u1d81\u1d84 & <b>markup</b> stays text."
    data = build_pdf(scenario, analyze(scenario))
    reader = PdfReader(io.BytesIO(data))
    used = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in (page["/Resources"].get("/Font") or {}).values()
        if "/BaseFont" in font.get_object()
    }
    assert any("STIX" in name for name in used), used
    text = pdf_text(data)
    assert "Extra letters: \u1d81\u1d84 & <b>markup</b> stays text." in text


def test_every_example_reports_the_rule_engines_advice(example_paths):
    for path in example_paths:
        scenario = load_scenario(path)
        a = analyze(scenario)
        text = pdf_text(build_pdf(scenario, a, source=path))
        for heading in SECTIONS:
            assert heading in text, (path.name, heading)
        for rec in a.recommendations:
            assert rec.title in text, (path.name, rec.title)
        for option in a.options:
            assert option.name in text, (path.name, option.name)
        for item in getattr(a, "not_recommended", None) or []:
            assert item["rule"] in text, (path.name, item)
