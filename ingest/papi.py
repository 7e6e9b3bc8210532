"""The eight PAPI content dimensions and the headings that name them.

Official Vietnamese names from papi.org.vn ("PAPI đo lường nội dung gì"). A section
belongs to a dimension only when its heading clearly names that dimension: the
heading, stripped of its numbering, is the official name, starts with it, is a
shortened form the plans use ("2. Công khai, minh bạch"), or is the full name with
a few OCR slips. Body text is never used:
a paragraph that mentions "tham nhũng" is not thereby about dimension 4.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from difflib import SequenceMatcher
from functools import lru_cache

from vntext.lexicon import DIMENSION_NAMES
from vntext.normalize import canonical_tones, fold

DIMENSIONS = DIMENSION_NAMES
"""PAPI dimension number → official Vietnamese name (one copy: :mod:`vntext.lexicon`)."""

# The shortest form of each name that is still unambiguous. "Thủ tục hành chính"
# without "công" is every second legal heading, so dimension 5 needs the full name.
_SHORT_FORMS = {
    1: "tham gia cua nguoi dan",
    2: "cong khai minh bach",
    3: "trach nhiem giai trinh",
    4: "kiem soat tham nhung",
    5: "thu tuc hanh chinh cong",
    6: "cung ung dich vu cong",
    7: "quan tri moi truong",
    8: "quan tri dien tu",
}
_NUMBERING = re.compile(r"^(?:[ivxlc]{1,7}|\d{1,2}(?:\.\d{1,2})*|[a-z])\s*[.):\-–]\s*")
_EXPLICIT = re.compile(r"\bchi so (?:noi dung|thanh phan) (?:thu |so )?([1-8])\b")
_NON_WORD = re.compile(r"[^0-9a-z]+")
# OCR of scanned plans garbles a letter or two per heading ("Kiém soat tham nhiing
# trong khu vuc cong"). A full official name is long and distinct, so a near match
# of similar length still names it; the length bound keeps "thủ tục hành chính"
# (no "công") from passing for dimension 5.
_OCR_SIMILARITY = 0.9
_OCR_LENGTH_SLACK = 3


def _normalise(text: str) -> str:
    return _NON_WORD.sub(" ", fold(canonical_tones(text))).strip()


_FULL_NAMES = {number: _normalise(name) for number, name in DIMENSIONS.items()}


def dimensions_for_heading(heading: str) -> set[int]:
    """PAPI dimensions a single heading names (usually none, at most a few)."""
    return set(_dimensions(heading))


@lru_cache(maxsize=4096)  # every chunk of a section asks about the same headings
def _dimensions(heading: str) -> frozenset[int]:
    folded = fold(canonical_tones(heading)).strip()
    found: set[int] = set()
    explicit = _EXPLICIT.search(_NON_WORD.sub(" ", folded))
    if explicit:
        found.add(int(explicit.group(1)))
    core = folded
    for _ in range(3):  # "II.", "4.", "a)" and the like, possibly stacked
        stripped = _NUMBERING.sub("", core, count=1)
        if stripped == core:
            break
        core = stripped
    core = _NON_WORD.sub(" ", core).strip()
    core = re.sub(r"^chi so (?:noi dung|thanh phan) (?:thu |so )?[1-8] ?", "", core).strip()
    if not core:
        return frozenset(found)
    for number, full in _FULL_NAMES.items():
        short = _SHORT_FORMS[number]
        if core.startswith(full):
            found.add(number)
        elif core.startswith(short) and full.startswith(core):
            # A truncated official name: "công khai minh bạch trong việc ra quyết định".
            found.add(number)
        elif (
            abs(len(core) - len(full)) <= _OCR_LENGTH_SLACK
            and SequenceMatcher(None, core, full).ratio() >= _OCR_SIMILARITY
        ):
            found.add(number)
    return frozenset(found)


def dimensions_for_path(headings: Iterable[str]) -> list[int]:
    """Union of the dimensions named by a section's headings, sorted.

    A chunk inherits the dimension of every enclosing section, so a bullet under
    "4. Kiểm soát tham nhũng trong khu vực công" is tagged 4.
    """
    found: set[int] = set()
    for heading in headings:
        found |= _dimensions(heading)
    return sorted(found)
