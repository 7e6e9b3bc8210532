"""The store on a real Chroma server (`chroma run`, started by the suite): scale-out.

The same ingest, search, answer and API checks as on the embedded store, with
``PAPI_CHROMA_URL`` set; each test uses its own collection prefix. Two assistants over
one server stand for two API workers: a change made by one is seen by the other once its
generation check runs (at most every ``retrieval.reload_interval_s``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from typer.testing import CliRunner

from api.app import create_app
from assistant.core.composition import build_assistant
from assistant.core.settings import Settings
from tests.conftest import (
    PLAN_ID,
    REPO,
    free_loopback_port,
    plant_dead_holder,
    store_chunks,
)

TOKEN = "server-t0k3n-" + "y" * 20
QUESTION = "Hạn chót báo cáo kết quả thực hiện kế hoạch PAPI là ngày nào?"
NOTE = (
    "# Quy chế sao lưu dữ liệu máy chủ\n\n"
    "## Điều 1. Phạm vi\n\n"
    "Quy chế này áp dụng cho Trung tâm Phục vụ hành chính công của huyện.\n\n"
    "## Điều 2. Sao lưu\n\n"
    "Dữ liệu máy chủ được sao lưu vào ổ đĩa dự phòng lúc hai mươi hai giờ mỗi ngày.\n"
)
NOTE_QUERY = "sao lưu dữ liệu máy chủ ổ đĩa dự phòng"


def _auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def server_corpus(
    chroma_server: str,
    tmp_path_factory: pytest.TempPathFactory,
    embeddings: Embeddings,
    core_corpus: Path,
) -> Iterator[Any]:
    """The core corpus ingested into a Chroma server collection; read-only tests share it."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("server-corpus"),
        corpus_dir=core_corpus,
        chroma_url=chroma_server,
        collection=f"corpus-{uuid.uuid4().hex[:8]}",
    )
    assistant = build_assistant(settings, embeddings=embeddings)
    report = assistant.ingest()
    assert report.ok, report.failed
    yield assistant


def test_settings_select_the_http_client(server_settings: Callable[..., Settings]) -> None:
    from chromadb.api import ClientAPI

    from assistant.core.composition import chroma_client

    settings = server_settings()
    client = chroma_client(settings)
    assert isinstance(client, ClientAPI)
    assert type(client).__name__ != "PersistentClient"
    assert client.heartbeat() > 0
    assert not settings.chroma_path.exists()  # nothing embedded was created


def test_search_and_ask_on_the_server(server_corpus: Any) -> None:
    assert {d.id for d in server_corpus.documents()} >= {PLAN_ID}
    hits = server_corpus.search("han chot bao cao ket qua thuc hien ke hoach papi", 5)
    assert hits and hits[0].document_id == PLAN_ID
    assert any(h.dense_score is not None for h in hits)  # the server's vector index answered
    answer = server_corpus.ask(QUESTION)
    assert answer.grounded and "15 tháng 12 năm 2023" in answer.answer
    assert answer.citations[0].document_id == PLAN_ID
    texts = {c.id: c.page_content for c in server_corpus.chunks([PLAN_ID])}
    assert all(c.quote in texts[c.chunk_id] for c in answer.citations)


def test_reingest_replace_and_remove_on_the_server(
    server_settings: Callable[..., Settings], embeddings: Embeddings, tmp_path: Path
) -> None:
    assistant = build_assistant(server_settings(), embeddings=embeddings)
    doc = tmp_path / "sao-luu.md"
    doc.write_text(NOTE, encoding="utf-8")
    assert assistant.ingest([doc]).counts()["added"] == 1
    assert assistant.ingest([doc]).counts()["unchanged"] == 1
    doc.write_text(NOTE.replace("hai mươi hai giờ", "hai mươi ba giờ"), encoding="utf-8")
    assert assistant.ingest([doc]).counts()["replaced"] == 1
    texts = " ".join(c.page_content for c in assistant.chunks(["sao-luu"]))
    assert "hai mươi ba giờ" in texts and "hai mươi hai giờ" not in texts
    store = assistant._index._store
    listed = {cid for e in store.entries().values() for cid in e.chunk_ids}
    assert set(store.all_chunk_ids()) == listed  # the old version's chunks are gone
    assert assistant.remove("sao-luu")
    assert store.all_chunk_ids() == [] and assistant.documents() == []


