"""Instruments: what loaded documents say about other documents (which they amend, which
they end), which instrument a passage comes from, and which documents a question names.

Vietnamese legal texts state both in fixed formulas, so they are read from the text, never
typed per document:

* amending — "sửa đổi, bổ sung một số điều của Nghị định số 63/2010/NĐ-CP", "Sửa đổi một
  số điều của Nghị định số 20/2008/NĐ-CP";
* ending — "Luật Tố cáo số 03/2011/QH13 hết hiệu lực kể từ ngày …", "Chương V của Luật
  khiếu nại số 02/2011/QH13 hết hiệu lực thi hành …", "… bị bãi bỏ".

Numbers are returned folded and lower-cased ("63/2010/nd-cp"); a part is a folded
division with an Arabic number ("chuong 5", "dieu 12"), "" for the whole document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ingest.model import SECTION_SEPARATOR
from vntext.lexicon import LEGAL_REFERENCE
from vntext.normalize import fold
from vntext.tokens import bigrams, folded_tokens

if TYPE_CHECKING:
    from assistant.storage import ManifestEntry

_AMENDING = re.compile(
    r"\b(?:sửa đổi|bổ sung|bãi bỏ)[^.;:\n]{0,60}?\bcủa\s+(?:các\s+)?", re.IGNORECASE
)
_ENDING = re.compile(r"\bhết hiệu lực\b|\bbị bãi bỏ\b", re.IGNORECASE)
_NUMBER = re.compile(r"\bsố\s+(\d{1,6}/\d{4}/[0-9A-Za-zĐđ\-]+)")
# "Chương V của Luật khiếu nại " right before "số 02/2011/QH13".
_PART_BEFORE = re.compile(
    r"\b(Chương|Mục|Điều|Phần)\s+([IVXLC]+|\d+[a-zđ]?)\s+(?:của\s+)?[^.;:\n]{0,60}$",
    re.IGNORECASE,
)
# "… theo Luật số 26/2004/QH11 và Luật số 58/2005/QH11": amenders listed after "theo".
_AMENDERS_BEFORE = re.compile(r"\btheo\s+[^,;]*$", re.IGNORECASE)
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def amended_numbers(texts: Iterable[str]) -> tuple[str, ...]:
    """Numbers of the documents these texts amend.

    A document that only cites another ("căn cứ …", "theo quy định tại …") amends nothing.
    """
    found: list[str] = []
    for text in texts:
        for match in _AMENDING.finditer(text):
            reference = LEGAL_REFERENCE.match(text, match.end())
            if reference:
                found.append(number_key(reference.group(2)))
    return tuple(dict.fromkeys(found))


def repealed_parts(texts: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """(number, part) of what these texts end: a whole document or one of its divisions.

    Only the sentence that says "hết hiệu lực" / "bị bãi bỏ" is read; a number cited there
    as the amender ("đã được sửa đổi … theo Luật số 26/2004/QH11") is not what ends.
    """
    found: list[tuple[str, str]] = []
    for text in texts:
        if _ENDING.search(text) is None:
            continue  # most passages end nothing: skip splitting them into sentences
        for sentence in re.split(r"(?<=[.;])\s+", text):
            ending = _ENDING.search(sentence)
            if ending is None:
                continue
            for match in _NUMBER.finditer(sentence, 0, ending.start()):
                before = sentence[max(0, match.start() - 90) : match.start()]
                if _AMENDERS_BEFORE.search(before):
                    continue  # "theo Luật số …": an amending law, not the one ended
                part = _PART_BEFORE.search(before)
                found.append((number_key(match.group(1)), _part(part) if part else ""))
    return tuple(dict.fromkeys(found))


# A codified article's note names its source: "(Điều 1 Thông tư số 30/2015/TT-BCA Quy
# định về công tác tiếp công dân … trong Công an nhân dân ngày 03/07/2015 của Bộ Công an,
# có hiệu lực thi hành kể từ ngày …)": type, number, title, then the issuer.
_SOURCE_TITLE = re.compile(
    r"\((?:Điều|Khoản|Điểm)\s[^()\n]*?\b(Thông tư(?: liên tịch)?)\s+số\s+(\S+)\s+"
    r"([^()\n]+?)\s+ngày\s+\d{1,2}/\d{1,2}/\d{4}\s+của\s+([^,()\n]+?)\s*[,)]"
)
_ISSUER_GLUE = frozenset(["bo", "cua", "va", "tong", "cuc"])


def issuer_sector(title: str, issuer: str) -> frozenset[str]:
    """The word pairs of a circular's issuer when its title confines it to the issuer's
    own field ("… trong Công an nhân dân" by Bộ Công an → {"cong_an"}), else empty.

    A ministry's circular either details a law for every agency (the title does not name
    the ministry: "Quy định quy trình tiếp công dân") or for its own force or field; the
    title says which.
    """
    pairs = {
        pair for pair in bigrams(folded_tokens(issuer)) if _ISSUER_GLUE.isdisjoint(pair.split("_"))
    }
    return frozenset(pairs) if pairs.intersection(bigrams(folded_tokens(title))) else frozenset()


def circular_sectors(texts: Iterable[str]) -> tuple[tuple[str, frozenset[str]], ...]:
    """(number, issuer's word pairs) of each circular these texts name as a codified
    article's source with a title confined to its issuer's field (:func:`issuer_sector`)."""
    found: dict[str, frozenset[str]] = {}
    for text in texts:
        for match in _SOURCE_TITLE.finditer(text):
            number = number_key(match.group(2))
            if number not in found:
                found[number] = issuer_sector(match.group(3), match.group(4))
    return tuple((n, terms) for n, terms in found.items() if terms)


def part_of_section(section: str, part: str) -> bool:
    """True when a passage's heading path (``section``) lies in *part* ("chuong 5")."""
    if not part:
        return True
    kind, _, number = part.partition(" ")
    for heading in section.split(SECTION_SEPARATOR.strip()):
        match = re.match(r"\s*(\w+)\s+([IVXLC]+|\d+[a-zđ]?)\b", heading)
        if match and fold(match.group(1).lower()) == kind and _arabic(match.group(2)) == number:
            return True
    return False


def number_key(raw: str) -> str:
    """A document number as the maps here key it: "63/2010/NĐ-CP" → "63/2010/nd-cp"."""
    return fold(raw.replace(" ", "").lower())


def _part(match: re.Match[str]) -> str:
    return f"{fold(match.group(1).lower())} {_arabic(match.group(2))}"


def _arabic(numeral: str) -> str:
    """ "V" → "5"; Arabic numbers (and "12a") are kept."""
    upper = numeral.upper()
    if not upper or any(c not in _ROMAN for c in upper):
        return numeral.lower()
    total = 0
    for i, c in enumerate(upper):
        value = _ROMAN[c]
        total += -value if i + 1 < len(upper) and _ROMAN[upper[i + 1]] > value else value
    return str(total)


# "khoản 9 Điều 11", "các khoản 7, 8, 9, 10, 11 và 12 Điều 11 của Luật này".
_CLAUSE_REFERENCE = re.compile(
    r"\bkhoản\s+((?:\d{1,3}[a-zđ]?\s*(?:,|và)\s*)*\d{1,3}[a-zđ]?)\s+(?:của\s+)?Điều\s+(\d{1,3}[a-zđ]?)\b",
    re.IGNORECASE,
)
_CLAUSES = re.compile(r"\d{1,3}[a-zđ]?")
# A passage's own place: "Điều 11 khoản 9", "Điều 12 khoản 5, 6 Luật số 42/2013/QH13".
_OWN_CLAUSES = re.compile(r"^Điều\s+(\d{1,3}[a-zđ]?)(?:\s+khoản\s+([\d, ]+))?", re.IGNORECASE)


def clause_references(text: str) -> frozenset[tuple[str, str]]:
    """(article, clause) pairs *text* refers to in its own instrument ("quy định tại
    khoản 9 Điều 11" → ("11", "9")). Drafting formula of Vietnamese legal texts: a
    provision applies to the clauses it cites ("Thông tin quy định tại các khoản 7, 8, 9
    … Điều 11 … phải được niêm yết …")."""
    out: set[tuple[str, str]] = set()
    for clauses, article in _CLAUSE_REFERENCE.findall(text):
        out.update((article.lower(), c.lower()) for c in _CLAUSES.findall(clauses))
    return frozenset(out)


def own_clauses(section_ref: str) -> frozenset[tuple[str, str]]:
    """The (article, clause) pairs a passage holds, from its section reference."""
    match = _OWN_CLAUSES.match(section_ref.strip())
    if not match or not match.group(2):
        return frozenset()
    article = match.group(1).lower()
    return frozenset((article, c) for c in _CLAUSES.findall(match.group(2)))


# A document number as typed in a question: "130/2020", "130/2020/nđ-cp", "1766/qđ-ubnd".
_NUMBER_IN_QUESTION = re.compile(r"\b\d{1,5}/(?:\d{4}|[a-zđ]{2,})[\w/đ-]*", re.IGNORECASE)


def instrument_of(meta: Mapping[str, Any]) -> tuple[str, str]:
    """(type, number) of the instrument a passage comes from, lower-cased.

    A codified article (pháp điển) names its source instrument in its section
    ("Điều 6 Thông tư số 27/2024/TT-BTC"); otherwise it is the passage's document.
    """
    return _instrument(
        str(meta.get("section_ref", "") or ""),
        str(meta.get("doc_type", "") or ""),
        str(meta.get("number", "") or ""),
    )


@lru_cache(maxsize=16384)
def _instrument(section_ref: str, doc_type: str, number: str) -> tuple[str, str]:
    # Cached: every ranking rule asks it of every hit, and sections repeat across requests.
    match = LEGAL_REFERENCE.search(section_ref)
    if match:
        return match.group(1).lower(), match.group(2).lower()
    return doc_type.lower(), number.lower()


def named_numbers(question: str) -> tuple[str, ...]:
    """Document numbers the question names, folded ("Nghị định 130/2020" → "130/2020")."""
    return tuple(
        dict.fromkeys(number_key(m.group(0)) for m in _NUMBER_IN_QUESTION.finditer(question))
    )


def instrument_numbers(question: str, named: Sequence[ManifestEntry]) -> tuple[str, ...]:
    """The instrument numbers a question names: those it writes ("Nghị định 130/2020")
    and those of the documents it names by title (:func:`named_documents`)."""
    return named_numbers(question) + tuple(number_key(e.number) for e in named if e.number)


def names_instrument(
    meta: Mapping[str, Any], numbers: Sequence[str], documents: Sequence[str]
) -> bool:
    """True when a passage comes from an instrument the question names: one of *numbers*
    (its document's or, for a codified article, its source's) or one of the *documents*
    (ids: a plan may have no number)."""
    if meta.get("document_id") in documents:
        return True
    own = number_key(instrument_of(meta)[1])
    return bool(own) and any(own.startswith(n) for n in numbers)


def named_documents(question: str, entries: Mapping[str, ManifestEntry]) -> list[ManifestEntry]:
    """Documents the question names by number ("Nghị định 130/2020"), by their type and
    title ("Luật Phòng, chống tham nhũng") or by their type and a short name ("Luật
    PCTN", "Kế hoạch PAPI"; see :func:`_short_names`), in manifest order.

    A title counts only with its document type in front: "tiếp công dân" alone is a
    topic, "Luật Tiếp công dân" names the law.
    """
    numbers = named_numbers(question)
    folded = " " + " ".join(folded_tokens(question)) + " "
    out = []
    for entry in entries.values():
        number = number_key(entry.number)
        by_number = bool(number) and any(number.startswith(n) for n in numbers)
        if by_number or _name_in(entry, folded):
            out.append(entry)
    if not out:
        out = _only_of_type(question, entries)
    return out


# "Theo kế hoạch, …", "Kế hoạch yêu cầu …", "… được kế hoạch đặt …": the type alone, as
# a reference (followed by a clause end or a verb), not a kind of plan ("kế hoạch rà soát").
_BARE_AFTER = (
    r"(?=\s*(?:[,.;:?!]|$)|\s+(?:co|yeu cau|giao|dat|de ra|neu|quy dinh|con|gan|nay|chi dao"
    r"|huong dan)\b)"
)


def _only_of_type(question: str, entries: Mapping[str, ManifestEntry]) -> list[ManifestEntry]:
    """The one loaded document of a type the question refers to by its type alone ("theo
    kế hoạch, …"); none when several documents have that type (the reference is ambiguous)."""
    folded = " ".join(fold(question).lower().split())
    by_type: dict[str, list[ManifestEntry]] = {}
    for entry in entries.values():
        kind = " ".join(folded_tokens(entry.doc_type))
        if kind:
            by_type.setdefault(kind, []).append(entry)
    return [
        only[0]
        for kind, only in by_type.items()
        if len(only) == 1 and re.search(rf"\b{re.escape(kind)}{_BARE_AFTER}", folded)
    ]


def naming_words(question: str, named: Sequence[ManifestEntry]) -> frozenset[str]:
    """The folded words with which *question* names the *named* documents by type and
    title or short name ("kế hoạch", "papi" in "Theo kế hoạch PAPI, …"): they say where
    to look, not what to look for, so they are no content a passage must match (the
    plan's closing line "Trên đây là Kế hoạch … (PAPI) …" answers nothing)."""
    folded = " " + " ".join(folded_tokens(question)) + " "
    words: set[str] = set()
    for entry in named:
        phrase = _name_in(entry, folded)
        if phrase:
            words.update(phrase.split())
    return frozenset(words)


def _name_in(entry: ManifestEntry, folded: str) -> str:
    """The folded phrase of *folded* (a question's tokens, space-padded) that names
    *entry* by its type and title or short name; "" when none does."""
    kind = " ".join(folded_tokens(entry.doc_type))
    if not kind:
        return ""
    title = folded_tokens(entry.title)
    if title[: len(kind.split())] == kind.split():
        title = title[len(kind.split()) :]  # "LUẬT TỐ CÁO": the type opens the title
    if len(title) >= 2 and f" {kind} {' '.join(title)} " in folded:
        return f"{kind} {' '.join(title)}"
    for short in sorted(_short_names(entry.title, title)):
        if f" {kind} {short} " in folded:
            return f"{kind} {short}"
    return ""


def _short_names(title: str, words: Sequence[str]) -> set[str]:
    """How a title is abbreviated after its type, folded: an acronym the title writes
    ("Kế hoạch PAPI" for "Kế hoạch Cải thiện … (PAPI) …") and the initials of its words
    ("Luật PCTN" for "Luật Phòng, chống tham nhũng"), of three letters or more."""
    out: set[str] = set()
    if not title.isupper():  # in an ALL-CAPS title every word looks like an acronym
        out.update(fold(a).lower() for a in re.findall(r"\b[A-ZĐ]{3,}\b", title))
    initials = "".join(w[0] for w in words if w[:1].isalpha())
    if 3 <= len(initials) <= 8:
        out.add(initials)
    return out
