"""Carry statuses over to revised wordings of the same task.

A task's id hashes its document, action and unit, so a revision that leaves a task's
text alone keeps its id and status without any help. When a revision rewords a task a
little (a new date, an added clause), the old status would be lost; this module gives
it to the new task when, for the same document and unit, the folded actions are at
least :data:`SIMILARITY` alike (difflib ratio), one old status to at most one new task.

The threshold is measured, not guessed (``python scripts/eval_tasks.py --carryover``):
over our five plans, distinct tasks of the same unit are at most 0.54 alike, while a
changed date, an appended clause or one replaced word in a longer action stays ≥ 0.8.
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher

from assistant.tasks.folding import key
from assistant.tasks.model import Task
from assistant.tasks.store import TaskStore
from assistant.tasks.units import unit_key

SIMILARITY = 0.8


def similarity(a: str, b: str) -> float:
    """How alike two actions are, on folded text (0–1)."""
    return SequenceMatcher(None, key(a), key(b), autojunk=False).ratio()


def carry_over(store: TaskStore, document_id: str, tasks: Sequence[Task]) -> int:
    """Give statusless tasks of *document_id* the status of a near-identical former task;
    returns how many were carried."""
    recorded = store.of_document(document_id)
    live = {t.id for t in tasks}
    orphans = [r for r in recorded if r[0].task_id not in live and r[2]]
    if not orphans:
        return 0
    has_status = {r[0].task_id for r in recorded}
    pairs: list[tuple[float, int, int]] = []
    for i, task in enumerate(tasks):
        if task.id in has_status:
            continue
        unit, action = unit_key(task.unit), key(task.action)
        for j, (_, old_unit, old_action) in enumerate(orphans):
            if old_unit != unit:
                continue
            ratio = SequenceMatcher(None, action, old_action, autojunk=False).ratio()
            if ratio >= SIMILARITY:
                pairs.append((ratio, i, j))
    carried = 0
    used_tasks: set[int] = set()
    used_orphans: set[int] = set()
    for _ratio, i, j in sorted(pairs, reverse=True):
        if i in used_tasks or j in used_orphans:
            continue
        used_tasks.add(i)
        used_orphans.add(j)
        task = tasks[i]
        store.carry(orphans[j][0], task.id, unit_key(task.unit), key(task.action))
        carried += 1
    return carried
