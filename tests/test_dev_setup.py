"""dev.py on a fresh machine: Qt's system libraries found with ldd, named as Debian packages,
installed with apt-get as root or else printed as the one command that installs them.

The system tools (ldd, apt-get) are replaced by small scripts on PATH so the test can show a
missing library on any machine; dev.py itself runs for real, in a child process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT))
import dev

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")


@pytest.mark.parametrize(
    ("soname", "package"),
    [
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
        ("libEGL.so.1", "libegl1"),
        ("libdbus-1.so.3", "libdbus-1-3"),
        ("libX11-xcb.so.1", "libx11-xcb1"),
        ("libGLX.so.0", "libglx0"),
    ],
)
def test_a_library_is_named_by_its_debian_package(soname: str, package: str) -> None:
    assert dev.debian_package(soname) == package


def test_ldd_output_gives_the_libraries_not_found() -> None:
    out = (
        "\tlinux-vdso.so.1 (0x00007ffd)\n"
        "\tlibxcb-icccm.so.4 => not found\n"
        "\tlibQt6Gui.so.6 => /x/libQt6Gui.so.6 (0x00007f)\n"
        "\tlibxcb-keysyms.so.1 => not found\n"
    )
    assert dev.missing_from_ldd(out) == {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}


def test_the_qt_libraries_checked_are_the_ones_a_start_loads(monkeypatch) -> None:
    monkeypatch.setattr(dev, "VENV", Path(sys.prefix))
    window = {p.name for p in dev.qt_binaries("xcb")}
    offscreen = {p.name for p in dev.qt_binaries("offscreen")}
    assert {"libqxcb.so", "libQt6XcbQpa.so.6", "libQt6Widgets.so.6"} <= window
    assert "libqoffscreen.so" in offscreen and "libqxcb.so" not in offscreen


def _fake_tools(tmp_path: Path) -> Path:
    """An ldd that reports libxcb-cursor missing and an apt-get that records what it was asked."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ldd").write_text("#!/bin/sh\nprintf '\\tlibxcb-cursor.so.0 => not found\\n'\n")
    log = tmp_path / "apt.log"
    (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "$@" >> {log}\nexit 0\n')
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    return bin_dir


def test_a_missing_library_is_installed_as_root_or_named_with_its_command(tmp_path) -> None:
    bin_dir = _fake_tools(tmp_path)
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); import dev\n"
        "dev.VENV = Path(sys.prefix)\n"
        "sys.exit(0 if dev.ensure_system_libraries('offscreen') else 3)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(ROOT)],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin"},
        timeout=60,
    )
    assert done.returncode == 3  # the fake ldd still says missing after the install
    assert "libxcb-cursor.so.0" in done.stdout
    command = "apt-get install -y --no-install-recommends libxcb-cursor0"
    assert f"sudo {command}" in done.stdout  # the one command, for a user without root
    asked = (tmp_path / "apt.log").read_text() if (tmp_path / "apt.log").exists() else ""
    if os.geteuid() == 0:
        assert "install -y --no-install-recommends libxcb-cursor0" in asked
    else:
        assert asked == ""  # never tries what only root may do


def test_nothing_missing_starts_without_a_word(tmp_path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ldd").write_text("#!/bin/sh\nprintf '\\tlibc.so.6 => /lib/libc.so.6\\n'\n")
    (bin_dir / "ldd").chmod(0o755)
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); import dev\n"
        "dev.VENV = Path(sys.prefix)\n"
        "sys.exit(0 if dev.ensure_system_libraries('offscreen') else 3)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(ROOT)],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin"},
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout == ""
