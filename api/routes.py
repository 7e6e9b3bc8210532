"""The product's HTTP routes: thin wrappers that parse input, call the facade, shape output."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api import uisession
from api.deps import (
    Admin,
    AssistantDep,
    QuizExportLimited,
    QuizLimited,
    RateLimited,
    SearchLimited,
    SettingsDep,
)
from api.errors import ApiError, error_body
from api.schemas import (
    EXAMPLE_DOCUMENT_ID,
    QUIZ_EXAMPLE,
    AnswerOut,
    AskRequest,
    DocumentDetailOut,
    DocumentOut,
    DocumentsResponse,
    ErrorResponse,
    HealthOut,
    IndexingOut,
    IngestReportOut,
    JobAcceptedOut,
    JobOut,
    JobsResponse,
    QuizFormat,
    QuizRequest,
    RemovedOut,
    SearchRequest,
    SearchResponse,
    StatusRequest,
)
from assistant.answer.model import Answer
from assistant.core.facade import Assistant, report_as_dict
from assistant.core.jobs import Job
from assistant.index import IngestReport
from assistant.quiz.model import Quiz

JSON_BODY_LIMIT = 1024 * 1024
"""Question and search bodies are small; uploads have their own, configurable limit."""

MAX_FILES_PER_UPLOAD = 20
_MB = 1024 * 1024

router = APIRouter()
log = logging.getLogger("api")

DocumentId = Annotated[
    str,
    Path(min_length=1, max_length=300, examples=[EXAMPLE_DOCUMENT_ID], description="Mã văn bản"),
]

_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorResponse, "description": "Dữ liệu không hợp lệ / invalid request"},
}
_ADMIN_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "Thiếu hoặc sai mã quản trị / bad token"},
    403: {"model": ErrorResponse, "description": "Quản trị đang tắt / admin disabled"},
    **_ERRORS,
}
_RATE_ERRORS: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorResponse, "description": "Quá nhiều yêu cầu / rate limited"},
    **_ERRORS,
}


def _filters(body: AskRequest | SearchRequest) -> dict[str, Any] | None:
    return body.filters.as_dict() if body.filters else None


def report_out(report: IngestReport) -> dict[str, Any]:
    """The public JSON shape of an ingest report."""
    return report_as_dict(report)


WaitQuery = Annotated[
    bool,
    Query(
        description="true: chờ nạp xong rồi trả báo cáo (200) thay vì 202 ngay / "
        "wait for the ingest and answer with its report (200) instead of 202 at once",
    ),
]


# -- health ---------------------------------------------------------------------------


@router.get("/health", tags=["hệ thống"], response_model=HealthOut, summary="Tình trạng / health")
def health(assistant: AssistantDep, settings: SettingsDep) -> HealthOut:
    """Trả lời khi máy chủ sẵn sàng / the server is up; number of documents."""
    indexing = assistant.indexing()
    return HealthOut(
        documents=len(assistant.documents()),
        admin_enabled=bool(settings.admin_token.get_secret_value()),
        version=app_version(),
        indexing=IndexingOut(**indexing) if indexing else None,
    )


def app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("papi-assistant")
    except PackageNotFoundError:
        return "0+unknown"


# -- questions ------------------------------------------------------------------------


@router.post(
    "/api/ask",
    tags=["hỏi đáp"],
    response_model=AnswerOut,
    dependencies=[RateLimited],
    responses=_RATE_ERRORS,
    summary="Hỏi đáp có trích dẫn / ask",
)
def ask(body: AskRequest, assistant: AssistantDep) -> dict[str, Any]:
    """Trả lời từ các văn bản đã nạp, kèm trích dẫn [n]; nếu không có thì nói rõ.

    Answers from the ingested documents with [n] citations, or refuses honestly
    (``grounded: false``) and lists related documents.
    """
    history = [t.model_dump() for t in body.history]
    return assistant.ask(body.question, history, _filters(body)).as_dict()


@router.post(
    "/api/ask/stream",
    tags=["hỏi đáp"],
    dependencies=[RateLimited],
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "NDJSON: các dòng `delta`, rồi một dòng `answer` / "
            "deltas, then the answer",
            "content": {
                "application/x-ndjson": {
                    "example": '{"type": "delta", "text": "Các phòng, đơn vị báo cáo "}\n'
                    '{"type": "answer", "answer": {"question": "…", "answer": "… [1]", '
                    '"grounded": true, "citations": [], "related": [], "mode": "extractive"}}\n'
                }
            },
        },
        **_RATE_ERRORS,
    },
    summary="Hỏi đáp, trả về dần / ask, streamed as NDJSON",
)
def ask_stream(body: AskRequest, assistant: AssistantDep) -> StreamingResponse:
    """Như `/api/ask` nhưng trả về từng phần (NDJSON) / like `/api/ask`, streamed.

    Each line is a JSON object: ``{"type": "delta", "text": ...}`` while the answer is
    composed, then ``{"type": "answer", "answer": {...}}`` (the same shape as `/api/ask`),
    or ``{"type": "error", "error": {...}}`` when something failed midway.
    """
    history = [t.model_dump() for t in body.history]
    events = assistant.ask_stream(body.question, history, _filters(body))
    return StreamingResponse(
        _ndjson(events),
        media_type="application/x-ndjson",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _ndjson(events: Iterable[str | Answer]) -> Iterator[str]:
    try:
        for event in events:
            if isinstance(event, Answer):
                line: dict[str, Any] = {"type": "answer", "answer": event.as_dict()}
            else:
                line = {"type": "delta", "text": event}
            yield json.dumps(line, ensure_ascii=False) + "\n"
    except Exception:  # noqa: BLE001 - the status line is sent; report the failure in-band
        log.exception("streamed answer failed")
        error = error_body("internal_error", "Lỗi máy chủ / internal server error")
        yield json.dumps({"type": "error", **error}, ensure_ascii=False) + "\n"


@router.post(
    "/api/search",
    tags=["hỏi đáp"],
    response_model=SearchResponse,
    dependencies=[SearchLimited],
    responses=_RATE_ERRORS,
    summary="Tìm đoạn văn bản / search passages",
)
def search(body: SearchRequest, assistant: AssistantDep) -> dict[str, Any]:
    """Tìm kiếm lai (ngữ nghĩa + từ khoá) / hybrid dense + BM25 search."""
    hits = assistant.search(body.query, body.k, _filters(body))
    return {"hits": [h.as_dict() for h in hits]}


# -- documents ------------------------------------------------------------------------


@router.get(
    "/api/documents",
    tags=["văn bản"],
    response_model=DocumentsResponse,
    summary="Danh sách văn bản / list documents",
)
def list_documents(assistant: AssistantDep) -> dict[str, Any]:
    """Mọi văn bản đã nạp cùng siêu dữ liệu / every ingested document with its metadata."""
    return {"documents": [d.public() for d in assistant.documents()]}


@router.get(
    "/api/documents/{document_id}",
    tags=["văn bản"],
    response_model=DocumentOut | DocumentDetailOut,
    responses={404: {"model": ErrorResponse}},
    summary="Một văn bản / one document",
)
def get_document(
    document_id: DocumentId,
    assistant: AssistantDep,
    passages: Annotated[
        bool, Query(description="Kèm các đoạn đã lưu / include the stored passages")
    ] = False,
) -> dict[str, Any]:
    """Siêu dữ liệu của một văn bản; với ``passages=true``: ``{"document", "passages"}``
    như ``papi show --json`` / one document's metadata, or with its passages."""
    if passages:
        detail = assistant.show(document_id)
        if detail is None:
            raise _not_found(document_id)
        return detail
    entry = assistant.document(document_id)
    if entry is None:
        raise _not_found(document_id)
    return entry.public()


