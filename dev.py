#!/usr/bin/env python3
"""Set up the project's virtual environment on demand, then run the app or the tests.

Only the standard library is used here, so a fresh machine with Python 3.11 needs nothing else:

    python3 dev.py app           # the desktop app on the bundled example scenario
    python3 dev.py app --check   # open the window offscreen, close it, exit 0 if all went well
    python3 dev.py test          # lint, architecture check, rule cases and the whole test suite

The environment lives in `.venv/` and is rebuilt when `requirements.lock` or `pyproject.toml`
change (a stamp file records their hash). On Linux, Qt also needs a few system libraries (the
X11/xcb ones for a window); they are checked before the app or the tests start, installed with
apt-get when this runs as root, or else named with the one command that installs them.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
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


def ensure_venv_support() -> None:
    """Debian and Ubuntu ship Python without `ensurepip` (it is in python3-venv): add it as
    root, else stop with the command that does."""
    try:
        import ensurepip  # noqa: F401
    except ImportError:
        package = f"python3.{sys.version_info.minor}-venv"
        command = ["apt-get", "install", "-y", "--no-install-recommends", package]
        if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
            env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
            if subprocess.run(command, env=env).returncode != 0:
                subprocess.run(["apt-get", "update"], env=env)
                subprocess.run(command, env=env, check=True)
            return
        sys.exit(
            f"this Python cannot create a virtual environment; run:\n    sudo {' '.join(command)}"
        )


def ensure_env() -> None:
    """Create or refresh .venv with the locked dependencies and the project in editable mode."""
    wanted = _inputs_hash()
    if PY.exists() and STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not PY.exists():
        print("setting up .venv (first run only) ...", flush=True)
        ensure_venv_support()
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [str(PY), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "-r", str(ROOT / "requirements.lock")], check=True)
    subprocess.run([*pip, "install", "--no-deps", "-e", str(ROOT)], check=True)
    STAMP.write_text(wanted)


# ---------------------------------------------------------------- Qt's system libraries

# what Qt loads with dlopen rather than links (ldd cannot see them): Qt 6.5+ refuses xcb without it
DLOPENED = {"xcb": ["libxcb-cursor.so.0"]}
# Debian packages whose names do not follow the soname (libfoo.so.N -> libfooN / libfoo-N)
PACKAGE_EXCEPTIONS = {"libGLX.so.0": "libglx0", "libOpenGL.so.0": "libopengl0"}


def qt_binaries(platform: str) -> list[Path]:
    """The Qt libraries a start on `platform` (xcb: a window; offscreen: the tests) loads."""
    found = sorted(VENV.glob("lib/python3*/site-packages/PySide6/Qt"))
    if not found:
        return []
    qt = found[-1]
    names = ["lib/libQt6Core.so.6", "lib/libQt6Gui.so.6", "lib/libQt6Widgets.so.6"]
    names += ["plugins/platforms/libqoffscreen.so"]
    if platform == "xcb":
        names += ["lib/libQt6XcbQpa.so.6", "plugins/platforms/libqxcb.so"]
    return [qt / name for name in names if (qt / name).exists()]


def missing_from_ldd(output: str) -> set[str]:
    """The sonames `ldd` reports as `not found`."""
    return set(re.findall(r"^\s*(\S+) => not found", output, flags=re.MULTILINE))


def loadable(soname: str) -> bool:
    import ctypes

    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_libraries(platform: str) -> list[str]:
    """System libraries Qt needs on `platform` that this machine lacks (Linux only)."""
    if not sys.platform.startswith("linux") or shutil.which("ldd") is None:
        return []
    missing: set[str] = set()
    for binary in qt_binaries(platform):
        out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True).stdout
        missing |= missing_from_ldd(out)
    missing |= {name for name in DLOPENED.get(platform, []) if not loadable(name)}
    return sorted(missing)


def debian_package(soname: str) -> str:
    """Debian's name for the package of a library: libxcb-cursor.so.0 -> libxcb-cursor0,
    libxkbcommon-x11.so.0 -> libxkbcommon-x11-0 (a hyphen after a name ending in a digit)."""
    if soname in PACKAGE_EXCEPTIONS:
        return PACKAGE_EXCEPTIONS[soname]
    stem, _, version = soname.partition(".so.")
    major = version.split(".")[0]
    return (stem + ("-" if stem[-1:].isdigit() else "") + major).lower()


def ensure_system_libraries(platform: str) -> bool:
    """True when Qt can start on `platform`: the libraries are there, or apt-get (as root)
    installed them. Otherwise says what is missing and the one command that installs it."""
    missing = missing_libraries(platform)
    if not missing:
        return True
    packages = sorted({debian_package(name) for name in missing})
    command = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    print(f"Qt needs system libraries this machine lacks: {', '.join(missing)}", flush=True)
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("installing: " + " ".join(command), flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        ok = subprocess.run(command, env=env).returncode == 0
        if not ok:  # a fresh container often has no package lists yet
            subprocess.run(["apt-get", "update"], env=env)
            ok = subprocess.run(command, env=env).returncode == 0
        if ok and not missing_libraries(platform):
            return True
    if shutil.which("apt-get"):
        print("install them with:\n    sudo " + " ".join(command), flush=True)
    else:
        print(
            "install them with your system's package manager (the packages that provide "
            + ", ".join(missing)
            + ")",
            flush=True,
        )
    return False


def has_display() -> bool:
    """Whether a window can open here (Linux needs an X11 or Wayland session)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


# ---------------------------------------------------------------- commands


def run(*args: str, env: dict[str, str] | None = None) -> int:
    return subprocess.run([str(PY), *args], cwd=ROOT, env=env).returncode


def cmd_app(extra: list[str]) -> int:
    if extra[:1] == ["--check"]:  # what CI runs: every library a window needs, then a start
        if not ensure_system_libraries("xcb"):
            return 1
        env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
        return run("-m", "latency_advisor", "gui", str(EXAMPLE), "--check", *extra[1:], env=env)
    platform = os.environ.get("QT_QPA_PLATFORM", "xcb")
    if not ensure_system_libraries("xcb" if platform.startswith("xcb") else platform):
        return 1
    if not has_display():
        print(
            "no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset): run this "
            "in a desktop session, or try `python3 dev.py app --check` here",
            flush=True,
        )
        return 1
    return run("-m", "latency_advisor", *(extra or ["gui", str(EXAMPLE)]))


def _order(extra: list[str]) -> list[str]:
    """The suite runs in file order, so CI is repeatable; `--random-order` shuffles it
    (pytest-randomly, seed printed) to find tests that lean on one another."""
    if "--random-order" in extra:
        return [arg for arg in extra if arg != "--random-order"]
    if any(arg.startswith("--randomly-seed") for arg in extra):
        return extra
    return ["-p", "no:randomly", *extra]


def cmd_test(extra: list[str]) -> int:
    if not ensure_system_libraries("offscreen"):
        return 1
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="1")
    steps: list[tuple[str, list[str]]] = [
        ("ruff", ["-m", "ruff", "check", "."]),
        ("import contracts", [str(BIN / "lint-imports")]),
        ("rules lint", ["-m", "latency_advisor", "rules", "lint"]),
        ("rules test", ["-m", "latency_advisor", "rules", "test"]),
        ("pytest", ["-m", "pytest", *_order(extra)]),
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
