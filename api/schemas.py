"""Request and response models of the HTTP API, with Vietnamese examples for the OpenAPI docs.

Response models allow extra keys so fields the assistant adds later pass through unchanged.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

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
    chunk_id: str = ""
    page: int | None = Field(None, description="Page of the source file, when known.")
    scanned: bool = Field(False, description="Read by OCR from a scan: check the original.")


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
    partial: bool = Field(
        False,
        description="True: the documents address the question but not the specific item "
        "asked (see missing); the answer says so first.",
    )
    missing: list[str] = Field(
        default_factory=list, description="What was asked and is not in the documents."
    )


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


class IndexingOut(BaseModel):
    """Background indexing in progress (first start, uploads, re-ingest)."""

    jobs: int = Field(description="Việc đang chờ hoặc đang chạy / queued or running jobs")
    pending_files: int = Field(description="Tệp chưa nạp xong / files not yet indexed")
    done_files: int = Field(description="Tệp đã nạp / files indexed so far")
    kinds: list[str] = Field(examples=[["first-start"]])


class HealthOut(BaseModel):
    """Liveness and a little state."""

    status: Literal["ok"] = "ok"
    documents: int
    admin_enabled: bool
    version: str
    indexing: IndexingOut | None = Field(
        None,
        description="Đang lập chỉ mục (câu trả lời có thể chưa đầy đủ); null khi không / "
        "indexing in progress (answers may be incomplete); null when idle",
    )


class JobProgressOut(BaseModel):
    """How far a job is."""

    done: int
    total: int
    unit: Literal["passages", "pages", "files"] | str
    message: str = ""


class JobOut(BaseModel):
    """A background job: ingest of the corpus folder or of uploaded files."""

    id: str
    kind: str = Field(examples=["upload"], description="upload | ingest | first-start")
    state: Literal["queued", "running", "done", "failed", "interrupted"] = Field(
        description="`interrupted`: the server process running it stopped before it finished"
    )
    progress: JobProgressOut
    created: float = Field(description="UNIX time")
    started: float | None = None
    finished: float | None = None
    result: IngestReportOut | None = Field(
        None, description="Báo cáo nạp khi xong / the ingest report when done"
    )
    error: str = ""


class JobAcceptedOut(BaseModel):
    """An accepted background job: poll ``status_url``."""

    job_id: str
    status_url: str = Field(examples=["/api/jobs/3f2a…"])
    state: Literal["queued", "running", "done", "failed"] = "queued"


class JobsResponse(BaseModel):
    """Recent background jobs, newest first."""

    jobs: list[JobOut]


# -- quiz -----------------------------------------------------------------------------

QuizItemType = Literal["mcq", "true_false", "cloze"]
"""``mcq``: trắc nghiệm A–D; ``true_false``: Đúng/Sai; ``cloze``: điền khuyết."""

QuizFormat = Literal["json", "gift", "aiken", "moodle-xml", "csv", "docx", "md"]
"""The export formats (``assistant.quiz.FORMATS``; a test keeps the two equal)."""

MAX_QUIZ_ITEMS = 200

_QUIZ_PLAN = (
    "Kế hoạch cải thiện, nâng cao Chỉ số PAPI năm 2023 và những năm tiếp theo của Ban Quản lý "
    "các Khu kinh tế và Khu công nghiệp tỉnh Quảng Nam"
)
_QUIZ_QUOTE = (
    "Tăng cường chỉ đạo và triển khai thực hiện ứng dụng công nghệ thông tin trong giải quyết "
    "thủ tục hành chính cho doanh nghiệp;"
)
QUIZ_EXAMPLE: dict[str, Any] = {
    "schema_version": 1,
    "title": "Câu hỏi trắc nghiệm về Chỉ số PAPI và cải cách hành chính",
    "seed": 2024,
    "generator": "rule:v1",
    "documents": [EXAMPLE_DOCUMENT_ID],
    "dimensions": [8],
    "types": ["mcq"],
    "items": [
        {
            "id": "4247d41200b3",
            "type": "mcq",
            "stem": f"Theo {_QUIZ_PLAN}, nhiệm vụ “Tăng cường chỉ đạo và triển khai thực hiện "
            "ứng dụng công nghệ thông tin trong giải quyết thủ tục hành chính…” nhằm cải thiện "
            "chỉ số nội dung nào của PAPI?",
            "options": [
                "Quản trị điện tử",
                "Quản trị môi trường",
                "Cung ứng dịch vụ công",
                "Công khai, minh bạch",
            ],
            "key": 0,
            "explanation": f"Đáp án A. Căn cứ: mục II.8 “Quản trị điện tử”, {_QUIZ_PLAN}: "
            f"“{_QUIZ_QUOTE}”",
            "source": {
                "document_id": EXAMPLE_DOCUMENT_ID,
                "document": _QUIZ_PLAN,
                "doc_type": "Kế hoạch",
                "number": "",
                "section": "II. NHIỆM VỤ VÀ GIẢI PHÁP › 8. Quản trị điện tử",
                "section_ref": "II.8",
                "heading": "8. Quản trị điện tử",
                "quote": _QUIZ_QUOTE,
                "chunk_index": 23,
            },
            "fact": "dimension",
            "answer": "Quản trị điện tử",
            "claim": "",
            "dimensions": [8],
            "tags": ["PAPI", "mcq", "dimension", "chi-so-8"],
            "generator": "rule:v1:dimension",
            "needs_review": False,
        }
    ],
    "dropped": {"key_longest": 3, "too_few_distractors": 2},
}
"""A real item of the shipped corpus, for the OpenAPI docs."""


class QuizRequest(BaseModel):
    """What to ask: how many items, which item types, documents and PAPI dimensions.

    The same body (and the seed the quiz reports) gives the same quiz, so a download from
    ``/api/quiz/export`` matches the preview from ``/api/quiz`` while the documents are
    unchanged.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"n": 10, "seed": 2024},
                {
                    "n": 20,
                    "types": ["mcq", "cloze"],
                    "documents": [EXAMPLE_DOCUMENT_ID],
                    "dimensions": [5, 8],
                    "seed": 7,
                },
            ]
        },
    )

    n: int = Field(10, ge=1, le=MAX_QUIZ_ITEMS, description="Số câu hỏi (1–200) / number of items.")
    types: list[QuizItemType] = Field(
        default_factory=list,
        max_length=3,
        description="Dạng câu hỏi: mcq (trắc nghiệm A–D), true_false (Đúng/Sai), cloze "
        "(điền khuyết); để trống: cả ba / item types ([]: all).",
    )
    documents: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="Chỉ hỏi về các văn bản này; để trống: mọi văn bản còn hiệu lực / "
        "document ids ([]: every document not superseded).",
    )
    dimensions: list[Annotated[int, Field(ge=1, le=8)]] = Field(
        default_factory=list,
        max_length=8,
        description="Chỉ hỏi về các chỉ số nội dung PAPI này (1–8) / PAPI dimensions.",
    )
    seed: int | None = Field(
        None,
        ge=0,
        le=2**31 - 1,
        description="Mã đề: cùng mã đề và lựa chọn cho cùng một đề; để trống: ngẫu nhiên (đề "
        "trả về ghi mã đề đã dùng) / seed (null: random; the quiz reports the one used).",
    )


