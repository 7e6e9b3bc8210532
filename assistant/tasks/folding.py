"""Diacritic folding that keeps character positions.

Task rules match on folded text ("truoc ngay 15/12/2023" and "trước ngày 15/12/2023" are
the same deadline) but must cut verbatim spans out of the stored text, so the folded
string has exactly one character per original character.
"""

from __future__ import annotations

import re

from vntext.normalize import canonical_tones, fold

_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold_aligned(text: str) -> str:
    """``fold`` applied character by character: same length as *text*."""
    out: list[str] = []
    for ch in text:
        folded = fold(ch)
        out.append(folded[0] if len(folded) == 1 else ch.lower()[:1] or " ")
    return "".join(out)


def key(text: str) -> str:
    """A comparison key: folded, tone placement canonical, punctuation collapsed."""
    return _NON_WORD.sub(" ", fold(canonical_tones(text))).strip()
