"""Chroma persistence: the chunk collection and the document manifest.

Both live in Chroma so an embedded store and a shared ``chroma run`` server behave
the same and several workers see one truth. The manifest is a second collection
with one record per document (a JSON body, a dummy 1-d vector); a record is
written in one upsert, which is what makes a document version switch atomic:

1. upsert the new version's chunks (embedded beforehand, outside the writer lease);
2. upsert the manifest record that lists the new chunk ids (the switch), and bump the
   generation token;
3. delete the previous version's chunks that are no longer listed.

A crash before 2 leaves the previous version live and some unlisted chunks; a crash
after 2 leaves the new version live and some unlisted chunks. Readers only ever
show listed chunks, and :meth:`ChromaStore.reconcile` deletes unlisted ones.

Chunk ids are versioned: they hash the chunk's text *and* its metadata (position,
title, section…), so a revised document gets new ids for every passage whose metadata
changed and the old version stays intact until the switch. A passage whose embedded
text did not change reuses its stored vector (``embed_key``), so nothing is embedded
twice.

Several processes (API workers) may share one Chroma server:

* **Generation token.** A record rewritten with a fresh random token whenever what
  readers may see changes (each document switch, removal, status change, and a
  reconciliation that deleted anything). Each process keeps an immutable snapshot tagged
  with the token it was built at and updates it when the stored token differs.
* **Writer lease** with fencing: :mod:`assistant.storage.lease`.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from langchain_core.documents import Document

from assistant.storage.lease import LEASE_PREFIX, Holder, WriterLease
from assistant.storage.manifest import ManifestEntry

_GENERATION_ID = "__generation__"
_DUMMY_VECTOR = [0.0]
WRITE_BATCH = 64
"""Chunks embedded and upserted per Chroma call: the unit of progress an ingest makes."""

EF_SEARCH = 400
HNSW: dict[str, str | int] = {
    "space": "cosine",
    "ef_construction": 400,
    "ef_search": EF_SEARCH,
    "max_neighbors": 32,
}
"""The chunk collection's HNSW graph. With Chroma's defaults (100 / 100 / 16) the exact
nearest passage was missing from a search's 56 candidates for 15 of 475 evaluation
questions on the shipped library (4,114 passages; e5 cosines all sit near 0.85, and many
passages are twins: a law and its pháp điển copy), and 0.65 of the exact top 40 per
question; with these, 1 and 0.01, for 0.8 s more build time and 0.5 ms more a query
(``scripts/bench_dense_recall.py``; the graph is built in parallel, so runs vary by one)."""


def embed_key(text: str) -> str:
    """A short hash of the exact text that was embedded (to reuse its vector)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


