"""How quiz text is compared: normalised token sequences, dates, sentence splitting.

Two values are "the same" when they fold to the same tokens (NFC, canonical tone
placement, case and diacritics removed, common abbreviations expanded, dates in one
form). A value is "in" a text when its token sequence occurs contiguously in the
text's. Both the generator (to exclude co-correct distractors) and the validators (to
check that a key is supported by its quote) use these functions, so they agree.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from vntext.lexicon import ABBREVIATIONS
from vntext.normalize import canonical_tones, fold

_DOC_SO = re.compile(
    r"\b(quyet dinh|ke hoach|nghi dinh|nghi quyet|thong tu|chi thi|cong van|huong dan"
    r"|chuong trinh|luat|thong bao) so (?=\d)"
)
"""'Thông tư số 28/2012/…' and 'Thông tư 28/2012/…' name the same document."""
_ABBREV_RES = tuple((re.compile(rf"\b{a}\b"), e) for a, e in ABBREVIATIONS.items())
_DATE_WORDS = re.compile(r"\b(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})\b")
_DATE_NUMERIC = re.compile(r"\b(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\b")
_TOKEN = re.compile(r"[0-9a-z]+")

DATE_IN_TEXT = re.compile(
    r"(?P<d>\d{1,2})\s*(?:/|-|\.|\s+tháng\s+)(?P<m>\d{1,2})\s*(?:/|-|\.|\s+năm\s+)(?P<y>(?:19|20)\d{2})\b"
)
"""A date as written in Vietnamese text: 15/12/2023, 15-12-2023 or 15 tháng 12 năm 2023."""


def _canonical_dates(folded: str) -> str:
    def repl(m: re.Match[str]) -> str:
        return f"{int(m.group(1))}/{int(m.group(2))}/{m.group(3)}"

    folded = _DATE_WORDS.sub(repl, folded)
    return _DATE_NUMERIC.sub(repl, folded)


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Folded, abbreviation-expanded, date-canonical text (for matching only, never shown)."""
    folded = fold(canonical_tones(text))
    folded = _canonical_dates(folded)
    for pattern, replacement in _ABBREV_RES:
        folded = pattern.sub(replacement, folded)
    return _DOC_SO.sub(r"\1 ", folded)


@lru_cache(maxsize=65536)
def tokens(text: str) -> tuple[str, ...]:
    """The token sequence of :func:`normalise` (letters and digits only)."""
    return tuple(_TOKEN.findall(normalise(text)))


def same(a: str, b: str) -> bool:
    """True when *a* and *b* are the same value once normalised."""
    return tokens(a) == tokens(b)


def contains(text: str, phrase: str) -> bool:
    """True when *phrase*'s tokens occur contiguously in *text*'s tokens."""
    needle = tokens(phrase)
    if not needle:
        return False
    hay = tokens(text)
    n = len(needle)
    return any(hay[i : i + n] == needle for i in range(len(hay) - n + 1))


def overlaps(a: str, b: str) -> bool:
    """True when one value contains the other (a sub- or super-string once normalised)."""
    return contains(a, b) or contains(b, a)


def bigram_containment(a: str, b: str) -> float:
    """Share of *a*'s token bigrams that also occur in *b* (0–1)."""
    ta, tb = tokens(a), tokens(b)
    grams_a = {ta[i : i + 2] for i in range(len(ta) - 1)}
    if not grams_a:
        return 0.0
    grams_b = {tb[i : i + 2] for i in range(len(tb) - 1)}
    return len(grams_a & grams_b) / len(grams_a)


def parse_date(text: str) -> date | None:
    """The first date written in *text*, or None."""
    m = DATE_IN_TEXT.search(text)
    if not m:
        return None
    try:
        return date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    except ValueError:
        return None


def format_date(value: date, *, pad: bool = True) -> str:
    """dd/mm/yyyy (or d/m/yyyy when *pad* is False), the form options use."""
    if pad:
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    return f"{value.day}/{value.month}/{value.year}"


def format_like(value: date, sample: str) -> str:
    """*value* as d/m/yyyy, zero-padding day and month only where *sample* does
    ("07/10/2019" pads both, "25/5/2023" neither); word dates give dd/mm/yyyy."""
    m = re.match(r"\s*(\d{1,2})/(\d{1,2})/", sample)
    pad_day = m is None or len(m.group(1)) == 2
    pad_month = m is None or len(m.group(2)) == 2
    day = f"{value.day:02d}" if pad_day else str(value.day)
    month = f"{value.month:02d}" if pad_month else str(value.month)
    return f"{day}/{month}/{value.year}"


_STOP = re.compile(r"[.!?;]\s+")


def sentences(text: str) -> list[str]:
    """Split a paragraph into sentences (also at ';' before a capital letter).

    Document numbers ("3212/KH-UBND"), decimals ("19.536") and "TP.HCM" never split,
    because a split needs whitespace after the stop and a capital letter after that.
    """
    out: list[str] = []
    start = 0
    for m in _STOP.finditer(text):
        nxt = text[m.end() : m.end() + 1]
        if nxt and (nxt.isupper() or nxt in '"“('):
            out.append(text[start : m.start() + 1].strip())
            start = m.end()
    out.append(text[start:].strip())
    return [p for p in out if p]


def words(text: str) -> list[str]:
    """Whitespace-separated words as written."""
    return text.split()
