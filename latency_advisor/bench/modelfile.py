"""Checks on a model file before onnxruntime sees it: readable, parseable, data kept at home.

A model file is untrusted input. Its external-data entries name files by path; a path that
leaves the model's folder (`../../etc/passwd`, an absolute path, a symlink out) must be refused
before anything is loaded, and the protobuf is parsed without following those paths.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import onnx
from google.protobuf.message import DecodeError

from latency_advisor.errors import UserError


class ModelFileError(UserError):
    """The model file cannot be used: which file and why."""


MAX_LOCATION_CHARS = 255


def _sparse(sparse: onnx.SparseTensorProto) -> list[onnx.TensorProto]:
    return [sparse.values, sparse.indices]


def _node_tensors(nodes: Any) -> list[onnx.TensorProto]:
    tensors: list[onnx.TensorProto] = []
    for node in nodes:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.TENSOR:
                tensors.append(attr.t)
            elif attr.type == onnx.AttributeProto.TENSORS:
                tensors.extend(attr.tensors)
            elif attr.type == onnx.AttributeProto.SPARSE_TENSOR:
                tensors.extend(_sparse(attr.sparse_tensor))
            elif attr.type == onnx.AttributeProto.SPARSE_TENSORS:
                for sparse in attr.sparse_tensors:
                    tensors.extend(_sparse(sparse))
            elif attr.type == onnx.AttributeProto.GRAPH:
                tensors.extend(_all_tensors(attr.g))
            elif attr.type == onnx.AttributeProto.GRAPHS:
                for sub in attr.graphs:
                    tensors.extend(_all_tensors(sub))
    return tensors


def _all_tensors(graph: onnx.GraphProto) -> list[onnx.TensorProto]:
    tensors = list(graph.initializer)
    for sparse in graph.sparse_initializer:
        tensors.extend(_sparse(sparse))
    return tensors + _node_tensors(graph.node)


def external_locations(model: onnx.ModelProto) -> list[str]:
    """Every external-data `location` the model names: main graph, subgraphs, sparse tensors
    and model-local functions (onnxruntime may refuse some of them itself; check them anyway)."""
    out = []
    tensors = _all_tensors(model.graph)
    for function in model.functions:
        tensors.extend(_node_tensors(function.node))
    for tensor in tensors:
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            entries = {e.key: e.value for e in tensor.external_data}
            out.append(entries.get("location", ""))
    return out


def check_external_data(model: onnx.ModelProto, path: Path) -> None:
    """Refuse any external-data location outside the model's folder (after symlinks)."""
    folder = path.resolve().parent
    for location in external_locations(model):
        if len(location) > MAX_LOCATION_CHARS or "\x00" in location:
            raise ModelFileError(
                f"{path}: external data location {location[:60]!r}... is not a file name "
                f"(a NUL byte, or over {MAX_LOCATION_CHARS} characters); refusing to load it"
            )
        if not location or Path(location).is_absolute() or "\\" in location:
            raise ModelFileError(
                f"{path}: external data location {location!r} is not a plain relative path "
                "inside the model's folder; refusing to load it"
            )
        target = (folder / location).resolve()
        if not target.is_relative_to(folder):
            raise ModelFileError(
                f"{path}: external data location {location!r} points outside the model's "
                f"folder ({folder}); refusing to load it"
            )
        if not target.is_file():
            raise ModelFileError(
                f"{path}: external data file {location!r} is missing next to the model"
            )


def read_model(path: str | Path) -> onnx.ModelProto:
    """Parse the protobuf (external data not loaded) and check its external-data paths."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file")
    if path.stat().st_size == 0:
        raise ModelFileError(f"{path}: the file is empty")
    try:
        model = onnx.load(str(path), load_external_data=False)
    except (DecodeError, ValueError, RuntimeError, OSError) as exc:
        raise ModelFileError(
            f"{path}: not a valid ONNX model (the file is truncated or not ONNX: {exc})"
        ) from None
    if not model.graph.node and not model.graph.output:
        raise ModelFileError(f"{path}: not a valid ONNX model (no graph in the file)")
    check_external_data(model, path)
    return model
