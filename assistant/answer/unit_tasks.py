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
from assistant.tasks.answers import answer_for_unit, asks_for_unit_tasks
from assistant.tasks.model import Task

__all__ = ["asks_for_unit_tasks", "unit_tasks_answer"]


def unit_tasks_answer(question: str, tasks: Sequence[Task], snapshot: Snapshot) -> Answer | None:
    """The cited task list of the unit *question* names, or None (not such a question, or
    no task of that unit)."""
    text = answer_for_unit(question, tasks)
    if text is None:
        return None
    citations: list[Citation] = []
    seen: list[tuple[str, str, str]] = []
    for task in tasks:
        source = (task.document_title or task.document_id, task.section, task.quote)
        if source in seen or f"“{task.quote}”" not in text:
            continue
        chunk = next(
            (c for c in snapshot.chunks_of([task.document_id]) if task.quote in c.page_content),
            None,
        )
        if chunk is None:
            return None  # never cite text the stored passages do not contain
        seen.append(source)
        entry = snapshot.entries.get(task.document_id)
        citations.append(
            Citation(
                n=len(seen),
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
