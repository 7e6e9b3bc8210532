"""How well a question typed without diacritics is spelled back (``restoration`` in ``papi eval``).

Every question of the sets that is stored with diacritics is folded to ASCII and spelled
back by :meth:`assistant.core.facade.Assistant.spelled`; the share of its words spelled as
written is the figure, per split. It is what the dense retriever reads for a question
staff type without diacritics, so errors here are retrieval errors on those questions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from evaluation.library import by_split
from vntext.normalize import fold, has_diacritics
from vntext.tokens import words


def score_restoration(
    spell: Callable[[str], str], records: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """Word accuracy of ``spell(fold(question))`` against the question, per split."""
    report: dict[str, Any] = {}
    for split, group in by_split(records).items():
        asked = total = right = 0
        for record in group:
            question = record["question"]
            if not has_diacritics(question):
                continue
            expected = words(question)
            spelled = words(spell(fold(question)))
            if len(spelled) != len(expected):  # spelling never splits or joins words
                raise ValueError(f"{record['id']}: {spelled} against {expected}")
            asked += 1
            total += len(expected)
            right += sum(a == b for a, b in zip(spelled, expected, strict=True))
        report[split] = {
            "questions": asked,
            "words": total,
            "word_accuracy": round(right / total, 4) if total else 1.0,
        }
    return report
