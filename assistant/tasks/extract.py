"""A document's chunks → the tasks it assigns.

The rules follow how Vietnamese plans are written, never one plan's wording:

* tasks live in the sections that assign work ("Nhiệm vụ và giải pháp", "Tổ chức thực
  hiện", "Phân công", task tables); purpose/requirement/basis sections ("Mục đích, yêu
  cầu", "Căn cứ", "Thực trạng") assign nothing; the "Nơi nhận" list is not a task;
* one bullet, numbered item or paragraph line is one task; a line ending in ":" opens
  a context (often a unit: "- Công an xã:") for the deeper lines under it;
* the unit is, in order: the subject the line starts with ("Công an xã chủ trì, phối hợp
  với Trạm Y tế xã …", "Giao Phòng Tư pháp …", "Đề nghị các phòng …"), a unit named by
  the enclosing heading ("2. Phòng Hành chính và Tổng hợp:"), or the units the document
  addresses as a whole in its closing ("Đề nghị các phòng, đơn vị trực thuộc triển khai
  …"), else the issuer;
* "phối hợp với X" names partners (role phối hợp) of a lead unit;
* a collective ("các phòng, đơn vị trực thuộc") is expanded to every unit of that kind the
  document itself assigns work to, and kept as well for the units it does not name;
* tables with a task column and "chủ trì" / "phối hợp" / "thời gian" columns give one
  task per row and unit.

``action`` and ``quote`` are always verbatim substrings of the chunk text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.documents import Document

from assistant.tasks.deadlines import Deadline, parse_deadline, year_hint
from assistant.tasks.folding import fold_aligned, key
from assistant.tasks.model import Task, task_id
from assistant.tasks.units import (
    UnitMention,
    aliases,
    display,
    member_heads,
    unit_key,
    unit_list_at,
    units_in,
)
from ingest.model import SECTION_SEPARATOR

PLAN_TYPES = {
    "ke hoach",
    "chuong trinh",
    "chi thi",
    "cong van",
    "quyet dinh",
    "ket luan",
    "thong bao",
    "de an",
    "huong dan",
}
"""Document types that assign work (a Quyết định often carries its plan)."""

_NON_TASK_HEADING = re.compile(
    r"(?<![a-z])(?:muc dich|yeu cau|muc tieu|quan diem|can cu|thuc trang|tinh hinh|"
    r"ket qua dat duoc|pham vi|doi tuong ap dung|giai thich)(?![a-z])"
)
_MARKER = re.compile(r"(?P<m>[-–—•·●○■□▪►✓]|\+|\*(?=\s)|\d{1,2}(?:\.\d{1,2}){0,3}[.)]|[a-zđ]\))\s*")
_ARTICLE_PREFIX = re.compile(r"(?:Điều|Dieu)\s+\d{1,4}[a-zđ]?\.\s+")
_RECIPIENTS = re.compile(r"(?:^|\n)[*_\s]*noi nhan\b")
# The closing formula ("Trên đây là Kế hoạch …"): only its directive sentences assign work,
# and the units they address are the document's default executors.
_CLOSING = re.compile(r"[*_\s]*tren day la\b")
_DIRECTIVE = re.compile(r"(?<![a-z])(?:giao cho|giao|de nghi|yeu cau)\s+")
_ROLE_AT = re.compile(
    r"[\s,:]*(?:(?P<lead>chu tri|la (?:don vi |co quan )?dau moi)|"
    r"(?P<adv>tham muu|la co quan tham muu)|"
    r"(?P<co>phoi hop)(?!\s+voi\s+(?:cac\s+)?(?:don vi|co quan)\s+lien quan\s+chu tri))"
)
_PARTNERS = re.compile(r"(?<![a-z])phoi hop(?:\s+chat che)?\s+voi\s+")
_SENTENCE_END = re.compile(r"\./\.|\.(?=\s+[A-ZĐÀ-Ỹ])|\.\s*$|$")
_REFERENCE = re.compile(
    r"(?<![\w])(?:Bộ luật|Luật|Pháp lệnh|Nghị quyết|Nghị định|Thông tư liên tịch|Thông tư|"
    r"Quyết định|Chỉ thị|Kế hoạch|Công văn|Hướng dẫn|Thông báo|Chương trình)"
    r"\s+(?:số\s+)?\d{1,6}\s?/\s?[0-9A-Za-zĐđ][0-9A-Za-zĐđ/.\-]*[0-9A-Za-zĐđ]"
    r"(?:\s+ngày\s+(?:\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}))?"
    r"(?:\s+của\s+(?:[A-ZĐ][\w]*|UBND|HĐND)(?:\s+[\wđĐ]+){0,4}?(?=[,;.)]|\s+(?:về|và|theo|trong)\b|$))?"
)
_MIN_ACTION = 12
_DEPTH = {
    "-": 3,
    "–": 3,
    "—": 3,
    "•": 3,
    "·": 3,
    "●": 3,
    "○": 4,
    "■": 3,
    "□": 4,
    "▪": 4,
    "►": 3,
    "✓": 3,
    "+": 4,
    "*": 3,
}


@dataclass
class _Subject:
    mention: UnitMention
    role: str


@dataclass
class _Raw:
    chunk: Document
    action: tuple[int, int]
    quote: tuple[int, int]
    subjects: list[_Subject]
    deadline: Deadline
    explicit: bool = True  # the unit is written in the text or its heading
    extra: dict[str, Any] = field(default_factory=dict)


def is_plan_like(doc_type: str, status: str = "in_force", title: str = "") -> bool:
    """Whether a document assigns work: a plan, programme, directive, official letter or
    decision, not a law and not our reference material."""
    if status == "reference":
        return False
    kind = key(doc_type)
    if kind in PLAN_TYPES:
        return True
    return not kind and key(title).startswith(("ke hoach", "chuong trinh"))


def _meta(document: Any, name: str) -> str:
    if isinstance(document, dict):
        return str(document.get(name, "") or "")
    return str(getattr(document, name, "") or "")


def extract_tasks(chunks: Sequence[Document], document: Any) -> list[Task]:
    """Tasks of one document from its chunks (in document order) and its metadata.

    *document* is anything with ``id``, ``title``, ``issuer``, ``issue_date`` (a
    ``ManifestEntry``, a ``DocumentInfo`` or a dict).
    """
    document_id = _meta(document, "id")
    title = _meta(document, "title")
    issuer = _meta(document, "issuer")
    year = year_hint(_meta(document, "issue_date"), title)
    ordered = sorted(chunks, key=lambda c: int(c.metadata.get("chunk_index", 0)))
    alias_map = aliases("\n".join(c.page_content for c in ordered))
    issuer_keys = {unit_key(issuer, alias_map)} if issuer else set()
    issuer_keys |= {a for a, full in alias_map.items() if unit_key(full) in issuer_keys}

    raws: list[_Raw] = []
    closing_subjects: list[_Subject] = []
    for chunk in ordered:
        text = chunk.page_content
        section = str(chunk.metadata.get("section", "") or "")
        folded = fold_aligned(text)
        recipients = _RECIPIENTS.search(folded)
        if recipients is not None:
            # "Nơi nhận:" ends the body: the recipient list and signature assign nothing.
            if recipients.start() == 0:
                break
            chunk = Document(
                page_content=text[: recipients.start()].rstrip(), metadata=chunk.metadata
            )
            text = chunk.page_content
        headings = [h for h in section.split(SECTION_SEPARATOR) if h]
        if any(_NON_TASK_HEADING.search(key(h)) for h in headings):
            continue
        if text.lstrip().startswith("|"):
            raws.extend(_table_rows(chunk, year))
            continue
        heading_subjects = _heading_subjects(headings)
        # In a legal layout (articles: a Quyết định, a Chỉ thị in Điều form) an article
        # assigns work only where it names who does it ("Điều 3. Chánh Văn phòng …, Giám
        # đốc Sở … chịu trách nhiệm thi hành"): no fallback to the document's addressees.
        legal = str(chunk.metadata.get("section_ref", "")).startswith(("Điều", "Dieu"))
        found = _line_items(chunk, year, heading_subjects, directives_only=not headings)
        if legal:
            found = [raw for raw in found if raw.subjects]
        for raw in found:
            if raw.extra.get("closing") and not closing_subjects and raw.subjects:
                closing_subjects = [_Subject(s.mention, "thực hiện") for s in raw.subjects]
        raws.extend(found)
        if recipients is not None:
            break

    default = closing_subjects
    if not default and issuer:
        default = [_Subject(UnitMention(0, 0, issuer, "", False), "thực hiện")]
    for raw in raws:
        if not raw.subjects:
            raw.subjects = [_Subject(s.mention, _role_of_line(raw) or s.role) for s in default]
            raw.explicit = False

    named: dict[str, UnitMention] = {}
    for raw in raws:
        if not raw.explicit:
            continue
        for subject in raw.subjects:
            mention = subject.mention
            k = unit_key(mention.name, alias_map)
            if not mention.collective and k not in issuer_keys:
                named.setdefault(k, mention)

    tasks: list[Task] = []
    seen: set[tuple[str, str]] = set()
    for raw in raws:
        for subject in raw.subjects:
            for unit_name, collective in _expand(subject.mention, named):
                task = _task(raw, document_id, title, unit_name, subject.role, collective)
                mark = (unit_key(unit_name, alias_map), key(task.action))
                if mark in seen:
                    continue
                seen.add(mark)
                tasks.append(task)
    return tasks


def _expand(mention: UnitMention, named: dict[str, UnitMention]) -> list[tuple[str, str]]:
    """A collective → every named unit of its kind, then the collective itself."""
    if not mention.collective:
        return [(display(mention.name), "")]
    heads = member_heads(mention)
    members = [
        (display(m.name), display(mention.name))
        for m in named.values()
        if heads is None or m.head in heads
    ]
    return [*members, (display(mention.name), "")]


def _task(raw: _Raw, document_id: str, title: str, unit: str, role: str, collective: str) -> Task:
    text = raw.chunk.page_content
    action = text[raw.action[0] : raw.action[1]]
    meta = raw.chunk.metadata
    dims = [int(d) for d in str(meta.get("dimensions", "") or "").split(",") if d.strip()]
    return Task(
        id=task_id(document_id, action, unit),
        document_id=document_id,
        unit=unit,
        role=role,
        action=action,
        quote=text[raw.quote[0] : raw.quote[1]],
        section=str(meta.get("section", "") or ""),
        section_ref=str(meta.get("section_ref", "") or ""),
        chunk_index=int(meta.get("chunk_index", -1)),
        deadline=raw.deadline.written,
        due=raw.deadline.due,
        recurrence=raw.deadline.recurrence,
        dimension=dims[0] if dims else None,
        legal_basis=tuple(
            dict.fromkeys(" ".join(m.group(0).split()) for m in _REFERENCE.finditer(action))
        ),
        collective=collective,
        document_title=title,
        extra=dict(raw.extra),
    )


def _role_of_line(raw: _Raw) -> str:
    folded = fold_aligned(raw.chunk.page_content[raw.action[0] : raw.action[1]])
    return _role_after(folded, 0)


def _role_after(folded: str, pos: int) -> str:
    match = _ROLE_AT.match(folded, pos)
    if match is None:
        return ""
    if match.group("lead"):
        return "chủ trì"
    if match.group("adv"):
        return "tham mưu"
    return "phối hợp"


def _heading_subjects(headings: list[str]) -> list[_Subject]:
    """Units named by the innermost heading that names any ("2. Phòng Hành chính và
    Tổng hợp:", "3. Trách nhiệm của Công an xã")."""
    for heading in reversed(headings):
        body = _MARKER.sub("", heading, count=1).strip()
        body = re.sub(r"^[IVXLC]{1,7}\.\s*", "", body)
        lead = re.match(r"(?:trach nhiem cua|giao cho|giao|de nghi|yeu cau)\s+", fold_aligned(body))
        start = lead.end() if lead else 0
        mentions, end = unit_list_at(body, start)
        if mentions:
            folded = fold_aligned(body)
            role = _role_after(folded, end) or "thực hiện"
            return [_Subject(m, role) for m in mentions]
    return []


def _line_items(
    chunk: Document, year: int | None, heading_subjects: list[_Subject], *, directives_only: bool
) -> list[_Raw]:
    text = chunk.page_content
    folded = fold_aligned(text)
    out: list[_Raw] = []
    context: list[_Subject] = []
    context_depth = 99
    context_deadline = Deadline()
    offset = 0
    for line in text.split("\n"):
        start = offset
        offset += len(line) + 1
        stripped = line.strip()
        if not stripped or stripped.startswith(("**", "#", "|")) and stripped.endswith(("**", "|")):
            continue
        lead = start + len(line) - len(line.lstrip())
        article = _ARTICLE_PREFIX.match(text, lead)
        if article is not None:  # "Điều 3. Chánh Văn phòng …": the article's own text
            lead = article.end()
        marker = _MARKER.match(text, lead)
        depth = 0
        body = lead
        if marker is not None:
            symbol = marker.group("m")
            depth = _DEPTH.get(symbol, 2 if symbol.endswith(")") and symbol[0].isalpha() else 1)
            body = marker.end()
        end = start + len(line.rstrip())
        if depth <= context_depth:
            context, context_depth, context_deadline = [], 99, Deadline()
        closing = _CLOSING.match(folded, body) is not None
        if directives_only or closing:
            raw = _directive_sentence(chunk, folded, body, end, year)
            if raw is not None:
                raw.extra["closing"] = True
                out.append(raw)
            continue
        subjects, action_start = _subjects_at(text, folded, body, end)
        deadline = parse_deadline(text[body:end], year_hint=year)
        if text[body:end].rstrip().endswith(":"):
            # An intro: its unit (or deadline) governs the deeper lines under it.
            context = subjects or context
            context_depth = depth
            context_deadline = deadline or context_deadline
            if subjects and end - action_start < _MIN_ACTION:
                continue
            if not subjects:
                continue
        action_end = end
        while action_end > action_start and text[action_end - 1] in " ;.,:":
            action_end -= 1
        if action_end - action_start < _MIN_ACTION:
            continue
        if not subjects:
            subjects = [
                _Subject(s.mention, _role_after(folded, action_start) or s.role)
                for s in (context or heading_subjects)
            ]
        out.append(
            _Raw(
                chunk,
                (action_start, action_end),
                (lead, end),
                subjects,
                deadline or context_deadline,
            )
        )
    return out


def _subjects_at(text: str, folded: str, body: int, end: int) -> tuple[list[_Subject], int]:
    """Units a line starts with (after an optional "Giao"/"Đề nghị") and their roles,
    plus partners after "phối hợp với"; and where the action text starts."""
    pos = body
    directive = _DIRECTIVE.match(folded, pos)
    if directive is not None:
        pos = directive.end()
    mentions, after = unit_list_at(text[:end], pos)
    if not mentions:
        return [], body
    role = _role_after(folded, after) or "thực hiện"
    subjects = [_Subject(m, role) for m in mentions]
    action_start = body
    colon = re.match(r"\s*:\s*", text[after:end])
    if colon is not None:
        action_start = after + colon.end()
    if role != "phối hợp":
        subjects.extend(_partners(text, folded, after, end, mentions))
    return subjects, action_start


def _partners(
    text: str, folded: str, start: int, end: int, leads: Iterable[UnitMention]
) -> list[_Subject]:
    lead_keys = {unit_key(m.name) for m in leads}
    out: list[_Subject] = []
    for match in _PARTNERS.finditer(folded, start, end):
        mentions, _ = unit_list_at(text[:end], match.end())
        for mention in mentions:
            if mention.collective or unit_key(mention.name) in lead_keys:
                continue
            out.append(_Subject(mention, "phối hợp"))
    # "Phòng A chủ trì, Phòng B phối hợp …"
    second = re.match(r"[\s,]*chu tri\s*,\s*", folded[start:end])
    if second is not None:
        mentions, after = unit_list_at(text[:end], start + second.end())
        if mentions and folded.startswith("phoi hop", after + 1):
            out.extend(_Subject(m, "phối hợp") for m in mentions if not m.collective)
    return out


def _directive_sentence(
    chunk: Document, folded: str, body: int, end: int, year: int | None
) -> _Raw | None:
    """ "… Đề nghị các phòng, đơn vị trực thuộc triển khai …, báo cáo … trước ngày …"
    in a paragraph outside every section (the closing formula)."""
    text = chunk.page_content
    for directive in _DIRECTIVE.finditer(folded, body, end):
        mentions, after = unit_list_at(text[:end], directive.end())
        if not mentions:
            continue
        stop = _SENTENCE_END.search(text, after, end)
        action_end = stop.start() if stop else end
        while action_end > after and text[action_end - 1] in " ;.,:":
            action_end -= 1
        action_start = after
        while action_start < action_end and text[action_start] in " ,:":
            action_start += 1
        if action_end - action_start < _MIN_ACTION:
            continue
        sentence = text[action_start:action_end]
        role = _role_after(folded, after) or "thực hiện"
        return _Raw(
            chunk,
            (action_start, action_end),
            (directive.start(), action_end),
            [_Subject(m, role) for m in mentions],
            parse_deadline(sentence, year_hint=year),
        )
    return None


_COLUMNS = (
    ("action", re.compile(r"nhiem vu|noi dung|hoat dong|cong viec|giai phap")),
    ("lead", re.compile(r"chu tri")),
    ("partner", re.compile(r"phoi hop")),
    ("deadline", re.compile(r"thoi gian|thoi han|tien do|han hoan thanh|^han")),
    ("unit", re.compile(r"don vi|co quan|trach nhiem|thuc hien")),
)


def _table_rows(chunk: Document, year: int | None) -> list[_Raw]:
    """One task per row of a task table whose header names a task column."""
    from ingest.structure import table_cells

    text = chunk.page_content
    lines = text.split("\n")
    if len(lines) < 3:
        return []
    header = [key(c) for c in table_cells(lines[0])]
    columns: dict[str, int] = {}
    for role, pattern in _COLUMNS:
        for index, cell in enumerate(header):
            if index not in columns.values() and pattern.search(cell) and role not in columns:
                columns[role] = index
    if "action" not in columns or not ({"lead", "unit"} & set(columns)):
        return []
    out: list[_Raw] = []
    offset = len(lines[0]) + 1
    for line in lines[1:]:
        start = offset
        offset += len(line) + 1
        cells = table_cells(line)
        if not cells or all(re.fullmatch(r":?-{2,}:?", c) or not c for c in cells):
            continue
        spans = _cell_spans(line, start)
        if len(spans) != len(cells):
            continue

        def span_of(role: str, spans: list[tuple[int, int]] = spans) -> tuple[int, int] | None:
            index = columns.get(role)
            return spans[index] if index is not None and index < len(spans) else None

        action = span_of("action")
        if action is None or action[1] - action[0] < _MIN_ACTION:
            continue
        subjects: list[_Subject] = []
        for role, name in (("lead", "chủ trì"), ("unit", "thực hiện"), ("partner", "phối hợp")):
            span = span_of(role)
            if span is None or span[0] == span[1]:
                continue
            subjects.extend(_Subject(m, name) for m in _cell_units(text[span[0] : span[1]]))
        deadline_span = span_of("deadline")
        deadline = (
            parse_deadline(text[deadline_span[0] : deadline_span[1]], year_hint=year, cue=False)
            if deadline_span
            else Deadline()
        )
        if not deadline:
            deadline = parse_deadline(text[action[0] : action[1]], year_hint=year)
        out.append(_Raw(chunk, action, (start, start + len(line)), subjects, deadline))
    return out


def _cell_spans(line: str, start: int) -> list[tuple[int, int]]:
    """Character spans (in the chunk) of a pipe-table row's stripped cells."""
    spans: list[tuple[int, int]] = []
    bars = [i for i, ch in enumerate(line) if ch == "|" and (i == 0 or line[i - 1] != "\\")]
    if not bars:
        return spans
    edges = bars if line.rstrip().endswith("|") else [*bars, len(line)]
    if not line.lstrip().startswith("|"):
        edges = [-1, *edges]
    for left, right in zip(edges, edges[1:], strict=False):
        a, b = left + 1, right
        while a < b and line[a] == " ":
            a += 1
        while b > a and line[b - 1] == " ":
            b -= 1
        spans.append((start + a, start + b))
    return spans


def _cell_units(cell: str) -> list[UnitMention]:
    mentions = units_in(cell)
    if mentions:
        return mentions
    name = cell.strip(" .;,")
    if not name or name in ("-", "–"):
        return []
    return [UnitMention(0, len(name), name, "", False)]
