"""Persistence in Chroma: chunks, the manifest, the generation token and the writer lease."""

from assistant.storage.chroma import ChromaStore, embed_key, scalar_metadata
from assistant.storage.lease import Holder, LeaseLost, WriterLease
from assistant.storage.manifest import ManifestEntry

__all__ = [
    "ChromaStore",
    "Holder",
    "LeaseLost",
    "ManifestEntry",
    "WriterLease",
    "embed_key",
    "scalar_metadata",
]
