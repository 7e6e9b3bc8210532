"""A real server on a free loopback port, exercised with httpx and the official openai client.

Most tests run uvicorn in a thread over the session's corpus assistant; one starts
``papi serve`` as a subprocess on an empty data folder (first start ingests the corpus).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from tests.conftest import PLAN_ID, REPO, copy_core_corpus, shared_path

QUESTION = "Hạn chót báo cáo kết quả thực hiện kế hoạch PAPI là ngày nào?"


def loopback_socket() -> socket.socket:
    """A listening-ready socket bound to a free port on 127.0.0.1 (no port race)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.contextmanager
def running_server(app: Any) -> Iterator[str]:
    """Serve *app* with uvicorn in a thread; yields the base URL, stops on exit."""
    import uvicorn

    sock = loopback_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


@pytest.fixture(scope="module")
def base_url(corpus_assistant: Any) -> Iterator[str]:
    with running_server(create_app(corpus_assistant)) as url:
        yield url


# -- httpx ----------------------------------------------------------------------------


def test_health_ui_and_ask_over_http(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=60) as http:
        assert http.get("/health").json()["documents"] >= 2
        root = http.get("/", follow_redirects=False)
        assert root.status_code == 307 and root.headers["location"] == "/ui/"
        ui = http.get("/ui/")
        assert ui.status_code == 200 and "Trợ lý PAPI" in ui.text
        answer = http.post("/api/ask", json={"question": QUESTION}).json()
        assert answer["question"] == QUESTION and answer["answer"]
        hits = http.post("/api/search", json={"query": QUESTION, "k": 3}).json()["hits"]
        assert hits[0]["document_id"] == PLAN_ID
        denied = http.post("/api/documents/reingest")
        assert denied.status_code == 403 and denied.json()["error"]["code"] == "admin_disabled"


def test_ndjson_stream_over_http(base_url: str) -> None:
    lines = []
    with (
        httpx.Client(base_url=base_url, timeout=60) as http,
        http.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as response,
    ):
        assert response.status_code == 200
        for line in response.iter_lines():
            if line:
                lines.append(json.loads(line))
    assert lines[-1]["type"] == "answer" and lines[-1]["answer"]["question"] == QUESTION


def test_concurrent_questions_all_succeed(base_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def ask(i: int) -> int:
        with httpx.Client(base_url=base_url, timeout=120) as http:
            return http.post("/api/ask", json={"question": f"{QUESTION} ({i})"}).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert list(pool.map(ask, range(12))) == [200] * 12


# -- the official openai client -------------------------------------------------------


def _openai(base_url: str) -> Any:
    from openai import OpenAI

    # The client insists on a key; questions need none.
    return OpenAI(base_url=f"{base_url}/v1", api_key="khong-can", max_retries=0, timeout=60)


def test_openai_client_lists_models_and_answers(base_url: str) -> None:
    client = _openai(base_url)
    assert "papi-assistant" in [m.id for m in client.models.list()]
    completion = client.chat.completions.create(
        model="papi-assistant", messages=[{"role": "user", "content": QUESTION}]
    )
    content = completion.choices[0].message.content or ""
    assert content and completion.choices[0].finish_reason == "stop"
    extra = completion.model_extra or {}
    assert {"citations", "grounded", "related"} <= set(extra)
    if extra["grounded"]:
        assert "[1]" in content and extra["citations"][0]["document_id"] == PLAN_ID
        assert "Nguồn" in content


def test_openai_client_streams(base_url: str) -> None:
    client = _openai(base_url)
    stream = client.chat.completions.create(
        model="papi-assistant",
        messages=[
            {"role": "user", "content": "Chỉ số PAPI là gì?"},
            {"role": "assistant", "content": "PAPI là … [1]\n\n**Nguồn:**\n- [1] Tài liệu"},
            {"role": "user", "content": QUESTION},
        ],
        stream=True,
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.strip()
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert "citations" in (last.model_extra or {})


def test_openai_client_gets_readable_errors(base_url: str) -> None:
    import openai

    client = _openai(base_url)
    with pytest.raises(openai.UnprocessableEntityError) as caught:
        client.chat.completions.create(
            model="papi-assistant", messages=[{"role": "assistant", "content": "Xin chào"}]
        )
    assert "user" in str(caught.value)


# -- `papi serve` as a subprocess -----------------------------------------------------


def _free_port() -> int:
    with loopback_socket() as sock:
        return int(sock.getsockname()[1])


def test_papi_serve_first_start_ingests_and_never_logs_the_token(tmp_path: Path) -> None:
    token = "bi-mat-" + "k" * 30
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PAPI_")},
        "PAPI_DATA_DIR": str(tmp_path / "data"),
        "PAPI_CORPUS_DIR": str(copy_core_corpus(tmp_path / "corpus")),
        "PAPI_ADMIN_TOKEN": token,
    }
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "serve", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                health = httpx.get(f"{base}/health", timeout=2)
                if health.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "papi serve did not come up"
            time.sleep(0.5)
        assert health.json()["admin_enabled"] is True
        while health.json()["indexing"] is not None:  # the corpus, indexed in the background
            assert time.monotonic() < deadline, health.json()
            time.sleep(0.5)
            health = httpx.get(f"{base}/health", timeout=5)
        assert health.json()["documents"] == 2
        headers = {"Authorization": f"Bearer {token}"}
        note = "# Ghi chú\n\n## Điều 1\n\nNội dung ghi chú về lưu trữ hồ sơ.\n"
        uploaded = httpx.post(
            f"{base}/api/documents?wait=true",
            headers=headers,
            files={"file": ("ghi-chu.md", note.encode(), "text/markdown")},
            timeout=60,
        )
        assert uploaded.status_code == 200, uploaded.text
        wrong = httpx.delete(
            f"{base}/api/documents/{PLAN_ID}", headers={"Authorization": "Bearer sai"}
        )
        assert wrong.status_code == 401
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    output = log_path.read_text()
    assert f"http://127.0.0.1:{port}/ui" in output
    assert "POST /api/documents" in output  # access logs were on
    assert token not in output


def test_papi_serve_answers_at_once_while_the_first_start_indexes(tmp_path: Path) -> None:
    """A fresh data dir and a corpus of several laws: health answers within seconds of the
    server starting, says it is indexing, and questions get answers meanwhile."""
    corpus = copy_core_corpus(tmp_path / "corpus")
    laws = sorted(shared_path("data", "legal", "phapdien_admin").glob("*.md"))[:4]
    for law in laws:
        (corpus / law.name).write_bytes(law.read_bytes())
    files = len(list(corpus.iterdir()))
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PAPI_")},
        "PAPI_DATA_DIR": str(tmp_path / "data"),
        "PAPI_CORPUS_DIR": str(corpus),
    }
    log_path = tmp_path / "serve.log"
    started = time.monotonic()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "serve", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                health = httpx.get(f"{base}/health", timeout=2)
                if health.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() - started < 30, "no answer within 30 s"
            time.sleep(0.2)
        indexing = health.json()["indexing"]
        assert indexing is not None, health.json()  # still indexing: it answered first
        assert indexing["kinds"] == ["first-start"]
        assert indexing["pending_files"] + indexing["done_files"] == files
        answer = httpx.post(f"{base}/api/ask", json={"question": QUESTION}, timeout=60)
        assert answer.status_code == 200
        page = httpx.get(f"{base}/ui/", timeout=10)
        assert page.status_code == 200
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert "đang lập chỉ mục" in log_path.read_text()
