"""Reference models, input synthesis, INT8 and model-file checks, with real onnxruntime."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, numpy_helper

from latency_advisor.bench.inputs import InputError, needs_value_hint, plan_inputs, synthesize
from latency_advisor.bench.modelfile import ModelFileError, read_model
from latency_advisor.bench.refmodels import REFERENCE_MODELS
from latency_advisor.bench.variants import Variant, default_grid, make_session, prepare_model
from tests import bench_models as bm


def _session(model: onnx.ModelProto) -> ort.InferenceSession:
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


@pytest.mark.parametrize("name", [n for n in REFERENCE_MODELS if n.endswith("-s")])
def test_small_reference_models_run(name):
    model = REFERENCE_MODELS[name].build()
    session = _session(model)
    specs = plan_inputs(session.get_inputs(), {}, {})
    assert specs[0].shape[0] == 1 and specs[0].batch_axis_dynamic
    (out,) = session.run(None, synthesize(specs))
    assert out.shape[0] == 1 and np.isfinite(out).all() and np.abs(out).max() > 0


def test_reference_models_come_in_three_sizes_per_family():
    families = {}
    for ref in REFERENCE_MODELS.values():
        families.setdefault(ref.family, []).append(ref.name)
    assert set(families) == {"mlp", "transformer_encoder", "cnn"}
    assert all(len(names) == 3 for names in families.values())


def test_reference_builds_are_identical():
    a = REFERENCE_MODELS["mlp-s"].build().SerializeToString()
    assert a == REFERENCE_MODELS["mlp-s"].build().SerializeToString()


@pytest.mark.parametrize(
    "elem",
    [
        TensorProto.FLOAT,
        TensorProto.DOUBLE,
        TensorProto.FLOAT16,
        TensorProto.INT8,
        TensorProto.UINT8,
        TensorProto.INT16,
        TensorProto.INT32,
        TensorProto.INT64,
        TensorProto.BOOL,
        TensorProto.STRING,
    ],
)
def test_inputs_are_synthesized_for_every_common_dtype(elem):
    session = _session(bm.identity_model(elem, ["batch", "seq"]))
    specs = plan_inputs(session.get_inputs(), {}, {})
    assert specs[0].shape == (1, 128)  # batch 1, a sequence-like default
    feeds = synthesize(specs)
    (out,) = session.run(None, feeds)
    assert out.shape == (1, 128)
    if np.issubdtype(out.dtype, np.integer):
        assert out.min() >= 0 and out.max() < 8  # small non-negative: indices stay valid


def test_image_like_defaults_and_shape_override():
    session = _session(bm.identity_model(TensorProto.FLOAT, ["N", "C", "H", "W"]))
    (spec,) = plan_inputs(session.get_inputs(), {}, {})
    assert spec.shape == (1, 3, 224, 224)
    (spec,) = plan_inputs(session.get_inputs(), {"x": "2,1,32,48"}, {"x": "0.5"})
    assert spec.shape == (2, 1, 32, 48) and spec.fill == "constant 0.5"
    assert (synthesize([spec])["x"] == 0.5).all()


@pytest.mark.parametrize(
    ("shapes", "values", "needle"),
    [
        ({"nope": "1,2"}, {}, "no input named 'nope'; its inputs are x"),
        ({"x": "1,2,3"}, {}, "the input has 2 dimensions"),
        ({"x": "1,a"}, {}, "expected non-negative integers"),
        ({}, {"x": "fast"}, "--value x=fast: expected a number"),
    ],
)
def test_bad_overrides_name_the_input_and_option(shapes, values, needle):
    session = _session(bm.identity_model(TensorProto.FLOAT, ["batch", 4]))
    with pytest.raises(InputError, match=needle.replace("(", r"\(")):
        plan_inputs(session.get_inputs(), shapes, values)


def test_a_model_needing_a_specific_value_gets_a_hint_then_runs_with_it():
    session = _session(bm.gather_model(table_size=4))
    specs = plan_inputs(session.get_inputs(), {}, {})
    feeds = synthesize(specs, seed=0)
    feeds["index"][...] = 7  # what an unlucky draw gives: out of the table's range
    with pytest.raises(Exception) as info:
        session.run(None, feeds)
    hint = needs_value_hint(specs, str(info.value))
    assert "input 'index'" in hint and "--value index=NUMBER" in hint
    fixed = plan_inputs(session.get_inputs(), {}, {"index": "2"})
    assert session.run(None, synthesize(fixed))[0].tolist() == [2.0]


def test_int8_really_quantizes(tmp_path):
    path = tmp_path / "mlp.onnx"
    onnx.save(REFERENCE_MODELS["mlp-s"].build(), str(path))
    variant = Variant(precision="int8", quantization="dynamic-per-channel", lever="q")
    qpath = prepare_model(variant, path, tmp_path)
    quantized = onnx.load(str(qpath))
    ops = {n.op_type for n in quantized.graph.node}
    assert "MatMulInteger" in ops and "DynamicQuantizeLinear" in ops
    int8_weights = [t for t in quantized.graph.initializer if t.data_type == TensorProto.INT8]
    assert int8_weights and qpath.stat().st_size < path.stat().st_size / 2
    x = {"input": np.random.default_rng(0).random((4, 128), dtype=np.float32)}
    ref = make_session(Variant(), path, cores=1).run(None, x)[0]
    got = make_session(variant, qpath, cores=1).run(None, x)[0]
    diff = np.abs(ref - got).max()
    assert 0 < diff < 0.05 * np.abs(ref).max()  # changed, as quantization does, but close


def test_default_grid_moves_one_lever_at_a_time():
    grid = default_grid(cores=2, vnni=False, batch_dynamic=True)
    base = grid[0]
    assert base == Variant()
    assert {v.lever for v in grid[1:]} >= {
        "threads",
        "graph_optimization",
        "quantization_int8",
        "fp16",
        "dynamic_batching",
    }
    assert all(v.reduce_range for v in grid if v.precision == "int8")  # no VNNI
    assert not any(v.reduce_range for v in default_grid(2, vnni=True, batch_dynamic=False))
    assert len({v.name for v in grid}) == len(grid)
    quick = default_grid(cores=2, vnni=True, batch_dynamic=True, quick=True)
    assert len(quick) <= 4 and quick[0] == base


def test_truncated_and_garbage_files_are_refused(tmp_path):
    good = bm.save(REFERENCE_MODELS["mlp-s"].build(), tmp_path / "good.onnx")
    truncated = tmp_path / "truncated.onnx"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(np.random.default_rng(0).bytes(4096))
    read_model(good)
    for path in (truncated, garbage):
        with pytest.raises(ModelFileError, match="not a valid ONNX model"):
            read_model(path)


@pytest.mark.parametrize("location", ["../outside.bin", "/etc/passwd", "sub/../../x.bin"])
def test_external_data_outside_the_folder_is_refused(tmp_path, location):
    folder = tmp_path / "model"
    folder.mkdir()
    (tmp_path / "outside.bin").write_bytes(b"\0" * 64)
    path = bm.save(bm.external_data_model(location), folder / "m.onnx")
    with pytest.raises(ModelFileError, match="refusing to load it"):
        read_model(path)


def test_external_data_symlink_out_of_the_folder_is_refused(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (tmp_path / "secret.bin").write_bytes(b"\0" * 64)
    (folder / "w.bin").symlink_to(tmp_path / "secret.bin")
    path = bm.save(bm.external_data_model("w.bin"), folder / "m.onnx")
    with pytest.raises(ModelFileError, match="outside the model's folder"):
        read_model(path)


def test_external_data_inside_the_folder_is_fine(tmp_path):
    (tmp_path / "w.bin").write_bytes(np.ones(16, dtype=np.float32).tobytes())
    path = bm.save(bm.external_data_model("w.bin"), tmp_path / "m.onnx")
    read_model(path)
    out = ort.InferenceSession(str(path)).run(None, {"x": np.ones((1, 4), np.float32)})[0]
    assert out.tolist() == [[4.0] * 4]


def test_model_paths_are_plain_files(tmp_path: Path):
    with pytest.raises(ModelFileError, match="no such model file"):
        read_model(tmp_path / "missing.onnx")
    empty = tmp_path / "empty.onnx"
    empty.write_bytes(b"")
    with pytest.raises(ModelFileError, match="empty"):
        read_model(empty)


@pytest.mark.parametrize(
    ("quantization", "reduce_range"),
    [("dynamic-per-tensor", False), ("dynamic-per-channel", False), ("dynamic-per-channel", True)],
)
def test_int8_granularity_and_reduce_range_reach_the_weights(tmp_path, quantization, reduce_range):
    path = tmp_path / "mlp.onnx"
    onnx.save(REFERENCE_MODELS["mlp-s"].build(), str(path))
    variant = Variant(precision="int8", quantization=quantization, reduce_range=reduce_range)
    quantized = onnx.load(str(prepare_model(variant, path, tmp_path)))
    tensors = {t.name: numpy_helper.to_array(t) for t in quantized.graph.initializer}
    weights = [a for a in tensors.values() if a.dtype == np.int8 and a.ndim == 2]
    scales = [a for n, a in tensors.items() if n.endswith("_scale") and a.dtype == np.float32]
    assert weights and scales
    if quantization == "dynamic-per-channel":
        assert any(s.ndim == 1 and s.size > 1 for s in scales)  # one scale per output column
    else:
        assert all(s.size == 1 for s in scales)
    span = max(int(np.abs(w.astype(np.int32)).max()) for w in weights)
    assert span <= 64 if reduce_range else span > 64  # 7-bit weights where VNNI is missing
