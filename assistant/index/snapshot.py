"""One immutable snapshot per index version: what every request reads, whole.

A :class:`Snapshot` holds the manifest, the live chunks and everything derived from them
— the BM25 postings, the diacritic restorer's spellings, the answer statistics (term
sets, document frequencies, sections, reading order). It is built off the request path
and never changes; a request takes one snapshot and passes it to search and answer, so
one answer always comes from exactly one index version.

Everything derived is kept per document (:class:`Segment`, tokenised once, by the one
tokenizer in :mod:`vntext.tokens`). A change to one document builds that document's
segment and a new snapshot that shares every other segment with the old one: the cost
of a change is the changed document, not the corpus.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.documents import Document

from assistant.index.dimension_map import addressed_dimensions
from assistant.index.instruments import amended_numbers, circular_sectors, repealed_parts
from assistant.index.lexical import BM25, LexicalSegment
from assistant.index.restorer import DiacriticRestorer, Spellings
from assistant.index.search import SearchFilters
from assistant.storage import ManifestEntry
from ingest.model import SECTION_SEPARATOR
from vntext.normalize import fold
from vntext.syllables import is_syllable
from vntext.tokens import term_set, terms

_URL = re.compile(r"(?:https?://|www\.)\S+")


def without_urls(text: str) -> str:
    """*text* with web addresses blanked: a source list's URLs are not content to match."""
    return _URL.sub(" ", text)


def innermost_heading(meta: Mapping[str, Any]) -> str:
    """The chunk's own heading ("4. Kiểm soát tham nhũng…"), without its parents."""
    heading = str(meta.get("heading", "") or "")
    if not heading:
        section = str(meta.get("section", "") or "")
        heading = section.split(SECTION_SEPARATOR)[-1] if section else ""
    return heading


SOURCE_NOTE = re.compile(r"^[ \t]*\((?:Điều|Khoản|Điểm) [^\n]*\)[ \t]*$", re.MULTILINE)
"""A codified article's editorial note, a line of its own in parentheses: where the text
comes from ("(Điều 81 Luật số 36/2018/QH14, có hiệu lực thi hành kể từ ngày 01/07/2019)")
or which articles relate to it ("(Điều này có nội dung liên quan đến …)"). It is matched
like the rest of the passage (it names the source instrument) but never quoted as a
provision."""


def lexical_text(chunk: Document) -> str:
    """What lexical matching sees of a chunk: its document's type, title and number, its
    heading path and reference (which names a codified article's source instrument), the
    legend of a table it holds (what its coded columns stand for) and its text (web
    addresses blanked)."""
    meta = chunk.metadata
    context = " \n ".join(str(meta.get(k, "") or "") for k in ("doc_type", "title", "number"))
    head = " \n ".join(
        str(meta.get(k, "") or "") for k in ("section", "heading", "section_ref", "legend")
    )
    return f"{context}\n{head}\n{without_urls(chunk.page_content)}"


_ACRONYM = re.compile(r"\b[A-ZĐ]{2,6}\b")
_WORD_RUN = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True, eq=False)
class NameCounts:
    """One document's evidence for the names it writes, counted so that several
    documents' evidence adds up (see :func:`name_pairs`)."""

    acronyms: frozenset[str]
    """Folded acronyms that are not Vietnamese syllables ("PCI" → ``pci``)."""
    capitalised: Mapping[str, int]
    """Folded pair → how often it is written capitalised ("Quảng Nam" → ``quang_nam``)."""
    common: Mapping[str, int]
    """Folded pair → how often it is written in lower case."""

    @classmethod
    def of(cls, texts: Iterable[str]) -> NameCounts:
        """Count the capitalised and lower-case word pairs and the acronyms of *texts*.

        An acronym counts only when it is not also a Vietnamese syllable: "BAN" in an
        ALL-CAPS heading is a word, "PCI" or "UBND" cannot be one.
        """
        acronyms: set[str] = set()
        capitalised: Counter[str] = Counter()
        common: Counter[str] = Counter()
        for text in texts:
            for acronym in _ACRONYM.findall(text):
                if not is_syllable(acronym):
                    acronyms.add(fold(acronym.lower()))
            previous: re.Match[str] | None = None
            for match in _WORD_RUN.finditer(text):
                if previous is not None and text[previous.end() : match.start()].isspace():
                    first, second = previous.group(0), match.group(0)
                    if first[0].isupper() and second[0].isupper():
                        if not (first.isupper() and second.isupper()):  # an ALL-CAPS heading
                            capitalised[fold(f"{first}_{second}".lower())] += 1
                    elif first[0].islower() and second[0].islower():
                        common[fold(f"{first}_{second}")] += 1
                previous = match
        return cls(frozenset(acronyms), dict(capitalised), dict(common))


