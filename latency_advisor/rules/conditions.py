"""Safe, typed expressions for rule conditions and effect sizes; never Python `eval`.

`rule-engine`'s grammar parses the text, but its syntax tree is never *built*: building folds
constant sub-expressions, which would run a regular expression between two literals
(`'aaaa!' =~ '(a+)+$'` hangs) before any check of ours. The unbuilt parse tree is checked node by
node against a whitelist (logic, comparison, arithmetic, `in` a literal list, ternary, literals,
facts of the typed vocabulary) and turned into a plain tuple tree (`tree_eval`). Anything else -
attribute access, indexing, calls, regular expressions, comprehensions, `$` built-ins - is
refused, so a condition can only read facts and compute with them. The parser itself is imported
only when a rule must be compiled: a library read from the cache never needs it.
"""

from __future__ import annotations

import difflib
import math
import re
import threading
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from latency_advisor.rules.facts import FACTS, FactType
from latency_advisor.rules.tree_eval import ARITHMETIC, EQUALITY, ORDER, Evaluator, Tree, symbols_of
from latency_advisor.rules.tree_eval import evaluator as tree_evaluator

MAX_EXPRESSION_CHARS = 2000
MAX_DEPTH = 100
_LOCK = threading.Lock()


class ExpressionError(ValueError):
    """A refused expression; `line`/`column` are 1-based positions inside the expression text."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        self.message = message
        self.line = line
        self.column = column
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(message + where)


@dataclass(frozen=True)
class Expression:
    """A compiled expression: its text, result type, the facts it reads, its tree and evaluator."""

    text: str
    result: FactType
    symbols: frozenset[str]
    evaluate: Evaluator = field(compare=False, repr=False)
    tree: Tree = field(default=(), compare=False, repr=False)


def expression_from_tree(text: str, result: FactType, tree: Tree) -> Expression:
    """An expression from a tree checked earlier (the rule cache); raises TreeError if damaged."""
    return Expression(text, result, symbols_of(tree), tree_evaluator(tree), tree)


def compile_expression(text: str, expect: FactType) -> Expression:
    """Compile `text` to an expression whose value has type `expect`, or raise ExpressionError."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("the expression is empty")
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ExpressionError(f"the expression is longer than {MAX_EXPRESSION_CHARS} characters")
    if "__" in text:
        line, column = _position(text, text.index("__"))
        raise ExpressionError(
            "'__' is not allowed: conditions read facts, never Python internals", line, column
        )
    parsed = _parse(text)
    tree, result = _Checker(text).check(parsed, 0)
    if result != expect:
        raise ExpressionError(f"the expression gives a {result}; expected a {expect}")
    return expression_from_tree(text, expect, tree)


def _parse(text: str) -> Any:
    """rule-engine's unbuilt parse tree of `text` (nothing evaluated, nothing folded)."""
    from latency_advisor.rules.parser_cache import condition_parser

    parser, context = condition_parser()  # first: it sets up the table cache before the import
    from rule_engine import errors as re_errors

    try:
        with _LOCK:
            parser.context = context
            try:
                return parser._parser.parse(text, lexer=parser._lexer.clone())
            finally:
                parser.context = None
    except re_errors.RuleSyntaxError as exc:
        token = exc.token
        if token is None:
            raise ExpressionError(
                "syntax error: the expression ends too early", *_position(text, len(text))
            ) from None
        raise ExpressionError(
            f"syntax error near {str(token.value)!r}", *_position(text, token.lexpos)
        ) from None
    except re_errors.EngineError as exc:
        raise ExpressionError(f"invalid expression: {exc.message}") from None
    except (RecursionError, MemoryError, ArithmeticError):
        raise ExpressionError("the expression is too complex to compile") from None


def _position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    line = before.count("\n") + 1
    column = offset - (before.rfind("\n") + 1) + 1
    return line, column


def _find_word(text: str, word: str) -> tuple[int | None, int | None]:
    match = re.search(rf"(?<![\w$]){re.escape(word)}(?!\w)", text)
    return _position(text, match.start()) if match else (None, None)


# ------------------------------------------------------------------ parse tree -> checked tree

_REFUSED = {
    "GetAttributeExpression": "attribute access (x.name)",
    "GetItemExpression": "indexing (x[i])",
    "GetSliceExpression": "slicing (x[i:j])",
    "FunctionCallExpression": "a function call",
    "ComprehensionExpression": "a comprehension",
    "MappingExpression": "a mapping",
    "CoalesceExpression": "'??'",
    "FuzzyComparisonExpression": "a regular expression match",
    "DatetimeExpression": "a date literal",
    "TimedeltaExpression": "a time-span literal",
    "BytesExpression": "a bytes literal",
    "NullExpression": "null",
}
_SYMBOLS = {
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "le": "<=",
    "gt": ">",
    "ge": ">=",
    "add": "+",
    "sub": "-",
    "mul": "*",
    "tdiv": "/",
    "fdiv": "//",
    "mod": "%",
    "pow": "**",
    "eq_fzm": "=~",
    "eq_fzs": "=~~",
    "ne_fzm": "!~",
    "ne_fzs": "!~~",
}


_ARITHMETIC_KINDS = ("ArithmeticExpression", "AddExpression", "SubtractExpression")
_BINARY = (
    *_ARITHMETIC_KINDS,
    "LogicExpression",
    "ComparisonExpression",
    "ArithmeticComparisonExpression",
    "BitwiseExpression",
    "BitwiseShiftExpression",
)


