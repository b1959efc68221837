"""The scenario file (CONTRACTS.md §1): pydantic models, YAML/JSON load and atomic save.

A scenario is one serving path, its SLA, its traffic and its quality budget. Files written today
must still open next year, so the models forbid unknown keys (a typo is an error, not a silent
default) and every error names the file, the field path and, for YAML, the line.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_serializer,
    field_validator,
    model_validator,
)

from latency_advisor.atomic import atomic_write_text
from latency_advisor.errors import UserError
from latency_advisor.llm_specs import (
    find_gpu,
    shape_for,
    unknown_gpu_message,
    usable_gb,
    weights_gb,
)
from latency_advisor.percentiles import parse_percentile
from latency_advisor.safe_json import load_json
from latency_advisor.safe_yaml import SafeReadError, decode_text, load_yaml, read_bytes
from latency_advisor.scenario_values import check_values
from latency_advisor.techniques import TECHNIQUES

FORMAT = "latency-advisor/scenario/v1"
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_YAML_NODES = 200_000
PERCENTILES: tuple[float, ...] = (50, 90, 95, 99, 99.9)

StageKind = Literal[
    "network",
    "feature_fetch",
    "preprocessing",
    "retrieval",
    "model",
    "postprocessing",
    "serialization",
    "queueing",
    "cold_start",
    "other",
]
STAGE_KINDS: tuple[str, ...] = StageKind.__args__  # type: ignore[attr-defined]
Workload = Literal["interactive", "batch", "streaming"]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
FactValue = bool | int | float | str
Ms = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
# a price is a number (not "2.5" or true): a quoted or boolean price is more likely a slip
Usd = Annotated[float, Field(ge=0, le=1e7, allow_inf_nan=False, strict=True)]


class Sla(_Strict):
    target_ms: Positive
    percentile: float
    workload: Workload = "interactive"
    # extension: what the target is on: the whole answer, or the first output of a streamed one
    metric: Literal["end_to_end", "first_token"] = "end_to_end"
    # extension: a target on the time per output token (streamed LLM answers), same percentile
    per_token_ms: Positive | None = None

    @field_validator("percentile", mode="before")
    @classmethod
    def _known_percentile(cls, value: object) -> float:
        value = parse_percentile(value)  # p95 as the app prints it, 95 and 99.9 alike
        if value not in PERCENTILES:
            allowed = ", ".join(_fmt_num(p) for p in PERCENTILES)
            raise ValueError(f"must be one of {allowed}")
        return value

    @field_serializer("percentile")
    def _serialize_percentile(self, value: float) -> float | int:
        return _int_if_whole(value)


class Traffic(_Strict):
    peak_rps: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    replicas: Annotated[int, Field(ge=1, le=100_000)] = 1
    # extension: requests one replica serves at once (threads, async slots, continuous batching)
    concurrency: Annotated[int, Field(ge=1, le=10_000)] = 1
    # extension: how requests arrive; default Poisson, or evenly spaced for a streaming workload
    arrivals: Literal["poisson", "periodic"] | None = None
    # extension: the month's average rate, for running cost (default: a documented share of peak)
    average_rps: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    # extension, batch workload: items in one run of the job and the window it must finish in
    job_items: Annotated[int, Field(ge=1, le=10**12)] | None = None
    deadline_s: Annotated[float, Field(gt=0, le=10**7, allow_inf_nan=False)] | None = None

    @property
    def servers(self) -> int:
        """Requests the whole fleet serves at once: replicas x concurrency."""
        return self.replicas * self.concurrency


class Cost(_Strict):
    """Prices in USD; without them the analysis uses documented defaults and says so."""

    replica_hour_usd: Usd | None = None
    engineer_day_usd: Usd | None = None


class StageCost(_Strict):
    replica_hour_usd: Usd | None = None


class Percentiles(_Strict):
    """A measured distribution given by its percentiles (ms)."""

    p50: Ms
    p95: Ms | None = None
    p99: Ms | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Percentiles:
        if self.p95 is not None and self.p95 < self.p50:
            raise ValueError(f"p95 ({self.p95:g}) must be >= p50 ({self.p50:g})")
        if self.p99 is not None and self.p99 < (self.p95 if self.p95 is not None else self.p50):
            raise ValueError(f"p99 ({self.p99:g}) must be >= p95 and p50")
        return self


class Quality(_Strict):
    max_accuracy_drop_pct: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] = 1.0


class ModelInfo(_Strict):
    family: Literal["llm", "transformer_encoder", "cnn", "tree", "mlp", "other"] | None = None
    params_millions: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    precision: Literal["fp32", "fp16", "bf16", "fp8", "int8", "int4"] | None = None
    runtime: (
        Literal[
            "pytorch",
            "tensorflow",
            "onnxruntime",
            "tensorrt",
            "openvino",
            "tflite",
            "vllm",
            "other",
        ]
        | None
    ) = None
    hardware: Literal["cpu", "gpu", "edge", "npu"] | None = None
    batching: Literal["none", "static", "dynamic", "continuous"] | None = None
    streaming: bool = False
    output_tokens: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    # extensions for LLM stages (the token model): prompt size, GPU, tensor parallelism, batch,
    # and measured time to first token and time per output token
    prompt_tokens: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    gpu: NonEmpty | None = None
    gpus: Annotated[int, Field(ge=1, le=64)] | None = None
    max_sequences: Annotated[int, Field(ge=1, le=100_000)] | None = None
    ttft_ms: Percentiles | None = None
    per_token_ms: Percentiles | None = None

    @model_validator(mode="after")
    def _runnable_llm(self) -> ModelInfo:
        """A GPU of the table, a prompt within the model's context, weights that fit the GPUs."""
        gpu = find_gpu(self.gpu) if self.gpu is not None else None
        if self.gpu is not None and gpu is None:
            raise FieldProblem(("gpu",), unknown_gpu_message(self.gpu))
        if self.params_millions is None:
            return self
        if self.family == "llm" and self.prompt_tokens is not None:
            shape = shape_for(self.params_millions)
            total = self.prompt_tokens + (self.output_tokens or 0)
            if total > shape.context:
                raise FieldProblem(
                    ("prompt_tokens",),
                    f"prompt ({self.prompt_tokens:,}) + output ({self.output_tokens or 0:,}) "
                    f"tokens exceed the {shape.context:,}-token context of a {shape.label} model",
                )
        if gpu is not None:
            gpus = self.gpus or 1
            need, have = weights_gb(self.params_millions, self.precision), usable_gb(gpu, gpus)
            if need > have:
                raise FieldProblem(
                    ("gpus",),
                    f"the weights ({need:.0f} GB in {self.precision or 'bf16'}) do not fit "
                    f"{gpus} x {gpu.name} ({have:.0f} GB usable at 90 %): raise gpus, lower the "
                    "precision or pick a larger GPU",
                )
        return self


