"""Retrieval evaluation: our own question set on the plan, a naive baseline, and ALQAC.

A hit counts as relevant when it comes from the gold document and its stored text
contains one of the gold phrases (verbatim substrings of the document). Gold by text
rather than by chunk id keeps the question set valid when the chunker changes, and
lets the baseline (fixed-size chunks) be scored by the same rule.

Every question is asked twice: as written (with diacritics) and folded to plain
ASCII, the way many staff type. The two must score within two points.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from vntext.normalize import fold

if TYPE_CHECKING:
    from assistant.core.settings import Settings

KS = (1, 3, 5)


@dataclass(frozen=True)
class Question:
    """One evaluation question with its gold evidence."""

    id: str
    question: str
    category: str
    document: str
    gold: tuple[str, ...]


@dataclass
class Scores:
    """Recall@k and MRR@10 over a group of questions."""

    n: int = 0
    hits: dict[int, int] = field(default_factory=lambda: dict.fromkeys(KS, 0))
    rr: float = 0.0

    def add(self, rank: int | None) -> None:
        """Record the rank (1-based) of the first relevant hit, or None."""
        self.n += 1
        if rank is None:
            return
        for k in KS:
            if rank <= k:
                self.hits[k] += 1
        if rank <= 10:
            self.rr += 1.0 / rank

    def as_dict(self) -> dict[str, float]:
        """Rounded figures for reports."""
        if not self.n:
            return {"n": 0}
        out: dict[str, float] = {"n": self.n}
        for k in KS:
            out[f"recall@{k}"] = round(self.hits[k] / self.n, 4)
        out["mrr"] = round(self.rr / self.n, 4)
        return out


def embeddings_for(settings: Settings) -> Embeddings:
    """The embedding model the product would use with *settings* (evaluated as shipped)."""
    from assistant.providers.embeddings import build_embeddings

    return build_embeddings(settings.embedding)


def load_questions(path: Path) -> list[Question]:
    """Read a JSONL question file."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            out.append(
                Question(d["id"], d["question"], d["category"], d["document"], tuple(d["gold"]))
            )
    return out


def variants(question: Question) -> dict[str, str]:
    """The question as written and folded to ASCII (typed without diacritics)."""
    return {"accented": question.question, "unaccented": fold(question.question)}


Retrieve = Callable[[str, int], Sequence[tuple[str, str]]]
"""(query, k) → ranked (document_id, text) pairs."""


def first_relevant(question: Question, ranked: Sequence[tuple[str, str]]) -> int | None:
    """1-based rank of the first hit from the gold document that contains a gold phrase."""
    for rank, (doc_id, text) in enumerate(ranked, start=1):
        if doc_id == question.document and any(g in text for g in question.gold):
            return rank
    return None


def score_system(questions: Sequence[Question], retrieve: Retrieve) -> dict[str, Any]:
    """Scores per variant (accented/unaccented), per category and overall, plus latency."""
    groups: dict[str, Scores] = {}
    latencies: list[float] = []
    misses: list[dict[str, str]] = []
    for q in questions:
        for kind, text in variants(q).items():
            start = time.perf_counter()
            ranked = retrieve(text, 10)
            latencies.append((time.perf_counter() - start) * 1000)
            rank = first_relevant(q, ranked)
            for key in ("all", kind, f"{kind}/{q.category}"):
                groups.setdefault(key, Scores()).add(rank)
            if rank is None or rank > 5:
                misses.append({"id": q.id, "kind": kind, "query": text})
    report: dict[str, Any] = {k: v.as_dict() for k, v in sorted(groups.items())}
    report["latency_ms"] = _latency(latencies)
    report["misses@5"] = misses
    return report


def _latency(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"p50": round(statistics.median(ordered), 2), "p95": round(p95, 2)}


