"""Quiz material for trainers: rule-based items from the documents, validated, exported.

Entry points: :func:`generate_quiz` (what the facade calls), :func:`export` (one
format → bytes, media type, file name) and the models in :mod:`assistant.quiz.model`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.documents import Document

from assistant.quiz.exporters import FORMATS, export
from assistant.quiz.model import ITEM_TYPES, Quiz, QuizItem, Source, quiz_json_schema
from ingest import DIMENSIONS as _OFFICIAL_DIMENSIONS

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

__all__ = [
    "DIMENSION_NAMES",
    "FORMATS",
    "ITEM_TYPES",
    "Quiz",
    "QuizItem",
    "Source",
    "export",
    "generate_quiz",
    "quiz_json_schema",
]

DIMENSION_NAMES: Mapping[int, str] = _OFFICIAL_DIMENSIONS
"""PAPI dimension number (1–8) → official Vietnamese name, for front ends (which may not
import :mod:`ingest`)."""


def generate_quiz(
    chunks: Sequence[Document],
    documents: Iterable[Any] = (),
    *,
    n: int = 10,
    types: Sequence[str] | None = None,
    document_ids: Sequence[str] | None = None,
    dimensions: Sequence[int] | None = None,
    seed: int | None = None,
    chat_model: BaseChatModel | None = None,
) -> Quiz:
    """A validated quiz from *chunks* (the live corpus); *chat_model* enables LLM stems.

    Without *document_ids*, every document except superseded ones is asked about;
    distractors may still come from any document.

    Raises ValueError for an unknown item type, document id or dimension.
    """
    from assistant.quiz.generator import generate
    from assistant.quiz.llm import rewrite_stems
    from assistant.quiz.validators import source_texts

    docs = list(documents)
    known = {str(d.id) for d in docs} | {str(c.metadata.get("document_id")) for c in chunks}
    missing = sorted(set(document_ids or ()) - known)
    if missing:
        raise ValueError(f"unknown document id(s): {', '.join(missing)}")
    bad_dims = sorted(d for d in dimensions or () if not 1 <= int(d) <= 8)
    if bad_dims:
        raise ValueError(f"PAPI dimensions are 1–8, not {bad_dims}")
    if not document_ids:
        # A superseded document is asked about only when a trainer names it.
        superseded = {str(d.id) for d in docs if getattr(d, "status", "") == "superseded"}
        if superseded:
            document_ids = sorted(known - superseded)
    quiz = generate(
        chunks,
        docs,
        n=n,
        types=types,
        document_ids=document_ids,
        dimensions=dimensions,
        seed=seed,
    ).quiz
    if chat_model is not None:
        quiz, _ = rewrite_stems(quiz, chat_model, sources=source_texts(chunks))
    return quiz
