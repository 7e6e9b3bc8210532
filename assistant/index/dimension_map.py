"""Which documents govern which PAPI dimension, derived from the documents themselves.

Chunks carry ``dimensions`` from ``ingest.papi`` only when a section *heading* names a
dimension. That works on PAPI plans ("4. Kiểm soát tham nhũng trong khu vực công") and
never on laws, whose headings are "Điều 12. Tiếp nhận đơn". So a passage also counts as
addressing dimension *d* when its text (heading and body, diacritics folded) contains
one of *d*'s phrases: the dimension's official name and the subject matter PAPI measures
under it (its nội dung thành phần, as papi.org.vn and the reference note describe them),
written as the legal terms Vietnamese texts use for those subjects (tiếp công dân,
khiếu nại, tố cáo for accountability; kê khai tài sản, thu nhập for corruption…).
The phrases are per dimension, never per document.

The rule (:data:`RULE`): a document is mapped to dimension *d* when

* a heading of the document names *d* (the document declares the dimension), or
* at least ``max(MIN_SHARE, LIFT × corpus rate of d)`` of its passages address *d*,
  where the corpus rate is the share of all live passages that address *d*. The lift
  keeps a phrase that is everywhere ("công khai", "hồ sơ") from mapping every
  document; the floor keeps a few passing mentions from counting. Computed at call
  time, so the thresholds follow the corpus that is actually indexed.

Pure: chunks and manifest entries in, a :class:`DimensionMap` out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.documents import Document

from ingest.papi import DIMENSIONS
from vntext.normalize import fold

MIN_SHARE = 0.10
"""Smallest share of a document's passages that maps it to a dimension by text."""

LIFT = 2.0
"""How many times the corpus-wide rate a document's share must reach."""

RULE = (
    "Văn bản gắn với chỉ số nội dung khi có đề mục nêu tên chỉ số đó, hoặc khi ít nhất "
    f"max({MIN_SHARE:.0%}, {LIFT:g} × tỷ lệ chung của toàn bộ văn bản) số đoạn của văn bản "
    "đề cập nội dung của chỉ số / a document maps to a dimension when one of its headings "
    f"names it, or when at least max({MIN_SHARE:.0%}, {LIFT:g} x the corpus-wide rate) of "
    "its passages address it"
)

# Folded phrases (see the module docstring). Matched on word boundaries.
PHRASES: Mapping[int, tuple[str, ...]] = {
    1: (
        "tham gia cua nguoi dan",
        "dan chu o co so",
        "bau cu",
        "truong thon",
        "to truong to dan pho",
        "dong gop tu nguyen",
        "nhan dan ban",
        "ban thanh tra nhan dan",
        "giam sat dau tu cua cong dong",
    ),
    2: (
        "cong khai",
        "minh bach",
        "tiep can thong tin",
        "cung cap thong tin",
        "ho ngheo",
        "ngan sach xa",
        "quy hoach su dung dat",
        "khung gia dat",
    ),
    3: (
        "trach nhiem giai trinh",
        "tiep cong dan",
        "khieu nai",
        "to cao",
        "to giac",
        "phan anh kien nghi",
        "tro giup phap ly",
    ),
    4: (
        "tham nhung",
        "ke khai tai san",
        "tai san thu nhap",
        "hoi lo",
        "vu loi",
        "xung dot loi ich",
    ),
    5: (
        "thu tuc hanh chinh",
        "mot cua",
        "chung thuc",
        "giay chung nhan quyen su dung dat",
    ),
    6: (
        "cung ung dich vu cong",
        "dich vu su nghiep cong",
        "y te",
        "giao duc",
        "an ninh trat tu",
        "nuoc sach",
        "co so ha tang",
    ),
    7: (
        "quan tri moi truong",
        "bao ve moi truong",
        "o nhiem",
        "chat thai",
        "chat luong khong khi",
        "nguon nuoc",
    ),
    8: (
        "quan tri dien tu",
        "chinh phu dien tu",
        "moi truong dien tu",
        "moi truong mang",
        "cong thong tin dien tu",
        "dich vu cong truc tuyen",
        "internet",
        "so hoa",
    ),
}

_NON_WORD = re.compile(r"[^a-z0-9]+")
_PATTERNS = {
    number: re.compile(r"\b(?:" + "|".join(map(re.escape, phrases)) + r")\b")
    for number, phrases in PHRASES.items()
}


def passage_dimensions(text: str) -> set[int]:
    """Dimensions whose phrases occur in *text* (any case, with or without diacritics)."""
    folded = _NON_WORD.sub(" ", fold(text).lower())  # "phản ánh, kiến nghị" = "phan anh kien nghi"
    return {number for number, pattern in _PATTERNS.items() if pattern.search(folded)}


