"""The core stays Qt-free: proven by importing it, and by reading every core file's imports."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys

import latency_advisor
from tests.conftest import ROOT

QT = ("PySide6", "shiboken6")
PACKAGE = ROOT / "latency_advisor"


def core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(latency_advisor.__path__, "latency_advisor."):
        if not info.name.startswith(("latency_advisor.ui", "latency_advisor.__main__")):
            names.append(info.name)
    return names


def test_importing_every_core_module_loads_no_qt() -> None:
    modules = core_modules()
    assert "latency_advisor.analysis" in modules and "latency_advisor.latency.model" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"leaked = [m for m in sys.modules if m.split('.')[0] in {QT!r}]\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == ""


def test_no_core_file_imports_qt_or_the_ui() -> None:
    """Lazy imports inside functions count too; only ui/ and the gui command may reach Qt."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("latency_advisor/ui/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in QT:
                    offenders.append(f"{rel}: {name}")
                if (
                    name.startswith("latency_advisor.ui")
                    and rel != "latency_advisor/commands/gui.py"
                ):
                    offenders.append(f"{rel}: {name}")
    assert offenders == []