_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "Một hoặc nhiều tệp (PDF, DOCX, MD, TXT, HTML) / "
                            "one or more files",
                        }
                    },
                }
            }
        },
    }
}


@router.post(
    "/api/documents",
    tags=["quản trị"],
    status_code=202,
    response_model=JobAcceptedOut,
    dependencies=[Admin],
    openapi_extra=_UPLOAD_BODY,
    responses={
        200: {"model": IngestReportOut, "description": "Với `wait=true`: báo cáo / the report"},
        413: {"model": ErrorResponse, "description": "Tệp quá lớn / too large"},
        415: {"model": ErrorResponse, "description": "Không phải multipart / not multipart"},
        **_ADMIN_ERRORS,
    },
    summary="Tải lên và nạp văn bản / upload documents",
)
async def upload_documents(
    request: Request, assistant: AssistantDep, settings: SettingsDep, wait: WaitQuery = False
) -> Any:
    """Tải lên một hoặc nhiều tệp (trường `file`); việc nạp chạy nền (cần mã quản trị).

    Upload one or more files in the multipart field `file` (admin). The answer is `202`
    at once with a `job_id`: `GET /api/jobs/{job_id}` reports progress and, when done,
    the per-file report. With `wait=true` the request waits and returns the report
    (`200`); a file that is corrupt, unsupported or empty is then refused (422) and
    changes nothing, and with several files the readable ones are still ingested and
    the 422 error's `details` hold the per-file report. A file over the size limit is
    always refused at once (413).
    """
    # The body is read here, after the admin check, so anonymous clients cannot make the
    # server buffer an upload.
    limit = int(settings.server.max_upload_mb * _MB)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise ApiError(
            415,
            "unsupported_media_type",
            "Hãy gửi tệp dạng multipart/form-data trong trường 'file' / "
            "send the files as multipart/form-data in the field 'file'",
        )
    files: list[tuple[str, bytes]] = []
    async with request.form(max_files=MAX_FILES_PER_UPLOAD, max_fields=10) as form:
        for item in form.getlist("file"):
            if not isinstance(item, UploadFile):
                continue
            data = await item.read(limit + 1)
            name = _safe_name(item.filename)
            if len(data) > limit:
                raise _too_large(settings.server.max_upload_mb, name)
            files.append((name, data))
    if not files:
        raise ApiError(
            422,
            "no_file",
            "Chưa có tệp nào trong trường 'file' / no file in the multipart field 'file'",
        )
    job = assistant.submit_uploads(files)
    if not wait:
        return _accepted(job)
    finished = await run_in_threadpool(assistant.wait_job, job.id)
    return JSONResponse(_finished_report(finished))


