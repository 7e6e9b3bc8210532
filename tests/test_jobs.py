"""Background jobs: the runner itself, and uploads/re-ingest over the API as 202 + job."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from assistant.core.jobs import JobRunner, Progress

TOKEN = "t0k3n-" + "j" * 26
NOTE = (
    "# Quy chế sao lưu dữ liệu\n\n## Điều 1. Phạm vi\n\n"
    "Quy chế này quy định việc sao lưu dữ liệu điện tử của cơ quan hằng tuần.\n"
)


def _auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


def test_runner_records_state_progress_result_and_errors() -> None:
    release = threading.Event()

    def slow(progress: Progress) -> dict[str, Any]:
        progress(1, 3, "files", "a.md")
        release.wait(10)
        progress(3, 3, "files")
        return {"ok": True}

    def broken(progress: Progress) -> dict[str, Any]:
        raise RuntimeError("hỏng")

    runner = JobRunner(workers=1, history=2)
    first = runner.submit("ingest", slow, total=3)
    second = runner.submit("upload", broken)
    assert first.state == "queued" and first.progress.total == 3
    deadline = time.monotonic() + 10
    while (runner.get(first.id) or first).progress.done != 1:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    running = runner.get(first.id)
    assert running is not None and running.state == "running" and running.started
    assert running.progress.message == "a.md"
    assert runner.get(second.id).state == "queued"  # type: ignore[union-attr]  # one at a time
    assert [j.id for j in runner.active()] == [first.id, second.id]
    release.set()
    done = runner.wait(first.id, timeout=10)
    assert done.state == "done" and done.result == {"ok": True} and done.finished
    failed = runner.wait(second.id, timeout=10)
    assert failed.state == "failed" and "hỏng" in failed.error and failed.result is None
    assert [j.id for j in runner.jobs()] == [second.id, first.id]  # newest first
    for _ in range(3):
        runner.wait(runner.submit("x", lambda p: None).id, timeout=10)
    assert len(runner.jobs()) == 2  # bounded history
    assert runner.get(first.id) is None


def test_runner_builds_no_thread_until_the_first_job() -> None:
    before = threading.active_count()
    JobRunner()
    assert threading.active_count() == before
    with pytest.raises(ValueError):
        JobRunner(workers=0)


@pytest.fixture
def api(make_assistant: Callable[..., Any]) -> TestClient:
    return TestClient(create_app(make_assistant(admin_token=TOKEN), ui=False))


def _wait(api: TestClient, url: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while True:
        job = api.get(url, headers=_auth())
        assert job.status_code == 200, job.text
        if job.json()["state"] in ("done", "failed"):
            return dict(job.json())
        assert time.monotonic() < deadline, job.json()
        time.sleep(0.1)


def test_upload_returns_202_with_a_job_that_reports_progress(api: TestClient) -> None:
    files = {"file": ("sao-luu.md", NOTE.encode(), "text/markdown")}
    accepted = api.post("/api/documents", headers=_auth(), files=files)
    assert accepted.status_code == 202, accepted.text
    body = accepted.json()
    assert body["status_url"] == f"/api/jobs/{body['job_id']}"
    assert accepted.headers["location"] == body["status_url"]
    job = _wait(api, body["status_url"])
    assert job["state"] == "done" and job["kind"] == "upload"
    assert job["progress"] == {"done": 1, "total": 1, "unit": "files", "message": "sao-luu.md"}
    assert job["result"]["counts"]["added"] == 1 and job["result"]["ok"] is True
    assert [d["id"] for d in api.get("/api/documents").json()["documents"]] == ["sao-luu"]
    listed = api.get("/api/jobs", headers=_auth()).json()["jobs"]
    assert [j["id"] for j in listed] == [body["job_id"]]
    # A bad file is reported in the job's result, and nothing changes.
    bad = api.post("/api/documents", headers=_auth(), files={"file": ("x.pdf", b"%PDF-1.4 broken")})
    assert bad.status_code == 202
    report = _wait(api, bad.json()["status_url"])["result"]
    assert report["ok"] is False and report["results"][0]["reason"]


def test_jobs_are_admin_only_and_unknown_jobs_404(api: TestClient) -> None:
    assert api.get("/api/jobs/abc").status_code == 401
    assert api.get("/api/jobs").status_code == 401
    missing = api.get("/api/jobs/abc", headers=_auth())
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "job_not_found"


def test_reingest_is_a_job_and_health_reports_indexing(api: TestClient) -> None:
    accepted = api.post("/api/documents/reingest", headers=_auth())
    assert accepted.status_code == 202
    health = api.get("/health").json()
    if health["indexing"] is not None:  # may already be done on a fast machine
        assert health["indexing"]["jobs"] == 1
        assert health["indexing"]["kinds"] == ["ingest"]
    job = _wait(api, accepted.json()["status_url"])
    assert job["state"] == "done" and job["progress"]["done"] == job["progress"]["total"] >= 2
    assert api.get("/health").json()["indexing"] is None