def name_pairs(counts: Iterable[NameCounts]) -> frozenset[str]:
    """Folded bigrams of capitalised word pairs and folded acronyms: the names the
    documents of *counts* write, so a question typed without capitals or diacritics can
    be read for them. Decided on the documents' counts together, so the same documents
    give the same names however the index groups them.
    """
    counts = list(counts)
    out: set[str] = set().union(*(c.acronyms for c in counts))
    capitalised: Counter[str] = Counter()
    for c in counts:
        capitalised.update(c.capitalised)
    # A pair written in lower case as often as capitalised is words, not a name:
    # "Quyết định" opening a sentence is "quyết định" everywhere else, and "văn bản có"
    # outweighs one "Bản Có"; "Ban Quản lý" stays a name though "ban quản lý" occurs.
    for pair, n in capitalised.items():
        if n > sum(c.common.get(pair, 0) for c in counts):
            out.add(pair)
    return frozenset(out)


def proper_name_pairs(texts: Iterable[str]) -> frozenset[str]:
    """The names *texts* write (:func:`name_pairs` of one document's counts)."""
    return name_pairs([NameCounts.of(texts)])


def reading_order(chunks: Iterable[Document]) -> list[Document]:
    """One document's chunks in reading order (by ``chunk_index``)."""
    return sorted(chunks, key=lambda c: int(c.metadata.get("chunk_index", 0) or 0))


def dimensions_of(meta: Mapping[str, Any]) -> frozenset[int]:
    """The PAPI dimensions a chunk's metadata names (``"1,4"``)."""
    raw = str(meta.get("dimensions", "") or "")
    return frozenset(int(x) for x in raw.split(",") if x.strip().isdigit())


COMPACT_SEGMENTS = 12
"""Segments after which a change merges them all into one (query cost grows with them)."""
COMPACT_DEAD_SHARE = 0.3
"""Share of dead rows (replaced or removed documents) after which a change compacts."""


@dataclass(frozen=True, eq=False)
class Segment:
    """Everything derived from some documents' chunks, computed once (tokenised once).

    A document changed since the last compaction has a segment of its own; the rest
    share one compacted segment. Rows run in document-id order, then reading order.
    """

    chunks: tuple[Document, ...]
    documents: tuple[str, ...]
    lexical: LexicalSegment
    spellings: Spellings
    chunk_terms: tuple[frozenset[str], ...]
    heading_terms: tuple[frozenset[str], ...]
    dimensions: tuple[frozenset[int], ...]
    addressed: tuple[frozenset[int], ...] = ()
    """Per row, the PAPI dimensions its text addresses (the dimension map's evidence)."""
    name_counts: tuple[tuple[str, NameCounts], ...] = ()
    """(document id, its evidence for names); the snapshot decides over the live ones."""
    amends: tuple[tuple[str, str], ...] = ()
    """(document id, number of the document it amends), see :func:`amended_numbers`."""
    repeals: tuple[tuple[str, str, str], ...] = ()
    """(document id, number, part) of what it ends, see :func:`repealed_parts`."""
    sectors: tuple[tuple[str, str, frozenset[str]], ...] = ()
    """(document id, circular number, its issuer's word pairs) of the circulars confined
    to their issuer's field, see :func:`circular_sectors`."""

    @classmethod
    def build(cls, documents: Mapping[str, Iterable[Document]]) -> Segment:
        """Tokenise the chunks of *documents* (id → chunks) for every consumer at once."""
        ordered: list[Document] = []
        for doc_id in sorted(documents):
            ordered.extend(reading_order(documents[doc_id]))
        texts = [lexical_text(c) for c in ordered]
        counts = [Counter(terms(t)) for t in texts]
        return cls(
            chunks=tuple(ordered),
            documents=tuple(str(c.metadata.get("document_id", "")) for c in ordered),
            lexical=LexicalSegment(counts),
            spellings=Spellings(texts),
            chunk_terms=tuple(frozenset(c) for c in counts),
            heading_terms=tuple(term_set(innermost_heading(c.metadata)) for c in ordered),
            dimensions=tuple(dimensions_of(c.metadata) for c in ordered),
            addressed=tuple(frozenset(addressed_dimensions(c)) for c in ordered),
            name_counts=tuple(
                (doc_id, NameCounts.of(c.page_content for c in documents[doc_id]))
                for doc_id in sorted(documents)
            ),
            amends=tuple(
                (doc_id, number)
                for doc_id in sorted(documents)
                for number in amended_numbers(c.page_content for c in documents[doc_id])
            ),
            repeals=tuple(
                (doc_id, number, part)
                for doc_id in sorted(documents)
                for number, part in repealed_parts(c.page_content for c in documents[doc_id])
            ),
            sectors=tuple(
                (doc_id, number, pairs)
                for doc_id in sorted(documents)
                for number, pairs in circular_sectors(c.page_content for c in documents[doc_id])
            ),
        )


