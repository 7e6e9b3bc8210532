"""Evaluation on the library sets and the tune/held-out split (eval/README.md).

Sets (JSONL in ``eval/``), each record with ``split`` = ``"tune"`` or ``"heldout"``:

* ``library_questions.jsonl`` — answerable questions over corpus/library; gold is a
  document and an article (``document_id`` + ``section_ref`` as ingest produces it;
  ``alternatives`` lists the same article in another shipped document, e.g. a law and
  its pháp điển copy) and a short ``fact`` substring of the gold passage;
* ``unanswerable.jsonl`` — in-domain questions the documents cannot answer;
* ``partial.jsonl`` — questions the documents answer only in part (``missing``: what
  is asked and not in them).

Metrics, reported per split and per variant (as written / folded to ASCII):

* library retrieval: R@1/3/5 and MRR@10 where a hit counts when it is from a gold
  document and its ``section_ref`` names the gold article (:func:`article_key`);
* answers on library questions: ``grounded_gold`` = grounded and citing a gold
  passage (gold document, gold article); ``hedged`` = share of those answers that
  also say they are partial; ``false_refusals`` listed;
* unanswerable and partial: ``honest`` = refused (not grounded) or the gap stated
  (``partial`` true or ``missing`` non-empty on the Answer, where the answerer sets
  them); the confident, cited rest are listed as ``false_answers``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from evaluation.retrieval import Scores
from vntext.normalize import fold

SPLITS = ("tune", "heldout")

_ARTICLE_HEAD = re.compile(r"^Điều (\d+[a-z]?)\b")
# What may follow "Điều N" before the instrument: "khoản 2, 3", "điểm a".
_SUBDIVISION = re.compile(r"^(?:(?:khoản|điểm)\s+[\w]+(?:,\s*[\w]+)*\s*)+")


def split_for(record_id: str) -> str:
    """The split of a record, fixed before any tuning: parity of sha256(id).

    ``"tune"`` when the SHA-256 of the UTF-8 id, read as a hex number, is even,
    ``"heldout"`` when it is odd.
    """
    digest = hashlib.sha256(record_id.encode("utf-8")).hexdigest()
    return "tune" if int(digest, 16) % 2 == 0 else "heldout"


def article_key(section_ref: str) -> str:
    """The article a ``section_ref`` names: "Điều 15 khoản 2" -> "Điều 15";
    "Điều 10 khoản 2, 3 Nghị định số 130/2020/NĐ-CP" -> "Điều 10 Nghị định số 130/2020/NĐ-CP".
    Refs that are not articles (table rows "A.III.1", plan sections "II.4") are their own key.
    """
    ref = " ".join(section_ref.split())
    match = _ARTICLE_HEAD.match(ref)
    if match is None:
        return ref
    rest = _SUBDIVISION.sub("", ref[match.end() :].strip())
    return f"Điều {match.group(1)}" + (f" {rest}" if rest else "")


def gold_articles(record: Mapping[str, Any]) -> set[tuple[str, str]]:
    """(document_id, article key) pairs that answer a library question."""
    pairs = {(record["document_id"], article_key(record["section_ref"]))}
    for alt in record.get("alternatives", ()):
        pairs.add((alt["document_id"], article_key(alt["section_ref"])))
    return pairs


def is_gold(record: Mapping[str, Any], document_id: str, section_ref: str) -> bool:
    """True when a passage (document, section_ref) is from a gold article of *record*."""
    return (document_id, article_key(section_ref)) in gold_articles(record)


def load_set(path: Path) -> list[dict[str, Any]]:
    """Read a JSONL evaluation set (one object per non-empty line)."""
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def by_split(records: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """Records grouped by their ``split`` field (records without one use :func:`split_for`)."""
    groups: dict[str, list[Mapping[str, Any]]] = {s: [] for s in SPLITS}
    for record in records:
        groups.setdefault(record.get("split") or split_for(record["id"]), []).append(record)
    return groups


def _variants(text: str) -> dict[str, str]:
    return {"accented": text, "unaccented": fold(text)}


RetrieveRefs = Callable[[str, int], Sequence[tuple[str, str]]]
"""(query, k) -> ranked (document_id, section_ref) pairs."""


def score_library_retrieval(
    records: Sequence[Mapping[str, Any]], retrieve: RetrieveRefs
) -> dict[str, Any]:
    """R@k / MRR@10 on the gold article, per split × variant and per split."""
    report: dict[str, Any] = {}
    for split, group in by_split(records).items():
        scores: dict[str, Scores] = {}
        misses = []
        for record in group:
            for kind, text in _variants(record["question"]).items():
                ranked = retrieve(text, 10)
                rank = next(
                    (i for i, (doc, ref) in enumerate(ranked, 1) if is_gold(record, doc, ref)),
                    None,
                )
                for key in ("all", kind):
                    scores.setdefault(key, Scores()).add(rank)
                if rank is None or rank > 5:
                    misses.append({"id": record["id"], "kind": kind})
        report[split] = {k: v.as_dict() for k, v in sorted(scores.items())}
        report[split]["misses@5"] = misses
    return report


def states_gap(answer: Any) -> bool:
    """The answer says the documents do not give (all of) what was asked.

    Uses the Answer's ``partial`` / ``missing`` fields when the answerer provides them.
    """
    return bool(getattr(answer, "partial", False)) or bool(getattr(answer, "missing", None))


def score_library_answers(
    assistant: Any, records: Sequence[Mapping[str, Any]], chunk_refs: Mapping[str, tuple[str, str]]
) -> dict[str, Any]:
    """Grounded-and-citing-gold share, hedged share and false refusals, per split.

    *chunk_refs* maps a chunk id to its (document_id, section_ref).
    """
    report: dict[str, Any] = {}
    for split, group in by_split(records).items():
        asked = grounded = gold = hedged = 0
        false_refusals: list[dict[str, str]] = []
        wrong_citations: list[dict[str, Any]] = []
        for record in group:
            for kind, text in _variants(record["question"]).items():
                answer = assistant.ask(text)
                asked += 1
                if not answer.grounded:
                    false_refusals.append({"id": record["id"], "kind": kind})
                    continue
                grounded += 1
                hedged += int(states_gap(answer))
                cited = [chunk_refs.get(c.chunk_id, (c.document_id, "")) for c in answer.citations]
                if any(is_gold(record, doc, ref) for doc, ref in cited):
                    gold += 1
                else:
                    wrong_citations.append({"id": record["id"], "kind": kind, "cited": cited[:3]})
        report[split] = {
            "questions": asked,
            "grounded": _ratio(grounded, asked),
            "grounded_gold": _ratio(gold, asked),
            "hedged": _ratio(hedged, grounded),
            "false_refusals": false_refusals,
            "not_citing_gold": wrong_citations,
        }
    return report


def score_honesty(assistant: Any, records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Unanswerable / partial questions: share handled honestly (refused or gap stated)."""
    report: dict[str, Any] = {}
    for split, group in by_split(records).items():
        asked = refused = gap = 0
        false_answers: list[dict[str, Any]] = []
        for record in group:
            for kind, text in _variants(record["question"]).items():
                answer = assistant.ask(text)
                asked += 1
                if not answer.grounded:
                    refused += 1
                elif states_gap(answer):
                    gap += 1
                else:
                    false_answers.append(
                        {
                            "id": record["id"],
                            "kind": kind,
                            "cited": [c.document_id for c in answer.citations[:3]],
                        }
                    )
        report[split] = {
            "questions": asked,
            "honest": _ratio(refused + gap, asked),
            "refused": _ratio(refused, asked),
            "gap_stated": _ratio(gap, asked),
            "false_answers": false_answers,
        }
    return report


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 1.0


