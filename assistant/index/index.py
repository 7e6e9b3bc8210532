"""The searchable index: ingest into Chroma, keep a consistent view, hybrid search.

Readers work on an immutable :class:`IndexView` (manifest, live chunks, BM25) that is
swapped in whole after each change, so a question asked during a re-ingest sees
either the previous or the new version of a document, never a mix.

Several processes (``papi serve --workers N`` on one Chroma server) stay consistent
because the view is derived state: a process that finds the store's generation token
changed (checked at most every ``reload_interval_s``) rebuilds its view, BM25 included,
from Chroma. Writes take the store's writer lease, so one process writes at a time
(see :mod:`assistant.storage.chroma`).
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Literal

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from assistant.index.lexical import BM25Index
from assistant.index.restorer import DiacriticRestorer
from assistant.storage.chroma import ChromaStore, ManifestEntry
from ingest import (
    IngestError,
    ParsedDocument,
    default_document_id,
    discover,
    parse_bytes,
    parse_file,
)
from vntext.normalize import canonical_tones, clean_text

IngestStatus = Literal["added", "unchanged", "replaced", "failed"]


@dataclass(frozen=True)
class IngestResult:
    """What happened to one file."""

    source: str
    status: IngestStatus
    document_id: str = ""
    title: str = ""
    chunks: int = 0
    embedded: int = 0
    reason: str = ""


@dataclass
class IngestReport:
    """Per-file results of one ingest run."""

    results: list[IngestResult] = field(default_factory=list)

    @property
    def failed(self) -> list[IngestResult]:
        """Files that could not be ingested."""
        return [r for r in self.results if r.status == "failed"]

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return not self.failed

    def counts(self) -> dict[str, int]:
        """How many files ended in each status."""
        out = {"added": 0, "unchanged": 0, "replaced": 0, "failed": 0}
        for r in self.results:
            out[r.status] += 1
        return out


@dataclass(frozen=True)
class SearchFilters:
    """Restrict a search to some documents and/or PAPI dimensions."""

    documents: tuple[str, ...] = ()
    dimensions: tuple[int, ...] = ()

    @classmethod
    def of(cls, data: dict[str, Any] | SearchFilters | None) -> SearchFilters:
        """Build from an API/CLI dict such as ``{"documents": [...], "dimensions": [4]}``."""
        if data is None:
            return cls()
        if isinstance(data, SearchFilters):
            return data
        return cls(
            documents=tuple(str(d) for d in data.get("documents") or ()),
            dimensions=tuple(int(d) for d in data.get("dimensions") or ()),
        )


@dataclass(frozen=True)
class SearchHit:
    """One retrieved passage. ``text`` is exactly the stored passage shown to users."""

    rank: int
    score: float
    chunk_id: str
    text: str
    document_id: str
    title: str
    number: str
    section: str
    section_ref: str
    doc_type: str
    dense_score: float | None
    lexical_score: float | None
    metadata: dict[str, Any]

    @classmethod
    def from_chunk(
        cls,
        chunk: Document,
        rank: int,
        score: float,
        *,
        dense: float | None = None,
        lexical: float | None = None,
    ) -> SearchHit:
        """A hit for a stored chunk, its display fields read from the chunk's metadata."""
        meta = chunk.metadata
        return cls(
            rank=rank,
            score=score,
            chunk_id=chunk.id or "",
            text=chunk.page_content,
            document_id=str(meta.get("document_id", "")),
            title=str(meta.get("title", "")),
            number=str(meta.get("number", "")),
            section=str(meta.get("section", "")),
            section_ref=str(meta.get("section_ref", "")),
            doc_type=str(meta.get("doc_type", "")),
            dense_score=dense,
            lexical_score=lexical,
            metadata=dict(meta),
        )

    def as_dict(self) -> dict[str, Any]:
        """The public JSON shape of a hit."""
        return {
            "rank": self.rank,
            "score": round(self.score, 6),
            "text": self.text,
            "document_id": self.document_id,
            "title": self.title,
            "number": self.number,
            "section": self.section,
            "section_ref": self.section_ref,
        }