def _accepted(job: Job) -> JSONResponse:
    body = {"job_id": job.id, "status_url": f"/api/jobs/{job.id}", "state": job.state}
    return JSONResponse(body, status_code=202, headers={"Location": body["status_url"]})


def _finished_report(job: Job) -> dict[str, Any]:
    """The report of a finished ingest job, or the error today's synchronous API gave."""
    if job.state == "failed" or job.result is None:
        raise ApiError(500, "internal_error", "Lỗi máy chủ / internal server error")
    report = job.result
    if not report["ok"]:
        nothing = report["counts"]["failed"] == len(report["results"])
        raise ApiError(
            422,
            "unreadable_upload",
            (
                "Tệp bị hỏng, rỗng hoặc không được hỗ trợ; chưa có gì thay đổi / "
                "the file is corrupt, empty or unsupported; nothing was changed"
            )
            if nothing
            else (
                "Một số tệp bị hỏng, rỗng hoặc không được hỗ trợ và không được nạp; các tệp "
                "khác đã được nạp (xem details) / some files are corrupt, empty or "
                "unsupported and were not ingested; the others were (see details)"
            ),
            details=report,
        )
    return report


def _safe_name(filename: str | None) -> str:
    """The bare file name a client sent (no directories), or a neutral default."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()
    return name[:200] or "tep-tai-len"


def _too_large(limit_mb: float, name: str) -> ApiError:
    return ApiError(
        413,
        "too_large",
        f"Tệp '{name}' vượt quá giới hạn {limit_mb:g} MB / "
        f"'{name}' exceeds the {limit_mb:g} MB limit",
    )


def _not_found(document_id: str) -> ApiError:
    return ApiError(
        404,
        "document_not_found",
        f"Không có văn bản '{document_id}' / no document '{document_id}'",
    )


@router.delete(
    "/api/documents/{document_id}",
    tags=["quản trị"],
    response_model=RemovedOut,
    dependencies=[Admin],
    responses={404: {"model": ErrorResponse}, **_ADMIN_ERRORS},
    summary="Xoá văn bản / remove a document",
)
def remove_document(document_id: DocumentId, assistant: AssistantDep) -> dict[str, str]:
    """Xoá văn bản và các đoạn của nó khỏi chỉ mục (cần mã quản trị) / remove (admin)."""
    if not assistant.remove(document_id):
        raise _not_found(document_id)
    return {"removed": document_id}


@router.put(
    "/api/documents/{document_id}/status",
    tags=["quản trị"],
    response_model=DocumentOut,
    dependencies=[Admin],
    responses={404: {"model": ErrorResponse}, **_ADMIN_ERRORS},
    summary="Đặt hiệu lực văn bản / set a document's status",
)
def set_status(
    document_id: DocumentId, body: StatusRequest, assistant: AssistantDep
) -> dict[str, Any]:
    """Đánh dấu còn hiệu lực, đã bị thay thế (bởi văn bản nào) hoặc tài liệu tham khảo."""
    try:
        return assistant.set_status(document_id, body.status, body.superseded_by).public()
    except KeyError:
        raise _not_found(document_id) from None


@router.post(
    "/api/documents/reingest",
    tags=["quản trị"],
    status_code=202,
    response_model=JobAcceptedOut,
    dependencies=[Admin],
    responses={
        200: {"model": IngestReportOut, "description": "Với `wait=true`: báo cáo / the report"},
        **_ADMIN_ERRORS,
    },
    summary="Nạp lại thư mục corpus / re-ingest the corpus folder",
)
def reingest(assistant: AssistantDep, wait: WaitQuery = False) -> Any:
    """Nạp lại thư mục văn bản gốc, chạy nền; tệp không đổi được bỏ qua (cần mã quản trị).

    Re-ingest the corpus folder (admin) as a background job (`202` with its `job_id`;
    `wait=true`: wait and return the report). Unchanged files are skipped, changed ones
    replaced.
    """
    job = assistant.submit_ingest()
    if not wait:
        return _accepted(job)
    finished = assistant.wait_job(job.id)
    if finished.state == "failed" or finished.result is None:
        raise ApiError(500, "internal_error", "Lỗi máy chủ / internal server error")
    return JSONResponse(finished.result)


# -- the web UI's admin session --------------------------------------------------------


@router.post(
    "/api/ui-session",
    tags=["quản trị"],
    status_code=204,
    dependencies=[Admin],
    responses=_ADMIN_ERRORS,
    summary="Đăng nhập quản trị cho giao diện web / admin login for the web UI",
)
def ui_login(request: Request, settings: SettingsDep) -> Response:
    """Đặt cookie phiên quản trị ngắn hạn để giao diện web được tải tệp lên (cần mã quản trị).

    Sets a short-lived, signed, HttpOnly admin session cookie: the web UI's upload route
    refuses files without it, before storing any byte (admin).
    """
    response = Response(status_code=204)
    response.set_cookie(
        uisession.COOKIE,
        uisession.issue(settings.admin_token),
        max_age=uisession.SESSION_SECONDS,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.delete(
    "/api/ui-session",
    tags=["quản trị"],
    status_code=204,
    summary="Đăng xuất quản trị / admin logout for the web UI",
)
def ui_logout() -> Response:
    """Xoá cookie phiên quản trị / drop the admin session cookie."""
    response = Response(status_code=204)
    response.delete_cookie(uisession.COOKIE, path="/", httponly=True, samesite="strict")
    return response


# -- jobs -----------------------------------------------------------------------------

JobId = Annotated[str, Path(min_length=1, max_length=64, description="Mã việc / job id")]


@router.get(
    "/api/jobs",
    tags=["quản trị"],
    response_model=JobsResponse,
    dependencies=[Admin],
    responses=_ADMIN_ERRORS,
    summary="Các việc nạp gần đây / recent ingest jobs",
)
def list_jobs(assistant: AssistantDep) -> dict[str, Any]:
    """Các việc nạp nền gần đây, mới nhất trước (cần mã quản trị) / recent jobs (admin)."""
    return {"jobs": [job.as_dict() for job in assistant.jobs()]}


@router.get(
    "/api/jobs/{job_id}",
    tags=["quản trị"],
    response_model=JobOut,
    dependencies=[Admin],
    responses={404: {"model": ErrorResponse}, **_ADMIN_ERRORS},
    summary="Tiến độ một việc nạp / one job's state and progress",
)
def get_job(job_id: JobId, assistant: AssistantDep) -> dict[str, Any]:
    """Trạng thái (queued, running, done, failed), tiến độ và báo cáo khi xong (cần mã quản trị).

    State, progress (`done` of `total` files, passages or pages) and, when done, the
    ingest report (admin). Records of finished jobs are kept for a while, then forgotten.
    Any server process answers for every job; a job whose process stopped before it
    finished is `interrupted`.
    """
    job = assistant.job(job_id)
    if job is None:
        raise ApiError(404, "job_not_found", f"Không có việc '{job_id}' / no job '{job_id}'")
    return job.as_dict()


# -- quiz -----------------------------------------------------------------------------

_QUIZ_FILE = {"schema": {"type": "string", "format": "binary"}}
_QUIZ_MEDIA_TYPES = {
    "application/json": _QUIZ_FILE,
    "text/plain": _QUIZ_FILE,
    "application/xml": _QUIZ_FILE,
    "text/csv": _QUIZ_FILE,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _QUIZ_FILE,
    "text/markdown": _QUIZ_FILE,
}

QuizFormatQuery = Annotated[
    QuizFormat,
    Query(
        alias="format",
        description="json | gift (Moodle) | aiken | moodle-xml | csv (Excel) | docx (bản in) | "
        "md (bản in, Markdown)",
        examples=["docx"],
    ),
]


def _make_quiz(assistant: Assistant, body: QuizRequest) -> Quiz:
    try:
        return assistant.quiz(
            n=body.n,
            types=body.types or None,
            documents=body.documents or None,
            dimensions=body.dimensions or None,
            seed=body.seed,
        )
    except ValueError as exc:
        raise ApiError(
            422,
            "invalid_quiz_request",
            "Không tạo được đề với lựa chọn này (xem details) / "
            "no quiz can be made with these options (see details)",
            details=str(exc),
        ) from None


@router.post(
    "/api/quiz",
    tags=["trắc nghiệm"],
    response_model=Quiz,
    dependencies=[QuizLimited],
    responses={200: {"content": {"application/json": {"example": QUIZ_EXAMPLE}}}, **_RATE_ERRORS},
    summary="Tạo đề trắc nghiệm / generate a quiz",
)
def make_quiz(body: QuizRequest, assistant: AssistantDep) -> Quiz:
    """Tạo đề trắc nghiệm từ các văn bản đã nạp: mỗi câu có đáp án và căn cứ (trích dẫn
    nguyên văn); câu do mô hình ngôn ngữ viết có `needs_review: true`.

    A validated quiz from the ingested documents; each item has its key, an explanation
    and a verbatim source quote. The quiz reports its `seed`: send it back (with the same
    options) to `/api/quiz/export` to download this very quiz. Up to `n` items: fewer when
    the selected documents and dimensions hold fewer facts.
    """
    return _make_quiz(assistant, body)


@router.post(
    "/api/quiz/export",
    tags=["trắc nghiệm"],
    response_class=Response,
    responses={
        200: {
            "description": "Tệp đề (tải về) / the quiz file, as an attachment",
            "content": _QUIZ_MEDIA_TYPES,
        },
        **_RATE_ERRORS,
    },
    dependencies=[QuizExportLimited],
    summary="Tải đề trắc nghiệm / download a quiz",
)
def export_quiz(body: QuizRequest, fmt: QuizFormatQuery, assistant: AssistantDep) -> Response:
    """Tạo đề như `/api/quiz` rồi trả về tệp theo định dạng `format` (cùng mã đề, cùng đề).

    Generates the quiz as `/api/quiz` does and returns it as a file download in `format`:
    Moodle (GIFT, Moodle XML, Aiken), a spreadsheet (CSV, UTF-8 with BOM), the printable
    Vietnamese form (DOCX, Markdown) or JSON. The headers `X-Quiz-Seed` and
    `X-Quiz-Items` give the seed used and the number of items.
    """
    quiz = _make_quiz(assistant, body)
    try:
        content, media_type, filename = assistant.export_quiz(quiz, fmt)
    except ValueError as exc:  # a format the schema allows but the exporters lost
        raise ApiError(
            422,
            "invalid_quiz_format",
            "Định dạng không được hỗ trợ / unsupported quiz format",
            details=str(exc),
        ) from None
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Quiz-Seed": str(quiz.seed),
            "X-Quiz-Items": str(len(quiz.items)),
        },
    )
