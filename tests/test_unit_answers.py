"""'What must my unit do, by when?' is answered from the plan's tasks, with citations."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize(
    "question",
    [
        "Phòng Hành chính và Tổng hợp phải làm gì?",
        "phong hanh chinh va tong hop co nhiem vu gi, han nao?",
    ],
)
def test_a_unit_question_lists_that_units_tasks_with_citations(
    corpus_assistant: Any, question: str
) -> None:
    answer = corpus_assistant.ask(question)
    assert answer.grounded and answer.citations, answer.answer
    assert answer.answer.startswith("Nhiệm vụ của")
    assert "Hành chính và Tổng hợp" in answer.answer.split("\n")[0]
    assert "15/12/2023" in answer.answer or "15 tháng 12 năm 2023" in answer.answer
    passages = {c.id: c.page_content for c in corpus_assistant.chunks()}
    for citation in answer.citations:
        assert citation.quote in passages[citation.chunk_id]
        assert f"[{citation.n}]" in answer.answer


def test_other_questions_still_go_through_retrieval(corpus_assistant: Any) -> None:
    answer = corpus_assistant.ask("PAPI gồm mấy chỉ số nội dung?")
    assert not answer.answer.startswith("Nhiệm vụ của")
