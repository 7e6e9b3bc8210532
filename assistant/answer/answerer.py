"""Grounded answers: retrieve, judge the evidence, then quote it (or let an LLM write, checked).

The pipeline for one question:

1. condense it with the conversation history (:mod:`assistant.answer.followup`);
2. hybrid search, then score each passage's coverage of the question
   (:mod:`assistant.answer.evidence`);
3. refuse with the fixed Vietnamese reply when the evidence gate says no;
4. compose the extractive answer (:mod:`assistant.answer.composer`) — always, because it is
   also the fallback of the optional language model;
5. with a chat model configured, let it write from the same passages and keep only
   verifiably cited sentences (:mod:`assistant.answer.llm`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from langchain_core.documents import Document

from assistant.answer.article_roles import ArticleRole, plays
from assistant.answer.composer import Composition, ExtractiveComposer, Point, document_name
from assistant.answer.evidence import (
    CorpusStats,
    EvidenceGate,
    QueryTerms,
    ScoredHit,
    amenders_of,
    instrument_of,
    is_circular,
    named_documents,
    repeals_of,
    score_hits,
    strip_heading_number,
    unwritten_provinces,
    without_unfinished_names,
)
from assistant.answer.followup import Condensed, condense
from assistant.answer.honesty import (
    UNVERIFIED,
    AskedItem,
    asked_clause,
    asked_items,
    asks_of_citation,
    blank_cell_items,
    clause_item,
    denied_items,
    gap_sentence,
    missing_items,
    secondary_marked,
    self_hedged,
    time_notes,
    unloaded_item,
)
from assistant.answer.llm import GroundedLLM, Passage
from assistant.answer.model import REFUSAL, Answer
from assistant.answer.tables import (
    asked_cells,
    blank_columns,
    is_blank,
    legend_of,
    row_header,
    row_key,
)
from assistant.answer.unit_tasks import asks_for_unit_tasks, unit_tasks_answer
from assistant.core.settings import Settings
from assistant.index import Index, SearchFilters, SearchHit, Snapshot
from assistant.index.instruments import named_numbers, naming_words, number_key
from assistant.providers.chat_models import build_chat_model
from assistant.storage import ManifestEntry
from ingest.model import SECTION_SEPARATOR
from vntext.lexicon import DIVISIONS
from vntext.normalize import canonical_tones, clean_text, fold
from vntext.tokens import term_set

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.tasks.model import Task

RETRIEVE_K = 8
"""Passages retrieved per question (the answer quotes a few of them)."""

LEXICAL_EXTRA = 8
"""BM25 passages added to the fused hits when fusion ranked them out of the top k (and
from each document the question names). 8 sits on a plateau of 8–12 over the tuning
halves (plan answers 0.886 → 0.900 against 4; library, honesty and ALQAC unchanged)."""

PROCEDURE_COVERAGE = 0.5
"""Share of a named procedure's word pairs a sufficient passage must contain (tuning
halves: out-of-scope asks refused 15 → 19 of 22; no other figure moved)."""

LAW_DEPTH = 12
LAW_EXTRA = 4
"""When circulars are among the retrieved passages, up to LAW_EXTRA passages of other
instruments from the next LAW_DEPTH results join them (a ministry's circular often
repeats the article of the law it details, and a dozen circulars can fill the top)."""

ROLE_SOURCES = 3
"""The best hits whose instruments' standard article is looked up (see _role_hits)."""
ROLE_CHUNKS = 24
"""At most this many chunks of one standard article join the evidence."""

MAX_LLM_PASSAGES = 6
MIN_OWN_COVERAGE = 0.5
"""A follow-up's own words ("còn việc kê khai tài sản?") must be this covered, too."""
MAX_NAME_BEARERS = 3
"""At most this many documents are searched for a name no retrieved passage mentions."""


@dataclass(frozen=True)
class Evidence:
    """What retrieval found for one question and whether it is enough to answer."""

    condensed: Condensed
    query: QueryTerms
    scored: list[ScoredHit]
    sufficient: bool
    stats: CorpusStats
    entries: dict[str, ManifestEntry]
    section_forced: bool = False


