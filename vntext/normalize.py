"""Vietnamese text normalisation shared by ingest, the lexical index and queries.

Three levels, each a pure function:

* :func:`clean_text` — what we *store and show*: Unicode NFC (some real files are
  partly NFD), no-break and zero-width spaces removed, stray whitespace collapsed.
  Citations are substrings of this text, so it must never change what a word says.
* :func:`canonical_tones` — old/new tone placement ("hoà" vs "hòa", "thuỷ" vs
  "thủy") mapped to one form; NFC alone does not make them equal.
* :func:`fold` — what we *match on*: lower case, tone placement canonicalised,
  all diacritics removed and "đ" mapped to "d" (it has no decomposition). A query
  typed without diacritics and the same query typed with them fold identically.
"""

from __future__ import annotations

import re
import unicodedata

_SPACE_LIKE = {
    "\u00a0": " ",  # no-break space
    "\u2007": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\u200a": " ",
    "\u3000": " ",
    "\t": " ",
    "\u200b": "",  # zero-width space
    "\u200c": "",
    "\u200d": "",
    "\ufeff": "",  # BOM that survived decoding
    "\u00ad": "",  # soft hyphen
}
_SPACE_TABLE = str.maketrans(_SPACE_LIKE)
_MULTI_SPACE = re.compile(r"[ ]{2,}")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Old-style placement puts the tone on the first vowel of oa/oe/uy ("hòa", "thủy");
# the 2018 rule (QĐ 1989/QĐ-BGDĐT) puts it on the main vowel ("hoà", "thuỷ").
# Both are in circulation; we map the old style to the new one before folding or
# comparing, in NFD space so every tone mark is handled by one rule.
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_OLD_TONE = re.compile(
    r"(?:([oO])([" + _TONE_MARKS + r"])([aAeE])|([uU])([" + _TONE_MARKS + r"])([yY]))"
    r"(?![\u0300-\u036f])(?=[^a-zA-Z\u0300-\u036f]|$)"
)


def _move_tone(match: re.Match[str]) -> str:
    if match.group(1):
        return match.group(1) + match.group(3) + match.group(2)
    return match.group(4) + match.group(6) + match.group(5)


def clean_text(text: str) -> str:
    """Return *text* in NFC with whitespace noise removed; line structure is kept."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_SPACE_TABLE)
    text = _CONTROL.sub("", text)
    lines = [_MULTI_SPACE.sub(" ", line).strip() for line in text.split("\n")]
    return _MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def canonical_tones(text: str) -> str:
    """Map old-style tone placement on oa/oe/uy ("hòa", "thủy") to the 2018 style."""
    decomposed = unicodedata.normalize("NFD", text)
    moved = _OLD_TONE.sub(_move_tone, decomposed)
    return unicodedata.normalize("NFC", moved)


# The combining-mark blocks (Vietnamese uses U+0300–U+036F only); one regex pass is an
# order of magnitude faster than testing every character.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def fold(text: str) -> str:
    """Lower-case, strip every diacritic and map đ→d: the form used for matching."""
    if text.isascii():
        return text.lower()
    stripped = _COMBINING.sub("", unicodedata.normalize("NFD", text.lower()))
    return stripped.replace("đ", "d")


def has_diacritics(text: str) -> bool:
    """True when *text* carries any Vietnamese diacritic (or đ)."""
    return fold(text) != text.lower()
