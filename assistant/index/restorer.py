"""Put diacritics back into a query typed without them, using the indexed documents' own words.

The dense model (e5) understands "hạn chót báo cáo" but not "han chot bao cao": folded
Vietnamese is a different language to it. BM25 matches folded text anyway, but dense
retrieval needs the accented form. The documents themselves are the best dictionary for
the words staff ask about.

A folded syllable has several spellings ("nhung": "những", "nhũng", "nhưng"), and which
one is meant depends on its neighbours on both sides: "cần những gì" but "tham nhũng".
So a query is restored as a whole: the spelling of every syllable is chosen by a bigram
model of the corpus's accented words (Viterbi over the spellings each folded syllable has
in the corpus), smoothed as interpolated Kneser–Ney: an unseen pair falls back on how many
different words a spelling follows in the corpus, not on how often it occurs ("ương" is
common but almost only after "trung", so "uong tra" is "uống trà" rather than "ương
trà"), and a word followed by many different words ("xã") lends more of its mass to
unseen followers than a rare one ("xá"). Words the corpus never uses stay as typed and
break the context.

Counts are kept per segment of the index (:class:`Spellings`), so a change to one document
recounts that document only; :class:`DiacriticRestorer` sums the segments' counts for the
few n-grams a query contains. The smoothing's distinct counts (how many different words a
word follows) do not add up across segments, so each segment keeps the word sets and the
restorer counts their union: the same passages give the same spellings however they were
split into segments (one after a restart, several right after an ingest).
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence

from vntext.lexicon import FUNCTION_WORDS
from vntext.normalize import fold, has_diacritics
from vntext.tokens import words

DISCOUNT = 0.75
"""Kneser–Ney's absolute discount: what each seen pair gives up to the unseen ones."""
QUESTION_PRIOR = 20
"""Sightings credited to each function word of questions (``FUNCTION_WORDS``), as if a
document wrote it that often after that many different words: laws seldom write "ai",
"mấy" or "ở đâu", and without it "ai" would be restored as the "ái" of some name."""
MAX_SPELLINGS = 8
"""Spellings of one folded syllable considered (the most frequent first)."""
_LETTERS = re.compile(r"[^\W\d_]+")


class Spellings:
    """The accented n-grams (n ≤ 2) of some texts (an index segment's), grouped by their
    folded form."""

    __slots__ = ("_by_key", "after", "before", "credit", "words")

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
        self.words = 0
        """How many words the texts have (the unigram model's denominator)."""
        before: dict[str, set[str]] = {}
        after: dict[str, set[str]] = {}
        for (key, gram), count in counts.items():
            if " " in key:
                first, second = (sys.intern(w) for w in gram.split(" "))
                before.setdefault(second, set()).add(first)
                after.setdefault(first, set()).add(second)
            else:
                self.words += count
        self.before = {w: frozenset(s) for w, s in before.items()}
        """Accented word → the different words it follows (its continuation count's set)."""
        self.after = {w: frozenset(s) for w, s in after.items()}
        """Accented word → the different words that follow it."""
        self.credit = 0
        """Different words each word of :attr:`before` is credited with beyond its set (a
        prior's pseudo-count; none for texts)."""

    @classmethod
    def of_words(cls, known: Iterable[str], count: int) -> Spellings:
        """Spellings of single words, each seen *count* times after as many different words."""
        spellings = cls(())
        unique = sorted(set(known))
        grouped: dict[str, list[tuple[str, int]]] = {}
        for word in unique:
            grouped.setdefault(fold(word), []).append((word, count))
        spellings._by_key = {key: tuple(variants) for key, variants in grouped.items()}
        spellings.words = count * len(unique)
        # Each word is credited as if seen after (and before) *count* different words,
        # words of no text: pseudo-counts, added to the union of the texts' sets.
        spellings.before = spellings.after = dict.fromkeys(unique, frozenset())
        spellings.credit = count
        return spellings

    def variants(self, key: str) -> tuple[tuple[str, int], ...]:
        """(accented spelling, count) pairs of the folded n-gram *key*."""
        return self._by_key.get(key, ())


class DiacriticRestorer:
    """The likeliest accented spelling of a folded query, by the live documents' words."""

    def __init__(self, spellings: Sequence[Spellings]) -> None:
        self._spellings = [*spellings, Spellings.of_words(FUNCTION_WORDS, QUESTION_PRIOR)]
        self._words = sum(s.words for s in self._spellings)
        # Every different pair is one word's different predecessor: the pair types are
        # the continuation counts of all words, summed.
        seen = frozenset().union(*(s.before for s in self._spellings))
        self._pair_types = sum(self._distinct("before", word) for word in seen)

    def _totals(self, key: str) -> Counter[str]:
        totals: Counter[str] = Counter()
        for spelling in self._spellings:
            for gram, count in spelling.variants(key):
                totals[gram] += count
        return totals

    def restore(self, query: str) -> str:
        """*query* with diacritics restored where the corpus knows the words; else unchanged.

        Only folded words are restored; a word the corpus never writes is kept as typed
        and breaks the context, as does a number.
        """
        if has_diacritics(query):
            return query
        tokens = words(query)
        out = list(tokens)
        run: list[int] = []
        options: list[list[tuple[str, int]]] = []  # the spellings of each word of the run
        for i, token in enumerate([*tokens, ""]):
            known = self._totals(token) if token and _LETTERS.fullmatch(token) else None
            if known and fold(token) == token:
                run.append(i)
                options.append(sorted(known.items(), key=lambda item: (-item[1], item[0])))
                continue
            if run:
                keys = [tokens[j] for j in run]
                for j, word in zip(run, self._viterbi(keys, options), strict=True):
                    out[j] = word
                run, options = [], []
        return " ".join(out)

    def _viterbi(
        self, keys: Sequence[str], spellings: Sequence[Sequence[tuple[str, int]]]
    ) -> list[str]:
        """The likeliest spellings of a run of folded syllables the corpus knows, given
        each one's (spelling, count) pairs, the most frequent first."""
        total = max(self._words, 1)
        pair_types = max(self._pair_types, 1)
        options = [list(ranked[:MAX_SPELLINGS]) for ranked in spellings]
        # best[w] = (log probability of the best path ending in spelling w, that path)
        best = {w: (math.log(c / total), [w]) for w, c in options[0]}
        for i in range(1, len(keys)):
            pairs = self._totals(f"{keys[i - 1]} {keys[i]}")
            backoff = {
                prev: DISCOUNT * max(self._distinct("after", prev), 1) / unigram
                for prev, unigram in options[i - 1]
            }
            step: dict[str, tuple[float, list[str]]] = {}
            for word, _ in options[i]:
                continuation = max(self._distinct("before", word), 1) / pair_types
                score, path = max(
                    (
                        best[prev][0]
                        + math.log(
                            max(pairs.get(f"{prev} {word}", 0) - DISCOUNT, 0) / unigram
                            + backoff[prev] * continuation
                        ),
                        best[prev][1],
                    )
                    for prev, unigram in options[i - 1]
                )
                step[word] = (score, [*path, word])
            best = step
        return max(best.values(), key=lambda item: item[0])[1]

    def _distinct(self, field: str, word: str) -> int:
        """How many different words *word* follows ("before") or precedes ("after") in
        all segments together, plus the prior's pseudo-count."""
        sets = [found for s in self._spellings if (found := getattr(s, field).get(word))]
        union = len(sets[0]) if len(sets) == 1 else len(frozenset().union(*sets))
        return union + sum(s.credit for s in self._spellings if word in getattr(s, field))
