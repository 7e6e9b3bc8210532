"""Markdown tables in passages: a row is read by its header, and a blank cell asked is a gap."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from langchain_core.documents import Document

from assistant.answer.tables import blank_columns, cells, header_of, table_header

HEADER = "| TT | Mã số TTHC | Tên TTHC | Thời hạn giải quyết |"


def test_cells_and_blank_columns() -> None:
    assert cells("| 11 | | Chuyển đổi công ty luật | 06 ngày |") == [
        "11",
        "",
        "Chuyển đổi công ty luật",
        "06 ngày",
    ]
    row = "| 11 | | Chuyển đổi công ty luật | 06 ngày |"
    assert blank_columns(
        "Thủ tục chuyển đổi công ty luật có mã số TTHC là gì?", [(HEADER, row)]
    ) == ["Mã số TTHC"]
    assert blank_columns("ma so tthc cua thu tuc chuyen doi cong ty luat", [(HEADER, row)]) == [
        "Mã số TTHC"
    ]
    # A filled cell, a column not asked, or a row that cannot be aligned: no gap.
    full = "| 12 | 1.002010 | Đăng ký hoạt động | 09 ngày |"
    assert blank_columns("Mã số TTHC của thủ tục đăng ký hoạt động?", [(HEADER, full)]) == []
    assert blank_columns("Thời hạn giải quyết thủ tục chuyển đổi?", [(HEADER, row)]) == []
    merged = "| 11 | Chuyển đổi công ty luật | 06 ngày |"
    assert blank_columns("Mã số TTHC là gì?", [(HEADER, merged)]) == []


def test_a_table_that_runs_on_is_read_by_the_header_of_an_earlier_chunk() -> None:
    first = Document(
        id="a",
        page_content=f"{HEADER}\n|---|---|---|---|\n| 1 | 1.0001 | Thủ tục một | 05 ngày |",
        metadata={"document_id": "qd", "section": "A.I"},
    )
    rows = Document(
        id="b",
        page_content="| 2 | | Thủ tục hai | 06 ngày |",
        metadata={"document_id": "qd", "section": "A.II"},
    )
    prose = Document(id="c", page_content="Điều 3. Thi hành.", metadata={"document_id": "qd"})
    after = Document(
        id="d", page_content="| 3 | | Thủ tục ba | 07 ngày |", metadata={"document_id": "qd"}
    )
    stats = SimpleNamespace(
        chunks={c.id: c for c in (first, rows, prose, after)},
        position={"a": 0, "b": 1, "c": 2, "d": 3},
        order=["a", "b", "c", "d"],
    )
    assert table_header(first.page_content) == (0, len(HEADER))
    assert header_of(rows, stats) == (first, 0, len(HEADER))  # type: ignore[arg-type]
    # Prose in between ends the table: a later table without a header has none.
    assert header_of(after, stats) is None  # type: ignore[arg-type]
    assert header_of(prose, stats) is None  # type: ignore[arg-type]


def test_a_blank_cell_asked_is_stated_as_a_gap(ingested: Callable[[dict[str, str]], Any]) -> None:
    assistant = ingested(
        {
            "qd.md": "---\nid: qd-mau\ndoc_type: Quyết định\nnumber: 99/QĐ-UBND\n"
            "issuer: Ủy ban nhân dân tỉnh Mẫu\ntitle: Công bố thủ tục mẫu\n---\n\n"
            "# QUYẾT ĐỊNH\n\n## Phụ lục. Danh mục thủ tục mẫu\n\n"
            f"{HEADER}\n|---|---|---|---|\n"
            "| 1 | 1.000111 | Đăng ký văn phòng mẫu | 05 ngày |\n"
            "| 2 | | Chuyển đổi văn phòng mẫu | 06 ngày |\n"
        }
    )
    answer = assistant.ask("Thủ tục chuyển đổi văn phòng mẫu có mã số TTHC là gì?")
    assert answer.grounded and answer.partial, answer.answer
    assert any("Mã số TTHC" in m for m in answer.missing), answer.missing
    answer = assistant.ask("Thủ tục đăng ký văn phòng mẫu có mã số TTHC là gì?")
    assert answer.grounded and not answer.partial, answer.answer
    assert any("1.000111" in c.quote for c in answer.citations), answer.answer


def test_the_row_a_question_names_is_quoted_with_its_header(
    ingested: Callable[[dict[str, str]], Any],
) -> None:
    # The prose around the table repeats the question's words; the row for the year
    # asked is the answer, read by its header.
    assistant = ingested(
        {
            "ghi-chu.md": "# Chỉ số mẫu — tài liệu tham khảo\n\n"
            "## 9. Kết quả chỉ số mẫu của tỉnh Hòa Đông\n\n"
            "Tổng điểm chỉ số mẫu của tỉnh Hòa Đông qua các năm, tổng điểm tối đa 80.\n\n"
            "| Năm | Tổng điểm | Thứ hạng |\n|---|---|---|\n"
            "| 2020 | 40,10 | 30/63 |\n| 2021 | 42,15 | 25/63 |\n| 2022 | 41,05 | 28/63 |\n\n"
            "Tổng điểm chỉ số mẫu của tỉnh Hòa Đông năm 2023 và năm 2024 thuộc nhóm thấp.\n"
        }
    )
    answer = assistant.ask("Tổng điểm chỉ số mẫu của tỉnh Hòa Đông năm 2021 là bao nhiêu?")
    assert answer.grounded and not answer.partial, answer.answer
    quotes = [c.quote for c in answer.citations]
    assert "| 2021 | 42,15 | 25/63 |" in quotes, answer.answer
    assert "| Năm | Tổng điểm | Thứ hạng |" in quotes, answer.answer
