"""The searchable index: ingest into Chroma, publish one snapshot per version, hybrid search.

Readers take the current immutable :class:`~assistant.index.snapshot.Snapshot` and pass
it along, so a question asked during a re-ingest is answered from either the previous
or the new version of a document, never a mix. Writers build the changed document's
segment, switch the manifest, bump the generation token and publish the new snapshot.

Several processes (``papi serve --workers N`` on one Chroma server) stay consistent
because every snapshot is derived state: a background refresher in each process checks
the store's generation token every ``reload_interval_s`` and, when it changed, rebuilds
only the documents whose manifest record changed. Requests never rebuild anything.

Writes are per document: parsing and embedding run without the writer lease (they are
the slow part and touch nothing shared); the lease is held only to store the passages,
switch the manifest and bump the token, and is checked (fencing) before each of those.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from assistant.core.settings import RetrievalSettings
from assistant.index.ingestion import (
    NO_TEXT,
    TOO_MANY_CHUNKS,
    IngestReport,
    IngestResult,
    IngestStatus,
    ProgressCallback,
    embedding_text,
    versioned,
)
from assistant.index.instruments import named_documents
from assistant.index.search import (
    SearchFilters,
    SearchHit,
    chroma_where,
    fuse,
    fuse_convex,
    merge_ranking,
    prefer_named,
)
from assistant.index.snapshot import Snapshot
from assistant.storage import ChromaStore, Holder, LeaseLost, ManifestEntry
from ingest import (
    IngestError,
    OcrOptions,
    ParsedDocument,
    default_document_id,
    discover,
    parse_bytes,
    parse_file,
)
from vntext.normalize import canonical_tones, clean_text

WRITE_BATCH = 64
"""Passages embedded per call while ingesting: the unit of progress (and of the lock a
question's query embedding may wait for)."""


class Index:
    """Ingest, remove and search documents in one Chroma store."""

    def __init__(
        self,
        store: ChromaStore,
        embeddings: Embeddings,
        *,
        retrieval: RetrievalSettings | None = None,
        max_file_bytes: int = 50 * 1024 * 1024,
        max_chunks: int = 2000,
        ocr: OcrOptions | None = None,
        shared: bool = False,
        writer_wait_s: float = 900.0,
        lease_ttl_s: float = 120.0,
    ) -> None:
        self._store = store
        self._embeddings = embeddings
        self._tuning = retrieval or RetrievalSettings()
        self._max_file_bytes = max_file_bytes
        self._max_chunks = max_chunks
        self._ocr = ocr
        self._reload_interval_s = self._tuning.reload_interval_s
        self._shared = shared
        self._writer_wait_s = writer_wait_s
        self._lease_ttl_s = lease_ttl_s
        self._owner = uuid.uuid4().hex
        self._write_lock = threading.Lock()
        # Publishing a snapshot (writer or refresher) happens under this lock, so an
        # older snapshot can never replace a newer one.
        self._publish_lock = threading.RLock()
        self._snapshot: Snapshot | None = None
        self._staged: dict[str, ManifestEntry] = {}
        self._closed = threading.Event()
        self._refresher: threading.Thread | None = None

    # -- snapshots ----------------------------------------------------------------------

    def open(self) -> None:
        """Repair what a crash may have left, build the first snapshot, start refreshing.

        When another process holds the writer lease, its unlisted chunks are a version
        being written, not leftovers: reconciliation is then left to the next writer.
        """
        with self._write_lock:
            holder, _ = self._store.lease.try_acquire(self._owner, self._lease_ttl_s)
            if holder is not None:
                try:
                    self._reconcile(holder)
                finally:
                    self._store.lease.release(self._owner)
            self.refresh()
        if self._shared and self._reload_interval_s > 0:
            self._start_refresher()

    def close(self) -> None:
        """Stop the background refresher (idempotent)."""
        self._closed.set()

    def snapshot(self) -> Snapshot:
        """The current snapshot. Never rebuilds on the caller's thread once opened."""
        snap = self._snapshot
        if snap is None:
            with self._publish_lock:
                if self._snapshot is None:
                    self.refresh()
            snap = self._snapshot
            assert snap is not None
        return snap

    def refresh(self) -> Snapshot:
        """Bring the snapshot up to the store: re-read only documents whose version changed."""
        with self._publish_lock:
            old = self._snapshot or Snapshot.empty()
            for _attempt in range(5):
                token = self._store.generation()
                entries = self._store.entries()
                wanted = {
                    d: e
                    for d, e in entries.items()
                    if d not in old.live
                    or old.entries.get(d) is None
                    or old.entries[d].chunk_ids != e.chunk_ids
                }
                ids = [cid for e in wanted.values() for cid in e.chunk_ids]
                loaded = self._store.load_chunks(ids) if ids else []
                # Fewer chunks than listed: another process replaced a version between our
                # reads (it bumps the token before deleting). Read again for whole versions.
                if len(loaded) == len(ids):
                    break
                time.sleep(0.05)
            by_doc: dict[str, list[Document]] = {}
            for chunk in loaded:
                by_doc.setdefault(str(chunk.metadata.get("document_id", "")), []).append(chunk)
            complete = {
                d: by_doc.get(d, [])
                for d, e in wanted.items()
                if len(by_doc.get(d, [])) == len(e.chunk_ids)
            }
            live_entries = {d: e for d, e in entries.items() if d not in wanted or d in complete}
            for doc_id, segment_entry in self._staged.items():
                # A new document being embedded here stays searchable until it commits.
                if doc_id not in entries:
                    live_entries[doc_id] = segment_entry
            self._snapshot = old.evolve(token, live_entries, complete)
            return self._snapshot

    def _publish(
        self,
        token: str,
        entries: dict[str, ManifestEntry],
        chunks: dict[str, list[Document]] | None = None,
    ) -> None:
        with self._publish_lock:
            self._snapshot = self.snapshot().evolve(token, entries, chunks)

    def _start_refresher(self) -> None:
        # The thread holds only a weak reference, so a dropped Index is not kept alive.
        ref = weakref.ref(self)
        interval = self._reload_interval_s
        closed = self._closed

        def run() -> None:
            while not closed.wait(interval):
                index = ref()
                if index is None:
                    return
                try:
                    if index._store.generation() != index.snapshot().token:
                        index.refresh()
                except Exception:  # noqa: BLE001 - a passing store error must not end refreshing
                    pass
                del index

        self._refresher = threading.Thread(target=run, name="papi-snapshot-refresh", daemon=True)
        self._refresher.start()

    # -- writer lease -------------------------------------------------------------------

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Holder]:
        """This process's write lock, then the store's writer lease (other processes)."""
        with self._write_lock:
            deadline = time.monotonic() + self._writer_wait_s
            pause = 0.05
            while True:
                holder, took_over = self._store.lease.try_acquire(self._owner, self._lease_ttl_s)
                if holder is not None:
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
                    self._reconcile(holder)
                yield holder
            finally:
                self._store.lease.release(self._owner)

    def _reconcile(self, holder: Holder) -> None:
        """Delete unlisted chunks; bump the token when readers' view of the store changed."""
        deleted = self._store.reconcile(self._store.entries())
        if deleted:
            self._store.lease.check(holder)
            self._store.bump_generation()

    # -- documents ----------------------------------------------------------------------

    def documents(self) -> list[ManifestEntry]:
        """Every ingested document, sorted by id."""
        return list(self.snapshot().entries.values())

    def chunks(self, document_ids: Iterable[str] | None = None) -> list[Document]:
        """Live chunks in document order, optionally only of some documents."""
        return self.snapshot().chunks_of(document_ids)

    def ingest_paths(
        self,
        paths: Iterable[Path],
        on_file: Callable[[IngestResult], None] | None = None,
        on_progress: ProgressCallback | None = None,
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
            return parse_file(
                path,
                document_id=doc_id,
                max_bytes=self._max_file_bytes,
                ocr=self._ocr,
                on_page=_pages(on_progress),
            )

        return self._ingest([(str(p), partial(parse, p)) for p in files], on_file, on_progress)

    def ingest_bytes(
        self,
        items: Sequence[tuple[str, bytes]],
        on_file: Callable[[IngestResult], None] | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Ingest uploaded files given as (file name, content) pairs."""
        jobs = [
            (
                name,
                partial(
                    parse_bytes,
                    data,
                    name,
                    max_bytes=self._max_file_bytes,
                    ocr=self._ocr,
                    on_page=_pages(on_progress),
                ),
            )
            for name, data in items
        ]
        return self._ingest(jobs, on_file, on_progress)

    def ingest_parsed(self, documents: Sequence[ParsedDocument]) -> IngestReport:
        """Ingest documents that were parsed elsewhere (evaluation corpora, tests)."""
        return self._ingest([(d.info.source or d.info.id, partial(_same, d)) for d in documents])

    def _ingest(
        self,
        jobs: Sequence[tuple[str, Callable[[], ParsedDocument]]],
        on_file: Callable[[IngestResult], None] | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Parse the next file while the current one is embedded (two cores), one by one."""
        report = IngestReport()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="papi-parse") as parser:
            pending: Future[ParsedDocument] | None = None
            for i, (source, parse) in enumerate(jobs):
                current = pending if pending is not None else parser.submit(parse)
                pending = parser.submit(jobs[i + 1][1]) if i + 1 < len(jobs) else None
                try:
                    result = self._ingest_one(source, current.result(), on_progress)
                except IngestError as exc:
                    result = IngestResult(source, "failed", reason=str(exc))
                except LeaseLost as exc:
                    result = IngestResult(source, "failed", reason=str(exc))
                except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
                    reason = f"Lỗi không xác định / unexpected error: {type(exc).__name__}: {exc}"
                    result = IngestResult(source, "failed", reason=reason)
                report.results.append(result)
                if on_file:
                    on_file(result)
        return report

    def _ingest_one(
        self, source: str, parsed: ParsedDocument, on_progress: ProgressCallback | None
    ) -> IngestResult:
        info = parsed.info
        if not parsed.chunks:
            return IngestResult(source, "failed", info.id, info.title, reason=NO_TEXT)
        if len(parsed.chunks) > self._max_chunks:
            # Checked before embedding: a hostile file must not buy minutes of CPU.
            reason = TOO_MANY_CHUNKS.format(n=len(parsed.chunks), limit=self._max_chunks)
            return IngestResult(source, "failed", info.id, info.title, reason=reason)
        chunks = versioned(parsed.chunks)
        new_ids = tuple(c.id or "" for c in chunks)
        old = self._store.entries().get(info.id)
        if old is not None and old.chunk_ids == new_ids and old.sha256 == info.sha256:
            return IngestResult(source, "unchanged", info.id, info.title, len(new_ids))
        if old is None:
            self._stage(info.id, chunks)
        try:
            todo, vectors, embedded = self._vectors(chunks, on_progress)
            with self._writing() as holder:
                current = self._store.entries().get(info.id)
                self._store.put_chunks(todo, vectors)
                entry = _entry(source, parsed, new_ids, current)
                self._store.lease.check(holder)  # fencing: never switch on a lost lease
                self._store.put_entry(entry)
                token = self._store.bump_generation()
                self._staged.pop(info.id, None)
                self._publish(token, {**self.snapshot().entries, info.id: entry}, {info.id: chunks})
                # Old versions go only after the new snapshot is live, so readers never
                # miss them.
                if current is not None:
                    keep = set(new_ids)
                    self._store.delete_chunks(c for c in current.chunk_ids if c not in keep)
        finally:
            if info.id in self._staged:
                self._unstage(info.id)
        status: IngestStatus = "added" if current is None else "replaced"
        return IngestResult(source, status, info.id, info.title, len(new_ids), embedded)

    def _vectors(
        self, chunks: list[Document], on_progress: ProgressCallback | None
    ) -> tuple[list[Document], list[list[float]], int]:
        """Vectors for the chunks not stored yet: reused by embed_key, else embedded."""
        present = self._store.existing_ids([c.id or "" for c in chunks])
        todo = [c for c in chunks if c.id not in present]
        reuse = self._store.stored_vectors([str(c.metadata["embed_key"]) for c in todo])
        missing = [c for c in todo if c.metadata["embed_key"] not in reuse]
        computed: dict[str, list[float]] = {}
        total = len(missing)
        for start in range(0, total, WRITE_BATCH):
            batch = missing[start : start + WRITE_BATCH]
            vectors = self._embeddings.embed_documents([embedding_text(c) for c in batch])
            for chunk, vector in zip(batch, vectors, strict=True):
                computed[str(chunk.metadata["embed_key"])] = vector
            if on_progress is not None:
                on_progress(min(start + WRITE_BATCH, total), total, "passages")
        if on_progress is not None and total == 0:
            on_progress(0, 0, "passages")
        vectors = [
            computed.get(key) or reuse[key] for key in (str(c.metadata["embed_key"]) for c in todo)
        ]
        return todo, vectors, total

    def _stage(self, doc_id: str, chunks: list[Document]) -> None:
        """Serve a new document lexically in this process while it is being embedded."""
        provisional = ManifestEntry(
            id=doc_id,
            title=str(chunks[0].metadata.get("title", "")),
            chunks=len(chunks),
            chunk_ids=tuple(c.id or "" for c in chunks),
        )
        with self._publish_lock:
            self._staged[doc_id] = provisional
            snap = self.snapshot()
            self._publish(snap.token, {**snap.entries, doc_id: provisional}, {doc_id: chunks})

    def _unstage(self, doc_id: str) -> None:
        with self._publish_lock:
            self._staged.pop(doc_id, None)
            snap = self.snapshot()
            if doc_id not in self._store.entries():
                entries = {d: e for d, e in snap.entries.items() if d != doc_id}
                self._publish(snap.token, entries)

    def remove(self, document_id: str) -> bool:
        """Remove a document and its chunks. Returns False when it was not there."""
        with self._writing() as holder:
            entry = self._store.entries().get(document_id)
            if entry is None:
                return False
            self._store.lease.check(holder)
            self._store.delete_entry(document_id)
            token = self._store.bump_generation()
            remaining = {d: e for d, e in self.snapshot().entries.items() if d != document_id}
            self._publish(token, remaining)
            self._store.delete_chunks(entry.chunk_ids)
            return True

    def set_status(self, document_id: str, status: str, superseded_by: str = "") -> ManifestEntry:
        """Mark a document in force or superseded (and by which document)."""
        if status not in ("in_force", "superseded", "reference"):
            raise ValueError(f"unknown status {status!r}")
        with self._writing() as holder:
            entry = self._store.entries().get(document_id)
            if entry is None:
                raise KeyError(document_id)
            updated = entry.with_status(status, superseded_by if status == "superseded" else "")
            self._store.lease.check(holder)
            self._store.put_entry(updated)
            token = self._store.bump_generation()
            snap = self.snapshot()
            if document_id in snap.live:
                self._publish(token, {**snap.entries, document_id: updated})
            else:
                self.refresh()
            return updated

    # -- search -------------------------------------------------------------------------

    def search(
        self,
        query: str,
        k: int = 5,
        filters: SearchFilters | None = None,
        snapshot: Snapshot | None = None,
    ) -> list[SearchHit]:
        """Hybrid search in *snapshot* (default: the current one): dense and BM25 rankings
        fused as the settings say (convex combination of normalised scores, or RRF)."""
        query = canonical_tones(clean_text(query))
        if not query:
            return []
        snap = snapshot or self.snapshot()
        filters = filters or SearchFilters()
        tuning = self._tuning
        n = max(tuning.candidates, k)
        lexical = snap.lexical_top(query, n, filters) if tuning.lexical_weight > 0 else []
        dense: list[tuple[str, float]] = []
        if tuning.dense_weight > 0 and snap.order:
            # e5 does not read folded Vietnamese; give it the query with diacritics restored.
            vector = self._embeddings.embed_query(snap.restorer.restore(query))
            dense = self._dense_top(vector, n, filters, snap)
        # A question naming a document ("Theo Nghị định 48/2013, …") looks in it too, and
        # its passages lead the ones of other documents that match as well.
        named = () if filters.documents else tuple(named_documents(query, snap.entries))
        if named:
            within = replace(filters, documents=tuple(e.id for e in named))
            lexical = merge_ranking(lexical, snap.lexical_top(query, n, within))
            if dense:
                dense = merge_ranking(dense, self._dense_top(vector, n, within, snap))
        rankings = [(tuning.dense_weight, dense), (tuning.lexical_weight, lexical)]
        depth = n if named else k
        ordered = (
            fuse_convex(rankings, depth)
            if tuning.fusion == "convex"
            else fuse(rankings, tuning.rrf_k, depth)
        )
        if named:
            ordered = prefer_named(ordered, snap.chunks, named, query)[:k]
        dense_of = dict(dense)
        lexical_of = dict(lexical)
        return [
            SearchHit.from_chunk(
                snap.chunks[cid], rank, score, dense=dense_of.get(cid), lexical=lexical_of.get(cid)
            )
            for rank, (cid, score) in enumerate(ordered, start=1)
        ]

    def _dense_top(
        self, vector: list[float], n: int, filters: SearchFilters, snap: Snapshot
    ) -> list[tuple[str, float]]:
        """The *n* nearest (chunk id, cosine) pairs of *snap* within *filters*."""
        # Over-fetch: chunks outside this snapshot (another version) are skipped.
        raw = self._store.dense_query(vector, n + 16, chroma_where(filters))
        return [(cid, score) for cid, score in raw if snap.allows(cid, filters)][:n]


def _entry(
    source: str, parsed: ParsedDocument, chunk_ids: tuple[str, ...], old: ManifestEntry | None
) -> ManifestEntry:
    info = parsed.info
    if old is not None and old.status == "superseded" and info.status == "in_force":
        # An admin's "superseded" mark survives a re-ingest of the same document.
        info = replace(info, status=old.status, superseded_by=old.superseded_by)
    return ManifestEntry(
        **{**asdict(info), "references": tuple(info.references), "source": Path(source).name},
        chunks=len(chunk_ids),
        ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
        chunk_ids=chunk_ids,
    )


def _pages(on_progress: ProgressCallback | None) -> Callable[[int, int], None] | None:
    """OCR progress (pages read of a scan) reported through the ingest's progress callback."""
    if on_progress is None:
        return None
    return lambda done, total: on_progress(done, total, "pages")


def _same(document: ParsedDocument) -> ParsedDocument:
    return document
