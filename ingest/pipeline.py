"""Files in, :class:`~ingest.model.ParsedDocument` out: the public entry points.

``parse_bytes`` is the one path every file takes (uploads arrive as bytes);
``parse_file`` reads a file with a size cap and delegates; ``discover`` expands
folders into the sorted list of files we can parse.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Any

from langchain_core.documents import Document

from ingest import loaders, office, pages, phapdien
from ingest.chunker import ChunkSpan, chunk_outline
from ingest.errors import IngestError
from ingest.frontmatter import front_matter_fields, split_front_matter, strip_info_table
from ingest.metadata import extract_metadata
from ingest.model import (
    SECTION_SEPARATOR,
    DocumentInfo,
    ParsedDocument,
    chunk_id,
    dimension_metadata,
)
from ingest.ocr import OcrOptions, OnPage
from ingest.pages import PageText
from ingest.structure import Outline, parse_outline
from ingest.tables import add_legends
from vntext.legacy_fonts import fix_legacy
from vntext.normalize import clean_text, fold

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
"""Largest input accepted (bytes)."""

SUPPORTED_SUFFIXES = frozenset(
    {".txt", ".md", ".markdown", ".pdf", ".docx", ".html", ".htm", ".doc", ".xlsx"}
    | {".jpg", ".jpeg", ".png", ".tif", ".tiff"}
)
"""File name suffixes :func:`parse_file` understands (compared case-insensitively)."""

_TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff"}
_SKIPPED_FOLDERS = {"provenance"}
# A folder's provenance record ("PROVENANCE.md" next to the documents it describes) is
# about the files, not one of them.
_SKIPPED_STEMS = {"provenance"}
_VALID_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_ID_LIKE = re.compile(r"^[\w.\-]+$")  # "1766_2020_QĐ_UBND_preamble": a scraper's id, not a title
_BLANK_RUNS = re.compile(r"\n{3,}")
_OVERRIDABLE = {f.name for f in dataclass_fields(DocumentInfo)} - {"sha256"}


def discover(paths: Iterable[Path]) -> list[Path]:
    """Supported files among *paths*, folders searched recursively, sorted, no duplicates.

    Hidden files and folders (name starting with "."), folders named ``provenance``
    and files named ``PROVENANCE.*`` (any case) are skipped; symbolic links to
    folders are not followed.
    """
    found: set[Path] = set()
    for path in paths:
        path = Path(path)
        if path.is_file():
            if _supported(path.name):
                found.add(path)
            continue
        if not path.is_dir():
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = [
                d for d in dirs if not d.startswith(".") and d.lower() not in _SKIPPED_FOLDERS
            ]
            found.update(
                Path(root) / name
                for name in files
                if _supported(name) and Path(name).stem.lower() not in _SKIPPED_STEMS
            )
    return sorted(found)


def _supported(name: str) -> bool:
    return not name.startswith(".") and Path(name).suffix.lower() in SUPPORTED_SUFFIXES


def parse_file(
    path: Path,
    *,
    document_id: str | None = None,
    overrides: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    ocr: OcrOptions | None = None,
    on_page: OnPage | None = None,
) -> ParsedDocument:
    """Read, decode, clean, structure and chunk one file.

    *document_id* defaults to the front matter's ``id`` or a slug of the file stem;
    *overrides* sets :class:`~ingest.model.DocumentInfo` fields and wins over the
    front matter, which wins over what the text states. Raises :class:`IngestError`
    for files that are too large, empty, corrupt, encrypted, binary or unsupported.

    Scans (image-only PDF pages, pages whose text layer is OCR garbage, JPEG/PNG/TIFF
    images) are read with Tesseract under the limits of *ocr* (default
    :class:`~ingest.ocr.OcrOptions`); *on_page* is called as ``on_page(done, total)``
    after each OCR-ed page. Chunks from paged sources carry ``page`` (1-based, first
    page the chunk touches) and ``page_end``; chunks of OCR text also ``ocr=True`` and
    ``ocr_confidence`` (mean word confidence 0–1 of their pages).
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(_too_large(max_bytes))
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise IngestError(f"Không đọc được tệp / cannot read file ({exc.strerror})") from exc
    return parse_bytes(
        data,
        path.name,
        document_id=document_id,
        overrides=overrides,
        max_bytes=max_bytes,
        ocr=ocr,
        on_page=on_page,
    )


