"""Expression trees (plain tuples) and the closures that evaluate them over a dict of facts.

A tree is data: `("fact", name)`, `("const", value)`, `("not", a)`, `("neg", a)`, `("and", a, b)`,
`("or", a, b)`, `("cmp", op, a, b)`, `("arith", op, a, b)`, `("if", c, a, b)`,
`("in", a, [values])`. It is what the compiler checks and what the rule cache stores, so a
cached library evaluates without importing the condition parser. Only these node kinds exist:
a tree cannot call, index, read attributes or match patterns, whatever file it came from.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

Evaluator = Callable[[dict[str, Any]], Any]
Tree = tuple

ORDER = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}
EQUALITY = {"eq": operator.eq, "ne": operator.ne}
ARITHMETIC = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "tdiv": operator.truediv,
    "fdiv": operator.floordiv,
    "mod": operator.mod,
}
MAX_TREE_DEPTH = 200


class TreeError(ValueError):
    """A tree that is not one of the node kinds above (e.g. a damaged cache entry)."""


def symbols_of(tree: Tree) -> frozenset[str]:
    found: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if node[0] == "fact":
            found.add(node[1])
        else:
            stack += [part for part in node[1:] if isinstance(part, tuple)]
    return frozenset(found)


def evaluator(tree: Tree, depth: int = 0) -> Evaluator:
    """The closure that computes `tree` from a dict of facts."""
    if depth > MAX_TREE_DEPTH or not isinstance(tree, tuple | list) or not tree:
        raise TreeError(f"not an expression tree: {tree!r:.60}")
    kind, args = tree[0], tree[1:]
    if kind == "fact" and isinstance(args[0], str):
        name = args[0]
        return lambda f: f[name]
    if kind == "const" and isinstance(args[0], bool | float | str):
        value = args[0]
        return lambda _f: value
    if kind in ("not", "neg"):
        inner = evaluator(args[0], depth + 1)
        if kind == "not":
            return lambda f: not inner(f)
        return lambda f: -inner(f)
    if kind in ("and", "or"):
        left, right = (evaluator(a, depth + 1) for a in args)
        if kind == "and":
            return lambda f: bool(left(f) and right(f))
        return lambda f: bool(left(f) or right(f))
    if kind == "if":
        cond, yes, no = (evaluator(a, depth + 1) for a in args)
        return lambda f: yes(f) if cond(f) else no(f)
    if kind == "in":
        member = evaluator(args[0], depth + 1)
        values = frozenset(v for v in args[1] if isinstance(v, bool | float | str))
        return lambda f: member(f) in values
    if kind == "cmp" and args[0] in {**ORDER, **EQUALITY}:
        fn = {**ORDER, **EQUALITY}[args[0]]
        left, right = evaluator(args[1], depth + 1), evaluator(args[2], depth + 1)
        return lambda f: fn(left(f), right(f))
    if kind == "arith" and args[0] in ARITHMETIC:
        return _arithmetic(ARITHMETIC[args[0]], args[1], args[2], depth)
    raise TreeError(f"not an expression node: {kind!r:.40}")


def _arithmetic(fn: Callable, left_tree: Tree, right_tree: Tree, depth: int) -> Evaluator:
    left, right = evaluator(left_tree, depth + 1), evaluator(right_tree, depth + 1)

    def arithmetic(f: dict[str, Any]) -> float:
        try:
            return fn(left(f), right(f))
        except ZeroDivisionError:
            return 0.0

    return arithmetic


def to_data(tree: Tree) -> list:
    """The tree as JSON-ready lists."""
    return [to_data(p) if isinstance(p, tuple) else p for p in tree]


def from_data(data: Any) -> Tree:
    """A tree from `to_data`'s lists (the value list of an 'in' stays a list)."""
    if not isinstance(data, list) or not data:
        raise TreeError("not an expression tree")
    if data[0] == "in":
        return ("in", from_data(data[1]), list(data[2]))
    return tuple(from_data(p) if isinstance(p, list) else p for p in data)
