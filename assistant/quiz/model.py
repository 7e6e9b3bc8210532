"""Quiz items and quizzes: the one structured form every generator fills and every exporter reads.

Items are pydantic models, so the JSON export, the JSON schema (:func:`quiz_json_schema`) and
the check of whatever an LLM returns are the same code. Options are stored in their final,
displayed order; ``key`` indexes into them.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

ItemType = Literal["mcq", "true_false", "cloze"]
"""``mcq``: four options A–D; ``true_false``: Đúng/Sai; ``cloze``: điền khuyết, four options."""

ITEM_TYPES: tuple[ItemType, ...] = ("mcq", "true_false", "cloze")
LETTERS = "ABCD"
TRUE_FALSE_OPTIONS = ("Đúng", "Sai")
BLANK = "……"
"""The gap in a cloze stem; exporters put their own gap syntax in its place."""

SCHEMA_VERSION = 1

ITEM_TYPE_LABELS: dict[str, str] = {
    "mcq": "Trắc nghiệm",
    "true_false": "Đúng/Sai",
    "cloze": "Điền khuyết",
}


def nfc(text: str) -> str:
    """NFC form (every text we emit is NFC; some source files are partly NFD)."""
    return unicodedata.normalize("NFC", text)


class Source(BaseModel):
    """Where an item comes from: the document, the section and a verbatim quote."""

    document_id: str = Field(description="Stable id of the source document.")
    document: str = Field(description="How the document is named in stems, e.g. 'Kế hoạch …'.")
    doc_type: str = Field(default="", description="Kế hoạch, Quyết định, Tài liệu tham khảo…")
    number: str = Field(
        default="", description="Số hiệu, e.g. '3212/KH-UBND' ('' when not stated)."
    )
    section: str = Field(default="", description="Section path joined by ' › '.")
    section_ref: str = Field(default="", description="Short reference, e.g. 'II.4'.")
    heading: str = Field(default="", description="The innermost heading of the section.")
    quote: str = Field(description="A verbatim sentence or clause of the source passage.")
    chunk_index: int | None = Field(
        default=None, description="Position of the passage in the document."
    )

    @field_validator("*", mode="before")
    @classmethod
    def _nfc(cls, value: Any) -> Any:
        return nfc(value) if isinstance(value, str) else value


class QuizItem(BaseModel):
    """One question with its options, key, explanation and source."""

    id: str = Field(description="Stable id: the same fact and template give the same id.")
    type: ItemType
    stem: str = Field(description="The question, in Vietnamese, ending with '?'.")
    options: list[str] = Field(description="Displayed options in order (A–D, or Đúng/Sai).")
    key: int = Field(ge=0, le=3, description="Index of the correct option.")
    explanation: str = Field(description="'Đáp án B. Căn cứ: mục …: “quote”'.")
    source: Source
    fact: str = Field(description="Fact type the item tests: dimension, deadline, doc_ref…")
    answer: str = Field(description="The correct value (for true_false: the true value).")
    claim: str = Field(default="", description="true_false only: the value the statement asserts.")
    dimensions: list[int] = Field(default_factory=list, description="PAPI dimensions (1–8).")
    tags: list[str] = Field(default_factory=list)
    generator: str = Field(default="rule:v1", description="'rule:v1:<template>' or 'llm:<model>'.")
    needs_review: bool = Field(
        default=False, description="True for anything a language model wrote."
    )

    @field_validator("stem", "explanation", "answer", "claim", "fact", mode="before")
    @classmethod
    def _nfc(cls, value: Any) -> Any:
        return nfc(value) if isinstance(value, str) else value

    @field_validator("options", mode="before")
    @classmethod
    def _nfc_options(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [nfc(v) if isinstance(v, str) else v for v in value]
        return value

    @property
    def key_label(self) -> str:
        """'B' for choice items; 'Đúng'/'Sai' for true/false items."""
        if self.type == "true_false":
            return self.options[self.key]
        return LETTERS[self.key]

    @property
    def key_text(self) -> str:
        """The text of the correct option."""
        return self.options[self.key]

    @property
    def distractors(self) -> list[str]:
        """The wrong options, in displayed order."""
        return [o for i, o in enumerate(self.options) if i != self.key]

    def option_label(self, index: int) -> str:
        """'A'…'D' (also for Đúng/Sai, which print as 'A. Đúng', 'B. Sai')."""
        return LETTERS[index]


class Quiz(BaseModel):
    """A generated quiz: items in order plus how it was made (seed, filters)."""

    schema_version: int = SCHEMA_VERSION
    title: str = "Câu hỏi trắc nghiệm về Chỉ số PAPI và cải cách hành chính"
    seed: int = Field(description="Re-running with this seed and these filters gives this quiz.")
    generator: str = "rule:v1"
    documents: list[str] = Field(default_factory=list, description="Document filter ([]: all).")
    dimensions: list[int] = Field(default_factory=list, description="Dimension filter ([]: all).")
    types: list[ItemType] = Field(default_factory=lambda: list(ITEM_TYPES))
    items: list[QuizItem] = Field(default_factory=list)
    dropped: dict[str, int] = Field(
        default_factory=dict, description="Candidate items rejected, by validator code."
    )


def quiz_json_schema() -> dict[str, Any]:
    """The JSON schema of a quiz (and, under ``$defs``, of an item)."""
    return Quiz.model_json_schema()
