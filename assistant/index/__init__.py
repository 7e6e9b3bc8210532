"""The searchable index: ingest into the store, one snapshot per version, hybrid search."""

from assistant.index.index import Index
from assistant.index.ingestion import (
    IngestReport,
    IngestResult,
    IngestStatus,
    ProgressCallback,
    embedding_text,
)
from assistant.index.search import SearchFilters, SearchHit
from assistant.index.snapshot import Segment, Snapshot, lexical_text

__all__ = [
    "Index",
    "IngestReport",
    "IngestResult",
    "IngestStatus",
    "ProgressCallback",
    "SearchFilters",
    "SearchHit",
    "Segment",
    "Snapshot",
    "embedding_text",
    "lexical_text",
]
