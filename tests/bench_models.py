"""Small ONNX models the benchmark tests build: well-behaved ones and hostile ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


def _model(nodes, inputs, outputs, inits=()) -> onnx.ModelProto:
    graph = helper.make_graph(nodes, "test", inputs, outputs, list(inits))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    return model


def save(model: onnx.ModelProto, path: Path) -> Path:
    path.write_bytes(model.SerializeToString())
    return path


def identity_model(elem_type: int, shape: list) -> onnx.ModelProto:
    """x -> Identity -> y, for one dtype (input synthesis for every dtype)."""
    return _model(
        [helper.make_node("Identity", ["x"], ["y"])],
        [helper.make_tensor_value_info("x", elem_type, shape)],
        [helper.make_tensor_value_info("y", elem_type, shape)],
    )


def gather_model(table_size: int = 4) -> onnx.ModelProto:
    """Looks up `index` in a small table: values >= table_size are out of range."""
    table = numpy_helper.from_array(np.arange(table_size, dtype=np.float32), "table")
    return _model(
        [helper.make_node("Gather", ["table", "index"], ["y"], axis=0)],
        [helper.make_tensor_value_info("index", TensorProto.INT64, ["n"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n"])],
        [table],
    )


def memory_bomb() -> onnx.ModelProto:
    """ConstantOfShape of 10^10 float32 values: a 40 GB allocation at run time."""
    shape = numpy_helper.from_array(np.array([10_000_000_000], dtype=np.int64), "shape")
    fill = helper.make_tensor("value", TensorProto.FLOAT, [1], [1.0])
    return _model(
        [
            helper.make_node("ConstantOfShape", ["shape"], ["big"], value=fill),
            helper.make_node("Add", ["big", "x"], ["y"]),
        ],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [shape],
    )


def runaway_loop() -> onnx.ModelProto:
    """A Loop whose trip count is 2^63-1 and whose condition stays true."""
    body = helper.make_graph(
        [
            helper.make_node("Identity", ["cond_in"], ["cond_out"]),
            helper.make_node("Add", ["v_in", "one"], ["v_out"]),
        ],
        "body",
        [
            helper.make_tensor_value_info("i", TensorProto.INT64, []),
            helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
            helper.make_tensor_value_info("v_in", TensorProto.FLOAT, [1]),
        ],
        [
            helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
            helper.make_tensor_value_info("v_out", TensorProto.FLOAT, [1]),
        ],
        [numpy_helper.from_array(np.ones(1, dtype=np.float32), "one")],
    )
    trip = numpy_helper.from_array(np.array(2**63 - 1, dtype=np.int64), "trip")
    cond = numpy_helper.from_array(np.array(True), "cond")
    return _model(
        [helper.make_node("Loop", ["trip", "cond", "x"], ["y"], body=body)],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
        [trip, cond],
    )


def external_data_model(location: str) -> onnx.ModelProto:
    """A MatMul whose weight lives in an external file at `location`."""
    weight = numpy_helper.from_array(np.ones((4, 4), dtype=np.float32), "w")
    weight.ClearField("raw_data")
    weight.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", "0"), ("length", "64")):
        entry = weight.external_data.add()
        entry.key, entry.value = key, value
    return _model(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
        [weight],
    )
