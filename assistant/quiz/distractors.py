"""Distractors: wrong options of the same type as the key, never a value that is also right.

Candidates come in tiers — the same section, the same document, the rest of the
corpus, then the closed lists of :mod:`assistant.quiz.lexicon` — and, for dates and
numbers, from neighbours of the key. A candidate is excluded when it is the key
(normalised), a sub- or super-string of it, listed as also correct for the fact, or
written in the quote itself (a value the source states next to the key may well be
right too). Among the rest, the choice prefers a similar length (within ±30 %), the same
surface form (a "Phòng …" for a "Phòng …"), then the nearer tier.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from assistant.quiz import matching
from assistant.quiz.facts import DOC_REF, Fact
from assistant.quiz.lexicon import (
    BANNED_OPTION_PHRASES,
    DIMENSIONS,
    MANAGEMENT_BOARD_UNITS,
    PROVINCIAL_AGENCIES_2023,
    PROVINCIAL_ROLES_2023,
    STANDARDS,
    TERM_FAMILIES,
)
from vntext.normalize import fold

SAME_SECTION, SAME_DOCUMENT, CORPUS, CLOSED_LIST, NEIGHBOUR = range(5)
LENGTH_TOLERANCE = 1.3


@dataclass(frozen=True)
class Candidate:
    """A possible wrong option and where it came from."""

    value: str
    tier: int
    document_id: str = ""
    section: str = ""


class DistractorBank:
    """All same-type values of a corpus, by pool, ready to be ranked for one fact."""

    def __init__(self, facts: Sequence[Fact]) -> None:
        self._by_pool: dict[str, list[tuple[str, str, str]]] = {}
        for f in facts:
            self._add(f.pool, f.value, f.document.id, f.passage.section)
            if f.kind == "report_via":
                self._add("unit", f.value, f.document.id, f.passage.section)
            for m in DOC_REF.finditer(f.quote):
                value = f"{m.group('type')} số {m.group('number')}"
                self._add("doc_ref", value, f.document.id, f.passage.section)
            for family, terms in TERM_FAMILIES.items():
                for term in terms:
                    if matching.contains(f.quote, term):
                        self._add(f"term:{family}", term, f.document.id, f.passage.section)
            for agency in PROVINCIAL_AGENCIES_2023:
                if matching.contains(f.quote, agency):
                    self._add("agency", agency, f.document.id, f.passage.section)

    def _add(self, pool: str, value: str, document_id: str, section: str) -> None:
        entries = self._by_pool.setdefault(pool, [])
        if (value, document_id, section) not in entries:
            entries.append((value, document_id, section))

    def candidates(self, fact: Fact) -> list[Candidate]:
        """Every candidate for *fact*'s pool, tiered relative to *fact*."""
        out: list[Candidate] = []
        for pool in _pools(fact.pool):
            for value, doc_id, section in self._by_pool.get(pool, []):
                if doc_id == fact.document.id:
                    tier = SAME_SECTION if section == fact.passage.section else SAME_DOCUMENT
                else:
                    tier = CORPUS
                out.append(Candidate(value, tier, doc_id, section))
        out.extend(Candidate(v, CLOSED_LIST) for v in _closed_list(fact))
        return out


def _pools(pool: str) -> list[str]:
    if pool == "unit":
        return ["unit", "agency"]
    if pool == "agency":
        return ["agency", "unit"]
    return [pool]


def _closed_list(fact: Fact) -> list[str]:
    pool = fact.pool
    if pool.startswith(("dimension@", "dimension_name@")):
        return [d.name for d in DIMENSIONS]
    if pool.startswith("dimension_english@"):
        return [d.english for d in DIMENSIONS]
    if pool == "unit":
        return list(MANAGEMENT_BOARD_UNITS) + list(PROVINCIAL_AGENCIES_2023)
    if pool == "agency":
        return list(PROVINCIAL_AGENCIES_2023)
    if pool == "role":
        parts = len([p for p in fact.value.split(",") if p.strip()])
        roles = list(PROVINCIAL_ROLES_2023)
        if parts < 2:
            return roles
        return [f"{a}, {b}" for i, a in enumerate(roles) for b in roles[i + 1 :]]
    if pool == "standard":
        return list(STANDARDS)
    if pool.startswith("term:"):
        return list(TERM_FAMILIES.get(pool[5:], ()))
    return []