def score_alqac_answers(
    folder: Path,
    embeddings: Any,
    workdir: Path,
    subset: str = "queries_admin_subset.jsonl",
    limit: int | None = None,
    retrieval: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """ALQAC through ``ask``: the share of questions whose answer cites a gold article.

    The laws are indexed through the product chunker (:func:`evaluation.retrieval.
    alqac_documents`, in ``workdir/alqac-index``, shared with the retrieval figures); a
    citation counts when its document is the gold law and its section names the gold
    article. Split by :func:`split_for` on the query id like every set. *limit* keeps
    the first N queries (a quick check); *retrieval* overrides the retrieval settings.
    """
    from assistant.core.composition import build_assistant
    from assistant.core.settings import Settings
    from evaluation.retrieval import alqac_documents, load_alqac

    passages, queries = load_alqac(folder, subset)
    queries = queries[:limit] if limit else queries
    parsed = alqac_documents(passages)
    law_of = {p.info.id: p.info.title for p in parsed}
    assistant = build_assistant(Settings(data_dir=workdir / "alqac-index"), embeddings=embeddings)
    assistant.ingest_parsed(parsed)  # unchanged after the retrieval run: nothing embedded
    ref_of = {c.id or "": c.metadata.get("section_ref", "") for c in assistant.chunks()}
    report: dict[str, Any] = {"subset": subset}
    groups: dict[str, list[tuple[str, str, set[str]]]] = {s: [] for s in SPLITS}
    for query in queries:
        groups[split_for(query[0])].append(query)
    for split, group in groups.items():
        cited_gold = refused = 0
        misses: list[str] = []
        for qid, text, gold in group:
            answer = assistant.ask(text)
            if not answer.grounded:
                refused += 1
                misses.append(qid)
                continue
            articles = set()
            for c in answer.citations:
                match = _ARTICLE_HEAD.match(ref_of.get(c.chunk_id, "") or c.section)
                if match:
                    articles.add(f"{law_of.get(c.document_id, c.title)}|{match.group(1)}")
            if articles & gold:
                cited_gold += 1
            else:
                misses.append(qid)
        report[split] = {
            "questions": len(group),
            "cites_gold_article": _ratio(cited_gold, len(group)),
            "refused": _ratio(refused, len(group)),
            "misses": misses,
        }
    return report
