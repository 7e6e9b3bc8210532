"""Ingest bookkeeping: per-file results, refusal reasons, versioned chunk ids, embed texts."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from langchain_core.documents import Document

from assistant.storage import embed_key, scalar_metadata

IngestStatus = Literal["added", "unchanged", "replaced", "failed"]

ProgressCallback = Callable[[int, int, str], None]
"""``on_progress(done, total, unit)``: passages embedded so far of a document's total
(``unit`` = ``"passages"``), reported during an ingest."""


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


NO_TEXT = "Tệp không có nội dung văn bản / the file has no text content"
TOO_MANY_CHUNKS = (
    "Văn bản quá dài ({n} đoạn, tối đa {limit}); hãy tách thành nhiều tệp / "
    "document too long ({n} passages, limit {limit}): split it or raise "
    "PAPI_MAX_DOCUMENT_CHUNKS"
)


def embedding_text(chunk: Document) -> str:
    """What the dense model embeds: the passage in its context (title and section path)
    and, for a table with coded columns, its legend (``ingest.tables.add_legends``)."""
    meta = chunk.metadata
    head = " — ".join(p for p in (meta.get("title", ""), meta.get("section", "")) if p)
    text = chunk.page_content
    if meta.get("legend"):
        text = f"{text}\n{meta['legend']}"
    return f"{head}\n{text}" if head else text


def versioned(chunks: list[Document]) -> list[Document]:
    """The chunks as stored: Chroma-scalar metadata with ``embed_key``, and an id that
    hashes the content id *and* all metadata.

    ``ingest`` derives a chunk's id from its document, section and text, so a passage
    keeps its id when an article is inserted before it or the title changes. Stored
    under that id, the revised version would share (and so silently keep) the old
    version's position, title and vector. The stored id therefore also covers the
    metadata; the vector is still reused when the embedded text is unchanged.
    """
    out = []
    for chunk in chunks:
        text = embedding_text(chunk)
        meta = scalar_metadata({**chunk.metadata, "embed_key": embed_key(text)})
        fingerprint = json.dumps(meta, sort_keys=True, ensure_ascii=False, default=str)
        base = chunk.id or ""
        digest = hashlib.sha256(f"{base}\x1f{fingerprint}".encode()).hexdigest()[:12]
        out.append(Document(id=f"{base}.{digest}", page_content=chunk.page_content, metadata=meta))
    return out
