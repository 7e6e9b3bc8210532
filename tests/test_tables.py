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


CODED = "| Năm | Điểm tổng | Thứ hạng | CS1 | CS2 |"
LEGEND = (
    "Chú giải: CS1 = Tham gia của người dân; CS2 = Quản trị môi trường; “–” là không có số liệu."
)


def test_coded_columns_are_read_by_their_legend_and_a_rank_by_its_column() -> None:
    from assistant.answer.tables import asked_cells, legend, row_key

    meanings = legend([LEGEND, "Điểm A = B trong văn xuôi."], CODED)
    assert meanings == {"CS1": "Tham gia của người dân", "CS2": "Quản trị môi trường"}
    row = "| 2021 | 42,10 | 25/63 | 4,48 | 3,53 |"
    assert row_key(row) == "2021" and row_key("| 3 | Thủ tục ba | 07 ngày |") == "Thủ tục ba"
    assert asked_cells("quan tri moi truong nam 2021 duoc may diem", CODED, row, meanings) == [
        ("CS2 – Quản trị môi trường", "3,53")
    ]
    # "tổng điểm" names "Điểm tổng"; a rank asked reads the column of ranks beside it.
    assert asked_cells("Tổng điểm năm 2021, xếp thứ mấy?", CODED, row, meanings) == [
        ("Điểm tổng", "42,10"),
        ("Thứ hạng", "25/63"),
    ]
    # The column of ranks ranks the total, not CS1: it does not answer CS1's rank.
    assert asked_cells("CS1 năm 2021 xếp thứ mấy?", CODED, row, meanings) == [
        ("CS1 – Tham gia của người dân", "4,48")
    ]
    # Another year's row, or no column named: nothing is read.
    assert asked_cells("CS1 năm 2020?", CODED, row, meanings) == []
    assert asked_cells("Năm 2021 có gì?", CODED, row, meanings) == []
    # A header spanning sub-columns (an empty header cell) is not read by position.
    spanning = "| TT | Tên TTHC | Cách thức | Phí, lệ phí | |"
    shifted = "| 3 | Thủ tục ba | 2 | Có | 50.000 đồng |"
    assert asked_cells("Thủ tục ba phí, lệ phí bao nhiêu?", spanning, shifted, {}) == []


def test_a_cell_asked_is_quoted_with_its_caption_and_read_out(
    ingested: Callable[[dict[str, str]], Any],
) -> None:
    assistant = ingested(
        {
            "ghi-chu.md": "# Chỉ số mẫu — tài liệu tham khảo\n\n"
            "## 9. Kết quả chỉ số mẫu của tỉnh Hòa Đông\n\n"
            "Điểm dưới đây là điểm chính thức, không trọng số, của tỉnh Hòa Đông.\n\n"
            f"{CODED}\n|---|---|---|---|---|\n"
            "| 2020 | 40,10 | 30/63 | 5,01 | – |\n| 2021 | 42,10 | 25/63 | 4,48 | 3,53 |\n\n"
            f"{LEGEND}\n\n"
            "Tổng điểm của tỉnh Hòa Đông năm 2023 và năm 2024 thuộc nhóm thấp; quản trị môi "
            "trường của tỉnh Hòa Đông được cải thiện qua các năm.\n"
        }
    )
    for question in (
        "Quản trị môi trường của tỉnh Hòa Đông năm 2021 được mấy điểm?",
        "quan tri moi truong cua tinh hoa dong nam 2021 duoc may diem",
    ):
        answer = assistant.ask(question)
        assert answer.grounded and not answer.partial, answer.answer
        quotes = [c.quote for c in answer.citations]
        assert "| 2021 | 42,10 | 25/63 | 4,48 | 3,53 |" in quotes, answer.answer
        assert any("không trọng số" in q for q in quotes), answer.answer  # the caption
        assert "hàng 2021: CS2 – Quản trị môi trường là 3,53" in answer.answer
    # A blank coded cell is a gap; a weighted score is denied by the caption.
    blank = assistant.ask("Quản trị môi trường của tỉnh Hòa Đông năm 2020 được mấy điểm?")
    assert not blank.grounded or blank.partial, blank.answer
    weighted = assistant.ask("Điểm tổng có trọng số của tỉnh Hòa Đông năm 2021 là bao nhiêu?")
    assert weighted.partial, weighted.answer
    # The rank of the total is not the rank of CS1.
    rank = assistant.ask("Năm 2021 chỉ số CS1 của tỉnh Hòa Đông xếp thứ mấy?")
    assert not rank.grounded or rank.partial, rank.answer


