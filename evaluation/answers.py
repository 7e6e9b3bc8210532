"""Answer evaluation: facts in the answer, citation precision, refusals, latency.

``score_answers(assistant, questions, out_of_scope)`` asks every plan question twice
(as written and folded to ASCII, like :func:`evaluation.retrieval.variants`) and every
out-of-scope question twice, and reports:

* ``answered`` / ``false_refusals`` — in-scope questions refused (target: none);
* ``grounded_gold`` — share of questions answered with at least one citation of a gold
  passage (the issue's "grounded and citing the gold passage", target ≥ 0.9), and
  ``hedged`` — share of the answers that also state a gap (target ≤ 0.05);
* ``facts`` — expected facts (``"facts"`` in eval/plan_questions.jsonl: short verbatim
  strings such as "15 tháng 12 năm 2023") found in the answer text (target: all);
* ``citation_precision`` — share of citations whose stored passage is from the gold
  document and contains a gold phrase, i.e. the citation quotes the gold passage
  (target ≥ 0.9); ``quote_in_gold`` is the stricter share whose quote itself contains
  a gold phrase;
* ``quotes_verbatim`` — share of citations whose quote is a substring of the stored
  passage (must be 1.0);
* ``refusal`` — precision and recall of refusing, with the out-of-scope questions as
  the positive class (targets: recall 1.0, no in-scope refusal);
* ``latency_ms`` — p50/p95 of ``Assistant.ask`` over every question asked, after one
  warm-up question (model load, index snapshot).
"""

from __future__ import annotations

import json
import statistics
import time
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from vntext.normalize import fold


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read a JSONL file of question objects."""
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def score_answers(
    assistant: Any,
    questions: Sequence[Any],
    out_of_scope: Sequence[Any],
) -> dict[str, Any]:
    """Answer metrics over *questions* (with gold and facts) and *out_of_scope* questions.

    Questions may be mappings (JSONL rows) or objects with the same attributes
    (``id``, ``question``, ``document``, ``gold``, optional ``facts``).
    """
    chunk_text = {c.id: c.page_content for c in assistant.chunks()}
    latencies: list[float] = []
    if questions:  # warm up (model load, index snapshot) outside the timings
        assistant.ask(_get(questions[0], "question"))
    answered = 0
    asked = 0
    false_refusals: list[dict[str, str]] = []
    facts_total = facts_found = 0
    missing_facts: list[dict[str, Any]] = []
    citations = precise = quote_gold = verbatim = 0
    grounded_gold = hedged = 0
    imprecise: list[dict[str, Any]] = []
    for q in questions:
        qid, text = _get(q, "id"), _get(q, "question")
        gold_doc = _get(q, "document")
        gold = [_nfc(g) for g in _get(q, "gold", ())]
        facts = [_nfc(f) for f in _get(q, "facts", ()) or ()]
        for kind, variant in _variants(text).items():
            answer = _timed_ask(assistant, variant, latencies)
            asked += 1
            if not answer.grounded:
                false_refusals.append({"id": qid, "kind": kind, "question": variant})
                facts_total += len(facts)
                if facts:
                    missing_facts.append({"id": qid, "kind": kind, "missing": facts})
                continue
            answered += 1
            body = _nfc(answer.answer)
            missing = [f for f in facts if f not in body]
            facts_total += len(facts)
            facts_found += len(facts) - len(missing)
            if missing:
                missing_facts.append({"id": qid, "kind": kind, "missing": missing})
            cites_gold = False
            for c in answer.citations:
                citations += 1
                stored = chunk_text.get(c.chunk_id, "")
                verbatim += int(bool(c.quote) and c.quote in stored)
                good = c.document_id == gold_doc and any(g in stored for g in gold)
                precise += int(good)
                cites_gold = cites_gold or good
                quote_gold += int(c.document_id == gold_doc and any(g in c.quote for g in gold))
                if not good:
                    imprecise.append({"id": qid, "kind": kind, "n": c.n, "section": c.section})
            grounded_gold += int(cites_gold)
            hedged += int(bool(answer.partial or answer.missing))
    refused_oos = 0
    false_answers: list[dict[str, str]] = []
    oos_asked = 0
    for q in out_of_scope:
        qid, text = _get(q, "id"), _get(q, "question")
        for kind, variant in _variants(text).items():
            answer = _timed_ask(assistant, variant, latencies)
            oos_asked += 1
            if answer.grounded:
                false_answers.append({"id": qid, "kind": kind, "question": variant})
            else:
                refused_oos += 1
    refused_total = refused_oos + len(false_refusals)
    return {
        "questions": asked,
        "answered": answered,
        "false_refusals": false_refusals,
        "facts": {
            "expected": facts_total,
            "found": facts_found,
            "recall": _ratio(facts_found, facts_total),
            "missing": missing_facts,
        },
        "grounded_gold": _ratio(grounded_gold, asked),
        "hedged": _ratio(hedged, answered),
        "citations": citations,
        "citation_precision": _ratio(precise, citations),
        "quote_in_gold": _ratio(quote_gold, citations),
        "quotes_verbatim": _ratio(verbatim, citations),
        "imprecise_citations": imprecise,
        "out_of_scope": oos_asked,
        "false_answers": false_answers,
        "refusal": {
            "precision": _ratio(refused_oos, refused_total),
            "recall": _ratio(refused_oos, oos_asked),
        },
        "latency_ms": _latency(latencies),
    }


def _timed_ask(assistant: Any, question: str, latencies: list[float]) -> Any:
    start = time.perf_counter()
    answer = assistant.ask(question)
    latencies.append((time.perf_counter() - start) * 1000)
    return answer


def _variants(text: str) -> dict[str, str]:
    """As written and folded to ASCII (how many staff type), like evaluation.variants."""
    return {"accented": text, "unaccented": fold(text)}


def _get(q: Any, key: str, default: Any = "") -> Any:
    if isinstance(q, Mapping):
        return q.get(key, default)
    return getattr(q, key, default)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 1.0


def _latency(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"p50": round(statistics.median(ordered), 2), "p95": round(p95, 2), "n": len(values)}
