"""The searchable index: ingest into the store, one snapshot per version, hybrid search."""

from assistant.index.index import (
    Index,
    IndexView,
    IngestReport,
    IngestResult,
    IngestStatus,
    SearchFilters,
    SearchHit,
    embedding_text,
    lexical_text,
)

__all__ = [
    "Index",
    "IndexView",
    "IngestReport",
    "IngestResult",
    "IngestStatus",
    "SearchFilters",
    "SearchHit",
    "embedding_text",
    "lexical_text",
]
