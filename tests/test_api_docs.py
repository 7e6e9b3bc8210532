"""``/docs`` and ``/redoc`` work offline: every asset they load is served by the app."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app

_ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\s*:\s*["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_api_docs_load_only_same_origin_assets(corpus_assistant: Any, page: str) -> None:
    api = TestClient(create_app(corpus_assistant, ui=False))
    response = api.get(page)
    assert response.status_code == 200
    html = response.text
    assert "cdn." not in html and "googleapis" not in html
    urls = [a or b for a, b in _ASSET.findall(html)]
    scripts = [u for u in urls if u.endswith((".js", ".css"))]
    assert scripts, html  # the page does load its UI
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        assert api.get(url).status_code == 200, url
    assert "/openapi.json" in urls or "/openapi.json" in html
