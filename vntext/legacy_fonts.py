"""TCVN3 (ABC) and VNI: the pre-Unicode Vietnamese font encodings, detected and converted.

Before Unicode, Vietnamese offices typed with fonts whose glyphs sat on Latin-1 code
points: TCVN3 (TCVN 5712:1993, fonts ".VnTime", ".VnArial") gives every lower-case
toned vowel its own byte; VNI (fonts "VNI-Times") writes a base letter followed by a
mark byte. A file typed that way decodes as "Céng hoµ x· héi" (TCVN3) or "Coäng hoøa
xaõ hoäi" (VNI) — valid Latin-1, wrong text. The tables below transcribe the published
TCVN3 and VNI-Windows charts.

Detection converts a text both ways and keeps a conversion only when it turns words
that were not Vietnamese syllables into ones that are (judged by orthography rules,
:mod:`vntext.syllables`), for most changed words; normal Unicode Vietnamese (which
uses code points these fonts never produce) and other Latin-script languages are
left alone.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from vntext.syllables import is_syllable

LegacyEncoding = Literal["tcvn3", "vni"]

# TCVN3 (ABC): byte (as its Latin-1 character) → Unicode letter.
_TCVN3 = {
    "\u00a1": "Ă",
    "\u00a2": "Â",
    "\u00a3": "Ê",
    "\u00a4": "Ô",
    "\u00a5": "Ơ",
    "\u00a6": "Ư",
    "\u00a7": "Đ",
    "\u00a8": "ă",
    "\u00a9": "â",
    "\u00aa": "ê",
    "\u00ab": "ô",
    "\u00ac": "ơ",
    "\u00ad": "ư",
    "\u00ae": "đ",
    "\u00b5": "à",
    "\u00b6": "ả",
    "\u00b7": "ã",
    "\u00b8": "á",
    "\u00b9": "ạ",
    "\u00bb": "ằ",
    "\u00bc": "ẳ",
    "\u00bd": "ẵ",
    "\u00be": "ắ",
    "\u00c6": "ặ",
    "\u00c7": "ầ",
    "\u00c8": "ẩ",
    "\u00c9": "ẫ",
    "\u00ca": "ấ",
    "\u00cb": "ậ",
    "\u00cc": "è",
    "\u00ce": "ẻ",
    "\u00cf": "ẽ",
    "\u00d0": "é",
    "\u00d1": "ẹ",
    "\u00d2": "ề",
    "\u00d3": "ể",
    "\u00d4": "ễ",
    "\u00d5": "ế",
    "\u00d6": "ệ",
    "\u00d7": "ì",
    "\u00d8": "ỉ",
    "\u00dc": "ĩ",
    "\u00dd": "í",
    "\u00de": "ị",
    "\u00df": "ò",
    "\u00e1": "ỏ",
    "\u00e2": "õ",
    "\u00e3": "ó",
    "\u00e4": "ọ",
    "\u00e5": "ồ",
    "\u00e6": "ổ",
    "\u00e7": "ỗ",
    "\u00e8": "ố",
    "\u00e9": "ộ",
    "\u00ea": "ờ",
    "\u00eb": "ở",
    "\u00ec": "ỡ",
    "\u00ed": "ớ",
    "\u00ee": "ợ",
    "\u00ef": "ù",
    "\u00f1": "ủ",
    "\u00f2": "ũ",
    "\u00f3": "ú",
    "\u00f4": "ụ",
    "\u00f5": "ừ",
    "\u00f6": "ử",
    "\u00f7": "ữ",
    "\u00f8": "ứ",
    "\u00f9": "ự",
    "\u00fa": "ỳ",
    "\u00fb": "ỷ",
    "\u00fc": "ỹ",
    "\u00fd": "ý",
    "\u00fe": "ỵ",
}
_TCVN3_TABLE = str.maketrans(_TCVN3)

# VNI-Windows: letters that are one byte of their own.
_VNI_SINGLE = {
    "ô": "ơ",
    "Ô": "Ơ",
    "ö": "ư",
    "Ö": "Ư",
    "ñ": "đ",
    "Ñ": "Đ",
    "ì": "ì",
    "Ì": "Ì",
    "í": "í",
    "Í": "Í",
    "æ": "ỉ",
    "Æ": "Ỉ",
    "ó": "ĩ",
    "Ó": "Ĩ",
    "ò": "ị",
    "Ò": "Ị",
    "î": "ỵ",
    "Î": "Ỵ",
}
# VNI-Windows: mark bytes that follow a base vowel (lower-case bytes after lower-case
# vowels, upper-case ones after capitals), as combining sequences.
_CIRC, _BREVE = "\u0302", "\u0306"
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_VNI_MARKS = {
    "ù": _ACUTE,
    "ø": _GRAVE,
    "û": _HOOK,
    "õ": _TILDE,
    "ï": _DOT,
    "â": _CIRC,
    "á": _CIRC + _ACUTE,
    "à": _CIRC + _GRAVE,
    "å": _CIRC + _HOOK,
    "ã": _CIRC + _TILDE,
    "ä": _CIRC + _DOT,
    "ê": _BREVE,
    "é": _BREVE + _ACUTE,
    "è": _BREVE + _GRAVE,
    "ú": _BREVE + _HOOK,
    "ü": _BREVE + _TILDE,
    "ë": _BREVE + _DOT,
}
_VNI_MARKS.update({k.upper(): v for k, v in list(_VNI_MARKS.items())})
_VNI_SINGLE_TABLE = str.maketrans(_VNI_SINGLE)

# Code points a legacy-font text never contains: a text using them is real Unicode.
_UNICODE_ONLY = re.compile("[\u0102\u0103\u0110\u0111\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]")
_LATIN1_HIGH = re.compile("[\u00a0-\u00ff]")
_WORD = re.compile(r"[^\W\d_]+|[\u00a0-\u00ff]+")
_MIN_CHANGED_WORDS = 3
_MIN_GAIN = 0.5  # changed words turned valid minus those valid before, as a share
_SAMPLE = 200_000


def tcvn3_to_unicode(text: str) -> str:
    """Convert TCVN3 (ABC) text, read as Latin-1, to Unicode NFC."""
    return unicodedata.normalize("NFC", text.translate(_TCVN3_TABLE))


def vni_to_unicode(text: str) -> str:
    """Convert VNI-Windows text, read as Latin-1/Windows-1252, to Unicode NFC."""
    # Mark bytes first: "ô"/"ö" are also single letters (ơ/ư) and may carry a mark
    # themselves ("ôø" = ờ), so singles are mapped after the pairs are resolved.
    singles = text.translate(_VNI_SINGLE_TABLE)
    # After mapping, a vowel byte that was a mark is now a letter we must undo: marks
    # are looked up on the original text, position by position.
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        nxt = text[i + 1] if i + 1 < len(text) else ""
        base = singles[i]
        if base in "aeiouyAEIOUYơưƠƯ" and nxt in _VNI_MARKS and _vni_mark_case_ok(base, nxt):
            out.append(base + _VNI_MARKS[nxt])
            i += 2
            continue
        out.append(base if ch in _VNI_SINGLE else ch)
        i += 1
    return unicodedata.normalize("NFC", "".join(out))


def _vni_mark_case_ok(base: str, mark: str) -> bool:
    # Capital vowels take capital mark bytes and vice versa; "Hoøa" never mixes them.
    return base.isupper() == mark.isupper() or not mark.isalpha()


def detect_legacy(text: str) -> LegacyEncoding | None:
    """The legacy font encoding *text* was typed in, or ``None`` for real Unicode."""
    sample = text[:_SAMPLE]
    if _UNICODE_ONLY.search(sample) or not _LATIN1_HIGH.search(sample):
        return None
    best: tuple[float, LegacyEncoding | None] = (0.0, None)
    for name, convert in (("tcvn3", tcvn3_to_unicode), ("vni", vni_to_unicode)):
        gain = _syllable_gain(sample, convert(sample))
        if gain > best[0]:
            best = (gain, name)  # type: ignore[assignment]
    return best[1] if best[0] >= _MIN_GAIN else None


def _syllable_gain(before: str, after: str) -> float:
    """Among words the conversion changed: share valid after minus share valid before."""
    old_words = _WORD.findall(before)
    new_words = _WORD.findall(after)
    if len(old_words) != len(new_words):
        # VNI pairs merge two characters into one letter, never split words; a
        # mismatch means the conversion merged across word boundaries: not VNI.
        new_words = new_words[: len(old_words)]
    changed = [(o, n) for o, n in zip(old_words, new_words, strict=False) if o != n]
    if len(changed) < _MIN_CHANGED_WORDS:
        return 0.0
    valid_after = sum(1 for _, n in changed if is_syllable(n))
    valid_before = sum(1 for o, _ in changed if is_syllable(o))
    return (valid_after - valid_before) / len(changed)


def fix_legacy(text: str) -> tuple[str, LegacyEncoding | None]:
    """*text* converted to Unicode when it is TCVN3 or VNI, with the encoding found."""
    found = detect_legacy(text)
    if found == "tcvn3":
        return tcvn3_to_unicode(text), found
    if found == "vni":
        return vni_to_unicode(text), found
    return text, None
