"""Built-in reference models, built with the onnx package at run time (nothing is downloaded).

A user without a model of their own can still see what each lever (threads, INT8, FP16,
batching, graph optimization) does on their machine, on the three shapes of work that matter:
dense layers (MLP), attention (a transformer encoder block) and convolutions (a small CNN).
Each comes in sizes s, m and l; weights are seeded random numbers, so every build is identical.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17  # LayerNormalization is in the default domain from 17 on
BATCH = "batch"


@dataclass(frozen=True)
class RefModel:
    name: str
    family: str  # scenario ModelInfo.family word
    description: str
    build: Callable[[], onnx.ModelProto]


class _Graph:
    """A tiny graph builder: weights as initializers, unique node and tensor names."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.count = 0

    def name(self, stem: str) -> str:
        self.count += 1
        return f"{stem}_{self.count}"

    def weight(self, shape: tuple[int, ...], scale: float | None = None) -> str:
        fan_in = shape[0] if len(shape) <= 2 else int(np.prod(shape[1:]))
        std = scale if scale is not None else (2.0 / max(fan_in, 1)) ** 0.5
        name = self.name("w")
        data = (self.rng.standard_normal(shape) * std).astype(np.float32)
        self.inits.append(numpy_helper.from_array(data, name))
        return name

    def const(self, value: np.ndarray) -> str:
        name = self.name("c")
        self.inits.append(numpy_helper.from_array(value, name))
        return name

    def op(self, op_type: str, inputs: list[str], **attrs: object) -> str:
        out = self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out

    def linear(self, x: str, d_in: int, d_out: int) -> str:
        return self.op(
            "Add", [self.op("MatMul", [x, self.weight((d_in, d_out))]), self.bias(d_out)]
        )

    def bias(self, d: int) -> str:
        return self.const(np.zeros(d, dtype=np.float32))

    def layer_norm(self, x: str, d: int) -> str:
        gamma = self.const(np.ones(d, dtype=np.float32))
        return self.op("LayerNormalization", [x, gamma, self.bias(d)], axis=-1, epsilon=1e-5)

    def model(
        self, name: str, x: tuple[str, list], y: tuple[str, list], out: str
    ) -> onnx.ModelProto:
        self.nodes.append(helper.make_node("Identity", [out], [y[0]], name="output"))
        graph = helper.make_graph(
            self.nodes,
            name,
            [helper.make_tensor_value_info(x[0], TensorProto.FLOAT, x[1])],
            [helper.make_tensor_value_info(y[0], TensorProto.FLOAT, y[1])],
            self.inits,
        )
        model = helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="latency-advisor"
        )
        model.ir_version = 8
        onnx.checker.check_model(model)
        return model


def mlp(d_in: int, hidden: int, layers: int, d_out: int, name: str) -> onnx.ModelProto:
    """Dense layers with ReLU: the shape of tabular scorers, rankers and heads."""
    g = _Graph(seed=1)
    x, width = "input", d_in
    for _ in range(layers):
        x, width = g.op("Relu", [g.linear(x, width, hidden)]), hidden
    out = g.linear(x, width, d_out)
    return g.model(name, ("input", [BATCH, d_in]), ("output", [BATCH, d_out]), out)


def transformer_block(d: int, heads: int, ffn: int, seq: int, name: str) -> onnx.ModelProto:
    """One post-norm encoder block (self-attention + feed-forward), as in BERT."""
    g = _Graph(seed=2)
    head = d // heads
    split = g.const(np.array([0, 0, heads, head], dtype=np.int64))
    merge = g.const(np.array([0, 0, d], dtype=np.int64))

    def heads_of(t: str, perm: list[int]) -> str:
        return g.op("Transpose", [g.op("Reshape", [t, split])], perm=perm)

    x = "input"
    q = heads_of(g.linear(x, d, d), [0, 2, 1, 3])  # B, H, S, h
    k = heads_of(g.linear(x, d, d), [0, 2, 3, 1])  # B, H, h, S
    v = heads_of(g.linear(x, d, d), [0, 2, 1, 3])
    scale = g.const(np.array(1.0 / np.sqrt(head), dtype=np.float32))
    scores = g.op("Mul", [g.op("MatMul", [q, k]), scale])
    context = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v])
    context = g.op("Reshape", [g.op("Transpose", [context], perm=[0, 2, 1, 3]), merge])
    h1 = g.layer_norm(g.op("Add", [x, g.linear(context, d, d)]), d)
    # GELU (erf form): 0.5 x (1 + erf(x / sqrt 2))
    up = g.linear(h1, d, ffn)
    erf = g.op("Erf", [g.op("Div", [up, g.const(np.array(np.sqrt(2.0), dtype=np.float32))])])
    one, half = (g.const(np.array(v, dtype=np.float32)) for v in (1.0, 0.5))
    gelu = g.op("Mul", [g.op("Mul", [up, g.op("Add", [erf, one])]), half])
    out = g.layer_norm(g.op("Add", [h1, g.linear(gelu, ffn, d)]), d)
    shape = [BATCH, seq, d]
    return g.model(name, ("input", shape), ("output", shape), out)