class FieldProblem(ValueError):
    """A model-level check that names the field at fault (`sub`, below the model's own path)."""

    def __init__(self, sub: tuple[str, ...], message: str):
        super().__init__(message)
        self.sub = sub


class Calibration(_Strict):
    """A measured effect of one technique on this stage (from `latency-advisor bench`)."""

    speedup: tuple[
        Annotated[float, Field(gt=0, allow_inf_nan=False)],
        Annotated[float, Field(gt=0, allow_inf_nan=False)],
    ]
    max_abs_output_diff: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    source: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Calibration:
        if self.speedup[0] > self.speedup[1]:
            raise ValueError("speedup must be [low, high] with low <= high")
        return self


class Stage(_Strict):
    name: NonEmpty
    kind: StageKind
    p50_ms: Ms
    p95_ms: Ms | None = None
    p99_ms: Ms | None = None
    calls: Annotated[int, Field(ge=1, le=10_000)] = 1
    parallel_group: NonEmpty | None = None
    # extension: the fraction of requests that pass through this stage (an LLM on a cache miss,
    # a fallback on a timeout); its percentiles and samples describe those requests. None: all
    presence: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] | None = None
    facts: dict[NonEmpty, FactValue] = Field(default_factory=dict)
    model: ModelInfo | None = None
    # extension: measured per-request samples (from an importer); the latency model uses them as
    # the stage's empirical distribution when they agree with the stated percentiles
    samples_ms: Annotated[list[Ms], Field(min_length=1, max_length=20_000)] | None = None
    # extension: measured speedups by technique (CONTRACTS.md §3 words), attached from benchmarks
    calibration: dict[NonEmpty, Calibration] = Field(default_factory=dict)
    # extension: techniques (CONTRACTS.md §3) already in place on this stage: never advised again
    applied: Annotated[list[NonEmpty], Field(max_length=100)] = Field(default_factory=list)
    # extension: whether the stage keeps a worker busy while it waits (a remote call in an async
    # service does not); None: the default for its kind (see latency.model.NON_OCCUPYING_KINDS)
    holds_worker: bool | None = None
    cost: StageCost | None = None

    @field_validator("applied")
    @classmethod
    def _known_techniques(cls, applied: list[str]) -> list[str]:
        import difflib

        for word in applied:
            if word not in TECHNIQUES:
                near = difflib.get_close_matches(word, list(TECHNIQUES), n=1)
                hint = f"; did you mean {near[0]!r}?" if near else ""
                raise ValueError(
                    f"{word!r} is not a technique of the vocabulary "
                    f"(`latency-advisor rules techniques` lists them){hint}"
                )
        return applied

    @model_validator(mode="after")
    def _ordered_percentiles(self) -> Stage:
        if self.p95_ms is not None and self.p95_ms < self.p50_ms:
            raise ValueError(f"p95_ms ({self.p95_ms:g}) must be >= p50_ms ({self.p50_ms:g})")
        if self.p99_ms is not None:
            lower = self.p95_ms if self.p95_ms is not None else self.p50_ms
            label = "p95_ms" if self.p95_ms is not None else "p50_ms"
            if self.p99_ms < lower:
                raise ValueError(f"p99_ms ({self.p99_ms:g}) must be >= {label} ({lower:g})")
        return self

    @model_validator(mode="after")
    def _ttft_within_stage(self) -> Stage:
        """Time to first token is part of the stage: it cannot exceed the stage's own figure."""
        ttft = self.model.ttft_ms if self.model is not None else None
        if ttft is None:
            return self
        for key, total in (("p50", self.p50_ms), ("p95", self.p95_ms), ("p99", self.p99_ms)):
            first = getattr(ttft, key)
            if first is not None and total is not None and first > total:
                raise FieldProblem(
                    ("model", "ttft_ms", key),
                    f"time to first token ({first:g} ms) is above the stage's {key}_ms "
                    f"({total:g} ms), which includes it",
                )
        return self

    @field_validator("presence", mode="before")
    @classmethod
    def _presence_is_a_fraction(cls, value: Any) -> Any:
        """Say what a presence means where a number is out of range (30 for 30 % is common)."""
        if isinstance(value, bool):
            raise ValueError(
                f"must be a number: the fraction of requests that pass through the stage, e.g. "
                f"0.3; leave it out when every request does (got {str(value).lower()})"
            )
        if not isinstance(value, int | float) or value != value:
            return value
        if 0 < value <= 1:
            return value
        hint = f" ({value:g} % is written {value / 100:g})" if 1 < value <= 100 else ""
        got = f"{value:g}" if abs(value) < 1e15 else "a huge number"  # a float cannot hold 1e400
        raise ValueError(
            f"must be the fraction of requests that pass through the stage, more than 0 and at "
            f"most 1, e.g. 0.3 for 30 %{hint}; leave it out when every request does (got {got})"
        )

    @property
    def share_of_requests(self) -> float:
        """The fraction of requests that pass through the stage (1 when `presence` is unset)."""
        return 1.0 if self.presence is None else float(self.presence)

    @field_validator("facts")
    @classmethod
    def _finite_facts(cls, facts: dict[str, FactValue]) -> dict[str, FactValue]:
        for key, value in facts.items():
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"fact {key!r} must be a finite number")
        return facts


