"""The window rendered offscreen to PNGs a person can look at (kept as CI artifacts)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from latency_advisor.ui.app import screenshot
from tests.conftest import EXAMPLES


def _distinct_colours(image: QImage, step: int = 7) -> int:
    seen = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            seen.add(image.pixel(x, y))
    return len(seen)


@pytest.mark.parametrize("tab", ["budget", "recommendations", "whatif"])
def test_screenshot_of_the_main_window(qapp, artifacts_dir: Path, tab: str) -> None:
    out = screenshot(EXAMPLES / "rag_assistant.yaml", artifacts_dir / f"main_window_{tab}.png", tab)
    image = QImage(str(out))
    assert not image.isNull()
    assert (image.width(), image.height()) == (1320, 840)  # the window's first size
    assert _distinct_colours(image) > 20  # text, tables, cards: not a blank window


def test_screenshot_dark(qapp, artifacts_dir: Path) -> None:
    out = screenshot(
        EXAMPLES / "recommender.yaml", artifacts_dir / "main_window_dark.png", "budget", dark=True
    )
    image = QImage(str(out))
    top_left = image.pixelColor(5, 40)
    assert top_left.lightness() < 90
    from latency_advisor.ui import theme

    theme.apply("light")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "latency_advisor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )


def test_cli_screenshot_and_its_errors(tmp_path: Path) -> None:
    out = tmp_path / "plan.png"
    done = _cli(
        "gui", str(EXAMPLES / "fraud_score.yaml"), "--screenshot", str(out), "--tab", "plan"
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "propagateSizeHints" not in done.stderr  # Qt's harmless offscreen warning, dropped
    assert done.stdout.strip() == str(out)

    broken = tmp_path / "broken.yaml"
    broken.write_text("format: nope\n", encoding="utf-8")
    bad = tmp_path / "bad.png"
    done = _cli("gui", str(broken), "--screenshot", str(bad))
    assert done.returncode == 2
    assert "broken.yaml" in done.stderr and "format" in done.stderr
    assert "Traceback" not in done.stderr
    assert not bad.exists()

    default = tmp_path / "default.png"  # no command: the gui on the bundled RAG example
    done = _cli("--screenshot", str(default))
    assert done.returncode == 0, done.stderr
    assert default.read_bytes()[:4] == b"\x89PNG"

    done = _cli("gui", "--tab", "plan")
    assert done.returncode == 2 and "--screenshot" in done.stderr
