"""Dependencies as ``Annotated`` aliases, so handlers read as plain typed parameters.

The app's objects live on ``app.state`` (set by :func:`api.app.create_app`): nothing global.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.errors import ApiError
from api.ratelimit import SlidingWindowLimiter
from api.security import require_admin
from assistant.core.facade import Assistant
from assistant.core.settings import Settings

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="PAPI_ADMIN_TOKEN",
    description="Mã quản trị / admin token: `Authorization: Bearer $PAPI_ADMIN_TOKEN`.",
)


def get_assistant(request: Request) -> Assistant:
    """The assistant the app was built with."""
    assistant: Assistant = request.app.state.assistant
    return assistant


def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


AssistantDep = Annotated[Assistant, Depends(get_assistant)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def check_admin(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Admin endpoints: 403 when disabled, 401 without the right bearer token."""
    require_admin(settings.admin_token, credentials.credentials if credentials else None)


def check_rate(request: Request) -> None:
    """Question endpoints: at most ``server.rate_limit_per_minute`` per client address."""
    limiter: SlidingWindowLimiter = request.app.state.limiter
    client = request.client.host if request.client else "unknown"
    wait = limiter.hit(client)
    if wait is not None:
        seconds = limiter.retry_after_header(wait)
        raise ApiError(
            429,
            "rate_limited",
            f"Quá nhiều câu hỏi, vui lòng thử lại sau {seconds} giây / "
            f"too many requests, retry in {seconds} s",
            headers={"Retry-After": seconds},
        )


Admin = Depends(check_admin)
"""For ``dependencies=[Admin]`` on admin routes."""

RateLimited = Depends(check_rate)
"""For ``dependencies=[RateLimited]`` on question routes."""
