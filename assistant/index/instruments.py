"""What loaded documents say about other documents: which they amend, which they end.

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
from collections.abc import Iterable

from ingest.model import SECTION_SEPARATOR
from vntext.lexicon import LEGAL_REFERENCE
from vntext.normalize import fold

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
