"""Typed facts read from live chunks: what a question can ask and what answers it.

A :class:`Fact` is one answerable statement of a source passage: a *kind* (which
question templates apply), the correct *value* as options show it, the *quote* (a
verbatim sentence or clause of the passage) that supports it, and the distractor
*pool* of values of the same type. Extraction is rules only: the section structure
(part II of a PAPI plan is organised by the eight dimensions; "Tổ chức thực hiện"
assigns duties to units), regular patterns (dates, document numbers, deadlines,
standards, counted quantities) and the typed term lists in :mod:`assistant.quiz.lexicon`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from langchain_core.documents import Document

from assistant.quiz import matching
from assistant.quiz.lexicon import (
    COLLECTIVE_MEMBERS,
    DIMENSIONS,
    DISTRACTOR_ONLY_TERMS,
    MANAGEMENT_BOARD_UNITS,
    PROVINCIAL_AGENCIES_2023,
    SECONDARY_MARKERS,
    TERM_FAMILIES,
    UNIT_HEADS,
    Dimension,
)
from vntext.lexicon import document_types
from vntext.normalize import fold as _fold_uncached

fold = lru_cache(maxsize=65536)(_fold_uncached)
"""Folding is the hot path of extraction; the same headings are folded again and again."""

MAX_SUBJECT_WORDS = 22
"""Longest task text quoted in a stem; longer tasks are cut at a clause boundary."""


@dataclass(frozen=True)
class DocumentLabel:
    """How a document is named in stems and explanations."""

    id: str
    title: str
    doc_type: str = ""
    number: str = ""
    issuer: str = ""
    issue_date: str = ""

    @property
    def name(self) -> str:
        """'Kế hoạch số 3212/KH-UBND ngày 25/05/2023 của UBND tỉnh Quảng Nam', or by title."""
        doc_type = self.doc_type.strip()
        if fold(doc_type) == "tai lieu tham khao":
            return f"tài liệu “{self.title}”"
        if self.number:
            text = f"{doc_type} số {self.number}".strip()
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", self.issue_date):
                y, m, d = self.issue_date.split("-")
                text += f" ngày {d}/{m}/{y}"
        else:
            title = _short_title(self.title)
            text = f"{doc_type} {title}".strip() if doc_type else f"văn bản “{title}”"
        if self.issuer:
            text += f" của {self.issuer}"
        return text


def _short_title(title: str) -> str:
    title = re.sub(
        r"Chỉ số [Hh]iệu quả quản trị và hành chính công(?: cấp tỉnh)?\s*\(PAPI\)",
        "Chỉ số PAPI",
        title,
    ).strip()
    if title and title[0].isupper() and not title[:2].isupper():
        title = title[0].lower() + title[1:]
    return title


@dataclass(frozen=True)
class Passage:
    """One paragraph or list item of a live chunk, with the chunk's location metadata."""

    document_id: str
    chunk_index: int
    section: str
    section_ref: str
    heading: str
    dimensions: tuple[int, ...]
    text: str  # verbatim (a substring of the chunk text), list marker removed
    item: bool = False  # a list item ("- …", "1. …") rather than a running paragraph


FACT_KINDS = (
    "dimension",
    "responsible_unit",
    "report_via",
    "report_to",
    "deadline",
    "doc_ref",
    "doc_basis",
    "doc_date",
    "standard",
    "dimension_name",
    "dimension_english",
    "quantity",
    "year",
    "date",
    "term",
)


@dataclass(frozen=True)
class Fact:
    """One answerable statement of a passage."""

    kind: str
    value: str  # the correct answer as options show it
    quote: str  # verbatim sentence/clause of the passage
    passage: Passage
    document: DocumentLabel
    pool: str  # distractor pool: values of the same type
    subject: str = ""  # what the stem asks about (task, duty, action, document…)
    span: str = ""  # the value as written in the quote ("" when not in the quote)
    evidence: str = ""  # verbatim support outside the quote (the section heading)
    ordered: bool = False  # dates/numbers: options are shown in ascending order
    also_correct: tuple[str, ...] = ()  # values that would also answer the stem
    extra: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def dimensions(self) -> tuple[int, ...]:
        if self.extra.get("dimension"):
            return (int(self.extra["dimension"]),)
        return self.passage.dimensions

    @property
    def cloze_ready(self) -> bool:
        """True when the value is written in the quote and can be blanked out."""
        return bool(self.span) and self.span in self.quote


