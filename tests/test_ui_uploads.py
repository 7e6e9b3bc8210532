"""The UI's upload route: no byte is stored before the admin check; temp files are cleaned."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app

TOKEN = "t0k3n-" + "u" * 26
UPLOAD = "/ui/gradio_api/upload"
FILES = {"files": ("ghi-chu.md", b"# Ghi chu\n\nNoi dung.\n" * 100, "text/markdown")}


def _stored(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.fixture
def ui_app(
    make_assistant: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., tuple[TestClient, Path]]:
    def make(**overrides: Any) -> tuple[TestClient, Path]:
        temp = tmp_path / "gradio-temp"
        monkeypatch.setenv("GRADIO_TEMP_DIR", str(temp))  # read when the UI is mounted
        return TestClient(create_app(make_assistant(**overrides))), temp

    return make


def test_an_upload_without_an_admin_session_stores_nothing(
    ui_app: Callable[..., tuple[TestClient, Path]],
) -> None:
    api, temp = ui_app(admin_token=TOKEN)
    with api:
        refused = api.post(UPLOAD, files=FILES)
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "unauthorized"
        # The bearer token alone is not a UI session; a forged or stale cookie neither.
        api.cookies.set("papi_admin", "9999999999.x.deadbeef")
        assert api.post(UPLOAD, files=FILES).status_code == 401
        assert _stored(temp) == []


def test_uploads_are_refused_when_admin_is_disabled(
    ui_app: Callable[..., tuple[TestClient, Path]],
) -> None:
    api, temp = ui_app()
    with api:
        assert api.post(UPLOAD, files=FILES).status_code == 403
        assert api.post("/api/ui-session", headers={"Authorization": "Bearer x"}).status_code == 403
        assert _stored(temp) == []


def test_an_admin_session_allows_uploads(ui_app: Callable[..., tuple[TestClient, Path]]) -> None:
    api, temp = ui_app(admin_token=TOKEN)
    with api:
        wrong = api.post("/api/ui-session", headers={"Authorization": "Bearer " + "x" * 32})
        assert wrong.status_code == 401 and "papi_admin" not in api.cookies
        login = api.post("/api/ui-session", headers={"Authorization": f"Bearer {TOKEN}"})
        assert login.status_code == 204
        cookie = login.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "max-age=1800" in cookie
        assert TOKEN not in login.headers["set-cookie"]
        accepted = api.post(UPLOAD, files=FILES)
        assert accepted.status_code == 200, accepted.text
        (path,) = accepted.json()
        assert Path(path).is_relative_to(temp) and Path(path).read_bytes() == FILES["files"][1]
        assert api.delete("/api/ui-session").status_code == 204
        assert api.post(UPLOAD, files=FILES).status_code == 401


def test_ui_uploads_are_capped(ui_app: Callable[..., tuple[TestClient, Path]]) -> None:
    from assistant.core.settings import ServerSettings

    api, temp = ui_app(admin_token=TOKEN, server=ServerSettings(max_upload_mb=0.01))
    with api:
        api.post("/api/ui-session", headers={"Authorization": f"Bearer {TOKEN}"})
        big = {"files": ("lon.md", b"x" * 20_000, "text/markdown")}
        assert api.post(UPLOAD, files=big).status_code == 413
        assert all(p.stat().st_size < 20_000 for p in _stored(temp))


def test_session_cookies_are_signed_and_expire() -> None:
    from pydantic import SecretStr

    from api import uisession

    token, other = SecretStr(TOKEN), SecretStr("o" * 32)
    value = uisession.issue(token, now=1000.0)
    assert uisession.valid(token, value, now=1000.0 + 60)
    assert not uisession.valid(token, value, now=1000.0 + uisession.SESSION_SECONDS + 1)
    assert not uisession.valid(other, value, now=1000.0)  # a new token ends every session
    # Tamper with the last signature digit (always to a different one: the signature is
    # random per session, so a fixed replacement was the same digit one time in 16).
    tampered = value[:-1] + ("1" if value[-1] == "0" else "0")
    assert not uisession.valid(token, tampered, now=1000.0)
    assert not uisession.valid(SecretStr(""), value, now=1000.0)