class Snapshot:
    """The manifest, live chunks and derived indexes of one index version (immutable).

    *segments* may hold rows of document versions that are no longer live (replaced or
    removed since the segment was built); *live* names the segment that holds each
    live document's rows, and every other row is masked out. BM25 document frequencies
    still count dead rows until the next compaction (a small, bounded bias; lengths are
    exact).
    """

    def __init__(
        self,
        token: str,
        entries: Mapping[str, ManifestEntry],
        segments: Sequence[Segment],
        live: Mapping[str, int],
    ) -> None:
        self.token = token
        self.entries: dict[str, ManifestEntry] = {d: entries[d] for d in sorted(entries)}
        self.segments = tuple(segments)
        self.live = dict(live)
        row_ids: list[str] = []
        alive: list[bool] = []
        row_docs: list[str] = []
        row_dims: list[frozenset[int]] = []
        rows_of: dict[str, list[int]] = {}
        self.tagged: dict[int, set[str]] = {}
        """Dimension → live documents with passages whose headings name it."""
        for index, segment in enumerate(self.segments):
            for chunk, doc_id, dims in zip(
                segment.chunks, segment.documents, segment.dimensions, strict=True
            ):
                is_live = self.live.get(doc_id) == index and doc_id in self.entries
                if is_live:
                    rows_of.setdefault(doc_id, []).append(len(row_ids))
                    for dim in dims:
                        self.tagged.setdefault(dim, set()).add(doc_id)
                row_ids.append(chunk.id or "")
                alive.append(is_live)
                row_docs.append(doc_id)
                row_dims.append(dims)
        self._row_ids = row_ids
        self._alive = np.asarray(alive, dtype=bool)
        self._row_doc = np.asarray(row_docs, dtype=object)
        self._row_dims = row_dims
        self.order: list[str] = []
        self.chunks: dict[str, Document] = {}
        self.chunk_terms: dict[str, frozenset[str]] = {}
        self.heading_terms: dict[str, frozenset[str]] = {}
        self.addressed: dict[str, frozenset[int]] = {}
        """Live chunk id -> the PAPI dimensions its text addresses."""
        self.sections: dict[tuple[str, str], list[str]] = {}
        self._rows: dict[str, int] = {}
        offsets = np.zeros(len(self.segments) + 1, dtype=np.int64)
        np.cumsum([len(s.chunks) for s in self.segments], out=offsets[1:])
        for doc_id in self.entries:
            if doc_id not in self.live:
                continue
            index = self.live[doc_id]
            segment = self.segments[index]
            for row in rows_of.get(doc_id, []):
                local = row - int(offsets[index])
                chunk = segment.chunks[local]
                cid = chunk.id or ""
                self.order.append(cid)
                self.chunks[cid] = chunk
                self.chunk_terms[cid] = segment.chunk_terms[local]
                self.heading_terms[cid] = segment.heading_terms[local]
                self.addressed[cid] = segment.addressed[local]
                self.sections.setdefault(
                    (doc_id, str(chunk.metadata.get("section", ""))), []
                ).append(cid)
                self._rows[cid] = row
        self.position = {cid: i for i, cid in enumerate(self.order)}
        self.bm25 = BM25([s.lexical for s in self.segments], live=self._alive)
        self.restorer = DiacriticRestorer([s.spellings for s in self.segments])
        self.names = name_pairs(
            counts
            for index, segment in enumerate(self.segments)
            for doc_id, counts in segment.name_counts
            if self.live.get(doc_id) == index and doc_id in self.entries
        )
        self.amended_by: dict[str, list[str]] = {}
        """Number of an amended document (folded, lower case) → ids of the live documents
        that amend it."""
        self.repealed: dict[str, list[tuple[str, str]]] = {}
        """Number of a document (folded, lower case) → (part, id of the live document that
        ends it); part "" is the whole document, else "chuong 5", "dieu 12"…"""
        self.sectors: dict[str, frozenset[str]] = {}
        """Number of a circular confined to its issuer's field → the issuer's word pairs
        ("30/2015/tt-bca" → {"cong_an"})."""
        for index, segment in enumerate(self.segments):
            for doc_id, number, pairs in segment.sectors:
                if self.live.get(doc_id) == index and doc_id in self.entries:
                    self.sectors[number] = self.sectors.get(number, frozenset()) | pairs
            for doc_id, number in segment.amends:
                if self.live.get(doc_id) == index and doc_id in self.entries:
                    self.amended_by.setdefault(number, []).append(doc_id)
            for doc_id, number, part in segment.repeals:
                if self.live.get(doc_id) == index and doc_id in self.entries:
                    self.repealed.setdefault(number, []).append((part, doc_id))

    @classmethod
    def build(
        cls,
        token: str,
        entries: Mapping[str, ManifestEntry],
        chunks: Mapping[str, Iterable[Document]],
    ) -> Snapshot:
        """A snapshot of *entries* whose passages are *chunks* (document id → chunks)."""
        if not chunks:
            return cls(token, entries, (), {})
        segment = Segment.build(chunks)
        return cls(token, entries, (segment,), {d: 0 for d in chunks})

    @classmethod
    def empty(cls) -> Snapshot:
        """The snapshot of an empty index."""
        return cls("", {}, (), {})

    @property
    def n(self) -> int:
        """Number of live chunks."""
        return len(self.order)

    @property
    def dead_share(self) -> float:
        """Share of segment rows that belong to no live document version."""
        return 1.0 - float(self._alive.mean()) if len(self._alive) else 0.0

    def df(self, term: str) -> int:
        """In how many live chunks *term* occurs (rows of replaced versions do not count)."""
        return self.bm25.df(term)

    def evolve(
        self,
        token: str,
        entries: Mapping[str, ManifestEntry],
        chunks: Mapping[str, Sequence[Document]] | None = None,
    ) -> Snapshot:
        """The next snapshot: the complete new *entries*, with new passages for the
        documents in *chunks* (their new version); other documents keep their rows.

        Only the changed documents are tokenised, except when segments or dead rows
        have piled up: then every live document is merged into one segment.
        """
        chunks = dict(chunks or {})
        # A document published again with the very passages it is served with (staged
        # lexically while embedding, then stored) keeps its rows: rebuilding them would
        # leave dead rows behind, and an index that differs from the one a restart loads.
        for doc_id in [d for d in chunks if d in self.live]:
            ordered = reading_order(chunks[doc_id])
            if [c.id for c in ordered] == [c.id for c in self.chunks_of([doc_id])]:
                del chunks[doc_id]
        live = {d: i for d, i in self.live.items() if d in entries and d not in chunks}
        if not chunks:
            return Snapshot(token, entries, self.segments, live)
        segments = [*self.segments, Segment.build(chunks)]
        live.update({d: len(segments) - 1 for d in chunks})
        candidate = Snapshot(token, entries, segments, live)
        if len(segments) > COMPACT_SEGMENTS or candidate.dead_share > COMPACT_DEAD_SHARE:
            return Snapshot.build(
                token, entries, {d: candidate.chunks_of([d]) for d in candidate.live}
            )
        return candidate

    # -- filtering ----------------------------------------------------------------------

    def _row_mask(self, filters: SearchFilters) -> np.ndarray | None:
        if not filters.documents and not filters.dimensions:
            return None
        keep = np.ones(len(self._row_ids), dtype=bool)
        if filters.documents:
            keep &= np.isin(self._row_doc, list(filters.documents))
        if filters.dimensions:
            wanted = set(filters.dimensions)
            tagged = np.array([bool(d & wanted) for d in self._row_dims], dtype=bool)
            if filters.dimension_documents:
                tagged |= np.isin(self._row_doc, list(filters.dimension_documents))
            keep &= tagged
        return keep

    def allows(self, chunk_id: str, filters: SearchFilters) -> bool:
        """True when *chunk_id* is live in this snapshot and inside *filters*."""
        if chunk_id not in self.chunks:
            return False
        meta = self.chunks[chunk_id].metadata
        if filters.documents and str(meta.get("document_id", "")) not in filters.documents:
            return False
        if not filters.dimensions or bool(dimensions_of(meta) & set(filters.dimensions)):
            return True
        return str(meta.get("document_id", "")) in filters.dimension_documents

    def lexical_top(self, query: str, n: int, filters: SearchFilters) -> list[tuple[str, float]]:
        """The *n* best BM25 (chunk id, score) pairs within *filters*."""
        indices: Sequence[int] | None = None
        if filters.documents:
            indices = sorted({self.live[d] for d in filters.documents if d in self.live})
        ranked = self.bm25.top(query, n, self._row_mask(filters), indices)
        return [(self._row_ids[row], score) for row, score in ranked]

    def chunks_of(self, document_ids: Iterable[str] | None = None) -> list[Document]:
        """Live chunks in document order, optionally only of some documents."""
        if document_ids is None:
            return [self.chunks[cid] for cid in self.order]
        wanted = set(document_ids)
        return [
            self.chunks[cid]
            for cid in self.order
            if str(self.chunks[cid].metadata.get("document_id", "")) in wanted
        ]