def test_crash_leftovers_on_the_server_are_hidden_then_reconciled(
    server_settings: Callable[..., Settings], embeddings: Embeddings, tmp_path: Path
) -> None:
    settings = server_settings()
    assistant = build_assistant(settings, embeddings=embeddings)
    doc = tmp_path / "sao-luu.md"
    doc.write_text(NOTE, encoding="utf-8")
    assistant.ingest([doc])
    orphan = Document(
        id="sao-luu:orphan",
        page_content="Dữ liệu được sao lưu lên băng từ đặt tại kho lưu trữ tỉnh.",
        metadata={"document_id": "sao-luu", "chunk_index": 99},
    )
    store_chunks(assistant._index._store, embeddings, [orphan])
    assert all(h.chunk_id != orphan.id for h in assistant.search("sao lưu băng từ kho", 10))
    reopened = build_assistant(settings, embeddings=embeddings)  # start-up reconciles
    assert orphan.id not in reopened._index._store.all_chunk_ids()
    assert [d.id for d in reopened.documents()] == ["sao-luu"]


def test_two_workers_share_one_server(
    server_settings: Callable[..., Settings], embeddings: Embeddings, tmp_path: Path
) -> None:
    """A second assistant (another worker) sees a change within the reload interval."""
    settings = server_settings(retrieval={"reload_interval_s": 0.2})
    writer = build_assistant(settings, embeddings=embeddings)
    reader = build_assistant(settings, embeddings=embeddings)
    assert reader.documents() == []
    doc = tmp_path / "sao-luu.md"
    doc.write_text(NOTE, encoding="utf-8")
    writer.ingest([doc])

    def reader_sees(present: bool) -> bool:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            found = any(h.document_id == "sao-luu" for h in reader.search(NOTE_QUERY, 5))
            if found == present:
                return True
            time.sleep(0.1)
        return False

    assert reader_sees(True)
    # Lexical side too: the reader rebuilt its BM25 from the server's chunks.
    hits = reader.search(NOTE_QUERY, 3)
    assert hits[0].document_id == "sao-luu" and hits[0].lexical_score is not None
    writer.set_status("sao-luu", "superseded", "Quy chế 2025")
    time.sleep(0.3)
    entry = reader.document("sao-luu")
    assert entry is not None and entry.status == "superseded"
    writer.remove("sao-luu")
    assert reader_sees(False)
    assert reader.documents() == []


def test_api_on_the_server(
    server_settings: Callable[..., Settings], embeddings: Embeddings
) -> None:
    assistant = build_assistant(server_settings(admin_token=TOKEN), embeddings=embeddings)
    with TestClient(create_app(assistant, ui=False)) as api:
        uploaded = api.post(
            "/api/documents?wait=true",
            headers=_auth(),
            files={"file": ("sao-luu.md", NOTE.encode(), "text/markdown")},
        )
        assert uploaded.status_code == 200, uploaded.text
        doc_id = uploaded.json()["results"][0]["document_id"]
        hits = api.post("/api/search", json={"query": NOTE_QUERY, "k": 3}).json()["hits"]
        assert hits[0]["document_id"] == doc_id
        answer = api.post(
            "/api/ask", json={"question": "Dữ liệu máy chủ được sao lưu lúc mấy giờ?"}
        ).json()
        assert answer["grounded"] and "hai mươi hai giờ" in answer["answer"]
        assert answer["citations"][0]["document_id"] == doc_id
        assert api.delete(f"/api/documents/{doc_id}", headers=_auth()).status_code == 200
        assert api.get("/api/documents").json()["documents"] == []


def test_serve_refuses_several_workers_on_the_embedded_store(
    make_settings: Callable[..., Settings],
) -> None:
    from cli.main import app

    result = CliRunner().invoke(app, ["serve", "--workers", "2"], obj=make_settings())
    assert result.exit_code == 2
    assert "PAPI_CHROMA_URL" in result.output