class Scenario(_Strict):
    format: Literal["latency-advisor/scenario/v1"]
    name: NonEmpty
    notes: str | None = None
    sla: Sla
    traffic: Traffic
    quality: Quality = Field(default_factory=Quality)
    cost: Cost | None = None
    stages: Annotated[list[Stage], Field(min_length=1, max_length=500)]

    @model_validator(mode="after")
    def _unique_stage_names(self) -> Scenario:
        seen: set[str] = set()
        for stage in self.stages:
            if stage.name in seen:
                raise ValueError(f"stage names must be unique; {stage.name!r} appears twice")
            seen.add(stage.name)
        return self

    @property
    def arrivals(self) -> Literal["poisson", "periodic"]:
        """Poisson unless stated; a streaming workload (frames, sensor ticks) arrives evenly."""
        if self.traffic.arrivals is not None:
            return self.traffic.arrivals
        return "periodic" if self.sla.workload == "streaming" else "poisson"

    def stage(self, name: str) -> Stage:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(name)


class ScenarioError(UserError):
    """A user error in a scenario file: which file, which field, which line, what is expected."""

    def __init__(
        self, path: str | Path | None, message: str, field: str = "", line: int | None = None
    ):
        self.path = str(path) if path is not None else None
        self.field = field
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path or "<scenario>"
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f": {self.field}"
        return f"{where}: {self.message}"


