"""Optional LLM mode: a chat model rewrites rule-made stems into richer questions.

The model only ever rewrites the *stem* of an item the rules already built and
validated; options, key, explanation and source stay as they are. Its reply must be
JSON matching :class:`StemRewrite`; the rewritten item then goes through the same
validators as every rule-made item (plus checks that it still asks the same thing), and
is marked ``needs_review``. A reply that fails is retried a bounded number of times; if
it still fails the rule-made item is kept — nothing unvalidated reaches the trainer.
Cloze stems are not rewritten: their quoted sentence is the source, verbatim.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, ValidationError

from assistant.quiz import matching
from assistant.quiz.model import BLANK, Quiz, QuizItem
from assistant.quiz.validators import check_item

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

MAX_ATTEMPTS = 2
REWRITABLE = ("mcq", "true_false")

SYSTEM_PROMPT = (
    "Bạn là chuyên gia soạn câu hỏi trắc nghiệm bồi dưỡng công chức về Chỉ số PAPI và cải "
    "cách hành chính. Viết lại phần câu hỏi (stem) cho rõ ràng, tự nhiên, đúng văn phong hành "
    "chính, bằng tiếng Việt có dấu. Quy tắc: giữ nguyên nội dung được hỏi và tên văn bản căn "
    "cứ (mở đầu bằng “Theo …”); chỉ dùng thông tin trong trích dẫn; không nêu đáp án hay bất "
    "kỳ phương án nào trong câu hỏi; câu hỏi kết thúc bằng dấu “?”; với câu Đúng/Sai phải giữ "
    'nguyên nhận định cần đánh giá. Chỉ trả lời bằng JSON một dòng: {"stem": "…"}.'
)


class StemRewrite(BaseModel):
    """What the model must return."""

    stem: str = Field(min_length=10, max_length=600)


def _request(item: QuizItem, problems: list[str]) -> str:
    payload = {
        "type": item.type,
        "stem": item.stem,
        "options": item.options if item.type != "true_false" else [],
        "statement_value": item.claim if item.type == "true_false" else "",
        "quote": item.source.quote,
        "section": item.source.section,
    }
    text = json.dumps(payload, ensure_ascii=False)
    if problems:
        text += "\nLần trước chưa đạt vì: " + "; ".join(problems) + ". Hãy sửa."
    return text


_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


def parse_reply(text: str) -> StemRewrite:
    """The JSON object in a model reply (code fences and chatter around it are ignored)."""
    match = _JSON_OBJECT.search(text)
    if not match:
        raise ValueError("no JSON object in the reply")
    try:
        return StemRewrite.model_validate_json(match.group(0))
    except ValidationError as exc:
        raise ValueError(f"reply does not match the schema: {exc.errors()[0]['msg']}") from exc


def same_question(original: QuizItem, rewritten: QuizItem) -> list[str]:
    """Reasons the rewritten stem no longer asks what the original asked ([] when it does)."""
    reasons = []
    if BLANK in rewritten.stem:
        reasons.append("the stem must not contain a blank")
    if original.type == "true_false":
        if not matching.contains(rewritten.stem, original.claim):
            reasons.append(f"the statement must keep “{original.claim}”")
    else:
        for option in original.options:
            if matching.contains(rewritten.stem, option):
                reasons.append(f"the stem must not name the option “{option}”")
    if matching.bigram_containment(original.source.document, rewritten.stem) < 0.5:
        reasons.append("the stem must name the source document")
    if matching.bigram_containment(original.stem, rewritten.stem) < 0.3:
        reasons.append("the stem drifted away from the original question")
    return reasons


def rewrite_item(
    item: QuizItem,
    chat_model: BaseChatModel,
    *,
    sources: Mapping[tuple[str, int], str] | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    model_name: str = "llm",
) -> tuple[QuizItem, str]:
    """The item with an LLM-written stem, or the original and why it was kept."""
    from langchain_core.messages import HumanMessage, SystemMessage

    if item.type not in REWRITABLE:
        return item, "not_rewritable"
    problems: list[str] = []
    reason = "failed"
    for _ in range(max_attempts):
        try:
            reply = chat_model.invoke(
                [SystemMessage(SYSTEM_PROMPT), HumanMessage(_request(item, problems))]
            )
            parsed = parse_reply(str(reply.content))
        except ValueError as exc:
            problems, reason = [str(exc)], "schema"
            continue
        candidate = item.model_copy(
            update={
                "stem": parsed.stem.strip(),
                "needs_review": True,
                "generator": f"llm:{model_name}:{item.generator}",
            }
        )
        candidate = QuizItem.model_validate(candidate.model_dump())  # NFC, types
        problems = [p.message for p in check_item(candidate, sources)]
        problems += same_question(item, candidate)
        if not problems:
            return candidate, "rewritten"
        reason = "invalid"
    return item, reason


def rewrite_stems(
    quiz: Quiz,
    chat_model: BaseChatModel,
    *,
    sources: Mapping[tuple[str, int], str] | None = None,
    max_attempts: int = MAX_ATTEMPTS,
) -> tuple[Quiz, Counter[str]]:
    """A copy of *quiz* with richer stems where the model's rewrite passes every check."""
    name = str(getattr(chat_model, "model_name", "") or getattr(chat_model, "model", "") or "llm")
    outcome: Counter[str] = Counter()
    items = []
    for item in quiz.items:
        new, result = rewrite_item(
            item, chat_model, sources=sources, max_attempts=max_attempts, model_name=name
        )
        outcome[result] += 1
        items.append(new)
    generator = f"{quiz.generator}+llm:{name}" if outcome["rewritten"] else quiz.generator
    return quiz.model_copy(update={"items": items, "generator": generator}), outcome
