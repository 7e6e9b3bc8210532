"""Placeholder until the answer composer lands (issue 3): retrieval-only refusal."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.answers import REFUSAL, Answer
from assistant.index import Index, SearchFilters
from assistant.settings import Settings


class Answerer:
    """Answers questions from the index."""

    def __init__(self, index: Index) -> None:
        self._index = index

    def ask(self, question: str, history: list[dict[str, str]], filters: SearchFilters) -> Answer:
        """Answer *question* (placeholder: always refuses)."""
        return Answer(question=question, answer=REFUSAL, grounded=False, mode="refusal")

    def stream(
        self, question: str, history: list[dict[str, str]], filters: SearchFilters
    ) -> Iterator[str | Answer]:
        """Stream the answer text, then the Answer."""
        answer = self.ask(question, history, filters)
        yield answer.answer
        yield answer


def build_answerer(settings: Settings, index: Index) -> Answerer:
    """Build the answerer from settings."""
    return Answerer(index)
