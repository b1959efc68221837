"""Inputs synthesized from a model's signature, for every common dtype, with user overrides.

Dynamic dimensions get sizes that such models accept (batch 1, sequences 128, images 224 with
3 channels); `--shape NAME=D0,D1` fixes them and `--value NAME=NUMBER` fills an input with a
constant (a sample rate, a token id). Integer inputs get small non-negative values because they
are often indices. The chosen shapes and fills are reported with the results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from latency_advisor.errors import UserError

DTYPES: dict[str, Any] = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(float16)": np.float16,
    "tensor(int8)": np.int8,
    "tensor(uint8)": np.uint8,
    "tensor(int16)": np.int16,
    "tensor(uint16)": np.uint16,
    "tensor(int32)": np.int32,
    "tensor(uint32)": np.uint32,
    "tensor(int64)": np.int64,
    "tensor(uint64)": np.uint64,
    "tensor(bool)": np.bool_,
    "tensor(string)": np.str_,
}
INT_HIGH = 8  # integer inputs get values 0..INT_HIGH-1
FLOAT_DTYPES = ("float", "double", "float16")
SEQUENCE_WORDS = ("seq", "sequence", "length", "len", "token", "time", "step", "word")
IMAGE_WORDS = ("height", "width", "h", "w", "size")
SEQUENCE_DEFAULT = 128
IMAGE_DEFAULT = 224


class InputError(UserError):
    """An input the harness cannot build: which input, what it needs, how to pass it."""


@dataclass(frozen=True)
class InputSpec:
    """One input as fed: its name, dtype, shape and how its values were chosen."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    fill: str
    batch_axis_dynamic: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "shape": list(self.shape),
            "fill": self.fill,
        }


def parse_assignments(items: list[str] | None, option: str) -> dict[str, str]:
    """`NAME=VALUE` strings from a repeatable option into a dict (split at the last '=')."""
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.rpartition("=")
        if not sep or not name or not value:
            raise InputError(f"{option} {item!r}: expected NAME=VALUE")
        out[name] = value
    return out


def parse_shape(text: str, name: str) -> tuple[int, ...]:
    try:
        dims = tuple(int(d) for d in re.split(r"[,x]", text.strip()) if d.strip() != "")
    except ValueError:
        dims = ()
    if not dims or any(d < 0 for d in dims):
        raise InputError(
            f"--shape {name}={text}: expected non-negative integers separated by commas, "
            f"e.g. --shape {name}=1,128"
        )
    return dims


