"""Structure, chunking and metadata on small texts written for the test."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import SECTION_SEPARATOR, discover, parse_bytes
from ingest.chunker import MERGE_CHARS, TARGET_CHARS
from ingest.papi import DIMENSIONS, dimensions_for_heading

PLAN = """---
id: ke-hoach-papi-2023-test
doc_type: Kế hoạch
number: "52/KH-BQL"
number_note: Số hiệu không đọc được trên bản quét, lấy theo sổ văn bản
issuer: Ban Quản lý các Khu kinh tế và Khu công nghiệp tỉnh Quảng Nam
issue_date: 2023-06-12
title: Kế hoạch cải thiện, nâng cao Chỉ số PAPI năm 2023
status: in_force
references:
  - Kế hoạch số 3212/KH-UBND ngày 25/5/2023 của UBND tỉnh Quảng Nam
  - Quyết định số 3200/QĐ-UBND ngày 07/10/2019
source: scan of the signed plan
---

# KẾ HOẠCH Cải thiện, nâng cao Chỉ số PAPI năm 2023

Thực hiện Kế hoạch số 3212/KH-UBND ngày 25/5/2023 của UBND tỉnh Quảng Nam, Ban Quản lý ban hành Kế hoạch như sau:

## I. MỤC ĐÍCH, YÊU CẦU

### 1. Mục đích

- Khắc phục những tồn tại, hạn chế trong thực hiện các nội dung của Chỉ số PAPI năm 2022.
- Nâng cao trách nhiệm của người đứng đầu cơ quan.

## II. NHIỆM VỤ VÀ GIẢI PHÁP

### 2. Công khai, minh bạch

Thực hiện nghiêm quy trình, quy định về công khai, minh bạch quản lý tổ chức, biên chế, tài chính ngân sách.

### 4. Kiểm soát tham nhũng trong khu vực công

- Thường xuyên tuyên truyền phổ biến các quy định của pháp luật về phòng, chống tham nhũng.
- Thực hiện nghiêm túc việc kê khai tài sản thu nhập của công chức, viên chức theo quy định.

## III. TỔ CHỨC THỰC HIỆN

### 1. Trưởng các phòng, Giám đốc các đơn vị trực thuộc:

