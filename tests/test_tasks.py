"""Plan → tasks, without an index: units, deadlines, extraction on the seed plan and on
plain text, answers for a unit, the PAPI results table, and the exporters."""

from __future__ import annotations

import io
from datetime import date

import pytest

from assistant.tasks import answer_for_unit, extract_tasks, filter_tasks
from assistant.tasks.deadlines import parse_deadline
from assistant.tasks.exporters import export_tasks
from assistant.tasks.papi_results import find_papi_results
from assistant.tasks.units import aliases, units_in
from ingest import parse_bytes, parse_file
from tests.conftest import CORPUS, PLAN_ID

SEED = CORPUS / "ke-hoach-papi-2023-ban-quan-ly-kkt-kcn-quang-nam.md"
HC = "Phòng Hành chính và Tổng hợp"


@pytest.fixture(scope="module")
def seed() -> tuple[list, list]:
    parsed = parse_file(SEED)
    return parsed.chunks, extract_tasks(parsed.chunks, parsed.info)


def test_seed_plan_tasks_are_verbatim_and_carry_the_report_deadline(seed: tuple) -> None:
    chunks, tasks = seed
    by_index = {c.metadata["chunk_index"]: c.page_content for c in chunks}
    assert tasks
    for task in tasks:
        assert task.action in by_index[task.chunk_index]
        assert task.quote in by_index[task.chunk_index]
        assert task.document_id == PLAN_ID
    report = [t for t in tasks if t.due == "2023-12-15"]
    assert {t.unit for t in report} == {HC, "Các phòng, đơn vị trực thuộc"}
    assert all("15 tháng 12 năm 2023" in t.deadline for t in report)


def test_seed_plan_units_roles_and_dimensions(seed: tuple) -> None:
    _, tasks = seed
    hc = filter_tasks(tasks, unit="phong hanh chinh va tong hop")  # typed without diacritics
    roles = {t.role for t in hc if t.section_ref == "III.2"}
    assert roles == {"chủ trì", "phối hợp"}
    corruption = [t for t in tasks if t.dimension == 4]
    assert any("kê khai tài sản thu nhập" in t.action for t in corruption)
    assert {t.dimension for t in tasks} >= set(range(1, 9))
    # Part I states purposes and requirements: no task comes from it.
    assert not [t for t in tasks if t.section.startswith("I. ")]
    apology = next(t for t in tasks if "xin lỗi" in t.action)
    assert apology.legal_basis == ("Quyết định số 3200/QĐ-UBND ngày 07/10/2019 của UBND tỉnh",)
    # Ids are stable and distinct per unit and action.
    assert len({t.id for t in tasks}) == len(tasks)
    assert [t.id for t in extract_tasks(*_reparse())] == [t.id for t in tasks]


def _reparse() -> tuple:
    parsed = parse_file(SEED)
    return parsed.chunks, parsed.info


@pytest.mark.parametrize(
    ("text", "due", "recurrence"),
    [
        ("báo cáo trước ngày 15/12/2023", "2023-12-15", ""),
        ("bao cao truoc ngay 15/12/2023", "2023-12-15", ""),
        ("hoàn thành chậm nhất ngày 30 tháng 6 năm 2025", "2025-06-30", ""),
        ("trong tháng 6/2024", "2024-06-30", ""),
        ("hoàn thành trong quý III/2024", "2024-09-30", ""),
        ("báo cáo trước 30/6 hằng năm", "2025-06-30", "hằng năm"),
        ("báo cáo định kỳ 6 tháng", "", "định kỳ 6 tháng"),
        ("Thường xuyên rà soát", "", "thường xuyên"),
        ("tổng hợp, báo cáo hằng quý.", "", "hằng quý"),
        ("theo Quyết định số 3200/QĐ-UBND ngày 07/10/2019", "", ""),
        ("quy hoạch, kế hoạch sử dụng đất hằng năm; quy hoạch xây dựng", "", ""),
    ],
)
def test_deadlines(text: str, due: str, recurrence: str) -> None:
    found = parse_deadline(text, year_hint=2025)
    assert (found.due, found.recurrence) == (due, recurrence)
    if found:
        assert found.written in text


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Công an xã chủ trì, phối hợp với Trạm Y tế xã", ["Công an xã", "Trạm Y tế xã"]),
        ("Sở Nội vụ, Văn phòng UBND tỉnh", ["Sở Nội vụ", "Văn phòng UBND tỉnh"]),
        ("Văn phòng HĐND và UBND xã tham mưu", ["Văn phòng HĐND và UBND xã"]),
        ("Công chức Tư pháp - Hộ tịch tiếp nhận", ["Công chức Tư pháp - Hộ tịch"]),
        (
            "Phòng Văn hóa, Thể thao và Du lịch huyện hướng dẫn",
            ["Phòng Văn hóa, Thể thao và Du lịch huyện"],
        ),
        (
            "Trưởng các phòng, Giám đốc các đơn vị trực thuộc:",
            ["Trưởng các phòng, Giám đốc các đơn vị trực thuộc"],
        ),
        ("UBND các xã, thị trấn báo cáo", ["UBND các xã, thị trấn"]),
        ("Phong Hanh chinh va Tong hop trien khai", ["Phong Hanh chinh va Tong hop"]),
        ("Phòng, chống tham nhũng; Ban hành kế hoạch", []),
    ],
)
def test_units(text: str, names: list[str]) -> None:
    assert [u.name for u in units_in(text)] == names