def parse_value(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputError(
            f"--value {name}={text}: expected a number, e.g. --value {name}=16000"
        ) from None


def _default_dim(dim: Any, axis: int, rank: int) -> int:
    """A size for a dynamic dimension, from its name and position."""
    label = str(dim or "").lower()
    if axis == 0:
        return 1
    if any(word in label for word in SEQUENCE_WORDS):
        return SEQUENCE_DEFAULT
    if label in IMAGE_WORDS or any(w in label for w in ("height", "width")):
        return IMAGE_DEFAULT
    if rank == 4:
        return 3 if axis == 1 else IMAGE_DEFAULT
    if rank in (2, 3) and axis == 1:
        return SEQUENCE_DEFAULT
    return 16


def _is_dynamic(dim: Any) -> bool:
    return not isinstance(dim, int) or dim < 0


# sizes a dynamic dimension commonly needs when the default does not fit the model (an audio
# window, a hidden size, a sample rate's frame): tried in this order before asking for --shape
COMMON_DYNAMIC_SIZES = (512, 256, 1024, 64, 32, 16000)


def has_defaulted_dims(signature: list[Any], shapes: dict[str, str]) -> bool:
    """Whether any input has a dynamic dimension (past the batch) that --shape did not fix."""
    return any(
        _is_dynamic(d)
        for arg in signature
        if arg.name not in shapes
        for axis, d in enumerate(list(arg.shape or []))
        if axis > 0
    )


def plan_inputs(
    signature: list[Any],
    shapes: dict[str, str],
    values: dict[str, str],
    dynamic_size: int | None = None,
) -> list[InputSpec]:
    """Decide shape and fill of each input (`signature`: onnxruntime NodeArg-like objects).

    `dynamic_size` gives every dynamic dimension past the batch that size instead of the
    default (the runner tries COMMON_DYNAMIC_SIZES when the defaults fail)."""
    names = [arg.name for arg in signature]
    for option, given in (("--shape", shapes), ("--value", values)):
        for name in given:
            if name not in names:
                raise InputError(
                    f"{option} {name}=...: the model has no input named {name!r}; "
                    f"its inputs are {', '.join(names)}"
                )
    specs = []
    for arg in signature:
        if arg.type not in DTYPES:
            raise InputError(
                f"input {arg.name!r} has type {arg.type}, which the harness cannot synthesize "
                "(supported: tensors of numbers, bool and string)"
            )
        dims = list(arg.shape or [])
        if arg.name in shapes:
            shape = parse_shape(shapes[arg.name], arg.name)
            if len(shape) != len(dims):
                raise InputError(
                    f"--shape {arg.name}={shapes[arg.name]}: the input has {len(dims)} "
                    f"dimensions ({_show(dims)}), the option gives {len(shape)}"
                )
            for axis, (want, have) in enumerate(zip(shape, dims, strict=True)):
                if not _is_dynamic(have) and want != have:
                    raise InputError(
                        f"--shape {arg.name}={shapes[arg.name]}: dimension {axis} is fixed at "
                        f"{have} in the model"
                    )
        else:
            shape = tuple(
                (dynamic_size if dynamic_size and axis > 0 else _default_dim(d, axis, len(dims)))
                if _is_dynamic(d)
                else int(d)
                for axis, d in enumerate(dims)
            )
        if arg.name in values:
            fill = f"constant {parse_value(values[arg.name], arg.name):g}"
        elif arg.type == "tensor(bool)":
            fill = "true"
        elif arg.type == "tensor(string)":
            fill = "text 'a'"
        elif np.issubdtype(DTYPES[arg.type], np.integer):
            fill = f"random integers 0..{INT_HIGH - 1}"
        else:
            fill = "random uniform 0..1"
        specs.append(
            InputSpec(
                name=arg.name,
                dtype=arg.type[len("tensor(") : -1],
                shape=shape,
                fill=fill,
                batch_axis_dynamic=bool(dims) and _is_dynamic(dims[0]),
            )
        )
    return specs


def _show(dims: list[Any]) -> str:
    return "[" + ", ".join(str(d) if d not in (None, "") else "?" for d in dims) + "]"


def synthesize(specs: list[InputSpec], seed: int = 0) -> dict[str, np.ndarray]:
    """The arrays themselves, reproducible from the seed."""
    rng = np.random.default_rng(seed)
    feeds = {}
    for spec in specs:
        dtype = DTYPES[f"tensor({spec.dtype})"]
        if spec.fill.startswith("constant "):
            value = float(spec.fill.split()[1])
            feeds[spec.name] = np.full(spec.shape, value, dtype=dtype)
        elif dtype is np.bool_:
            feeds[spec.name] = np.ones(spec.shape, dtype=np.bool_)
        elif dtype is np.str_:
            feeds[spec.name] = np.full(spec.shape, "a", dtype=object)
        elif np.issubdtype(dtype, np.integer):
            feeds[spec.name] = rng.integers(0, INT_HIGH, size=spec.shape).astype(dtype)
        else:
            feeds[spec.name] = rng.random(spec.shape).astype(dtype)
    return feeds


def with_batch(feeds: dict[str, np.ndarray], specs: list[InputSpec], batch: int) -> dict:
    """The same inputs repeated along a dynamic batch axis (so outputs stay comparable)."""
    out = {}
    for spec in specs:
        arr = feeds[spec.name]
        if spec.batch_axis_dynamic and arr.ndim and arr.shape[0] != batch:
            reps = -(-batch // max(arr.shape[0], 1))
            arr = np.concatenate([arr] * reps, axis=0)[:batch]
        out[spec.name] = np.ascontiguousarray(arr)
    return out


def needs_value_hint(specs: list[InputSpec], error: str) -> str:
    """A message for a model that fails on synthesized inputs: which input, which option."""
    named = [s for s in specs if re.search(rf"\b{re.escape(s.name)}\b", error)]
    # integer and bool inputs are the usual culprits: indices, lengths, rates, masks
    synthesized_non_float = [
        s for s in specs if not s.fill.startswith("constant") and s.dtype not in FLOAT_DTYPES
    ]
    suspects = named or synthesized_non_float or specs
    hints = "; ".join(
        f"input {s.name!r} ({s.dtype} {list(s.shape)}, filled with {s.fill}) may need a "
        f"specific value or shape: pass --value {s.name}=NUMBER or "
        f"--shape {s.name}={','.join(str(d) for d in s.shape) or 'D0,D1'}"
        for s in suspects
    )
    return f"the model failed on synthesized inputs ({error.strip()[:400]}); {hints}"
