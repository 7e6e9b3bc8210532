"""Is this a Vietnamese syllable? Rules of Vietnamese orthography, not a word list.

A written syllable is ``onset + rhyme`` plus at most one of five tone marks. The
onsets, the rhymes (optional medial glide, nucleus, coda) and the spelling rules that
tie them together (c/k/q, g/gh, ng/ngh, entering tones on -p/-t/-c/-ch) are those of
standard Vietnamese orthography as taught in schools (Quy tắc chính tả; QĐ
1989/QĐ-BGDĐT for tone placement, both placements accepted). Nothing here is learnt
from a document, so it judges any text the same way.

Used to tell a real text layer from OCR garbage ("Ké hoach", "ctia") and to check
that a legacy-font conversion produced Vietnamese.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_TONES = {"\u0301": "sac", "\u0300": "huyen", "\u0309": "hoi", "\u0303": "nga", "\u0323": "nang"}

# Longest first, so "ngh" is tried before "ng" and "n".
_ONSETS = (
    "ngh",
    "ng",
    "nh",
    "ch",
    "gh",
    "gi",
    "kh",
    "ph",
    "qu",
    "th",
    "tr",
    "b",
    "c",
    "d",
    "đ",
    "g",
    "h",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "x",
    "",
)

# Rhymes without a medial glide, grouped by nucleus.
_PLAIN_RHYMES = """
a ai ao au ay ac ach am an ang anh ap at
ăc ăm ăn ăng ăp ăt
âc âm ân âng âp ât âu ây
e eo ec em en eng ep et
ê êu êch êm ên ênh êp êt
i ia iu ich im in inh ip it iêc iêm iên iêng iêp iêt iêu
o oi oc om on ong op ot ooc oong
ô ôi ôc ôm ôn ông ôp ôt
ơ ơi ơm ơn ơp ơt
u ua ui uc um un ung up ut uôc uôi uôm uôn uông uôt
ư ưa ưi ưu ưc ưm ưn ưng ưp ưt ươc ươi ươm ươn ương ươp ươt ươu
y yêm yên yêt yêu
""".split()  # noqa: SIM905 - one line per nucleus reads like the published chart
# Rhymes with the medial glide o/u ("hoa", "thuyền").
_MEDIAL_RHYMES = """
oa oai oao oay oac oach oam oan oang oanh oap oat oăc oăm oăn oăng oăt
oe oeo oen oet
uân uâng uât uây uê uêch uênh uơ uy uya uych uyên uyêt uynh uyp uyt uyu
""".split()  # noqa: SIM905
_RHYMES = frozenset(_PLAIN_RHYMES) | frozenset(_MEDIAL_RHYMES)
# After "qu" the glide is part of the onset: "qua", "quân", "quy", "quyết", "quốc".
_QU_RHYMES = frozenset(r for r in _PLAIN_RHYMES if r[0] not in "uư") | frozenset(
    r[1:] for r in _MEDIAL_RHYMES if r.startswith("u")
)
_ENTERING_CODAS = ("p", "t", "c", "ch")  # only sắc or nặng may sit on these
_FRONT = ("i", "e", "ê", "y")  # vowels that take k/gh/ngh instead of c/g/ng
_VOWEL_MARKS = {"\u0302", "\u0306", "\u031b"}  # circumflex, breve, horn: part of the letter


@dataclass(frozen=True)
class Syllable:
    """A valid syllable split into its parts (lower case, tone removed)."""

    onset: str
    rhyme: str
    tone: str  # "" (ngang), "sac", "huyen", "hoi", "nga", "nang"


def parse_syllable(word: str) -> Syllable | None:
    """Split *word* into onset, rhyme and tone, or ``None`` when it is not a syllable."""
    if not word or len(word) > 8:  # the longest syllables ("nghiêng") have 7 letters
        return None
    decomposed = unicodedata.normalize("NFD", word.lower())
    tone = ""
    letters: list[str] = []
    for ch in decomposed:
        if ch in _TONES:
            if tone:
                return None  # two tone marks
            tone = _TONES[ch]
        elif unicodedata.combining(ch) and ch not in _VOWEL_MARKS:
            return None  # a diacritic Vietnamese does not use (ü, å, ç…)
        else:
            letters.append(ch)
    base = unicodedata.normalize("NFC", "".join(letters))
    if not base.isalpha():
        return None
    for onset in _ONSETS:
        if base.startswith(onset):
            rhyme = base[len(onset) :]
            if _allowed(onset, rhyme, tone):
                return Syllable(onset, rhyme, tone)
    return None


def is_syllable(word: str) -> bool:
    """True when *word* is a well-formed Vietnamese syllable (case and tone aside)."""
    return parse_syllable(word) is not None


def _allowed(onset: str, rhyme: str, tone: str) -> bool:
    if onset == "qu":
        if rhyme not in _QU_RHYMES:
            return False
    elif onset == "gi" and rhyme.startswith("ê"):
        # "giếng": the i of the rhyme "iêng" is written once, shared with the onset.
        if "i" + rhyme not in _RHYMES:
            return False
    elif rhyme not in _RHYMES:
        return False
    if tone and tone not in ("sac", "nang") and rhyme.endswith(_ENTERING_CODAS):
        return False
    if not tone and rhyme.endswith(_ENTERING_CODAS):
        return False
    front = rhyme.startswith(_FRONT)
    if onset == "c" and front:
        return False
    if onset == "k" and not front:
        return False
    if onset in ("gh", "ngh") and not (front and not rhyme.startswith("y")):
        return False
    if onset == "g" and rhyme.startswith(("e", "ê")):
        return False
    return not (onset == "ng" and rhyme.startswith(("i", "e", "ê")))


_LETTER_RUN = re.compile(r"[^\W\d_]+")
_ANY_MARK = re.compile("[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")


@dataclass(frozen=True)
class TextQuality:
    """How Vietnamese a text's words look, judged syllable by syllable."""

    words: int  # letter runs considered (upper-case abbreviations excluded)
    valid: int  # of those, well-formed syllables
    marked: int  # of those, carrying a Vietnamese diacritic or tone

    @property
    def valid_share(self) -> float:
        """Share of words that are well-formed syllables (1.0 for no words)."""
        return self.valid / self.words if self.words else 1.0

    @property
    def marked_share(self) -> float:
        """Share of words with a Vietnamese diacritic; ~0.7 in real Vietnamese prose."""
        return self.marked / self.words if self.words else 0.0


def text_quality(text: str) -> TextQuality:
    """Count words, valid syllables and diacritic-bearing words in *text*.

    Upper-case runs that are not syllables ("UBND", "PAPI", "HĐND") are abbreviations,
    not evidence either way, and are skipped.
    """
    words = valid = marked = 0
    for run in _LETTER_RUN.findall(text):
        ok = is_syllable(run)
        if not ok and run.isupper():
            continue
        words += 1
        valid += ok
        marked += bool(_ANY_MARK.search(run.lower()))
    return TextQuality(words=words, valid=valid, marked=marked)
