"""The application factory: one FastAPI app for the API, the OpenAI-compatible API and the UI."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import RedirectResponse

from api import library, openai_compat, routes
from api import tasks as task_routes
from api.bodylimit import BodyLimitMiddleware
from api.docs import install_docs
from api.errors import install_error_handlers
from api.ratelimit import RateLimits
from api.uisession import UploadGuard
from assistant.core.facade import Assistant
from assistant.core.settings import Settings

UI_PATH = "/ui"
UI_UPLOAD_ROUTES = ("/gradio_api/upload",)
"""Gradio 6's upload route(s) under the UI's mount path (``gradio/routes.py``)."""
_MB = 1024 * 1024
_MULTIPART_OVERHEAD = 256 * 1024
"""Room for multipart boundaries and headers on top of the file size limit."""

DESCRIPTION = """
**Trợ lý PAPI & CCHC** — hỏi đáp có trích dẫn trên các văn bản đã nạp, tìm kiếm đoạn văn bản,
quản lý văn bản, đề trắc nghiệm cho giảng viên. Giao diện người dùng: [/ui](/ui).

- Lỗi luôn là JSON: `{"error": {"code", "message", "details"}}`, thông điệp song ngữ Việt / Anh.
- Các thao tác quản trị (tải lên, xoá, nạp lại, đặt hiệu lực) cần
  `Authorization: Bearer $PAPI_ADMIN_TOKEN`; khi chưa đặt mã, chúng bị tắt.
- `/v1/models` và `/v1/chat/completions` tương thích với OpenAI (kể cả `stream: true`).
- `/api/quiz` tạo đề trắc nghiệm có đáp án và căn cứ; `/api/quiz/export` tải đề đó (cùng
  mã đề `seed`) dạng GIFT, Moodle XML, Aiken, CSV, DOCX, Markdown hoặc JSON.

Citation-grounded Q&A over the ingested documents, passage search, document management,
an OpenAI-compatible chat endpoint, and quiz material for trainers.
"""

TAGS = [
    {"name": "hỏi đáp", "description": "Hỏi đáp và tìm kiếm / questions and search"},
    {"name": "văn bản", "description": "Văn bản đã nạp / ingested documents"},
    {"name": "trắc nghiệm", "description": "Đề trắc nghiệm cho giảng viên / quizzes"},
    {"name": "nhiệm vụ", "description": "Nhiệm vụ theo kế hoạch, trạng thái / plan tasks"},
    {"name": "quản trị", "description": "Cần mã quản trị / admin token required"},
    {"name": "tương thích OpenAI", "description": "OpenAI-compatible chat API"},
    {"name": "hệ thống", "description": "Health"},
]


def create_app(
    assistant: Assistant, settings: Settings | None = None, *, ui: bool = True
) -> FastAPI:
    """Build the app around an already built *assistant* (tests pass their own).

    *settings* defaults to the assistant's; ``ui=False`` leaves the Gradio UI out
    (API-only tests, embedding in another server).
    """
    settings = settings or assistant.settings
    server = settings.server
    upload_limit = int(server.max_upload_mb * _MB)
    app = FastAPI(
        title="PAPI Assistant API",
        description=DESCRIPTION,
        version=routes.app_version(),
        openapi_tags=TAGS,
        docs_url=None,
        redoc_url=None,
    )
    app.state.assistant = assistant
    app.state.settings = settings
    app.state.rate_limits = RateLimits.from_settings(server)
    install_error_handlers(app)
    install_docs(app)
    large = upload_limit + _MULTIPART_OVERHEAD

    def body_limit(path: str) -> int:
        # Uploads (API and UI) may be large; questions and everything else are small.
        if path == "/api/documents" or path.startswith(f"{UI_PATH}/"):
            return large
        return routes.JSON_BODY_LIMIT

    app.add_middleware(BodyLimitMiddleware, limit_for=body_limit)
    if ui:
        # Outside the body limit: an upload without an admin session is refused unread.
        ui_uploads = {f"{UI_PATH}{route}" for route in UI_UPLOAD_ROUTES}
        app.add_middleware(
            UploadGuard,
            admin_token=settings.admin_token,
            protected=lambda path: path.rstrip("/") in ui_uploads,
        )
    if server.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=server.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.include_router(routes.router)
    app.include_router(openai_compat.router)
    app.include_router(library.router)
    app.include_router(task_routes.router)

    home = f"{UI_PATH}/" if ui else "/docs"

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(home)

    if ui:
        from ui.app import mount_ui

        mount_ui(
            app,
            assistant,
            path=UI_PATH,
            max_file_bytes=upload_limit,
            rate_limit=app.state.rate_limits.hit,
        )
    return app


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` and ``papi serve --workers N``.

    Each worker process calls it: settings come from the ``PAPI_*`` environment and the
    assistant is built in that process (a Chroma client cannot cross a process boundary).
    Workers share one Chroma server and reload their view when its generation changes.
    """
    from assistant.core.composition import build_assistant

    settings = Settings()  # type: ignore[call-arg]  # values come from PAPI_* variables
    return create_app(build_assistant(settings), settings)
