"""Compiled bytecode of this package kept in the user's cache folder when Python may not write
`__pycache__` (PYTHONDONTWRITEBYTECODE, a read-only install): without it every start compiles
each module from source again, a sixth of the start-up time of `analyze`.

Only `latency_advisor.*` modules loaded from source files are affected. An entry is keyed by
the interpreter's bytecode magic number and the source file's path, modification time and size
(as a `.pyc` is), written atomically, and any problem falls back to the normal import. Like the
rule cache it lives under `LATENCY_ADVISOR_CACHE_DIR` (empty: off); the folder is the user's own
(0700), as trusted as the `__pycache__` it stands in for.
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import importlib.util
import marshal
import os
import sys
from pathlib import Path
from types import CodeType
from typing import Any

PACKAGE = "latency_advisor."


def install(folder: Path | None) -> None:
    """Use the cache for this package's later imports, when bytecode is not written otherwise."""
    if folder is None or not sys.dont_write_bytecode or getattr(sys, "frozen", False):
        return
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder(folder / "bytecode"))


class _Finder:
    """A meta path finder (plain class: importing importlib.abc would cost the start 10 ms)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if not name.startswith(PACKAGE):
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        loader = getattr(spec, "loader", None)
        if spec is None or type(loader) is not importlib.machinery.SourceFileLoader:
            return spec
        spec.loader = _CachingLoader(name, loader.path, self.folder)
        return spec


class _CachingLoader(importlib.machinery.SourceFileLoader):
    def __init__(self, fullname: str, path: str, folder: Path):
        super().__init__(fullname, path)
        self.folder = folder

    def get_code(self, fullname: str) -> CodeType | None:
        try:
            info = os.stat(self.path)
            tag = importlib.util.MAGIC_NUMBER.hex()
            name = f"{fullname}.{tag}.{info.st_mtime_ns}.{info.st_size}.bin"
            entry = self.folder / name
        except OSError:
            return super().get_code(fullname)
        with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
            with open(entry, "rb") as handle:
                code = marshal.loads(handle.read())
            if isinstance(code, CodeType) and code.co_filename == self.path:
                return code
        code = super().get_code(fullname)
        if code is not None:
            _write(entry, marshal.dumps(code))
        return code


def _write(entry: Path, data: bytes) -> None:
    tmp = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, entry)
        module = entry.name.rsplit(".", 4)[0]  # NAME.MAGIC.MTIME.SIZE.bin
        for old in entry.parent.glob(module + ".*.bin"):
            if old != entry and old.name.rsplit(".", 4)[0] == module:
                old.unlink()  # the same module compiled from an older source
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
