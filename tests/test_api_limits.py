"""Rate limits on every costly endpoint, per endpoint, keyed on the client behind proxies."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.ratelimit import RateLimits, client_address, parse_networks

QUIZ = {"n": 2, "seed": 7}


def _app(assistant: Any, **server: Any) -> Any:
    from assistant.core.settings import ServerSettings

    settings = assistant.settings.model_copy(update={"server": ServerSettings(**server)})
    return create_app(assistant, settings, ui=False)


def _limited(response: Any) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "rate_limited"
    assert int(response.headers["retry-after"]) >= 1


CALLS = {
    "search": ("/api/search", {"query": "PAPI"}),
    "quiz": ("/api/quiz", QUIZ),
    "quiz_export": ("/api/quiz/export?format=gift", QUIZ),
}


@pytest.mark.parametrize("endpoint", sorted(CALLS))
def test_every_costly_endpoint_is_rate_limited(corpus_assistant: Any, endpoint: str) -> None:
    api = TestClient(_app(corpus_assistant, rate_limit_per_minute=1))
    path, body = CALLS[endpoint]
    assert api.post(path, json=body).status_code == 200
    _limited(api.post(path, json=body))
    # Each endpoint has its own bucket: a question still goes through.
    assert api.post("/api/ask", json={"question": "Chỉ số PAPI là gì?"}).status_code == 200


def test_the_tasks_routes_are_rate_limited(corpus_assistant: Any) -> None:
    api = TestClient(_app(corpus_assistant, rate_limit_per_minute=1))
    assert api.get("/api/tasks").status_code == 200
    _limited(api.get("/api/tasks/report"))  # one bucket for every /api/tasks route


def test_per_endpoint_settings_override_the_default(corpus_assistant: Any) -> None:
    from assistant.core.settings import RateLimitSettings

    api = TestClient(
        _app(
            corpus_assistant,
            rate_limit_per_minute=1,
            rate_limits=RateLimitSettings(search=3, ask=0),
        )
    )
    for _ in range(3):
        assert api.post("/api/search", json={"query": "PAPI"}).status_code == 200
    _limited(api.post("/api/search", json={"query": "PAPI"}))
    for _ in range(3):  # 0: no limit on questions
        assert api.post("/api/ask", json={"question": "PAPI?"}).status_code == 200
    assert api.post("/api/quiz", json=QUIZ).status_code == 200  # the default, 1
    _limited(api.post("/api/quiz", json=QUIZ))


def test_per_endpoint_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.core.settings import Settings

    monkeypatch.setenv("PAPI_SERVER__RATE_LIMIT_PER_MINUTE", "50")
    monkeypatch.setenv("PAPI_SERVER__RATE_LIMITS__SEARCH", "7")
    monkeypatch.setenv("PAPI_SERVER__TRUSTED_PROXIES", '["10.0.0.0/8", "::1"]')
    server = Settings().server  # type: ignore[call-arg]
    assert server.rate_limit("search") == 7 and server.rate_limit("quiz") == 50
    assert server.trusted_proxies == ["10.0.0.0/8", "::1"]
    monkeypatch.setenv("PAPI_SERVER__TRUSTED_PROXIES", '["not-an-ip"]')
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        Settings()  # type: ignore[call-arg]


def test_clients_behind_a_trusted_proxy_get_their_own_bucket(corpus_assistant: Any) -> None:
    app = _app(corpus_assistant, rate_limit_per_minute=1, trusted_proxies=["10.0.0.0/8"])
    proxy = TestClient(app, client=("10.1.2.3", 40000))
    body = {"query": "PAPI"}
    first = {"X-Forwarded-For": "203.0.113.5"}
    second = {"X-Forwarded-For": "198.51.100.7, 10.9.9.9"}  # through two of our proxies
    assert proxy.post("/api/search", json=body, headers=first).status_code == 200
    assert proxy.post("/api/search", json=body, headers=second).status_code == 200
    _limited(proxy.post("/api/search", json=body, headers=first))
    # A client cannot escape by prepending addresses: the right-most untrusted one counts.
    _limited(
        proxy.post("/api/search", json=body, headers={"X-Forwarded-For": "1.1.1.1, 203.0.113.5"})
    )


def test_forwarded_for_from_an_untrusted_peer_is_ignored(corpus_assistant: Any) -> None:
    app = _app(corpus_assistant, rate_limit_per_minute=1, trusted_proxies=["10.0.0.0/8"])
    direct = TestClient(app, client=("192.0.2.1", 40000))
    body = {"query": "PAPI"}
    assert (
        direct.post("/api/search", json=body, headers={"X-Forwarded-For": "1.1.1.1"}).status_code
        == 200
    )
    _limited(direct.post("/api/search", json=body, headers={"X-Forwarded-For": "2.2.2.2"}))


def test_client_address_rule() -> None:
    trusted = parse_networks(["10.0.0.0/8", "2001:db8::/32"])
    assert client_address("192.0.2.1", "1.1.1.1", trusted) == "192.0.2.1"
    assert client_address("10.0.0.1", "1.1.1.1, 2.2.2.2", trusted) == "2.2.2.2"
    assert client_address("10.0.0.1", "1.1.1.1, 2.2.2.2, 10.0.0.9", trusted) == "2.2.2.2"
    assert client_address("2001:db8::1", "2001:db8::2, 192.0.2.9", trusted) == "192.0.2.9"
    assert client_address("10.0.0.1", "10.0.0.2, 10.0.0.3", trusted) == "10.0.0.2"
    assert client_address("10.0.0.1", None, trusted) == "10.0.0.1"
    assert client_address("10.0.0.1", "1.1.1.1", ()) == "10.0.0.1"  # no proxies configured
    assert client_address(None, None, ()) == "unknown"


def test_rate_limits_buckets_are_separate() -> None:
    now = [0.0]
    limits = RateLimits({"ask": 1, "search": 2}, clock=lambda: now[0])
    assert limits.hit("ask", "a", {}) is None and limits.hit("ask", "a", {}) is not None
    assert limits.hit("search", "a", {}) is None and limits.hit("search", "a", {}) is None
    assert limits.hit("search", "a", {}) is not None
    assert limits.hit("ask", "b", {}) is None