# ---------------------------------------------------------------- loading


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file (YAML or JSON, chosen by content) or raise ScenarioError."""
    try:
        raw = read_bytes(path, MAX_FILE_BYTES, "scenario file")
    except SafeReadError as exc:
        raise ScenarioError(path, exc.message) from None
    return parse_scenario(raw, source=Path(path))


def parse_scenario(raw: bytes | str, source: str | Path | None = None) -> Scenario:
    """Parse scenario text; `source` names the file in error messages."""
    text = _decode(raw, source) if isinstance(raw, bytes) else raw
    if "\x00" in text:
        raise ScenarioError(source, "this is a binary file, not a YAML or JSON scenario")
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        data, lines = _parse_json(text, source), {}
    else:
        data, lines = _parse_yaml(text, source)
    return validate_scenario(data, source=source, lines=lines)


def validate_scenario(
    data: Any, source: str | Path | None = None, lines: dict[tuple, int] | None = None
) -> Scenario:
    """Validate already-parsed data; errors point at the first problem's field and line."""
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise ScenarioError(
            source,
            "expected a mapping with format, name, sla, traffic and stages; "
            f"the document is {kind}",
        )
    if "format" not in data:
        raise ScenarioError(
            source, f"missing; every scenario starts with 'format: {FORMAT}'", field="format"
        )
    if data.get("format") != FORMAT:
        raise ScenarioError(
            source,
            f"expected {FORMAT!r}, got {data.get('format')!r}",
            field="format",
            line=(lines or {}).get(("format",)),
        )
    problem = check_values(data)
    if problem is not None:
        at, message = problem
        raise ScenarioError(source, message, field=_dotted(at), line=_line_of(at, lines or {}))
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise _from_validation(exc, source, lines or {}) from None


def _decode(raw: bytes, source: str | Path | None) -> str:
    try:
        return decode_text(raw)
    except SafeReadError as exc:
        raise ScenarioError(
            source,
            exc.message.replace(
                "binary file, not text", "binary file, not a YAML or JSON scenario"
            ),
        ) from None


def _parse_json(text: str, source: str | Path | None) -> Any:
    try:
        return load_json(text)
    except SafeReadError as exc:
        raise ScenarioError(source, exc.message, field=_dotted(exc.field), line=exc.line) from None


def _parse_yaml(text: str, source: str | Path | None) -> tuple[Any, dict[tuple, int]]:
    try:
        return load_yaml(text, MAX_YAML_NODES)
    except SafeReadError as exc:
        message = exc.message
        if message.startswith("YAML tags"):
            message = message.replace("the file holds", "scenario files hold")
        raise ScenarioError(source, message, field=_dotted(exc.field), line=exc.line) from None


MAX_LISTED_PROBLEMS = 20
"""A file with more problems than this is probably the wrong file: the rest are counted."""


def _from_validation(
    exc: ValidationError, source: str | Path | None, lines: dict[tuple, int]
) -> ScenarioError:
    """The first problem names the field and line; every other one follows on a line of its own
    (up to MAX_LISTED_PROBLEMS), so one run shows all there is to fix."""
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(part for part in error["loc"] if not _is_union_tag(part))
        named = error.get("ctx", {}).get("error")
        if isinstance(named, FieldProblem):  # a model-level check that names its field
            loc += named.sub
        problem = ScenarioError(source, _explain(error), _dotted(loc), _line_of(loc, lines))
        if str(problem) not in {str(p) for p in problems}:
            problems.append(problem)
    first, rest = problems[0], problems[1:]
    shown = [f"  {p}" for p in rest[: MAX_LISTED_PROBLEMS - 1]]
    if len(rest) > len(shown):
        shown.append(f"  (and {len(rest) - len(shown)} more problems)")
    message = "\n".join([first.message, *shown])
    return ScenarioError(source, message, field=first.field, line=first.line)


def _line_of(loc: tuple, lines: dict[tuple, int]) -> int | None:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return None