def parse_bytes(
    data: bytes,
    filename: str,
    *,
    document_id: str | None = None,
    overrides: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    ocr: OcrOptions | None = None,
    on_page: OnPage | None = None,
) -> ParsedDocument:
    """Like :func:`parse_file` for bytes already in memory (an upload).

    *filename* only chooses the loader (by suffix) and the default document id; it
    is sanitised and never used as a path.
    """
    name = safe_filename(filename)
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(
            f"Định dạng tệp không được hỗ trợ / unsupported file type ({suffix or 'no suffix'})"
        )
    if len(data) > max_bytes:
        raise IngestError(_too_large(max_bytes))
    if not data.strip():
        raise IngestError("Tệp rỗng / empty file")
    if overrides:
        unknown = set(overrides) - _OVERRIDABLE
        if unknown:
            raise ValueError(f"unknown DocumentInfo fields in overrides: {sorted(unknown)}")

    raw, paged, notes = _load(data, suffix, ocr, on_page)
    if not paged:
        raw = fix_legacy(raw)[0]  # TCVN3/VNI text typed in a legacy font; PDFs: per page
    front: dict[str, Any] = {}
    if suffix in _TEXT_SUFFIXES:
        # YAML needs its indentation, so the front matter is split off before cleaning.
        normalised = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
        yaml_data, raw = split_front_matter(normalised.lstrip("\ufeff"))
        front = front_matter_fields(yaml_data)
    text = clean_text(raw)
    info_fields, text = strip_info_table(text)
    text = phapdien.split_glued_headings(phapdien.strip_index(text))
    text = _BLANK_RUNS.sub("\n\n", text).strip()  # removed blocks leave blank runs
    if not text:
        raise IngestError("Tệp không có nội dung văn bản / file has no text content")

    outline = parse_outline(text)
    spans = chunk_outline(outline)
    if not spans:
        raise IngestError("Tệp không có nội dung văn bản / file has no text content")
    if notes and not (overrides or {}).get("notes") and not front.get("notes"):
        front = {**front, "notes": "; ".join(notes)}
    info = _document_info(name, data, outline, front, info_fields, overrides, document_id)
    chunks = to_documents(info, spans)
    add_legends(chunks)
    if paged:
        add_page_metadata(chunks, spans, page_starts(text, paged), paged)
    return ParsedDocument(info=info, text=text, chunks=chunks)


def _load(
    data: bytes, suffix: str, ocr: OcrOptions | None, on_page: OnPage | None
) -> tuple[str, list[PageText], list[str]]:
    """Raw text, the pages it came from (paged formats only) and notes for the reader."""
    if suffix == ".pdf" or suffix in _IMAGE_SUFFIXES:
        read = pages.read_pdf if suffix == ".pdf" else pages.read_image
        paged, notes = read(data, ocr=ocr, on_page=on_page)
        return "\n\n".join(p.text for p in paged), paged, notes
    if suffix == ".docx":
        return loaders.load_docx(data), [], []
    if suffix == ".doc":
        return office.load_doc(data), [], []
    if suffix == ".xlsx":
        return office.load_xlsx(data), [], []
    if suffix in (".html", ".htm"):
        return loaders.load_html(data), [], []
    return loaders.decode_text(data), [], []


def page_starts(text: str, paged: list[PageText]) -> list[tuple[int, int]]:
    """``(offset, page index)`` where each page's text begins in the final *text*.

    The final text went through cleaning, so each page is found by its first cleaned
    line, searched forward from the previous page; a page not found (its lines were
    dropped as decoration) simply has no start and its text counts to the page before.
    """
    starts: list[tuple[int, int]] = []
    cursor = 0
    for index, page in enumerate(paged):
        first = next((ln for ln in clean_text(page.text).split("\n") if ln.strip()), "")
        if not first:
            continue
        found = text.find(first, cursor)
        if found < 0:
            continue
        starts.append((found, index))
        cursor = found + len(first)
    if starts:
        starts[0] = (0, starts[0][1])  # anything before the first page's line is page one's
    return starts


