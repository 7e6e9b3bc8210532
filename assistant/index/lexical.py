"""BM25 over diacritic-folded Vietnamese, kept as one segment per document.

Tokens come from :func:`vntext.tokens.terms` (folded tokens plus adjacent bigrams), so
"tham nhung" and "tham nhũng" are the same term and word pairs approximate Vietnamese
words. Each document version has its own immutable :class:`LexicalSegment` (postings in
compressed-row arrays); a :class:`BM25` is a cheap view over the live segments, with
document frequencies and the average length summed over them at query time. Changing one
document therefore rebuilds one segment, never the whole index.
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from collections.abc import Sequence

import numpy as np

from vntext.tokens import terms


class LexicalSegment:
    """The postings of one document's chunks: term → (rows, term frequencies)."""

    __slots__ = ("_indptr", "_rows", "_term_row", "_tfs", "lengths", "total_length")

    def __init__(self, counts: Sequence[Counter[str]]) -> None:
        vocab: dict[str, int] = {}
        term_ids: list[int] = []
        rows: list[int] = []
        tfs: list[int] = []
        lengths: list[int] = []
        for row, count in enumerate(counts):
            term_ids.extend([vocab.setdefault(t, len(vocab)) for t in count])
            values = list(count.values())
            tfs.extend(values)
            rows.extend([row] * len(values))
            lengths.append(sum(values))
        self.lengths = np.asarray(lengths, dtype=np.float32)
        self.total_length = float(self.lengths.sum())
        ids = np.asarray(term_ids, dtype=np.int64)
        order = np.argsort(ids, kind="stable")  # compressed rows: postings grouped by term
        self._rows = np.asarray(rows, dtype=np.int32)[order]
        self._tfs = np.asarray(tfs, dtype=np.float32)[order]
        self._indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(ids, minlength=len(vocab)), out=self._indptr[1:])
        # Interned keys: the same term in many segments is stored once.
        self._term_row = {sys.intern(t): i for t, i in vocab.items()}

    def __len__(self) -> int:
        return len(self.lengths)

    def df(self, term: str) -> int:
        """In how many of this segment's chunks *term* occurs."""
        i = self._term_row.get(term)
        return 0 if i is None else int(self._indptr[i + 1] - self._indptr[i])

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(rows, term frequencies) of *term*, or None."""
        i = self._term_row.get(term)
        if i is None:
            return None
        start, end = self._indptr[i], self._indptr[i + 1]
        return self._rows[start:end], self._tfs[start:end]


class BM25:
    """Okapi BM25 over several segments laid end to end (row ids are global positions)."""

    def __init__(
        self,
        segments: Sequence[LexicalSegment],
        live: np.ndarray | None = None,
        k1: float = 1.2,
        b: float = 0.75,
    ) -> None:
        self._segments = list(segments)
        self._k1 = k1
        self._b = b
        self._offsets = np.zeros(len(self._segments) + 1, dtype=np.int64)
        np.cumsum([len(s) for s in self._segments], out=self._offsets[1:])
        rows = int(self._offsets[-1])
        self._live = live if live is not None else np.ones(rows, dtype=bool)
        lengths = (
            np.concatenate([s.lengths for s in self._segments])
            if self._segments
            else np.zeros(0, dtype=np.float32)
        )
        # Only live rows count: a replaced version's rows are masked out (see Snapshot).
        self.n = int(self._live.sum())
        self._rows = rows
        self._avgdl = float(lengths[self._live].sum()) / self.n if self.n else 0.0
        self._df: dict[str, int] = {}

    def __len__(self) -> int:
        return self.n

    def df(self, term: str) -> int:
        """In how many live rows *term* occurs (a replaced version's rows do not count)."""
        found = self._df.get(term)
        if found is None:
            found = 0
            for i, segment in enumerate(self._segments):
                hit = segment.postings(term)
                if hit is not None:
                    found += int(self._live[hit[0] + self._offsets[i]].sum())
            self._df[term] = found  # a benign race: every thread computes the same value
        return found

    def scores(self, query: str, segments: Sequence[int] | None = None) -> np.ndarray:
        """BM25 score of every row for *query*; only *segments* (indices) are scored if given."""
        out = np.zeros(self._rows, dtype=np.float32)
        chosen = range(len(self._segments)) if segments is None else segments
        avgdl = max(self._avgdl, 1e-9)
        for term, qtf in Counter(terms(query)).items():
            df = self.df(term)
            if df == 0:
                continue
            idf = math.log(1 + (self.n - df + 0.5) / (df + 0.5))
            for i in chosen:
                segment = self._segments[i]
                hit = segment.postings(term)
                if hit is None:
                    continue
                rows, tfs = hit
                norm = self._k1 * (1 - self._b + self._b * segment.lengths[rows] / avgdl)
                out[rows + self._offsets[i]] += qtf * idf * tfs * (self._k1 + 1) / (tfs + norm)
        return out

    def top(
        self,
        query: str,
        n: int,
        mask: np.ndarray | None = None,
        segments: Sequence[int] | None = None,
    ) -> list[tuple[int, float]]:
        """The *n* best (row, score) pairs with a positive score, optionally within *mask*."""
        scores = self.scores(query, segments)
        keep = self._live if mask is None else (self._live & mask)
        scores = np.where(keep, scores, 0.0)
        positive = int(np.count_nonzero(scores > 0))
        n = min(n, positive)
        if n == 0:
            return []
        best = np.argpartition(-scores, n - 1)[:n]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(int(i), float(scores[i])) for i in best]
