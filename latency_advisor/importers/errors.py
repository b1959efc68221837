"""The one error importers raise: a file we cannot read as any supported format, and why."""

from __future__ import annotations

from pathlib import Path

from latency_advisor.errors import UserError


class ImporterError(UserError):
    """Bad import input: names the file, where in it (line or field) and what was expected."""

    def __init__(self, path: str | Path | None, message: str, where: str = ""):
        self.path = str(path) if path is not None else None
        self.where = where
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        text = self.path or "<import>"
        if self.where:
            text += f": {self.where}"
        return f"{text}: {self.message}"
