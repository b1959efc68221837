"""The condition grammar's parser, created once per process and only when a rule is compiled.

Importing `rule-engine` builds its LALR tables (about a third of a second); a library read from
the rule cache never imports it, so `analyze` does not pay for it.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def condition_parser() -> tuple[Any, Any]:
    """rule-engine's parser and a plain context (the parser records it in the nodes)."""
    import rule_engine

    return rule_engine.Rule.parser, rule_engine.Context()