- Căn cứ chức năng, nhiệm vụ được giao, chủ động xây dựng kế hoạch nâng cao Chỉ số PAPI.
"""  # noqa: E501 (real layouts have long lines)


def by_heading(parsed, heading: str):
    return [c for c in parsed.chunks if c.metadata["heading"] == heading]


def test_markdown_plan_front_matter_sections_and_dimensions(invariants) -> None:
    parsed = parse_bytes(PLAN.encode("utf-8"), "ke-hoach.md")
    invariants(parsed)
    info = parsed.info
    assert info.id == "ke-hoach-papi-2023-test"
    assert info.number == "52/KH-BQL"
    assert info.notes.startswith("Số hiệu không đọc được")
    assert info.issue_date == "2023-06-12"
    assert info.references[0].startswith("Kế hoạch số 3212/KH-UBND")
    assert info.title == "Kế hoạch cải thiện, nâng cao Chỉ số PAPI năm 2023"
    assert "id:" not in parsed.text and "number_note" not in parsed.text

    (corruption,) = [c for c in parsed.chunks if "kê khai tài sản" in c.page_content]
    meta = corruption.metadata
    assert meta["section"] == SECTION_SEPARATOR.join(
        ["II. NHIỆM VỤ VÀ GIẢI PHÁP", "4. Kiểm soát tham nhũng trong khu vực công"]
    )
    assert meta["section_ref"] == "II.4"
    assert meta["heading"] == "4. Kiểm soát tham nhũng trong khu vực công"
    assert meta["dimensions"] == "4" and meta["dim_4"] is True and meta["dim_2"] is False
    assert meta["document_id"] == info.id and meta["number"] == "52/KH-BQL"
    assert not corruption.page_content.startswith("#")  # headings stay out of the text
    assert corruption.id.startswith("ke-hoach-papi-2023-test:")

    (transparency,) = by_heading(parsed, "2. Công khai, minh bạch")
    assert transparency.metadata["dimensions"] == "2"
    for chunk in by_heading(parsed, "1. Mục đích"):
        assert chunk.metadata["section_ref"] == "I.1"
        assert chunk.metadata["dimensions"] == ""
    (staff,) = by_heading(parsed, "1. Trưởng các phòng, Giám đốc các đơn vị trực thuộc:")
    assert staff.metadata["section_ref"] == "III.1"
    preamble = parsed.chunks[0]
    assert preamble.page_content.startswith("Thực hiện Kế hoạch số 3212/KH-UBND")
    assert preamble.metadata["section"] == ""


def test_overrides_win_over_front_matter_and_ids_are_stable() -> None:
    first = parse_bytes(PLAN.encode("utf-8"), "a.md", overrides={"number": "99/KH-X"})
    assert first.info.number == "99/KH-X"
    assert {c.metadata["number"] for c in first.chunks} == {"99/KH-X"}
    again = parse_bytes(PLAN.encode("utf-8"), "a.md", overrides={"number": "99/KH-X"})
    assert [c.id for c in again.chunks] == [c.id for c in first.chunks]
    explicit = parse_bytes(PLAN.encode("utf-8"), "a.md", document_id="my-doc")
    assert explicit.info.id == "my-doc"
    with pytest.raises(ValueError, match="unknown"):
        parse_bytes(PLAN.encode("utf-8"), "a.md", overrides={"colour": "red"})


def test_empty_front_matter_value_overrides_the_text() -> None:
    text = '---\nnumber: ""\ntitle:\n---\nSố: 12/KH-UBND\n\nI. NỘI DUNG\n\n- Việc một.\n'
    parsed = parse_bytes(text.encode("utf-8"), "x.md")
    assert parsed.info.number == ""
    assert parsed.info.title == "I. NỘI DUNG"


LAW = """QUỐC HỘI
-------
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc
Luật số: 02/2011/QH13
Hà Nội, ngày 11 tháng 11 năm 2011
LUẬT
KHIẾU NẠI
Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam năm 1992 đã được sửa đổi, bổ sung một số điều theo Nghị quyết số 51/2001/QH10;
Quốc hội ban hành Luật khiếu nại.
Chương 1
NHỮNG QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
Luật này quy định về khiếu nại và giải quyết khiếu nại.
Điều 2. Giải thích từ ngữ
Trong Luật này các từ ngữ dưới đây được hiểu như sau:
1. Khiếu nại là việc công dân đề nghị xem xét lại quyết định hành chính.
2. Người khiếu nại là công dân, cơ quan, tổ chức thực hiện quyền khiếu nại.
Điều 10.
Rút khiếu nại
Người khiếu nại có thể rút khiếu nại tại bất cứ thời điểm nào trong quá trình khiếu nại.
Điều 11. Các khiếu nại không được thụ lý giải quyết
Khiếu nại thuộc một trong các trường hợp sau đây không được thụ lý giải quyết:
1. Quyết định hành chính, hành vi hành chính trong nội bộ cơ quan nhà nước;
a) Quyết định hành chính chỉ đạo, điều hành;
b) Quyết định hành chính về tổ chức bộ máy.
2. Người khiếu nại không có năng lực hành vi dân sự đầy đủ mà không có người đại diện hợp pháp;
Điều 12. Quyết định này có hiệu lực kể từ ngày ký.
"""  # noqa: E501 (real layouts have long lines)


def test_law_articles_khoan_and_split_article_title(invariants) -> None:
    parsed = parse_bytes(LAW.encode("utf-8"), "Luat-khieu-nai-2011.txt")
    invariants(parsed)
    info = parsed.info
    assert (info.doc_type, info.number, info.issuer, info.issue_date) == (
        "Luật",
        "02/2011/QH13",
        "QUỐC HỘI",
        "2011-11-11",
    )
    assert info.title == "LUẬT KHIẾU NẠI"
    assert info.references == ("Nghị quyết số 51/2001/QH10",)

    (withdraw,) = by_heading(parsed, "Điều 10. Rút khiếu nại")
    assert withdraw.page_content.startswith("Người khiếu nại có thể rút khiếu nại")
    assert withdraw.metadata["section_ref"] == "Điều 10"
    assert withdraw.metadata["section"] == "Chương 1. NHỮNG QUY ĐỊNH CHUNG › Điều 10. Rút khiếu nại"

    refs = {c.metadata["section_ref"] for c in parsed.chunks}
    assert "Điều 11 khoản 1" in refs or "Điều 11" in refs
    khoan_1 = next(c for c in parsed.chunks if "trong nội bộ cơ quan" in c.page_content)
    assert "a) Quyết định hành chính chỉ đạo" in khoan_1.page_content  # điểm stay with khoản
    # An article whose text sits on its heading line keeps that text as content.
    (last,) = [c for c in parsed.chunks if c.metadata["section_ref"] == "Điều 12"]
    assert last.page_content == "Điều 12. Quyết định này có hiệu lực kể từ ngày ký."
    assert parsed.chunks[0].page_content.startswith("QUỐC HỘI")


def test_khoan_refs_when_a_khoan_stands_alone() -> None:
    long_khoan = "1. " + "Cơ quan có trách nhiệm tiếp nhận, xử lý kịp thời. " * 12
    text = f"Điều 5. Trách nhiệm\n{long_khoan}\n2. {'Cơ quan phối hợp giải quyết. ' * 14}\n"
    parsed = parse_bytes(text.encode("utf-8"), "x.txt")
    assert [c.metadata["section_ref"] for c in parsed.chunks] == [
        "Điều 5 khoản 1",
        "Điều 5 khoản 2",
    ]


PHAPDIEN = """---
layout: page
title: Thực hiện dân chủ ở cơ sở
permalink: /van-ban/thuc-hien-dan-chu-o-co-so/
---

