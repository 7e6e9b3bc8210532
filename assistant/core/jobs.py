"""A small background job runner: ingests and uploads run off the request path.

Jobs run one at a time by default (writes to the index serialise anyway) on daemon
threads started with the first job, so building a runner costs nothing and an
interrupted server does not wait for an ingest to finish. Each job has a record
(state, progress, times, result or error) that callers read as an immutable snapshot;
finished records are kept up to a bounded history.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

JobState = Literal["queued", "running", "done", "failed"]
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
    """Run submitted work on *workers* background threads, keeping *history* records."""

    def __init__(
        self, workers: int = 1, history: int = 50, *, clock: Callable[[], float] = time.time
    ) -> None:
        if workers < 1 or history < 1:
            raise ValueError("workers and history must be at least 1")
        self._workers = workers
        self._history = history
        self._clock = clock
        self._jobs: OrderedDict[str, Job] = OrderedDict()
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
            self._jobs[job.id] = job
            self._work[job.id] = work
            self._forget_old()
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
        with self._done:
            return self._jobs.get(job_id)

    def jobs(self) -> list[Job]:
        """Every known record, newest first."""
        with self._done:
            return list(reversed(self._jobs.values()))

    def active(self) -> list[Job]:
        """Queued and running jobs, oldest first."""
        with self._done:
            return [job for job in self._jobs.values() if job.active]

    def wait(self, job_id: str, timeout: float | None = None) -> Job:
        """Block until *job_id* is done or failed (or *timeout* passes); its record."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._done:
            while True:
                job = self._jobs.get(job_id)
                if job is None:
                    raise KeyError(job_id)
                if not job.active:
                    return job
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return job
                self._done.wait(left)

    # -- inside ------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            job_id = self._queue.get()
            with self._done:
                work = self._work.pop(job_id, None)
                job = self._jobs.get(job_id)
                if work is None or job is None:
                    continue
                self._jobs[job_id] = replace(job, state="running", started=self._clock())
            try:
                result = work(Progress(self, job_id))
            except Exception as exc:  # noqa: BLE001 - a failed job is recorded, never raised
                log.exception("background job %s (%s) failed", job_id, job.kind)
                self._finish(job_id, "failed", None, f"{type(exc).__name__}: {exc}")
            else:
                self._finish(job_id, "done", result, "")

    def _update(self, job_id: str, progress: JobProgress) -> None:
        with self._done:
            job = self._jobs.get(job_id)
            if job is not None:
                self._jobs[job_id] = replace(job, progress=progress)

    def _finish(
        self, job_id: str, state: JobState, result: dict[str, Any] | None, error: str
    ) -> None:
        with self._done:
            job = self._jobs.get(job_id)
            if job is not None:
                self._jobs[job_id] = replace(
                    job, state=state, result=result, error=error, finished=self._clock()
                )
            self._forget_old()
            self._done.notify_all()

    def _forget_old(self) -> None:
        """Drop the oldest finished records beyond the history (active ones stay)."""
        finished = [k for k, job in self._jobs.items() if not job.active]
        for key in finished[: max(0, len(finished) - self._history)]:
            del self._jobs[key]