@pytest.mark.slow
def test_papi_serve_with_two_workers_on_the_server(chroma_server: str, tmp_path: Path) -> None:
    """`papi serve --workers 2`: an upload through one request is seen by every worker."""
    port = free_loopback_port()
    collection = f"workers-{uuid.uuid4().hex[:8]}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PAPI_")},
        "PAPI_DATA_DIR": str(tmp_path / "data"),
        "PAPI_CORPUS_DIR": str(tmp_path / "empty-corpus"),
        "PAPI_CHROMA_URL": chroma_server,
        "PAPI_COLLECTION": collection,
        "PAPI_ADMIN_TOKEN": TOKEN,
        "PAPI_RETRIEVAL__RELOAD_INTERVAL_S": "0.5",
        "PAPI_SERVER__RATE_LIMIT_PER_MINUTE": "0",
    }
    (tmp_path / "empty-corpus").mkdir()
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--workers", "2"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def fresh_get(path: str) -> httpx.Response:
        # A new connection each time, so the kernel may hand it to either worker.
        return httpx.get(f"{base}{path}", timeout=30, headers={"Connection": "close"})

    def search_all(n: int) -> list[list[dict[str, Any]]]:
        out = []
        for _ in range(n):
            response = httpx.post(
                f"{base}/api/search",
                json={"query": NOTE_QUERY, "k": 3},
                timeout=60,
                headers={"Connection": "close"},
            )
            assert response.status_code == 200, response.text
            out.append(response.json()["hits"])
        return out

    try:
        deadline = time.monotonic() + 300
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                if fresh_get("/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "papi serve --workers 2 did not come up"
            time.sleep(0.5)
        # Both workers answer before the upload (each built its own assistant).
        assert all(fresh_get("/health").json()["documents"] == 0 for _ in range(6))
        workers = [p for p in psutil_children(process.pid) if "multiprocessing" in p]
        assert len(workers) >= 2, workers

        uploaded = httpx.post(
            f"{base}/api/documents?wait=true",
            headers=_auth(),
            files={"file": ("sao-luu.md", NOTE.encode(), "text/markdown")},
            timeout=120,
        )
        assert uploaded.status_code == 200, uploaded.text
        time.sleep(1.0)  # two reload intervals: every worker has checked the generation
        for hits in search_all(12):
            assert hits and hits[0]["document_id"] == "sao-luu"
        assert all(fresh_get("/health").json()["documents"] == 1 for _ in range(6))

        removed = httpx.delete(f"{base}/api/documents/sao-luu", headers=_auth(), timeout=60)
        assert removed.status_code == 200, removed.text
        time.sleep(1.0)
        for hits in search_all(12):
            assert all(h["document_id"] != "sao-luu" for h in hits)
        assert all(fresh_get("/health").json()["documents"] == 0 for _ in range(6))
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    output = log_path.read_text()
    assert TOKEN not in output
    assert output.count("Application startup complete") >= 2, output[-3000:]


def psutil_children(pid: int) -> list[str]:
    """Command lines of a process's children (uvicorn's worker processes)."""
    import psutil

    return [" ".join(p.cmdline()) for p in psutil.Process(pid).children(recursive=True)]


def test_writer_lease_serialises_writers_and_protects_work_in_progress(
    server_settings: Callable[..., Settings], embeddings: Embeddings, tmp_path: Path
) -> None:
    import threading

    settings = server_settings()
    first = build_assistant(settings, embeddings=embeddings)
    store = first._index._store
    # Another live process is writing: it holds the lease and has stored unlisted chunks.
    assert store.try_acquire_writer("other-worker", 60) == (True, False)
    in_progress = Document(
        id="sao-luu:in-progress",
        page_content="Đoạn của một phiên bản đang được ghi.",
        metadata={"document_id": "sao-luu", "chunk_index": 0},
    )
    store_chunks(store, embeddings, [in_progress])
    second = build_assistant(settings, embeddings=embeddings)  # start-up must not reconcile
    assert in_progress.id in store.all_chunk_ids()
    doc = tmp_path / "sao-luu.md"
    doc.write_text(NOTE, encoding="utf-8")
    second._index._writer_wait_s = 0.3
    refused = second.ingest([doc])  # the file is refused with the reason, nothing written
    assert refused.failed and "another process is writing" in refused.failed[0].reason
    assert second.documents() == [] and in_progress.id in store.all_chunk_ids()
    second._index._writer_wait_s = 30
    threading.Timer(0.5, store.release_writer, args=["other-worker"]).start()
    started = time.monotonic()
    assert second.ingest([doc]).counts()["added"] == 1  # waited for the lease, then wrote
    assert time.monotonic() - started >= 0.4

    # A holder that died (same host, process gone) is taken over at once, and its
    # leftovers reconciled.
    plant_dead_holder(store)
    store_chunks(store, embeddings, [in_progress])
    assert second.set_status("sao-luu", "reference").status == "reference"
    assert in_progress.id not in store.all_chunk_ids()
    assert store.writer() is None  # released after the write