class Answerer:
    """Answers questions from the index: extractive by default, optionally through an LLM."""

    def __init__(
        self,
        index: Index,
        chat_model: BaseChatModel | None = None,
        *,
        gate: EvidenceGate | None = None,
        composer: ExtractiveComposer | None = None,
        k: int = RETRIEVE_K,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._index = index
        self.gate = gate or EvidenceGate()
        self.composer = composer or ExtractiveComposer()
        self.llm = GroundedLLM(chat_model, self.composer) if chat_model is not None else None
        self._k = k
        self._today = today

    # -- public -------------------------------------------------------------------------

    def ask(
        self,
        question: str,
        history: Sequence[Mapping[str, str]],
        filters: SearchFilters,
        tasks: Callable[[], Sequence[Task]] | None = None,
    ) -> Answer:
        """Answer *question* with citations, or refuse honestly."""
        final: Answer | None = None
        for item in self.stream(question, history, filters, tasks):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    def stream(
        self,
        question: str,
        history: Sequence[Mapping[str, str]],
        filters: SearchFilters,
        tasks: Callable[[], Sequence[Task]] | None = None,
    ) -> Iterator[str | Answer]:
        """Text deltas (their concatenation is the answer text), then the final Answer.

        *tasks* gives the plans' tasks: "what must unit X do?" is answered from them.
        """
        # One snapshot for the whole answer: search, statistics and quotes agree.
        snapshot = self._index.snapshot()
        if tasks is not None and not history and asks_for_unit_tasks(question):
            listed = unit_tasks_answer(question, tasks(), snapshot)
            if listed is not None:
                yield from _lines(listed)
                return
        evidence = self.gather(question, history, filters, snapshot)
        composition = self._compose(question, evidence) if evidence.sufficient else None
        if composition is None:
            refusal = self._refusal(question, evidence)
            yield refusal.answer
            yield refusal
            return
        extractive, notes = self._honest(composition, evidence)
        if self.llm is None or extractive.partial:
            # A partial answer stays extractive: its gap statement must lead, verbatim.
            yield from _lines(extractive)
            return
        passages = self._llm_passages(composition, evidence)
        for item in self.llm.stream(
            evidence.condensed.question,
            passages,
            evidence.stats,
            evidence.entries,
            extractive,
        ):
            if isinstance(item, Answer) and notes and item.answer != extractive.answer:
                yield "\n" + "\n".join(notes)
                item.answer = "\n".join([item.answer, *notes])
            yield item

    def _honest(self, composition: Composition, evidence: Evidence) -> tuple[Answer, list[str]]:
        """State what the documents do not give, and flag what has aged (see honesty)."""
        answer = composition.answer
        query = evidence.query
        quotes = [p.quote for p in composition.points]
        about: dict[str, bool] = {}
        for p in composition.points:
            about[p.quote] = about.get(p.quote, False) or _names_asked(p, evidence)
        asked = _asked(composition, evidence)
        # The quotes must give the item, not merely their passages: the answer shows only
        # them (and _compose grew a trimmed quote to the sentence that gives it). A figure
        # in a general provision is one for the kind of body asked about too.
        missing = missing_items(
            asked, quotes, query.topic, about.__getitem__ if query.entities else None
        )
        # A document's number is given where the answer names the document it quotes
        # ("Theo Quyết định số 1766/QĐ-UBND …"), not only in a quote.
        named = fold(answer.answer).lower()
        missing = [m for m in missing if m.kind != "doc_number" or not m.pattern.search(named)]
        # "… có trọng số" against "điểm …, không trọng số": the quote denies what is asked.
        missing += denied_items(evidence.condensed.question, query.topic, quotes)
        # The cells the question asks of a quoted row ("CS7" of the 2018 row): a filled
        # one gives the figure asked, an empty one is a gap.
        rows = _quoted_rows(composition, evidence.stats)
        readings = _cell_readings(
            evidence.condensed.question,
            [
                (n, p, header)
                for n, p, header in rows
                if not query.entities or query.names_found(_named_terms(p, evidence))
            ],
            evidence.stats,
        )
        if readings:
            # Where the question's row and columns are read, the cells decide: a table
            # passage holds every row's figures, most of them not the ones asked.
            decided = [i for i in asked if i.kind in CELL_FIGURES or i.kind == "rank"]
            missing = [m for m in missing if m not in decided]
            missing += [i for i in decided if not _read_in_cells(i, readings)]
        # "… có mã số TTHC là gì?" against a quoted row whose "Mã số TTHC" cell is empty.
        blank = blank_columns(
            evidence.condensed.question, [(_header_text(h), p.unit.text) for _, p, h in rows]
        )
        blank += [
            label for _, _, label, value in readings if is_blank(value) and label not in blank
        ]
        missing += blank_cell_items(blank)
        missing += [unloaded_item(n) for n in _unloaded_instruments(evidence)]
        held = _clause_gap(missing, composition, evidence) if not missing else {}
        if self_hedged([p.unit.text for p in composition.points]):
            missing.append(UNVERIFIED)
        documents = []
        for point in composition.points:
            entry = point.entry
            meta = point.chunk.metadata
            described = " ".join(
                str(x)
                for x in (
                    (entry.title if entry else meta.get("title", "")),
                    (entry.issuer if entry else ""),
                    (entry.number if entry else meta.get("number", "")),
                )
            )
            doc_type = str((entry.doc_type if entry else "") or meta.get("doc_type", ""))
            documents.append((document_name(meta, entry), doc_type, described))
        notes = _reading_notes(readings)
        notes += time_notes(quotes, documents, self._today())
        notes += _amendment_notes(composition, evidence)
        secondary = [
            f"[{n}]"
            for n, p in enumerate(composition.points, start=1)
            if secondary_marked(p.unit.text)
        ]
        if secondary:
            notes.append(
                f"Nội dung {', '.join(secondary)} là nguồn thứ cấp trong tài liệu tham khảo, "
                "không phải văn bản chỉ đạo; anh/chị cần đối chiếu văn bản gốc."
            )
        lines = answer.answer.split("\n")
        if missing:
            held |= _held_elsewhere(missing, composition, evidence)
            lines.insert(0, gap_sentence(missing, held))
        answer.answer = "\n".join([*lines, *notes])
        answer.partial = bool(missing)
        answer.missing = [m.description for m in missing]
        return answer, notes

    # -- evidence -----------------------------------------------------------------------

    def gather(
        self,
        question: str,
        history: Sequence[Mapping[str, str]],
        filters: SearchFilters,
        snapshot: Snapshot | None = None,
    ) -> Evidence:
        """Condense, retrieve and score in one *snapshot*; decide whether it suffices."""
        view = snapshot or self._index.snapshot()
        stats = CorpusStats(view)
        entries = view.entries
        condensed = condense(question, history, lambda ref, ans: _lookup(stats, entries, ref, ans))
        query = QueryTerms.of(condensed.question, view.names)
        query = without_unfinished_names(query, condensed.question, view.chunk_terms.values())
        provinces = unwritten_provinces(condensed.question, view.df)
        if provinces:
            query = replace(query, entities=tuple(dict.fromkeys([*query.entities, *provinces])))
        if query.empty or not stats.n:
            return Evidence(condensed, query, [], False, stats, entries)
        found = self._index.search(
            condensed.search_text, self._k + LAW_DEPTH, filters, snapshot=view
        )
        hits = with_detailed_instruments(found, self._k)
        hits += _lexical_hits(view, condensed.search_text, filters, hits)
        named = named_documents(query.text, entries)
        query = query.without(naming_words(query.text, named))
        for doc_id in documents_bearing_names(query, stats, entries, hits, filters):
            # A question naming a body no retrieved passage mentions ("Ban Quản lý …") is
            # read in the documents that body issued or is named in, as one naming a
            # document is: their passages say "Ban" without the full name.
            within = replace(filters, documents=(doc_id,))
            hits += _lexical_hits(view, condensed.search_text, within, hits)
        # An amended instrument is read with its amendment: the amending clause may be
        # the provision in force ("Sửa đổi Điều 15 như sau: …").
        amending = [d for h in hits[: self._k] for d in amenders_of(h.metadata, view)]
        for doc_id in dict.fromkeys([*(e.id for e in named), *amending]):
            # A question naming a document is answered from it when it can be.
            if filters.documents and doc_id not in filters.documents:
                continue
            within = replace(filters, documents=(doc_id,))
            hits += _lexical_hits(view, condensed.search_text, within, hits)
        if query.role is not None:
            hits += _role_hits(stats, query.role, [*hits[:ROLE_SOURCES]], named, filters, hits)
        if condensed.section_ref and condensed.document_id:
            section_hits = _section_hits(stats, condensed, filters)
            if section_hits:
                scored = score_hits(query, section_hits, stats, entries, named)
                rest = [
                    s
                    for s in score_hits(query, hits, stats, entries, named)
                    if s.hit.chunk_id not in {h.chunk_id for h in section_hits}
                ]
                return Evidence(condensed, query, scored + rest, True, stats, entries, True)
        scored = score_hits(query, hits, stats, entries, named)
        # A passage must cover the question besides naming what it names: the only
        # passage that mentions "Đà Nẵng" may be about something else entirely.
        unnamed = query.unnamed

        def suffices(s: ScoredHit) -> bool:
            terms = stats.named_terms(s.hit.chunk_id, s.hit.text, s.hit.metadata, s.entry)
            coverage = s.coverage if unnamed is query else stats.coverage(unnamed, terms)
            # "Thủ tục đăng ký kết hôn …" is not answered by a passage on another procedure.
            named = not query.procedure or (
                sum(p in terms for p in query.procedure) / len(query.procedure)
                >= PROCEDURE_COVERAGE
            )
            return (
                self.gate.passes(coverage, s.dense)
                and query.names_found(terms)
                and query.number_found(s.hit.text)
                and named
            )

        sufficient = any(suffices(s) for s in scored)
        own = condensed.own
        if sufficient and own is not None:
            sufficient = any(
                stats.coverage(own, stats.terms_of(s.hit.chunk_id, s.hit.text)) >= MIN_OWN_COVERAGE
                for s in scored
            )
        return Evidence(condensed, query, scored, sufficient, stats, entries)

    # -- composing ----------------------------------------------------------------------

    def _compose(self, question: str, evidence: Evidence) -> Composition | None:
        condensed = evidence.condensed
        composition = self.composer.compose(
            question,
            evidence.query,
            evidence.scored,
            evidence.stats,
            evidence.entries,
            floor=self.gate.min_coverage / 2,
            condensed=condensed.question if condensed.followup else "",
            force_list=evidence.section_forced,
            intent=condensed.intent if condensed.own is None else None,
        )
        if composition is None:
            return None
        points = self._widened(composition, evidence)
        if points == composition.points:
            return composition
        return self.composer.render(
            question,
            points,
            composition.passages,
            evidence.scored,
            evidence.entries,
            composition.answer.condensed_question,
        )

    def _widened(self, composition: Composition, evidence: Evidence) -> list[Point]:
        """The points, each grown to a sentence of its unit that gives an asked item
        ("không quá 02 năm") which no quote gives: trimming a long unit to its best
        sentences must not cut away the figure the question asks for."""
        query = evidence.query
        points = list(composition.points)

        for item in _asked(composition, evidence):
            if item.kind not in WIDENED_FOR:
                continue
            if any(_gives(item, p, evidence)(p.quote) for p in points):
                continue
            for n, point in enumerate(points):
                grown = self.composer.widen(point, _gives(item, point, evidence))
                if grown != point:
                    points[n] = grown
                    break
            else:
                # The item is in another clause of a quoted passage, or of its article
                # split over several passages: quote that sentence beside the point it
                # belongs with.
                tries = [(n, point, False) for n, point in enumerate(points)]
                tries += [(n, point, True) for n, point in enumerate(points)]
                for n, point, across in tries:
                    wanted = _gives(item, point, evidence)
                    if across:
                        added = self.composer.in_section(point, evidence.stats, wanted, points)
                    else:
                        quoted = [p.unit for p in points if p.chunk.id == point.chunk.id]
                        added = self.composer.beside(point, evidence.stats, wanted, quoted)
                    # Only a sentence that would answer the question on its own, or what
                    # a quoted intro ("Địa chỉ tiếp nhận …:") introduces: a clause's other
                    # figure ("03 ngày làm việc" to supply the information) is not the
                    # one asked (how long an access code lasts).
                    if added is not None and (
                        evidence.stats.coverage(query, term_set(added.quote))
                        >= self.gate.min_coverage
                        or self.composer.introduces(point, added, evidence.stats)
                    ):
                        # In reading order among the points quoting the same section.
                        def place(p: Point) -> tuple[int, int]:
                            return evidence.stats.position.get(p.chunk.id or "", 0), p.start

                        before = [
                            m
                            for m, p in enumerate(points)
                            if p.key == added.key and place(p) < place(added)
                        ]
                        points.insert(max(before, default=n - 1) + 1, added)
                        break
        return points

    def _refusal(self, question: str, evidence: Evidence) -> Answer:
        condensed = evidence.condensed
        return Answer(
            question=question,
            answer=REFUSAL,
            grounded=False,
            mode="refusal",
            condensed_question=condensed.question if condensed.followup else "",
        )

    def _llm_passages(self, composition: Composition, evidence: Evidence) -> list[Passage]:
        """The chunks the extractive answer quoted, then the other candidates."""
        chosen: dict[str, Passage] = {}
        for point in composition.points:
            cid = point.chunk.id or ""
            if cid not in chosen:
                chosen[cid] = Passage(len(chosen) + 1, point.chunk, point.entry, point.score)
        for s in composition.passages:
            if len(chosen) >= MAX_LLM_PASSAGES:
                break
            cid = s.hit.chunk_id
            chunk = evidence.stats.chunks.get(cid)
            if chunk is not None and cid not in chosen:
                chosen[cid] = Passage(len(chosen) + 1, chunk, s.entry, s.coverage)
        return list(chosen.values())[:MAX_LLM_PASSAGES]


WIDENED_FOR = frozenset(
    ["date", "count", "money", "duration", "year", "rank", "phone", "email", "fax", "url"]
    + ["account", "address", "person", "place", "unit", "doc_number"]
)
"""Items a single sentence gives as written, so a quote can be grown to the one that does."""


def _named_terms(point: Point, evidence: Evidence) -> frozenset[str]:
    """The terms of *point*'s passage with the names its document bears ("Quyết định
    1766/QĐ-UBND"): a passage is about those names too."""
    chunk = point.chunk
    return evidence.stats.named_terms(
        chunk.id or "", chunk.page_content, chunk.metadata, point.entry
    )


def _names_asked(point: Point, evidence: Evidence) -> bool:
    """True when *point*'s passage names what the question names (not merely its kind)."""
    return evidence.query.names_found(_named_terms(point, evidence), kinds_too=False)


def _held_elsewhere(
    missing: Sequence[AskedItem], composition: Composition, evidence: Evidence
) -> dict[str, list[int]]:
    """Description of each missing item a quoted passage holds outside its quote → the
    numbers of those citations (the gap is in the quotes, not in the documents)."""
    held: dict[str, list[int]] = {}
    for item in missing:
        for n, point in enumerate(composition.points, start=1):
            if _gives(item, point, evidence)(point.chunk.page_content):
                held.setdefault(item.description, []).append(n)
    return held


MIN_ASKED_COVERAGE = 0.2
"""Weighted share of what the asked clause adds to the statement before it that the quotes
must hold (:func:`_clause_gap`). Measured on the tuning halves over the premise-then-question
asks answered without a gap: below 0.2 fall 30 of 50 partly answerable asks falsely
answered and 1 of 18 library and plan asks citing the gold passage (0.15: 27 and 1; 0.25:
34 and 4). The whole clause's terms, the statement's included, separate them worse (below
0.3: 18 and 2): the statement's words, repeated in the clause, are what a passage about the
statement covers. Whole tuning run: partial 68 → 38 false answers of 452 asks, library one
more hedged answer (of 660), plan and unanswerable unchanged."""


def _unloaded_instruments(evidence: Evidence) -> list[str]:
    """Numbers of the instruments the question asks about ("Kế hoạch số 3212/KH-UBND giao
    sở nào …?") that no loaded document is, nor codifies: a loaded passage citing one
    ("Thực hiện Kế hoạch số 3212/KH-UBND …") does not give its content. Not when the
    question asks what a citation gives (:func:`honesty.asks_of_citation`)."""
    question = evidence.condensed.question
    numbers = named_numbers(question)
    if not numbers or asks_of_citation(question):
        return []
    loaded = {number_key(e.number) for e in evidence.entries.values() if e.number}
    loaded |= {number_key(instrument_of(c.metadata)[1]) for c in evidence.stats.chunks.values()}
    loaded.discard("")
    out = []
    for key in numbers:
        if any(n.startswith(key) for n in loaded):
            continue
        # "10/2019" of the date "07/10/2019" is no number.
        written = re.search(r"(?<![\d/])" + re.escape(key.split("/")[0]) + r"/[\w/.-]*", question)
        if written is not None:
            out.append(written.group(0).rstrip(".,;:"))
    return out


def _clause_gap(
    missing: list[AskedItem], composition: Composition, evidence: Evidence
) -> dict[str, list[int]]:
    """Add the asked clause to *missing* when a statement comes before it and the quotes
    do not cover what the clause adds to it (see honesty.asked_clause): they answer the
    statement, not the question. Returns the citations whose whole passage covers it (the
    gap is then in the quotes, and the reader is sent to them) under the item's
    description."""
    question = evidence.condensed.question
    clause = asked_clause(question)
    if not clause:
        return {}
    terms = QueryTerms.of(clause)
    # The statement is what comes before the clause (nothing when a short part was joined
    # to it and it is no longer a substring).
    start = question.rfind(clause)
    stated = QueryTerms.of(question[:start] if start > 0 else "")
    known = frozenset(stated.unigrams) | frozenset(stated.bigrams)
    added = replace(
        terms,
        unigrams=tuple(t for t in terms.unigrams if t not in known),
        bigrams=tuple(t for t in terms.bigrams if t not in known),
    )
    # A clause that only repeats the statement ("…; đúng không?") is checked whole.
    terms = added if not added.empty else terms
    stats = evidence.stats
    shown = frozenset().union(*(term_set(p.quote) for p in composition.points))
    if terms.empty or stats.coverage(terms, shown) >= MIN_ASKED_COVERAGE:
        return {}
    item = clause_item(clause)
    missing.append(item)
    within = [
        n
        for n, p in enumerate(composition.points, start=1)
        if stats.coverage(terms, stats.terms_of(p.chunk.id or "", p.chunk.page_content))
        >= MIN_ASKED_COVERAGE
    ]
    return {item.description: within} if within else {}


def _gives(item: AskedItem, point: Point, evidence: Evidence) -> Callable[[str], bool]:
    """Whether a text of *point*'s passage gives *item* (see honesty.missing_items): next
    to the question's topic and, when the question names something, in a passage about it."""
    query = evidence.query
    named = _names_asked(point, evidence)
    about = (lambda _text: named) if query.entities else None
    return lambda text: not missing_items([item], [text], query.topic, about)


def _asked(composition: Composition, evidence: Evidence) -> list[AskedItem]:
    """The specific items the question asks for (see honesty.asked_items)."""
    # A year the question names with a document ("Luật Tố cáo năm 2018") is the
    # document's own year, not a condition on the answer.
    bearers = frozenset().union(
        *(evidence.stats.bearer_terms(p.chunk.metadata, p.entry) for p in composition.points)
    )
    return [
        item
        for item in asked_items(evidence.condensed.question)
        if not (item.kind == "year" and item.value in bearers)
    ]


CELL_FIGURES = frozenset(["count", "money", "date", "items"])
"""Items a filled cell of a column the question names gives (the figure asked of a row);
a rank only when the cell is one ("55/61"), a year when it is the row's key."""


def _read_in_cells(item: AskedItem, readings: Sequence[tuple[int, str, str, str]]) -> bool:
    """True when a cell the question asks of a quoted row gives *item*."""
    filled = [(key, value) for _, key, _, value in readings if not is_blank(value)]
    if item.kind == "year":
        return any(key == item.value for key, _ in filled)
    if item.kind == "rank":
        return any(item.pattern.search(fold(value)) for _, value in filled)
    return item.kind in CELL_FIGURES and bool(filled)


def _reading_notes(readings: Sequence[tuple[int, str, str, str]]) -> list[str]:
    """One line per quoted row saying which cells answer: the row quoted is a line of
    figures, and the column asked is not always the first one a reader finds."""
    rows: dict[tuple[int, str], list[str]] = {}
    for n, key, label, value in readings:
        if not is_blank(value):
            rows.setdefault((n, key), []).append(f"{label} là {value}")
    return [f"Đọc theo bảng [{n}], hàng {key}: {'; '.join(c)}." for (n, key), c in rows.items()]


_Header = tuple[Document, int, int]
"""(chunk holding it, start, end) of a table's header row (tables.header_of)."""


def _quoted_rows(composition: Composition, stats: CorpusStats) -> list[tuple[int, Point, _Header]]:
    """(point number, point, header) of every quoted data row of a Markdown table."""
    out = []
    for n, point in enumerate(composition.points, start=1):
        # The row is its unit: a long row is quoted trimmed ("…- Có thể dài hơn … |").
        found = row_header(point.chunk, point.unit.start, point.unit.text, stats)
        if found is not None:
            out.append((n, point, found))
    return out


def _header_text(header: _Header) -> str:
    chunk, start, end = header
    return chunk.page_content[start:end]


def _cell_readings(
    question: str, rows: Sequence[tuple[int, Point, _Header]], stats: CorpusStats
) -> list[tuple[int, str, str, str]]:
    """(point number, row key, column, value) of every cell the question asks of the
    quoted table *rows* (:func:`~assistant.answer.tables.asked_cells`; those about what
    the question names)."""
    out = []
    for n, point, header in rows:
        meanings = legend_of(header, stats)
        row = point.unit.text  # the whole row: a long one is quoted trimmed
        for label, value in asked_cells(question, _header_text(header), row, meanings):
            out.append((n, row_key(row), label, value))
    return out


def _lines(answer: Answer) -> Iterator[str | Answer]:
    for i, line in enumerate(answer.answer.split("\n")):
        yield ("\n" if i else "") + line
    yield answer


def _lookup(
    stats: CorpusStats, entries: dict[str, ManifestEntry], ref: str, answer: str
) -> tuple[str, str] | None:
    """(document_id, heading) of section *ref*, preferring the document the answer named."""
    found: dict[str, str] = {}
    for chunk in stats.chunks.values():
        meta = chunk.metadata
        if str(meta.get("section_ref", "")) == ref:
            doc = str(meta.get("document_id", ""))
            found.setdefault(doc, str(meta.get("heading", "") or meta.get("section", "")))
    if not found:
        return None
    for doc, heading in found.items():
        entry = entries.get(doc)
        if entry is not None and answer and document_name({}, entry) in answer:
            return doc, strip_heading_number(heading)
    doc, heading = next(iter(found.items()))
    return doc, strip_heading_number(heading)


def _amendment_notes(composition: Composition, evidence: Evidence) -> list[str]:
    """ "Lưu ý" lines for quoted instruments another loaded document amends."""
    view = evidence.stats.snapshot
    quoted = {str(p.chunk.metadata.get("document_id", "")) for p in composition.points}
    notes: list[str] = []
    for point in composition.points:
        meta = point.chunk.metadata
        kind, number = instrument_of(meta)
        instrument = f"{kind.capitalize()} số {number.upper()}" if number else "Văn bản này"
        for amender in amenders_of(meta, view):
            entry = evidence.entries.get(amender)
            if entry is None:
                continue
            note = (
                f"Lưu ý: {instrument} đã được sửa đổi, bổ sung bởi {document_name({}, entry)}"
                + ("" if amender in quoted else " (chưa trích ở trên)")
                + "; anh/chị đối chiếu quy định đã sửa đổi trước khi áp dụng."
            )
            if note not in notes:
                notes.append(note)
        for part, by in repeals_of(meta, view):
            entry = evidence.entries.get(by)
            what = instrument
            if part:
                division, _, n = part.partition(" ")
                what = f"{DIVISIONS.get(division, division.capitalize())} {n} của {what}"
            source = f" theo {document_name({}, entry)}" if entry is not None else ""
            note = (
                f"Lưu ý: {what} đã hết hiệu lực{source}; nội dung trích từ đó chỉ để tham khảo, "
                "anh/chị áp dụng quy định hiện hành."
            )
            if note not in notes:
                notes.append(note)
    return notes


def documents_bearing_names(
    query: QueryTerms,
    stats: CorpusStats,
    entries: Mapping[str, ManifestEntry],
    hits: Sequence[SearchHit],
    filters: SearchFilters,
) -> list[str]:
    """Documents whose name (title, issuer, number) mentions every name the question
    asks about, when no retrieved passage does; none when many documents do (then the
    name does not single out where to look)."""
    if not query.entities:
        return []
    for h in hits:
        entry = entries.get(h.document_id)
        if query.names_found(stats.named_terms(h.chunk_id, h.text, h.metadata, entry)):
            return []
    found = [
        doc_id
        for doc_id, entry in entries.items()
        if (not filters.documents or doc_id in filters.documents)
        and query.names_found(stats.bearer_terms({"document_id": doc_id}, entry))
    ]
    return found if len(found) <= MAX_NAME_BEARERS else []


def _lexical_hits(
    view: Snapshot, text: str, filters: SearchFilters, have: list[SearchHit]
) -> list[SearchHit]:
    """The best BM25 passages that rank fusion left out.

    Fusion rewards passages both retrievers found; for a question typed without
    diacritics the dense model often misses the passage BM25 ranks first, which then
    falls far down the fused list. Evidence is judged lexically, so those passages
    are worth scoring too.
    """
    taken = {h.chunk_id for h in have}
    query = canonical_tones(clean_text(text))
    out: list[SearchHit] = []
    for cid, score in view.lexical_top(query, LEXICAL_EXTRA, filters):
        chunk = view.chunks.get(cid)
        if chunk is None or cid in taken:
            continue
        out.append(SearchHit.from_chunk(chunk, len(have) + len(out) + 1, 0.0, lexical=score))
    return out


def with_detailed_instruments(found: list[SearchHit], k: int) -> list[SearchHit]:
    """The first *k* hits, and when circulars are among them, up to LAW_EXTRA hits of
    other instruments from the rest.

    Circulars detail a law or decree for one sector each, often in its very words: a
    dozen of them can fill the top and leave out the law every agency is bound by.
    """
    hits = found[:k]
    if any(is_circular(h.metadata) for h in hits):
        hits += [h for h in found[k:] if not is_circular(h.metadata)][:LAW_EXTRA]
    return hits


def _role_hits(
    stats: CorpusStats,
    role: ArticleRole,
    top: list[SearchHit],
    named: Sequence[ManifestEntry],
    filters: SearchFilters,
    have: list[SearchHit],
) -> list[SearchHit]:
    """The chunks of the article playing *role* ("Giải thích từ ngữ", "Hiệu lực thi
    hành") in the instruments of the *top* hits and in the *named* documents.

    The article a question about definitions or entry into force asks for shares few
    words with it, so retrieval seldom brings it; the instrument it belongs to is the
    one the best hits come from (a codified topic holds many instruments: only the
    article of the same instrument counts).
    """
    wanted: dict[str, set[tuple[str, str]] | None] = {e.id: None for e in named}
    for hit in top:
        sources = wanted.setdefault(hit.document_id, set())
        if sources is not None:
            sources.add(instrument_of(hit.metadata))
    taken = {h.chunk_id for h in have}
    out: list[SearchHit] = []
    for (doc_id, section), chunk_ids in stats.sections.items():
        if doc_id not in wanted or (filters.documents and doc_id not in filters.documents):
            continue
        if not plays(role, section.split(SECTION_SEPARATOR)[-1]):
            continue
        first = stats.chunks.get(chunk_ids[0])
        sources = wanted[doc_id]
        if first is None or (sources is not None and instrument_of(first.metadata) not in sources):
            continue
        for cid in chunk_ids[:ROLE_CHUNKS]:
            chunk = stats.chunks.get(cid)
            if chunk is not None and cid not in taken:
                taken.add(cid)
                out.append(SearchHit.from_chunk(chunk, len(have) + len(out) + 1, 0.0))
    return out


def _section_hits(
    stats: CorpusStats, condensed: Condensed, filters: SearchFilters
) -> list[SearchHit]:
    """The chunks of the section a follow-up named, as hits (in document order)."""
    if filters.documents and condensed.document_id not in filters.documents:
        return []
    out: list[SearchHit] = []
    prefix = condensed.section_ref + "."
    for chunk in stats.chunks.values():
        meta = chunk.metadata
        ref = str(meta.get("section_ref", ""))
        if str(meta.get("document_id", "")) != condensed.document_id:
            continue
        if ref != condensed.section_ref and not ref.startswith(prefix):
            continue
        # The section the user named is the best match there is (score 1.0, the top of
        # the fused scale).
        out.append(SearchHit.from_chunk(chunk, len(out) + 1, 1.0))
    return out


def build_answerer(settings: Settings, index: Index) -> Answerer:
    """Build the answerer; a configured language model is built here (lazily imported)."""
    return Answerer(index, build_chat_model(settings.llm), k=max(RETRIEVE_K, settings.retrieval.k))
