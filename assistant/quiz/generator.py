"""Rule-based quiz generation: typed facts → templates → distractors → validation → balance.

No language model. The same seed and filters give the same quiz; item ids depend only
on the fact and template, so re-importing a regenerated quiz updates items instead of
duplicating them.
"""

from __future__ import annotations

import hashlib
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.documents import Document

from assistant.quiz import matching
from assistant.quiz.distractors import (
    DistractorBank,
    choose,
    choose_ordered,
    false_claim,
    feasible_positions,
)
from assistant.quiz.facts import Fact, extract_facts, strip_numbering
from assistant.quiz.model import (
    BLANK,
    ITEM_TYPES,
    LETTERS,
    TRUE_FALSE_OPTIONS,
    ItemType,
    Quiz,
    QuizItem,
    Source,
)
from assistant.quiz.validators import check_item, check_quiz, source_texts

GENERATOR = "rule:v1"
VAGUE_POOLS = frozenset({"term:regulation", "term:platform", "term:quality_system"})
"""Pools whose values swap into a sentence without making it clearly false."""
MAX_ITEMS = 500


# -- templates ----------------------------------------------------------------------------


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def mcq_stem(fact: Fact) -> str | None:
    """The multiple-choice question for *fact*, or None when its kind has no template."""
    doc, s = fact.document.name, fact.subject
    stems = {
        "dimension": f"Theo {doc}, nhiệm vụ “{s}” nhằm cải thiện chỉ số nội dung nào của PAPI?",
        "responsible_unit": f"Theo {doc}, nhiệm vụ “{s}” được giao cho ai?",
        "report_via": f"Theo {doc}, việc {s} được thực hiện qua đơn vị nào?",
        "report_to": f"Theo {doc}, kết quả thực hiện được tổng hợp để báo cáo cơ quan nào?",
        "deadline": f"Theo {doc}, thời hạn {s} là trước ngày nào?",
        "doc_ref": f"Theo {doc}, việc “{s}” được thực hiện theo quy định tại văn bản nào?",
        "doc_basis": f"{_cap(doc)} được ban hành để thực hiện văn bản nào?",
        "doc_date": f"Theo {doc}, {s} được ban hành ngày nào?",
        "standard": f"Theo {doc}, {s} được áp dụng theo tiêu chuẩn nào?",
        "dimension_name": f"Theo {doc}, chỉ số nội dung {s} của PAPI là chỉ số nào?",
        "dimension_english": (
            f"Theo {doc}, tên tiếng Anh chính thức của chỉ số nội dung “{s}” là gì?"
        ),
    }
    return stems.get(fact.kind)


def statement_stem(fact: Fact, claim: str) -> str | None:
    """The true/false question asserting *claim* for *fact*."""
    doc, s = fact.document.name, fact.subject
    stems = {
        "dimension": (
            f"Theo {doc}, nhiệm vụ “{s}” nhằm cải thiện chỉ số nội dung “{claim}” của PAPI, "
            "đúng hay sai?"
        ),
        "responsible_unit": f"Theo {doc}, nhiệm vụ “{s}” được giao cho {claim}, đúng hay sai?",
        "report_via": f"Theo {doc}, việc {s} được thực hiện qua {claim}, đúng hay sai?",
        "report_to": (
            f"Theo {doc}, kết quả thực hiện được tổng hợp để báo cáo {claim}, đúng hay sai?"
        ),
        "deadline": f"Theo {doc}, thời hạn {s} là trước ngày {claim}, đúng hay sai?",
        "doc_ref": (
            f"Theo {doc}, việc “{s}” được thực hiện theo quy định tại {claim}, đúng hay sai?"
        ),
        "doc_basis": f"{_cap(doc)} được ban hành để thực hiện {claim}, đúng hay sai?",
        "doc_date": f"Theo {doc}, {s} được ban hành ngày {claim}, đúng hay sai?",
        "standard": f"Theo {doc}, {s} được áp dụng theo tiêu chuẩn {claim}, đúng hay sai?",
        "dimension_name": (f"Theo {doc}, “{claim}” là chỉ số nội dung {s} của PAPI, đúng hay sai?"),
        "dimension_english": (
            f"Theo {doc}, tên tiếng Anh chính thức của chỉ số nội dung “{s}” là “{claim}”, "
            "đúng hay sai?"
        ),
    }
    if fact.kind in stems:
        return stems[fact.kind]
    if claim != fact.value and fact.pool in VAGUE_POOLS:
        return None  # "…trong công tác X" with another X may still be true: no false variant
    if not fact.cloze_ready or fact.quote.count(fact.span) != 1:
        return None
    sentence = _trim(context(fact.quote, fact.span).replace(fact.span, claim, 1))
    return f"Theo {doc}, nhận định sau đúng hay sai: “{sentence}”?"