class IndexView:
    """An immutable snapshot: manifest, live chunks and the BM25 index over them."""

    def __init__(self, entries: dict[str, ManifestEntry], chunks: Sequence[Document], token: str):
        self.entries = entries
        self.token = token
        self.chunks = {c.id or "": c for c in chunks}
        self.order = [c.id or "" for c in chunks]
        self._position = {cid: i for i, cid in enumerate(self.order)}
        self.bm25 = BM25Index(self.order, [lexical_text(c) for c in chunks])
        self.restorer = DiacriticRestorer(lexical_text(c) for c in chunks)
        self._doc_of = np.array([c.metadata.get("document_id", "") for c in chunks], dtype=object)
        self._dims = [set(_dims(c.metadata)) for c in chunks]

    def mask(self, filters: SearchFilters) -> np.ndarray | None:
        """Boolean row mask for *filters*, or None when nothing is filtered."""
        if not filters.documents and not filters.dimensions:
            return None
        keep = np.ones(len(self.order), dtype=bool)
        if filters.documents:
            keep &= np.isin(self._doc_of, list(filters.documents))
        if filters.dimensions:
            wanted = set(filters.dimensions)
            keep &= np.array([bool(d & wanted) for d in self._dims], dtype=bool)
        return keep

    def allows(self, chunk_id: str, mask: np.ndarray | None) -> bool:
        """True when *chunk_id* is live (and inside *mask*)."""
        pos = self._position.get(chunk_id)
        return pos is not None and (mask is None or bool(mask[pos]))


def lexical_text(chunk: Document) -> str:
    """What BM25 matches a chunk on: its heading path, its document title and its text."""
    meta = chunk.metadata
    return (
        "\n".join(
            part
            for part in (meta.get("title", ""), meta.get("number", ""), meta.get("section", ""))
            if part
        )
        + "\n"
        + chunk.page_content
    )


def embedding_text(chunk: Document) -> str:
    """What the dense model embeds: the passage in its context (title and section path)."""
    meta = chunk.metadata
    head = " — ".join(p for p in (meta.get("title", ""), meta.get("section", "")) if p)
    return f"{head}\n{chunk.page_content}" if head else chunk.page_content


def _dims(meta: dict[str, Any]) -> list[int]:
    raw = str(meta.get("dimensions", "") or "")
    return [int(x) for x in raw.split(",") if x.strip().isdigit()]


