"""Answers to "what must my unit do, by when?" from the tasks the plans assign.

The task list (:mod:`assistant.tasks`) already holds, for every unit, the verbatim
action, the deadline and the passage it came from; this turns it into an
:class:`~assistant.answer.model.Answer` whose citations point at the stored passages
(each quote a substring of its chunk, as every citation must be).
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answer.model import Answer, Citation
from assistant.index import Snapshot
from assistant.tasks.answers import (
    asks_for_unit_tasks,
    match_unit,
    render_unit_tasks,
    source_of,
    task_sources,
)
from assistant.tasks.model import Task
from vntext.tokens import folded_tokens

MAX_LISTED = 5
"""Tasks listed in an answer; the full checklist is in the Nhiệm vụ tab and `papi tasks`."""

__all__ = ["asks_for_unit_tasks", "unit_tasks_answer"]


def unit_tasks_answer(question: str, tasks: Sequence[Task], snapshot: Snapshot) -> Answer | None:
    """The cited task list of the unit *question* names, or None (not such a question, or
    no task of that unit)."""
    found = match_unit(question, tasks)
    if found is None:
        return None
    unit, mine = found
    if _topical(question, unit):
        return None  # "khi trễ hẹn … thì đơn vị tôi phải làm gì?": retrieval answers that
    # Work the plan gives this unit by name comes first, then shared duties with a deadline;
    # other duties shared by "các phòng, đơn vị" are counted, not listed (a short answer).
    direct = [t for t in mine if not t.collective]
    dated = [t for t in mine if t.collective and t.due]
    shown = ([*direct, *dated] or mine)[:MAX_LISTED]
    if not shown:
        return None
    # The quotes travel as citations (shown beside the answer); the list stays short.
    text = render_unit_tasks(unit, shown, with_sources=False)
    rest = len(mine) - len(shown)
    if rest > 0:
        text += (
            f"\nNgoài ra, {unit} còn {rest} nhiệm vụ khác (kể cả nhiệm vụ chung của các phòng, "
            "đơn vị); danh sách đầy đủ ở thẻ “Nhiệm vụ” hoặc lệnh `papi tasks --unit`."
        )
    by_source = {source_of(t): t for t in shown}
    citations: list[Citation] = []
    for n, source in enumerate(task_sources(shown), start=1):
        task = by_source[source]
        chunk = next(
            (c for c in snapshot.chunks_of([task.document_id]) if task.quote in c.page_content),
            None,
        )
        if chunk is None:
            return None  # never cite text the stored passages do not contain
        entry = snapshot.entries.get(task.document_id)
        citations.append(
            Citation(
                n=n,
                document_id=task.document_id,
                title=str(chunk.metadata.get("title", "")),
                number=str(chunk.metadata.get("number", "")),
                section=str(chunk.metadata.get("section", "")),
                quote=task.quote,
                score=1.0,
                doc_type=str(chunk.metadata.get("doc_type", "")),
                status=entry.status if entry else "in_force",
                superseded_by=entry.superseded_by if entry else "",
                chunk_id=chunk.id or "",
            )
        )
    return Answer(question=question, answer=text, grounded=True, citations=citations)


_CUE_TEXT = (
    "phai can nen lam gi nhung viec co nhiem vu nao cua duoc giao han bao gio khi trach "
    "thuc hien phu trach trong ke hoach nay toi minh chung em la the va cac theo"
)
_CUE_WORDS = frozenset(_CUE_TEXT.split())
"""Folded words of "what must … do, by when" questions (not a topic of their own)."""


def _topical(question: str, unit: str) -> bool:
    """True when *question* asks about a topic besides the unit's duties in general."""
    unit_words = set(folded_tokens(unit))
    rest = [w for w in folded_tokens(question) if w not in unit_words and w not in _CUE_WORDS]
    return len(rest) > 2