def _trim(sentence: str) -> str:
    """A quoted sentence without its final stop ("./." closes Vietnamese documents),
    starting with a capital (a clause cut from a longer sentence may not)."""
    sentence = sentence.rstrip(" .;,/")
    if sentence[:1].islower() and sentence[1:2].isalpha():
        sentence = sentence[:1].upper() + sentence[1:]
    return sentence


MAX_CONTEXT_WORDS = 45
"""Longest quoted context around a blank or a substituted value."""


def context(quote: str, span: str, max_words: int = MAX_CONTEXT_WORDS) -> str:
    """The clauses of *quote* around *span* (verbatim, contiguous), at most ~*max_words*."""
    if len(quote.split()) <= max_words:
        return quote
    pieces = re.split(r"(?<=[,;:])\s+", quote)
    at = next((i for i, piece in enumerate(pieces) if span in piece), None)
    if at is None:
        return quote
    lo = hi = at
    size = len(pieces[at].split())
    while True:
        grown = False
        for nxt in (lo - 1, hi + 1):  # the subject usually comes first
            if 0 <= nxt < len(pieces) and size + len(pieces[nxt].split()) <= max_words:
                size += len(pieces[nxt].split())
                lo, hi = min(lo, nxt), max(hi, nxt)
                grown = True
        if not grown:
            break
    return " ".join(pieces[lo : hi + 1])


def cloze_stem(fact: Fact) -> str | None:
    """The fill-in-the-blank question for *fact* (its value blanked out of the quote)."""
    if not fact.cloze_ready or fact.quote.count(fact.span) != 1:
        return None
    masked = _trim(context(fact.quote, fact.span).replace(fact.span, BLANK, 1))
    if len(masked.split()) < 6:
        return None
    return (
        f"Theo {fact.document.name}, cần điền nội dung nào vào chỗ trống trong câu sau: “{masked}”?"
    )


def item_types(fact: Fact) -> list[ItemType]:
    """The item types *fact* can be asked as."""
    out: list[ItemType] = []
    if mcq_stem(fact) is not None:
        out.append("mcq")
    if statement_stem(fact, fact.value) is not None:
        out.append("true_false")
    if cloze_stem(fact) is not None:
        out.append("cloze")
    return out


# -- items --------------------------------------------------------------------------------


def item_id(fact: Fact, item_type: str, claim: str = "") -> str:
    """Stable id from the fact and the template (never from the option order)."""
    raw = "\x1f".join(
        [
            fact.document.id,
            fact.passage.section_ref or fact.passage.section,
            fact.kind,
            item_type,
            fact.value,
            claim,
            fact.quote,
        ]
    )
    return hashlib.sha1(raw.encode()).hexdigest()[:12]


def _where(fact: Fact) -> str:
    ref = fact.passage.section_ref
    head = strip_numbering(fact.passage.heading)
    parts = []
    if ref:
        parts.append(f"mục {ref}")
    if head:
        parts.append(f"“{head}”")
    location = " ".join(parts)
    return f"{location}, {fact.document.name}" if location else fact.document.name


