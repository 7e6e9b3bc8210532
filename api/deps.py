"""Dependencies as ``Annotated`` aliases, so handlers read as plain typed parameters.

The app's objects live on ``app.state`` (set by :func:`api.app.create_app`): nothing global.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.errors import ApiError
from api.ratelimit import RateLimits, SlidingWindowLimiter
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


def rate_limited(endpoint: str) -> Callable[[Request], None]:
    """A dependency counting requests to *endpoint* (an ``ENDPOINTS`` name) per client.

    The limit is ``server.rate_limits.<endpoint>``, else ``server.rate_limit_per_minute``;
    the client is the socket peer or, behind a trusted proxy, its ``X-Forwarded-For``.
    """

    def check_rate(request: Request) -> None:
        limits: RateLimits = request.app.state.rate_limits
        peer = request.client.host if request.client else None
        wait = limits.hit(endpoint, peer, request.headers)
        if wait is not None:
            raise rate_limited_error(wait)

    return check_rate


def rate_limited_error(wait: float) -> ApiError:
    """The bilingual 429 with its ``Retry-After``."""
    seconds = SlidingWindowLimiter.retry_after_header(wait)
    return ApiError(
        429,
        "rate_limited",
        f"Quá nhiều yêu cầu, vui lòng thử lại sau {seconds} giây / "
        f"too many requests, retry in {seconds} s",
        headers={"Retry-After": seconds},
    )


Admin = Depends(check_admin)
"""For ``dependencies=[Admin]`` on admin routes."""

RateLimited = Depends(rate_limited("ask"))
"""For ``dependencies=[RateLimited]`` on question routes (ask, stream, OpenAI chat)."""

SearchLimited = Depends(rate_limited("search"))
QuizLimited = Depends(rate_limited("quiz"))
QuizExportLimited = Depends(rate_limited("quiz_export"))
TasksLimited = Depends(rate_limited("tasks"))
"""For ``dependencies=[TasksLimited]`` on the ``/api/tasks`` routes."""