def _allowed_keys(loc: tuple) -> list[str]:
    """The keys the model at `loc`'s parent accepts (for a close-match suggestion)."""
    model: Any = Scenario
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        model = _model_in(field.annotation)
        if model is None:
            return []
    return list(getattr(model, "model_fields", {}))


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside `list[X]`, `X | None`, `dict[str, X]`, or X itself."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and (
        part.startswith(("function-", "literal[", "constrained-"))
        or part in {"float", "int", "bool", "str", "list", "dict", "none"}
    )


def _explain(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        loc = tuple(part for part in error["loc"] if not _is_union_tag(part))
        close = difflib.get_close_matches(str(loc[-1]), _allowed_keys(loc), n=1, cutoff=0.6)
        if close:
            return f"unknown key; did you mean {close[0]!r}?"
        return "unknown key (check the spelling; unknown keys are not allowed)"
    if kind == "missing":
        return "missing; this field is required"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        words = re.findall(r"'([^']*)'", expected)
        close = difflib.get_close_matches(str(error.get("input")), words, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"got {error.get('input')!r}{hint} (expected one of {expected})"
    msg = str(error["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    got = error.get("input")
    if kind not in {"value_error", "model_type", "dict_type"} and _short(got):
        msg += f" (got {got!r})"
    return msg


def _short(value: Any) -> bool:
    return isinstance(value, (int, float, str, bool)) and len(repr(value)) <= 60


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


# ---------------------------------------------------------------- saving


def scenario_to_data(scenario: Scenario) -> dict[str, Any]:
    """The plain data of a scenario, without unset optional fields, keys in contract order."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    if data["sla"].get("metric") == "end_to_end":
        data["sla"].pop("metric")
    if data["traffic"].get("concurrency") == 1:
        data["traffic"].pop("concurrency")
    for stage in data["stages"]:
        for key in ("facts", "calibration", "applied"):
            if not stage.get(key):
                stage.pop(key, None)
        if stage.get("calls") == 1:
            stage.pop("calls")
        model = stage.get("model")
        if model is not None and model.get("streaming") is False:
            model.pop("streaming")
    return data


def dump_scenario(scenario: Scenario, fmt: Literal["yaml", "json"] = "yaml") -> str:
    data = scenario_to_data(scenario)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def save_scenario(scenario: Scenario, path: str | Path) -> None:
    """Write atomically: the file on disk is either the old one or the complete new one."""
    path = Path(path)
    fmt: Literal["yaml", "json"] = "json" if path.suffix.lower() == ".json" else "yaml"
    atomic_write_text(path, dump_scenario(scenario, fmt))


def scenario_json_schema() -> dict[str, Any]:
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://latency-advisor.invalid/schema/scenario-v1.json"
    schema["title"] = "Latency Advisor scenario (latency-advisor/scenario/v1)"
    _describe_token_fields(schema)
    return schema


TOKEN_FIELD_DOCS: dict[str, dict[str, str]] = {
    "Sla": {
        "metric": "end_to_end (default) or first_token: the target is on the first output of "
        "a streamed answer (path before the LLM + queue + time to first token)",
        "per_token_ms": "target on the time per output token at the same percentile",
    },
    "ModelInfo": {
        "prompt_tokens": "LLM: prompt tokens per request (sets the prefill)",
        "gpu": "LLM: a GPU of the bundled table (latency-advisor llm --help)",
        "gpus": "LLM: tensor-parallel degree (GPUs per replica)",
        "max_sequences": "LLM: concurrent sequences per replica (the decode batch)",
        "ttft_ms": "LLM, measured: time to first token {p50, p95, p99}; part of the stage",
        "per_token_ms": "LLM, measured: time per output token {p50, p95, p99}",
    },
}


def _describe_token_fields(schema: dict[str, Any]) -> None:
    """Say what the token fields mean, and which GPU names the table knows, in the schema."""
    from latency_advisor.llm_specs import GPUS

    defs = schema.get("$defs", {})
    for model, docs in TOKEN_FIELD_DOCS.items():
        props = defs.get(model, {}).get("properties", {})
        for name, doc in docs.items():
            if name in props:
                props[name]["description"] = doc
    gpu = defs.get("ModelInfo", {}).get("properties", {}).get("gpu")
    if gpu is not None:
        gpu["examples"] = list(GPUS)


def _int_if_whole(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _fmt_num(value: float) -> str:
    return f"{value:g}"