class _Checker:
    """Walks rule-engine's deferred nodes (class, args) without building them."""

    def __init__(self, text: str):
        self.text = text

    def check(self, node: Any, depth: int) -> tuple[Tree, FactType]:
        if depth > MAX_DEPTH:
            raise ExpressionError("the expression is nested too deeply")
        name = type(node).__name__
        if name != "_DeferredAstNode":
            raise ExpressionError(f"unexpected part {node!r:.40} in the expression")
        kind = node.cls.__name__
        args = node.args[1:]  # args[0] is the parser's context
        if kind == "Statement":
            return self.check(args[0], depth + 1)
        if kind == "SymbolExpression":
            return self.symbol(args[0], node.kwargs.get("scope"))
        if kind in ("StringExpression", "BooleanExpression", "FloatExpression"):
            return self.literal(node)
        if kind == "UnaryExpression":
            inner, itype = self.check(args[1], depth + 1)
            if args[0].lower() == "not":
                return ("not", inner), "boolean"
            if itype != "number":
                raise ExpressionError("unary minus needs a number")
            return ("neg", inner), "number"
        if kind == "TernaryExpression":
            (cond, ctype), (yes, ytype), (no, ntype) = (self.check(a, depth + 1) for a in args)
            if ctype != "boolean" or ytype != ntype:
                raise ExpressionError("'c ? a : b' needs a boolean c and a, b of the same type")
            return ("if", cond, yes, no), ytype
        if kind == "ContainsExpression":
            return self.contains(args[0], args[1], depth)
        if kind in ("ArrayExpression", "SetExpression"):
            raise ExpressionError("a list can only stand on the right of 'in'")
        if kind == "FuzzyComparisonExpression":
            raise ExpressionError(
                f"'{_SYMBOLS.get(args[0].lower(), args[0])}' is not supported: "
                "regular expressions are not allowed in rule expressions"
            )
        if kind in _REFUSED:
            raise ExpressionError(
                f"{_REFUSED[kind]} is not allowed in rule expressions (facts, literals, "
                "and/or/not, comparisons, arithmetic, 'x in [...]' and 'c ? a : b' are)"
            )
        if kind in _BINARY and len(args) == 3 and isinstance(args[0], str):
            return self.binary(kind, args[0].lower(), args[1], args[2], depth)
        raise ExpressionError(f"{kind} is not allowed in rule expressions")

    def symbol(self, name: str, scope: Any) -> tuple[Tree, FactType]:
        if scope is not None:
            raise ExpressionError(f"built-in symbols (${name}) are not supported")
        if name not in FACTS:
            close = difflib.get_close_matches(name, FACTS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ExpressionError(
                f"unknown fact '{name}'{hint} (see `latency-advisor rules facts`)",
                *_find_word(self.text, name),
            )
        return ("fact", name), FACTS[name].type

    def literal(self, node: Any) -> tuple[Tree, FactType]:
        kind, value = node.cls.__name__, node.args[1]
        if kind == "FloatExpression":
            try:
                number = float(Decimal(str(value).replace("_", "")))
            except (InvalidOperation, ValueError):
                number = _int_literal(str(value))
            if not math.isfinite(number):
                raise ExpressionError(f"the number {str(value)[:20]} is too large")
            return ("const", number), "number"
        if kind == "BooleanExpression" or isinstance(value, bool):
            return ("const", bool(value)), "boolean"
        return ("const", str(value)), "string"

    def contains(self, container: Any, member: Any, depth: int) -> tuple[Tree, FactType]:
        tree, mtype = self.check(member, depth + 1)
        if type(container).__name__ != "_DeferredAstNode" or container.cls.__name__ not in (
            "ArrayExpression",
            "SetExpression",
        ):
            raise ExpressionError(
                "'x in ...' needs a literal list on the right, e.g. ['cpu', 'gpu']"
            )
        values = []
        for item in container.args[1]:
            if type(item).__name__ != "_DeferredAstNode" or item.cls.__name__ not in (
                "StringExpression",
                "BooleanExpression",
                "FloatExpression",
            ):
                raise ExpressionError("a list after 'in' may hold only literal values")
            (_, value), itype = self.literal(item)
            if itype != mtype:
                raise ExpressionError(f"'in' compares a {mtype} with a list holding a {itype}")
            values.append(value)
        return ("in", tree, values), "boolean"

    def binary(
        self, kind: str, op: str, left: Any, right: Any, depth: int
    ) -> tuple[Tree, FactType]:
        ltree, ltype = self.check(left, depth + 1)
        rtree, rtype = self.check(right, depth + 1)
        if kind == "LogicExpression" and op in ("and", "or"):
            if ltype != "boolean" or rtype != "boolean":
                raise ExpressionError(f"'{op}' joins booleans; got a {ltype} and a {rtype}")
            return (op, ltree, rtree), "boolean"
        if ltype != rtype:
            raise ExpressionError(
                f"'{_SYMBOLS.get(op, op)}' compares or combines a {ltype} with a {rtype}"
            )
        if kind == "ArithmeticComparisonExpression" and op in ORDER:
            if ltype == "boolean":
                raise ExpressionError(f"'{_SYMBOLS[op]}' orders numbers or strings, not booleans")
            return ("cmp", op, ltree, rtree), "boolean"
        if kind == "ComparisonExpression" and op in EQUALITY:
            return ("cmp", op, ltree, rtree), "boolean"
        if kind in _ARITHMETIC_KINDS and op in ARITHMETIC and ltype == "number":
            return ("arith", op, ltree, rtree), "number"
        raise ExpressionError(
            f"operator '{_SYMBOLS.get(op, op)}' is not supported in rule expressions"
        )


def _int_literal(text: str) -> float:
    """Hex, octal and binary literals (0x10, 0o17, 0b101)."""
    try:
        return float(int(text, 0))
    except ValueError:
        raise ExpressionError(f"cannot read the number {text[:20]!r}") from None