def naive_baseline(documents: Sequence[tuple[str, str]], embeddings: Embeddings) -> Retrieve:
    """LangChain's RecursiveCharacterTextSplitter 1000/200 + dense only, in memory.

    *documents* are (document_id, full text) pairs. Built on an ephemeral Chroma
    collection so it shares nothing with the product's index.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    chunks: list[Document] = []
    for doc_id, text in documents:
        for piece in splitter.split_text(text):
            chunks.append(Document(page_content=piece, metadata={"document_id": doc_id}))
    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.create_collection(
        f"baseline_{time.time_ns()}",
        configuration={"hnsw": {"space": "cosine"}},
        embedding_function=None,
    )
    if chunks:
        collection.add(
            ids=[str(i) for i in range(len(chunks))],
            documents=[c.page_content for c in chunks],
            metadatas=[c.metadata for c in chunks],
            embeddings=np.array(
                embeddings.embed_documents([c.page_content for c in chunks]), dtype=np.float32
            ),
        )

    def retrieve(query: str, k: int) -> list[tuple[str, str]]:
        got = collection.query(
            query_embeddings=np.array([embeddings.embed_query(query)], dtype=np.float32),
            n_results=min(k, len(chunks)),
            include=["documents", "metadatas"],
        )
        return [
            (str(m["document_id"]), d)
            for d, m in zip(got["documents"][0], got["metadatas"][0], strict=True)  # type: ignore[index]
        ]

    return retrieve


def load_alqac(
    folder: Path, subset: str = "queries_admin_subset.jsonl"
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, set[str]]]]:
    """ALQAC in BEIR layout: (article id, law, text) passages and (qid, text, gold ids) queries."""
    passages = []
    for line in (folder / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            passages.append((d["_id"], d["law"], d["text"]))
    queries = []
    for line in (folder / subset).read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            queries.append((d["_id"], d["text"], set(d["gold"])))
    return passages, queries


def score_ranked_ids(
    queries: Sequence[tuple[str, str, set[str]]], retrieve_ids: Callable[[str, int], list[str]]
) -> dict[str, Any]:
    """Recall@k / MRR@10 where gold is a set of passage ids."""
    scores = Scores()
    latencies = []
    for _qid, text, gold in queries:
        start = time.perf_counter()
        ranked = retrieve_ids(text, 10)
        latencies.append((time.perf_counter() - start) * 1000)
        rank = next((i for i, pid in enumerate(ranked, start=1) if pid in gold), None)
        scores.add(rank)
    return {**scores.as_dict(), "latency_ms": _latency(latencies)}


def _system_retriever(assistant: Any) -> Retrieve:
    def retrieve(query: str, k: int) -> list[tuple[str, str]]:
        return [(h.document_id, h.text) for h in assistant.search(query, k)]

    return retrieve


def evaluate_plan(
    corpus_dir: Path,
    questions_path: Path,
    embeddings: Embeddings,
    workdir: Path,
    out_of_scope_path: Path | None = None,
) -> dict[str, Any]:
    """Our hybrid retrieval, its dense-only and BM25-only ablations, the naive baseline,
    and (with *out_of_scope_path*) the answer metrics of the default extractive answerer.
    """
    from assistant.core.composition import build_assistant
    from assistant.core.settings import Settings
    from evaluation.answers import load_jsonl, score_answers
    from ingest import discover, parse_file

    questions = load_questions(questions_path)
    report: dict[str, Any] = {"questions": len(questions)}
    variants_of_system = {
        "hybrid": {},
        "dense_only": {"lexical_weight": 0.0},
        "bm25_only": {"dense_weight": 0.0},
    }
    for name, retrieval in variants_of_system.items():
        settings = Settings(
            data_dir=workdir / "plan-index", corpus_dir=corpus_dir, retrieval=retrieval
        )
        assistant = build_assistant(settings, embeddings=embeddings)
        assistant.ingest()  # the first variant embeds; the others find everything unchanged
        report[name] = score_system(questions, _system_retriever(assistant))
        if name == "hybrid" and out_of_scope_path is not None:
            report["answers"] = score_answers(
                assistant, load_jsonl(questions_path), load_jsonl(out_of_scope_path)
            )
    documents = [(p.info.id, p.text) for p in (parse_file(f) for f in discover([corpus_dir]))]
    report["naive_baseline"] = score_system(questions, naive_baseline(documents, embeddings))
    return report


def evaluate_alqac(
    folder: Path, embeddings: Embeddings, workdir: Path, subset: str = "queries_admin_subset.jsonl"
) -> dict[str, Any]:
    """ALQAC through the product path: each law's articles are written out as "Điều N. …"
    and cut by our own chunker (khoản-sized chunks); a hit counts for its article, and an
    article's rank is that of its best chunk. Scored for hybrid, BM25 only and dense only.
    """
    from assistant.core.composition import build_assistant
    from assistant.core.settings import Settings

    passages, queries = load_alqac(folder, subset)
    parsed = alqac_documents(passages)
    law_of = {p.info.id: p.info.title for p in parsed}

    report: dict[str, Any] = {
        "subset": subset,
        "queries": len(queries),
        "articles": len(passages),
        "chunks": sum(len(p.chunks) for p in parsed),
    }
    for name, retrieval in {
        "hybrid": {},
        "bm25_only": {"dense_weight": 0.0},
        "dense_only": {"lexical_weight": 0.0},
    }.items():
        settings = Settings(data_dir=workdir / "alqac-index", retrieval=retrieval)
        assistant = build_assistant(settings, embeddings=embeddings)
        if name == "hybrid":
            start = time.perf_counter()
            assistant.ingest_parsed(parsed)
            report["ingest_seconds"] = round(time.perf_counter() - start, 1)

        def retrieve_ids(query: str, k: int, assistant: Any = assistant) -> list[str]:
            ranked: list[str] = []
            for hit in assistant.search(query, k * 4):
                match = _ARTICLE.search(hit.section_ref or hit.section)
                if match is None:
                    continue
                article = f"{law_of.get(hit.document_id, hit.title)}|{match.group(1)}"
                if article not in ranked:
                    ranked.append(article)
            return ranked[:k]

        report[name] = score_ranked_ids(queries, retrieve_ids)
    return report


def alqac_documents(passages: Sequence[tuple[str, str, str]]) -> list[Any]:
    """ALQAC passages as one parsed document per law: articles written out as "Điều N. …"
    and cut by our own chunker (the product path)."""
    from ingest import parse_bytes

    by_law: dict[str, list[tuple[str, str]]] = {}
    for pid, law, text in passages:
        by_law.setdefault(law, []).append((pid.split("|", 1)[1], text))
    parsed = []
    for law, articles in by_law.items():
        doc_id = re.sub(r"[^a-z0-9]+", "-", fold(law)).strip("-")
        body = "\n\n".join(f"Điều {number}. {text.strip()}" for number, text in articles)
        parsed.append(
            parse_bytes(
                f"{law}\n\n{body}\n".encode(),
                f"{doc_id}.txt",
                document_id=doc_id,
                overrides={"title": law, "doc_type": "Luật"},
            )
        )
    return parsed


_ARTICLE = re.compile(r"Điều (\d+)")
