"""Put diacritics back into a query typed without them, using the indexed documents' own words.

The dense model (e5) understands "hạn chót báo cáo" but not "han chot bao cao": folded
Vietnamese is a different language to it. BM25 matches folded text anyway, but dense
retrieval needs the accented form. The documents themselves are the best dictionary for
the words staff ask about: every folded 1–2-word sequence maps to its most frequent
accented spelling in the corpus, and a query is restored greedily, longest match first.
Words the corpus never uses stay as typed.

Counts are kept per document (:class:`Spellings`), so a change to one document recounts
that document only; :class:`DiacriticRestorer` sums the live documents' counts for the few
n-grams a query contains.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Sequence

from vntext.normalize import fold, has_diacritics
from vntext.tokens import words

MAX_N = 2


class Spellings:
    """One document's accented n-grams (n ≤ 2), grouped by their folded form."""

    __slots__ = ("_by_key",)

    def __init__(self, texts: Iterable[str]) -> None:
        # Counted as (folded, accented) pairs; folding the joined words once keeps the
        # folded tokens aligned with the accented ones (folding never adds or drops a space).
        counts: Counter[tuple[str, str]] = Counter()
        for text in texts:
            tokens = words(text)
            keys = fold(" ".join(tokens)).split(" ") if tokens else []
            counts.update(zip(keys, tokens, strict=True))
            counts.update(
                (f"{a} {b}", f"{c} {d}")
                for a, b, c, d in zip(keys, keys[1:], tokens, tokens[1:], strict=False)
            )
        grouped: dict[str, list[tuple[str, int]]] = {}
        for (key, gram), count in counts.items():
            grouped.setdefault(sys.intern(key), []).append((gram, count))
        self._by_key = {key: tuple(variants) for key, variants in grouped.items()}

    def variants(self, key: str) -> tuple[tuple[str, int], ...]:
        """(accented spelling, count) pairs of the folded n-gram *key*."""
        return self._by_key.get(key, ())


class DiacriticRestorer:
    """Most frequent accented spelling of each folded n-gram over the live documents."""

    def __init__(self, spellings: Sequence[Spellings]) -> None:
        self._spellings = list(spellings)

    def best(self, key: str) -> str | None:
        """The most frequent accented spelling of folded *key*, or None when unseen."""
        totals: Counter[str] = Counter()
        for spelling in self._spellings:
            for gram, count in spelling.variants(key):
                totals[gram] += count
        if not totals:
            return None
        # Ties go to the lexicographically first spelling, so results never depend on order.
        return min(totals.items(), key=lambda item: (-item[1], item[0]))[0]

    def restore(self, query: str) -> str:
        """*query* with diacritics restored where the corpus knows the words; else unchanged."""
        if has_diacritics(query):
            return query
        tokens = words(query)
        out: list[str] = []
        i = 0
        while i < len(tokens):
            for n in range(min(MAX_N, len(tokens) - i), 0, -1):
                best = self.best(" ".join(tokens[i : i + n]))
                if best is not None:
                    out.append(best)
                    i += n
                    break
            else:
                out.append(tokens[i])
                i += 1
        return " ".join(out)