def test_nothing_is_counted_across_a_comma() -> None:
    from assistant.answer.honesty import asked_items
    from vntext.tokens import clause_ends

    assert clause_ends("là bao nhiêu, xếp thứ mấy?") == frozenset([2, 5])
    kinds = [i.kind for i in asked_items("Tổng điểm năm 2024 là bao nhiêu, xếp thứ mấy?")]
    assert "count" not in kinds and "rank" in kinds
    counted = asked_items("Năm 2024 có bao nhiêu thủ tục được công bố?")
    assert [i.kind for i in counted if i.kind == "count"] == ["count"]


_RESULTS = """# Kết quả chỉ số

## 3. Kết quả của tỉnh

Bảng dưới đây là điểm của tỉnh.

| Năm | Điểm tổng | CS1 | CS2 |
|---|---|---|---|
| 2021 | 40,10 | 4,48 | 3,53 |
| 2022 | 41,20 | 4,78 | 3,22 |

Chú giải: CS1 = Tham gia của người dân ở cấp cơ sở; CS2 = Quản trị môi trường.

## 4. Ghi chú khác

Môi trường sống của người dân ở cấp cơ sở được cải thiện.
"""


def test_a_table_carries_its_sections_legend_for_search(
    ingested: Callable[[dict[str, str]], Any], tmp_path: Any
) -> None:
    from ingest import parse_file

    path = tmp_path / "ket-qua.md"
    path.write_text(_RESULTS, encoding="utf-8")
    chunks = parse_file(path).chunks
    table = [c for c in chunks if "| 2021 |" in c.page_content]
    assert table and "CS2 = Quản trị môi trường" in table[0].metadata["legend"]
    assert not any(c.metadata.get("legend") for c in chunks if "| 2021 |" not in c.page_content)
    # Asked by the legend's words, the table (which writes only "CS2") is found.
    assistant = ingested({"ket-qua.md": _RESULTS})
    hits = assistant.search("quản trị môi trường năm 2021 được mấy điểm", 2)
    assert any("| 2021 |" in h.text for h in hits)


def test_the_legend_ingest_gave_a_table_is_the_one_read_from_its_section() -> None:
    from assistant.answer.tables import legend_of

    header = "| Năm | CS1 | CS2 |"
    text = f"{header}\n|---|---|---|\n| 2021 | 4,48 | 3,53 |"
    note = "Chú giải: CS1 = Tham gia của người dân; CS2 = Quản trị môi trường."
    table = Document(id="t", page_content=text, metadata={"document_id": "d", "section": "3"})
    legend_chunk = Document(
        id="n", page_content=note, metadata={"document_id": "d", "section": "3"}
    )
    stats = SimpleNamespace(
        chunks={"t": table, "n": legend_chunk}, sections={("d", "3"): ["t", "n"]}
    )
    read = legend_of((table, 0, len(header)), stats)  # type: ignore[arg-type]
    assert read == {"CS1": "Tham gia của người dân", "CS2": "Quản trị môi trường"}
    given = dict(table.metadata, legend="CS1 = Tham gia của người dân; CS2 = Quản trị môi trường")
    tagged = Document(id="t", page_content=text, metadata=given)
    empty = SimpleNamespace(chunks={}, sections={})  # the section is not read at all
    assert legend_of((tagged, 0, len(header)), empty) == read  # type: ignore[arg-type]
