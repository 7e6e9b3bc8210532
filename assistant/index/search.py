"""Search requests and results, and the fusion of dense and lexical rankings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_core.documents import Document

from assistant.index.instruments import instrument_numbers, names_instrument

if TYPE_CHECKING:
    from assistant.storage import ManifestEntry

NAMED_ELSEWHERE_WEIGHT = 0.5
"""Fused score weight of a passage from another instrument than the ones the question
names: the named document's passage leads a near-tie, a far better match elsewhere
(the law a decree details) still shows."""


@dataclass(frozen=True)
class SearchFilters:
    """Restrict a search to some documents and/or PAPI dimensions."""

    documents: tuple[str, ...] = ()
    dimensions: tuple[int, ...] = ()
    dimension_documents: tuple[str, ...] = ()
    """Documents that govern the wanted *dimensions* as a whole (the dimension map): their
    passages match a dimension filter even where no heading names the dimension."""

    @classmethod
    def of(cls, data: dict[str, Any] | SearchFilters | None) -> SearchFilters:
        """Build from an API/CLI dict such as ``{"documents": [...], "dimensions": [4]}``."""
        if data is None:
            return cls()
        if isinstance(data, SearchFilters):
            return data
        return cls(
            documents=tuple(str(d) for d in data.get("documents") or ()),
            dimensions=tuple(int(d) for d in data.get("dimensions") or ()),
        )


@dataclass(frozen=True)
class SearchHit:
    """One retrieved passage. ``text`` is exactly the stored passage shown to users."""

    rank: int
    score: float
    chunk_id: str
    text: str
    document_id: str
    title: str
    number: str
    section: str
    section_ref: str
    doc_type: str
    dense_score: float | None
    lexical_score: float | None
    metadata: dict[str, Any]

    @classmethod
    def from_chunk(
        cls,
        chunk: Document,
        rank: int,
        score: float,
        *,
        dense: float | None = None,
        lexical: float | None = None,
    ) -> SearchHit:
        """A hit for a stored chunk, its display fields read from the chunk's metadata."""
        meta = chunk.metadata
        return cls(
            rank=rank,
            score=score,
            chunk_id=chunk.id or "",
            text=chunk.page_content,
            document_id=str(meta.get("document_id", "")),
            title=str(meta.get("title", "")),
            number=str(meta.get("number", "")),
            section=str(meta.get("section", "")),
            section_ref=str(meta.get("section_ref", "")),
            doc_type=str(meta.get("doc_type", "")),
            dense_score=dense,
            lexical_score=lexical,
            metadata=dict(meta),
        )

    def as_dict(self) -> dict[str, Any]:
        """The public JSON shape of a hit."""
        return {
            "rank": self.rank,
            "score": round(self.score, 6),
            "text": self.text,
            "document_id": self.document_id,
            "title": self.title,
            "number": self.number,
            "section": self.section,
            "section_ref": self.section_ref,
        }


def fuse(
    rankings: list[tuple[float, list[tuple[str, float]]]], rrf_k: int, k: int
) -> list[tuple[str, float]]:
    """Weighted reciprocal rank fusion of (weight, ranking) pairs: the *k* best (id, score)."""
    fused: dict[str, float] = {}
    for weight, ranking in rankings:
        for rank, (cid, _) in enumerate(ranking):
            fused[cid] = fused.get(cid, 0.0) + weight / (rrf_k + rank + 1)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]


def fuse_convex(
    rankings: list[tuple[float, list[tuple[str, float]]]], k: int
) -> list[tuple[str, float]]:
    """Convex combination of min-max normalised scores: the *k* best (id, score).

    Each retriever's scores are scaled to [0, 1] over its own candidates (a passage it
    did not return counts 0), then weighted and summed. Unlike rank fusion this keeps
    *how far* a retriever's first passage leads: a BM25 hit that matches every word of
    the question is not overtaken by passages that both retrievers rank middling
    (Bruch, Gai & Ingber, "An Analysis of Fusion Functions for Hybrid Retrieval", ACM
    TOIS 2023, find the convex combination ahead of RRF once its weight is tuned).
    """
    fused: dict[str, float] = {}
    for weight, ranking in rankings:
        if weight <= 0 or not ranking:
            continue
        scores = [score for _, score in ranking]
        low, high = min(scores), max(scores)
        span = high - low
        for cid, score in ranking:
            scaled = (score - low) / span if span > 0 else 1.0
            fused[cid] = fused.get(cid, 0.0) + weight * scaled
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]


def merge_ranking(
    first: Sequence[tuple[str, float]], second: Sequence[tuple[str, float]]
) -> list[tuple[str, float]]:
    """Two rankings of the same scorer (BM25 over the whole snapshot and within some
    documents) as one, best score first, each passage once."""
    merged = dict(first)
    for cid, score in second:
        merged[cid] = max(score, merged.get(cid, score))
    return sorted(merged.items(), key=lambda item: (-item[1], item[0]))


def prefer_named(
    ordered: Sequence[tuple[str, float]],
    chunks: Mapping[str, Document],
    named: Sequence[ManifestEntry],
    query: str,
) -> list[tuple[str, float]]:
    """*ordered* re-ranked so that passages of the *named* documents, or of the
    instruments the query names by number (a codified article of "Nghị định 48/2013"),
    keep their score and the others weigh :data:`NAMED_ELSEWHERE_WEIGHT`."""
    ids = tuple(e.id for e in named)
    numbers = instrument_numbers(query, named)
    weighted = [
        (cid, score)
        if names_instrument(chunks[cid].metadata, numbers, ids)
        else (cid, score * NAMED_ELSEWHERE_WEIGHT)
        for cid, score in ordered
    ]
    return sorted(weighted, key=lambda item: (-item[1], item[0]))


def chroma_where(filters: SearchFilters) -> dict[str, Any] | None:
    """The Chroma ``where`` clause for *filters* (None when nothing is filtered)."""
    clauses: list[dict[str, Any]] = []
    if filters.documents:
        clauses.append({"document_id": {"$in": list(filters.documents)}})
    if filters.dimensions:
        dims: list[dict[str, Any]] = [{f"dim_{d}": True} for d in filters.dimensions]
        if filters.dimension_documents:
            dims.append({"document_id": {"$in": list(filters.dimension_documents)}})
        clauses.append(dims[0] if len(dims) == 1 else {"$or": dims})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
