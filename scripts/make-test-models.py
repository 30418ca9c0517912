#!/usr/bin/env python3
"""Generate the small ONNX test models in __tests__/fixtures/models/.

Deterministic: every tensor comes from a fixed numpy seed, no timestamps or
paths are embedded, so re-running the script reproduces identical bytes.

Requirements: the `onnx` and `numpy` Python packages (developed against
onnx 1.12 / numpy 1.24, e.g. Debian's python3-onnx). Run from anywhere:

    python3 scripts/make-test-models.py

See __tests__/fixtures/models/README.md for what each model exercises.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "__tests__", "fixtures", "models")

PRODUCER = "model-convert test fixtures"
PRODUCER_VERSION = "1"

F = TensorProto.FLOAT
I64 = TensorProto.INT64


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def rng(seed):
    return np.random.RandomState(seed)


def randf(r, *shape, scale=0.5):
    return (r.standard_normal(shape) * scale).astype(np.float32)


def raw(name, arr):
    """Tensor with its bytes in raw_data."""
    return numpy_helper.from_array(np.ascontiguousarray(arr), name)


def typed(name, arr):
    """Tensor with values in the typed repeated field (float_data, int64_data,
    int32_data, ...) instead of raw_data.  float16/bool/uint8/int32 go into
    int32_data, as the ONNX spec prescribes."""
    arr = np.ascontiguousarray(arr)
    t = TensorProto()
    t.name = name
    t.dims.extend(arr.shape)
    flat = arr.reshape(-1)
    if arr.dtype == np.float32:
        t.data_type = TensorProto.FLOAT
        t.float_data.extend(flat.tolist())
    elif arr.dtype == np.int64:
        t.data_type = TensorProto.INT64
        t.int64_data.extend(flat.tolist())
    elif arr.dtype == np.int32:
        t.data_type = TensorProto.INT32
        t.int32_data.extend(flat.tolist())
    elif arr.dtype == np.float16:
        t.data_type = TensorProto.FLOAT16
        t.int32_data.extend(flat.view(np.uint16).astype(np.int32).tolist())
    elif arr.dtype == np.bool_:
        t.data_type = TensorProto.BOOL
        t.int32_data.extend(flat.astype(np.int32).tolist())
    elif arr.dtype == np.uint8:
        t.data_type = TensorProto.UINT8
        t.int32_data.extend(flat.astype(np.int32).tolist())
    else:
        raise TypeError(f"unsupported dtype {arr.dtype}")
    assert not t.HasField("raw_data")
    # round-trip sanity check
    assert np.array_equal(numpy_helper.to_array(t), arr), name
    return t


def const_node(out, tensor, doc=None):
    n = helper.make_node("Constant", [], [out], name=f"const_{out}", value=tensor)
    if doc:
        n.doc_string = doc
    return n


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def model(graph, opset, ir_version, extra_opsets=(), functions=None):
    opsets = [helper.make_opsetid("", opset)]
    opsets += [helper.make_opsetid(d, v) for d, v in extra_opsets]
    kw = {}
    if functions:
        kw["functions"] = functions
    m = helper.make_model(
        graph,
        opset_imports=opsets,
        producer_name=PRODUCER,
        producer_version=PRODUCER_VERSION,
        **kw,
    )
    m.ir_version = ir_version
    return m


def check(m, name, full=True):
    try:
        onnx.checker.check_model(m, full_check=full)
        mode = "full_check" if full else "check"
    except Exception as e:  # pragma: no cover - reported, then fall back
        if not full:
            raise
        print(f"  {name}: full_check failed ({e}); retrying without", file=sys.stderr)
        onnx.checker.check_model(m)
        mode = "check"
    return mode


def save(m, rel, full=True):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = check(m, rel, full)
    onnx.save_model(m, path)
    print(f"  wrote {rel} ({os.path.getsize(path)} bytes, opset "
          f"{m.opset_import[0].version}, ir {m.ir_version}, {mode})")
    return path


# --------------------------------------------------------------------------
# 1. opset 9, weights in Constant nodes
# --------------------------------------------------------------------------

def make_opset9_constants():
    r = rng(1)
    w1 = randf(r, 16, 8)   # Gemm transB=1: B is [N, K]
    b1 = randf(r, 16, scale=0.1)
    w2 = randf(r, 16, 4)
    b2 = randf(r, 4, scale=0.1)
    nodes = [
        const_node("W1", raw("W1", w1)),
        const_node("B1", raw("B1", b1)),
        const_node("W2", raw("W2", w2)),
        # value held in float_data (typed field), not raw_data
        const_node("B2", typed("B2", b2), doc="Constant whose value uses float_data"),
        helper.make_node("Gemm", ["x", "W1", "B1"], ["h1"], name="gemm1",
                         alpha=1.0, beta=1.0, transB=1),
        helper.make_node("Relu", ["h1"], ["h1r"], name="relu1"),
        helper.make_node("MatMul", ["h1r", "W2"], ["h2"], name="matmul2"),
        helper.make_node("Add", ["h2", "B2"], ["h2b"], name="add2"),
        helper.make_node("Sigmoid", ["h2b"], ["y"], name="sigmoid"),
    ]
    g = helper.make_graph(nodes, "opset9_constants",
                          [vi("x", F, ["batch", 8])], [vi("y", F, ["batch", 4])])
    return model(g, opset=9, ir_version=4)


# --------------------------------------------------------------------------
# 2. opset 11 CNN
# --------------------------------------------------------------------------

def make_opset11_conv():
    r = rng(2)
    conv_w = randf(r, 4, 3, 3, 3)
    conv_b = randf(r, 4, scale=0.1)
    bn_scale = (1.0 + randf(r, 4, scale=0.1)).astype(np.float32)
    bn_bias = randf(r, 4, scale=0.1)
    bn_mean = randf(r, 4, scale=0.1)
    bn_var = (0.5 + np.abs(randf(r, 4))).astype(np.float32)
    fc_w = randf(r, 64, 5, scale=0.2)
    fc_b = randf(r, 5, scale=0.1)
    inits = [
        raw("conv.weight", conv_w),          # raw_data
        typed("conv.bias", conv_b),          # float_data
        raw("bn.scale", bn_scale),
        typed("bn.bias", bn_bias),
        raw("bn.mean", bn_mean),
        typed("bn.var", bn_var),
        raw("fc.weight", fc_w),
        typed("fc.bias", fc_b),
        typed("out_shape", np.array([-1, 5], dtype=np.int64)),  # int64_data
    ]
    nodes = [
        helper.make_node("Conv", ["x", "conv.weight", "conv.bias"], ["c"], name="conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("BatchNormalization",
                         ["c", "bn.scale", "bn.bias", "bn.mean", "bn.var"], ["bn"],
                         name="bn", epsilon=1e-5),
        helper.make_node("Relu", ["bn"], ["r"], name="relu"),
        helper.make_node("MaxPool", ["r"], ["p"], name="pool",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"], name="flatten", axis=1),
        helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["logits0"], name="fc"),
        helper.make_node("Reshape", ["logits0", "out_shape"], ["logits"], name="reshape"),
        helper.make_node("Softmax", ["logits"], ["probs"], name="softmax", axis=1),
    ]
    g = helper.make_graph(nodes, "opset11_conv",
                          [vi("x", F, ["batch", 3, 8, 8])],
                          [vi("probs", F, ["batch", 5])], initializer=inits)
    return model(g, opset=11, ir_version=6)


# --------------------------------------------------------------------------
# 3. If with subgraphs using outer-scope initializers
# --------------------------------------------------------------------------

def make_if_subgraph():
    r = rng(3)
    w_then = randf(r, 4, 3)
    b_then = randf(r, 3, scale=0.1)
    w_else = randf(r, 4, 3)
    s_else = np.array([2.0], dtype=np.float32)
    inits = [
        raw("zero", np.array(0.0, dtype=np.float32)),
        raw("W_then", w_then),
        raw("b_then", b_then),
        raw("W_else", w_else),
        raw("s_else", s_else),
    ]
    then_g = helper.make_graph(
        [
            helper.make_node("MatMul", ["x", "W_then"], ["t_mm"], name="then_matmul"),
            helper.make_node("Add", ["t_mm", "b_then"], ["t_add"], name="then_add"),
            helper.make_node("Relu", ["t_add"], ["t_out"], name="then_relu"),
        ],
        "then_branch", [], [vi("t_out", F, [2, 3])])
    else_g = helper.make_graph(
        [
            helper.make_node("MatMul", ["x", "W_else"], ["e_mm"], name="else_matmul"),
            helper.make_node("Tanh", ["e_mm"], ["e_tanh"], name="else_tanh"),
            helper.make_node("Mul", ["e_tanh", "s_else"], ["e_out"], name="else_scale"),
        ],
        "else_branch", [], [vi("e_out", F, [2, 3])])
    nodes = [
        helper.make_node("ReduceSum", ["x"], ["sum"], name="reduce_sum", keepdims=0),
        helper.make_node("Greater", ["sum", "zero"], ["cond"], name="greater"),
        helper.make_node("If", ["cond"], ["y"], name="if",
                         then_branch=then_g, else_branch=else_g),
    ]
    g = helper.make_graph(nodes, "if_subgraph", [vi("x", F, [2, 4])],
                          [vi("y", F, [2, 3])], initializer=inits)
    return model(g, opset=13, ir_version=7)


# --------------------------------------------------------------------------
# 4. Loop + Scan
# --------------------------------------------------------------------------

def make_loop_scan():
    r = rng(4)
    step = randf(r, 4)
    inits = [
        raw("trip_count", np.array(3, dtype=np.int64)),
        raw("step", step),
        raw("scan_init", np.zeros([4], dtype=np.float32)),
    ]
    loop_body = helper.make_graph(
        [
            helper.make_node("Identity", ["cond_in"], ["cond_out"], name="loop_cond"),
            # 'step' is an outer-scope initializer
            helper.make_node("Add", ["state_in", "step"], ["state_out"], name="loop_add"),
        ],
        "loop_body",
        [vi("iter", I64, []), vi("cond_in", TensorProto.BOOL, []),
         vi("state_in", F, ["n", 4])],
        [vi("cond_out", TensorProto.BOOL, []), vi("state_out", F, ["n", 4])])
    scan_body = helper.make_graph(
        [
            helper.make_node("Add", ["sum_in", "row"], ["sum_out"], name="scan_add"),
            helper.make_node("Identity", ["sum_out"], ["row_out"], name="scan_emit"),
        ],
        "scan_body",
        [vi("sum_in", F, [4]), vi("row", F, [4])],
        [vi("sum_out", F, [4]), vi("row_out", F, [4])])
    nodes = [
        helper.make_node("Loop", ["trip_count", "", "x"], ["loop_out"], name="loop",
                         body=loop_body),
        helper.make_node("Scan", ["scan_init", "x"], ["scan_total", "cumsum"], name="scan",
                         body=scan_body, num_scan_inputs=1,
                         scan_input_axes=[0], scan_output_axes=[0]),
    ]
    g = helper.make_graph(nodes, "loop_scan", [vi("x", F, ["n", 4])],
                          [vi("loop_out", F, ["n", 4]), vi("cumsum", F, ["n", 4])],
                          initializer=inits)
    return model(g, opset=13, ir_version=7)


# --------------------------------------------------------------------------
# 5. model-local function with attribute reference
# --------------------------------------------------------------------------

def make_local_function():
    r = rng(5)
    w = randf(r, 4, 4)
    b = randf(r, 4, scale=0.1)
    alpha_attr = helper.AttributeProto()
    alpha_attr.name = "value_float"
    alpha_attr.type = helper.AttributeProto.FLOAT
    alpha_attr.ref_attr_name = "alpha"
    fn_const = helper.make_node("Constant", [], ["alpha_t"], name="fn_alpha")
    fn_const.attribute.append(alpha_attr)
    fn_nodes = [
        fn_const,
        helper.make_node("Tanh", ["X"], ["T"], name="fn_tanh"),
        helper.make_node("Mul", ["T", "alpha_t"], ["Y"], name="fn_scale"),
    ]
    fn = helper.make_function(
        "custom.fn", "ScaledTanh", ["X"], ["Y"], fn_nodes,
        opset_imports=[helper.make_opsetid("", 17)], attributes=["alpha"])
    fn.doc_string = "ScaledTanh(X; alpha) = alpha * tanh(X)"

    def doc(n, s):
        n.doc_string = s
        return n

    nodes = [
        doc(helper.make_node("MatMul", ["x", "W"], ["h"], name="matmul"),
            "project the input"),
        doc(helper.make_node("ScaledTanh", ["h"], ["a1"], name="scaled_tanh_1",
                             domain="custom.fn", alpha=0.5),
            "first call of the local function, alpha=0.5"),
        doc(helper.make_node("Add", ["a1", "b"], ["a1b"], name="add"), "bias"),
        doc(helper.make_node("ScaledTanh", ["a1b"], ["y"], name="scaled_tanh_2",
                             domain="custom.fn", alpha=2.0),
            "second call of the local function, alpha=2.0"),
    ]
    g = helper.make_graph(nodes, "local_function", [vi("x", F, ["batch", 4])],
                          [vi("y", F, ["batch", 4])],
                          initializer=[raw("W", w), raw("b", b)],
                          doc_string="Graph calling the model-local function custom.fn::ScaledTanh twice")
    m = model(g, opset=17, ir_version=8, extra_opsets=[("custom.fn", 1)], functions=[fn])
    m.doc_string = "model-convert fixture: local FunctionProto with attribute reference"
    helper.set_model_props(m, {
        "author": "model-convert",
        "license": "MIT",
        "fixture": "local_function",
    })
    return m


# --------------------------------------------------------------------------
# 6. multiple inputs / outputs, int64 inputs
# --------------------------------------------------------------------------

def make_multi_io():
    r = rng(6)
    emb = randf(r, 50, 6)
    ws = randf(r, 6, 1)
    bs = randf(r, 1, scale=0.1)
    inits = [
        raw("embedding", emb),
        raw("unsq_axes", np.array([2], dtype=np.int64)),
        raw("seq_axes", np.array([1], dtype=np.int64)),
        raw("eps", np.array([1e-6], dtype=np.float32)),
        raw("score.weight", ws),
        raw("score.bias", bs),
    ]
    nodes = [
        helper.make_node("Gather", ["embedding", "token_ids"], ["emb"], name="gather", axis=0),
        helper.make_node("Cast", ["attention_mask"], ["mask_f"], name="cast_mask", to=F),
        helper.make_node("Unsqueeze", ["mask_f", "unsq_axes"], ["mask_3d"], name="unsqueeze"),
        helper.make_node("Mul", ["emb", "mask_3d"], ["emb_masked"], name="mask_mul"),
        helper.make_node("ReduceSum", ["emb_masked", "seq_axes"], ["emb_sum"],
                         name="sum_emb", keepdims=0),
        helper.make_node("ReduceSum", ["mask_f", "seq_axes"], ["mask_sum"],
                         name="sum_mask", keepdims=1),
        helper.make_node("Max", ["mask_sum", "eps"], ["denom"], name="clamp"),
        helper.make_node("Div", ["emb_sum", "denom"], ["emb_mean"], name="mean"),
        helper.make_node("Add", ["emb_mean", "features"], ["pooled"], name="add_features"),
        helper.make_node("MatMul", ["pooled", "score.weight"], ["s0"], name="score_mm"),
        helper.make_node("Add", ["s0", "score.bias"], ["s1"], name="score_add"),
        helper.make_node("Sigmoid", ["s1"], ["score"], name="score_sigmoid"),
    ]
    g = helper.make_graph(
        nodes, "multi_io",
        [vi("features", F, ["batch", 6]),
         vi("token_ids", I64, ["batch", "seq"]),
         vi("attention_mask", I64, ["batch", "seq"])],
        [vi("pooled", F, ["batch", 6]), vi("score", F, ["batch", 1])],
        initializer=inits)
    return model(g, opset=13, ir_version=7)


# --------------------------------------------------------------------------
# 7. external data in one file
# --------------------------------------------------------------------------

def make_external_mlp():
    r = rng(7)
    w1 = randf(r, 16, 32, scale=0.25)
    b1 = randf(r, 32, scale=0.1)
    w2 = randf(r, 32, 8, scale=0.25)
    b2 = randf(r, 8, scale=0.1)
    inits = [raw("fc1.weight", w1), raw("fc1.bias", b1),
             raw("fc2.weight", w2), raw("fc2.bias", b2)]
    nodes = [
        helper.make_node("MatMul", ["x", "fc1.weight"], ["h0"], name="fc1_mm"),
        helper.make_node("Add", ["h0", "fc1.bias"], ["h1"], name="fc1_add"),
        helper.make_node("Relu", ["h1"], ["h2"], name="relu"),
        helper.make_node("MatMul", ["h2", "fc2.weight"], ["h3"], name="fc2_mm"),
        helper.make_node("Add", ["h3", "fc2.bias"], ["y"], name="fc2_add"),
    ]
    g = helper.make_graph(nodes, "external_mlp", [vi("x", F, [1, 16])],
                          [vi("y", F, [1, 8])], initializer=inits)
    return model(g, opset=13, ir_version=7)


def save_external(m):
    d = os.path.join(OUT, "external")
    os.makedirs(d, exist_ok=True)
    mode = check(m, "external/model.onnx")
    bin_path = os.path.join(d, "weights.bin")
    # onnx appends to an existing data file: start from scratch for determinism
    if os.path.exists(bin_path):
        os.remove(bin_path)
    path = os.path.join(d, "model.onnx")
    onnx.save_model(m, path, save_as_external_data=True,
                    all_tensors_to_one_file=True, location="weights.bin",
                    size_threshold=0, convert_attribute=False)
    # check again from the path, so the external file is resolved
    onnx.checker.check_model(path)
    print(f"  wrote external/model.onnx ({os.path.getsize(path)} bytes) + "
          f"external/weights.bin ({os.path.getsize(bin_path)} bytes), "
          f"opset {m.opset_import[0].version}, ir {m.ir_version}, {mode}")
    return path


def save_traversal(src_path, rel, location):
    m = onnx.load_model(src_path, load_external_data=False)
    for t in m.graph.initializer:
        assert t.data_location == TensorProto.EXTERNAL, t.name
        for kv in t.external_data:
            if kv.key == "location":
                kv.value = location
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # no checker here: the point of these files is an invalid location
    onnx.save_model(m, path)
    print(f"  wrote {rel} ({os.path.getsize(path)} bytes, location={location!r})")


# --------------------------------------------------------------------------
# 9. every typed field
# --------------------------------------------------------------------------

def make_typed_fields():
    r = rng(9)
    inits = [
        typed("scale_f16", randf(r, 4).astype(np.float16)),                  # int32_data
        typed("offset_f32", randf(r, 4)),                                    # float_data
        typed("offset_i32", np.array([1, -2, 3, -4], dtype=np.int32)),       # int32_data
        typed("bias_u8", np.array([0, 7, 128, 255], dtype=np.uint8)),        # int32_data
        typed("u8_scale", np.array([0.01], dtype=np.float32)),               # float_data
        typed("keep_mask", np.array([True, False, True, True])),             # int32_data
        typed("perm", np.array([3, 1, 0, 2], dtype=np.int64)),               # int64_data
    ]
    nodes = [
        helper.make_node("Cast", ["scale_f16"], ["scale"], name="cast_f16", to=F),
        helper.make_node("Mul", ["scale", "x"], ["a"], name="mul_scale"),
        helper.make_node("Add", ["a", "offset_f32"], ["b"], name="add_f32"),
        helper.make_node("Cast", ["offset_i32"], ["off_i"], name="cast_i32", to=F),
        helper.make_node("Add", ["b", "off_i"], ["c"], name="add_i32"),
        helper.make_node("Cast", ["bias_u8"], ["bias_f"], name="cast_u8", to=F),
        helper.make_node("Mul", ["bias_f", "u8_scale"], ["bias_s"], name="mul_u8"),
        helper.make_node("Add", ["c", "bias_s"], ["d"], name="add_u8"),
        helper.make_node("Neg", ["d"], ["d_neg"], name="neg"),
        helper.make_node("Where", ["keep_mask", "d", "d_neg"], ["e"], name="where_bool"),
        helper.make_node("Gather", ["e", "perm"], ["y"], name="gather_i64", axis=0),
        helper.make_node("ArgMax", ["y"], ["idx"], name="argmax", axis=0, keepdims=1),
    ]
    g = helper.make_graph(nodes, "typed_fields", [vi("x", F, [4])],
                          [vi("y", F, [4]), vi("idx", I64, [1])], initializer=inits)
    return model(g, opset=13, ir_version=7)


def main():
    print(f"onnx {onnx.__version__}, numpy {np.__version__} -> {os.path.relpath(OUT, REPO)}")
    os.makedirs(OUT, exist_ok=True)
    save(make_opset9_constants(), "opset9_constants.onnx")
    save(make_opset11_conv(), "opset11_conv.onnx")
    save(make_if_subgraph(), "if_subgraph.onnx")
    save(make_loop_scan(), "loop_scan.onnx")
    save(make_local_function(), "local_function.onnx")
    save(make_multi_io(), "multi_io.onnx")
    ext = save_external(make_external_mlp())
    save_traversal(ext, "traversal/dotdot.onnx", "../weights.bin")
    save_traversal(ext, "traversal/absolute.onnx", "/etc/hostname")
    save(make_typed_fields(), "typed_fields.onnx")


if __name__ == "__main__":
    main()
