"""The "Nhiệm vụ" tab in a real Chromium: checklist, overdue flag, the PAPI results chart,
an admin status update (and a refused one), an export."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from tests.conftest import CORPUS, PLAN_ID
from tests.test_ui_browser import ui_page

TOKEN = "t0k3n-" + "z" * 26
RESULTS = (
    "# Kết quả PAPI của tỉnh (bảng thử nghiệm)\n\n"
    "| Năm | Điểm tổng | Thứ hạng tự tính (không chính thức) | CS1 | CS2 | CS3 | CS4 | CS5 "
    "| CS6 | CS7 | CS8 |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|\n"
    "| 2024 | 44,00 | 18 | 5,2 | 5,1 | 4,4 | 6,5 | 7,6 | 7,7 | 3,3 | 3,0 |\n"
)


@pytest.fixture(scope="module")
def tasks_assistant(embeddings: Any) -> Iterator[Any]:
    from assistant.core.composition import build_assistant
    from assistant.core.settings import Settings

    with tempfile.TemporaryDirectory(prefix="papi-ui-tasks-") as tmp:
        results = Path(tmp) / "ket-qua-papi.md"
        results.write_text(RESULTS, encoding="utf-8")
        settings = Settings(data_dir=Path(tmp) / "data", corpus_dir=CORPUS, admin_token=TOKEN)
        assistant = build_assistant(settings, embeddings=embeddings)
        assert assistant.ingest(
            [CORPUS / "ke-hoach-papi-2023-ban-quan-ly-kkt-kcn-quang-nam.md", results]
        ).ok
        yield assistant


@pytest.mark.browser
def test_tasks_tab_checklist_chart_status_and_export(chromium: str, tasks_assistant: Any) -> None:
    from playwright.sync_api import expect

    with ui_page(create_app(tasks_assistant), chromium) as page:
        page.get_by_role("tab", name="Nhiệm vụ").click()
        table = page.locator("#papi-tasks")
        expect(table).to_contain_text("Phòng Hành chính và Tổng hợp")
        expect(table).to_contain_text("Quá hạn")  # the 15/12/2023 report
        chart = page.locator("#papi-task-chart svg")
        expect(chart).to_contain_text("Điểm PAPI năm 2024")
        assert chart.locator("rect").count() == 8
        expect(chart).to_contain_text("(yếu)")

        task = next(t for t in tasks_assistant.tasks(document_id=PLAN_ID) if t.due)
        page.get_by_text("Cập nhật trạng thái (quản trị)").click()  # open the accordion
        page.fill("#papi-task-id input", task.id)
        page.keyboard.press("Enter")
        page.fill("#papi-task-note textarea", "Đã gửi báo cáo")
        page.fill("#papi-task-token input", "sai-" + TOKEN)
        page.click("#papi-task-save")
        expect(page.locator("#papi-task-message")).to_contain_text("Cần mã quản trị")
        assert next(t for t in tasks_assistant.tasks() if t.id == task.id).status == "chưa làm"

        page.fill("#papi-task-token input", TOKEN)
        page.click("#papi-task-save")
        expect(page.locator("#papi-task-message")).to_contain_text("Đã cập nhật")
        saved = next(t for t in tasks_assistant.tasks() if t.id == task.id)
        assert (saved.status, saved.note) == ("đang làm", "Đã gửi báo cáo")
        expect(table).to_contain_text("Đã gửi báo cáo")

        page.get_by_role("button", name="Tải XLSX").click()
        download = page.locator("#papi-task-file")
        expect(download).to_contain_text("nhiem-vu")  # the name is shown as "nhiem-vu" ".xlsx"
        expect(download).to_contain_text(".xlsx")
