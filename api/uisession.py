"""The web UI's admin session: checked before Gradio stores a single uploaded byte.

Gradio writes an upload to disk as soon as a file is picked, before any event handler
(and so before the admin token) runs. The admin therefore logs in first: ``POST
/api/ui-session`` with the bearer token sets a short-lived, HMAC-signed, HttpOnly cookie,
and :class:`UploadGuard` refuses uploads to Gradio's upload route without a valid one
(401/403, JSON) before the body is read. The cookie is signed with a key derived from
the admin token, so every worker accepts it and changing the token ends every session.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from http.cookies import SimpleCookie

from pydantic import SecretStr
from starlette.types import ASGIApp, Receive, Scope, Send

from api.security import ADMIN_DISABLED

COOKIE = "papi_admin"
SESSION_SECONDS = 30 * 60
"""How long an admin login lasts in the UI."""

NEED_LOGIN = (
    "Cần đăng nhập quản trị trước khi tải tệp lên / "
    "log in as admin (Văn bản tab) before uploading files"
)


def _key(admin_token: SecretStr) -> bytes:
    return hmac.new(
        admin_token.get_secret_value().encode("utf-8"), b"papi-ui-session-v1", hashlib.sha256
    ).digest()


def issue(admin_token: SecretStr, *, now: float | None = None) -> str:
    """A new session cookie value: ``expiry.nonce.signature``."""
    expiry = int((now if now is not None else time.time()) + SESSION_SECONDS)
    payload = f"{expiry}.{secrets.token_urlsafe(16)}"
    signature = hmac.new(_key(admin_token), payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{signature}"


def valid(admin_token: SecretStr, value: str | None, *, now: float | None = None) -> bool:
    """True for an unexpired cookie signed with the current admin token."""
    if not admin_token.get_secret_value() or not value:
        return False
    payload, _, signature = value.rpartition(".")
    expected = hmac.new(_key(admin_token), payload.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        return False
    expiry = payload.split(".", 1)[0]
    return expiry.isdigit() and int(expiry) > (now if now is not None else time.time())


def cookie_from_headers(headers: object) -> str | None:
    """The session cookie in a ``Cookie`` header (ASGI header pairs or a mapping)."""
    raw = ""
    if isinstance(headers, list | tuple):
        raw = "; ".join(v.decode("latin-1") for k, v in headers if k == b"cookie")
    elif hasattr(headers, "get"):
        raw = headers.get("cookie") or ""
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # noqa: BLE001 - a malformed cookie header is just no session
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel else None


class UploadGuard:
    """Refuse POSTs to *protected* paths without a valid admin session, body unread."""

    def __init__(
        self, app: ASGIApp, admin_token: SecretStr, protected: Callable[[str], bool]
    ) -> None:
        self.app = app
        self.admin_token = admin_token
        self.protected = protected

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope.get("method") == "POST"
            and self.protected(scope["path"])
        ):
            if not self.admin_token.get_secret_value():
                await _refuse(send, 403, "admin_disabled", ADMIN_DISABLED)
                return
            if not valid(self.admin_token, cookie_from_headers(scope.get("headers", []))):
                await _refuse(send, 401, "unauthorized", NEED_LOGIN)
                return
        await self.app(scope, receive, send)


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    from api.errors import error_body

    body = json.dumps(error_body(code, message), ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