# -- chunks → passages ----------------------------------------------------------------

_LIST_MARKER = re.compile(r"^(?:[-–—•·●○■□▪►✓*+]\s*)")
_MD_HEADING = re.compile(r"^#{1,6}\s")
_NUMBERING = re.compile(r"^(?:[IVXLC]{1,7}|\d{1,2}(?:\.\d{1,2}){0,3}|[a-zđ])[.)]\s+")


def strip_numbering(heading: str) -> str:
    """'4. Kiểm soát tham nhũng…' → 'Kiểm soát tham nhũng…'; a trailing ':' goes too."""
    text = _NUMBERING.sub("", heading.strip().strip("*").strip())
    return text.rstrip(":").strip()


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _dims(value: Any) -> tuple[int, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(int(v) for v in value)
    return tuple(int(p) for p in str(value or "").split(",") if p.strip().isdigit())


_ITEM_LABEL = re.compile(r"^(?:[a-zđ]\)|\d{1,2}(?:\.\d{1,2})*[.)])\s+")
_CLOSING = ("noi nhan", "kt. ", "tm. ", "nguoi ky")


def passages(chunk: Document) -> list[Passage]:
    """Paragraphs and list items of *chunk* that carry content (no headings, no path
    lines, nothing from the "Nơi nhận" block and signature on)."""
    meta = chunk.metadata
    section = str(meta.get("section", ""))
    heading = str(meta.get("heading", ""))
    skip = {fold(strip_numbering(p)) for p in section.split(" › ") if p}
    skip.add(fold(strip_numbering(heading)))
    out: list[Passage] = []
    for raw in chunk.page_content.split("\n"):
        line = raw.strip()
        if not line or _MD_HEADING.match(line):
            continue
        if fold(line.strip("*")[:12]).startswith(_CLOSING):
            break
        if line.startswith(("**", "__")) and line.endswith(("**", "__")):
            continue  # a title or label line, not content
        if line.startswith("|") or (line.startswith("(") and line.endswith((")", ").", ");"))):
            continue  # table rows; provenance notes "(Điều 5 Thông tư số …, có hiệu lực …)"
        marker = _LIST_MARKER.match(line) or _NUMBERING.match(line)
        line = _LIST_MARKER.sub("", line).strip()
        line = _ITEM_LABEL.sub("", line).strip()  # "c) …", "2. …": the label is not content
        if not line or (len(line) <= 200 and fold(strip_numbering(line)) in skip):
            continue  # the heading repeated as the chunk's first line
        if len(line.split()) < 4:
            continue
        out.append(
            Passage(
                document_id=str(meta.get("document_id", "")),
                chunk_index=_int(meta.get("chunk_index")),
                section=section,
                section_ref=str(meta.get("section_ref", "")),
                heading=heading,
                dimensions=_dims(meta.get("dimensions")),
                text=line,
                item=marker is not None,
            )
        )
    return out


# -- helpers ---------------------------------------------------------------------------


def secondary(text: str) -> bool:
    """True when *text* carries a marker of an unverified (secondary-source) statement."""
    folded = fold(text)
    return any(marker in folded for marker in SECONDARY_MARKERS)


def shorten(text: str, max_words: int = MAX_SUBJECT_WORDS) -> str:
    """*text* cut to at most *max_words* words, at a clause boundary when possible."""
    text = text.strip().rstrip(".;,:")
    all_words = text.split()
    if len(all_words) <= max_words:
        return text
    head = " ".join(all_words[:max_words])
    cut = max(head.rfind(";"), head.rfind(","), head.rfind("("))
    if cut >= len(head) // 2:
        head = head[:cut]
    if head.count("(") > head.count(")"):
        head = head[: head.rfind("(")]
    return head.rstrip(" ,;:(") + "…"


def first_sentence(text: str) -> str:
    """The first sentence of a passage (verbatim)."""
    parts = matching.sentences(text)
    return parts[0] if parts else text


def _dimension_of_heading(heading: str) -> Dimension | None:
    """The PAPI dimension a section heading names ("2. Công khai, minh bạch" → 2)."""
    text = fold(strip_numbering(heading)).strip(" .:")
    if len(text) < 8:
        return None
    for dim in DIMENSIONS:
        name = fold(dim.name)
        if name.startswith(text) or text.startswith(name):
            return dim
    return None


def dimension_conflicts(text: str) -> set[int]:
    """Dimensions whose keywords occur in *text*: each is also (partly) served by it."""
    folded = " " + " ".join(matching.tokens(text)) + " "
    return {
        d.number
        for d in DIMENSIONS
        if any(f" {' '.join(matching.tokens(k))} " in folded for k in d.keywords)
    }


def unit_aliases(unit: str) -> list[str]:
    """Phrases that name *unit* in running text (the name, and for a list its parts)."""
    aliases = [unit]
    parts = [p.strip() for p in re.split(r",| và ", unit) if p.strip()]
    if len(parts) > 1 and not unit.startswith(("Phòng", "Sở", "Văn phòng", "Trung tâm")):
        aliases.extend(parts)
    # "Trưởng các phòng, Giám đốc các đơn vị trực thuộc" ↔ "các phòng, đơn vị trực thuộc"
    collective = re.findall(r"các\s+([^,]+)", unit)
    if len(collective) > 1:
        aliases.append("các " + ", ".join(c.strip() for c in collective))
    aliases.extend("các " + c.strip() for c in collective)
    return aliases


def mentions_unit(text: str, unit: str) -> bool:
    """True when *text* names *unit* (or, for a collective, its members)."""
    return any(matching.contains(text, a) for a in unit_aliases(unit) if len(a.split()) >= 2)


def subsumed(collective: str, unit: str) -> bool:
    """True when *collective* ("Trưởng các phòng…") also covers *unit* ("Phòng …")."""
    c, u = fold(collective), fold(unit)
    return any(group in c and u.startswith(member) for group, member in COLLECTIVE_MEMBERS)


# -- extraction -------------------------------------------------------------------------

_DOC_TYPES = document_types(exclude=("Bộ luật", "Pháp lệnh", "Lệnh"))
DOC_REF = re.compile(
    rf"(?P<type>{_DOC_TYPES})\s+(?:số\s+)?"
    r"(?P<number>\d+[a-z]?(?:/\d{4})?/[A-ZĐ][A-ZĐa-z0-9]*(?:-[A-ZĐ][A-ZĐa-z0-9]*)*)"
    r"(?:\s+ngày\s+(?P<date>\d{1,2}/\d{1,2}/\d{4}))?"
    r"(?:\s+của\s+(?P<issuer>(?:UBND|Ủy ban nhân dân|Thủ tướng Chính phủ|Chính phủ|Quốc hội"
    r"|Tỉnh ủy)"
    r"(?:\s+tỉnh(?:\s+[A-ZĐ]\w*(?:\s+[A-ZĐ]\w*)*)?)?))?"
)
_STANDARD_USE = re.compile(
    r"áp dụng\s+(?P<subject>[^,;.]+?)\s+theo tiêu chuẩn(?:\s+quốc gia)?\s+"
    r"(?P<std>(?:TCVN\s+)?ISO(?:/IEC)?\s+\d{4,5}:\d{4})"
)
_BEFORE_DATE = re.compile(
    r"(?P<action>(?:báo cáo|hoàn thành|gửi|nộp|trình)\b[^.;]*?)\s+trước ngày\s+"
    r"(?P<date>\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}|\d{1,2}/\d{1,2}/\d{4})"
)
_VIA = re.compile(r"\(qua\s+(?P<unit>[^()]+?)\)")
_REPORT_TO = re.compile(
    r"tổng hợp(?:,)?\s+báo cáo\s+(?P<unit>"
    + "|".join(
        re.escape(a)
        for a in sorted(
            PROVINCIAL_AGENCIES_2023 + ("UBND tỉnh", "Bộ Nội vụ"), key=len, reverse=True
        )
    )
    + r")"
)
_REGULATED_BY = re.compile(r"\s+theo quy định tại\s+(?P<ref>" + DOC_REF.pattern + r")")
"""The subject is the clause before the match (found without a backtracking prefix)."""
_IMPLEMENTS = re.compile(r"^Thực hiện\s+(?P<ref>" + DOC_REF.pattern + r")")
_DIM_LIST = re.compile(
    r"^(?:(?P<n>\d)\.\s+)?(?P<name>[A-ZĐ][^()]+?)\s+\((?P<english>[A-Z][^()]+)\)"
    r"\s+là chỉ số nội dung thứ\s+(?P<ord>\w+)\s+của PAPI"
)
_COUNTED = re.compile(
    r"(?<![\d.,/–-])(?<!tháng )(?<!ngày )(?P<num>\d{1,3}(?:\.\d{3})+|\d{1,4})(?![\d/,])"
    r"(?:\s+|\s*(?=%))(?P<noun>chỉ số|nội dung thành phần|chỉ tiêu|huyện|xã|thôn|tỉnh|điểm|"
    r"người trả lời|người|tuổi|bậc|doanh nghiệp|hộ|%)(?!\w)"
)
_YEAR = re.compile(r"(?<=năm )(?P<year>(?:19|20)\d{2})\b|(?<=từ năm )(?P<year2>(?:19|20)\d{2})\b")
_ROLE_WORDS = ("truong ", "giam doc", "chanh ", "chu tich", "thu truong", "pho ")


def _clauses(sentence: str) -> list[str]:
    """A sentence split at ';' (each clause verbatim), keeping only substantial ones."""
    parts = [p.strip() for p in sentence.split(";")]
    return [p for p in parts if len(p.split()) >= 5] or [sentence]


@dataclass
class _Builder:
    document: DocumentLabel
    facts: list[Fact] = field(default_factory=list)

    def add(self, **kwargs: Any) -> None:
        quote = kwargs["quote"]
        if secondary(quote):
            return
        self.facts.append(Fact(document=self.document, **kwargs))


def extract_facts(chunks: Sequence[Document], documents: Iterable[Any] = ()) -> list[Fact]:
    """Every typed fact in *chunks* (documents give the labels used in stems)."""
    labels = {d.id: _label(d) for d in documents}
    by_doc: dict[str, list[Passage]] = {}
    for chunk in chunks:
        doc_id = str(chunk.metadata.get("document_id", ""))
        if doc_id not in labels:
            labels[doc_id] = DocumentLabel(
                id=doc_id,
                title=str(chunk.metadata.get("title", doc_id)),
                doc_type=str(chunk.metadata.get("doc_type", "")),
                number=str(chunk.metadata.get("number", "")),
            )
        by_doc.setdefault(doc_id, []).extend(passages(chunk))
    facts: list[Fact] = []
    for doc_id, items in by_doc.items():
        builder = _Builder(labels[doc_id])
        _structure_facts(builder, items)
        for passage in items:
            _pattern_facts(builder, passage)
        facts.extend(builder.facts)
    return _dedupe(facts)


def _label(doc: Any) -> DocumentLabel:
    return DocumentLabel(
        id=str(doc.id),
        title=str(getattr(doc, "title", "") or doc.id),
        doc_type=str(getattr(doc, "doc_type", "") or ""),
        number=str(getattr(doc, "number", "") or ""),
        issuer=str(getattr(doc, "issuer", "") or ""),
        issue_date=str(getattr(doc, "issue_date", "") or ""),
    )


def _dedupe(facts: list[Fact]) -> list[Fact]:
    """One fact per (document, kind, value, quote); a blank that a richer kind already
    covers (the date of a deadline, say) is not offered again as a plain date/number."""
    priority = {kind: i for i, kind in enumerate(FACT_KINDS)}
    seen: set[tuple[str, ...]] = set()
    spans: set[tuple[str, str, str]] = set()
    out = []
    for f in sorted(facts, key=lambda f: priority.get(f.kind, 99)):
        key = (f.document.id, f.kind, " ".join(matching.tokens(f.value)), f.quote)
        span_key = (f.document.id, f.quote, f.span)
        if key in seen or (f.span and f.kind in _PLAIN_BLANKS and span_key in spans):
            continue
        seen.add(key)
        if f.span:
            spans.add(span_key)
        out.append(f)
    order = {id(f): i for i, f in enumerate(facts)}
    return sorted(out, key=lambda f: order[id(f)])


_PLAIN_BLANKS = {"quantity", "year", "date", "term"}


def _structure_facts(builder: _Builder, items: list[Passage]) -> None:
    """Facts that come from the section structure: dimensions (part II), duties (part III)."""
    doc = builder.document.id
    # Dimension sections: heading names one of the eight dimensions.
    dim_sections: dict[int, list[Passage]] = {}
    dim_heading: dict[int, str] = {}
    unit_sections: dict[str, list[Passage]] = {}
    for p in items:
        dim = _dimension_of_heading(p.heading)
        if dim is not None and (not p.dimensions or dim.number in p.dimensions):
            dim_sections.setdefault(dim.number, []).append(p)
            dim_heading[dim.number] = strip_numbering(p.heading)
            continue
        path = [fold(x) for x in p.section.split(" › ")]
        if any("to chuc thuc hien" in x for x in path[:-1]) and p.heading:
            unit = strip_numbering(p.heading)
            if 2 <= len(unit.split()) <= 12 and _names_a_unit(unit):
                unit_sections.setdefault(unit, []).append(p)
    dim_sections = {n: _tasks(ps) for n, ps in dim_sections.items()}
    unit_sections = {u: _tasks(ps) for u, ps in unit_sections.items()}
    for number, ps in dim_sections.items():
        others = [(n, q) for n, qs in dim_sections.items() if n != number for q in qs]
        for p in ps:
            quote = first_sentence(p.text)
            if len(quote.split()) < 6:
                continue
            also = {d for d in dimension_conflicts(p.text) if d != number}
            also |= {
                n
                for n, q in others
                if max(
                    matching.bigram_containment(quote, q.text),
                    matching.bigram_containment(first_sentence(q.text), p.text),
                )
                >= 0.5
            }
            builder.add(
                kind="dimension",
                value=dim_heading[number],
                quote=quote,
                passage=p,
                pool=f"dimension@{doc}",
                subject=shorten(quote),
                evidence=p.heading,
                also_correct=tuple(dim_heading.get(n, "") or _official(n) for n in sorted(also)),
                extra={"dimension": str(number)},
            )
    units = list(unit_sections)
    for unit, ps in unit_sections.items():
        for p in ps:
            quote = first_sentence(p.text)
            if len(quote.split()) < 6:
                continue
            co_units = [
                u
                for u in units + list(PROVINCIAL_AGENCIES_2023) + list(MANAGEMENT_BOARD_UNITS)
                if u != unit and (mentions_unit(p.text, u) or subsumed(unit, u))
            ]
            co_units += [
                u
                for u, qs in unit_sections.items()
                if u != unit and any(matching.bigram_containment(quote, q.text) >= 0.5 for q in qs)
            ]
            builder.add(
                kind="responsible_unit",
                value=unit,
                quote=quote,
                passage=p,
                pool="role" if _is_role(unit) else "unit",
                subject=shorten(quote),
                evidence=p.heading,
                also_correct=tuple(dict.fromkeys(co_units)),
            )


def _names_a_unit(heading: str) -> bool:
    """True for "Phòng Hành chính và Tổng hợp", "Trưởng các phòng…"; False for an
    article title such as "Điều 5. Trách nhiệm thi hành"."""
    folded = fold(heading)
    return not folded.startswith("dieu") and folded.startswith(UNIT_HEADS)


def _tasks(ps: list[Passage]) -> list[Passage]:
    """The tasks of a section: its list items, or its paragraphs when it has no list."""
    items = [p for p in ps if p.item]
    return items or ps


def _official(number: int) -> str:
    return next(d.name for d in DIMENSIONS if d.number == number)


def _is_role(unit: str) -> bool:
    return fold(unit).startswith(_ROLE_WORDS)


def _ref_value(m: re.Match[str]) -> str:
    return f"{m.group('type')} số {m.group('number')}"


def _pattern_facts(builder: _Builder, p: Passage) -> None:
    """Facts found by patterns anywhere in a passage."""
    for sentence in matching.sentences(p.text):
        # The official names lead the sentence; a trailing "(nguồn thứ cấp)" covers only the
        # description after them, and the builder checks the quote it actually keeps.
        _dimension_list_facts(builder, p, sentence)
        if secondary(sentence):
            continue
        _report_facts(builder, p, sentence)
        _document_facts(builder, p, sentence)
        for clause in _clauses(sentence):
            _cloze_facts(builder, p, clause)


def _report_facts(builder: _Builder, p: Passage, sentence: str) -> None:
    for m in _BEFORE_DATE.finditer(sentence):
        when = matching.parse_date(m.group("date"))
        if when is None:
            continue
        action = m.group("action").strip()
        if len(action.split()) < 4:
            continue  # "hoàn thành trước ngày …" alone does not say what is due
        builder.add(
            kind="deadline",
            value=matching.format_date(when),
            quote=sentence,
            passage=p,
            pool="date",
            subject=action,
            span=m.group("date"),
            ordered=True,
        )
        via = _VIA.search(action)
        if via:
            unit = via.group("unit").strip()
            builder.add(
                kind="report_via",
                value=unit,
                quote=sentence,
                passage=p,
                pool="unit",
                subject=_VIA.sub("", action).replace("  ", " ").strip(),
                span=unit,
            )
    for m in _REPORT_TO.finditer(sentence):
        builder.add(
            kind="report_to",
            value=m.group("unit"),
            quote=sentence,
            passage=p,
            pool="agency",
            subject="kết quả thực hiện",
            span=m.group("unit"),
        )


def _document_facts(builder: _Builder, p: Passage, sentence: str) -> None:
    for m in _REGULATED_BY.finditer(sentence):
        before = sentence[: m.start()]
        subject = re.split(r"[.;]\s", before)[-1].strip()
        subject = re.sub(r"^(?:[-–]\s*)", "", subject)
        if len(subject.split()) >= 4:
            builder.add(
                kind="doc_ref",
                value=_ref_value(m),
                quote=sentence,
                passage=p,
                pool="doc_ref",
                subject=shorten(subject),
                span=m.group("ref").split(" ngày ")[0],
            )
    basis = _IMPLEMENTS.match(sentence)
    if basis:
        builder.add(
            kind="doc_basis",
            value=_ref_value(basis),
            quote=sentence,
            passage=p,
            pool="doc_ref",
            subject=builder.document.name,
            span=basis.group("ref").split(" ngày ")[0],
        )
    for m in DOC_REF.finditer(sentence):
        when = matching.parse_date(m.group("date") or "")
        if when is None:
            continue
        issuer = (m.group("issuer") or "").strip()
        subject = _ref_value(m) + (f" của {issuer}" if issuer else "")
        builder.add(
            kind="doc_date",
            value=matching.format_like(when, m.group("date")),
            quote=sentence,
            passage=p,
            pool="date",
            subject=subject,
            span=m.group("date"),
            ordered=True,
        )
    for m in _STANDARD_USE.finditer(sentence):
        builder.add(
            kind="standard",
            value=m.group("std"),
            quote=sentence,
            passage=p,
            pool="standard",
            subject=m.group("subject").strip(),
            span=m.group("std"),
        )


_ORDINALS = {
    "nhất": 1,
    "hai": 2,
    "ba": 3,
    "tư": 4,
    "năm": 5,
    "sáu": 6,
    "bảy": 7,
    "tám": 8,
}


def _dimension_list_facts(builder: _Builder, p: Passage, sentence: str) -> None:
    m = _DIM_LIST.match(sentence)
    if not m or m.group("ord") not in _ORDINALS:
        return
    end = m.end()
    quote = sentence[:end]
    name, english = m.group("name").strip(), m.group("english").strip()
    builder.add(
        kind="dimension_name",
        value=name,
        quote=quote,
        passage=p,
        pool=f"dimension_name@{p.section}",
        subject=f"thứ {m.group('ord')}",
        span=name,
        extra={"dimension": str(_ORDINALS[m.group("ord")])},
    )
    builder.add(
        kind="dimension_english",
        value=english,
        quote=quote,
        passage=p,
        pool=f"dimension_english@{p.section}",
        subject=name,
        span=english,
        extra={"dimension": str(_ORDINALS[m.group("ord")])},
    )


_TERM_PATTERNS = tuple(
    (family, term, re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", flags=re.IGNORECASE))
    for family, terms in TERM_FAMILIES.items()
    for term in terms
    if term not in DISTRACTOR_ONLY_TERMS
)


def _spelled_out(text: str, start: int, end: int) -> bool:
    """True when the phrase at text[start:end] sits next to a parenthesis (an acronym and
    its expansion: either one names the other)."""
    before = text[:start].rstrip()
    after = text[end:].lstrip()
    return before.endswith("(") or after.startswith("(")


def _cloze_facts(builder: _Builder, p: Passage, clause: str) -> None:
    """Counted quantities, years and typed key phrases: blanks for cloze/true-false items."""
    if len(clause.split()) < 6 or _DIM_LIST.match(clause):
        return
    found = 0
    matches: list[tuple[int, int, str]] = []
    lowered = clause.lower()
    for family, term, pattern in _TERM_PATTERNS:
        if term.lower() in lowered:
            m = pattern.search(clause)
            if m and not _spelled_out(clause, m.start(), m.end()):
                # "RTA (Real-Time Analytics)": the expansion would give the blank away
                matches.append((m.start(), m.end(), family))
    for start, end, family in sorted(matches):
        nested = any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in matches)
        if nested or found >= 2:
            continue  # "tiếp công dân" inside "Quy chế tiếp công dân"
        found += 1
        builder.add(
            kind="term",
            value=clause[start:end],
            quote=clause,
            passage=p,
            pool=f"term:{family}",
            span=clause[start:end],
        )
    for m in _COUNTED.finditer(clause):
        number = m.group("num")
        if m.group("noun") in ("năm", "tháng") and len(number) == 4:
            continue
        if found >= 3:
            break
        found += 1
        builder.add(
            kind="quantity",
            value=number,
            quote=clause,
            passage=p,
            pool=f"number:{m.group('noun')}",
            span=number,
            ordered=True,
            extra={"noun": m.group("noun")},
        )
    own_year = builder.document.issue_date[:4]
    for m in _YEAR.finditer(clause):
        year = m.group("year") or m.group("year2")
        if year == own_year:
            continue  # a plan's own year gives the answer away
        if found >= 3:
            break
        found += 1
        builder.add(
            kind="year",
            value=year,
            quote=clause,
            passage=p,
            pool="year",
            span=year,
            ordered=True,
        )
    for m in matching.DATE_IN_TEXT.finditer(clause):
        when = matching.parse_date(m.group(0))
        if when is None or found >= 3 or DOC_REF.search(clause[max(0, m.start() - 60) : m.start()]):
            continue
        found += 1
        builder.add(
            kind="date",
            value=matching.format_like(when, m.group(0)),
            quote=clause,
            passage=p,
            pool="date",
            span=m.group(0),
            ordered=True,
        )