def explanation(fact: Fact, label: str, correction: str = "") -> str:
    """'Đáp án B. Căn cứ: mục II.4 “…”, Kế hoạch …: “quote”'."""
    lead = f"Đáp án {label}"
    if correction:
        lead += f" (đúng là: {correction})"
    return f"{lead}. Căn cứ: {_where(fact)}: “{fact.quote}”"


def _source(fact: Fact) -> Source:
    p = fact.passage
    return Source(
        document_id=fact.document.id,
        document=fact.document.name,
        doc_type=fact.document.doc_type,
        number=fact.document.number,
        section=p.section,
        section_ref=p.section_ref,
        heading=p.heading,
        quote=fact.quote,
        chunk_index=p.chunk_index,
    )


def _tags(fact: Fact, item_type: str) -> list[str]:
    tags = ["PAPI", item_type, fact.kind, f"nguon-{fact.document.id}"]
    tags += [f"chi-so-{d}" for d in fact.dimensions]
    return tags


@dataclass
class Draft:
    """A fact asked as one item type; options are laid out when the key position is known."""

    fact: Fact
    type: ItemType
    truth: bool = True
    claim: str = ""
    distractors: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return item_id(self.fact, self.type, "" if self.truth else self.claim)

    def positions(self) -> list[int]:
        """Key positions this draft can take (ordered values cannot take every one)."""
        if self.type == "true_false":
            return [0 if self.truth else 1]
        if self.fact.ordered:
            return feasible_positions(self.fact)
        return list(range(len(LETTERS)))

    def build(self, position: int, generator: str = GENERATOR) -> QuizItem | None:
        """The item with its key at *position* (None when that is impossible)."""
        fact = self.fact
        if self.type == "true_false":
            stem = statement_stem(fact, self.claim)
            if stem is None:
                return None
            key = 0 if self.truth else 1
            label = TRUE_FALSE_OPTIONS[key]
            expl = explanation(fact, label, "" if self.truth else fact.value)
            options = list(TRUE_FALSE_OPTIONS)
        else:
            stem = mcq_stem(fact) if self.type == "mcq" else cloze_stem(fact)
            if stem is None:
                return None
            if fact.ordered:
                laid = choose_ordered(fact, position)
                if laid is None:
                    return None
                options, key = laid
            else:
                if len(self.distractors) < 3:
                    return None
                rest = list(self.distractors)
                random.Random(self.id).shuffle(rest)
                options = rest[:position] + [fact.value] + rest[position:]
                key = position
            expl = explanation(fact, LETTERS[key])
        return QuizItem(
            id=self.id,
            type=self.type,
            stem=stem,
            options=options,
            key=key,
            explanation=expl,
            source=_source(fact),
            fact=fact.kind,
            answer=fact.value,
            claim=self.claim if self.type == "true_false" else "",
            dimensions=list(fact.dimensions),
            tags=_tags(fact, self.type),
            generator=f"{generator}:{fact.kind}",
        )


def draft(fact: Fact, item_type: ItemType, bank: DistractorBank, truth: bool = True) -> Draft:
    """A draft of *fact* as *item_type* (a false statement takes a wrong value as claim)."""
    if item_type == "true_false":
        claim = fact.value if truth else false_claim(fact, bank)
        return Draft(fact, item_type, truth=truth or not claim, claim=claim or fact.value)
    distractors = () if fact.ordered else tuple(choose(fact, bank))
    return Draft(fact, item_type, distractors=distractors)


# -- selection ------------------------------------------------------------------------------


@dataclass
class Generation:
    """What a run produced, with the numbers the quality report needs."""

    quiz: Quiz
    facts: int
    candidates: int
    seconds: float


def _stratified(facts: list[Fact], rng: random.Random) -> list[Fact]:
    """Facts shuffled, then interleaved across sections so one section does not dominate."""
    groups: dict[tuple[str, str], list[Fact]] = {}
    shuffled = facts[:]
    rng.shuffle(shuffled)
    for f in shuffled:
        groups.setdefault((f.document.id, f.passage.section), []).append(f)
    order = list(groups.values())
    rng.shuffle(order)
    out: list[Fact] = []
    while any(order):
        for g in order:
            if g:
                out.append(g.pop(0))
    return out


