"""Where background job records live: SQLite, one file in the data dir shared by processes.

``papi serve --workers N`` runs N processes (plus the supervisor that runs the first-start
ingest); a job runs in one of them, but ``GET /api/jobs/{id}`` and ``/health`` may be
answered by any. So the process running a job writes its record to
``<data_dir>/jobs.sqlite3`` (stdlib ``sqlite3``, WAL journal: readers read while one
writer writes, across processes on one host) and every process reads records from there.
Only the owner writes a record while the job lives, so there is no cross-process race on
a row.

**A crashed owner.** A record names the process that runs it (host, kernel boot id, pid
namespace, pid, process start time), as the writer lease does
(:mod:`assistant.storage.lease`). A queued or running record whose owner is on this
machine and no longer runs (gone, or its pid reused by another process) is reported as
``interrupted`` and stored so. A record owned by another machine (a data dir on a shared
volume) cannot be checked and is reported as it is.

Without a file (``JobRegistry.in_memory()``, the default of a bare
:class:`~assistant.core.jobs.JobRunner`) records are private to the process.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from assistant.core.jobs import Job, JobProgress, JobState
from assistant.storage.lease import machine_identity, process_start

FILE_NAME = "jobs.sqlite3"
INTERRUPTED = (
    "Bị gián đoạn: tiến trình chạy việc này đã dừng trước khi xong; hãy chạy lại / "
    "interrupted: the process running this job stopped before it finished; run it again"
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    progress TEXT NOT NULL,
    created REAL NOT NULL,
    started REAL,
    finished REAL,
    result TEXT,
    error TEXT NOT NULL DEFAULT '',
    owner_host TEXT NOT NULL DEFAULT '',
    owner_boot_id TEXT NOT NULL DEFAULT '',
    owner_pid_ns TEXT NOT NULL DEFAULT '',
    owner_pid INTEGER NOT NULL DEFAULT 0,
    owner_started REAL NOT NULL DEFAULT 0
);
"""
_COLUMNS = (
    "id, kind, state, progress, created, started, finished, result, error, "
    "owner_host, owner_boot_id, owner_pid_ns, owner_pid, owner_started"
)
_ACTIVE = ("queued", "running")


class JobRegistry:
    """Job records in one SQLite database (a file shared by processes, or in memory)."""

    def __init__(self, path: Path | str = ":memory:", *, clock: Callable[[], float] = time.time):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._lock = threading.Lock()
        # One connection per registry, shared by the server's threads under a lock.
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        with self._db:
            self._db.executescript(_SCHEMA)
        pid = os.getpid()
        me = machine_identity()
        self._me = (me["host"], me["boot_id"], me["pid_ns"], pid, process_start(pid))

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> JobRegistry:
        """The registry of a deployment: ``<data_dir>/jobs.sqlite3``."""
        return cls(Path(data_dir) / FILE_NAME)

    @classmethod
    def in_memory(cls) -> JobRegistry:
        """Records private to this registry (nothing on disk)."""
        return cls()

    def close(self) -> None:
        """Close the connection (the file stays)."""
        with self._lock:
            self._db.close()

    # -- writes (the owner) --------------------------------------------------------------

    def add(self, job: Job) -> None:
        """Record a new job, owned by this process."""
        with self._lock, self._db:
            self._db.execute(
                f"INSERT INTO jobs ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*_row(job), *self._me),
            )

    def put(self, job: Job) -> None:
        """Replace the record of *job* (its state, progress, times, result, error)."""
        _id, _kind, state, progress, _created, started, finished, result, error = _row(job)
        with self._lock, self._db:
            self._db.execute(
                "UPDATE jobs SET state = ?, progress = ?, started = ?, finished = ?, "
                "result = ?, error = ? WHERE id = ?",
                (state, progress, started, finished, result, error, job.id),
            )

    def forget_old(self, history: int) -> None:
        """Drop the oldest finished records beyond the newest *history* (active ones stay)."""
        with self._lock, self._db:
            self._db.execute(
                "DELETE FROM jobs WHERE state NOT IN (?, ?) AND seq NOT IN (SELECT seq FROM "
                "jobs WHERE state NOT IN (?, ?) ORDER BY seq DESC LIMIT ?)",
                (*_ACTIVE, *_ACTIVE, history),
            )

    # -- reads (any process) -------------------------------------------------------------

    def get(self, job_id: str) -> Job | None:
        """The record of *job_id*, or None (unknown or forgotten)."""
        found = self._select("WHERE id = ?", (job_id,))
        return found[0] if found else None

    def all(self) -> list[Job]:
        """Every record, oldest first."""
        return self._select("ORDER BY seq", ())

    def active(self) -> list[Job]:
        """Queued and running records (of live owners), oldest first."""
        return [j for j in self._select("WHERE state IN (?, ?) ORDER BY seq", _ACTIVE) if j.active]

    # -- inside --------------------------------------------------------------------------

    def _select(self, clause: str, params: tuple[Any, ...]) -> list[Job]:
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM jobs {clause}", params).fetchall()
        jobs = []
        for row in rows:
            job = _job(row[:9])
            if job.active and not self._owner_alive(row[9:]):
                job = self._interrupt(job)
            jobs.append(job)
        return jobs

    def _owner_alive(self, owner: tuple[Any, ...]) -> bool:
        host, boot_id, pid_ns, pid, started = owner
        me = self._me
        if (host, boot_id, pid_ns) != me[:3] or not boot_id:
            return True  # another machine (or no boot id to tell): only its owner knows
        if pid == me[3] and abs(started - me[4]) < 1.0:
            return True  # this process: its runner's threads run the job
        now = process_start(int(pid)) if pid > 0 else 0.0
        # A reused pid is another process: compare start times too.
        return now > 0 and abs(now - started) < 1.0

    def _interrupt(self, job: Job) -> Job:
        """Store (once) and return *job* as interrupted: its owner is gone."""
        stopped = Job(
            id=job.id,
            kind=job.kind,
            state="interrupted",
            progress=job.progress,
            created=job.created,
            started=job.started,
            finished=self._clock(),
            result=None,
            error=INTERRUPTED,
        )
        with self._lock, self._db:
            # Only if still active: the owner may have finished it meanwhile.
            self._db.execute(
                "UPDATE jobs SET state = ?, finished = ?, error = ? WHERE id = ? "
                "AND state IN (?, ?)",
                ("interrupted", stopped.finished, INTERRUPTED, job.id, *_ACTIVE),
            )
        return stopped


def _row(job: Job) -> tuple[Any, ...]:
    return (
        job.id,
        job.kind,
        job.state,
        json.dumps(job.progress.as_dict(), ensure_ascii=False),
        job.created,
        job.started,
        job.finished,
        None if job.result is None else json.dumps(job.result, ensure_ascii=False),
        job.error,
    )


def _job(row: tuple[Any, ...]) -> Job:
    job_id, kind, state, progress, created, started, finished, result, error = row
    p = json.loads(progress)
    return Job(
        id=job_id,
        kind=kind,
        state=cast(JobState, state),
        progress=JobProgress(
            done=int(p.get("done", 0)),
            total=int(p.get("total", 0)),
            unit=str(p.get("unit", "files")),
            message=str(p.get("message", "")),
        ),
        created=created,
        started=started,
        finished=finished,
        result=None if result is None else json.loads(result),
        error=error,
    )