def test_aliases_come_from_the_document() -> None:
    text = "Sở Tư pháp tỉnh Quảng Nam (sau đây gọi tắt là Sở) xây dựng Kế hoạch"
    assert aliases(text) == {"so": "Sở Tư pháp tỉnh Quảng Nam"}


PLAIN_PLAN = """KẾ HOẠCH
Nâng cao chất lượng giải quyết thủ tục hành chính năm 2025

I. MỤC ĐÍCH, YÊU CẦU
- Bảo đảm giải quyết thủ tục hành chính đúng hạn.

II. NHIỆM VỤ
1. Thủ tục hành chính công
- Phòng Tư pháp huyện chủ trì, phối hợp với Phòng Nội vụ huyện rà soát quy trình nội bộ \
giải quyết thủ tục hành chính, hoàn thành trong quý II/2025.
- Các xã, thị trấn niêm yết công khai thủ tục hành chính tại Bộ phận Một cửa; thường xuyên \
cập nhật khi có thay đổi.
2. Quản trị điện tử
Giao Văn phòng HĐND và UBND huyện hướng dẫn sử dụng dịch vụ công trực tuyến, báo cáo kết \
quả định kỳ 6 tháng.

III. TỔ CHỨC THỰC HIỆN
Đề nghị các phòng, ban thuộc UBND huyện báo cáo kết quả thực hiện trước ngày 20/11/2025.
"""


def test_a_plan_the_code_has_never_seen() -> None:
    parsed = parse_bytes(PLAIN_PLAN.encode("utf-8"), "ke-hoach-huyen.txt")
    tasks = extract_tasks(parsed.chunks, parsed.info)
    got = {(t.unit, t.role, t.due, t.recurrence, t.dimension) for t in tasks}
    assert ("Phòng Tư pháp huyện", "chủ trì", "2025-06-30", "", 5) in got
    assert ("Phòng Nội vụ huyện", "phối hợp", "2025-06-30", "", 5) in got
    assert ("Các xã, thị trấn", "thực hiện", "", "thường xuyên", 5) in got
    assert ("Văn phòng HĐND và UBND huyện", "thực hiện", "", "định kỳ 6 tháng", 8) in got
    # "các phòng, ban" expands to the phòng it names, and stays for the others.
    report = {t.unit for t in tasks if t.due == "2025-11-20"}
    assert report == {
        "Phòng Tư pháp huyện",
        "Phòng Nội vụ huyện",
        "Các phòng, ban thuộc UBND huyện",
    }
    for task in tasks:
        assert task.action in next(
            c.page_content for c in parsed.chunks if c.metadata["chunk_index"] == task.chunk_index
        )


def test_answer_for_unit_lists_tasks_with_deadlines_and_citations(seed: tuple) -> None:
    _, tasks = seed
    for question in (
        "Phòng Hành chính và Tổng hợp phải làm gì?",
        "phong hanh chinh tong hop phai lam gi",
    ):
        answer = answer_for_unit(question, tasks)
        assert answer is not None and answer.startswith(f"Nhiệm vụ của {HC}")
        assert "trước ngày 15 tháng 12 năm 2023" in answer and "[1]" in answer
        hc = [t for t in tasks if t.unit == HC]
        assert all(f"“{t.quote}”" in answer for t in hc)
    mine = answer_for_unit("Phòng tôi phải làm gì?", tasks)
    assert mine is not None and "Các phòng, đơn vị trực thuộc" in mine
    assert answer_for_unit("PAPI là gì?", tasks) is None
    assert answer_for_unit("Công an xã có nhiệm vụ gì, hạn nào?", tasks) is None  # not in it


RESULTS = """# Kết quả PAPI của tỉnh

## Điểm theo năm

| Năm | Điểm tổng | Thứ hạng tự tính (không chính thức) \
| CS1 | CS2 | CS3 | CS4 | CS5 | CS6 | CS7 | CS8 |
|---|---|---|---|---|---|---|---|---|---|---|
| 2023 | 43,10 | 20 | 5,10 | 5,20 | 4,30 | 6,40 | 7,50 | 7,60 | 3,20 | 3,10 |
| 2024 | 44,00 | 18 | 5,2 | – | 4.4 | 6,5 | 7,6 | 7,7 | 3,3 | 3,0 |
"""


