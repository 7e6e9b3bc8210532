"""Admin authorisation: ``Authorization: Bearer <PAPI_ADMIN_TOKEN>``, compared in constant time.

With no token configured the admin endpoints are disabled; there is never a default token.
The supplied and the configured token are never logged or echoed in an error.
"""

from __future__ import annotations

import hmac

from pydantic import SecretStr

from api.errors import ApiError

ADMIN_DISABLED = (
    "Chức năng quản trị đang tắt vì chưa đặt PAPI_ADMIN_TOKEN / "
    "admin endpoints are disabled: PAPI_ADMIN_TOKEN is not set"
)
BAD_TOKEN = (
    "Cần mã quản trị hợp lệ trong tiêu đề Authorization: Bearer … / "
    "a valid admin token is required in the Authorization: Bearer … header"
)


def token_matches(configured: SecretStr, supplied: str | None) -> bool:
    """True when *supplied* equals the configured token (constant time; False when unset)."""
    expected = configured.get_secret_value()
    if not expected or not supplied:
        return False
    # Bytes, because compare_digest refuses non-ASCII str; constant time either way.
    return hmac.compare_digest(expected.encode("utf-8"), supplied.encode("utf-8"))


def require_admin(configured: SecretStr, supplied: str | None) -> None:
    """Raise 403 when admin is disabled, 401 when the supplied token is missing or wrong."""
    if not configured.get_secret_value():
        raise ApiError(403, "admin_disabled", ADMIN_DISABLED)
    if not token_matches(configured, supplied):
        raise ApiError(
            401, "unauthorized", BAD_TOKEN, headers={"WWW-Authenticate": 'Bearer realm="papi"'}
        )
