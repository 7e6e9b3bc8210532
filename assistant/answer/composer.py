"""The extractive composer: an answer made only of quoted passages, no language model.

Given the passages retrieval found (already judged sufficient by the evidence gate),
it picks the bullets and sentences that answer, opens with one Vietnamese lead
sentence naming the document and section, lists the quoted points with their [n],
and pulls out what staff need most when the quoted text has it: the deadline, the
responsible unit and the document cited as legal basis. Superseded documents are
flagged with their replacement; reference material is never presented as a directive.

Everything is deterministic: the same index and question give the same answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from langchain_core.documents import Document

from assistant.answer.article_roles import defines, definiendum, plays
from assistant.answer.evidence import (
    CorpusStats,
    QueryTerms,
    ScoredHit,
    Unit,
    folded_text,
    strip_heading_number,
    term_set,
    without_urls,
)
from assistant.answer.model import Answer, Citation, RelatedDocument
from assistant.answer.tables import (
    asked_cells,
    data_rows,
    header_of,
    is_blank,
    legend_of,
    row_header,
    row_key_asked,
)
from assistant.index.instruments import clause_references
from assistant.index.snapshot import SOURCE_NOTE, innermost_heading
from assistant.storage import ManifestEntry
from ingest.model import SECTION_SEPARATOR
from vntext.lexicon import LEGAL_REFERENCE
from vntext.tokens import folded_tokens

DEADLINE = re.compile(
    r"(?:trước|chậm nhất(?: là)?|hạn chót(?: là)?|không muộn hơn|trong thời hạn đến)\s+"
    r"ngày\s+\d{1,2}(?:/\d{1,2}(?:/\d{2,4})?|\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?)",
    re.IGNORECASE,
)
"""A deadline as plans write it: "trước ngày 15 tháng 12 năm 2023", "chậm nhất ngày 30/6"."""

LEGAL_BASIS = LEGAL_REFERENCE
"""A cited instrument with its number: "Quyết định số 3200/QĐ-UBND ngày 07/10/2019"."""

DATE = re.compile(
    r"ngày\s+\d{1,2}(?:/\d{1,2}/\d{2,4}|\s+tháng\s+\d{1,2})|tháng\s+\d{1,2}\s+năm\s+\d{4}|"
    r"năm\s+\d{4}",
    re.IGNORECASE,
)
"""Any date or year in the text (for "khi nào", "ngày nào", "năm nào")."""

UNIT_BIGRAM_WEIGHT = 0.7
"""Choosing sentences leans on word pairs: a long bullet matches many single syllables
("tham" of "tham gia" for a question on "tham nhũng") but few pairs by accident."""

ROW_KEY_BONUS = 0.2
"""Bonus of a table row whose key the question names ("năm 2021" for the row "| 2021 |
…"): the prose around a results table otherwise covers the question's words better.
Neutral on the tuning halves once a denial is read per quote (0.3 costs a partial ask)."""

CAPTION_WORDS = 80
"""Longest paragraph quoted as a table's caption: a longer one is a section of its own."""

TABLE_SECTION_DEPTH = 3
"""Passages whose section's tables are read when the question names one of their rows."""

TABLE_CELL_BONUS = 0.3
"""Bonus of a table row that holds the value asked: its key and one of its filled
columns are both named ("quản trị môi trường năm 2018" → the 2018 row's CS7 cell)."""
SINGLED_OUT = 2.0
"""How many times the median member's score a member of a long list section scores when the
question singles it out (one named indicator among ten: about 4; a question on the whole list:
all within 0.1)."""
PASSAGE_PRIOR = 0.3
"""Share of a passage's retrieval score (in [0, 1]) added to each of its sentences' scores."""
ROLE_UNIT_BONUS = 0.35
"""Bonus of a sentence of the standard article the question asks for, or stating it
("Quyết định này có hiệu lực kể từ ngày ký"): as for a deadline asked for."""
DEFINITION_BONUS = 1.0
"""Bonus of the definition of the very term a question asks about: the definition often
shares nothing else with the question."""
NAMED_SECTION_DEPTH = 5
"""How far down the ranking the section an "X là gì?" question names is looked for."""
LIST_HEADING_COVERAGE = 0.5
LIST_HEADING_COVERAGE_ASKED = 0.2
"""List the whole focus section when its heading covers this much of the question
(the lower figure when the question asks for a list: "gồm những việc gì", "làm gì")."""

VIA_UNIT = re.compile(r"\(qua\s+((?:Phòng|Văn phòng|Bộ phận|Sở|Ban|Trung tâm)[^()]{2,80})\)")
CHAIRS = re.compile(r"\bchủ trì\b", re.IGNORECASE)
UNIT_HEADING = re.compile(
    r"^(?:Phòng|Văn phòng|Sở|Ban|Trung tâm|Trưởng|Giám đốc|Thủ trưởng|Chánh|UBND|Ủy ban|Uỷ ban|"
    r"Các phòng|Các đơn vị|Bộ phận)\b"
)

REFERENCE_TYPES = ("tài liệu tham khảo",)

_TRAILING = " ;,:–-"


@dataclass(frozen=True)
class Point:
    """One quoted point: a span of a stored chunk and why it was chosen."""

    chunk: Document
    unit: Unit
    start: int
    end: int
    score: float
    entry: ManifestEntry | None

    @property
    def quote(self) -> str:
        """The verbatim quote (a substring of the stored passage)."""
        return self.chunk.page_content[self.start : self.end]

    @property
    def unit_span(self) -> tuple[int, int]:
        """(start, end) of the whole unit the quote was taken from."""
        return self.unit.start, self.unit.end

    @property
    def key(self) -> tuple[str, str]:
        """(document id, section) — points are grouped under one lead per key."""
        meta = self.chunk.metadata
        return (str(meta.get("document_id", "")), str(meta.get("section", "")))


@dataclass(frozen=True)
class Composition:
    """An extractive answer with the points it quotes and the passages it chose from."""

    answer: Answer
    points: list[Point]
    passages: list[ScoredHit]


_ScoredUnit = tuple[float, int, int, Document, Unit]
"""(score, passage rank, reading position, chunk, unit) of a candidate sentence."""


@dataclass(frozen=True)
class ComposerSettings:
    """Sizes of an extractive answer."""

    word_budget: int = 130
    max_points: int = 3
    max_list_points: int = 6
    max_unit_words: int = 60
    list_unit_words: int = 45
    relative_floor: float = 0.85
    absolute_floor: float = 0.2


class ExtractiveComposer:
    """Composes an :class:`Answer` from scored passages by quoting them."""

    def __init__(self, settings: ComposerSettings | None = None) -> None:
        self.settings = settings or ComposerSettings()

    # -- selection ----------------------------------------------------------------------

    def candidates(
        self, query: QueryTerms, scored: list[ScoredHit], stats: CorpusStats, floor: float
    ) -> list[ScoredHit]:
        """The passages worth quoting from: close enough to the best one."""
        if not scored:
            return []
        if query.entities or query.wants_number:
            # A passage that never mentions a name the question asks about, or has no
            # number for "bao nhiêu", cannot answer it.
            fitting = [
                s
                for s in scored
                if query.names_found(
                    stats.named_terms(s.hit.chunk_id, s.hit.text, s.hit.metadata, s.entry),
                    kinds_too=False,
                )
                and query.number_found(s.hit.text)
            ]
            scored = fitting or scored
        best = max(s.coverage for s in scored)
        cut = max(floor, 0.6 * best)
        return [s for s in scored if s.coverage >= cut]

    def select(
        self,
        query: QueryTerms,
        passages: list[ScoredHit],
        stats: CorpusStats,
        *,
        force_list: bool = False,
        pool: list[ScoredHit] | None = None,
        intent: QueryTerms | None = None,
    ) -> list[Point]:
        """Pick and trim the points that answer *query*, in reading order.

        *pool* (all retrieved passages) is searched for a deadline or a legal basis
        when the question asks for one and the chosen points have none. *intent* is a
        follow-up that only asks for a kind of fact ("hạn chót là khi nào?"): when the
        passages hold that fact, it alone is the answer.
        """
        s = self.settings
        if not passages:
            return []
        entries = {p.hit.document_id: p.entry for p in [*passages, *(pool or [])]}
        rank = {p.hit.chunk_id: i for i, p in enumerate(passages)}
        weight = {p.hit.chunk_id: p.weight for p in passages}
        # A sentence inherits part of its passage's retrieval score: of two sentences
        # covering the question alike, the one in the passage the retrievers rank first.
        prior = {p.hit.chunk_id: PASSAGE_PRIOR * p.hit.score for p in passages}
        referenced = {p.hit.chunk_id: p.referenced for p in passages}
        # When a provision took effect is stated in its codification note.
        effect = query.role is not None and query.role.name == "effect"
        focus = passages[0]
        if intent is not None:
            for pattern, same_section in _intent_patterns(intent):
                found = self._best_with(
                    query, pattern, focus, pool or passages, stats, set(), same_section
                )
                if found is not None:
                    return [_with_entry(found, entries)]
        # A list answer ("all tasks of mục II.4") when the question names the section itself.
        named = _named_section(query, passages[:NAMED_SECTION_DEPTH])
        if named is not None:
            # "Mục đích của kế hoạch … là gì?" asks for the section headed "Mục đích".
            focus, force_list = named, True
        # Not for a question about a standard article: it asks for one provision (a
        # definition, the entry into force), whatever heading shares its words.
        list_mode = force_list or (
            query.role is None
            and (
                focus.heading_coverage >= LIST_HEADING_COVERAGE
                or (query.wants_list and focus.heading_coverage >= LIST_HEADING_COVERAGE_ASKED)
            )
        )
        chunk_ids = [p.hit.chunk_id for p in passages]
        focus_key = (focus.hit.document_id, focus.hit.section)
        section_ids = stats.sections.get(focus_key, [focus.hit.chunk_id])
        if list_mode:
            chunk_ids = list(dict.fromkeys(section_ids + chunk_ids))
        # A results table sits beside the prose that names its subject: a question that
        # names one of its rows ("năm 2018") reads the table of a retrieved passage's section.
        for p in passages[:TABLE_SECTION_DEPTH]:
            for cid in stats.sections.get((p.hit.document_id, p.hit.section), ()):
                table = stats.chunks.get(cid)
                if cid in chunk_ids or table is None:
                    continue
                if any(row_key_asked(row, query.text) for row in data_rows(table, stats)):
                    chunk_ids.append(cid)
        scored_units: list[_ScoredUnit] = []
        for cid in chunk_ids:
            chunk = stats.chunks.get(cid) or _chunk_of(passages, cid)
            if chunk is None:
                continue
            # A sentence is read with its article's heading and the titles above it: a
            # chapter ("Thu hồi giấy phép …") scopes every article in it.
            heading = stats.heading_terms.get(cid, frozenset()) | term_set(
                str(chunk.metadata.get("section", "") or "")
            )
            cited = referenced.get(cid, frozenset())
            role = query.role
            role_chunk = role is not None and plays(role, innermost_heading(chunk.metadata))
            header = header_of(chunk, stats)
            header_row = header[0].page_content[header[1] : header[2]] if header else ""
            meanings = legend_of(header, stats) if header else {}
            # A coded column ("CS7") also means what the legend says it stands for.
            columns = term_set(" ".join([header_row, *meanings.values()]))
            # Rows start after the header when it is in this chunk, anywhere when it runs on.
            rows_from = header[2] if header and header[0].id == chunk.id else 0
            for unit in stats.units(chunk, notes=effect):
                # A sentence citing retrieved clauses is read with them.
                context = heading | cited if cited and clause_references(unit.text) else heading
                keyed = 0.0
                if header and unit.start >= rows_from and unit.text.startswith("|"):
                    # A table row means what its columns say ("| 2021 | 42,1 | …" under
                    # "| Năm | Điểm tổng | …"), and the row the question names is the one.
                    context = context | columns
                    keyed = _row_bonus(query.text, header_row, unit.text, meanings)
                score = self._unit_score(query, unit.text, context, stats)
                score += prior.get(cid, 0.0) + keyed
                # The note heading a codified article plays the role only in the
                # article that does (every article's note gives the law's entry into force).
                if role is not None and (
                    role_chunk or (not SOURCE_NOTE.match(unit.text) and plays(role, "", unit.text))
                ):
                    score += self._role_bonus(query, unit.text)
                # The passage's instrument preference carries over to its sentences.
                score *= weight.get(cid, 1.0)
                scored_units.append(
                    (score, rank.get(cid, len(rank)), stats.position.get(cid, 0), chunk, unit)
                )
        if not scored_units:
            return []
        scored_units = _copies_scored_alike(scored_units)
        scored_units.sort(key=lambda t: (-t[0], t[1], t[2], t[4].start))
        best = scored_units[0][0]
        points: list[Point] = []
        words = 0
        if list_mode:
            in_focus = [t for t in scored_units if t[3].id in set(section_ids)]
            in_focus.sort(key=lambda t: (t[2], t[4].start))
            # A section of one paragraph is quoted whole when it fits the budget.
            unit_limit = s.list_unit_words if len(in_focus) > 1 else s.word_budget
            quoted: dict[int, Point] = {}

            def member(i: int) -> Point:
                """The *i*-th member of the section, trimmed for a list (once, on demand)."""
                if i not in quoted:
                    score, _, _, chunk, unit = in_focus[i]
                    point = self.trim(query, chunk, unit, score, stats, unit_limit)
                    quoted[i] = _with_entry(point, entries)
                return quoted[i]

            fits = len(in_focus) <= s.max_list_points and (
                sum(_words(member(i).quote) for i in range(len(in_focus))) <= s.word_budget
            )
            # A section too long to quote whole, whose members the question singles some out
            # of (a list of ten indicators asked about one), is quoted by those members
            # first, then in reading order; a question on the whole section, by its start.
            scores = sorted(t[0] for t in in_focus)
            by_score = (
                not fits and bool(scores) and scores[-1] >= SINGLED_OUT * scores[len(scores) // 2]
            )
            order = list(range(len(in_focus)))
            if by_score:
                order.sort(key=lambda i: -in_focus[i][0])
            chosen: list[int] = []
            for i in order:
                if len(chosen) >= s.max_list_points:
                    break
                n = _words(member(i).quote)
                if chosen and words + n > s.word_budget:
                    continue  # a shorter member further on may still fit
                chosen.append(i)
                words += n
            points = [member(i) for i in sorted(chosen)]  # in_focus is in reading order
            focus_best = max((t[0] for t in in_focus), default=0.0)
            extra_floor = max(s.absolute_floor, 0.9 * max(focus_best, best))
            # Extras stay in the focus document; other documents are listed as related.
            others = [
                t
                for t in scored_units
                if t[3].id not in set(section_ids)
                and t[3].metadata.get("document_id") == focus.hit.document_id
            ]
        else:
            extra_floor = max(s.absolute_floor, s.relative_floor * best)
            others = scored_units
        taken = {(p.chunk.id, p.unit.start) for p in points}
        # The same provision is often loaded twice (a law and its codified copy): quote it once.
        said = {folded_text(p.unit.text) for p in points}
        limit = s.max_list_points if list_mode else s.max_points
        for score, _, _, chunk, unit in others:
            if len(points) >= limit or score < extra_floor:
                break
            if (chunk.id, unit.start) in taken or folded_text(unit.text) in said:
                continue
            point = _with_entry(
                self.trim(query, chunk, unit, score, stats, s.max_unit_words), entries
            )
            n = _words(point.quote)
            if points and words + n > s.word_budget:
                continue
            points.append(point)
            taken.add((chunk.id, unit.start))
            said.add(folded_text(unit.text))
            words += n
        wanted_facts = (
            (query.wants_deadline, DEADLINE),
            (query.wants_date, DATE),
            (query.wants_basis, LEGAL_BASIS),
        )
        for wanted, pattern in wanted_facts:
            if wanted and not any(pattern.search(p.quote) for p in points):
                # A legal basis belongs to the section it is cited in; a deadline may be
                # set once for the whole document (the plan's closing paragraph).
                same_section = pattern is LEGAL_BASIS
                extra = self._best_with(
                    query, pattern, focus, pool or passages, stats, taken, same_section
                )
                if extra is not None:
                    points.append(_with_entry(extra, entries))
        return _reading_order(_with_table_headers(points, stats), stats)

    def _best_with(
        self,
        query: QueryTerms,
        pattern: re.Pattern[str],
        focus: ScoredHit,
        pool: list[ScoredHit],
        stats: CorpusStats,
        taken: set[tuple[str | None, int]],
        same_section: bool = False,
    ) -> Point | None:
        """The best unit matching *pattern* in the focus document's retrieved passages."""
        best: tuple[float, int, Document, Unit] | None = None
        for rank, p in enumerate(pool):
            if p.hit.document_id != focus.hit.document_id:
                continue
            if same_section and p.hit.section != focus.hit.section:
                continue
            chunk = stats.chunks.get(p.hit.chunk_id) or _chunk_of(pool, p.hit.chunk_id)
            if chunk is None:
                continue
            heading = stats.heading_terms.get(p.hit.chunk_id, frozenset())
            for unit in stats.units(chunk):
                if (chunk.id, unit.start) in taken or not pattern.search(unit.text):
                    continue
                score = self._unit_score(query, unit.text, heading, stats)
                if best is None or (score, -rank) > (best[0], -best[1]):
                    best = (score, rank, chunk, unit)
        if best is None:
            return None
        score, _, chunk, unit = best
        return self.trim(query, chunk, unit, score, stats)

    def _role_bonus(self, query: QueryTerms, text: str) -> float:
        """Bonus of a sentence of the article the question asks for; among definitions
        only the definition of the term asked ("Quy định hành chính là …" for "Quy định
        hành chính … được hiểu là gì?", not "Kiến nghị là …")."""
        if query.role is None or query.role.name != "definition":
            return ROLE_UNIT_BONUS
        term = definiendum(text)
        return DEFINITION_BONUS if term and defines(term, query.asked) else 0.0

    def _unit_score(
        self, query: QueryTerms, text: str, heading: frozenset[str], stats: CorpusStats
    ) -> float:
        score = stats.coverage(query, term_set(without_urls(text)) | heading, UNIT_BIGRAM_WEIGHT)
        if query.wants_deadline and DEADLINE.search(text):
            score += 0.35
        elif query.wants_date and DATE.search(text):
            score += 0.2
        if query.wants_basis and LEGAL_BASIS.search(text):
            score += 0.25
        if query.wants_unit and (VIA_UNIT.search(text) or CHAIRS.search(text)):
            score += 0.15
        return score

    def trim(
        self,
        query: QueryTerms,
        chunk: Document,
        unit: Unit,
        score: float,
        stats: CorpusStats,
        limit: int | None = None,
    ) -> Point:
        """The unit, or its best run of whole sentences when it is longer than *limit* words."""
        limit = limit or self.settings.max_unit_words
        text = chunk.page_content
        start, end = unit.start, unit.end
        if unit.words > limit and len(unit.sentences) > 1:
            heading = stats.heading_terms.get(chunk.id or "", frozenset())
            sent_scores = [
                self._unit_score(query, text[a:b], heading, stats) for a, b in unit.sentences
            ]
            best = max(range(len(sent_scores)), key=lambda i: (sent_scores[i], -i))
            lo = hi = best
            count = _words(text[slice(*unit.sentences[best])])
            while True:
                options = []
                if lo > 0:
                    options.append((sent_scores[lo - 1], 1, lo - 1))
                if hi < len(unit.sentences) - 1:
                    options.append((sent_scores[hi + 1], 0, hi + 1))
                if not options:
                    break
                _, _, pick = max(options)
                extra = _words(text[slice(*unit.sentences[pick])])
                if count + extra > limit or sent_scores[pick] <= 0:
                    break
                count += extra
                lo, hi = min(lo, pick), max(hi, pick)
            start, end = unit.sentences[lo][0], unit.sentences[hi][1]
        end = _rstrip(text, start, end)
        return Point(chunk, unit, start, end, score, None)

    # -- rendering ----------------------------------------------------------------------

    def compose(
        self,
        question: str,
        query: QueryTerms,
        scored: list[ScoredHit],
        stats: CorpusStats,
        entries: dict[str, ManifestEntry],
        *,
        floor: float = 0.2,
        condensed: str = "",
        force_list: bool = False,
        intent: QueryTerms | None = None,
    ) -> Composition | None:
        """The extractive answer, or None when nothing quotable was found."""
        passages = self.candidates(query, scored, stats, floor)
        points = self.select(
            query, passages, stats, force_list=force_list, pool=scored, intent=intent
        )
        if not points:
            return None
        return self.render(question, points, passages, scored, entries, condensed)

    def render(
        self,
        question: str,
        points: list[Point],
        passages: list[ScoredHit],
        scored: list[ScoredHit],
        entries: dict[str, ManifestEntry],
        condensed: str = "",
    ) -> Composition:
        """The answer quoting *points* (chosen from *passages*, related from *scored*)."""
        lines: list[str] = []
        citations: list[Citation] = []
        previous_key: tuple[str, str] | None = None
        for n, point in enumerate(points, start=1):
            if point.key != previous_key:
                lines.append(self._lead(point, previous_key))
                previous_key = point.key
            prefix = "…" if point.start > point.unit.start else ""
            suffix = "…" if point.end < _rstrip(point.chunk.page_content, *point.unit_span) else ""
            lines.append(f"- {prefix}{point.quote}{suffix} [{n}]")
            citations.append(_citation(n, point))
        facts = key_facts(points)
        if facts:
            lines.append("Cần lưu ý: " + "; ".join(facts) + ".")
        lines.extend(validity_notes([p.entry for p in points], entries))
        cited_docs = {c.document_id for c in citations}
        answer = Answer(
            question=question,
            answer="\n".join(lines),
            grounded=True,
            citations=citations,
            related=related_documents(scored, cited_docs, [p.entry for p in points], entries),
            mode="extractive",
            condensed_question=condensed,
        )
        return Composition(answer, points, passages)

    @staticmethod
    def widen(point: Point, wanted: Callable[[str], bool]) -> Point:
        """*point* grown to the nearest sentence of its unit that *wanted* accepts.

        The span stays contiguous, so the quote remains a substring of the stored passage;
        the point is returned unchanged when no sentence outside the quote is wanted.
        """
        text = point.chunk.page_content
        outside = [
            (point.start - b if b <= point.start else a - point.end, a, b)
            for a, b in point.unit.sentences
            if (b <= point.start or a >= point.end) and wanted(text[a:b])
        ]
        if not outside:
            return point
        _, a, b = min(outside)
        start, end = min(point.start, a), max(point.end, _rstrip(text, a, b))
        return replace(point, start=start, end=end)

    @staticmethod
    def beside(
        point: Point, stats: CorpusStats, wanted: Callable[[str], bool], quoted: Iterable[Unit]
    ) -> Point | None:
        """A point quoting the sentence *wanted* accepts in the unit of *point*'s passage
        nearest to its own, among the units not *quoted* yet; None when there is none."""
        text = point.chunk.page_content
        taken = {(u.start, u.end) for u in quoted}
        found = []
        for unit in stats.units(point.chunk):
            if (unit.start, unit.end) in taken:
                continue
            for a, b in unit.sentences or ((unit.start, unit.end),):
                if wanted(text[a:b]):
                    found.append((abs(unit.start - point.unit.start), a, b, unit))
                    break
        if not found:
            return None
        _, a, b, unit = min(found, key=lambda f: (f[0], f[1]))
        return replace(point, unit=unit, start=a, end=_rstrip(text, a, b))

    @staticmethod
    def in_section(
        point: Point, stats: CorpusStats, wanted: Callable[[str], bool], quoted: Iterable[Point]
    ) -> Point | None:
        """A point quoting the sentence *wanted* accepts in another chunk of *point*'s
        section (an article split into several passages: "1. Danh mục …" in one, "2. Thời
        hạn … là 5 năm" in the next), nearest first; None when there is none.

        The article, not the passage, is the unit a provision is written in: a clause
        of the same article is part of the same answer.
        """
        doc, section = point.key
        siblings = stats.sections.get((doc, section), [])
        # Only an article: a plan's section or a note's chapter holds many provisions.
        article = str(point.chunk.metadata.get("section_ref", "")).startswith("Điều ")
        if not (article and section) or point.chunk.id not in siblings:
            return None
        here = siblings.index(point.chunk.id)
        taken = {(p.chunk.id, p.unit.start, p.unit.end) for p in quoted}
        for cid in sorted(
            (c for c in siblings if c != point.chunk.id),
            key=lambda c: abs(siblings.index(c) - here),
        ):
            chunk = stats.chunks.get(cid)
            if chunk is None:
                continue
            text = chunk.page_content
            for unit in stats.units(chunk):
                if (cid, unit.start, unit.end) in taken:
                    continue
                for a, b in unit.sentences or ((unit.start, unit.end),):
                    if wanted(text[a:b]):
                        end = _rstrip(text, a, b)
                        return replace(point, chunk=chunk, unit=unit, start=a, end=end)
        return None

    @staticmethod
    def introduces(point: Point, other: Point, stats: CorpusStats) -> bool:
        """True when *point*'s unit is an intro ending in ":" ("2. Địa chỉ tiếp nhận phản
        ánh, kiến nghị:") and *other* quotes the unit right after it: what it introduces."""
        units = stats.units(point.chunk)
        spans = [(u.start, u.end) for u in units]
        here = (point.unit.start, point.unit.end)
        if other.chunk.id != point.chunk.id or here not in spans:
            return False
        after = spans.index(here) + 1
        text = point.chunk.page_content
        return (
            # A unit ends before the colon that closes its intro.
            text[here[0] : here[1] + 1].rstrip().endswith(":")
            and after < len(units)
            and (units[after].start, units[after].end) == (other.unit.start, other.unit.end)
        )

    def _lead(self, point: Point, previous: tuple[str, str] | None) -> str:
        meta = point.chunk.metadata
        label = ", ".join(p for p in (section_label(meta), page_label(meta)) if p)
        if previous is not None and previous[0] == point.key[0]:
            return f"{label[:1].upper()}{label[1:]}:" if label else "Ngoài ra:"
        return lead_sentence(meta, point.entry, label)


def document_name(meta: dict[str, object], entry: ManifestEntry | None) -> str:
    """How the answer names a document: "Kế hoạch …", "Quyết định số …", "tài liệu tham khảo …"."""
    doc_type = str((entry.doc_type if entry else "") or meta.get("doc_type", "") or "").strip()
    number = str((entry.number if entry else "") or meta.get("number", "") or "").strip()
    title = str((entry.title if entry else "") or meta.get("title", "") or "").strip()
    if is_reference(meta, entry):
        return f"tài liệu tham khảo “{title}”" if title else "tài liệu tham khảo"
    if number:
        return f"{doc_type or 'Văn bản'} số {number}"
    if doc_type and title.lower().startswith(doc_type.lower()):
        return title
    return f"{doc_type} {title}".strip() or "văn bản đã nạp"


def is_reference(meta: dict[str, object], entry: ManifestEntry | None) -> bool:
    """True for reference material (never to be presented as a directive)."""
    status = entry.status if entry else str(meta.get("status", "") or "")
    doc_type = str((entry.doc_type if entry else "") or meta.get("doc_type", "") or "")
    return status == "reference" or doc_type.strip().lower() in REFERENCE_TYPES


def section_label(meta: dict[str, object]) -> str:
    """ "mục II.4 – Kiểm soát tham nhũng trong khu vực công" (or "Điều 5 khoản 2 – …")."""
    ref = str(meta.get("section_ref", "") or "").strip()
    heading = str(meta.get("heading", "") or "").strip()
    if not heading:
        section = str(meta.get("section", "") or "")
        heading = section.split(SECTION_SEPARATOR)[-1] if section else ""
    heading = strip_heading_number(heading)
    if ref and not re.match(r"^[IVXLC]+$|^[\d.IVXLC]+$", ref):
        label = ref  # already worded: "Điều 5 khoản 2", "Chương II"
    elif ref:
        label = f"mục {ref}"
    else:
        label = ""
    if heading and label and _fold_eq(heading, label):
        heading = ""
    return " – ".join(p for p in (label, heading) if p)


def lead_sentence(meta: dict[str, object], entry: ManifestEntry | None, label: str) -> str:
    """ "Theo Kế hoạch … (mục II.4 – …):" — reference material is named as such."""
    name = document_name(meta, entry)
    where = f" ({label})" if label else ""
    if is_reference(meta, entry):
        return f"Theo {name}{where} — tài liệu tham khảo, không phải văn bản chỉ đạo:"
    return f"Theo {name}{where}:"


def key_facts(points: list[Point]) -> list[str]:
    """Deadline, responsible unit and legal basis found in the quoted text, each with its [n]."""
    deadline: str | None = None
    unit: str | None = None
    bases: list[str] = []
    for n, point in enumerate(points, start=1):
        quote = point.quote
        if deadline is None and (m := DEADLINE.search(quote)):
            deadline = f"thời hạn {m.group(0)} [{n}]"
        if unit is None:
            if m := VIA_UNIT.search(quote):
                unit = f"đầu mối {m.group(1).strip()} [{n}]"
            elif CHAIRS.search(quote):
                heading = strip_heading_number(str(point.chunk.metadata.get("heading", "") or ""))
                if heading and UNIT_HEADING.match(heading):
                    unit = f"đơn vị chủ trì {heading} [{n}]"
        for m in LEGAL_BASIS.finditer(quote):
            fact = f"căn cứ {m.group(0)} [{n}]"
            if len(bases) < 2 and not any(m.group(0) in b for b in bases):
                bases.append(fact)
    return [f for f in (deadline, unit) if f] + bases


def validity_notes(
    cited: list[ManifestEntry | None], entries: dict[str, ManifestEntry]
) -> list[str]:
    """One line per cited document that is superseded, naming its replacement."""
    notes = []
    seen: set[str] = set()
    for entry in cited:
        if entry is None or entry.id in seen or entry.status != "superseded":
            continue
        seen.add(entry.id)
        name = document_name({}, entry)
        replacement = replacement_name(entry, entries)
        if replacement:
            notes.append(
                f"Lưu ý: {name} đã bị thay thế bởi {replacement}; "
                "anh/chị vui lòng đối chiếu văn bản thay thế trước khi áp dụng."
            )
        else:
            notes.append(f"Lưu ý: {name} đã bị thay thế, nội dung trên có thể không còn áp dụng.")
    return notes


def replacement_name(entry: ManifestEntry, entries: dict[str, ManifestEntry]) -> str:
    """The replacement as users know it: its name when it is ingested, else as recorded."""
    target = entry.superseded_by.strip()
    replacement = entries.get(target)
    if replacement is not None:
        return document_name({}, replacement)
    return target


def related_documents(
    scored: list[ScoredHit],
    cited_docs: set[str],
    cited_entries: list[ManifestEntry | None],
    entries: dict[str, ManifestEntry],
    limit: int = 3,
) -> list[RelatedDocument]:
    """Replacements of cited superseded documents, then other retrieved documents."""
    out: list[RelatedDocument] = []
    seen = set(cited_docs)
    for entry in cited_entries:
        if entry is None or entry.status != "superseded":
            continue
        replacement = entries.get(entry.superseded_by.strip())
        if replacement is not None and replacement.id not in seen:
            seen.add(replacement.id)
            out.append(RelatedDocument(replacement.id, replacement.title, replacement.number))
    for s in scored:
        if len(out) >= limit:
            break
        if s.hit.document_id in seen or s.coverage < 0.25:
            continue
        seen.add(s.hit.document_id)
        out.append(RelatedDocument(s.hit.document_id, s.hit.title, s.hit.number, s.hit.section))
    return out[:limit]


def _citation(n: int, point: Point) -> Citation:
    meta = point.chunk.metadata
    entry = point.entry
    return Citation(
        n=n,
        document_id=str(meta.get("document_id", "")),
        title=str((entry.title if entry else "") or meta.get("title", "")),
        number=str((entry.number if entry else "") or meta.get("number", "")),
        section=str(meta.get("section", "")),
        quote=point.quote,
        score=round(point.score, 4),
        doc_type=str((entry.doc_type if entry else "") or meta.get("doc_type", "")),
        status=entry.status if entry else "in_force",
        superseded_by=entry.superseded_by if entry else "",
        chunk_id=point.chunk.id or "",
        page=page_of(meta),
        scanned=bool(meta.get("ocr")),
    )


def page_of(meta: dict[str, object]) -> int | None:
    """The 1-based page a passage starts on, when ingest recorded it."""
    raw = meta.get("page")
    return int(raw) if isinstance(raw, int | float | str) and str(raw).isdigit() else None


def page_label(meta: dict[str, object]) -> str:
    """ "bản quét, trang 2" for OCR text (so readers check the original), "trang 2" else."""
    page = page_of(meta)
    if page is None:
        return ""
    return f"bản quét, trang {page}" if meta.get("ocr") else f"trang {page}"


def _with_entry(point: Point, entries: dict[str, ManifestEntry | None]) -> Point:
    doc = str(point.chunk.metadata.get("document_id", ""))
    return Point(point.chunk, point.unit, point.start, point.end, point.score, entries.get(doc))


def _named_section(query: QueryTerms, passages: list[ScoredHit]) -> ScoredHit | None:
    """The first passage whose own heading is what an "X là gì?" question asks: the
    asked phrase starts with the heading ("Mục đích" for "Mục đích của kế hoạch … là
    gì?"). A heading of one syllable, or a definition question, never counts."""
    asked = query.asked
    if not asked or (query.role is not None and query.role.name == "definition"):
        return None
    for p in passages:
        heading = strip_heading_number(innermost_heading(p.hit.metadata))
        words = folded_tokens(heading)
        if len(words) >= 2 and asked.split()[: len(words)] == words:
            return p
    return None


def _row_bonus(question: str, header: str, row: str, meanings: Mapping[str, str]) -> float:
    """How much a table row gains for naming what the question asks: the row whose key
    the question names ("năm 2021"), more when it also holds a filled cell of a column
    the question names (the value asked, "CS7 năm 2018")."""
    if not row_key_asked(row, question):
        return 0.0  # no cell of a row the question does not name is asked
    found = asked_cells(question, header, row, meanings)
    return TABLE_CELL_BONUS if any(not is_blank(v) for _, v in found) else ROW_KEY_BONUS


def _with_table_headers(points: list[Point], stats: CorpusStats) -> list[Point]:
    """The points, with the header row of every table a quoted row comes from (in its
    chunk or an earlier one under the same heading): a row of figures is read by its
    columns."""
    out = list(points)
    have = {(p.chunk.id, p.start) for p in points}
    for point in points:
        found = row_header(point.chunk, point.start, point.quote, stats)
        if found is None:
            continue
        chunk, start, _ = found
        if (chunk.id, start) in have:
            continue
        if chunk.metadata.get("section") != point.chunk.metadata.get("section"):
            continue  # quoted under another sub-heading, it would read as another table
        unit = next((u for u in stats.units(chunk) if u.start == start), None)
        if unit is None:
            continue
        out.append(Point(chunk, unit, unit.start, unit.end, point.score, point.entry))
        have.add((chunk.id, start))
        caption = _caption(chunk, start, stats)
        if caption is not None and (caption[0].id, caption[1].start) not in have:
            # The paragraph introducing a table says what its figures are ("điểm chính
            # thức, không trọng số"): a row is not read without it.
            cap_chunk, cap = caption
            out.append(Point(cap_chunk, cap, cap.start, cap.end, point.score, point.entry))
            have.add((cap_chunk.id, cap.start))
    return out


def _caption(
    chunk: Document, header_start: int, stats: CorpusStats
) -> tuple[Document, Unit] | None:
    """The prose unit right before a table's header row, under the same heading: in the
    header's chunk, or the last unit of the chunk before it."""
    units = [u for u in stats.units(chunk) if u.end <= header_start]
    holder = chunk
    if not units and header_start == 0:
        here = stats.position.get(chunk.id or "")
        if not here:
            return None
        holder = stats.chunks.get(stats.order[here - 1]) or chunk
        same = all(
            holder.metadata.get(k) == chunk.metadata.get(k) for k in ("document_id", "section")
        )
        units = stats.units(holder) if same and holder is not chunk else []
    if not units or units[-1].text.startswith("|") or units[-1].words > CAPTION_WORDS:
        return None
    return holder, units[-1]


def _copies_scored_alike(units: list[_ScoredUnit]) -> list[_ScoredUnit]:
    """Every copy of a sentence loaded twice (a law and its codified copy, a decree that
    repeats the law) scored as its best copy.

    The copies differ only by what their passages add (retrieval prior, heading, the
    instrument's weight); scored alike, they are ordered by passage rank (relevance), so
    the passage ranked first supplies the one quoted.
    """
    keys = [folded_text(t[4].text) for t in units]
    best: dict[str, float] = {}
    for key, t in zip(keys, units, strict=True):
        best[key] = max(best.get(key, t[0]), t[0])
    return [(best[key], *t[1:]) for key, t in zip(keys, units, strict=True)]


def _reading_order(points: list[Point], stats: CorpusStats) -> list[Point]:
    """Group points by section (groups in order of their best point), document order inside."""
    group_rank: dict[tuple[str, str], int] = {}
    for point in points:
        group_rank.setdefault(point.key, len(group_rank))
    return sorted(
        points,
        key=lambda p: (group_rank[p.key], stats.position.get(p.chunk.id or "", 0), p.start),
    )


def _intent_patterns(intent: QueryTerms) -> list[tuple[re.Pattern[str], bool]]:
    """(pattern, same section only) for the facts a follow-up asks for, most specific first."""
    out: list[tuple[re.Pattern[str], bool]] = []
    if intent.wants_deadline:
        out.append((DEADLINE, False))
    if intent.wants_date:
        out.append((DATE, False))
    if intent.wants_basis:
        out.append((LEGAL_BASIS, True))
    return out


def _chunk_of(passages: list[ScoredHit], chunk_id: str) -> Document | None:
    for p in passages:
        if p.hit.chunk_id == chunk_id:
            return Document(id=chunk_id, page_content=p.hit.text, metadata=dict(p.hit.metadata))
    return None


def _rstrip(text: str, start: int, end: int) -> int:
    """End offset without trailing separators (";", ",", ":"), so quotes end cleanly."""
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    return end


def _words(text: str) -> int:
    return len(text.split())


def _fold_eq(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()
