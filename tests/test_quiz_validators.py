"""Quiz validators catch each known defect class; distractor rules never offer a right answer."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.quiz.distractors import banned, choose_ordered, excluded
from assistant.quiz.facts import DocumentLabel, Fact, Passage
from assistant.quiz.model import Quiz, QuizItem, Source
from assistant.quiz.validators import check_item, check_quiz

PLAN = "Kế hoạch cải thiện Chỉ số PAPI năm 2023 của Ban Quản lý"
DIM4 = "4. Kiểm soát tham nhũng trong khu vực công"
KE_KHAI = (
    "Thực hiện nghiêm túc việc kê khai tài sản thu nhập của công chức, viên chức theo quy định."
)
CLOSING = (
    "Đề nghị các phòng, đơn vị trực thuộc báo cáo kết quả thực hiện về Ban Quản lý (qua Phòng "
    "Hành chính và Tổng hợp) trước ngày 15 tháng 12 năm 2023 để tổng hợp báo cáo Sở Nội vụ."
)


def dimension_item(**changes: Any) -> QuizItem:
    """A valid item; each test breaks one thing."""
    data: dict[str, Any] = {
        "id": "abc123def456",
        "type": "mcq",
        "stem": (
            f"Theo {PLAN}, nhiệm vụ “Thực hiện nghiêm túc việc kê khai tài sản thu nhập” "
            "nhằm cải thiện chỉ số nội dung nào của PAPI?"
        ),
        "options": [
            "Trách nhiệm giải trình với người dân",
            "Kiểm soát tham nhũng trong khu vực công",
            "Tham gia của người dân ở cấp cơ sở",
            "Cung ứng dịch vụ công",
        ],
        "key": 1,
        "explanation": f"Đáp án B. Căn cứ: mục II.4, {PLAN}: “{KE_KHAI}”",
        "source": Source(
            document_id="kh",
            document=PLAN,
            section=f"II. NHIỆM VỤ VÀ GIẢI PHÁP › {DIM4}",
            section_ref="II.4",
            heading=DIM4,
            quote=KE_KHAI,
            chunk_index=3,
        ),
        "fact": "dimension",
        "answer": "Kiểm soát tham nhũng trong khu vực công",
        "dimensions": [4],
    }
    data.update(changes)
    return QuizItem(**data)


def deadline_item(options: list[str], key: int) -> QuizItem:
    return QuizItem(
        id="d1",
        type="mcq",
        stem=f"Theo {PLAN}, thời hạn báo cáo kết quả thực hiện là trước ngày nào?",
        options=options,
        key=key,
        explanation=f"Đáp án {'ABCD'[key]}. Căn cứ: mục III.2, {PLAN}: “{CLOSING}”",
        source=Source(document_id="kh", document=PLAN, section_ref="III.2", quote=CLOSING),
        fact="deadline",
        answer="15/12/2023",
    )


def codes(item: QuizItem, **kwargs: Any) -> set[str]:
    return {p.code for p in check_item(item, **kwargs)}


def test_a_good_item_passes() -> None:
    assert codes(dimension_item()) == set()
    ok = deadline_item(["30/11/2023", "05/12/2023", "15/12/2023", "25/12/2023"], 2)
    assert codes(ok) == set()


def test_co_correct_distractor_is_caught() -> None:
    # The quote names another value of the same type: it may be right too.
    item = deadline_item(["30/11/2023", "15/12/2023", "25/12/2023", "Sở Nội vụ"], 1)
    assert "co_correct" in codes(item)
    # A task that mentions e-government also serves "Quản trị điện tử".
    ict = "Tăng cường ứng dụng công nghệ thông tin trong giải quyết thủ tục hành chính."
    item = dimension_item(
        source=dimension_item().source.model_copy(update={"quote": ict}),
        options=[
            "Quản trị điện tử",
            "Kiểm soát tham nhũng trong khu vực công",
            "Tham gia của người dân ở cấp cơ sở",
            "Trách nhiệm giải trình với người dân",
        ],
        stem=f"Theo {PLAN}, nhiệm vụ “Tăng cường ứng dụng công nghệ thông tin” nhằm cải thiện chỉ "
        "số nội dung nào của PAPI?",
    )
    assert "co_correct" in codes(item)


def test_collective_unit_covers_its_members() -> None:
    duty = "Tiếp nhận, giải quyết phản ánh, kiến nghị của cá nhân, tổ chức về TTHC."
    heading = "1. Trưởng các phòng, Giám đốc các đơn vị trực thuộc:"
    key = "Trưởng các phòng, Giám đốc các đơn vị trực thuộc"
    item = QuizItem(
        id="u1",
        type="mcq",
        stem=f"Theo {PLAN}, nhiệm vụ “Tiếp nhận, giải quyết phản ánh, kiến nghị” được giao cho ai?",
        options=[
            key,
            "Phòng Hành chính và Tổng hợp",  # a phòng: its head is one of "Trưởng các phòng"
            "Chánh Văn phòng UBND tỉnh, Giám đốc Sở Tư pháp",
            "Giám đốc Sở Nội vụ, Chánh Thanh tra tỉnh",
        ],
        key=0,
        explanation=f"Đáp án A. Căn cứ: mục III.1, {PLAN}: “{duty}”",
        source=Source(
            document_id="kh", document=PLAN, section_ref="III.1", heading=heading, quote=duty
        ),
        fact="responsible_unit",
        answer=key,
    )
    assert "co_correct" in codes(item)


@pytest.mark.parametrize(
    "second",
    [
        "kiểm soát tham nhũng trong  khu vực công",
        "Kiểm soát tham nhũng",
        "Kiểm soát tham nhũng trong khu vực công.",
    ],
)
def test_duplicate_options_are_caught(second: str) -> None:
    options = dimension_item().options
    options[3] = second  # same value, case/space variant, or a substring of the key
    assert "duplicate_options" in codes(dimension_item(options=options))


def test_tone_placement_variants_are_duplicates() -> None:
    item = deadline_item(["Thủy lợi hóa", "Thuỷ lợi hoá", "Giao thông", "Đô thị"], 2)
    assert "duplicate_options" in codes(item)


def test_unsupported_key_is_caught() -> None:
    item = dimension_item(
        options=[
            "Trách nhiệm giải trình với người dân",
            "Tham gia của người dân ở cấp cơ sở",
            "Kiểm soát tham nhũng trong khu vực công",
            "Cung ứng dịch vụ công",
        ],
        key=1,  # "Tham gia của người dân…" is not what the quote/heading supports
        explanation=f"Đáp án B. Căn cứ: mục II.4, {PLAN}: “{KE_KHAI}”",
    )
    assert "unsupported_key" in codes(item)
    wrong_date = deadline_item(["30/11/2023", "05/12/2023", "15/12/2023", "25/12/2023"], 3)
    wrong_date = wrong_date.model_copy(update={"answer": "25/12/2023"})
    assert "unsupported_key" in codes(wrong_date)


def test_unsupported_true_false_is_caught() -> None:
    base = dimension_item()
    statement = QuizItem(
        **{
            **base.model_dump(),
            "type": "true_false",
            "stem": f"Theo {PLAN}, kê khai tài sản nhằm cải thiện chỉ số “Quản trị môi trường”, "
            "đúng hay sai?",
            "options": ["Đúng", "Sai"],
            "key": 0,  # claims "Đúng" for a false statement
            "claim": "Quản trị môi trường",
            "explanation": f"Đáp án Đúng. Căn cứ: {PLAN}: “{KE_KHAI}”",
        }
    )
    assert "unsupported_key" in codes(statement)
    fixed = statement.model_copy(
        update={"key": 1, "explanation": f"Đáp án Sai. Căn cứ: {PLAN}: “{KE_KHAI}”"}
    )
    assert codes(fixed) == set()


def test_key_longest_bias_is_caught() -> None:
    item = deadline_item(
        [
            "Sở Tư pháp",
            "Sở Tài chính",
            "15/12/2023 hoặc trong tháng 12 năm 2023 theo quy định",
            "Sở Y tế",
        ],
        2,
    )
    item = item.model_copy(update={"answer": "15/12/2023"})
    assert "key_longest" in codes(item)


def test_all_of_the_above_and_key_in_stem_are_caught() -> None:
    options = dimension_item().options
    options[0] = "Tất cả các phương án trên"
    assert "banned_option" in codes(dimension_item(options=options))
    assert banned("Cả A và B") and banned("Không có phương án nào đúng")
    leaky = dimension_item(
        stem=f"Theo {PLAN}, nhiệm vụ kê khai tài sản thuộc “Kiểm soát tham nhũng trong khu vực "
        "công”, vậy chỉ số nội dung nào của PAPI?"
    )
    assert "key_in_stem" in codes(leaky)


def test_stem_form_and_schema() -> None:
    assert "stem_form" in codes(dimension_item(stem="Kê khai tài sản thuộc chỉ số nào."))
    assert "schema" in codes(dimension_item(options=["A", "B", "C"], key=0))
    assert "schema" in codes(dimension_item(explanation="Căn cứ: không nêu đáp án"))


def test_cloze_must_refill_to_the_quote() -> None:
    quote = "Cỡ mẫu khảo sát PAPI 2023 là 19.536 người trả lời."
    item = QuizItem(
        id="c1",
        type="cloze",
        stem="Theo tài liệu “PAPI”, cần điền nội dung nào vào chỗ trống trong câu sau: "
        "“Cỡ mẫu khảo sát PAPI 2023 là …… người trả lời”?",
        options=["17.536", "18.536", "19.536", "20.536"],
        key=2,
        explanation=f"Đáp án C. Căn cứ: tài liệu “PAPI”: “{quote}”",
        source=Source(document_id="ref", document="tài liệu “PAPI”", quote=quote),
        fact="quantity",
        answer="19.536",
    )
    assert codes(item) == set()
    reworded = item.model_copy(update={"stem": item.stem.replace("người trả lời", "hộ gia đình")})
    assert "unsupported_key" in codes(reworded)


def test_quote_must_be_verbatim_in_the_source() -> None:
    item = dimension_item()
    assert codes(item, sources={("kh", 3): f"- {KE_KHAI}"}) == set()
    assert "quote_not_in_source" in codes(item, sources={("kh", 3): "- Một đoạn khác."})


def test_quiz_level_checks() -> None:
    same = [dimension_item(id=f"i{n}") for n in range(4)]
    quiz = Quiz(seed=1, items=same)
    found = {p.code for p in check_quiz(quiz)}
    assert "duplicate_stem" in found and "key_spread" in found  # all four keys at B


def _fact(value: str, quote: str, **kw: Any) -> Fact:
    passage = Passage("kh", 0, "III › 2. Phòng", "III.2", "2. Phòng", (), quote)
    return Fact(
        kind=kw.pop("kind", "deadline"),
        value=value,
        quote=quote,
        passage=passage,
        document=DocumentLabel(id="kh", title="Kế hoạch"),
        pool=kw.pop("pool", "date"),
        **kw,
    )


def test_distractor_exclusions() -> None:
    fact = _fact("Phòng Hành chính và Tổng hợp", CLOSING, kind="report_via", pool="unit")
    assert excluded(fact, "Sở Nội vụ") == "co_correct"  # named in the quote
    assert excluded(fact, "phòng hành chính và tổng hợp") == "duplicate"
    assert excluded(fact, "Phòng Hành chính") == "duplicate"  # a substring of the key
    assert excluded(fact, "Sở Tư pháp") == ""
    also = _fact("Quản trị điện tử", KE_KHAI, also_correct=("Thủ tục hành chính công",))
    assert excluded(also, "Thủ tục hành chính công") == "co_correct"


def test_ordered_options_put_the_key_where_asked() -> None:
    fact = _fact("15/12/2023", CLOSING, span="15 tháng 12 năm 2023", ordered=True)
    for position in range(4):
        laid = choose_ordered(fact, position)
        assert laid is not None
        options, key = laid
        assert key == position and options[key] == "15/12/2023"
        assert len(set(options)) == 4
