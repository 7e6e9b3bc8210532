"""Follow-up questions: deterministic condensation with the conversation history."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.answer.followup import PAPI_DIMENSIONS, condense, is_followup, standalone
from assistant.answer.model import REFUSAL

TASKS_II4 = "Đơn vị cần làm gì để kiểm soát tham nhũng trong khu vực công?"
ANSWER_II4 = (
    "Theo Kế hoạch Cải thiện, nâng cao Chỉ số hiệu quả quản trị và hành chính công (PAPI) "
    "năm 2023 và những năm tiếp theo (mục II.4 – Kiểm soát tham nhũng trong khu vực công):\n"
    "- Thực hiện nghiêm túc việc kê khai tài sản thu nhập của công chức, viên chức. [1]"
)
HEADINGS = {
    "II.4": "Kiểm soát tham nhũng trong khu vực công",
    "II.5": "Thủ tục hành chính công",
    "II.6": "Cung ứng dịch vụ công",
    "III": "Tổ chức thực hiện",
}


def _lookup(ref: str, _answer: str) -> tuple[str, str] | None:
    heading = HEADINGS.get(ref)
    return ("plan", heading) if heading else None


def _turns(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    history = []
    for question, answer in pairs:
        history.append({"role": "user", "content": question})
        history.append({"role": "assistant", "content": answer})
    return history


# -- condensation (pure) ---------------------------------------------------------------


def test_followup_without_history_is_standalone() -> None:
    assert condense("còn mục 5 thì sao?", []) == standalone("còn mục 5 thì sao?")
    assert condense(TASKS_II4, None).question == TASKS_II4


def test_followup_new_section_keeps_intent_and_swaps_topic() -> None:
    c = condense("còn mục 5 thì sao?", _turns((TASKS_II4, ANSWER_II4)), _lookup)
    assert c.followup
    assert c.section_ref == "II.5" and c.document_id == "plan"
    assert c.heading == "Thủ tục hành chính công"
    assert "cần làm gì" in c.question and "thủ tục hành chính công" in c.question
    assert "tham nhũng" not in c.question


def test_followup_unaccented_and_chained() -> None:
    history = _turns(
        (TASKS_II4, ANSWER_II4),
        ("còn mục 5 thì sao?", "Theo Kế hoạch … (mục II.5 – Thủ tục hành chính công):\n- … [1]"),
    )
    c = condense("con muc 6 thi sao", history, _lookup)
    assert c.section_ref == "II.6"
    assert "cung ứng dịch vụ công" in c.question
    assert "thủ tục" not in c.question.lower() and "tham nhũng" not in c.question


def test_followup_dimension_without_lookup_uses_papi_names() -> None:
    c = condense("còn chỉ số 8 thì sao?", _turns((TASKS_II4, ANSWER_II4)))
    assert c.dimension == 8
    assert PAPI_DIMENSIONS[8].lower() in c.question.lower()


def test_followup_deadline_keeps_the_previous_topic() -> None:
    previous = "Phòng Hành chính và Tổng hợp có nhiệm vụ gì?"
    c = condense("hạn chót là khi nào?", _turns((previous, "…")))
    assert c.followup
    assert "Phòng Hành chính và Tổng hợp" in c.question
    assert c.question.startswith("hạn chót là khi nào")
    assert "trước ngày" in c.search_text  # how plans write deadlines
    assert c.own is None and c.intent is not None and c.intent.wants_deadline


def test_a_dimension_asked_by_number_is_that_dimension_not_the_next_section() -> None:
    # The previous answer quoted section 5 of a reference note, which lists the dimensions.
    note = (
        "Theo tài liệu tham khảo “Chỉ số PAPI” (mục 5 – Tám chỉ số nội dung của PAPI):\n"
        "- Tham gia của người dân ở cấp cơ sở là chỉ số nội dung thứ nhất … [1]"
    )
    sections = {
        "5": ("note", "Tám chỉ số nội dung của PAPI"),
        "6": ("note", "PAPI khác PAR Index, SIPAS và PCI như thế nào"),
        "II.6": ("plan", "Cung ứng dịch vụ công"),
    }

    def lookup(ref: str, _answer: str) -> tuple[str, str] | None:
        return sections.get(ref)

    history = _turns(("PAPI có bao nhiêu chỉ số nội dung?", note))
    c = condense("Vậy còn chỉ số 6?", history, lookup)
    assert c.dimension == 6 and c.heading == PAPI_DIMENSIONS[6] and c.section_ref != "6"
    # What was counted went with the old topic: no "bao nhiêu" is carried over.
    assert "bao nhiêu" not in c.question and "cung ứng dịch vụ công" in c.question.lower()
    # "mục 6" is the next section of the document quoted.
    assert condense("còn mục 6 thì sao?", history, lookup).section_ref == "6"


@pytest.mark.parametrize(
    "question",
    [
        "còn mục 5 thì sao?",
        "con muc 5 thi sao",
        "Vậy còn chỉ số 6?",
        "hạn chót là khi nào?",
        "han chot la khi nao",
        "ai chủ trì?",
        "thế còn phần III?",
    ],
)
def test_followup_recognised(question: str) -> None:
    assert is_followup(question)


@pytest.mark.parametrize(
    "question",
    [
        "Hạn chót báo cáo kết quả thực hiện kế hoạch PAPI là ngày nào?",
        "Trách nhiệm giải trình với người dân gồm những việc gì?",
        "Giá vàng SJC hôm nay bao nhiêu tiền?",
        "Thủ tục làm hộ chiếu phổ thông cần những giấy tờ gì?",
    ],
)
def test_followup_standalone_questions_are_not_rewritten(question: str) -> None:
    assert not is_followup(question)
    c = condense(question, _turns((TASKS_II4, ANSWER_II4)), _lookup)
    assert c.question == question and not c.followup


def test_followup_section_without_dimension_number() -> None:
    c = condense("thế còn phần III?", _turns((TASKS_II4, ANSWER_II4)), _lookup)
    assert c.section_ref == "III" and "Tổ chức thực hiện".lower() in c.question.lower()


# -- end to end on the corpus ----------------------------------------------------------


def _chat(assistant: Any, *questions: str) -> list[Any]:
    history: list[dict[str, str]] = []
    answers = []
    for question in questions:
        answer = assistant.ask(question, history=history)
        answers.append(answer)
        history += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer.answer},
        ]
    return answers


def _quotes_verbatim(assistant: Any, answer: Any) -> None:
    stored = {c.id: c.page_content for c in assistant.chunks()}
    for c in answer.citations:
        assert c.quote in stored[c.chunk_id]


def test_followup_next_section_on_the_corpus(corpus_assistant: Any) -> None:
    first, second, third = _chat(
        corpus_assistant, TASKS_II4, "còn mục 5 thì sao?", "con muc 6 thi sao"
    )
    assert "(mục II.4 – Kiểm soát tham nhũng trong khu vực công)" in first.answer
    assert second.grounded and second.condensed_question
    assert "(mục II.5 – Thủ tục hành chính công)" in second.answer.split("\n")[0]
    assert all(c.section.endswith("5. Thủ tục hành chính công") for c in second.citations)
    assert third.grounded
    assert "(mục II.6 – Cung ứng dịch vụ công)" in third.answer.split("\n")[0]
    for answer in (first, second, third):
        _quotes_verbatim(corpus_assistant, answer)


def test_followup_deadline_on_the_corpus(corpus_assistant: Any) -> None:
    _, deadline = _chat(
        corpus_assistant,
        "Phòng Hành chính và Tổng hợp có nhiệm vụ gì trong kế hoạch này?",
        "hạn chót là khi nào?",
    )
    assert deadline.grounded
    assert "15 tháng 12 năm 2023" in deadline.answer
    assert "Cần lưu ý: thời hạn trước ngày 15 tháng 12 năm 2023" in deadline.answer
    _quotes_verbatim(corpus_assistant, deadline)


def test_followup_out_of_scope_after_a_good_question_is_refused(corpus_assistant: Any) -> None:
    _, gold = _chat(corpus_assistant, TASKS_II4, "Giá vàng hôm nay?")
    assert not gold.grounded and gold.answer == REFUSAL


def test_followup_history_of_only_refusals_changes_nothing(corpus_assistant: Any) -> None:
    _, answer = _chat(
        corpus_assistant, "Giá vàng SJC hôm nay?", "Ai phải kê khai tài sản, thu nhập?"
    )
    assert answer.grounded
    assert "kê khai tài sản thu nhập của công chức, viên chức" in answer.answer