@dataclass(frozen=True)
class DocumentDimensions:
    """One document's evidence: passages, per-dimension counts and the mapped dimensions."""

    id: str
    title: str
    passages: int
    by_heading: Mapping[int, int]  # dimension -> passages under a heading that names it
    by_text: Mapping[int, int]  # dimension -> passages whose text addresses it
    dimensions: tuple[int, ...]  # mapped by RULE, ascending

    def share(self, dimension: int) -> float:
        """Share of this document's passages that address *dimension* (heading or text)."""
        if not self.passages:
            return 0.0
        return max(self.by_heading.get(dimension, 0), self.by_text.get(dimension, 0)) / (
            self.passages
        )


@dataclass(frozen=True)
class DimensionMap:
    """PAPI dimension -> governing documents, with the evidence and the rule applied."""

    documents: Mapping[str, DocumentDimensions]
    corpus_rate: Mapping[int, float]
    rule: str = RULE
    names: Mapping[int, str] = field(default_factory=lambda: dict(DIMENSIONS))

    def documents_for(self, dimension: int) -> list[str]:
        """Ids of the documents mapped to *dimension*, largest share first."""
        mapped = [d for d in self.documents.values() if dimension in d.dimensions]
        mapped.sort(key=lambda d: (-d.share(dimension), d.id))
        return [d.id for d in mapped]

    def dimensions_of(self, document_id: str) -> tuple[int, ...]:
        """Dimensions mapped to one document (empty when unknown)."""
        entry = self.documents.get(document_id)
        return entry.dimensions if entry else ()

    def as_dict(self) -> dict[str, Any]:
        """JSON shape for the API and the CLI."""
        return {
            "rule": self.rule,
            "dimensions": [
                {
                    "number": number,
                    "name": name,
                    "corpus_rate": round(self.corpus_rate.get(number, 0.0), 4),
                    "documents": [
                        {
                            "id": doc_id,
                            "title": self.documents[doc_id].title,
                            "share": round(self.documents[doc_id].share(number), 4),
                            "by_heading": bool(self.documents[doc_id].by_heading.get(number)),
                        }
                        for doc_id in self.documents_for(number)
                    ],
                }
                for number, name in sorted(self.names.items())
            ],
        }


def addressed_dimensions(chunk: Document) -> set[int]:
    """Dimensions a chunk's heading and text address (computed once, by the snapshot)."""
    return passage_dimensions(f"{chunk.metadata.get('heading', '')}\n{chunk.page_content}")


def _heading_dimensions(chunk: Document) -> set[int]:
    raw = str(chunk.metadata.get("dimensions", "") or "")
    return {int(p) for p in raw.split(",") if p.strip().isdigit()}


def build_dimension_map(
    chunks: Iterable[Document],
    entries: Sequence[Any],
    addressed: Mapping[str, frozenset[int]] | None = None,
) -> DimensionMap:
    """Apply :data:`RULE` to the live *chunks* of the documents in *entries*.

    *entries* are manifest entries (anything with ``id`` and ``title``); chunks of a
    document not among them are ignored. *addressed* (chunk id -> dimensions, as the
    snapshot computes them per document) saves reading every text again.
    """
    titles = {e.id: e.title for e in entries}
    passages: dict[str, int] = dict.fromkeys(titles, 0)
    heading: dict[str, dict[int, int]] = {doc_id: {} for doc_id in titles}
    text: dict[str, dict[int, int]] = {doc_id: {} for doc_id in titles}
    total = 0
    corpus_counts: dict[int, int] = dict.fromkeys(DIMENSIONS, 0)
    for chunk in chunks:
        doc_id = str(chunk.metadata.get("document_id", ""))
        if doc_id not in titles:
            continue
        total += 1
        passages[doc_id] += 1
        named = _heading_dimensions(chunk)
        known = addressed.get(chunk.id or "") if addressed is not None else None
        found = known if known is not None else addressed_dimensions(chunk)
        for number in named:
            heading[doc_id][number] = heading[doc_id].get(number, 0) + 1
        for number in found | named:
            corpus_counts[number] += 1
        for number in found:
            text[doc_id][number] = text[doc_id].get(number, 0) + 1
    rate = {n: (corpus_counts[n] / total if total else 0.0) for n in DIMENSIONS}
    documents = {}
    for doc_id, title in titles.items():
        count = passages[doc_id]
        mapped = set(heading[doc_id])
        for number, hits in text[doc_id].items():
            if count and hits / count >= max(MIN_SHARE, LIFT * rate[number]):
                mapped.add(number)
        documents[doc_id] = DocumentDimensions(
            id=doc_id,
            title=title,
            passages=count,
            by_heading=heading[doc_id],
            by_text=text[doc_id],
            dimensions=tuple(sorted(mapped)),
        )
    return DimensionMap(documents=documents, corpus_rate=rate)
