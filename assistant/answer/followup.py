"""Deterministic condensation of follow-up questions, without a language model.

Staff ask in turns: "Đơn vị cần làm gì để kiểm soát tham nhũng?" then "còn mục 5 thì
sao?" or "hạn chót là khi nào?". :func:`condense` turns the last question into a
standalone one from the conversation history:

* a new section or PAPI dimension ("mục 5", "chỉ số 6", "phần III") keeps the previous
  question's intent and swaps its topic for that section's heading; "mục 5" after an
  answer from "mục II.4" means "mục II.5", while "chỉ số 6" is PAPI's sixth dimension
  (a section only where its heading names it), and a count asked of the old topic
  ("có bao nhiêu chỉ số?") is not carried to the new one;
* a question that names no topic of its own ("hạn chót là khi nào?", "ai chủ trì?",
  "việc đó căn cứ quyết định nào?") keeps the previous topic.

Earlier turns are condensed first, so chains ("còn mục 6?" after "còn mục 5?") work.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from assistant.answer.evidence import QueryTerms, folded_tokens
from ingest import DIMENSIONS
from vntext.normalize import fold

PAPI_DIMENSIONS = DIMENSIONS
"""The eight PAPI dimensions (chỉ số nội dung), official Vietnamese names."""

SectionLookup = Callable[[str, str], tuple[str, str] | None]
"""(section_ref, previous answer text) → (document_id, heading) of that section, if it exists."""

_SECTION_REF = re.compile(
    r"\b(muc|phan|chi so(?: noi dung)?|noi dung|tieu chi)\s+(?:so\s+|thu\s+)?"
    r"([ivx]+(?:\.\d+)*|\d+(?:\.\d+)*)\b"
)
_PREVIOUS_SECTION = re.compile(r"\(mục ([IVXLC\d.]+)(?: – ([^()]*))?\)")
_FOLLOWUP_START = ("con ", "vay con ", "the con ", "va con ", "con ve ", "nhung con ", "the thi ")
_FOLLOWUP_END = ("thi sao", "thi the nao", "thi sao a", "the nao", "ra sao")
_ANAPHORA = re.compile(r"\b(đó|này|ấy|trên|nó|kia)\b")
_DEADLINE_EXPANSION = "thời hạn trước ngày chậm nhất"


@dataclass(frozen=True)
class Condensed:
    """A question made standalone, with what retrieval should know about it."""

    question: str
    """The standalone question (what coverage is measured against)."""
    search_text: str
    """What is sent to retrieval (the question, plus expansions)."""
    followup: bool = False
    section_ref: str = ""
    """A section the follow-up points to, e.g. "II.5" (empty when none)."""
    document_id: str = ""
    """The document holding :attr:`section_ref`, when known."""
    heading: str = ""
    dimension: int | None = None
    own: QueryTerms | None = None
    """The terms of the follow-up itself, which the evidence must also cover."""
    intent: QueryTerms | None = None
    """The follow-up as asked, for the kind of fact it wants (deadline, basis…)."""


def standalone(question: str) -> Condensed:
    """A question taken as it is."""
    return Condensed(question=question, search_text=_expand(question, question))


def condense(
    question: str,
    history: Sequence[Mapping[str, str]] | None,
    lookup: SectionLookup | None = None,
) -> Condensed:
    """Make *question* standalone using *history* (``[{"role", "content"}]``, oldest first)."""
    state: Condensed | None = None
    answer = ""
    for turn in history or ():
        role = str(turn.get("role", ""))
        content = str(turn.get("content", "") or "").strip()
        if not content:
            continue
        if role == "user":
            state = _condense_one(content, state, answer, lookup)
            answer = ""
        elif role == "assistant":
            answer = content
    return _condense_one(question, state, answer, lookup)


def is_followup(question: str) -> bool:
    """True when *question* leans on the previous turn (no topic of its own, "còn …")."""
    folded = " ".join(folded_tokens(question))
    if folded.startswith(_FOLLOWUP_START) or folded == "con":
        return True
    if folded.endswith(_FOLLOWUP_END) and len(folded.split()) <= 8:
        return True
    terms = QueryTerms.of(question)
    if _SECTION_REF.search(folded) and len(terms.unigrams) <= 4:
        return True
    if len(terms.unigrams) <= 2:
        return True
    norm = question.lower()
    return bool(_ANAPHORA.search(norm)) and len(terms.unigrams) <= 4


def _condense_one(
    question: str, previous: Condensed | None, answer: str, lookup: SectionLookup | None
) -> Condensed:
    if previous is None or not is_followup(question):
        return standalone(question)
    folded = " ".join(folded_tokens(question))
    own = QueryTerms.of(question)
    old_ref, old_heading = _previous_section(answer, previous)
    ref_match = _SECTION_REF.search(folded)
    if ref_match:
        kind, raw = ref_match.group(1), ref_match.group(2)
        ref, document_id, heading, dimension = _resolve(kind, raw, old_ref, answer, lookup)
        if heading:
            intent = _drop_topic(previous.question, old_heading)
            tail = folded_tokens(intent)[-2:]
            if tail == ["bao", "nhieu"] or tail[-1:] == ["may"]:
                # "PAPI có bao nhiêu chỉ số?" then "còn chỉ số 6?": what was counted went
                # with the old topic; "có bao nhiêu cung ứng dịch vụ công" asks nothing.
                intent = ""
            topic = heading[:1].lower() + heading[1:] if intent else heading
            text = f"{intent} {topic}".strip()
            text = text if text.endswith("?") else f"{text}?"
            return Condensed(
                question=text,
                search_text=_expand(text, question),
                followup=True,
                section_ref=ref,
                document_id=document_id,
                heading=heading,
                dimension=dimension,
                own=None,
            )
    base = previous.question.rstrip(" ?.")
    text = f"{question.strip().rstrip(' ?.')} ({base})?"
    return Condensed(
        question=text,
        search_text=_expand(text, question),
        followup=True,
        section_ref=previous.section_ref,
        document_id=previous.document_id,
        heading=previous.heading,
        dimension=previous.dimension,
        own=own if own.unigrams else None,
        intent=own,
    )


def _resolve(
    kind: str, raw: str, old_ref: str, answer: str, lookup: SectionLookup | None
) -> tuple[str, str, str, int | None]:
    """(section_ref, document_id, heading, dimension) for "mục 5", "chỉ số 6", "mục II.5"."""
    raw_up = raw.upper()
    candidates: list[str] = []
    if "." in raw_up or kind == "phan":
        candidates.append(raw_up)
    elif old_ref:
        parts = old_ref.split(".")
        candidates.append(".".join([*parts[:-1], raw_up]) if len(parts) > 1 else raw_up)
        if len(parts) > 1:
            candidates.append(f"{old_ref}.{raw_up}")
    candidates.append(raw_up)
    dimension = int(raw) if raw.isdigit() and int(raw) in PAPI_DIMENSIONS else None
    # "chỉ số 6" names PAPI's sixth dimension, not the sixth section of whatever document
    # the previous answer quoted: a section counts only when its heading names it.
    named = (
        fold(PAPI_DIMENSIONS[dimension]).lower()
        if dimension is not None and kind.startswith(("chi so", "tieu chi"))
        else ""
    )
    if lookup is not None:
        for ref in dict.fromkeys(candidates):
            found = lookup(ref, answer)
            if found and named in fold(found[1]).lower():
                return ref, found[0], found[1], dimension
    if dimension is not None:
        return "", "", PAPI_DIMENSIONS[dimension], dimension
    return "", "", "", None


def _previous_section(answer: str, previous: Condensed) -> tuple[str, str]:
    """The section the previous answer quoted first, from its lead sentence."""
    match = _PREVIOUS_SECTION.search(answer or "")
    if match:
        return match.group(1), (match.group(2) or "").strip()
    return previous.section_ref, previous.heading


def _drop_topic(question: str, topic: str) -> str:
    """The previous question without the words of its topic (its section heading)."""
    if not topic:
        return _drop_content(question)
    topic_words = set(folded_tokens(topic))
    words = question.strip().rstrip(" ?.").split()
    kept = [w for w in words if not (set(folded_tokens(w)) & topic_words)]
    if len(kept) == len(words):
        return _drop_content(question)
    return " ".join(kept).strip(" ,;:")


def _drop_content(question: str) -> str:
    """Keep only the intent words of a question ("Đơn vị cần làm gì để …" → "cần làm gì")."""
    terms = set(QueryTerms.of(question).unigrams)
    words = question.strip().rstrip(" ?.").split()
    kept = [w for w in words if not (set(folded_tokens(w)) & terms)]
    return " ".join(kept).strip(" ,;:")


def _expand(text: str, original: str) -> str:
    """Retrieval text: deadline questions also look for how plans write deadlines."""
    terms = QueryTerms.of(original)
    if terms.wants_deadline:
        return f"{text} {_DEADLINE_EXPANSION}"
    return text


def fold_equal(a: str, b: str) -> bool:
    """Compare two strings ignoring case and diacritics."""
    return fold(a).strip() == fold(b).strip()
