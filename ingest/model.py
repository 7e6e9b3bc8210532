"""The contract between ``ingest`` and everything downstream.

``ingest`` turns a file into a :class:`ParsedDocument`: document-level metadata
(:class:`DocumentInfo`) plus citation-sized chunks as LangChain ``Document`` objects.
Chunk metadata keys are listed in :data:`CHUNK_METADATA_KEYS`; Chroma accepts only
scalar metadata, so lists are flattened (``dimensions`` as ``"1,4"`` plus one boolean
``dim_N`` key per PAPI dimension, which makes ``where={"dim_4": True}`` filters work).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

from langchain_core.documents import Document

DocumentStatus = Literal["in_force", "superseded", "reference"]
"""``reference`` marks material we wrote ourselves (e.g. the PAPI note), never a directive."""

SECTION_SEPARATOR = " › "

CHUNK_METADATA_KEYS = (
    "document_id",  # stable id of the parent document
    "chunk_index",  # order within the document (int)
    "section",  # display path, e.g. "II. Nhiệm vụ và giải pháp › 4. Kiểm soát tham nhũng…"
    "section_ref",  # short reference, e.g. "II.4" or "Điều 5 khoản 2"
    "heading",  # the innermost heading alone
    "dimensions",  # comma-separated PAPI dimension numbers ("" when none)
    "title",  # denormalised from DocumentInfo for display
    "number",
    "doc_type",
)


@dataclass(frozen=True)
class DocumentInfo:
    """Metadata of one source document. Empty strings mean "not stated in the text"."""

    id: str
    title: str
    doc_type: str = ""  # "Kế hoạch", "Luật", "Nghị định", "Quyết định", "Tài liệu tham khảo"…
    number: str = ""  # số hiệu, e.g. "3212/KH-UBND"
    issuer: str = ""  # cơ quan ban hành
    issue_date: str = ""  # ISO yyyy-mm-dd, or yyyy when only the year is known
    # documents it cites, as written ("Quyết định số 3200/QĐ-UBND ngày 07/10/2019")
    references: tuple[str, ...] = ()
    status: DocumentStatus = "in_force"
    superseded_by: str = ""
    source: str = ""  # file name it came from
    sha256: str = ""  # of the raw file bytes
    notes: str = ""  # e.g. "Số hiệu không đọc được trên bản quét"


@dataclass
class ParsedDocument:
    """A parsed file: its metadata, its full cleaned text and its chunks."""

    info: DocumentInfo
    text: str
    chunks: list[Document] = field(default_factory=list)


def chunk_id(document_id: str, section: str, text: str) -> str:
    """Content-derived chunk id: unchanged text keeps its id (and its embedding)."""
    digest = hashlib.sha256(f"{document_id}\x1f{section}\x1f{text}".encode()).hexdigest()
    return f"{document_id}:{digest[:20]}"


def dimension_metadata(dimensions: list[int] | tuple[int, ...]) -> dict[str, str | bool]:
    """Flatten PAPI dimension numbers into Chroma-compatible scalar metadata."""
    dims = sorted(set(dimensions))
    meta: dict[str, str | bool] = {"dimensions": ",".join(str(d) for d in dims)}
    for d in range(1, 9):
        meta[f"dim_{d}"] = d in dims
    return meta
