"""Put diacritics back into a query typed without them, using the indexed documents' own words.

The dense model (e5) understands "hạn chót báo cáo" but not "han chot bao cao": folded
Vietnamese is a different language to it. BM25 matches folded text anyway, but dense
retrieval needs the accented form. The documents themselves are the best dictionary for
the words staff ask about: every folded 1–2-syllable sequence maps to its most frequent
accented spelling in the corpus, and a query is restored greedily, longest match first.
Syllables the corpus never uses stay as typed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from vntext.normalize import fold, has_diacritics

_SYLLABLE = re.compile(r"\w+", re.UNICODE)
_MAX_N = 2


class DiacriticRestorer:
    """Most frequent accented spelling of each folded n-gram (n ≤ 2) in a corpus."""

    def __init__(self, texts: Iterable[str]) -> None:
        # One flat Counter of accented n-grams (not a Counter per folded key): the legal
        # corpus has hundreds of thousands of distinct n-grams.
        counts: Counter[str] = Counter()
        for text in texts:
            words = _SYLLABLE.findall(text.lower())
            for n in range(1, _MAX_N + 1):
                counts.update(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
        best: dict[str, tuple[int, str]] = {}
        for gram, count in counts.items():
            key = fold(gram)
            if key not in best or count > best[key][0]:
                best[key] = (count, gram)
        self._best = {key: gram for key, (_, gram) in best.items()}

    def restore(self, query: str) -> str:
        """*query* with diacritics restored where the corpus knows the words; else unchanged."""
        if has_diacritics(query):
            return query
        words = _SYLLABLE.findall(query.lower())
        out: list[str] = []
        i = 0
        while i < len(words):
            for n in range(min(_MAX_N, len(words) - i), 0, -1):
                best = self._best.get(" ".join(words[i : i + n]))
                if best is not None:
                    out.append(best)
                    i += n
                    break
            else:
                out.append(words[i])
                i += 1
        return " ".join(out)
