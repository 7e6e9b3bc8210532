"""Chroma persistence: the chunk collection and the document manifest.

Both live in Chroma so an embedded store and a shared ``chroma run`` server behave
the same and several workers see one truth. The manifest is a second collection
with one record per document (a JSON body, a dummy 1-d vector); a record is
written in one upsert, which is what makes a document version switch atomic:

1. upsert the new version's chunks (only ids not already stored get embedded);
2. upsert the manifest record that lists the new chunk ids (the switch);
3. delete the previous version's chunks that are no longer listed.

A crash before 2 leaves the previous version live and some unlisted chunks; a crash
after 2 leaves the new version live and some unlisted chunks. Readers only ever
show listed chunks, and :meth:`ChromaStore.reconcile` deletes unlisted ones.

Several processes (API workers) may share one Chroma server:

* **Generation token.** A record rewritten with a fresh random token after every change
  of the live set (ingest, replace, remove, status). Each process keeps an immutable view
  (manifest, live chunks, BM25 built from them) tagged with the token it was built at,
  and rebuilds it from Chroma when the stored token differs (checked at most every
  ``retrieval.reload_interval_s``). Chroma itself is the single source of truth; the
  lexical index is derived state and is never shared or persisted.
* **Writer lease.** Writers take a lease record first, so at most one process changes
  the store at a time and start-up reconciliation never deletes the unlisted chunks of a
  version another process is still writing. Chroma's ``add`` keeps an existing id
  (first writer wins) and ``delete`` takes a ``where`` filter, which together make a
  compare-and-set. A lease names its holder (host, pid, process start time) and
  expires unless renewed. A holder on this host is judged by the process table (gone:
  taken over at once; running: kept, however slow); one on another host by the expiry.
  The new holder reconciles what the previous one left.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

_GENERATION_ID = "__generation__"
_WRITER_ID = "__writer__"
_RESERVED_IDS = frozenset({_GENERATION_ID, _WRITER_ID})
_DUMMY_VECTOR = [0.0]
WRITE_BATCH = 64
"""Chunks embedded and upserted per Chroma call: the unit of progress an ingest makes."""


@dataclass(frozen=True)
class ManifestEntry:
    """One ingested document: its metadata, where it came from and which chunks are live."""

    id: str
    title: str
    doc_type: str = ""
    number: str = ""
    issuer: str = ""
    issue_date: str = ""
    references: tuple[str, ...] = ()
    status: str = "in_force"
    superseded_by: str = ""
    notes: str = ""
    source: str = ""
    sha256: str = ""
    chunks: int = 0
    ingested_at: str = ""
    chunk_ids: tuple[str, ...] = field(default=(), repr=False)

    def public(self) -> dict[str, Any]:
        """The metadata shown to users and APIs (no internal chunk id list)."""
        data = asdict(self)
        data.pop("chunk_ids")
        data["references"] = list(self.references)
        return data

    def to_json(self) -> str:
        """Serialise for the manifest collection."""
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ManifestEntry:
        """Inverse of :meth:`to_json`; unknown keys from newer versions are ignored."""
        data = json.loads(text)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["references"] = tuple(known.get("references", ()))
        known["chunk_ids"] = tuple(known.get("chunk_ids", ()))
        return cls(**known)

    def with_status(self, status: str, superseded_by: str = "") -> ManifestEntry:
        """A copy with a new validity status."""
        return replace(self, status=status, superseded_by=superseded_by)


class ChromaStore:
    """The chunk and manifest collections of one Chroma client."""

    def __init__(self, client: Any, name: str, embeddings: Embeddings, signature: str) -> None:
        self._client = client
        self._embeddings = embeddings
        self.chunks = client.get_or_create_collection(
            f"{name}_chunks",
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedding": signature},
            # We always pass vectors; None stops Chroma from loading its own model.
            embedding_function=None,
        )
        stored = (self.chunks.metadata or {}).get("embedding")
        if stored and stored != signature:
            raise RuntimeError(
                f"The index was built with embeddings {stored!r}, not {signature!r}. "
                f"Use another PAPI_DATA_DIR/PAPI_COLLECTION or delete the index to rebuild it."
            )
        self.manifest = client.get_or_create_collection(f"{name}_manifest", embedding_function=None)
        self._max_batch = max(100, min(int(client.get_max_batch_size()), 5000))

    # -- manifest -----------------------------------------------------------------------

    def entries(self) -> dict[str, ManifestEntry]:
        """Every document in the manifest, by id."""
        got = self.manifest.get(include=["documents"])
        return {
            rid: ManifestEntry.from_json(doc)
            for rid, doc in zip(got["ids"], got["documents"] or [], strict=True)
            if rid not in _RESERVED_IDS
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
        """The token that changes whenever the live set of chunks changes."""
        got = self.manifest.get(ids=[_GENERATION_ID], include=["documents"])
        docs = got.get("documents") or []
        return docs[0] if docs else ""

    def bump_generation(self) -> str:
        """Record that the live set changed; other processes reload on their next read."""
        token = uuid.uuid4().hex
        self.manifest.upsert(ids=[_GENERATION_ID], documents=[token], embeddings=[_DUMMY_VECTOR])
        return token

    # -- writer lease -------------------------------------------------------------------

    def try_acquire_writer(self, owner: str, ttl_s: float) -> tuple[bool, bool]:
        """Try once to become the only writer: (acquired, took over a dead holder's lease).

        A process that took over a dead or expired holder's lease should reconcile,
        since that holder may have left unlisted chunks.
        """
        took_over = False
        for _ in range(3):
            record = json.dumps(_holder(owner, ttl_s))
            # add() keeps an existing id, so of several concurrent adds exactly one wins.
            self.manifest.add(
                ids=[_WRITER_ID],
                documents=[record],
                metadatas=[{"owner": owner}],
                embeddings=[_DUMMY_VECTOR],
            )
            holder = self._writer()
            if holder is None:
                continue  # released between our add and get: try again
            if holder.get("owner") == owner:
                return True, took_over
            if _alive(holder):
                return False, False
            # Delete only that stale holder's record (never a fresh one another process added).
            self.manifest.delete(ids=[_WRITER_ID], where={"owner": str(holder.get("owner"))})
            took_over = True
        return False, False

    def renew_writer(self, owner: str, ttl_s: float) -> None:
        """Extend our lease (long ingests call this between batches)."""
        holder = self._writer()
        if holder is not None and holder.get("owner") == owner:
            self.manifest.upsert(
                ids=[_WRITER_ID],
                documents=[json.dumps(_holder(owner, ttl_s))],
                metadatas=[{"owner": owner}],
                embeddings=[_DUMMY_VECTOR],
            )

    def release_writer(self, owner: str) -> None:
        """Give the lease up (only if we still hold it)."""
        self.manifest.delete(ids=[_WRITER_ID], where={"owner": owner})

    def _writer(self) -> dict[str, Any] | None:
        got = self.manifest.get(ids=[_WRITER_ID], include=["documents"])
        docs = got.get("documents") or []
        if not docs or not docs[0]:
            return None
        try:
            holder = json.loads(docs[0])
        except ValueError:
            return {"owner": "?", "expires": 0.0}  # unreadable: treat as stale
        return holder if isinstance(holder, dict) else {"owner": "?", "expires": 0.0}

    # -- chunks -------------------------------------------------------------------------

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of *ids* are already stored (and so need no embedding)."""
        found: set[str] = set()
        for batch in _batches(ids, self._max_batch):
            found.update(self.chunks.get(ids=list(batch), include=[])["ids"])
        return found

    def add_chunks(
        self,
        chunks: Sequence[Document],
        embed_texts: Sequence[str],
        on_batch: Callable[[], None] | None = None,
    ) -> int:
        """Store *chunks* not yet present, embedding *embed_texts* (parallel list). Returns count.

        *on_batch* runs after each stored batch (a writer renews its lease there).
        """
        present = self.existing_ids([c.id or "" for c in chunks])
        todo = [(c, t) for c, t in zip(chunks, embed_texts, strict=True) if c.id not in present]
        for batch in _batches(todo, WRITE_BATCH):
            vectors = self._embeddings.embed_documents([t for _, t in batch])
            self.chunks.upsert(
                ids=[c.id or "" for c, _ in batch],
                documents=[c.page_content for c, _ in batch],
                metadatas=[_scalar_metadata(c.metadata) for c, _ in batch],
                embeddings=vectors,
            )
            if on_batch is not None:
                on_batch()
        return len(todo)

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


def _holder(owner: str, ttl_s: float) -> dict[str, Any]:
    """Who holds the writer lease, and until when (wall clock: processes compare it)."""
    pid = os.getpid()
    return {
        "owner": owner,
        "host": socket.gethostname(),
        "pid": pid,
        "started": _process_start(pid),
        "expires": time.time() + ttl_s,
    }


def _process_start(pid: int) -> float:
    import psutil

    try:
        return float(psutil.Process(pid).create_time())
    except psutil.Error:
        return 0.0


def _alive(holder: dict[str, Any]) -> bool:
    """Whether a lease's holder may still be writing.

    On this host the process table decides (a slow but running writer keeps its lease even
    past the expiry; a dead one loses it at once); for another host only the expiry can tell.
    """
    if holder.get("host") != socket.gethostname():
        return float(holder.get("expires", 0.0)) >= time.time()
    pid = int(holder.get("pid", 0))
    # A reused pid is another process: compare start times too.
    started = _process_start(pid) if pid > 0 else 0.0
    return started > 0 and abs(started - float(holder.get("started", 0.0))) < 1.0


def _scalar_metadata(meta: dict[str, Any]) -> dict[str, Any]:
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