class ChromaStore:
    """The chunk and manifest collections of one Chroma client."""

    def __init__(self, client: Any, name: str, signature: str) -> None:
        self._client = client
        self.signature = signature
        self.chunks = client.get_or_create_collection(
            f"{name}_chunks",
            configuration={"hnsw": dict(HNSW)},
            metadata={"embedding": signature},
            # We always pass vectors; None stops Chroma from loading its own model.
            embedding_function=None,
        )
        self._widen_search()
        stored = (self.chunks.metadata or {}).get("embedding")
        if stored and stored != signature:
            raise RuntimeError(
                f"Chỉ mục được lập bằng mô hình nhúng {stored!r}, không phải {signature!r}; "
                f"hãy lập lại chỉ mục / the index was built with embeddings {stored!r}, not "
                f"{signature!r}: point PAPI_DATA_DIR (or PAPI_COLLECTION) at a new index and "
                f"run `papi ingest` to re-embed, or delete the index to rebuild it."
            )
        self.manifest = client.get_or_create_collection(f"{name}_manifest", embedding_function=None)
        self.lease = WriterLease(self.manifest)
        self._max_batch = max(100, min(int(client.get_max_batch_size()), 5000))

    def _widen_search(self) -> None:
        """Raise an older collection's ``ef_search`` to :data:`HNSW`'s.

        Chroma keeps the configuration a collection was created with (its graph's build
        parameters cannot change), but the search breadth can: an index built before
        :data:`HNSW` then finds nearly all exact neighbours too (3 of 475 questions
        lost their best passage instead of 15).
        """
        hnsw = (getattr(self.chunks, "configuration_json", None) or {}).get("hnsw") or {}
        if int(hnsw.get("ef_search") or 0) < EF_SEARCH:
            self.chunks.modify(configuration={"hnsw": {"ef_search": EF_SEARCH}})

    # -- manifest -----------------------------------------------------------------------

    def entries(self) -> dict[str, ManifestEntry]:
        """Every document in the manifest, by id."""
        got = self.manifest.get(include=["documents"])
        return {
            rid: ManifestEntry.from_json(doc)
            for rid, doc in zip(got["ids"], got["documents"] or [], strict=True)
            if not rid.startswith("__")
        }

    def put_entry(self, entry: ManifestEntry) -> None:
        """Write one manifest record (the atomic switch to a new version)."""
        self.manifest.upsert(
            ids=[entry.id], documents=[entry.to_json()], embeddings=[_DUMMY_VECTOR]
        )

    def delete_entry(self, document_id: str) -> None:
        """Remove a document from the manifest; its chunks become unlisted."""
        self.manifest.delete(ids=[document_id])

    def generation(self) -> str:
        """The token that changes whenever what readers may see changes."""
        got = self.manifest.get(ids=[_GENERATION_ID], include=["documents"])
        docs = got.get("documents") or []
        return docs[0] if docs else ""

    def bump_generation(self) -> str:
        """Record that the live set changed; other processes reload on their next check."""
        token = uuid.uuid4().hex
        self.manifest.upsert(ids=[_GENERATION_ID], documents=[token], embeddings=[_DUMMY_VECTOR])
        return token

    # -- writer lease (thin wrappers kept for tools and tests) --------------------------

    def try_acquire_writer(self, owner: str, ttl_s: float) -> tuple[bool, bool]:
        """Try once to become the only writer: (acquired, took over another holder)."""
        holder, took_over = self.lease.try_acquire(owner, ttl_s)
        return holder is not None, took_over

    def release_writer(self, owner: str) -> None:
        """Give the lease up (only what *owner* holds)."""
        self.lease.release(owner)

    def writer(self) -> Holder | None:
        """The current lease holder, or None."""
        return self.lease.current()

    # -- chunks -------------------------------------------------------------------------

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of *ids* are already stored (and so need no embedding)."""
        found: set[str] = set()
        for batch in _batches(ids, self._max_batch):
            found.update(self.chunks.get(ids=list(batch), include=[])["ids"])
        return found

    def stored_vectors(self, keys: Sequence[str]) -> dict[str, list[float]]:
        """Vectors already stored for these ``embed_key`` values (reused, not re-embedded)."""
        out: dict[str, list[float]] = {}
        for batch in _batches(sorted(set(keys)), self._max_batch):
            got = self.chunks.get(
                where={"embed_key": {"$in": list(batch)}}, include=["embeddings", "metadatas"]
            )
            vectors = got.get("embeddings")
            if vectors is None:
                continue
            for meta, vector in zip(got["metadatas"] or [], vectors, strict=True):
                key = str((meta or {}).get("embed_key", ""))
                if key and key not in out:
                    out[key] = [float(x) for x in vector]
        return out

    def put_chunks(self, chunks: Sequence[Document], vectors: Sequence[Sequence[float]]) -> None:
        """Upsert *chunks* with their vectors (their metadata must carry ``embed_key``)."""
        pairs = list(zip(chunks, vectors, strict=True))
        for batch in _batches(pairs, WRITE_BATCH):
            self.chunks.upsert(
                ids=[c.id or "" for c, _ in batch],
                documents=[c.page_content for c, _ in batch],
                metadatas=[scalar_metadata(c.metadata) for c, _ in batch],
                embeddings=[list(v) for _, v in batch],
            )

    def delete_chunks(self, ids: Iterable[str]) -> None:
        """Delete chunks by id."""
        for batch in _batches(list(ids), self._max_batch):
            self.chunks.delete(ids=list(batch))

    def load_chunks(self, ids: Sequence[str]) -> list[Document]:
        """Fetch stored chunks by id, in no particular order."""
        out: list[Document] = []
        for batch in _batches(ids, self._max_batch):
            got = self.chunks.get(ids=list(batch), include=["documents", "metadatas"])
            for cid, text, meta in zip(
                got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True
            ):
                out.append(Document(id=cid, page_content=text or "", metadata=dict(meta or {})))
        return out

    def all_chunk_ids(self) -> list[str]:
        """Every stored chunk id, listed or not."""
        ids: list[str] = []
        offset = 0
        while True:
            got = self.chunks.get(include=[], limit=self._max_batch, offset=offset)
            ids.extend(got["ids"])
            if len(got["ids"]) < self._max_batch:
                return ids
            offset += self._max_batch

    def dense_query(
        self, vector: list[float], n: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """Nearest chunk ids with cosine similarity, best first."""
        total = self.chunks.count()
        if total == 0:
            return []
        got = self.chunks.query(
            query_embeddings=[vector],
            n_results=min(n, total),
            where=where or None,
            include=["distances"],
        )
        ids = got["ids"][0]
        distances = (got.get("distances") or [[]])[0]
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, distances, strict=True)]

    def reconcile(self, entries: dict[str, ManifestEntry]) -> int:
        """Delete chunks no manifest entry lists (left by a crash). Returns how many."""
        listed = {cid for e in entries.values() for cid in e.chunk_ids}
        orphans = [cid for cid in self.all_chunk_ids() if cid not in listed]
        self.delete_chunks(orphans)
        return len(orphans)


def scalar_metadata(meta: dict[str, Any]) -> dict[str, Any]:
    """Chroma takes str/int/float/bool only; drop None and join sequences."""
    out: dict[str, Any] = {}
    for key, value in meta.items():
        if value is None:
            continue
        if isinstance(value, list | tuple | set):
            out[key] = ",".join(str(v) for v in value)
        else:
            out[key] = value
    return out


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


__all__ = ["LEASE_PREFIX", "WRITE_BATCH", "ChromaStore", "ManifestEntry", "embed_key"]
