"""Checks every item must pass before a trainer sees it, whoever wrote it (rules or LLM).

Each check returns :class:`Problem`s with a code; the generator drops an item with any
problem and counts the codes. The defect classes are the ones generated quizzes are
known for: an unsupported key, a distractor that is also correct, duplicate options,
the key being the longest option, "all/none of the above", the key given away by the
stem, a quote that is not in the source, and — per quiz — duplicate stems and the key
always in one position.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from langchain_core.documents import Document

from assistant.quiz import matching
from assistant.quiz.distractors import LENGTH_TOLERANCE, banned
from assistant.quiz.facts import dimension_conflicts, mentions_unit, strip_numbering, subsumed
from assistant.quiz.lexicon import DIMENSIONS
from assistant.quiz.model import BLANK, LETTERS, TRUE_FALSE_OPTIONS, Quiz, QuizItem, nfc
from vntext.normalize import fold

STRUCTURAL_FACTS = frozenset({"dimension", "responsible_unit"})
"""Facts whose answer is the heading of the section the quote sits under."""

PROBLEM_CODES = (
    "schema",
    "stem_form",
    "unsupported_key",
    "co_correct",
    "duplicate_options",
    "key_longest",
    "banned_option",
    "key_in_stem",
    "quote_not_in_source",
)


@dataclass(frozen=True)
class Problem:
    """One failed check."""

    code: str
    message: str


def source_texts(chunks: Iterable[Document]) -> dict[tuple[str, int], str]:
    """(document_id, chunk_index) → chunk text: what quotes are checked against."""
    return {
        (str(c.metadata.get("document_id", "")), int(c.metadata.get("chunk_index", 0))): (
            c.page_content
        )
        for c in chunks
    }


def evidence(item: QuizItem) -> str:
    """The verbatim text that must support the key: the quote (plus the heading for
    structural facts, whose answer is the section a task is listed under)."""
    if item.fact in STRUCTURAL_FACTS and item.source.heading:
        return f"{item.source.heading}\n{item.source.quote}"
    return item.source.quote


def check_item(
    item: QuizItem, sources: Mapping[tuple[str, int], str] | None = None
) -> list[Problem]:
    """All problems of one item. *sources* maps (document_id, chunk_index) to chunk text."""
    problems = _schema(item)
    if problems:
        return problems
    problems += _stem_form(item)
    problems += _support(item)
    problems += _co_correct(item)
    problems += _options(item)
    if sources is not None:
        text = sources.get((item.source.document_id, item.source.chunk_index or 0))
        if text is None or item.source.quote not in text:
            problems.append(Problem("quote_not_in_source", "quote is not verbatim in the source"))
    return problems


def _schema(item: QuizItem) -> list[Problem]:
    out = []
    if item.type == "true_false":
        if tuple(item.options) != TRUE_FALSE_OPTIONS or item.key not in (0, 1):
            out.append(Problem("schema", "true/false options must be exactly Đúng, Sai"))
    elif len(item.options) != len(LETTERS) or not 0 <= item.key < len(item.options):
        out.append(Problem("schema", f"{item.type} needs four options A–D and a key among them"))
    if any(not o.strip() or "\n" in o for o in item.options):
        out.append(Problem("schema", "options must be non-empty single lines"))
    if not item.source.quote.strip():
        out.append(Problem("schema", "the source quote is empty"))
    if not item.explanation.startswith(f"Đáp án {item.key_label}"):
        out.append(Problem("schema", "the explanation must start with the key"))
    return out


def _stem_form(item: QuizItem) -> list[Problem]:
    stem = item.stem
    out = []
    if not stem.endswith("?"):
        out.append(Problem("stem_form", "the stem must be a question ending with '?'"))
    if "\n" in stem or nfc(stem) != stem:
        out.append(Problem("stem_form", "the stem must be one NFC line"))
    if item.type == "cloze" and stem.count(BLANK) != 1:
        out.append(Problem("stem_form", "a cloze stem needs exactly one blank"))
    if item.type != "cloze" and BLANK in stem:
        out.append(Problem("stem_form", "only cloze stems have a blank"))
    return out


def _support(item: QuizItem) -> list[Problem]:
    ev = evidence(item)
    if not matching.contains(ev, item.answer):
        return [Problem("unsupported_key", f"the answer “{item.answer}” is not in the quote")]
    if item.type == "true_false":
        truth = item.key == 0
        if truth != matching.same(item.claim, item.answer):
            return [Problem("unsupported_key", "the true/false key does not match the quote")]
        return []
    if not matching.same(item.key_text, item.answer):
        return [Problem("unsupported_key", "the key option is not the supported answer")]
    if item.type == "cloze":
        inner = _cloze_sentence(item.stem)
        if inner is None or not matching.contains(
            item.source.quote, inner.replace(BLANK, item.key_text)
        ):
            return [Problem("unsupported_key", "the filled-in cloze sentence is not the quote")]
    return []


def _cloze_sentence(stem: str) -> str | None:
    """The quoted sentence that holds the blank (the last “…” span around it)."""
    blank = stem.find(BLANK)
    start, end = stem.rfind("“", 0, blank), stem.rfind("”")
    if blank < 0 or start < 0 or end <= blank:
        return None
    return stem[start + 1 : end]


def _dimension_number(option: str) -> int | None:
    text = fold(strip_numbering(option))
    for d in DIMENSIONS:
        name = fold(d.name)
        if len(text) >= 8 and (name.startswith(text) or text.startswith(name)):
            return d.number
    return None


def _co_correct(item: QuizItem) -> list[Problem]:
    ev = evidence(item)
    wrong = [item.claim] if item.type == "true_false" and item.key == 1 else item.distractors
    if item.type == "true_false" and item.key == 0:
        wrong = []
    out = []
    conflicts = dimension_conflicts(item.source.quote) if item.fact == "dimension" else set()
    for value in wrong:
        if matching.contains(ev, value):
            out.append(Problem("co_correct", f"“{value}” is also stated by the quote"))
        elif item.fact == "dimension" and _dimension_number(value) in conflicts:
            out.append(Problem("co_correct", f"the task also serves the dimension “{value}”"))
        elif item.fact == "responsible_unit" and (
            mentions_unit(item.source.quote, value) or subsumed(item.answer, value)
        ):
            out.append(Problem("co_correct", f"“{value}” also carries this duty"))
    return out


def _options(item: QuizItem) -> list[Problem]:
    out = []
    opts = item.options
    for i in range(len(opts)):
        for j in range(i + 1, len(opts)):
            if matching.same(opts[i], opts[j]) or matching.overlaps(opts[i], opts[j]):
                out.append(Problem("duplicate_options", f"“{opts[i]}” ~ “{opts[j]}”"))
    if any(banned(o) for o in opts):
        out.append(Problem("banned_option", "no 'all/none of the above' or 'A and B' options"))
    if item.type != "true_false":
        others = item.distractors
        if others and len(item.key_text) > LENGTH_TOLERANCE * max(len(o) for o in others):
            out.append(Problem("key_longest", "the key is much longer than every distractor"))
        stem = item.stem.replace(BLANK, " ")
        if matching.contains(stem, item.key_text):
            out.append(Problem("key_in_stem", "the stem gives the key away"))
    return out


def check_quiz(quiz: Quiz) -> list[Problem]:
    """Quiz-level problems: duplicate stems, keys not spread over A–D, true/false skew."""
    out = []
    stems = Counter(" ".join(matching.tokens(i.stem)) for i in quiz.items)
    for stem, count in stems.items():
        if count > 1:
            out.append(Problem("duplicate_stem", f"{count}× {stem[:60]}"))
    spread = key_spread(quiz)
    choice = sum(spread.values())
    if choice >= len(LETTERS) and max(spread.values()) - min(spread.values()) > 1:
        out.append(Problem("key_spread", f"keys are not spread evenly over A–D: {spread}"))
    tf = [i for i in quiz.items if i.type == "true_false"]
    trues = sum(1 for i in tf if i.key == 0)
    if len(tf) >= 2 and abs(2 * trues - len(tf)) > 1:
        out.append(Problem("true_false_balance", f"{trues} of {len(tf)} statements are true"))
    return out


def key_spread(quiz: Quiz) -> dict[str, int]:
    """How many choice items (mcq, cloze) have their key at A, B, C, D."""
    counts = {letter: 0 for letter in LETTERS}
    for item in quiz.items:
        if item.type != "true_false":
            counts[LETTERS[item.key]] += 1
    return counts
