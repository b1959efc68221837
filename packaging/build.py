#!/usr/bin/env python3
"""Build the one-folder desktop bundle with PyInstaller, then smoke-test the frozen executable.

    python3 dev.py setup && .venv/bin/python packaging/build.py [--skip-build]

The bundle lands in dist/latency-advisor/. The smoke test starts the frozen app offscreen, opens
the bundled example, runs `analyze` and `report` through the frozen executable, and checks that
each exits cleanly. Prints the bundle size and the cold-start time of `--version` and `analyze`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist" / "latency-advisor"
EXE = DIST / ("latency-advisor.exe" if os.name == "nt" else "latency-advisor")


def build() -> None:
    pip = [sys.executable, "-m", "pip", "install", "-q", "-r"]
    subprocess.run([*pip, str(ROOT / "packaging" / "requirements-build.txt")], check=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--distpath",
            str(ROOT / "dist"),
            "--workpath",
            str(ROOT / "build" / "pyinstaller"),
            str(ROOT / "packaging" / "latency_advisor.spec"),
        ],
        check=True,
        cwd=ROOT,
    )


def strip_debug_info(folder: Path) -> float:
    """Drop debug sections from the shared libraries that carry them; returns the MB saved.

    Python built from source (pyenv and the like) ships libpython and its extension modules
    with full debug information; a few wheels do too. Only `.debug_*` sections go, and numpy's
    OpenBLAS is never touched (rewriting it breaks its page alignment). Needs binutils; without
    them the bundle is left as it is.
    """
    strip, readelf = shutil.which("strip"), shutil.which("readelf")
    if os.name == "nt" or sys.platform == "darwin" or not (strip and readelf):
        print("debug info: left in place (no binutils on this machine)")
        return 0.0
    before = size_mb(folder)
    for lib in sorted(folder.rglob("*.so*")):
        if not lib.is_file() or lib.is_symlink() or "numpy.libs" in lib.parts:
            continue
        sections = subprocess.run(
            [readelf, "-S", "-W", str(lib)], capture_output=True, text=True, check=False
        ).stdout
        if ".debug_info" in sections:
            subprocess.run([strip, "--strip-debug", str(lib)], check=True)
    return before - size_mb(folder)


def size_mb(folder: Path) -> float:
    """Unpacked size, each file once (the bundle links some libraries under two names)."""
    files = (p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    return sum(p.stat().st_size for p in files) / 1e6


def run(
    *args: str, env: dict[str, str] | None = None, exe: list[str] | None = None
) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(
        [*(exe or [str(EXE)]), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=tempfile.gettempdir(),
    )
    return time.perf_counter() - start, done


def cold_starts(env: dict[str, str], example: str) -> None:
    """Median wall time of the same commands, frozen bundle beside the installed package."""
    python = [sys.executable, "-m", "latency_advisor"]
    shot = str(Path(tempfile.gettempdir()) / "latency-advisor-cold-start.png")
    print("cold start, median of 3 (frozen bundle / installed package):")
    for args in (("--version",), ("analyze", example), ("gui", "--screenshot", shot)):
        frozen = sorted(run(*args, env=env)[0] for _ in range(3))[1]
        wheel = sorted(run(*args, env=env, exe=python)[0] for _ in range(3))[1]
        label = " ".join(a for a in args if not a.startswith(("/", tempfile.gettempdir())))
        print(f"  {label:<22} {frozen:5.2f} s / {wheel:5.2f} s")


def smoke() -> int:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    example = "rag_assistant"
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        checks = {
            "version": ("--version",),
            "examples": ("examples",),
            "analyze": ("analyze", "--json", f"@example:{example}"),
            "report": ("report", f"@example:{example}", "-o", str(Path(tmp) / "out.pdf")),
            "gui": ("gui", "--screenshot", str(Path(tmp) / "shot.png")),
            "bench": ("bench", "mlp-s", "--quick", "--json"),
        }
        listing = run("examples", env=env)[1].stdout
        found = [line for line in listing.splitlines() if line.startswith(example)]
        example_path = found[0].split("(")[-1].rstrip(")") if found else "missing-example.yaml"
        for name, args in checks.items():
            args = tuple(example_path if a == f"@example:{example}" else a for a in args)
            seconds, done = run(*args, env=env)
            ok = done.returncode == 0
            if name in ("analyze", "bench") and ok:
                ok = json.loads(done.stdout)["format"].endswith(("analysis/v1", "bench/v1"))
            if name in ("report", "gui") and ok:
                ok = Path(args[-1]).is_file() and Path(args[-1]).stat().st_size > 0
            print(f"  {name:<9} {'ok' if ok else 'FAILED'}  {seconds:5.2f} s")
            if not ok:
                failures.append(name)
                print(done.stdout[-2000:], done.stderr[-2000:], sep="\n")
        if not failures:
            cold_starts(env, example_path)
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-build", action="store_true", help="only run the smoke test")
    args = parser.parse_args()
    if not args.skip_build:
        build()
        print(f"debug info stripped: {strip_debug_info(DIST):.0f} MB saved")
    print(f"bundle: {DIST} ({size_mb(DIST):.0f} MB unpacked)")
    return smoke()


if __name__ == "__main__":
    sys.exit(main())