def add_page_metadata(
    chunks: list[Document],
    spans: list[ChunkSpan],
    starts: list[tuple[int, int]],
    paged: list[PageText],
) -> None:
    """Set ``page``, ``page_end`` and, for OCR text, ``ocr`` and ``ocr_confidence``."""
    if not starts:
        return
    offsets = [offset for offset, _ in starts]
    for chunk, span in zip(chunks, spans, strict=True):
        if not span.spans:
            continue
        first = bisect.bisect_right(offsets, min(s for s, _ in span.spans)) - 1
        last = bisect.bisect_right(offsets, max(e for _, e in span.spans) - 1) - 1
        covered = [paged[starts[i][1]] for i in range(max(first, 0), max(last, 0) + 1)]
        chunk.metadata["page"] = covered[0].number
        chunk.metadata["page_end"] = covered[-1].number
        ocr_pages = [p for p in covered if p.ocr]
        chunk.metadata["ocr"] = bool(ocr_pages)
        if ocr_pages:
            mean = sum(p.confidence or 0.0 for p in ocr_pages) / len(ocr_pages)
            chunk.metadata["ocr_confidence"] = round(mean, 4)


def _too_large(max_bytes: int) -> str:
    megabytes = max_bytes / (1024 * 1024)
    return f"Tệp quá lớn (tối đa {megabytes:g} MB) / file too large (max {megabytes:g} MB)"


def safe_filename(filename: str) -> str:
    """The last path component of *filename*, without control characters, ≤ 255 chars."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".")
    return name[-255:] or "document"


def slugify(text: str) -> str:
    """ASCII slug: folded, lower case, runs of other characters as "-"."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return slug[:100].strip("-") or "document"


def default_document_id(filename: str) -> str:
    """Document id derived from a file name: the slug of its stem."""
    return slugify(Path(safe_filename(filename)).stem)


def _document_info(
    name: str,
    data: bytes,
    outline: Outline,
    front: Mapping[str, Any],
    info_fields: Mapping[str, str],
    overrides: Mapping[str, str] | None,
    document_id: str | None,
) -> DocumentInfo:
    stated = extract_metadata(outline)
    values: dict[str, Any] = {
        "doc_type": stated.doc_type,
        "number": stated.number,
        "issuer": stated.issuer,
        "issue_date": stated.issue_date,
        "title": stated.title,
        "references": stated.references,
        "source": name,
    }
    values.update(info_fields)
    values.update(front)
    for key, value in (overrides or {}).items():
        if key == "references":
            values[key] = tuple(r.strip() for r in re.split(r"[;\n]", value) if r.strip())
        else:
            values[key] = value
    chosen_id = document_id or values.pop("id", "") or default_document_id(name)
    values.pop("id", None)
    if not values.get("title"):
        values["title"] = _fallback_title(outline, name)
    return DocumentInfo(
        id=chosen_id if _VALID_ID.match(chosen_id) else slugify(chosen_id),
        sha256=hashlib.sha256(data).hexdigest(),
        **values,
    )


def _fallback_title(outline: Outline, name: str) -> str:
    """A Markdown title that is not a scraper's id, else the first heading, else the name."""
    for title in outline.title_headings:
        if not _ID_LIKE.match(title):
            return title
    for block in outline.blocks:
        if block.path:
            return block.path[0].text
    return Path(name).stem


def to_documents(info: DocumentInfo, spans: list[ChunkSpan]) -> list[Document]:
    """LangChain documents with the contract's metadata, ids unique within the file."""
    documents: list[Document] = []
    seen: dict[str, int] = {}
    for index, span in enumerate(spans):
        section = SECTION_SEPARATOR.join(span.section)
        cid = chunk_id(info.id, section, span.text)
        if cid in seen:
            # Identical text twice in one section (e.g. a repeated "- Lưu: VT."):
            # the second copy gets a distinct but still deterministic id.
            seen[cid] += 1
            cid = chunk_id(info.id, f"{section}\x1e{seen[cid]}", span.text)
        else:
            seen[cid] = 0
        metadata: dict[str, Any] = {
            "document_id": info.id,
            "chunk_index": index,
            "section": section,
            "section_ref": span.section_ref,
            "heading": span.section[-1] if span.section else "",
            "title": info.title,
            "number": info.number,
            "doc_type": info.doc_type,
        }
        metadata.update(dimension_metadata(span.dimensions))
        documents.append(Document(page_content=span.text, id=cid, metadata=metadata))
    return documents