## THÔNG TIN VĂN BẢN

| Thuộc tính | Nội dung |
|---|---|
| **Số hiệu** | Đang cập nhật |
| **Loại văn bản** | Đang cập nhật |

---

## VĂN BẢN
# Thực hiện dân chủ ở cơ sở

Chương I

NHỮNG QUY ĐỊNH CHUNG

Điều 44.13.LQ.1. Phạm vi điều chỉnh

(Điều 1 Luật số 10/2022/QH15 Luật thực hiện dân chủ ở cơ sở ngày 10/11/2022 của Quốc hội, có hiệu lực thi hành kể từ ngày 01/07/2023)

Luật này quy định về nội dung, cách thức thực hiện dân chủ ở cơ sở.

Điều 44.13.TT.2.2. Mục đích

(Điều 2 Thông tư số 67/2019/TT-BCA, có hiệu lực thi hành kể từ ngày 15/01/2020)

1. Bảo đảm quyền và lợi ích hợp pháp của cơ quan, tổ chức và cá nhân.

2. Nâng cao chất lượng, hiệu quả, vì Nhân dân phục vụ.Điều 44.13.TT.2.3. Nguyên tắc thực hiện dân chủ

(Điều 3 Thông tư số 67/2019/TT-BCA, có hiệu lực thi hành kể từ ngày 15/01/2020)

1. Tuân thủ Hiến pháp, pháp luật và các quy định của Bộ Công an.

(Điều này có nội dung liên quan đến Điều 44.13.LQ.1. Phạm vi điều chỉnh)

## Danh sách điều khoản

### 44013000000000001000

Chương I NHỮNG QUY ĐỊNH CHUNG

### 4401300000000000100000100000000000000000

Điều 44.13.LQ.1. Phạm vi điều chỉnh

### 4401300000000000100000280271150067000020

