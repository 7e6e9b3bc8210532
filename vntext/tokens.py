"""The one Vietnamese tokenizer: folded tokens, their bigrams, and accented words.

Vietnamese words are mostly two syllables written apart ("hành chính", "tham nhũng"), so
adjacent-token bigrams approximate word segmentation without a segmenter model. Folding
(:func:`vntext.normalize.fold`) makes "tham nhung" and "tham nhũng" the same token and
absorbs most OCR diacritic damage ("Ké hoach" → "ke hoach"). A document number such as
``3212/kh-ubnd`` stays one token and is also emitted piecewise ("3212", "kh", "ubnd"), so a
query that types only part of it still matches.

Every lexical consumer uses these functions: BM25 (:func:`terms`), the answer evidence
(:func:`term_set`, :func:`folded_tokens`) and the diacritic restorer (:func:`words`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from vntext.lexicon import ABBREVIATIONS
from vntext.normalize import canonical_tones, fold

_TOKEN = re.compile(r"\w+(?:[./:\-]\w+)*")
_SEPARATORS = re.compile(r"[./:\-]")
_WORD = re.compile(r"\w+")


def raw_tokens(text: str) -> list[str]:
    """Tokens of *text* as written (case and diacritics kept), compound numbers whole."""
    return _TOKEN.findall(text)


def clause_ends(text: str) -> frozenset[int]:
    """Indexes (in :func:`raw_tokens`) of the tokens a punctuation mark follows (",", ";",
    ":", "?", "!"): "… là bao nhiêu, xếp thứ mấy" ends a clause after "nhiêu"."""
    return frozenset(
        i for i, m in enumerate(_TOKEN.finditer(text)) if re.match(r"\s*[,;:?!]", text[m.end() :])
    )


def folded_tokens(text: str) -> list[str]:
    """Folded tokens of *text*; a compound number also yields its parts."""
    return _fold_tokens(text)[0]


def _fold_tokens(text: str) -> tuple[list[str], list[str]]:
    """(folded tokens with the parts of compound numbers, the tokens and bigrams of the
    expansions of the administrative abbreviations *text* writes), folding it once.

    Offices write "CCHC", "TTHC", "UBND" as often as the words; a question in words must
    find a passage in abbreviations and the other way round. Only a standalone token
    counts: "ubnd" inside a document number ("1766/QĐ-UBND") names the issuer, not a topic.
    """
    tokens: list[str] = []
    expanded: list[str] = []
    for raw in _TOKEN.findall(fold(text)):
        expansion = ABBREVIATIONS.get(raw)
        if expansion:
            words = expansion.split()
            expanded.extend(words)
            expanded.extend(bigrams(words))
        token = raw.replace("_", "")
        if not token:
            continue
        tokens.append(token)
        if _SEPARATORS.search(token):
            tokens.extend(part for part in _SEPARATORS.split(token) if part)
    return tokens, expanded


def bigrams(tokens: list[str]) -> Iterator[str]:
    """Adjacent pairs joined by ``_`` ("hanh", "chinh" → "hanh_chinh")."""
    return (f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False))


def terms(text: str) -> list[str]:
    """Folded tokens followed by their adjacent bigrams (what BM25 counts), then the
    tokens and bigrams of each abbreviation's expansion ("CCHC" → "cai", "cach", …,
    "cai_cach", …; see :func:`_fold_tokens`)."""
    tokens, expanded = _fold_tokens(text)
    return tokens + list(bigrams(tokens)) + expanded


def term_set(text: str) -> frozenset[str]:
    """Every folded token and adjacent bigram of *text* (what a passage offers)."""
    return frozenset(terms(text))


def words(text: str) -> list[str]:
    """Accented lower-case words in NFC with canonical tone placement (for restoring)."""
    return _WORD.findall(canonical_tones(unicodedata.normalize("NFC", text)).lower())