def generate(
    chunks: Sequence[Document],
    documents: Iterable[Any] = (),
    *,
    n: int = 10,
    types: Sequence[str] | None = None,
    document_ids: Sequence[str] | None = None,
    dimensions: Sequence[int] | None = None,
    seed: int | None = None,
) -> Generation:
    """Generate a validated, balanced quiz of up to *n* items from *chunks*.

    *chunks* should be the whole live corpus: distractors come from other documents
    too; *document_ids* and *dimensions* select which facts are asked.
    """
    started = time.perf_counter()
    if seed is None:
        seed = random.SystemRandom().randrange(1, 2**31)
    wanted: list[ItemType] = [t for t in ITEM_TYPES if not types or t in types]
    unknown = set(types or ()) - set(ITEM_TYPES)
    if unknown or not wanted:
        raise ValueError(f"unknown item types {sorted(unknown)}; use {', '.join(ITEM_TYPES)}")
    n = max(0, min(int(n), MAX_ITEMS))
    rng = random.Random(seed)

    all_facts = extract_facts(chunks, documents)
    bank = DistractorBank(all_facts)
    facts = [
        f
        for f in all_facts
        if (not document_ids or f.document.id in document_ids)
        and (not dimensions or set(f.dimensions) & set(dimensions))
    ]
    sources = source_texts(chunks)

    ordered_facts = _stratified(facts, rng)
    type_order = wanted[:]
    rng.shuffle(type_order)
    quota = {
        t: n // len(wanted) + (1 if i < n % len(wanted) else 0) for i, t in enumerate(type_order)
    }
    # True and false statements alternate (from a seeded start), so any prefix is balanced.
    tf_first = rng.random() < 0.5

    chosen: list[tuple[Draft, QuizItem]] = []
    used_facts: set[int] = set()
    stems: set[str] = set()
    dropped: Counter[str] = Counter()
    candidates = 0

    def try_add(fact: Fact, item_type: ItemType) -> bool:
        nonlocal candidates
        truth = True
        if item_type == "true_false":
            made = [d.truth for d, _ in chosen if d.type == "true_false"]
            trues = sum(made)
            truth = tf_first if trues * 2 == len(made) else trues * 2 < len(made)
        d = draft(fact, item_type, bank, truth)
        positions = d.positions()
        if not positions:
            dropped["too_few_distractors"] += 1
            return False
        item = d.build(positions[0])
        candidates += 1
        if item is None:
            dropped["too_few_distractors"] += 1
            return False
        problems = check_item(item, sources)
        if problems:
            for code in {p.code for p in problems}:
                dropped[code] += 1
            return False
        stem_key = " ".join(matching.tokens(item.stem))
        if stem_key in stems:
            dropped["duplicate_stem"] += 1
            return False
        stems.add(stem_key)
        chosen.append((d, item))
        used_facts.add(id(fact))
        return True

    # Pass 1 keeps the per-type quotas and asks each fact once; pass 2 lets any type fill
    # what another could not; pass 3 asks a fact again as another type (a new stem).
    for keep_quota, allow_reuse in ((True, False), (False, False), (False, True)):
        progress = True
        while progress and len(chosen) < n:
            progress = False
            for item_type in type_order:
                have = sum(1 for d, _ in chosen if d.type == item_type)
                if len(chosen) >= n or (keep_quota and have >= quota[item_type]):
                    continue
                for fact in ordered_facts:
                    if id(fact) in used_facts and not allow_reuse:
                        continue
                    if item_type not in item_types(fact):
                        continue
                    if any(d.fact is fact and d.type == item_type for d, _ in chosen):
                        continue
                    if try_add(fact, item_type):
                        progress = True
                        break

    items = _balance([d for d, _ in chosen], [i for _, i in chosen], rng, sources, dropped)
    # Shuffled, then grouped by document (corpus order) so a printed quiz has one part
    # per document with consecutive numbers.
    doc_rank: dict[str, int] = {}
    for c in chunks:
        doc_rank.setdefault(str(c.metadata.get("document_id", "")), len(doc_rank))
    order = list(range(len(items)))
    rng.shuffle(order)
    order.sort(key=lambda i: doc_rank.get(items[i].source.document_id, len(doc_rank)))
    quiz = Quiz(
        seed=seed,
        generator=GENERATOR,
        documents=list(document_ids or []),
        dimensions=list(dimensions or []),
        types=wanted,
        items=[items[i] for i in order],
        dropped=dict(sorted(dropped.items())),
    )
    return Generation(quiz, len(facts), candidates, time.perf_counter() - started)