Điều 44.13.TT.2.2. Mục đích
"""  # noqa: E501 (real layouts have long lines)


def test_phapdien_page_furniture_glued_headings_and_original_citations(invariants) -> None:
    parsed = parse_bytes(PHAPDIEN.encode("utf-8"), "thuc-hien-dan-chu.md")
    invariants(parsed)
    assert parsed.info.title == "Thực hiện dân chủ ở cơ sở"
    for banned in (
        "Đang cập nhật",
        "THÔNG TIN VĂN BẢN",
        "permalink",
        "Danh sách điều khoản",
        "4401300",
    ):
        assert banned not in parsed.text
    refs = [c.metadata["section_ref"] for c in parsed.chunks]
    assert refs[0] == "Điều 1 Luật số 10/2022/QH15"
    assert (
        "Điều 3 khoản 1 Thông tư số 67/2019/TT-BCA" in refs
        or "Điều 3 Thông tư số 67/2019/TT-BCA" in refs
    )
    glued = next(c for c in parsed.chunks if "vì Nhân dân phục vụ." in c.page_content)
    assert glued.page_content.endswith("vì Nhân dân phục vụ.")
    assert glued.metadata["heading"] == "Điều 44.13.TT.2.2. Mục đích"
    principle = [c for c in parsed.chunks if c.metadata["heading"].startswith("Điều 44.13.TT.2.3.")]
    assert principle and "Tuân thủ Hiến pháp" in principle[0].page_content
    assert parsed.chunks[0].page_content.startswith("(Điều 1 Luật số 10/2022/QH15")
    assert all("Chương I" in c.metadata["section"] for c in parsed.chunks)


TABLE = """PHỤ LỤC 01

A. DANH MỤC THỦ TỤC HÀNH CHÍNH SỬA ĐỔI, BỔ SUNG (51 TTHC)

| TT | Mã số TTHC | Tên TTHC | Thời hạn giải quyết (Ngày làm việc) | Phí |
|---|---|---|---|---|
| I | LĨNH VỰC CHỨNG THỰC (17 TTHC) |  |  |  |
| I.1 | Thủ tục hành chính áp dụng chung (06 TTHC) |  |  |  |
| 1 | 2.000815 | Thủ tục chứng thực bản sao từ bản chính | Trong ngày | 2.000 đồng/trang |
| 2 | 2.000843 | Thủ tục chứng thực bản sao giấy tờ nước ngoài | Trong ngày | 2.000 đồng/trang |
| II | LĨNH VỰC QUỐC TỊCH (05 TTHC) |  |  |  |
| 1 | 2.001895 | Thủ tục cấp Giấy xác nhận là người gốc Việt Nam | 05 ngày | 100.000 đồng |

