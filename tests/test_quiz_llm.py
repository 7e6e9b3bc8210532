"""LLM mode: rewritten stems pass the same validators, are marked for review, or are refused.

Only LangChain's fake chat models are used; no network.
"""

from __future__ import annotations

import json

from langchain_core.language_models import FakeListChatModel

from assistant.quiz import generate_quiz
from assistant.quiz.llm import parse_reply, rewrite_item, rewrite_stems
from assistant.quiz.model import Quiz
from assistant.quiz.validators import check_item, check_quiz, source_texts
from ingest import parse_file
from tests.conftest import CORE_FILES
from tests.test_quiz_validators import PLAN, dimension_item

RICHER = (
    f"Theo {PLAN}, việc “Thực hiện nghiêm túc việc kê khai tài sản thu nhập” của công chức, "
    "viên chức góp phần cải thiện chỉ số nội dung nào của PAPI?"
)


def reply(stem: str) -> str:
    return json.dumps({"stem": stem}, ensure_ascii=False)


def test_a_valid_rewrite_is_kept_and_marked_for_review() -> None:
    item = dimension_item()
    model = FakeListChatModel(responses=["```json\n" + reply(RICHER) + "\n```"])
    new, outcome = rewrite_item(item, model)
    assert outcome == "rewritten"
    assert new.stem == RICHER and new.needs_review and new.generator.startswith("llm:")
    assert (new.options, new.key, new.explanation, new.source) == (
        item.options,
        item.key,
        item.explanation,
        item.source,
    )
    assert check_item(new) == []


def test_a_rewrite_that_gives_the_key_away_is_retried_then_accepted() -> None:
    leaky = (
        f"Theo {PLAN}, kê khai tài sản thuộc Kiểm soát tham nhũng trong khu vực công phải không?"
    )
    model = FakeListChatModel(responses=[reply(leaky), reply(RICHER)])
    new, outcome = rewrite_item(dimension_item(), model)
    assert outcome == "rewritten" and new.stem == RICHER


def test_malformed_or_off_topic_replies_keep_the_rule_item() -> None:
    item = dimension_item()
    for responses in (
        ["Xin lỗi, tôi không thể.", "{not json"],
        [reply("Câu hỏi?"), reply("Câu hỏi?")],  # too short / schema
        [reply("Theo tài liệu khác, thủ đô của Việt Nam là thành phố nào?")] * 2,  # drifted
    ):
        new, outcome = rewrite_item(item, FakeListChatModel(responses=responses))
        assert new == item and not new.needs_review
        assert outcome in ("schema", "invalid")


def test_true_false_rewrite_must_keep_the_statement() -> None:
    base = dimension_item()
    tf = base.model_copy(
        update={
            "type": "true_false",
            "stem": f"Theo {PLAN}, nhiệm vụ “Thực hiện nghiêm túc việc kê khai tài sản thu nhập” "
            "nhằm cải thiện chỉ số nội dung “Quản trị môi trường” của PAPI, đúng hay sai?",
            "options": ["Đúng", "Sai"],
            "key": 1,
            "claim": "Quản trị môi trường",
            "explanation": base.explanation.replace("Đáp án B", "Đáp án Sai"),
        }
    )
    assert check_item(tf) == []
    dropped_claim = f"Theo {PLAN}, việc kê khai tài sản thu nhập có cần thiết không, đúng hay sai?"
    new, outcome = rewrite_item(tf, FakeListChatModel(responses=[reply(dropped_claim)] * 2))
    assert outcome == "invalid" and new == tf


def test_cloze_stems_are_never_rewritten() -> None:
    cloze = dimension_item().model_copy(update={"type": "cloze"})
    new, outcome = rewrite_item(cloze, FakeListChatModel(responses=[reply(RICHER)]))
    assert outcome == "not_rewritable" and new is cloze


def test_parse_reply_extracts_the_json_object() -> None:
    assert parse_reply('Đây: {"stem": "Theo Kế hoạch, ai chủ trì?"} — hết').stem.endswith("?")


def test_generate_quiz_with_a_chat_model_still_validates() -> None:
    docs, chunks = [], []
    for path in CORE_FILES:
        parsed = parse_file(path)
        docs.append(parsed.info)
        chunks.extend(parsed.chunks)
    plain = generate_quiz(chunks, docs, n=12, seed=3)
    # A model that always answers the same generic stem: every rewrite fails a check.
    model = FakeListChatModel(responses=[reply("Theo văn bản, đâu là đáp án đúng?")])
    with_llm = generate_quiz(chunks, docs, n=12, seed=3, chat_model=model)
    assert [i.stem for i in with_llm.items] == [i.stem for i in plain.items]
    assert not any(i.needs_review for i in with_llm.items)
    sources = source_texts(chunks)
    assert all(check_item(i, sources) == [] for i in with_llm.items)
    assert check_quiz(with_llm) == []


def test_rewrite_stems_counts_outcomes() -> None:
    quiz = Quiz(seed=1, items=[dimension_item()])
    new, outcome = rewrite_stems(quiz, FakeListChatModel(responses=[reply(RICHER)]))
    assert outcome["rewritten"] == 1 and new.items[0].needs_review
    assert "+llm" in new.generator
