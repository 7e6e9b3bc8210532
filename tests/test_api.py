"""The HTTP API in-process (FastAPI TestClient): every route, auth failures, bad uploads.

Read-only tests share one app over the session's corpus assistant; tests that change the
index build a fresh assistant with an admin token in a temporary folder.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.ratelimit import SlidingWindowLimiter
from tests.conftest import PLAN_ID

TOKEN = "t0k3n-" + "x" * 26
QUESTION = "Hạn chót báo cáo kết quả thực hiện kế hoạch PAPI là ngày nào?"
NOTE = (
    "# Quy chế lưu trữ hồ sơ điện tử\n\n"
    "## Điều 1. Phạm vi\n\n"
    "Quy chế này quy định việc lưu trữ hồ sơ điện tử của cơ quan trong thời hạn mười năm.\n\n"
    "## Điều 2. Trách nhiệm\n\n"
    "Văn thư cơ quan chịu trách nhiệm sao lưu hồ sơ điện tử mỗi tuần một lần.\n"
)
"""A small, valid Markdown document to upload."""


def _auth(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["message"] and " / " in error["message"]  # Vietnamese / English
    if code:
        assert error["code"] == code
    return error


@pytest.fixture(scope="module")
def client(corpus_assistant: Any) -> Iterator[TestClient]:
    """One API app over the shared corpus assistant (no admin token, no UI)."""
    with TestClient(create_app(corpus_assistant, ui=False)) as test_client:
        yield test_client


@pytest.fixture
def admin_client(make_assistant: Callable[..., Any]) -> Callable[..., TestClient]:
    """A fresh, empty index with an admin token; setting overrides pass through."""

    def make(**overrides: Any) -> TestClient:
        assistant = make_assistant(admin_token=TOKEN, **overrides)
        return TestClient(create_app(assistant, ui=False))

    return make


# -- health, docs, routing ------------------------------------------------------------


def test_health_reports_documents_and_admin_state(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["documents"] >= 2
    assert body["admin_enabled"] is False


def test_root_redirects_and_unknown_routes_are_json(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "/docs"
    _assert_error(client.get("/api/nope"), 404, "not_found")
    _assert_error(client.get("/api/ask"), 405, "method_not_allowed")


def test_openapi_has_vietnamese_examples_and_the_bearer_scheme(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/health",
        "/api/ask",
        "/api/ask/stream",
        "/api/search",
        "/api/documents",
        "/api/documents/{document_id}",
        "/api/documents/{document_id}/status",
        "/api/documents/reingest",
        "/v1/models",
        "/v1/chat/completions",
    ):
        assert path in paths, path
    text = json.dumps(spec, ensure_ascii=False)
    assert QUESTION in text  # an example request in Vietnamese
    assert "kiểm soát tham nhũng" in text
    assert spec["components"]["securitySchemes"]["PAPI_ADMIN_TOKEN"]["scheme"] == "bearer"
    upload = paths["/api/documents"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert upload["security"]  # admin routes declare the bearer scheme


# -- questions ------------------------------------------------------------------------


def test_ask_returns_the_answer_json(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": QUESTION})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) >= {"question", "answer", "grounded", "citations", "related", "mode"}
    assert body["question"] == QUESTION and body["answer"]
    if body["grounded"]:
        assert "[1]" in body["answer"]
        first = body["citations"][0]
        assert first["n"] == 1 and first["document_id"] == PLAN_ID and first["quote"]


def test_ask_accepts_history_and_filters(client: TestClient) -> None:
    response = client.post(
        "/api/ask",
        json={
            "question": "Còn việc xin lỗi khi trễ hẹn thì sao?",
            "history": [
                {"role": "user", "content": QUESTION},
                {"role": "assistant", "content": "Trước ngày 15 tháng 12 năm 2023 [1]."},
            ],
            "filters": {"documents": [PLAN_ID], "dimensions": []},
        },
    )
    assert response.status_code == 200, response.text
    for citation in response.json()["citations"]:
        assert citation["document_id"] == PLAN_ID


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"question": ""},
        {"question": "x" * 2001},
        {"question": "ok", "unexpected": 1},
        {"question": "ok", "history": [{"role": "robot", "content": "?"}]},
        {"question": "ok", "filters": {"dimensions": ["bốn"]}},
    ],
)
def test_ask_rejects_invalid_requests(client: TestClient, body: dict[str, Any]) -> None:
    error = _assert_error(client.post("/api/ask", json=body), 422, "invalid_request")
    assert error["details"] and all("input" not in d for d in error["details"])


def test_malformed_and_oversized_json_bodies_are_refused(client: TestClient) -> None:
    headers = {"content-type": "application/json"}
    _assert_error(client.post("/api/ask", content=b"{not json", headers=headers), 422)
    huge = json.dumps({"question": "ok", "history": [{"role": "user", "content": "a" * 2_000_000}]})
    _assert_error(client.post("/api/ask", content=huge, headers=headers), 413, "too_large")


def test_ask_stream_sends_ndjson_deltas_then_the_answer(client: TestClient) -> None:
    with client.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/x-ndjson")
        lines = [json.loads(line) for line in response.iter_lines() if line]
    assert lines[-1]["type"] == "answer"
    assert {line["type"] for line in lines[:-1]} <= {"delta"}
    answer = lines[-1]["answer"]
    assert answer["question"] == QUESTION and answer["answer"]
    streamed = "".join(line["text"] for line in lines[:-1])
    assert streamed.strip()


def test_search_returns_hits_and_honours_filters(client: TestClient) -> None:
    body = client.post("/api/search", json={"query": "kiểm soát tham nhũng", "k": 3}).json()
    hits = body["hits"]
    assert 1 <= len(hits) <= 3
    assert [h["rank"] for h in hits] == list(range(1, len(hits) + 1))
    assert set(hits[0]) >= {"text", "document_id", "title", "section", "score"}
    only = client.post(
        "/api/search",
        json={"query": "báo cáo kết quả", "k": 5, "filters": {"documents": [PLAN_ID]}},
    ).json()["hits"]
    assert only and {h["document_id"] for h in only} == {PLAN_ID}
    _assert_error(client.post("/api/search", json={"query": "x", "k": 0}), 422)


# -- documents (read) -----------------------------------------------------------------


def test_documents_list_and_one_document(client: TestClient) -> None:
    documents = client.get("/api/documents").json()["documents"]
    by_id = {d["id"]: d for d in documents}
    assert PLAN_ID in by_id
    plan = by_id[PLAN_ID]
    assert plan["title"] and plan["chunks"] > 0 and plan["status"] == "in_force"
    assert "chunk_ids" not in plan
    assert client.get(f"/api/documents/{PLAN_ID}").json()["id"] == PLAN_ID
    error = _assert_error(client.get("/api/documents/khong-co"), 404, "document_not_found")
    assert "khong-co" in error["message"]


# -- admin: authorisation -------------------------------------------------------------

_ADMIN_CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/api/documents", {"files": {"file": ("a.md", NOTE.encode(), "text/markdown")}}),
    ("DELETE", f"/api/documents/{PLAN_ID}", {}),
    ("PUT", f"/api/documents/{PLAN_ID}/status", {"json": {"status": "superseded"}}),
    ("POST", "/api/documents/reingest", {}),
]


@pytest.mark.parametrize(("method", "url", "kwargs"), _ADMIN_CALLS)
def test_admin_routes_are_disabled_without_a_configured_token(
    client: TestClient, method: str, url: str, kwargs: dict[str, Any]
) -> None:
    for headers in ({}, _auth(), _auth("")):
        response = client.request(method, url, headers=headers, **kwargs)
        _assert_error(response, 403, "admin_disabled")
    assert PLAN_ID in {d["id"] for d in client.get("/api/documents").json()["documents"]}


@pytest.mark.parametrize(("method", "url", "kwargs"), _ADMIN_CALLS)
def test_admin_routes_refuse_missing_or_wrong_tokens(
    admin_client: Callable[..., TestClient], method: str, url: str, kwargs: dict[str, Any]
) -> None:
    api = admin_client()
    for headers in (
        {},
        _auth("wrong-token-wrong-token"),
        _auth(TOKEN + "x"),
        _auth(TOKEN[:-1]),
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
        {"Authorization": "Bearer mã-quản-trị-sai".encode()},  # non-ASCII: 401, not 500
    ):
        response = api.request(method, url, headers=headers, **kwargs)
        _assert_error(response, 401, "unauthorized")
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert api.get("/api/documents").json()["documents"] == []


def test_the_token_never_appears_in_logs_or_responses(
    admin_client: Callable[..., TestClient], caplog: pytest.LogCaptureFixture
) -> None:
    api = admin_client()
    with caplog.at_level(logging.DEBUG):
        bad = api.post("/api/documents/reingest", headers=_auth(TOKEN[:-1] + "?"))
        good = api.delete("/api/documents/khong-co", headers=_auth())
        upload = api.post(
            "/api/documents?wait=true",
            headers=_auth(),
            files={"file": ("x.bin", b"\x00\x01", "x/y")},
        )
    assert (bad.status_code, good.status_code, upload.status_code) == (401, 404, 422)
    for text in (caplog.text, bad.text, good.text, upload.text):
        assert TOKEN not in text and TOKEN[:-1] not in text


# -- admin: upload, delete, status, re-ingest -----------------------------------------


def test_upload_list_search_and_delete(admin_client: Callable[..., TestClient]) -> None:
    api = admin_client()
    response = api.post(
        "/api/documents?wait=true",
        headers=_auth(),
        files={"file": ("quy-che-luu-tru.md", NOTE.encode(), "text/markdown")},
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["ok"] and report["counts"]["added"] == 1
    doc_id = report["results"][0]["document_id"]
    assert report["results"][0]["chunks"] >= 1

    listed = api.get("/api/documents").json()["documents"]
    assert [d["id"] for d in listed] == [doc_id]
    assert listed[0]["source"] == "quy-che-luu-tru.md"
    hits = api.post("/api/search", json={"query": "sao lưu hồ sơ điện tử", "k": 2}).json()["hits"]
    assert hits and hits[0]["document_id"] == doc_id

    again = api.post(
        "/api/documents?wait=true",
        headers=_auth(),
        files={"file": ("quy-che-luu-tru.md", NOTE.encode(), "text/markdown")},
    ).json()
    assert again["counts"]["unchanged"] == 1

    assert api.delete(f"/api/documents/{doc_id}", headers=_auth()).json() == {"removed": doc_id}
    assert api.get("/api/documents").json()["documents"] == []
    _assert_error(api.delete(f"/api/documents/{doc_id}", headers=_auth()), 404)


def test_upload_several_files_in_one_request(admin_client: Callable[..., TestClient]) -> None:
    api = admin_client()
    second = NOTE.replace("lưu trữ hồ sơ điện tử", "tiếp công dân").replace("sao lưu", "ghi sổ")
    response = api.post(
        "/api/documents?wait=true",
        headers=_auth(),
        files=[
            ("file", ("luu-tru.md", NOTE.encode(), "text/markdown")),
            ("file", ("tiep-cong-dan.txt", second.encode(), "text/plain")),
        ],
    )
    assert response.status_code == 200, response.text
    assert response.json()["counts"]["added"] == 2
    assert len(api.get("/api/documents").json()["documents"]) == 2


_BAD_UPLOADS: list[tuple[str, list[tuple[str, tuple[str, bytes, str]]], int, str]] = [
    (
        "corrupt pdf",
        [("file", ("hong.pdf", b"%PDF-1.4 not really \x00\x01\x02", "application/pdf"))],
        422,
        "unreadable_upload",
    ),
    (
        "unsupported type",
        [("file", ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"))],
        422,
        "unreadable_upload",
    ),
    ("empty file", [("file", ("rong.txt", b"", "text/plain"))], 422, "unreadable_upload"),
    ("wrong field name", [("tep", ("tot.md", NOTE.encode(), "text/markdown"))], 422, "no_file"),
]


@pytest.mark.parametrize(
    ("files", "status", "code"),
    [case[1:] for case in _BAD_UPLOADS],
    ids=[case[0] for case in _BAD_UPLOADS],
)
def test_bad_uploads_are_refused_and_change_nothing(
    admin_client: Callable[..., TestClient], files: Any, status: int, code: str
) -> None:
    api = admin_client()
    error = _assert_error(
        api.post("/api/documents?wait=true", headers=_auth(), files=files), status, code
    )
    if code == "unreadable_upload":
        report = error["details"]
        assert not report["ok"] and report["counts"]["failed"] == len(files)
        assert all(r["reason"] for r in report["results"])
        assert "nothing was changed" in error["message"]
    assert api.get("/api/documents").json()["documents"] == []


def test_a_bad_file_among_good_ones_is_refused_alone(
    admin_client: Callable[..., TestClient],
) -> None:
    api = admin_client()
    response = api.post(
        "/api/documents?wait=true",
        headers=_auth(),
        files=[
            ("file", ("tot.md", NOTE.encode(), "text/markdown")),
            ("file", ("hong.docx", b"PK\x03\x04 broken", "application/octet-stream")),
        ],
    )
    report = _assert_error(response, 422, "unreadable_upload")["details"]
    assert report["counts"] == {"added": 1, "unchanged": 0, "replaced": 0, "failed": 1}
    failed = next(r for r in report["results"] if r["status"] == "failed")
    assert failed["source"] == "hong.docx" and "DOCX" in failed["reason"]
    assert [d["id"] for d in api.get("/api/documents").json()["documents"]] == ["tot"]


def test_uploads_must_be_multipart_and_within_the_size_limit(
    admin_client: Callable[..., TestClient],
) -> None:
    from assistant.core.settings import ServerSettings

    api = admin_client(server=ServerSettings(max_upload_mb=0.01))  # about 10 KB
    _assert_error(
        api.post("/api/documents", headers=_auth(), json={"file": "x"}),
        415,
        "unsupported_media_type",
    )
    big = ("to.md", (NOTE * 200).encode(), "text/markdown")  # about 60 KB
    error = _assert_error(
        api.post("/api/documents?wait=true", headers=_auth(), files={"file": big}), 413, "too_large"
    )
    assert "MB" in error["message"]
    small = ("nho.md", NOTE.encode(), "text/markdown")
    assert (
        api.post("/api/documents?wait=true", headers=_auth(), files={"file": small}).status_code
        == 200
    )


def test_status_and_reingest(admin_client: Callable[..., TestClient]) -> None:
    api = admin_client()
    first = api.post("/api/documents/reingest?wait=true", headers=_auth())
    assert first.status_code == 200, first.text
    assert first.json()["counts"]["added"] >= 2
    again = api.post("/api/documents/reingest?wait=true", headers=_auth()).json()
    assert again["counts"]["added"] == 0 and again["counts"]["unchanged"] >= 2

    marked = api.put(
        f"/api/documents/{PLAN_ID}/status",
        headers=_auth(),
        json={"status": "superseded", "superseded_by": "ke-hoach-2024"},
    )
    assert marked.status_code == 200, marked.text
    assert marked.json()["status"] == "superseded"
    assert api.get(f"/api/documents/{PLAN_ID}").json()["superseded_by"] == "ke-hoach-2024"
    _assert_error(
        api.put(f"/api/documents/{PLAN_ID}/status", headers=_auth(), json={"status": "old"}), 422
    )
    _assert_error(
        api.put("/api/documents/khong-co/status", headers=_auth(), json={"status": "in_force"}),
        404,
    )


# -- limits, CORS ---------------------------------------------------------------------


def test_questions_are_rate_limited_per_client(corpus_assistant: Any) -> None:
    from assistant.core.settings import ServerSettings

    settings = corpus_assistant.settings.model_copy(
        update={"server": ServerSettings(rate_limit_per_minute=2)}
    )
    api = TestClient(create_app(corpus_assistant, settings, ui=False))
    body = {"question": "Chỉ số PAPI là gì?"}
    assert api.post("/api/ask", json=body).status_code == 200
    assert (
        api.post(
            "/v1/chat/completions", json={"messages": [{"role": "user", "content": "?"}]}
        ).status_code
        == 200
    )
    limited = api.post("/api/ask/stream", json=body)
    _assert_error(limited, 429, "rate_limited")
    assert int(limited.headers["retry-after"]) >= 1
    # Search has its own bucket; reads are not limited.
    assert api.post("/api/search", json={"query": "PAPI"}).status_code == 200
    assert api.get("/api/documents").status_code == 200


def test_sliding_window_limiter() -> None:
    now = [0.0]
    limiter = SlidingWindowLimiter(2, 60.0, clock=lambda: now[0], max_clients=3)
    assert limiter.hit("a") is None and limiter.hit("a") is None
    wait = limiter.hit("a")
    assert wait is not None and 59 < wait <= 60
    assert limiter.hit("b") is None  # per client
    now[0] = 30.0
    assert limiter.hit("a") is not None
    now[0] = 60.5
    assert limiter.hit("a") is None  # the first events left the window
    for key in ("c", "d", "e", "f"):
        limiter.hit(key)
    assert len(limiter._events) <= 3  # memory stays bounded
    assert SlidingWindowLimiter(0).hit("a") is None  # 0 disables


def test_cors_is_off_by_default_and_follows_settings(corpus_assistant: Any) -> None:
    from assistant.core.settings import ServerSettings

    preflight = {
        "Origin": "https://portal.example.gov.vn",
        "Access-Control-Request-Method": "POST",
    }
    off = TestClient(create_app(corpus_assistant, ui=False))
    response = off.options("/api/ask", headers=preflight)
    assert "access-control-allow-origin" not in response.headers
    settings = corpus_assistant.settings.model_copy(
        update={"server": ServerSettings(cors_origins=["https://portal.example.gov.vn"])}
    )
    on = TestClient(create_app(corpus_assistant, settings, ui=False))
    response = on.options("/api/ask", headers=preflight)
    assert response.headers["access-control-allow-origin"] == "https://portal.example.gov.vn"


# -- OpenAI-compatible ----------------------------------------------------------------


def test_openai_models(client: TestClient) -> None:
    body = client.get("/v1/models").json()
    assert body["object"] == "list" and body["data"][0]["id"] == "papi-assistant"


def test_openai_chat_completion_carries_answer_and_citations(client: TestClient) -> None:
    response = client.post(
        "/v1/chat/completions",
        json={
            "model": "papi-assistant",
            "temperature": 0.2,  # ignored, accepted
            "messages": [
                {"role": "system", "content": "Trả lời ngắn gọn."},
                {"role": "user", "content": [{"type": "text", "text": QUESTION}]},
            ],
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["object"] == "chat.completion"
    message = body["choices"][0]["message"]
    assert message["role"] == "assistant" and message["content"]
    assert {"citations", "grounded", "related"} <= set(body)
    if body["grounded"]:
        assert "[1]" in message["content"] and "Nguồn" in message["content"]
        assert body["citations"][0]["n"] == 1


def test_openai_chat_stream_is_sse_ending_with_done(client: TestClient) -> None:
    request = {
        "model": "papi-assistant",
        "stream": True,
        "messages": [{"role": "user", "content": QUESTION}],
    }
    with client.stream("POST", "/v1/chat/completions", json=request) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        data = [line[6:] for line in response.iter_lines() if line.startswith("data: ")]
    assert data[-1] == "[DONE]"
    chunks = [json.loads(d) for d in data[:-1]]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert "citations" in chunks[-1] and "grounded" in chunks[-1]
    content = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    assert content.strip()


def test_openai_chat_needs_a_final_user_message(client: TestClient) -> None:
    for messages in (
        [{"role": "assistant", "content": "Xin chào"}],
        [{"role": "user", "content": "   "}],
        [],
    ):
        response = client.post("/v1/chat/completions", json={"messages": messages})
        _assert_error(response, 422)


def test_openai_history_drops_the_source_list_we_appended() -> None:
    from api.openai_compat import ChatMessage, _conversation

    question, history = _conversation(
        [
            ChatMessage(role="user", content="Hạn chót là ngày nào?"),
            ChatMessage(role="assistant", content="Ngày 15/12 [1].\n\n**Nguồn:**\n- [1] Kế hoạch"),
            ChatMessage(role="user", content="Ai báo cáo?"),
        ]
    )
    assert question == "Ai báo cáo?"
    assert history[1] == {"role": "assistant", "content": "Ngày 15/12 [1]."}


# -- the UI mount ---------------------------------------------------------------------


def test_root_redirects_to_the_ui_which_is_served(corpus_assistant: Any) -> None:
    with TestClient(create_app(corpus_assistant)) as api:
        response = api.get("/", follow_redirects=False)
        assert response.status_code == 307 and response.headers["location"] == "/ui/"
        page = api.get("/ui/")
        assert page.status_code == 200 and "Trợ lý PAPI" in page.text
        assert "fonts.googleapis.com" not in page.text
        assert api.get("/health").status_code == 200
