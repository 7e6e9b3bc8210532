"""The composition root: the only place that turns settings into objects."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from langchain_core.embeddings import Embeddings

from assistant.answer.answerer import build_answerer
from assistant.core.facade import Assistant
from assistant.core.job_registry import JobRegistry
from assistant.core.jobs import JobRunner
from assistant.core.settings import Settings
from assistant.index import Index
from assistant.providers.embeddings import build_embeddings, embedding_signature
from assistant.storage import ChromaStore
from ingest import OcrOptions


def chroma_client(settings: Settings) -> Any:
    """An embedded PersistentClient under data_dir, or an HttpClient for PAPI_CHROMA_URL."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


def build_assistant(settings: Settings, *, embeddings: Embeddings | None = None) -> Assistant:
    """Build the whole assistant from *settings* (tests may pass their own embeddings)."""
    embeddings = embeddings or build_embeddings(settings.embedding)
    store = ChromaStore(
        chroma_client(settings), settings.collection, embedding_signature(settings.embedding)
    )
    index = Index(
        store,
        embeddings,
        retrieval=settings.retrieval,
        # Only a shared server can change under us; an embedded store has one process.
        shared=bool(settings.chroma_url),
        max_chunks=settings.max_document_chunks,
        ocr=OcrOptions(
            language=settings.ocr.language,
            dpi=settings.ocr.dpi,
            max_pages=settings.ocr.max_pages,
            page_timeout_s=settings.ocr.page_timeout_s,
        ),
    )
    index.open()
    from assistant.tasks.store import TaskStore

    task_store = TaskStore.in_data_dir(settings.data_dir)
    # Job records in the data dir: every server process (--workers N) reports every job.
    jobs = JobRunner(workers=1, registry=JobRegistry.in_data_dir(settings.data_dir))
    return Assistant(settings, index, build_answerer(settings, index), task_store, jobs=jobs)
