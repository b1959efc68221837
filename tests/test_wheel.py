"""The built wheel works installed: rules and examples are found outside the source checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
    )
    return next(out.glob("latency_advisor-*.whl"))


def test_wheel_carries_rules_resources_and_entry_points(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "latency_advisor/_data/resources/examples/rag_assistant.yaml" in names
    assert any(n.startswith("latency_advisor/_data/rules/") for n in names)
    assert any(n.startswith("latency_advisor/_data/resources/icons/") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[console_scripts]" in text and "latency-advisor = latency_advisor.cli:main" in text
    assert "[gui_scripts]" in text


def test_installed_wheel_runs_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    env = dict(os.environ, PYTHONPATH=str(target))
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import latency_advisor, latency_advisor.paths as p; "
            "print(latency_advisor.__file__); print(p.data_root())",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    )
    module_file, data_root = probe.stdout.split()
    assert Path(module_file).is_relative_to(target)
    assert Path(data_root) == target / "latency_advisor" / "_data"
    listing = subprocess.run(
        [sys.executable, "-m", "latency_advisor", "examples"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    ).stdout
    example = next(
        line.split("(")[-1].rstrip(")")
        for line in listing.splitlines()
        if line.startswith("rag_assistant")
    )
    assert Path(example).is_relative_to(target)
    analysis = subprocess.run(
        [sys.executable, "-m", "latency_advisor", "analyze", example, "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    )
    assert json.loads(analysis.stdout)["scenario"].startswith("Support assistant")