def cnn(size: int, channels: tuple[int, ...], classes: int, name: str) -> onnx.ModelProto:
    """Conv-ReLU-pool stages, global pooling and a classifier: a small image model."""
    g = _Graph(seed=3)
    x, c_in = "input", 3
    for c_out in channels:
        conv = g.op("Conv", [x, g.weight((c_out, c_in, 3, 3)), g.bias(c_out)], pads=[1, 1, 1, 1])
        x = g.op("MaxPool", [g.op("Relu", [conv])], kernel_shape=[2, 2], strides=[2, 2])
        c_in = c_out
    pooled = g.op("Flatten", [g.op("GlobalAveragePool", [x])], axis=1)
    out = g.linear(pooled, c_in, classes)
    return g.model(name, ("input", [BATCH, 3, size, size]), ("output", [BATCH, classes]), out)


REFERENCE_MODELS: dict[str, RefModel] = {
    m.name: m
    for m in (
        RefModel(
            "mlp-s", "mlp", "MLP 128-256x2-10 (0.1 M params)", lambda: mlp(128, 256, 2, 10, "mlp-s")
        ),
        RefModel(
            "mlp-m",
            "mlp",
            "MLP 512-1024x3-10 (2.6 M params)",
            lambda: mlp(512, 1024, 3, 10, "mlp-m"),
        ),
        RefModel(
            "mlp-l",
            "mlp",
            "MLP 1024-2048x3-100 (10 M params)",
            lambda: mlp(1024, 2048, 3, 100, "mlp-l"),
        ),
        RefModel(
            "transformer-s",
            "transformer_encoder",
            "encoder block d=128, 2 heads, seq 64",
            lambda: transformer_block(128, 2, 512, 64, "transformer-s"),
        ),
        RefModel(
            "transformer-m",
            "transformer_encoder",
            "encoder block d=256, 4 heads, seq 128",
            lambda: transformer_block(256, 4, 1024, 128, "transformer-m"),
        ),
        RefModel(
            "transformer-l",
            "transformer_encoder",
            "BERT-base-sized block d=768, 12 heads, seq 128",
            lambda: transformer_block(768, 12, 3072, 128, "transformer-l"),
        ),
        RefModel(
            "cnn-s", "cnn", "CNN 32x32, 16-32 channels", lambda: cnn(32, (16, 32), 10, "cnn-s")
        ),
        RefModel(
            "cnn-m",
            "cnn",
            "CNN 64x64, 32-64-128 channels",
            lambda: cnn(64, (32, 64, 128), 100, "cnn-m"),
        ),
        RefModel(
            "cnn-l",
            "cnn",
            "CNN 224x224, 32-64-128-256 channels",
            lambda: cnn(224, (32, 64, 128, 256), 1000, "cnn-l"),
        ),
    )
}


def reference_model(name: str) -> RefModel | None:
    return REFERENCE_MODELS.get(name)


def suggest_reference(stages) -> str | None:
    """The built-in model most like the scenario's first model stage of a family the built-ins
    cover, or None: an LLM path has no stand-in, and a 0.1 M-parameter MLP says nothing about
    it. The size follows the stage's parameters: under 10 M the small one, under 50 M the
    medium one, else the large one (the middle size when the stage does not say)."""
    for stage in stages:
        info = getattr(stage, "model", None)
        family = getattr(info, "family", None)
        if stage.kind != "model" or family is None:
            continue
        same = sorted(
            (m for m in REFERENCE_MODELS.values() if m.family == family),
            key=lambda m: "sml".index(m.name[-1]),
        )
        if not same:
            continue
        size = getattr(info, "params_millions", None)
        rank = 1 if size is None else 0 if size < 10 else 1 if size < 50 else 2
        return same[min(rank, len(same) - 1)].name
    return None
