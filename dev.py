#!/usr/bin/env python3
"""Set up the project's virtual environment on demand, then run the app or the tests.

Only the standard library is used here, so a fresh machine with Python 3.11 needs nothing else:

    python3 dev.py app     # the desktop app on the bundled example scenario
    python3 dev.py test    # lint, architecture check, rule cases and the whole test suite

The environment lives in `.venv/` and is rebuilt when `requirements.lock` or `pyproject.toml`
change (a stamp file records their hash).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".latency-advisor-stamp"
EXAMPLE = ROOT / "resources" / "examples" / "rag_assistant.yaml"


def _inputs_hash() -> str:
    digest = hashlib.sha256()
    for name in ("requirements.lock", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_env() -> None:
    """Create or refresh .venv with the locked dependencies and the project in editable mode."""
    wanted = _inputs_hash()
    if PY.exists() and STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not PY.exists():
        print("setting up .venv (first run only) ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [str(PY), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "-r", str(ROOT / "requirements.lock")], check=True)
    subprocess.run([*pip, "install", "--no-deps", "-e", str(ROOT)], check=True)
    STAMP.write_text(wanted)


def run(*args: str, env: dict[str, str] | None = None) -> int:
    return subprocess.run([str(PY), *args], cwd=ROOT, env=env).returncode


def cmd_app(extra: list[str]) -> int:
    return run("-m", "latency_advisor", *(extra or ["gui", str(EXAMPLE)]))


def cmd_test(extra: list[str]) -> int:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="1")
    steps: list[tuple[str, list[str]]] = [
        ("ruff", ["-m", "ruff", "check", "."]),
        ("import contracts", [str(BIN / "lint-imports")]),
        ("rules lint", ["-m", "latency_advisor", "rules", "lint"]),
        ("rules test", ["-m", "latency_advisor", "rules", "test"]),
        ("pytest", ["-m", "pytest", *extra]),
    ]
    for label, argv in steps:
        print(f"== {label}", flush=True)
        code = (
            subprocess.run(argv, cwd=ROOT, env=env).returncode
            if not argv[0].startswith("-")
            else run(*argv, env=env)
        )
        if code != 0:
            print(f"== {label} failed (exit {code})", flush=True)
            return code
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"app", "test", "setup"}:
        print(__doc__)
        return 2
    ensure_env()
    if argv[0] == "setup":
        return 0
    return (cmd_app if argv[0] == "app" else cmd_test)(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
