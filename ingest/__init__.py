"""Files in, structured chunks out: the pure ingest layer of PAPI Assistant.

No Chroma, no settings, no network. Entry points:

* :func:`parse_file` / :func:`parse_bytes` — one file → :class:`ParsedDocument`
  (document metadata plus citation-sized LangChain ``Document`` chunks);
* :func:`discover` — files and folders → the sorted list of supported files;
* :class:`IngestError` — raised with a user-facing reason for files we refuse;
* :class:`OcrOptions` — limits and preprocessing for scans (Tesseract ``vie``).
"""

from ingest.errors import IngestError
from ingest.model import (
    CHUNK_METADATA_KEYS,
    SECTION_SEPARATOR,
    DocumentInfo,
    ParsedDocument,
    chunk_id,
    dimension_metadata,
)
from ingest.ocr import OcrOptions
from ingest.papi import DIMENSIONS
from ingest.pipeline import (
    DEFAULT_MAX_BYTES,
    SUPPORTED_SUFFIXES,
    default_document_id,
    discover,
    parse_bytes,
    parse_file,
)

__all__ = [
    "CHUNK_METADATA_KEYS",
    "DEFAULT_MAX_BYTES",
    "DIMENSIONS",
    "SECTION_SEPARATOR",
    "SUPPORTED_SUFFIXES",
    "DocumentInfo",
    "IngestError",
    "OcrOptions",
    "ParsedDocument",
    "chunk_id",
    "default_document_id",
    "dimension_metadata",
    "discover",
    "parse_bytes",
    "parse_file",
]
