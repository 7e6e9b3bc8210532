"""Job records shared by processes: one SQLite file in the data dir, crashed owners detected."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.core.job_registry import INTERRUPTED, JobRegistry
from assistant.core.jobs import JobRunner, Progress
from tests.conftest import REPO, free_loopback_port

TOKEN = "t0k3n-" + "r" * 26
NOTE = (
    "# Quy chế sao lưu dữ liệu\n\n## Điều 1. Phạm vi\n\n"
    "Quy chế này quy định việc sao lưu dữ liệu điện tử của cơ quan hằng tuần.\n"
)


def _until(check: Any, timeout_s: float = 20) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_two_runners_over_one_file_see_each_others_jobs(tmp_path: Path) -> None:
    path = tmp_path / "data" / "jobs.sqlite3"
    ran_in: list[str] = []
    release = threading.Event()

    def slow(progress: Progress) -> dict[str, Any]:
        ran_in.append(threading.current_thread().name)
        progress(1, 2, "files", "tệp-một.md")
        release.wait(10)
        progress(2, 2, "files")
        return {"ok": True, "counts": {"added": 2}}

    first = JobRunner(registry=JobRegistry(path))
    second = JobRunner(registry=JobRegistry(path))
    job = first.submit("upload", slow, total=2)
    seen = _until(lambda: (j := second.get(job.id)) and j.progress.done == 1 and j)
    assert seen.state == "running" and seen.kind == "upload" and seen.started
    assert seen.progress.message == "tệp-một.md" and seen.progress.total == 2
    assert [j.id for j in second.active()] == [job.id]
    assert [j.id for j in second.jobs()] == [job.id]
    # The other runner only reports it: a wait there times out while the job runs.
    assert second.wait(job.id, timeout=0.3).state == "running"
    waiter: list[Any] = []
    thread = threading.Thread(target=lambda: waiter.append(second.wait(job.id, timeout=10)))
    thread.start()
    release.set()
    thread.join(15)
    assert waiter and waiter[0].state == "done"
    assert waiter[0].result == {"ok": True, "counts": {"added": 2}} and waiter[0].finished
    assert second.active() == [] and len(ran_in) == 1
    # A third registry opened later (a restarted worker) still finds the record.
    assert JobRegistry(path).get(job.id) == first.get(job.id)
    with pytest.raises(KeyError):
        second.wait("unknown")


def test_history_is_bounded_across_runners(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    one = JobRunner(history=2, registry=JobRegistry(path))
    other = JobRunner(history=2, registry=JobRegistry(path))
    ids = [one.wait(one.submit("x", lambda p: None).id, timeout=10).id for _ in range(2)]
    ids += [other.wait(other.submit("y", lambda p: None).id, timeout=10).id for _ in range(2)]
    assert [j.id for j in one.jobs()] == [ids[3], ids[2]]  # newest first, two kept


_OWNER = textwrap.dedent(
    """
    import sys, threading
    from pathlib import Path
    from assistant.core.job_registry import JobRegistry
    from assistant.core.jobs import JobRunner

    runner = JobRunner(registry=JobRegistry(Path(sys.argv[1])))

    def forever(progress):
        progress(3, 10, "passages", "đang nhúng")
        threading.Event().wait()

    job = runner.submit("upload", forever, total=10, unit="passages")
    queued = runner.submit("ingest", lambda p: None)
    print(job.id, queued.id, flush=True)
    threading.Event().wait()
    """
)


def test_a_job_left_running_by_a_killed_process_is_interrupted(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    owner = subprocess.Popen(
        [sys.executable, "-c", _OWNER, str(path)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert owner.stdout is not None
        running_id, queued_id = owner.stdout.readline().split()
        registry = JobRegistry(path)
        # While the owner lives, its jobs are what it says they are.
        job = _until(lambda: (j := registry.get(running_id)) and j.progress.done == 3 and j)
        assert job.state == "running"
        assert registry.get(queued_id).state == "queued"  # type: ignore[union-attr]
        assert [j.id for j in registry.active()] == [running_id, queued_id]
    finally:
        os.kill(owner.pid, signal.SIGKILL)
        owner.wait(timeout=30)
    stopped = registry.get(running_id)
    assert stopped is not None and stopped.state == "interrupted" and not stopped.active
    assert stopped.error == INTERRUPTED and stopped.finished and stopped.progress.done == 3
    assert registry.get(queued_id).state == "interrupted"  # type: ignore[union-attr]
    assert registry.active() == []
    runner = JobRunner(registry=JobRegistry(path))
    assert runner.wait(running_id, timeout=5).state == "interrupted"  # no hang
    # Stored so: read the file itself.
    with sqlite3.connect(path) as db:
        states = dict(db.execute("SELECT id, state FROM jobs").fetchall())
    assert states == {running_id: "interrupted", queued_id: "interrupted"}


def test_a_reused_pid_is_another_process(tmp_path: Path) -> None:
    """A record naming a live pid that started at another time: its owner is gone."""
    path = tmp_path / "jobs.sqlite3"
    runner = JobRunner(registry=JobRegistry(path))
    release = threading.Event()

    def blocked(progress: Progress) -> None:
        release.wait(10)

    job = runner.submit("upload", blocked)
    try:
        _until(lambda: runner.get(job.id).state == "running")  # type: ignore[union-attr]
        other = JobRegistry(path)
        assert other.get(job.id).state == "running"  # type: ignore[union-attr]
        with sqlite3.connect(path) as db:  # the same pid, as if restarted an hour later
            db.execute("UPDATE jobs SET owner_started = owner_started + 3600")
        assert other.get(job.id).state == "interrupted"  # type: ignore[union-attr]
    finally:
        release.set()


def test_in_memory_registries_are_private() -> None:
    one, other = JobRunner(), JobRunner()
    job = one.submit("x", lambda p: {"n": 1})
    assert one.wait(job.id, timeout=10).result == {"n": 1}
    assert other.get(job.id) is None and other.jobs() == []


@pytest.mark.slow
def test_every_worker_of_papi_serve_reports_the_job(chroma_server: str, tmp_path: Path) -> None:
    """`papi serve --workers 2`: any worker answers GET /api/jobs/{id} and /health's
    indexing for a job another process runs (without the shared records, about half of
    the requests would get 404)."""
    port = free_loopback_port()
    (tmp_path / "empty-corpus").mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PAPI_")},
        "PAPI_DATA_DIR": str(tmp_path / "data"),
        "PAPI_CORPUS_DIR": str(tmp_path / "empty-corpus"),
        "PAPI_CHROMA_URL": chroma_server,
        "PAPI_COLLECTION": f"jobs-{uuid.uuid4().hex[:8]}",
        "PAPI_ADMIN_TOKEN": TOKEN,
        "PAPI_SERVER__RATE_LIMIT_PER_MINUTE": "0",
    }
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
    auth = {"Authorization": f"Bearer {TOKEN}"}

    def fresh_get(path: str) -> httpx.Response:
        # A new connection each time, so the kernel may hand it to either worker.
        return httpx.get(f"{base}{path}", timeout=30, headers={**auth, "Connection": "close"})

    try:
        deadline = time.monotonic() + 300
        while True:
            assert process.poll() is None, log_path.read_text()[-3000:]
            try:
                if fresh_get("/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "papi serve --workers 2 did not come up"
            time.sleep(0.5)
        _until(lambda: log_path.read_text().count("Application startup complete") >= 2, 300)
        # Several files, so the job runs a while; answered by whichever worker got the POST.
        files = [
            ("file", (f"quy-che-{i}.md", NOTE.replace("hằng tuần", f"mỗi {i} ngày").encode()))
            for i in range(1, 9)
        ]
        accepted = httpx.post(
            f"{base}/api/documents", headers={**auth, "Connection": "close"}, files=files
        )
        assert accepted.status_code == 202, accepted.text
        url = accepted.json()["status_url"]
        states = []
        deadline = time.monotonic() + 300
        while True:
            answers = [fresh_get(url) for _ in range(6)]
            assert [a.status_code for a in answers] == [200] * 6, [a.text for a in answers]
            states = [a.json()["state"] for a in answers]
            if set(states) == {"done"}:
                break
            assert time.monotonic() < deadline, states
            time.sleep(0.2)
        job = answers[0].json()
        assert job["result"]["counts"]["added"] == 8
        listed = [fresh_get("/api/jobs").json()["jobs"] for _ in range(4)]
        assert all(job["id"] in [j["id"] for j in jobs] for jobs in listed)
        assert all(fresh_get("/health").json()["indexing"] is None for _ in range(4))
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
