"""Answer "what must my unit do, and by when?" from the extracted tasks.

Recognises questions such as "Phòng tôi phải làm gì?", "Công an xã có nhiệm vụ gì, hạn
nào?" or "phong hanh chinh tong hop phai lam gi" (with or without diacritics): a task
question cue plus a unit. The unit is matched against the units the tasks name, by
folded words in order ("phong hanh chinh tong hop" finds "Phòng Hành chính và Tổng
hợp"); "phòng tôi" / "đơn vị tôi" means the duties every phòng / unit shares. Each task
is listed with its deadline and an [n] citation whose quote is the stored chunk text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.tasks.folding import key
from assistant.tasks.model import Task

_CUE = re.compile(
    r"(?:phai|can|nen) lam (?:gi|nhung gi|viec gi)|co nhiem vu (?:gi|nao)|nhiem vu (?:gi|cua)|"
    r"duoc giao (?:gi|nhiem vu)|han (?:nao|bao gio|khi nao)|lam viec gi|trach nhiem (?:gi|cua)|"
    r"phai thuc hien (?:gi|nhung gi|nhiem vu)|phu trach (?:gi|nhiem vu)"
)
_SELF = re.compile(r"(?<![a-z])(phong|don vi|ban|co quan|xa|chung) (?:toi|minh|chung toi|em)")
_FILLER = {"va", "cac", "cua"}


def _words(text: str) -> list[str]:
    return [w for w in key(text).split() if w not in _FILLER]


def _in_order(needle: list[str], hay: list[str]) -> bool:
    if not needle:
        return False
    return any(hay[i : i + len(needle)] == needle for i in range(len(hay) - len(needle) + 1))


def match_unit(question: str, tasks: Sequence[Task]) -> tuple[str, list[Task]] | None:
    """The unit a question names and its tasks, or None."""
    words = _words(question)
    best: tuple[int, str] | None = None
    for unit in {t.unit for t in tasks}:
        unit_words = _words(unit)
        if _in_order(unit_words, words) and (best is None or len(unit_words) > best[0]):
            best = (len(unit_words), unit)
    if best is not None:
        return best[1], [t for t in tasks if t.unit == best[1]]
    own = _SELF.search(key(question))
    if own is None:
        return None
    noun = own.group(1)
    shared = [t for t in tasks if _shared_by(t.unit, noun)]
    if not shared:
        return None
    return shared[0].unit, [t for t in tasks if t.unit == shared[0].unit] + [
        t for t in shared if t.unit != shared[0].unit
    ]


def _shared_by(unit: str, noun: str) -> bool:
    folded = key(unit)
    if not re.search(r"(?<![a-z])cac ", folded):
        return False
    return noun in ("don vi", "co quan", "chung") or noun in folded


def asks_for_unit_tasks(question: str) -> bool:
    """True for a "what must unit X do (by when)?" question (cheap; no tasks needed)."""
    return bool(_CUE.search(key(question)))


def answer_for_unit(question: str, tasks: Sequence[Task]) -> str | None:
    """A cited list of one unit's tasks with deadlines, or None when *question* is not a
    "what must unit X do" question or no task matches."""
    if not _CUE.search(key(question)):
        return None
    found = match_unit(question, tasks)
    if found is None:
        return None
    unit, mine = found
    if not mine:
        return None
    return render_unit_tasks(unit, mine)


Source = tuple[str, str, str]
"""(document title, section, verbatim quote): what one [n] marker cites."""


def source_of(task: Task) -> Source:
    """What *task*'s [n] marker cites."""
    return (task.document_title or task.document_id, task.section, task.quote)


def task_sources(tasks: Sequence[Task]) -> list[Source]:
    """The distinct sources of *tasks* in first-use order: [n] is position n."""
    sources: list[Source] = []
    for task in tasks:
        source = source_of(task)
        if source not in sources:
            sources.append(source)
    return sources


def render_unit_tasks(unit: str, tasks: Sequence[Task], *, with_sources: bool = True) -> str:
    """*unit*'s *tasks* as a numbered list with deadline, role and [n] markers, followed by
    the quoted sources unless the caller shows them itself (as citations)."""
    sources = task_sources(tasks)
    lines = [f"Nhiệm vụ của {unit} ({len(tasks)} nhiệm vụ):"]
    for i, task in enumerate(tasks, 1):
        n = sources.index(source_of(task)) + 1
        when = task.deadline or task.recurrence or "không nêu thời hạn"
        due = f" (hạn {task.due})" if task.due and task.due not in when else ""
        unit_note = f" — {task.unit}" if task.unit != unit else ""
        lines.append(
            f"{i}. {task.action} — thời hạn: {when}{due}; vai trò: {task.role}{unit_note} [{n}]"
        )
    if with_sources:
        lines.append("")
        lines.append("Nguồn:")
        for n, (title, section, quote) in enumerate(sources, 1):
            where = f" — {section.rstrip(':')}" if section else ""
            lines.append(f"[{n}] {title}{where}: “{quote}”")
    return "\n".join(lines)