# -- library: passages of a document, the dimension map ------------------------------


class PassageOut(_Out):
    """One stored passage of a document, exactly as it is cited."""

    index: int = Field(examples=[0])
    section: str = Field("", examples=["II. Nhiệm vụ và giải pháp › 4. Kiểm soát tham nhũng"])
    text: str
    page: int | None = Field(None, description="Trang (PDF) nếu biết / page where known")


class DocumentDetailOut(_Out):
    """A document's metadata and its passages in text order (``?passages=true``)."""

    document: DocumentOut
    passages: list[PassageOut]


class DimensionDocumentOut(_Out):
    """A document mapped to a dimension and the share of its passages that address it."""

    id: str
    title: str
    share: float = Field(examples=[0.97])
    by_heading: bool = Field(False, description="Một đề mục của văn bản nêu tên chỉ số")


class DimensionOut(_Out):
    """One PAPI dimension and the documents that govern it, largest share first."""

    number: int = Field(ge=1, le=8, examples=[3])
    name: str = Field(examples=["Trách nhiệm giải trình với người dân"])
    corpus_rate: float
    documents: list[DimensionDocumentOut]


class DimensionMapOut(_Out):
    """The dimension → documents map and the rule that derived it."""

    rule: str
    dimensions: list[DimensionOut]