def banned(option: str) -> bool:
    """True for 'all/none of the above' and 'A and B' style options."""
    folded = " " + " ".join(matching.tokens(option)) + " "
    return any(f" {' '.join(matching.tokens(p))} " in folded for p in BANNED_OPTION_PHRASES)


def excluded(fact: Fact, value: str) -> str:
    """Why *value* cannot be a distractor for *fact* ('' when it can)."""
    if matching.same(value, fact.value) or matching.overlaps(value, fact.value):
        return "duplicate"
    if any(matching.same(value, a) or matching.overlaps(value, a) for a in fact.also_correct):
        return "co_correct"
    if matching.contains(fact.quote, value) or (
        fact.evidence and matching.contains(fact.evidence, value)
    ):
        return "co_correct"
    if banned(value):
        return "banned"
    return ""


def _stable(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()


def _form(value: str) -> str:
    """A coarse surface form: the first word, or a digit pattern."""
    folded = fold(value)
    if re.fullmatch(r"[\d/.:, -]+", value):
        return re.sub(r"\d", "9", value)
    first = folded.split(" ")[0] if folded else ""
    parts = len([p for p in value.split(",") if p.strip()])
    return f"{first}|{min(parts, 3)}"


def _length_gap(value: str, key: str) -> float:
    return abs(math.log(max(len(value), 1) / max(len(key), 1)))


def choose(fact: Fact, bank: DistractorBank, k: int = 3) -> list[str]:
    """The *k* best distractors for an unordered fact (fewer when the pool is short)."""
    key = fact.value
    key_form = _form(key)
    seen: set[tuple[str, ...]] = set()
    ranked: list[tuple[tuple[float, ...], str]] = []
    for cand in bank.candidates(fact):
        norm = matching.tokens(cand.value)
        if norm in seen or excluded(fact, cand.value):
            continue
        seen.add(norm)  # overlaps between candidates are checked among the chosen below
        gap = _length_gap(cand.value, key)
        rank = (
            0.0 if gap <= math.log(LENGTH_TOLERANCE) else 1.0,
            0.0 if _form(cand.value) == key_form else 1.0,
            float(cand.tier),
            round(gap, 2),
            int(_stable(key, cand.value)[:8], 16),
        )
        ranked.append((rank, cand.value))
    ranked.sort()
    chosen: list[str] = []
    for _, value in ranked:
        value = same_case(value, key)
        if any(matching.overlaps(value, c) for c in chosen):
            continue
        if any(_share_part(value, c) for c in chosen):
            continue  # "X, Y" beside "X, Z" would single out the key by elimination
        chosen.append(value)
        if len(chosen) == k:
            break
    return chosen


def same_case(value: str, key: str) -> str:
    """*value* with its first letter cased like *key*'s ("quy chế …" beside "quy chế …"),
    unless that letter starts an acronym or a proper name ("Cổng Dịch vụ…", "UBND")."""
    if len(value) < 2 or not key or not value[1].islower():
        return value
    if key[0].islower() and value[0].isupper():
        if any(w[:1].isupper() for w in value.split()[1:]):
            return value  # a proper name: keep its capital
        return value[0].lower() + value[1:]
    if key[0].isupper() and value[0].islower():
        return value[0].upper() + value[1:]
    return value


def _share_part(a: str, b: str) -> bool:
    parts_a = {matching.tokens(p) for p in a.split(",") if p.strip()}
    parts_b = {matching.tokens(p) for p in b.split(",") if p.strip()}
    return len(parts_a) > 1 and len(parts_b) > 1 and bool(parts_a & parts_b)


# -- ordered values: dates, years, counted quantities ------------------------------------


def neighbours(fact: Fact) -> tuple[list[str], list[str]]:
    """Plausible wrong values below and above the key, nearest first, already filtered."""
    lower: list[str]
    higher: list[str]
    if fact.pool == "date":
        lower, higher = _date_neighbours(fact.value)
    elif fact.pool == "year":
        y = int(fact.value)
        lower = [str(y - d) for d in range(1, 6)]
        higher = [str(y + d) for d in range(1, 6)]
    else:
        lower, higher = _number_neighbours(fact.value)
        if fact.extra.get("noun") == "%":
            higher = [v for v in higher if int(v.replace(".", "")) <= 100]
    keep = [v for v in lower if not excluded(fact, v)], [v for v in higher if not excluded(fact, v)]
    return keep[0], keep[1]


def _date_neighbours(value: str) -> tuple[list[str], list[str]]:
    key = matching.parse_date(value)
    if key is None:
        return [], []

    def shift_month(d: date, months: int) -> date | None:
        month = d.month - 1 + months
        year, month = d.year + month // 12, month % 12 + 1
        try:
            return date(year, month, d.day)
        except ValueError:
            return None

    found: set[date] = set()
    for months in (-3, -2, -1, 1, 2, 3):
        shifted = shift_month(key, months)
        if shifted:
            found.add(shifted)
    for days in (-10, 10, -5, 5):
        found.add(key + timedelta(days=days))
    ordered = sorted(found, key=lambda d: abs((d - key).days))
    lower = [matching.format_like(d, value) for d in ordered if d < key]
    higher = [matching.format_like(d, value) for d in ordered if d > key]
    return lower, higher


def _number_neighbours(value: str) -> tuple[list[str], list[str]]:
    grouped = "." in value
    try:
        n = int(value.replace(".", ""))
    except ValueError:
        return [], []
    if n < 10:
        steps = [1, 2, 3, 4]
    elif n < 100:
        steps = [10, 20, 30, 40] if n % 10 == 0 else [5, 10, 15, 20] if n % 5 == 0 else [1, 2, 3, 4]
    else:
        magnitude = 10 ** (len(str(n)) - 2)
        steps = [magnitude * s for s in (1, 2, 3, 4)]

    def show(x: int) -> str:
        return f"{x:,}".replace(",", ".") if grouped else str(x)

    lower = [show(n - s) for s in steps if n - s > 0]
    higher = [show(n + s) for s in steps]
    return lower, higher


def choose_ordered(fact: Fact, position: int, k: int = 3) -> tuple[list[str], int] | None:
    """Options in ascending order with the key at *position* when possible.

    Returns (options, key index) or None when fewer than *k* neighbours exist.
    """
    lower, higher = neighbours(fact)
    want_low = min(position, len(lower))
    want_high = k - want_low
    if want_high > len(higher):
        want_high = len(higher)
        want_low = min(k - want_high, len(lower))
    if want_low + want_high < k:
        return None
    below = list(reversed(lower[:want_low]))
    above = higher[:want_high]
    return below + [fact.value] + above, len(below)


def feasible_positions(fact: Fact, k: int = 3) -> list[int]:
    """Key positions an ordered fact can take."""
    lower, higher = neighbours(fact)
    return [p for p in range(k + 1) if p <= len(lower) and k - p <= len(higher)]


def false_claim(fact: Fact, bank: DistractorBank) -> str:
    """One clearly wrong value for a 'false' true/false statement ('' when none)."""
    if fact.ordered:
        lower, higher = neighbours(fact)
        pick = [v for pair in zip(lower, higher, strict=False) for v in pair] or lower or higher
        if not pick:
            return ""
        return pick[int(_stable(fact.value, fact.quote)[:4], 16) % min(2, len(pick))]
    options = choose(fact, bank, k=3)
    if not options:
        return ""
    return options[int(_stable(fact.value, fact.quote)[:4], 16) % len(options)]