def _balance(
    drafts: list[Draft],
    items: list[QuizItem],
    rng: random.Random,
    sources: dict[tuple[str, int], str],
    dropped: Counter[str],
) -> list[QuizItem]:
    """Lay out choice items so keys spread evenly over A–D (ordered items first)."""
    choice = [i for i, d in enumerate(drafts) if d.type != "true_false"]
    count = {p: 0 for p in range(len(LETTERS))}
    target = {
        p: len(choice) // len(LETTERS) + (1 if p < len(choice) % len(LETTERS) else 0)
        for p in range(len(LETTERS))
    }
    letters = list(range(len(LETTERS)))
    rng.shuffle(letters)
    target = {letters[p]: target[p] for p in range(len(LETTERS))}
    constrained = sorted(choice, key=lambda i: len(drafts[i].positions()))
    out = list(items)
    for i in constrained:
        feasible = drafts[i].positions()
        ranked = sorted(
            feasible, key=lambda p: (count[p] >= target[p], count[p] - target[p], rng.random())
        )
        for p in ranked:
            item = drafts[i].build(p)
            if item is not None and not check_item(item, sources):
                out[i] = item
                count[p] += 1
                break
        else:
            dropped["layout"] += 1
    return out


def quality(generation: Generation) -> dict[str, Any]:
    """Figures for the quality report (see scripts/quiz_report.py)."""
    quiz = generation.quiz
    items = quiz.items
    supported = sum(1 for i in items if not _support_problems(i))
    co_dup = sum(
        1
        for i in items
        if any(p.code in ("co_correct", "duplicate_options") for p in check_item(i))
    )
    spread = Counter(LETTERS[i.key] for i in items if i.type != "true_false")
    ratios = [
        len(i.key_text) / statistics.mean(len(d) for d in i.distractors)
        for i in items
        if i.type != "true_false"
    ]
    text_ratios = [
        len(i.key_text) / statistics.mean(len(d) for d in i.distractors)
        for i in items
        if i.type != "true_false" and not _numeric(i.key_text)
    ]
    longest = sum(
        1
        for i in items
        if i.type != "true_false" and len(i.key_text) > max(len(d) for d in i.distractors)
    )
    return {
        "items": len(items),
        "types": dict(Counter(i.type for i in items)),
        "facts": dict(Counter(i.fact for i in items)),
        "key_supported": supported,
        "key_supported_share": supported / len(items) if items else 0.0,
        "co_correct_or_duplicate": co_dup,
        "key_spread": {letter: spread.get(letter, 0) for letter in LETTERS},
        "true_false": dict(Counter(i.key_label for i in items if i.type == "true_false")),
        "median_key_length_ratio": statistics.median(ratios) if ratios else 0.0,
        "median_key_length_ratio_text": statistics.median(text_ratios) if text_ratios else 0.0,
        "key_is_longest": longest,
        "quiz_problems": [p.message for p in check_quiz(quiz)],
        "dropped": quiz.dropped,
        "facts_available": generation.facts,
        "candidates_built": generation.candidates,
        "seconds": generation.seconds,
    }


def _numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[\d./:-]+", text))


def _support_problems(item: QuizItem) -> list[Any]:
    return [p for p in check_item(item) if p.code == "unsupported_key"]
