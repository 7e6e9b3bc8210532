"""A small background job runner: ingests and uploads run off the request path.

Jobs run one at a time by default (writes to the index serialise anyway) on daemon
threads started with the first job, so building a runner costs nothing and an
interrupted server does not wait for an ingest to finish. Each job has a record
(state, progress, times, result or error) that callers read as an immutable snapshot;
finished records are kept up to a bounded history. Records live in a
:class:`~assistant.core.job_registry.JobRegistry`: in memory by default, or one SQLite
file in the data dir that every server process reads (``papi serve --workers N``), so
any worker reports a job another one runs, and a job whose process died is reported
``interrupted``.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from assistant.core.job_registry import JobRegistry

JobState = Literal["queued", "running", "done", "failed", "interrupted"]
"""``interrupted``: the process running the job stopped before it finished."""
ProgressUnit = Literal["passages", "pages", "files"]

log = logging.getLogger("assistant.jobs")


class Progress:
    """The callback a job's work receives: ``progress(done, total, unit, message="")``."""

    def __init__(self, runner: JobRunner, job_id: str) -> None:
        self._runner = runner
        self._job_id = job_id

    def __call__(self, done: int, total: int, unit: str = "files", message: str = "") -> None:
        self._runner._update(
            self._job_id, JobProgress(done=done, total=total, unit=unit, message=message)
        )


@dataclass(frozen=True)
class JobProgress:
    """How far a job is: *done* of *total* units (passages, pages or files)."""

    done: int = 0
    total: int = 0
    unit: str = "files"
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"done": self.done, "total": self.total, "unit": self.unit, "message": self.message}


@dataclass(frozen=True)
class Job:
    """One job's record (a snapshot: the runner replaces it as the job moves on)."""

    id: str
    kind: str
    state: JobState = "queued"
    progress: JobProgress = field(default_factory=JobProgress)
    created: float = 0.0
    started: float | None = None
    finished: float | None = None
    result: dict[str, Any] | None = None
    error: str = ""

    @property
    def active(self) -> bool:
        """Queued or running."""
        return self.state in ("queued", "running")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (times as UNIX seconds)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state,
            "progress": self.progress.as_dict(),
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
            "result": self.result,
            "error": self.error,
        }


Work = Callable[[Progress], dict[str, Any] | None]
"""A job's work: gets its progress callback, returns the result as a JSON-ready dict."""


class JobRunner:
    """Run submitted work on *workers* background threads, keeping *history* records.

    Records go to *registry* (default: in memory, private to this runner); with a shared
    registry every runner over it sees every job, but runs only its own.
    """

    def __init__(
        self,
        workers: int = 1,
        history: int = 50,
        *,
        clock: Callable[[], float] = time.time,
        registry: JobRegistry | None = None,
        poll_s: float = 0.25,
    ) -> None:
        if workers < 1 or history < 1:
            raise ValueError("workers and history must be at least 1")
        from assistant.core.job_registry import JobRegistry

        self._workers = workers
        self._history = history
        self._clock = clock
        self._registry = registry or JobRegistry.in_memory()
        # How often wait() looks at the registry for a job another process runs.
        self._poll_s = poll_s
        self._work: dict[str, Work] = {}
        self._done = threading.Condition()
        self._queue: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []

    def submit(self, kind: str, work: Work, *, total: int = 0, unit: ProgressUnit = "files") -> Job:
        """Queue *work*; returns its record at once (state ``queued``)."""
        job = Job(
            id=uuid.uuid4().hex,
            kind=kind,
            progress=JobProgress(total=total, unit=unit),
            created=self._clock(),
        )
        with self._done:
            self._registry.add(job)
            self._work[job.id] = work
            self._registry.forget_old(self._history)
            if len(self._threads) < self._workers:
                thread = threading.Thread(
                    target=self._run, name=f"papi-job-{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
        self._queue.put(job.id)
        return job

    def get(self, job_id: str) -> Job | None:
        """The current record of *job_id*, or None (unknown or forgotten)."""
        return self._registry.get(job_id)

    def jobs(self) -> list[Job]:
        """Every known record, newest first."""
        return list(reversed(self._registry.all()))

    def active(self) -> list[Job]:
        """Queued and running jobs, oldest first."""
        return self._registry.active()

    def wait(self, job_id: str, timeout: float | None = None) -> Job:
        """Block until *job_id* has ended (or *timeout* passes); its record.

        This runner's own jobs wake the waiter when they end; a job another process runs
        is looked up every ``poll_s``.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._done:
            while True:
                job = self._registry.get(job_id)
                if job is None:
                    raise KeyError(job_id)
                if not job.active:
                    return job
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return job
                self._done.wait(self._poll_s if left is None else min(left, self._poll_s))

    # -- inside ------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            job_id = self._queue.get()
            with self._done:
                work = self._work.pop(job_id, None)
                job = self._registry.get(job_id)
                if work is None or job is None:
                    continue
                self._registry.put(replace(job, state="running", started=self._clock()))
            try:
                result = work(Progress(self, job_id))
            except Exception as exc:  # noqa: BLE001 - a failed job is recorded, never raised
                log.exception("background job %s (%s) failed", job_id, job.kind)
                self._finish(job_id, "failed", None, f"{type(exc).__name__}: {exc}")
            else:
                self._finish(job_id, "done", result, "")

    def _update(self, job_id: str, progress: JobProgress) -> None:
        with self._done:
            job = self._registry.get(job_id)
            if job is not None and job.active:
                self._registry.put(replace(job, progress=progress))

    def _finish(
        self, job_id: str, state: JobState, result: dict[str, Any] | None, error: str
    ) -> None:
        with self._done:
            job = self._registry.get(job_id)
            if job is not None:
                self._registry.put(
                    replace(job, state=state, result=result, error=error, finished=self._clock())
                )
            self._registry.forget_old(self._history)
            self._done.notify_all()
