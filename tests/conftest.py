"""Shared test set-up: Qt offscreen, a folder for artifacts a person can look at."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# the compiled-rule cache goes to a folder of the test run's own, never the user's cache
if "LATENCY_ADVISOR_CACHE_DIR" not in os.environ:
    _CACHE = tempfile.mkdtemp(prefix="la-test-cache-")
    os.environ["LATENCY_ADVISOR_CACHE_DIR"] = _CACHE
    atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)

# Property tests draw the same examples on every run, so CI is repeatable; set
# HYPOTHESIS_PROFILE=explore to draw new ones (and fix what they find as fixed examples).
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "resources" / "examples"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests write screenshots, PDFs and page images (kept as CI artifacts)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def example_paths() -> list[Path]:
    return sorted(EXAMPLES.glob("*.yaml"))


@pytest.fixture(autouse=True)
def fresh_fallback_font():
    """Each test finds the PDF's fallback font anew (from the environment it sets up, or the
    machine's fonts), so a font one test registered never decides what another test draws."""
    _forget_fallback_font()
    yield
    _forget_fallback_font()


def _forget_fallback_font() -> None:
    fonts = sys.modules.get("latency_advisor.report.fonts")
    if fonts is not None:
        fonts.fallback_font.cache_clear()
