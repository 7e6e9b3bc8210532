"""The one object every front end (CLI, API, UI) calls: the product's verbs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.documents import Document

from assistant.answer.model import Answer
from assistant.core.jobs import Job, JobRunner, Progress
from assistant.core.settings import Settings
from assistant.index import Index, IngestReport, IngestResult, SearchFilters, SearchHit
from assistant.index.retriever import HybridRetriever
from assistant.storage import ManifestEntry
from ingest import ParsedDocument, discover

if TYPE_CHECKING:
    from datetime import date

    from assistant.answer.answerer import Answerer
    from assistant.index.dimension_map import DimensionMap
    from assistant.quiz.model import Quiz
    from assistant.tasks import Task, TaskStatus, TaskStore


class Assistant:
    """PAPI Assistant: ingest, remove, list, search (and, as they land, ask and quiz)."""

    def __init__(
        self,
        settings: Settings,
        index: Index,
        answerer: Answerer,
        task_store: TaskStore | None = None,
        jobs: JobRunner | None = None,
    ) -> None:
        self.settings = settings
        self._index = index
        self._answerer = answerer
        self._dimension_map: tuple[str, DimensionMap] | None = None  # (view token, map)
        self._task_store = task_store
        # Extracted tasks per (document id, sha256): a re-ingested or revised plan has a
        # new sha256 and is extracted again; an unchanged one costs nothing.
        self._task_cache: dict[tuple[str, str], list[Task]] = {}
        self._papi_results: tuple[tuple[tuple[str, str], ...], Any] | None = None
        # One ingest at a time: the index's writes serialise anyway.
        self._jobs = jobs or JobRunner(workers=1)

    # -- documents ----------------------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[Path] | None = None,
        on_file: Callable[[IngestResult], None] | None = None,
    ) -> IngestReport:
        """Ingest files/folders (default: the corpus folder)."""
        targets = list(paths) if paths else [self.settings.corpus_dir]
        return self._index.ingest_paths(targets, on_file)

    @staticmethod
    def file_types() -> list[str]:
        """File name suffixes an ingest accepts (".pdf", ".tiff", ".doc", …), sorted."""
        from ingest import SUPPORTED_SUFFIXES

        return sorted(SUPPORTED_SUFFIXES)

    def files(self, paths: Iterable[Path] | None = None) -> list[Path]:
        """The files an :meth:`ingest` of *paths* would read, in ingest order."""
        from ingest import discover

        return discover(list(paths) if paths else [self.settings.corpus_dir])

    def ingest_uploads(self, files: Sequence[tuple[str, bytes]]) -> IngestReport:
        """Ingest uploaded files given as (file name, bytes)."""
        return self._index.ingest_bytes(files)

    def ingest_parsed(self, documents: Sequence[ParsedDocument]) -> IngestReport:
        """Ingest documents already parsed into chunks (evaluation corpora, importers)."""
        return self._index.ingest_parsed(documents)

    def ensure_corpus(self) -> IngestReport | None:
        """Ingest the corpus when the index is empty (first start); otherwise do nothing."""
        if self._index.documents():
            return None
        return self.ingest()

    def documents(self) -> list[ManifestEntry]:
        """Every ingested document with its metadata."""
        return self._index.documents()

    def document(self, document_id: str) -> ManifestEntry | None:
        """One document's metadata, or None."""
        return self._index.snapshot().entries.get(document_id)

    def remove(self, document_id: str) -> bool:
        """Remove a document; False when it did not exist."""
        return self._index.remove(document_id)

    def set_status(self, document_id: str, status: str, superseded_by: str = "") -> ManifestEntry:
        """Mark a document in force or superseded by another one."""
        return self._index.set_status(document_id, status, superseded_by)

    def chunks(self, document_ids: Iterable[str] | None = None) -> list[Document]:
        """The live chunks (passages) of some or all documents, in document order."""
        return self._index.chunks(document_ids)

    # -- retrieval ----------------------------------------------------------------------

    def search(
        self,
        query: str,
        k: int | None = None,
        filters: SearchFilters | dict[str, Any] | None = None,
    ) -> list[SearchHit]:
        """Hybrid search over the live documents."""
        return self._index.search(query, k or self.settings.retrieval.k, self._filters(filters))

    def spelled(self, query: str) -> str:
        """*query* as the dense retriever reads it: typed without diacritics, with them put
        back by the live documents' words (:class:`assistant.index.restorer.DiacriticRestorer`)."""
        return self._index.snapshot().restorer.restore(query)

    def retriever(
        self, k: int | None = None, filters: SearchFilters | dict[str, Any] | None = None
    ) -> HybridRetriever:
        """The same hybrid search as a LangChain ``BaseRetriever``."""
        return HybridRetriever(
            index=self._index, k=k or self.settings.retrieval.k, filters=self._filters(filters)
        )

    # -- answers ------------------------------------------------------------------------

    def ask(
        self,
        question: str,
        history: Sequence[dict[str, str]] | None = None,
        filters: SearchFilters | dict[str, Any] | None = None,
    ) -> Answer:
        """Answer *question* from the documents, with citations, or refuse honestly.

        *history* is the conversation so far as ``[{"role": "user"|"assistant",
        "content": ...}]``; follow-ups such as "còn mục 5 thì sao?" use it.
        """
        return self._answerer.ask(
            question, list(history or []), self._filters(filters), tasks=self.tasks
        )

    def ask_stream(
        self,
        question: str,
        history: Sequence[dict[str, str]] | None = None,
        filters: SearchFilters | dict[str, Any] | None = None,
    ) -> Iterator[str | Answer]:
        """Like :meth:`ask`, yielding text deltas and finally the complete :class:`Answer`."""
        return self._answerer.stream(
            question, list(history or []), self._filters(filters), tasks=self.tasks
        )

    # -- quiz ---------------------------------------------------------------------------

    def quiz(
        self,
        *,
        n: int = 10,
        types: Sequence[str] | None = None,
        documents: Sequence[str] | None = None,
        dimensions: Sequence[int] | None = None,
        seed: int | None = None,
        llm: bool = False,
    ) -> Quiz:
        """A validated trắc nghiệm quiz from the live documents, reproducible by *seed*.

        *types*: any of ``mcq``, ``true_false``, ``cloze`` (default all); *documents*
        and *dimensions* select what is asked (distractors still come from the whole
        corpus). ``llm=True`` lets the configured chat model rewrite stems; rewritten
        items pass the same validators and are marked ``needs_review``. Raises
        ValueError for an unknown type, document or dimension.
        """
        from assistant.quiz import generate_quiz

        chat_model = None
        if llm:
            from assistant.providers.chat_models import build_chat_model

            chat_model = build_chat_model(self.settings.llm)
            if chat_model is None:
                raise ValueError("LLM quiz mode needs PAPI_LLM__PROVIDER (openai or ollama)")
        return generate_quiz(
            self.chunks(),
            self.documents(),
            n=n,
            types=types,
            document_ids=documents,
            dimensions=dimensions,
            seed=seed,
            chat_model=chat_model,
        )

    def export_quiz(self, quiz: Quiz, fmt: str) -> tuple[bytes, str, str]:
        """Render *quiz* as json, gift, aiken, moodle-xml, csv, docx or md:
        (content, media type, file name). Raises ValueError for an unknown format."""
        from assistant.quiz import export

        return export(quiz, fmt)

    # -- library ------------------------------------------------------------------------

    def _filters(self, filters: SearchFilters | dict[str, Any] | None) -> SearchFilters:
        """Parse *filters*; a dimension filter also takes the documents that govern it."""
        parsed = SearchFilters.of(filters)
        if not parsed.dimensions or parsed.dimension_documents:
            return parsed
        governing = self.dimension_map()
        # A document whose own headings tag some passages with the dimension (a plan) is
        # filtered passage by passage; one that governs it as a whole (a law whose headings
        # never name PAPI) contributes all its passages.
        tagged = self._index.snapshot().tagged
        docs = sorted(
            {
                d
                for n in parsed.dimensions
                for d in governing.documents_for(n)
                if d not in tagged.get(n, set())
            }
        )
        return replace(parsed, dimension_documents=tuple(docs))

    def dimension_map(self) -> DimensionMap:
        """PAPI dimension -> the documents that govern it, derived from the live passages.

        Rebuilt only when the index changed (a new view token), from what the snapshot
        already computed per document; see :mod:`assistant.index.dimension_map` for the rule.
        """
        from assistant.index.dimension_map import build_dimension_map

        view = self._index.snapshot()
        cached = self._dimension_map
        if cached is None or cached[0] != view.token:
            built = build_dimension_map(
                view.chunks_of(), list(view.entries.values()), view.addressed
            )
            cached = self._dimension_map = (view.token, built)
        return cached[1]

    def show(self, document_id: str) -> dict[str, Any] | None:
        """One document as stored: ``{"document": metadata, "passages": [...]}``, or None.

        Passages are in text order, each ``{"index", "section", "text", "page"}`` with the
        text exactly as stored and cited; ``page`` is null where ingest recorded none.
        """
        entry = self.document(document_id)
        if entry is None:
            return None
        chunks = sorted(
            self.chunks([document_id]), key=lambda c: int(c.metadata.get("chunk_index", 0))
        )
        passages = [
            {
                "index": int(chunk.metadata.get("chunk_index", 0)),
                "section": str(chunk.metadata.get("section", "")),
                "text": chunk.page_content,
                "page": chunk.metadata.get("page"),
            }
            for chunk in chunks
        ]
        return {"document": entry.public(), "passages": passages}

    # -- tasks --------------------------------------------------------------------------

    def _extracted_tasks(self, document_id: str | None = None) -> list[Task]:
        from assistant.tasks import extract_tasks, is_plan_like

        out: list[Task] = []
        for entry in self.documents():
            if document_id and entry.id != document_id:
                continue
            if not is_plan_like(entry.doc_type, entry.status, entry.title):
                continue
            cache_key = (entry.id, entry.sha256)
            cached = self._task_cache.get(cache_key)
            if cached is None:
                cached = extract_tasks(self.chunks([entry.id]), entry)
                if self._task_store is not None:
                    # A new version of the document: reworded tasks keep their status.
                    from assistant.tasks.carry import carry_over

                    carry_over(self._task_store, entry.id, cached)
                self._task_cache = {
                    k: v for k, v in self._task_cache.items() if k[0] != entry.id
                } | {cache_key: cached}
            out.extend(cached)
        return out

    def tasks(
        self,
        document_id: str | None = None,
        unit: str | None = None,
        dimension: int | None = None,
        today: date | None = None,
    ) -> list[Task]:
        """Tasks the live plans assign, with their status and an overdue flag against
        *today* (default: the current date). *unit* matches with or without diacritics."""
        from dataclasses import replace
        from datetime import date as _date

        from assistant.tasks import filter_tasks

        if document_id and self.document(document_id) is None:
            raise ValueError(f"Không có văn bản '{document_id}' / unknown document")
        if dimension is not None and not 1 <= dimension <= 8:
            raise ValueError("Chỉ số PAPI phải từ 1 đến 8 / dimension must be 1-8")
        found = filter_tasks(self._extracted_tasks(document_id), unit=unit, dimension=dimension)
        statuses = self._task_store.get(t.id for t in found) if self._task_store else {}
        day = today or _date.today()
        out: list[Task] = []
        for task in found:
            status = statuses.get(task.id)
            if status is not None:
                task = replace(
                    task,
                    status=status.status,
                    note=status.note,
                    evidence=status.evidence,
                    updated_by=status.updated_by,
                    updated_at=status.updated_at,
                )
            out.append(replace(task, overdue=task.is_overdue(day)))
        return out

    def set_task_status(
        self, task_id: str, status: str, note: str = "", evidence: str = "", by: str = ""
    ) -> TaskStatus:
        """Record a task's status (chưa làm / đang làm / đã xong) with a note and an
        evidence link. Raises ValueError for an unknown task or status, RuntimeError
        when the assistant was built without a task store."""
        if self._task_store is None:
            raise RuntimeError("Chưa cấu hình kho trạng thái nhiệm vụ / no task store")
        task = next((t for t in self._extracted_tasks() if t.id == task_id), None)
        if task is None:
            raise ValueError(f"Không có nhiệm vụ '{task_id}' / unknown task")
        from assistant.tasks.folding import key
        from assistant.tasks.units import unit_key

        return self._task_store.set(
            task_id,
            task.document_id,
            status,
            note=note,
            evidence=evidence,
            by=by,
            unit_key=unit_key(task.unit),
            action_key=key(task.action),
        )

    def task_report(
        self, document_id: str, fmt: str, today: date | None = None
    ) -> tuple[bytes, str, str]:
        """The results report of one plan ("Báo cáo kết quả thực hiện Kế hoạch …") as
        md or docx: (content, media type, file name)."""
        from assistant.tasks.report import render_report, report_title

        entry = self.document(document_id)
        if entry is None:
            raise ValueError(f"Không có văn bản '{document_id}' / unknown document")
        title = report_title(entry.title, entry.doc_type)
        return render_report(self.tasks(document_id, today=today), title, fmt)

    def export_tasks(self, tasks: Sequence[Task], fmt: str) -> tuple[bytes, str, str]:
        """Render tasks as md, docx, xlsx, ics or json: (content, media type, file name)."""
        from assistant.tasks.exporters import export_tasks

        return export_tasks(tasks, fmt)

    def papi_results(self) -> Any:
        """The PAPI results-by-dimension table found in the live documents, or None."""
        from assistant.tasks.papi_results import find_papi_results

        # Scanning every chunk is O(corpus): keep the answer until the documents change.
        version = tuple((d.id, d.sha256) for d in self.documents())
        cached = self._papi_results
        if cached is None or cached[0] != version:
            cached = (version, find_papi_results(self.chunks()))
            self._papi_results = cached
        return cached[1]

    # -- background jobs (serve while indexing) -------------------------------------------

    def submit_ingest(self, paths: Iterable[Path] | None = None, kind: str = "ingest") -> Job:
        """Ingest files/folders (default: the corpus folder) in the background; its job."""
        targets = list(paths) if paths else [self.settings.corpus_dir]
        total = len(discover(targets))

        def work(progress: Progress) -> dict[str, Any]:
            on_file, on_progress = _file_progress(progress, total)
            return report_as_dict(self._index.ingest_paths(targets, on_file, on_progress))

        return self._jobs.submit(kind, work, total=total, unit="files")

    def submit_uploads(self, files: Sequence[tuple[str, bytes]]) -> Job:
        """Ingest uploaded (file name, bytes) pairs in the background; its job."""
        items = list(files)

        def work(progress: Progress) -> dict[str, Any]:
            on_file, on_progress = _file_progress(progress, len(items))
            return report_as_dict(self._index.ingest_bytes(items, on_file, on_progress))

        return self._jobs.submit("upload", work, total=len(items), unit="files")

    def submit_ensure_corpus(self) -> Job | None:
        """First start: ingest the corpus in the background when the index is empty."""
        if self._index.documents():
            return None
        return self.submit_ingest(kind="first-start")

    def job(self, job_id: str) -> Job | None:
        """One background job's current record, or None."""
        return self._jobs.get(job_id)

    def jobs(self) -> list[Job]:
        """Recent background jobs, newest first."""
        return self._jobs.jobs()

    def wait_job(self, job_id: str, timeout: float | None = None) -> Job:
        """Block until the job has finished (or *timeout* passes); its record."""
        return self._jobs.wait(job_id, timeout)

    def indexing(self) -> dict[str, Any] | None:
        """What is being indexed right now (None when nothing is):
        ``{"jobs", "pending_files", "done_files", "kinds"}``."""
        active = self._jobs.active()
        if not active:
            return None
        done = sum(job.progress.done for job in active)
        total = sum(max(job.progress.total, job.progress.done) for job in active)
        return {
            "jobs": len(active),
            "pending_files": total - done,
            "done_files": done,
            "kinds": sorted({job.kind for job in active}),
        }


def _file_progress(
    progress: Progress, total: int
) -> tuple[Callable[[IngestResult], None], Callable[[int, int, str], None]]:
    """Callbacks for the index: files done of *total* as the job's progress, the
    passages embedded of the current file in its message."""
    done = 0
    progress(0, total, "files")

    def on_file(result: IngestResult) -> None:
        nonlocal done
        done += 1
        progress(done, total, "files", result.source)

    def on_progress(count: int, of: int, unit: str) -> None:
        # Passages embedded of the current file, or pages read by OCR of a scan (the next
        # file is parsed while the current one is embedded).
        if of:
            what = "trang đã đọc (OCR)" if unit == "pages" else "đoạn"
            progress(done, total, "files", f"tệp {done + 1}/{total}: {count}/{of} {what}")

    return on_file, on_progress


def report_as_dict(report: IngestReport) -> dict[str, Any]:
    """The public JSON shape of an ingest report (API responses and job results)."""
    return {
        "ok": report.ok,
        "counts": report.counts(),
        "results": [
            {
                "source": r.source,
                "status": r.status,
                "document_id": r.document_id,
                "title": r.title,
                "chunks": r.chunks,
                "embedded": r.embedded,
                "reason": r.reason,
            }
            for r in report.results
        ],
    }
