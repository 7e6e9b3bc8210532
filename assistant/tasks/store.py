"""Task status, kept in SQLite at ``<data_dir>/tasks.sqlite3``.

Why SQLite (stdlib ``sqlite3``, WAL journal):

* real transactions: a status update is all-or-nothing, and a crash mid-write leaves
  the previous status;
* it survives restarts and lives in one file per deployment, next to the Chroma index
  under ``PAPI_DATA_DIR`` (backed up with it);
* WAL lets readers (the UI, ``GET /api/tasks``) read while one writer writes, across
  processes on one host (``papi serve --workers N`` on one machine shares the file).

Status is keyed by task id (a hash of document, normalised action and unit), not by
chunk: re-ingesting an unchanged plan finds every status again, and a revised plan keeps
the status of each task whose action and unit did not change. Rows of tasks that
disappear are kept (an old plan version may come back).

Limitation: with several workers on *different hosts* sharing one Chroma server, each
host has its own ``PAPI_DATA_DIR`` and therefore its own status file; put the data dir
on one host (or point them at one shared volume) for a single checklist.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assistant.tasks.model import STATUSES

FILE_NAME = "tasks.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS task_status (
    task_id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    evidence TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    unit_key TEXT NOT NULL DEFAULT '',
    action_key TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS task_status_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    evidence TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""
MAX_NOTE = 2000
MAX_EVIDENCE = 1000


@dataclass(frozen=True)
class TaskStatus:
    """The checklist state of one task."""

    task_id: str
    document_id: str
    status: str
    note: str = ""
    evidence: str = ""
    updated_by: str = ""
    updated_at: str = ""


class TaskStore:
    """Task statuses in one SQLite file (see the module docstring for why)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # One connection per store, shared by the server's threads under a lock.
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        with self._db:
            self._db.executescript(_SCHEMA)

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> TaskStore:
        """The store of a deployment: ``<data_dir>/tasks.sqlite3``."""
        return cls(Path(data_dir) / FILE_NAME)

    def close(self) -> None:
        """Close the connection (the file stays)."""
        with self._lock:
            self._db.close()

    def get(self, task_ids: Iterable[str]) -> dict[str, TaskStatus]:
        """Statuses of the given tasks that have one."""
        ids = list(dict.fromkeys(task_ids))
        out: dict[str, TaskStatus] = {}
        with self._lock:
            for i in range(0, len(ids), 500):
                batch = ids[i : i + 500]
                marks = ",".join("?" * len(batch))
                rows = self._db.execute(
                    "SELECT task_id, document_id, status, note, evidence, updated_by, updated_at"
                    f" FROM task_status WHERE task_id IN ({marks})",
                    batch,
                ).fetchall()
                for row in rows:
                    out[row[0]] = TaskStatus(*row)
        return out

    def set(
        self,
        task_id: str,
        document_id: str,
        status: str,
        *,
        note: str = "",
        evidence: str = "",
        by: str = "",
        now: datetime | None = None,
        unit_key: str = "",
        action_key: str = "",
    ) -> TaskStatus:
        """Record a status (one transaction, with a history row). Raises ValueError for
        an unknown status or an over-long note/evidence link."""
        if status not in STATUSES:
            raise ValueError(
                f"Trạng thái không hợp lệ: {status!r} (chọn: {', '.join(STATUSES)}) / "
                f"invalid status"
            )
        if len(note) > MAX_NOTE or len(evidence) > MAX_EVIDENCE:
            raise ValueError(
                f"Ghi chú tối đa {MAX_NOTE} ký tự, minh chứng {MAX_EVIDENCE} ký tự / "
                "note or evidence too long"
            )
        stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
        record = TaskStatus(task_id, document_id, status, note, evidence, by, stamp)
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO task_status VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(task_id) "
                "DO UPDATE SET status=excluded.status, note=excluded.note, "
                "evidence=excluded.evidence, updated_by=excluded.updated_by, "
                "updated_at=excluded.updated_at, document_id=excluded.document_id, "
                "unit_key=excluded.unit_key, action_key=excluded.action_key",
                (task_id, document_id, status, note, evidence, by, stamp, unit_key, action_key),
            )
            self._db.execute(
                "INSERT INTO task_status_history (task_id, status, note, evidence, updated_by,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (task_id, status, note, evidence, by, stamp),
            )
        return record

    def of_document(self, document_id: str) -> list[tuple[TaskStatus, str, str]]:
        """Every status recorded for a document's tasks, with the unit and action keys
        they were recorded for (to find a revised task's former status)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT task_id, document_id, status, note, evidence, updated_by, updated_at, "
                "unit_key, action_key FROM task_status WHERE document_id = ?",
                (document_id,),
            ).fetchall()
        return [(TaskStatus(*row[:7]), row[7], row[8]) for row in rows]

    def carry(self, old: TaskStatus, new_id: str, unit_key: str, action_key: str) -> TaskStatus:
        """Give task *new_id* the status *old* had (a revised wording of the same task);
        the old row stays, the history says where the status came from."""
        record = TaskStatus(
            new_id,
            old.document_id,
            old.status,
            old.note,
            old.evidence,
            old.updated_by,
            old.updated_at,
        )
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR IGNORE INTO task_status VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new_id,
                    old.document_id,
                    old.status,
                    old.note,
                    old.evidence,
                    old.updated_by,
                    old.updated_at,
                    unit_key,
                    action_key,
                ),
            )
            self._db.execute(
                "INSERT INTO task_status_history (task_id, status, note, evidence, updated_by,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    new_id,
                    old.status,
                    f"(chuyển từ nhiệm vụ {old.task_id}) {old.note}".strip(),
                    old.evidence,
                    old.updated_by,
                    old.updated_at,
                ),
            )
        return record

    def history(self, task_id: str) -> list[TaskStatus]:
        """Every status a task had, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT task_id, '', status, note, evidence, updated_by, updated_at FROM "
                "task_status_history WHERE task_id = ? ORDER BY id",
                (task_id,),
            ).fetchall()
        return [TaskStatus(*row) for row in rows]
