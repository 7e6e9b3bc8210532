"""Request and response models of the HTTP API, with Vietnamese examples for the OpenAPI docs.

Response models allow extra keys so fields the assistant adds later pass through unchanged.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

EXAMPLE_QUESTION = "Hạn chót báo cáo kết quả thực hiện kế hoạch PAPI là ngày nào?"
EXAMPLE_DOCUMENT_ID = "ke-hoach-papi-2023-bql-kkt-kcn-quang-nam"


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


# -- shared ---------------------------------------------------------------------------


class Filters(BaseModel):
    """Restrict retrieval to some documents and/or PAPI dimensions (1–8)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"documents": [EXAMPLE_DOCUMENT_ID], "dimensions": [4]}]},
    )

    documents: list[str] = Field(
        default_factory=list, max_length=100, description="Mã văn bản / document ids."
    )
    dimensions: list[int] = Field(
        default_factory=list,
        max_length=8,
        description="Chỉ số nội dung PAPI (1–8) / PAPI dimensions.",
    )

    def as_dict(self) -> dict[str, Any]:
        """The facade's filter dict."""
        return {"documents": self.documents, "dimensions": self.dimensions}


class ChatTurn(BaseModel):
    """One earlier turn of the conversation."""

    model_config = ConfigDict(extra="ignore")

    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)


class ErrorDetail(BaseModel):
    """What went wrong, in Vietnamese / English."""

    code: str = Field(examples=["unauthorized"])
    message: str = Field(examples=["Cần mã quản trị hợp lệ / a valid admin token is required"])
    details: Any = None


class ErrorResponse(BaseModel):
    """Every error response has this shape."""

    error: ErrorDetail


# -- ask ------------------------------------------------------------------------------


class AskRequest(BaseModel):
    """A question, optionally with the conversation so far and filters."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"question": EXAMPLE_QUESTION},
                {
                    "question": "Còn việc công khai thủ tục hành chính thì sao?",
                    "history": [
                        {"role": "user", "content": "Kế hoạch PAPI 2023 có những nhiệm vụ gì?"},
                        {"role": "assistant", "content": "Kế hoạch nêu các nhiệm vụ … [1]"},
                    ],
                    "filters": {"documents": [EXAMPLE_DOCUMENT_ID], "dimensions": [5]},
                },
            ]
        },
    )

    question: str = Field(min_length=1, max_length=2_000, description="Câu hỏi / the question.")
    history: list[ChatTurn] = Field(
        default_factory=list, max_length=50, description="Hội thoại trước đó / earlier turns."
    )
    filters: Filters | None = None


class CitationOut(_Out):
    """Evidence for one [n] marker; ``quote`` is verbatim from the stored passage."""

    n: int = Field(examples=[1])
    document_id: str = Field(examples=[EXAMPLE_DOCUMENT_ID])
    title: str = Field(
        examples=["Cải thiện, nâng cao Chỉ số hiệu quả quản trị và hành chính công (PAPI) năm 2023"]
    )
    number: str = ""
    section: str = Field(examples=["III. TỔ CHỨC THỰC HIỆN"])
    quote: str = Field(examples=["… báo cáo kết quả thực hiện về Ban Quản lý trước ngày …"])
    score: float = 0.0


class RelatedOut(_Out):
    """A nearby document (a pointer, never evidence)."""

    document_id: str
    title: str
    number: str = ""
    section: str = ""


class AnswerOut(_Out):
    """An answer with [n] markers and its citations, or an honest refusal with related documents."""

    question: str = Field(examples=[EXAMPLE_QUESTION])
    answer: str = Field(examples=["Các phòng, đơn vị báo cáo kết quả trước ngày … [1]"])
    grounded: bool = Field(description="False: the documents do not contain the answer.")
    citations: list[CitationOut] = Field(default_factory=list)
    related: list[RelatedOut] = Field(default_factory=list)
    mode: str = Field(examples=["extractive"], description="extractive | llm | refusal")


# -- search ---------------------------------------------------------------------------


class SearchRequest(BaseModel):
    """A hybrid (dense + BM25) passage search."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"query": "kiểm soát tham nhũng trong khu vực công", "k": 5}]
        },
    )

    query: str = Field(min_length=1, max_length=2_000, description="Câu tìm kiếm / the query.")
    k: int = Field(5, ge=1, le=50, description="Số đoạn trả về / passages to return.")
    filters: Filters | None = None


class HitOut(_Out):
    """One retrieved passage."""

    rank: int
    score: float
    text: str
    document_id: str
    title: str
    number: str = ""
    section: str = ""
    section_ref: str = ""


class SearchResponse(BaseModel):
    """Passages, best first."""

    hits: list[HitOut]


# -- documents ------------------------------------------------------------------------


class DocumentOut(_Out):
    """One ingested document and its metadata."""

    id: str = Field(examples=[EXAMPLE_DOCUMENT_ID])
    title: str
    doc_type: str = Field("", examples=["Kế hoạch"])
    number: str = Field("", examples=["3212/KH-UBND"])
    issuer: str = Field(
        "", examples=["Ban Quản lý các Khu kinh tế và Khu công nghiệp tỉnh Quảng Nam"]
    )
    issue_date: str = Field("", examples=["2023"])
    references: list[str] = Field(default_factory=list)
    status: str = Field("in_force", examples=["in_force"])
    superseded_by: str = ""
    notes: str = ""
    source: str = ""
    sha256: str = ""
    chunks: int = 0
    ingested_at: str = ""


class DocumentsResponse(BaseModel):
    """Every ingested document."""

    documents: list[DocumentOut]


class StatusRequest(BaseModel):
    """Mark a document in force, superseded (by which document) or reference material."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"status": "superseded", "superseded_by": "ke-hoach-2024"}]
        },
    )

    status: Literal["in_force", "superseded", "reference"]
    superseded_by: str = Field("", max_length=300)


class IngestResultOut(_Out):
    """What happened to one file."""

    source: str = Field(examples=["ke-hoach-cchc-2024.pdf"])
    status: Literal["added", "unchanged", "replaced", "failed"]
    document_id: str = ""
    title: str = ""
    chunks: int = 0
    embedded: int = 0
    reason: str = ""


class IngestReportOut(BaseModel):
    """Per-file results of one ingest run."""

    ok: bool
    counts: dict[str, int] = Field(
        examples=[{"added": 1, "unchanged": 0, "replaced": 0, "failed": 0}]
    )
    results: list[IngestResultOut]


class RemovedOut(BaseModel):
    """The document that was removed."""

    removed: str


# -- health ---------------------------------------------------------------------------


class HealthOut(BaseModel):
    """Liveness and a little state."""

    status: Literal["ok"] = "ok"
    documents: int
    admin_enabled: bool
    version: str
