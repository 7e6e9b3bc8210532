"""Questions keep getting correct answers while a re-ingest runs.

Threads ask and search without pause — through the facade and over HTTP (uvicorn on
loopback) — while the plan is replaced by a changed copy and other documents are replaced
and added. Every answer must be grounded and cite the plan;
a fact that the new version changes must come, whole, from the old or from the new version
(never a mix, never missing), and from the new one once the re-ingest is done.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx

from api.app import create_app
from assistant.index.ingestion import versioned
from ingest import parse_file
from tests.conftest import CORPUS, PLAN_ID
from tests.test_api_server import running_server

PLAN = CORPUS / "ke-hoach-papi-2023-ban-quan-ly-kkt-kcn-quang-nam.md"
REFERENCE = CORPUS / "papi-tai-lieu-tham-khao.md"
DEADLINE_Q = "Hạn chót báo cáo kết quả thực hiện kế hoạch PAPI là ngày nào?"
OLD_DEADLINE, NEW_DEADLINE = "15 tháng 12 năm 2023", "10 tháng 12 năm 2023"
STABLE = {
    "Kế hoạch số 3212/KH-UBND được ban hành ngày nào?": "25/5/2023",
    "Xin lỗi khi trễ hẹn giải quyết thủ tục hành chính theo quyết định nào?": "3200/QĐ-UBND",
}


def _versions(tmp_path: Path) -> tuple[Path, Path]:
    v1, v2 = tmp_path / "v1", tmp_path / "v2"
    v1.mkdir()
    v2.mkdir()
    plan = PLAN.read_text(encoding="utf-8")
    (v1 / PLAN.name).write_text(plan, encoding="utf-8")
    (v1 / REFERENCE.name).write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    changed = plan.replace(OLD_DEADLINE, NEW_DEADLINE).replace(
        "đơn vị trực thuộc", "đơn vị trực thuộc Ban"
    )
    assert changed.count(NEW_DEADLINE) == 1
    (v2 / PLAN.name).write_text(changed, encoding="utf-8")
    reference = REFERENCE.read_text(encoding="utf-8").replace("người dân", "người dân, tổ chức")
    (v2 / REFERENCE.name).write_text(reference, encoding="utf-8")
    # A new document long enough that the re-ingest takes a while on any machine.
    articles = "\n\n".join(
        f"Điều {n}. Quy định số {n} về lưu trữ hồ sơ\n"
        f"Hồ sơ nhóm {n} được lưu trữ trong thời hạn {n + 2} năm tại kho lưu trữ cơ quan; "
        f"văn thư cơ quan lập danh mục hồ sơ nhóm {n} và bàn giao cho lưu trữ cơ quan."
        for n in range(1, 61)
    )
    (v2 / "quy-che-luu-tru-ho-so.md").write_text(
        f"# Quy chế lưu trữ hồ sơ\n\n{articles}\n", encoding="utf-8"
    )
    return v1, v2


def test_answers_stay_correct_during_a_reingest(make_assistant: Any, tmp_path: Path) -> None:
    v1, v2 = _versions(tmp_path)
    # One client address asks without pause: the per-client rate limit is not under test.
    assistant = make_assistant(server={"rate_limit_per_minute": 0})
    assert assistant.ingest([v1]).counts()["added"] == 2
    old_ids = {c.id for c in assistant.chunks([PLAN_ID])}
    new_ids = {c.id for c in versioned(parse_file(v2 / PLAN.name).chunks)}
    texts = {c.id: c.page_content for c in assistant.chunks()}
    for path in sorted(v2.iterdir()):
        texts.update({c.id or "": c.page_content for c in versioned(parse_file(path).chunks)})

    ingest_done = threading.Event()
    failures: list[str] = []
    during: list[str] = []  # what the deadline answers said while the ingest ran
    asked_during = 0
    over_http = 0
    lock = threading.Lock()

    def check_answer(question: str, answer: Any) -> str | None:
        if not answer.grounded or not answer.citations:
            return f"not grounded: {question!r}: {answer.answer[:200]}"
        if answer.citations[0].document_id != PLAN_ID:
            return f"wrong document {answer.citations[0].document_id} for {question!r}"
        for c in answer.citations:
            if c.quote not in texts.get(c.chunk_id, ""):
                return f"quote not in its passage: {c.quote!r}"
        if question == DEADLINE_Q:
            old, new = OLD_DEADLINE in answer.answer, NEW_DEADLINE in answer.answer
            if old == new:
                return f"neither or both deadlines: {answer.answer[:300]}"
            version = old_ids if old else new_ids
            cited = {c.chunk_id for c in answer.citations if c.document_id == PLAN_ID}
            if not cited <= version:
                return "the deadline and its citation come from different versions"
            return "old" if old else "new"
        if STABLE[question] not in answer.answer:
            return f"missing {STABLE[question]!r}: {answer.answer[:300]}"
        return None

    def asker(questions: list[str]) -> None:
        nonlocal asked_during
        i = 0
        while not ingest_done.is_set():
            question = questions[i % len(questions)]
            i += 1
            try:
                outcome = check_answer(question, assistant.ask(question))
            except Exception as exc:  # noqa: BLE001 - any failure is a test failure
                outcome = f"{type(exc).__name__}: {exc}"
            with lock:
                if outcome in ("old", "new"):
                    during.append(outcome)
                elif outcome is not None:
                    failures.append(outcome)
                if not ingest_done.is_set():
                    asked_during += 1

    def http_asker(base: str) -> None:
        nonlocal asked_during, over_http
        questions = [*STABLE, DEADLINE_Q]
        i = 0
        with httpx.Client(base_url=base, timeout=120) as client:
            while not ingest_done.is_set():
                question = questions[i % len(questions)]
                i += 1
                try:
                    response = client.post("/api/ask", json={"question": question})
                    if response.status_code != 200:
                        outcome: str | None = f"HTTP {response.status_code}: {response.text[:200]}"
                    else:
                        body = response.json()
                        answer = SimpleNamespace(
                            **{
                                **body,
                                "citations": [SimpleNamespace(**c) for c in body["citations"]],
                            }
                        )
                        outcome = check_answer(question, answer)
                except Exception as exc:  # noqa: BLE001
                    outcome = f"{type(exc).__name__}: {exc}"
                with lock:
                    if outcome in ("old", "new"):
                        during.append(outcome)
                    elif outcome is not None:
                        failures.append(f"http: {outcome}")
                    asked_during += 1
                    over_http += 1

    def searcher() -> None:
        nonlocal asked_during
        while not ingest_done.is_set():
            try:
                hits = assistant.search("han chot bao cao ket qua thuc hien ke hoach papi", 5)
                problem = None
                if not hits or hits[0].document_id != PLAN_ID:
                    problem = f"search lost the plan: {[h.document_id for h in hits]}"
                elif any(texts.get(h.chunk_id) != h.text for h in hits):
                    problem = "a hit's text is not a stored passage"
            except Exception as exc:  # noqa: BLE001
                problem = f"{type(exc).__name__}: {exc}"
            with lock:
                if problem:
                    failures.append(problem)
                asked_during += 1

    with running_server(create_app(assistant, ui=False)) as base:
        threads = [
            threading.Thread(target=asker, args=([DEADLINE_Q, *STABLE],)),
            threading.Thread(target=http_asker, args=(base,)),
            threading.Thread(target=searcher),
        ]
        for thread in threads:
            thread.start()
        time.sleep(0.5)  # the askers are running before the re-ingest starts
        started = time.monotonic()
        try:
            report = assistant.ingest([v2])
        finally:
            ingest_done.set()
            for thread in threads:
                thread.join(timeout=120)
        elapsed = time.monotonic() - started

    assert report.counts() == {"added": 1, "unchanged": 0, "replaced": 2, "failed": 0}
    assert not failures, failures[:5]
    assert asked_during >= 6, f"only {asked_during} requests ran during a {elapsed:.1f} s ingest"
    assert over_http >= 1
    assert during and during[0] == "old"
    # Once an answer showed the new version, no later one went back to the old one.
    assert "old" not in during[during.index("new") :] if "new" in during else True
    # After the re-ingest: the new version only.
    final = assistant.ask(DEADLINE_Q)
    assert check_answer(DEADLINE_Q, final) == "new"
    assert {c.id for c in assistant.chunks([PLAN_ID])} == new_ids
