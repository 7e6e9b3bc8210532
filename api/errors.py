"""JSON errors with a bilingual (Vietnamese / English) message, one shape for every route.

Every error body is ``{"error": {"code": ..., "message": ..., "details": ...}}``; the
``message`` key also satisfies clients of the OpenAI API, which read ``error.message``.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("api")

_STATUS_MESSAGES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "Yêu cầu không hợp lệ / bad request"),
    401: ("unauthorized", "Cần mã quản trị hợp lệ / a valid admin token is required"),
    403: ("forbidden", "Không có quyền / forbidden"),
    404: ("not_found", "Không tìm thấy / not found"),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ / method not allowed"),
    413: ("too_large", "Dữ liệu gửi lên quá lớn / request body too large"),
    415: ("unsupported_media_type", "Định dạng không được hỗ trợ / unsupported media type"),
    422: ("invalid_request", "Dữ liệu gửi lên không hợp lệ / invalid request"),
    429: ("rate_limited", "Quá nhiều yêu cầu, vui lòng thử lại sau / too many requests"),
    500: ("internal_error", "Lỗi máy chủ, vui lòng thử lại sau / internal server error"),
}


class ApiError(Exception):
    """An error a route raises on purpose; rendered as the JSON error body."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The JSON error body (also used inside streams)."""
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"error": error}


def _response(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return _response(exc.status, exc.code, exc.message, exc.details, exc.headers)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, message = _STATUS_MESSAGES.get(exc.status_code, ("error", "Lỗi / error"))
    # Starlette's own details ("Not Found", multipart parse errors) are safe to echo.
    details = exc.detail if isinstance(exc.detail, str) and exc.detail != message else None
    return _response(exc.status_code, code, message, details, dict(exc.headers or {}) or None)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Only where and what: never echo the submitted input back (it may be large or secret).
    details = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    code, message = _STATUS_MESSAGES[422]
    return _response(422, code, message, details)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    code, message = _STATUS_MESSAGES[500]
    return _response(500, code, message)


def install_error_handlers(app: FastAPI) -> None:
    """Render every error of *app* as the JSON error body."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
