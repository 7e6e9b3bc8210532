"""The hybrid search as a LangChain ``BaseRetriever``, for chains and tools built on LangChain."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.index import Index, SearchFilters


class HybridRetriever(BaseRetriever):
    """Dense (Chroma) + BM25 over folded Vietnamese, fused by reciprocal rank.

    Returns the stored passages as ``Document`` objects whose metadata carries the chunk's
    metadata plus ``rank``, ``score``, ``dense_score`` and ``lexical_score``.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Index
    k: int = 5
    filters: SearchFilters = SearchFilters()

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        documents = []
        for hit in self.index.search(query, self.k, self.filters):
            meta: dict[str, Any] = {
                **hit.metadata,
                "rank": hit.rank,
                "score": hit.score,
                "dense_score": hit.dense_score,
                "lexical_score": hit.lexical_score,
            }
            documents.append(Document(id=hit.chunk_id, page_content=hit.text, metadata=meta))
        return documents