Ghi chú sau bảng.
"""


def test_table_rows_repeat_header_and_group_rows_become_sections(invariants) -> None:
    parsed = parse_bytes(TABLE.encode("utf-8"), "phu-luc.md")
    invariants(parsed)
    header = (
        "| TT | Mã số TTHC | Tên TTHC | Thời hạn giải quyết (Ngày làm việc) | Phí |\n"
        "|---|---|---|---|---|"
    )
    rows = [c for c in parsed.chunks if c.page_content.startswith("| TT |")]
    assert all(c.page_content.startswith(header) for c in rows)
    certification = next(c for c in rows if "2.000815" in c.page_content)
    assert certification.metadata["section"].endswith(
        "I. LĨNH VỰC CHỨNG THỰC (17 TTHC) › I.1. Thủ tục hành chính áp dụng chung (06 TTHC)"
    )
    assert certification.metadata["section_ref"] == "A.I.1"
    nationality = next(c for c in rows if "2.001895" in c.page_content)
    assert "I.1" not in nationality.metadata["section"]
    assert nationality.metadata["section"].endswith("II. LĨNH VỰC QUỐC TỊCH (05 TTHC)")
    assert not any("LĨNH VỰC" in c.page_content for c in parsed.chunks)  # group rows are headings
    assert parsed.chunks[-1].page_content == "Ghi chú sau bảng."


def test_long_paragraph_is_cut_at_sentences_and_tiny_items_merge(invariants) -> None:
    sentence = "Cơ quan phải công khai thủ tục hành chính tại trụ sở và trên cổng thông tin. "
    text = "I. NỘI DUNG\n\n" + sentence * 60 + "\n\n- Một.\n- Hai.\n- Ba.\n"
    parsed = parse_bytes(text.encode("utf-8"), "long.txt")
    invariants(parsed)
    sizes = [len(c.page_content) for c in parsed.chunks]
    assert max(sizes) <= TARGET_CHARS
    assert all(c.page_content.endswith(".") for c in parsed.chunks)
    assert parsed.chunks[-1].page_content == "- Một.\n- Hai.\n- Ba."
    assert len(parsed.chunks[-1].page_content) <= MERGE_CHARS


def test_numbered_list_without_content_is_not_a_heading(invariants) -> None:
    text = "Các nhiệm vụ trọng tâm:\n1. Rà soát thủ tục\n2. Công khai thủ tục\n3. Số hoá hồ sơ\n"
    parsed = parse_bytes(text.encode("utf-8"), "list.txt")
    invariants(parsed)
    assert {c.metadata["section"] for c in parsed.chunks} == {""}
    assert "3. Số hoá hồ sơ" in parsed.chunks[-1].page_content


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("1. Tham gia của người dân ở cấp cơ sở", {1}),
        ("2. Công khai, minh bạch", {2}),
        ("II.2 Công khai, minh bạch trong việc ra quyết định ở địa phương", {2}),
        ("3. Trách nhiệm giải trình với người dân", {3}),
        ("d) Kiểm soát tham nhũng trong khu vực công", {4}),
        ("5. Thủ tục hành chính công", {5}),
        ("6. Cung ứng dịch vụ công", {6}),
        ("7. QUẢN TRỊ MÔI TRƯỜNG", {7}),
        ("8. Quản trị điện tử", {8}),
        ("8. Quan tri dien tu", {8}),
        ("4. Kiém soat tham nhiing trong khu vuc cong", {4}),  # OCR slips
        ("Chỉ số nội dung 5", {5}),
        ("Thủ tục hành chính", set()),  # generic legal heading, not dimension 5
        ("Mục 1. CÔNG KHAI, MINH BẠCH VỀ TỔ CHỨC VÀ HOẠT ĐỘNG", set()),
        ("II. NHIỆM VỤ VÀ GIẢI PHÁP", set()),
        ("Quản lý môi trường", set()),
    ],
)
def test_dimension_from_heading(heading: str, expected: set[int]) -> None:
    assert dimensions_for_heading(heading) == expected


def test_official_dimension_names() -> None:
    assert DIMENSIONS[2] == "Công khai, minh bạch trong việc ra quyết định ở địa phương"
    assert all(dimensions_for_heading(f"{n}. {name}") == {n} for n, name in DIMENSIONS.items())


def test_discover_sorts_recurses_and_skips(tmp_path: Path) -> None:
    for relative in [
        "b.md",
        "a/c.txt",
        "a/d.PDF",
        "a/e.json",
        ".hidden.md",
        ".git/x.md",
        "provenance/p.md",
        "a/Provenance/q.md",
        "a/z.docx",
        "w.htm",
    ]:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    found = discover([tmp_path, tmp_path / "b.md", tmp_path / "missing"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a/c.txt",
        "a/d.PDF",
        "a/z.docx",
        "b.md",
        "w.htm",
    ]


def test_closing_formula_is_not_part_of_the_last_section() -> None:
    from pathlib import Path

    from ingest import parse_file

    plan = Path(__file__).resolve().parents[2] / "corpus"
    parsed = parse_file(plan / "ke-hoach-papi-2023-ban-quan-ly-kkt-kcn-quang-nam.md")
    closing = [c for c in parsed.chunks if c.page_content.startswith("Trên đây là")]
    assert len(closing) == 1
    assert closing[0].metadata["section"] == "" and closing[0].metadata["section_ref"] == ""
    last_duty = [c for c in parsed.chunks if "Phối hợp với các Phòng" in c.page_content]
    assert last_duty[0].metadata["section_ref"] == "III.2"
