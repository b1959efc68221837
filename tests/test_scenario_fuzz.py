"""Property: whatever document arrives, the loader yields a Scenario or our own ScenarioError."""

from __future__ import annotations

import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from latency_advisor.scenario import FORMAT, Scenario, ScenarioError, parse_scenario

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
json_like = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(max_size=12), children, max_size=6),
    ),
    max_leaves=12,
)
KEYS = ["format", "name", "sla", "traffic", "quality", "stages", "notes"]
STAGE_KEYS = [
    "name",
    "kind",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "calls",
    "parallel_group",
    "facts",
    "presence",
]


@st.composite
def scenario_like(draw: st.DrawFn) -> dict:
    """Documents close to a scenario, so validation goes deep, not just the first check."""
    stage = st.dictionaries(st.sampled_from(STAGE_KEYS), json_like, max_size=8)
    doc = draw(st.dictionaries(st.sampled_from(KEYS), json_like, max_size=7))
    doc["format"] = draw(st.sampled_from([FORMAT, FORMAT, "other"]))
    doc["stages"] = draw(st.lists(stage, max_size=4))
    doc["sla"] = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "target_ms": json_like,
                "percentile": st.sampled_from([50, 90, 95, 99, 99.9, 97, "95", None]),
                "workload": st.sampled_from(["interactive", "batch", "x"]),
            },
        )
    )
    return doc


def outcome(raw: bytes | str) -> None:
    try:
        result = parse_scenario(raw, source="fuzz.yaml")
    except ScenarioError as exc:
        assert str(exc).startswith("fuzz.yaml")
    else:
        assert isinstance(result, Scenario)


FUZZ = settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(scenario_like())
def test_scenario_like_json(doc: dict) -> None:
    outcome(json.dumps(doc, allow_nan=True))


@FUZZ
@given(scenario_like())
def test_scenario_like_yaml(doc: dict) -> None:
    outcome(yaml.safe_dump(doc, allow_unicode=True))


def test_a_presence_too_large_for_a_float_is_refused_cleanly() -> None:
    doc = {
        "format": FORMAT,
        "name": "x",
        "sla": {"target_ms": 1, "percentile": 95},
        "traffic": {"peak_rps": 0},
        "stages": [{"name": "a", "kind": "model", "p50_ms": 1, "presence": 10**400}],
    }
    try:
        parse_scenario(json.dumps(doc), source="fuzz.json")
    except ScenarioError as exc:
        assert exc.field == "stages[0].presence" and "numbers are at most" in exc.message
    else:
        raise AssertionError("a presence of 10**400 was accepted")


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300)))
def test_arbitrary_bytes_and_text(raw: bytes | str) -> None:
    outcome(raw)
