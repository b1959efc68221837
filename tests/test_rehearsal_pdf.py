"""The talk track's short PDF: read back as text, rendered to an image, written whole."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdfium2 as pdfium
from pypdf import PdfReader

from latency_advisor.analysis import analyze
from latency_advisor.cli import main
from latency_advisor.rehearsal import STEPS, build_talk_track
from latency_advisor.rehearsal.pdf import build_talk_track_pdf
from latency_advisor.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
RECOMMENDER = ROOT / "resources" / "examples" / "recommender.yaml"


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_pdf_has_the_six_steps_and_the_numbers(artifacts_dir: Path) -> None:
    scenario = load_scenario(RECOMMENDER)
    a = analyze(scenario)
    track = build_talk_track(a, "deep", scenario=scenario)
    data = build_talk_track_pdf(track, a, ["Why p95 and not the average?"])
    text = _text(data)
    for number, step in enumerate(STEPS, 1):
        assert f"{number}. {step.title}" in text
    assert f"{round(a.current.at_sla_percentile_ms):,} ms" in text
    assert a.bottleneck.stage in text
    assert "Why p95 and not the average?" in text
    pdf = pdfium.PdfDocument(data)
    assert 1 <= len(pdf) <= 3
    image = pdf[0].render(scale=1.0).to_pil()
    image.save(artifacts_dir / "rehearsal_talk_track_page1.png")
    hist = image.convert("L").histogram()
    assert 0.01 < 1 - sum(hist[250:]) / sum(hist) < 0.5  # text on the page, not a blank or a blot
    assert data == build_talk_track_pdf(track, a, ["Why p95 and not the average?"])


def test_names_with_markup_print_as_typed() -> None:
    scenario = load_scenario(RECOMMENDER)
    a = analyze(scenario).model_copy(update={"scenario": "Feed <b>v2</b> & <img src='x'>"})
    data = build_talk_track_pdf(build_talk_track(a, "30s", scenario=scenario), a)
    assert "Feed <b>v2</b> & <img src='x'>" in _text(data)


def test_cli_writes_the_pdf_and_nothing_on_error(tmp_path: Path, capsys) -> None:
    out = tmp_path / "t.pdf"
    assert main(["rehearse", str(RECOMMENDER), "--pdf", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: nope\n", encoding="utf-8")
    missing = tmp_path / "none.pdf"
    assert main(["rehearse", str(bad), "--pdf", str(missing)]) == 2
    assert not missing.exists()
