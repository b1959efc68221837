"""Every hostile input of `hostile_files.CASES` through the real command line, one child process
per case under a time limit and a memory cap: the answer is the expected exit code with a message
that names the file and the field or limit, never a traceback, a hang or a memory blow-up."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile_files import CASES, Case

ROOT = Path(__file__).resolve().parent.parent
CASE_TIME_LIMIT_S = 60  # a hang fails the case; healthy cases take about a second
MEMORY_CAP_BYTES = 3 << 30  # address space: numpy and friends reserve about 1 GB of it


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_BYTES, MEMORY_CAP_BYTES))


def run_case(case: Case, folder: Path) -> subprocess.CompletedProcess:
    args = case.make(folder)
    env = {**os.environ, **case.env, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "latency_advisor", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=folder,
        timeout=CASE_TIME_LIMIT_S,
        preexec_fn=_cap_memory,
        check=False,
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_is_answered_within_limits(case: Case, tmp_path: Path) -> None:
    done = run_case(case, tmp_path)
    assert done.returncode == case.code, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    for words in case.says:
        assert words in done.stderr, done.stderr[-2000:]
    if case.code == 2:  # a refused input leaves no output behind
        assert not (tmp_path / "out.yaml").exists()
