"""Atomic file writes: a reader sees the old file or the whole new one, never a partial one.

Renaming a temp file over the target would replace a device (`-o /dev/full`), a symbolic link
(leaving its target unchanged) or one name of a hard-linked file. So the target is resolved
first: a link is followed to the file it names, anything but a regular file or a new path is
refused, and a file with several hard links is rewritten in place once the whole content exists
(every name then sees it). Temp files carry the writer's process id; those left by a writer that
died (SIGKILL, power cut) are removed on the next write beside them. Every error names the
output path, never the temp file.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from latency_advisor.errors import UserError

STALE_AFTER_S = 24 * 3600  # a temp file this old is stale even if its pid was reused


class OutputError(UserError):
    """An output path that cannot be written: names the path and why."""

    def __init__(self, path: str | Path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: cannot write the output ({reason})")


def writable_target(path: str | Path) -> Path:
    """The file a write to `path` must replace: links followed; refused if not a regular file."""
    path = Path(path)
    target = Path(os.path.realpath(path))
    try:
        info = os.stat(target)
    except FileNotFoundError:
        if not target.parent.is_dir():
            raise OutputError(path, "its folder does not exist") from None
        return target
    except OSError as exc:
        raise OutputError(path, exc.strerror or str(exc)) from None
    if not stat.S_ISREG(info.st_mode):
        raise OutputError(path, "it exists and is not a regular file (a folder, device or pipe)")
    return target


@contextlib.contextmanager
def atomic_output(path: str | Path, mode: str = "w", private: bool = False) -> Iterator[IO]:
    """Yield a temp file beside `path`'s target; put it in place only if the block succeeds.

    `private` makes a new file readable by its owner only (0600), e.g. autosaves.
    """
    shown = Path(path)
    target = writable_target(shown)
    _remove_stale_temps(target)
    import tempfile  # here, not at import: scenario loading should not pay for it

    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent
        )
    except OSError as exc:
        raise OutputError(shown, exc.strerror or str(exc)) from None
    try:
        os.chmod(tmp, 0o600 if private else _mode_for(target))
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _put_in_place(Path(tmp), target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(shown, exc.strerror or str(exc)) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _put_in_place(tmp: Path, target: Path) -> None:
    try:
        links = os.stat(target).st_nlink
    except FileNotFoundError:
        links = 1
    if links <= 1:
        os.replace(tmp, target)
        return
    import shutil

    with open(tmp, "rb") as source, open(target, "r+b") as out:  # keep every hard link's name
        out.truncate(0)
        shutil.copyfileobj(source, out)
        out.flush()
        os.fsync(out.fileno())
    os.unlink(tmp)


def _remove_stale_temps(target: Path) -> None:
    """Remove our temp files for `target` whose writing process is gone (or that are old)."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(\d+)\.[^.]+\.tmp$")
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    now = time.time()
    for name in names:
        match = pattern.match(name)
        if match is None:
            continue
        path = target.parent / name
        with contextlib.suppress(OSError):
            old = now - os.lstat(path).st_mtime > STALE_AFTER_S
            if old or not _alive(int(match.group(1))):
                os.unlink(path)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def atomic_write_text(path: str | Path, text: str, private: bool = False) -> None:
    with atomic_output(path, "w", private) as handle:
        handle.write(text)


def atomic_write_bytes(path: str | Path, data: bytes, private: bool = False) -> None:
    with atomic_output(path, "wb", private) as handle:
        handle.write(data)


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual ones (0666 less umask).

    mkstemp creates its file private (0600), which would surprise a user sharing a report.
    """
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_UMASK


def _read_umask() -> int:
    """The process umask, read once at import (setting it is not thread-safe, so never later)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


_UMASK = _read_umask()
