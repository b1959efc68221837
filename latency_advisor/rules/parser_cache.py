"""The condition grammar's parser, created once per process and only when a rule is compiled,
from LALR tables cached on disk.

Importing `rule-engine` builds its parser's LALR tables from the grammar (about a third of a
second, at every start). ply can read ready tables instead; rule-engine never asks it to, so an
import hook hands ply's `yacc()` tables kept as JSON in the user's cache folder (beside the
compiled rules), checked against the grammar's signature. A missing or damaged file only means
the tables are built as before and written for the next start. A library read from the rule
cache never imports the parser at all.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import json
import os
import sys
import types
from functools import cache
from typing import Any

from latency_advisor.rules.library_cache import cache_dir

TABLES_FORMAT = "ply-tables/1"
_PARSER_MODULE = "rule_engine.parser.base"


@cache
def condition_parser() -> tuple[Any, Any]:
    """rule-engine's parser and a plain context (the parser records it in the nodes)."""
    if "rule_engine" not in sys.modules:
        _install_hook()
    try:
        import rule_engine
    finally:
        _remove_hook()
    return rule_engine.Rule.parser, rule_engine.Context()


class _Hook(importlib.abc.MetaPathFinder):
    """Finds rule-engine's parser module and, once it has run, gives it the caching yacc."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name != _PARSER_MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        real_exec = spec.loader.exec_module

        def exec_module(module: types.ModuleType) -> None:
            real_exec(module)
            if hasattr(module, "yacc"):
                module.yacc = _CachingYacc(module.yacc)  # type: ignore[attr-defined]

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


_HOOK = _Hook()


def _install_hook() -> None:
    if _HOOK not in sys.meta_path:
        sys.meta_path.insert(0, _HOOK)


def _remove_hook() -> None:
    with contextlib.suppress(ValueError):
        sys.meta_path.remove(_HOOK)


class _CachingYacc:
    """Stands in for ply's yacc module inside rule-engine's parser module."""

    def __init__(self, real: types.ModuleType):
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def yacc(self, module: Any = None, debug: bool = False, **kwargs: Any) -> Any:
        real = self._real
        if debug or module is None:
            return real.yacc(module=module, debug=debug, **kwargs)
        signature = _signature(real, module)
        path = _tables_path(real)
        tables = _read_tables(path, signature)
        kwargs["write_tables"] = False
        if tables is not None:
            try:
                quiet = real.NullLogger()
                return real.yacc(
                    module=module, debug=False, tabmodule=tables, errorlog=quiet, **kwargs
                )
            except Exception:  # tables ply will not take: build them as usual
                tables = None
        parser = real.yacc(module=module, debug=False, **kwargs)
        if tables is None and path is not None and signature is not None:
            _write_tables(path, signature, str(real.__tabversion__), parser)
        return parser


def _signature(real: types.ModuleType, module: Any) -> str | None:
    try:
        pinfo = real.ParserReflect({k: getattr(module, k) for k in dir(module)})
        pinfo.get_all()
        return None if pinfo.error else str(pinfo.signature())
    except Exception:
        return None


def _tables_path(real: types.ModuleType) -> str | None:
    folder = cache_dir()
    if folder is None:
        return None
    return str(folder / f"rule-engine-parser-{real.__tabversion__}.json")


def _read_tables(path: str | None, signature: str | None) -> types.ModuleType | None:
    if path is None or signature is None:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        if data.get("format") != TABLES_FORMAT or data.get("signature") != signature:
            return None
        productions = [tuple(p) for p in data["productions"]]
        if not all(p[3] is None or str(p[3]).startswith("p_") for p in productions):
            return None  # only the grammar's own actions may be bound
        tables = types.ModuleType("latency_advisor_cached_parsetab")
        tables.__file__ = path
        tables._tabversion = data["tabversion"]  # type: ignore[attr-defined]
        tables._lr_signature = signature  # type: ignore[attr-defined]
        tables._lr_method = data["method"]  # type: ignore[attr-defined]
        tables._lr_action = {int(k): v for k, v in data["action"].items()}  # type: ignore[attr-defined]
        tables._lr_goto = {int(k): v for k, v in data["goto"].items()}  # type: ignore[attr-defined]
        tables._lr_productions = productions  # type: ignore[attr-defined]
        return tables
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None


def _write_tables(path: str, signature: str, tabversion: str, parser: Any) -> None:
    """Keep the tables for the next start (best effort, like the rule cache)."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        productions = [[p.str, p.name, p.len, p.func, p.file, p.line] for p in parser.productions]
        data = {
            "format": TABLES_FORMAT,
            "signature": signature,
            "tabversion": tabversion,
            "method": "LALR",
            "action": parser.action,
            "goto": parser.goto,
            "productions": productions,
        }
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, separators=(",", ":"))
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError, AttributeError):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
