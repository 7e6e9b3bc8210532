"""BM25 over diacritic-folded Vietnamese: syllables plus adjacent-syllable bigrams.

Vietnamese words are mostly two syllables written apart ("hành chính", "tham nhũng"),
so syllable bigrams approximate word segmentation without a segmenter model, and
folding makes "tham nhung" and "tham nhũng" the same token. Folding also absorbs
most OCR diacritic damage ("Ké hoach" → "ke hoach").

The index is immutable: a rebuild makes a new one and swaps it in, so readers never
see a half-built index.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from vntext.normalize import syllables


def tokenize(text: str) -> list[str]:
    """Folded syllables and the bigrams of consecutive syllables."""
    units = syllables(text)
    return units + [f"{a}_{b}" for a, b in zip(units, units[1:], strict=False)]


class BM25Index:
    """Okapi BM25 with an inverted index in NumPy arrays."""

    def __init__(self, ids: Sequence[str], texts: Sequence[str], k1: float = 1.2, b: float = 0.75):
        self.ids = list(ids)
        self._k1 = k1
        self._b = b
        postings: dict[str, list[tuple[int, int]]] = {}
        lengths = np.zeros(len(self.ids), dtype=np.float32)
        for row, text in enumerate(texts):
            counts = Counter(tokenize(text))
            lengths[row] = sum(counts.values())
            for term, tf in counts.items():
                postings.setdefault(term, []).append((row, tf))
        self._avgdl = float(lengths.mean()) if len(lengths) else 0.0
        self._norm = (k1 * (1 - b + b * lengths / max(self._avgdl, 1e-9))).astype(np.float32)
        n = len(self.ids)
        self._postings: dict[str, tuple[np.ndarray, np.ndarray, float]] = {}
        for term, plist in postings.items():
            rows = np.fromiter((r for r, _ in plist), dtype=np.int32, count=len(plist))
            tfs = np.fromiter((t for _, t in plist), dtype=np.float32, count=len(plist))
            idf = math.log(1 + (n - len(plist) + 0.5) / (len(plist) + 0.5))
            self._postings[term] = (rows, tfs, idf)

    def __len__(self) -> int:
        return len(self.ids)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every indexed text for *query* (zeros where nothing matches)."""
        out = np.zeros(len(self.ids), dtype=np.float32)
        for term, qtf in Counter(tokenize(query)).items():
            hit = self._postings.get(term)
            if hit is None:
                continue
            rows, tfs, idf = hit
            out[rows] += qtf * idf * tfs * (self._k1 + 1) / (tfs + self._norm[rows])
        return out

    def top(self, query: str, n: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """The *n* best (id, score) pairs with a positive score, optionally within *mask*."""
        scores = self.scores(query)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        positive = int(np.count_nonzero(scores > 0))
        n = min(n, positive)
        if n == 0:
            return []
        best = np.argpartition(-scores, n - 1)[:n]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in best]