def test_papi_results_table_is_found_in_the_chunks() -> None:
    parsed = parse_bytes(RESULTS.encode("utf-8"), "ket-qua.md")
    results = find_papi_results(parsed.chunks)
    assert results is not None and set(results.years) == {2023, 2024}
    latest = results.latest()
    assert latest is not None and latest.year == 2024
    assert latest.by_dimension[2] is None and latest.by_dimension[3] == 4.4
    assert results.weak_dimensions() == [8, 7, 3]
    assert find_papi_results(parse_file(SEED).chunks) is None


def test_exports_open_in_their_own_readers(seed: tuple) -> None:
    import docx
    import icalendar
    import openpyxl

    _, tasks = seed
    content, media, name = export_tasks(tasks, "ics")
    calendar = icalendar.Calendar.from_ical(content)
    events = [e for e in calendar.walk("VEVENT")]
    assert len(events) == sum(1 for t in tasks if t.due) == 2
    assert events[0].decoded("DTSTART") == date(2023, 12, 15)
    assert all(len(line.encode()) <= 75 for line in content.decode().split("\r\n"))
    book = openpyxl.load_workbook(io.BytesIO(export_tasks(tasks, "xlsx")[0]))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == len(tasks) + 1 and rows[0][0] == "Đơn vị"
    document = docx.Document(io.BytesIO(export_tasks(tasks, "docx")[0]))
    assert len(document.tables[0].rows) == len(tasks) + 1
    assert b"| " in export_tasks(tasks, "md")[0]
    with pytest.raises(ValueError, match="không hỗ trợ"):
        export_tasks(tasks, "pdf")


def test_overdue_against_a_given_day(seed: tuple) -> None:
    _, tasks = seed
    report = next(t for t in tasks if t.due)
    assert report.is_overdue(date(2026, 12, 1)) and not report.is_overdue(date(2023, 12, 1))
    routine = next(t for t in tasks if t.recurrence)
    assert not routine.is_overdue(date(2026, 12, 1))


def test_chart_marks_weak_dimensions_and_escapes_document_text(seed: tuple) -> None:
    from ui.tasks_tab import render_chart, task_rows

    _, tasks = seed
    parsed = parse_bytes(RESULTS.encode("utf-8"), "ket-qua.md")
    svg = render_chart(find_papi_results(parsed.chunks), tasks)
    assert svg.count("<rect") == 8 and svg.count("(yếu)") == 3
    assert "8 nhiệm vụ" in svg  # dimension 1 has four actions for two units each
    missing = render_chart(None, tasks)
    assert "Chưa có bảng kết quả PAPI" in missing and "<svg" not in missing
    rows = task_rows(tasks)
    assert len(rows) == len(tasks) and rows[0][0] == tasks[0].id


def test_answer_for_a_commune_unit_typed_either_way() -> None:
    from tests.conftest import REPO

    parsed = parse_file(REPO / "eval" / "tasks" / "ke-hoach-papi-2025-ubnd-xa-tam-xuan.md")
    tasks = extract_tasks(parsed.chunks, parsed.info)
    for question in ("Công an xã có nhiệm vụ gì, hạn nào?", "cong an xa co nhiem vu gi"):
        answer = answer_for_unit(question, tasks)
        assert answer is not None and answer.startswith("Nhiệm vụ của Công an xã (1 nhiệm vụ)")
        assert "nhũng nhiễu" in answer and "vai trò: chủ trì" in answer
    police = answer_for_unit("Trạm Y tế xã phải làm gì?", tasks)
    assert police is not None and "chậm nhất ngày 30/9/2025" in police


def test_the_shipped_reference_note_carries_the_results_table() -> None:
    results = find_papi_results(parse_file(CORPUS / "papi-tai-lieu-tham-khao.md").chunks)
    assert results is not None and set(results.years) == set(range(2017, 2025))
    assert results.years[2017].by_dimension[7] is None  # "–": dimension 7 began in 2018
    assert len(results.weak_dimensions()) == 3


def test_a_decision_in_articles_assigns_only_what_names_its_executor() -> None:
    decision = parse_file(CORPUS / "library" / "quyet-dinh-1766-qd-ubnd-2020-binh-thuan.md")
    tasks = extract_tasks(decision.chunks, decision.info)
    assert {(t.section_ref, t.unit) for t in tasks} == {
        ("Điều 3", "Chánh Văn phòng Ủy ban nhân dân tỉnh"),
        ("Điều 3", "Giám đốc Sở Tư pháp"),
    }
