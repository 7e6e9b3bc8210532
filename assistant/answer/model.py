"""The answer types every front end shows: an answer text with [n] markers and its citations."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

REFUSAL = (
    "Chưa tìm thấy nội dung này trong các văn bản đã nạp. "
    "Anh/chị vui lòng diễn đạt lại câu hỏi hoặc liên hệ đơn vị phụ trách để được hướng dẫn."
)
"""The fixed, polite reply when the documents do not contain the answer."""


@dataclass(frozen=True)
class Citation:
    """Evidence for one [n] marker; ``quote`` is a verbatim substring of the stored passage."""

    n: int
    document_id: str
    title: str
    number: str
    section: str
    quote: str
    score: float
    doc_type: str = ""
    status: str = "in_force"
    superseded_by: str = ""
    chunk_id: str = ""
    page: int | None = None
    """Page of the source file the passage starts on (PDFs and scans), when known."""
    scanned: bool = False
    """True when the passage was read by OCR from a scan: check the original."""


@dataclass(frozen=True)
class RelatedDocument:
    """A nearby document, shown as a pointer — never as evidence."""

    document_id: str
    title: str
    number: str = ""
    section: str = ""


@dataclass
class Answer:
    """What ``Assistant.ask`` returns."""

    question: str
    answer: str
    grounded: bool
    citations: list[Citation] = field(default_factory=list)
    related: list[RelatedDocument] = field(default_factory=list)
    mode: Literal["extractive", "llm", "refusal"] = "extractive"
    condensed_question: str = ""
    partial: bool = False
    """True when the documents address the question but not the specific item asked."""
    missing: list[str] = field(default_factory=list)
    """What was asked and not found (a number, date, name, place…), in Vietnamese."""

    def as_dict(self) -> dict[str, Any]:
        """The public JSON shape (API, CLI --json)."""
        return {
            "question": self.question,
            "answer": self.answer,
            "grounded": self.grounded,
            "citations": [asdict(c) for c in self.citations],
            "related": [asdict(r) for r in self.related],
            "mode": self.mode,
            "partial": self.partial,
            "missing": list(self.missing),
        }