class Index:
    """Ingest, remove and search documents in one Chroma store."""

    def __init__(
        self,
        store: ChromaStore,
        embeddings: Embeddings,
        *,
        candidates: int = 40,
        rrf_k: int = 30,
        dense_weight: float = 0.8,
        lexical_weight: float = 1.0,
        max_file_bytes: int = 50 * 1024 * 1024,
        max_chunks: int = 2000,
        reload_interval_s: float = 1.0,
        writer_wait_s: float = 900.0,
        lease_ttl_s: float = 120.0,
    ) -> None:
        self._store = store
        self._embeddings = embeddings
        self._candidates = candidates
        self._rrf_k = rrf_k
        self._dense_weight = dense_weight
        self._lexical_weight = lexical_weight
        self._max_file_bytes = max_file_bytes
        self._max_chunks = max_chunks
        self._reload_interval_s = reload_interval_s
        self._writer_wait_s = writer_wait_s
        self._lease_ttl_s = lease_ttl_s
        self._owner = uuid.uuid4().hex
        self._write_lock = threading.Lock()
        # Reentrant: view() holds it while rebuilding. Every rebuild takes it, so a rebuild
        # started by a reader cannot swap in an older view after a writer's newer one.
        self._view_lock = threading.RLock()
        self._view: IndexView | None = None
        self._checked_at = 0.0

    # -- views --------------------------------------------------------------------------

    def open(self) -> None:
        """Repair what a crash may have left, then build the first view.

        When another process holds the writer lease, its unlisted chunks are a version
        being written, not leftovers: reconciliation is then left to the next writer.
        """
        with self._write_lock:
            acquired, _ = self._store.try_acquire_writer(self._owner, self._lease_ttl_s)
            if acquired:
                try:
                    self._store.reconcile(self._store.entries())
                finally:
                    self._store.release_writer(self._owner)
            self._rebuild_view()

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """This process's write lock, then the store's writer lease (other processes)."""
        with self._write_lock:
            deadline = time.monotonic() + self._writer_wait_s
            pause = 0.05
            while True:
                acquired, took_over = self._store.try_acquire_writer(self._owner, self._lease_ttl_s)
                if acquired:
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        "Một tiến trình khác đang ghi chỉ mục / another process is writing "
                        "the index; try again later"
                    )
                time.sleep(pause)
                pause = min(pause * 2, 1.0)
            try:
                if took_over:
                    # The previous holder died mid-write: delete what it left unlisted.
                    self._store.reconcile(self._store.entries())
                yield
            finally:
                self._store.release_writer(self._owner)

    def _renew(self) -> None:
        self._store.renew_writer(self._owner, self._lease_ttl_s)

    def view(self) -> IndexView:
        """The current snapshot; reloads when another process changed the store."""
        view = self._view
        now = time.monotonic()
        if view is None:
            with self._view_lock:
                if self._view is None:
                    self._rebuild_view()
            assert self._view is not None
            return self._view
        if now - self._checked_at >= self._reload_interval_s:
            self._checked_at = now
            if self._store.generation() != view.token:
                with self._view_lock:
                    if self._view is view:
                        self._rebuild_view()
        assert self._view is not None
        return self._view

    def _rebuild_view(self) -> None:
        with self._view_lock:
            for _attempt in range(5):
                token = self._store.generation()
                entries = self._store.entries()
                live = [cid for e in entries.values() for cid in e.chunk_ids]
                chunks = self._store.load_chunks(live)
                # Fewer chunks than listed: another process replaced a version between our
                # reads (it bumps the token before deleting). Read again for a whole view.
                if len(chunks) == len(live):
                    break
                time.sleep(0.05)
            chunks.sort(
                key=lambda c: (c.metadata.get("document_id", ""), c.metadata.get("chunk_index", 0))
            )
            self._view = IndexView(entries, chunks, token)
            self._checked_at = time.monotonic()

    # -- documents ----------------------------------------------------------------------

    def documents(self) -> list[ManifestEntry]:
        """Every ingested document, sorted by id."""
        return sorted(self.view().entries.values(), key=lambda e: e.id)

    def chunks(self, document_ids: Iterable[str] | None = None) -> list[Document]:
        """Live chunks in document order, optionally only of some documents."""
        view = self.view()
        wanted = set(document_ids) if document_ids else None
        return [
            view.chunks[cid]
            for cid in view.order
            if wanted is None or view.chunks[cid].metadata.get("document_id") in wanted
        ]

    def ingest_paths(
        self,
        paths: Iterable[Path],
        on_file: Callable[[IngestResult], None] | None = None,
    ) -> IngestReport:
        """Ingest files and folders (recursively); a bad file never affects the others.

        Files whose names give the same document id within one batch (``a/chunk_1.md``,
        ``b/chunk_1.md``) are told apart by their folder name, so neither replaces the other.
        """
        files = discover(paths)
        ids = Counter(default_document_id(p.name) for p in files)

        def parse(path: Path) -> ParsedDocument:
            doc_id = None
            if ids[default_document_id(path.name)] > 1:
                doc_id = default_document_id(f"{path.parent.name}-{path.stem}")
            return parse_file(path, document_id=doc_id, max_bytes=self._max_file_bytes)

        return self._ingest(((str(p), partial(parse, p)) for p in files), on_file)

    def ingest_bytes(
        self,
        items: Sequence[tuple[str, bytes]],
        on_file: Callable[[IngestResult], None] | None = None,
    ) -> IngestReport:
        """Ingest uploaded files given as (file name, content) pairs."""
        return self._ingest(
            (
                (name, partial(parse_bytes, data, name, max_bytes=self._max_file_bytes))
                for name, data in items
            ),
            on_file,
        )

    def ingest_parsed(self, documents: Sequence[ParsedDocument]) -> IngestReport:
        """Ingest documents that were parsed elsewhere (evaluation corpora, tests)."""
        return self._ingest(
            ((d.info.source or d.info.id, partial(_same, d)) for d in documents), None
        )

    def _ingest(
        self,
        jobs: Iterable[tuple[str, Callable[[], ParsedDocument]]],
        on_file: Callable[[IngestResult], None] | None,
    ) -> IngestReport:
        report = IngestReport()
        stale: list[str] = []
        with self._writing():
            entries = self._store.entries()
            changed = False
            for source, parse in jobs:
                try:
                    result, old_ids = self._ingest_one(source, parse(), entries)
                except IngestError as exc:
                    result, old_ids = IngestResult(source, "failed", reason=str(exc)), []
                except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
                    reason = f"Lỗi không xác định / unexpected error: {type(exc).__name__}: {exc}"
                    result, old_ids = IngestResult(source, "failed", reason=reason), []
                stale.extend(old_ids)
                self._renew()
                changed |= result.status in ("added", "replaced")
                report.results.append(result)
                if on_file:
                    on_file(result)
            if changed:
                self._store.bump_generation()
                self._rebuild_view()
            # Old versions go only after the new view is live, so readers never miss them.
            self._store.delete_chunks(stale)
        return report

    def _ingest_one(
        self, source: str, parsed: ParsedDocument, entries: dict[str, ManifestEntry]
    ) -> tuple[IngestResult, list[str]]:
        info = parsed.info
        if not parsed.chunks:
            return IngestResult(source, "failed", info.id, info.title, reason=_NO_TEXT), []
        if len(parsed.chunks) > self._max_chunks:
            # Checked before embedding: a hostile file must not buy minutes of CPU.
            reason = _TOO_MANY_CHUNKS.format(n=len(parsed.chunks), limit=self._max_chunks)
            return IngestResult(source, "failed", info.id, info.title, reason=reason), []
        new_ids = tuple(c.id or "" for c in parsed.chunks)
        old = entries.get(info.id)
        if old is not None and old.chunk_ids == new_ids and old.sha256 == info.sha256:
            return IngestResult(source, "unchanged", info.id, info.title, len(new_ids)), []
        embedded = self._store.add_chunks(
            parsed.chunks, [embedding_text(c) for c in parsed.chunks], on_batch=self._renew
        )
        status: str = info.status
        superseded_by = info.superseded_by
        if old is not None and old.status == "superseded" and info.status == "in_force":
            # An admin's "superseded" mark survives a re-ingest of the same document.
            status, superseded_by = old.status, old.superseded_by
        entry = ManifestEntry(
            id=info.id,
            title=info.title,
            doc_type=info.doc_type,
            number=info.number,
            issuer=info.issuer,
            issue_date=info.issue_date,
            references=tuple(info.references),
            status=status,
            superseded_by=superseded_by,
            notes=info.notes,
            source=Path(source).name,
            sha256=info.sha256,
            chunks=len(new_ids),
            ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
            chunk_ids=new_ids,
        )
        self._store.put_entry(entry)
        entries[info.id] = entry
        stale = [cid for cid in (old.chunk_ids if old else ()) if cid not in set(new_ids)]
        status_word: IngestStatus = "added" if old is None else "replaced"
        return IngestResult(source, status_word, info.id, info.title, len(new_ids), embedded), stale

    def remove(self, document_id: str) -> bool:
        """Remove a document and its chunks. Returns False when it was not there."""
        with self._writing():
            entry = self._store.entries().get(document_id)
            if entry is None:
                return False
            self._store.delete_entry(document_id)
            self._store.bump_generation()
            self._rebuild_view()
            self._store.delete_chunks(entry.chunk_ids)
            return True

    def set_status(self, document_id: str, status: str, superseded_by: str = "") -> ManifestEntry:
        """Mark a document in force or superseded (and by which document)."""
        if status not in ("in_force", "superseded", "reference"):
            raise ValueError(f"unknown status {status!r}")
        with self._writing():
            entry = self._store.entries().get(document_id)
            if entry is None:
                raise KeyError(document_id)
            updated = entry.with_status(status, superseded_by if status == "superseded" else "")
            self._store.put_entry(updated)
            self._store.bump_generation()
            self._rebuild_view()
            return updated

    # -- search -------------------------------------------------------------------------

    def search(
        self, query: str, k: int = 5, filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        """Hybrid search: dense and BM25 rankings fused by weighted reciprocal rank."""
        query = canonical_tones(clean_text(query))
        if not query:
            return []
        view = self.view()
        filters = filters or SearchFilters()
        mask = view.mask(filters)
        n = max(self._candidates, k)
        lexical = view.bm25.top(query, n, mask) if self._lexical_weight > 0 else []
        dense: list[tuple[str, float]] = []
        if self._dense_weight > 0 and view.order:
            # e5 does not read folded Vietnamese; give it the query with diacritics restored.
            vector = self._embeddings.embed_query(view.restorer.restore(query))
            where = _where(filters)
            # Over-fetch: unlisted chunks (a version being replaced) are skipped below.
            raw = self._store.dense_query(vector, n + 16, where)
            dense = [(cid, s) for cid, s in raw if view.allows(cid, mask)][:n]
        fused: dict[str, float] = {}
        for weight, ranking in ((self._dense_weight, dense), (self._lexical_weight, lexical)):
            for rank, (cid, _) in enumerate(ranking):
                fused[cid] = fused.get(cid, 0.0) + weight / (self._rrf_k + rank + 1)
        dense_of = dict(dense)
        lexical_of = dict(lexical)
        ordered = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]
        hits = []
        for rank, (cid, score) in enumerate(ordered, start=1):
            chunk = view.chunks[cid]
            hits.append(
                SearchHit.from_chunk(
                    chunk, rank, score, dense=dense_of.get(cid), lexical=lexical_of.get(cid)
                )
            )
        return hits


def _same(document: ParsedDocument) -> ParsedDocument:
    return document


_NO_TEXT = "Tệp không có nội dung văn bản / the file has no text content"
_TOO_MANY_CHUNKS = (
    "Văn bản quá dài ({n} đoạn, tối đa {limit}); hãy tách thành nhiều tệp / "
    "document too long ({n} passages, limit {limit}): split it or raise "
    "PAPI_MAX_DOCUMENT_CHUNKS"
)


def _where(filters: SearchFilters) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if filters.documents:
        clauses.append({"document_id": {"$in": list(filters.documents)}})
    if filters.dimensions:
        dims = [{f"dim_{d}": True} for d in filters.dimensions]
        clauses.append(dims[0] if len(dims) == 1 else {"$or": dims})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
