"""The task record and its filters."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from assistant.tasks.folding import key

ROLES = ("chủ trì", "phối hợp", "thực hiện", "tham mưu")
"""How a unit takes part in a task, in the words plans use."""

STATUSES = ("chưa làm", "đang làm", "đã xong")
"""Checklist states; every task starts as "chưa làm"."""


def task_id(document_id: str, action: str, unit: str) -> str:
    """Stable id: the same action for the same unit in the same document keeps its id
    across re-ingests and plan revisions, whatever moved around it."""
    raw = f"{document_id}\x1f{key(action)}\x1f{key(unit)}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Task:
    """One unit's part in one assigned piece of work, with where it is written.

    ``action`` and ``quote`` are verbatim substrings of the stored chunk text; ``due``
    is an ISO date (or empty when the plan sets none), ``recurrence`` a canonical
    Vietnamese period ("hằng quý", "định kỳ 6 tháng", "thường xuyên", ...).
    Status fields are filled in from the store by the facade.
    """

    id: str
    document_id: str
    unit: str
    role: str
    action: str
    quote: str
    section: str
    section_ref: str = ""
    chunk_index: int = -1
    deadline: str = ""
    due: str = ""
    recurrence: str = ""
    dimension: int | None = None
    legal_basis: tuple[str, ...] = ()
    collective: str = ""  # the collective it was expanded from ("các phòng, đơn vị …")
    document_title: str = ""
    status: str = STATUSES[0]
    note: str = ""
    evidence: str = ""
    updated_by: str = ""
    updated_at: str = ""
    overdue: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def is_overdue(self, today: date) -> bool:
        """Past its due date and not done (recurring duties are never "overdue")."""
        if not self.due or self.status == STATUSES[2] or self.recurrence:
            return False
        return date.fromisoformat(self.due) < today

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (the names the CLI, API and exports use)."""
        data = asdict(self)
        data.pop("extra")
        data["legal_basis"] = list(self.legal_basis)
        data["due"] = self.due or None
        return data


def filter_tasks(
    tasks: Iterable[Task],
    *,
    document_id: str | None = None,
    unit: str | None = None,
    dimension: int | None = None,
) -> list[Task]:
    """Tasks of one document, unit (folded substring, with or without diacritics) or
    PAPI dimension; ``None`` means no filter."""
    wanted = key(unit) if unit else ""
    out: list[Task] = []
    for task in tasks:
        if document_id and task.document_id != document_id:
            continue
        if dimension is not None and task.dimension != dimension:
            continue
        if wanted and wanted not in key(task.unit):
            continue
        out.append(task)
    return out
