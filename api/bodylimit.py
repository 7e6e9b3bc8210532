"""Request body limits with the API's JSON error (Starlette's own limit answers in plain text).

A declared ``Content-Length`` over the limit is refused before anything is read; a body
without one (chunked) is counted as it arrives and refused once it passes the limit.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ApiError, error_body

_MB = 1024 * 1024


def too_large(limit: int) -> ApiError:
    """The 413 error for a body over *limit* bytes."""
    mb = f"{limit / _MB:.2g}"
    return ApiError(
        413,
        "too_large",
        f"Dữ liệu gửi lên vượt quá giới hạn {mb} MB / request body exceeds the {mb} MB limit",
    )


class BodyLimitMiddleware:
    """Refuse request bodies larger than ``limit_for(path)`` bytes with a JSON 413."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _reject(send, too_large(limit))
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the handler's body read, where FastAPI passes HTTP
                    # exceptions (only) on to the error handlers, which render JSON.
                    raise HTTPException(413, detail=too_large(limit).message)
            return message

        await self.app(scope, limited, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _reject(send: Send, error: ApiError) -> None:
    import json

    body = json.dumps(error_body(error.code, error.message), ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
