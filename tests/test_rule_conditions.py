"""The condition language: typed, compiled once, and never a way into Python."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from latency_advisor.rules.conditions import ExpressionError, compile_expression
from latency_advisor.rules.facts import DEFAULTS, FACTS, VOCABULARY


def facts(**values):
    return {**DEFAULTS, **values}


def test_a_condition_reads_typed_facts():
    expr = compile_expression(
        "family == 'llm' and share >= 0.3 and not streaming and workload in ['interactive']",
        "boolean",
    )
    assert expr.symbols == {"family", "share", "streaming", "workload"}
    assert expr.evaluate(facts(family="llm", share=0.5, workload="interactive")) is True
    assert expr.evaluate(facts(family="llm", share=0.1, workload="interactive")) is False


def test_an_effect_size_is_a_number_expression():
    expr = compile_expression("cpu_vnni ? 0.5 * repeat_rate : 1 / calls", "number")
    assert expr.evaluate(facts(cpu_vnni=True, repeat_rate=0.4)) == pytest.approx(0.2)
    assert expr.evaluate(facts(calls=4.0)) == pytest.approx(0.25)
    # division by zero gives 0, not a crash in someone's analysis
    assert compile_expression("1 / calls", "number").evaluate(facts(calls=0.0)) == 0.0


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("family.__class__", "'__' is not allowed"),
        ("stage_kind.__class__.__mro__[1].__subclasses__()", "'__' is not allowed"),
        ("__import__('os').system('echo hacked')", "'__' is not allowed"),
        ("family.as_lower == 'llm'", "attribute access"),
        ("family.length > 2", "attribute access"),
        ("family =~ 'l.*'", "'=~' is not supported"),
        ("$pi > share", "built-in symbols"),
        ("[share][0] > 1", "indexing"),
        ("share ** 2 > 1", "'**' is not supported"),
    ],
)
def test_anything_beyond_facts_and_operators_is_refused(text, fragment):
    with pytest.raises(ExpressionError) as err:
        compile_expression(text, "boolean")
    assert fragment in str(err.value)


def test_refused_expressions_never_run(tmp_path):
    marker = tmp_path / "ran"
    attempts = [
        f"__import__('pathlib').Path('{marker}').touch()",
        f"open('{marker}', 'w')",
        f'exec(\'open("{marker}", "w")\')',
    ]
    for text in attempts:
        with pytest.raises(ExpressionError):
            compile_expression(text, "boolean")
    assert not marker.exists()


def test_unknown_fact_is_named_with_a_suggestion_and_position():
    with pytest.raises(ExpressionError) as err:
        compile_expression("share > 0.2 and\n  famly == 'llm'", "boolean")
    assert "unknown fact 'famly'" in err.value.message
    assert "did you mean 'family'" in err.value.message
    assert (err.value.line, err.value.column) == (2, 3)


def test_syntax_error_has_a_position():
    with pytest.raises(ExpressionError) as err:
        compile_expression("share > ) 0.3", "boolean")
    assert "syntax error" in err.value.message
    assert (err.value.line, err.value.column) == (1, 9)
    with pytest.raises(ExpressionError, match="ends too early"):
        compile_expression("share >", "boolean")


@pytest.mark.parametrize(
    "text, expect, fragment",
    [
        ("share == 'high'", "boolean", "compares or combines a number with a string"),
        ("streaming and share", "boolean", "joins booleans"),
        ("family in [1, 2]", "boolean", "compares a string with a list holding a number"),
        ("share + 1", "boolean", "gives a number; expected a boolean"),
        ("share > 1", "number", "gives a boolean; expected a number"),
    ],
)
def test_wrong_types_are_refused_at_compile_time(text, expect, fragment):
    with pytest.raises(ExpressionError, match=fragment):
        compile_expression(text, expect)


def test_empty_and_oversized_expressions_are_refused():
    with pytest.raises(ExpressionError, match="empty"):
        compile_expression("   ", "boolean")
    with pytest.raises(ExpressionError, match="longer than"):
        compile_expression("share > 0 and " * 300 + "true", "boolean")


def test_every_fact_has_a_typed_default():
    kinds = {"number": float, "string": str, "boolean": bool}
    for fact in VOCABULARY:
        assert isinstance(DEFAULTS[fact.name], kinds[fact.type]), fact.name
        assert fact.doc
    assert len(FACTS) == len(VOCABULARY)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_is_compiled_or_refused_cleanly(text):
    try:
        expr = compile_expression(text, "boolean")
    except ExpressionError:
        return
    assert isinstance(expr.evaluate(dict(DEFAULTS)), bool)
