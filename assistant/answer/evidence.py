"""How well retrieved passages cover a question: the signals behind answers and refusals.

A question is reduced to its *content terms*: folded syllables minus Vietnamese
function words, plus the bigrams of adjacent content syllables (Vietnamese words are
mostly two syllables written apart, so "hộ chiếu" must match as a pair, not as "hộ"
and "chiếu" scattered through a passage). Terms are weighted by their inverse
document frequency over the live chunks, so words every chunk carries ("kế hoạch",
"PAPI") count for little and words the corpus has never seen count the most.

*Coverage* of a question by a text is the weighted share of its terms the text
contains, unigrams and bigrams averaged. The refusal gate (:class:`EvidenceGate`)
combines the best passage's coverage with the dense similarity the index reports.

Passages are also cut into quotable :class:`Unit` spans (bullets, sentences) whose
text is always ``stored_text[start:end]``, so a quote can never drift from the source.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from langchain_core.documents import Document

from assistant.answer.article_roles import ArticleRole, asked_term, plays, role_of
from assistant.index.instruments import (
    clause_references,
    instrument_numbers,
    instrument_of,
    named_documents,
    names_instrument,
    number_key,
    own_clauses,
    part_of_section,
)
from assistant.index.snapshot import SOURCE_NOTE, innermost_heading, without_urls
from ingest.model import SECTION_SEPARATOR
from vntext.lexicon import (
    ABBREVIATIONS,
    COUNTS_ITEMS,
    DIVISIONS,
    FUNCTION_WORDS,
    LIST_ITEM,
    MACHINE_MAY,
    PROVINCES,
)
from vntext.normalize import canonical_tones, fold
from vntext.syllables import is_syllable
from vntext.tokens import folded_tokens, raw_tokens, term_set

if TYPE_CHECKING:
    from assistant.index import SearchHit, Snapshot
    from assistant.storage import ManifestEntry


def _words(text: str) -> list[str]:
    return text.split()


# Function words removed from questions before matching. Accented forms are exact;
# an unaccented query word is treated as a stop word only when its folded form is in
# _FOLDED_STOP, which leaves out forms that fold together with content words
# ("bao" is "bao nhiêu" but also "báo cáo", "co" is "có" but also "cơ quan").
_STOP = FUNCTION_WORDS
_FOLDED_STOP = frozenset(
    _words(
        """
    la gi nao cua va khong sao khi cac cho duoc phai lam nhu the ai o nhieu hay hoac voi
    de trong ve theo den mot nay do kia viec ra con vay a toi em anh ta no se roi ma nen
    boi neu gom bi nua rat muon biet giup
    """
    )
)
# Words that say what kind of answer is wanted, not what it is about ("_" joins a pair).
_INTENT_WORDS = frozenset(
    _words(
        """
    hạn_chót hạn_cuối thời_hạn hạn_nộp chót deadline bao_giờ khi_nào ngày_nào năm_nào lúc_nào
    han_chot han_cuoi thoi_han han_nop chot bao_gio khi_nao ngay_nao nam_nao luc_nao
    bao_nhiêu bao_nhieu bao_lâu bao_lau thứ_mấy thu_may hạng_mấy hang_may
    đúng_hay hay_sai dung_hay
    """
    )
)
# A quiz-style check states the answer to verify after the question ("…? Câu trả lời
# đúng là: 24 tháng", "Đáp án sau là đúng: …"): what a passage must cover is the question.
_CLAIM = re.compile(
    r"(?<=[?.:])\s*(?:câu trả lời|cau tra loi|đáp án|dap an)\b[^:]{0,20}:.*$",
    re.IGNORECASE | re.DOTALL,
)
_DEADLINE_Q = re.compile(
    r"\b(hạn chót|hạn cuối|thời hạn|hạn nộp|deadline|chậm nhất|"
    r"han chot|han cuoi|thoi han|han nop|cham nhat)\b"
)
_DATE_Q = re.compile(
    r"\b(khi nào|bao giờ|ngày nào|năm nào|lúc nào|ngày bao nhiêu|thời gian nào|"
    r"khi nao|bao gio|ngay nao|nam nao|luc nao|ngay bao nhieu|thoi gian nao)\b"
)
_WHO_Q = re.compile(
    r"\b(ai|đơn vị nào|cơ quan nào|phòng nào|bộ phận nào|chủ trì|đầu mối|qua đâu|gửi đâu|"
    r"don vi nao|co quan nao|phong nao|bo phan nao|chu tri|dau moi|qua dau|gui dau)\b"
)
_BASIS_Q = re.compile(
    r"\b(căn cứ|quyết định nào|văn bản nào|quy định nào|theo quy định|kế hoạch nào|"
    r"can cu|quyet dinh nao|van ban nao|quy dinh nao|ke hoach nao)\b"
)
_LIST_Q = re.compile(
    r"\b(làm gì|những gì|việc gì|nhiệm vụ|gồm|những nội dung|các nội dung|biện pháp|giải pháp|"
    r"mục đích|yêu cầu|trách nhiệm|lam gi|nhung gi|viec gi|nhiem vu|gom|nhung noi dung|"
    r"cac noi dung|bien phap|giai phap|muc dich|yeu cau|trach nhiem)\b"
)

_NUMBER_Q = re.compile(r"\b(bao nhiêu|bao lâu|mấy|số lượng|tỷ lệ|tỉ lệ)\b")
_NUMBER_Q_FOLDED = re.compile(r"\b(bao nhieu|bao lau|may|so luong|ty le|ti le)\b")
_NUMBER = re.compile(
    r"\d|\b(một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|mươi|trăm|nghìn|ngàn|triệu|tỷ)\b"
)

_LIST_ITEM = re.compile(rf"(?m)^\s*{LIST_ITEM}\s")
_LIST_NUMBER = re.compile(r"(?m)^\s*(?:#{1,6}\s*)?(?:[IVXLC]+|\d{1,2})(?:\.\d{1,2})*[.)]\s")


def _norm(text: str) -> str:
    return canonical_tones(unicodedata.normalize("NFC", text)).lower()


@dataclass(frozen=True)
class QueryTerms:
    """The content of a question: what a passage must contain to answer it."""

    text: str
    unigrams: tuple[str, ...]
    bigrams: tuple[str, ...]
    wants_deadline: bool = False
    wants_date: bool = False
    wants_unit: bool = False
    wants_basis: bool = False
    wants_list: bool = False
    wants_number: bool = False
    """"bao nhiêu", "mấy", "bao lâu": the answer must contain a number."""
    entities: tuple[tuple[str, ...], ...] = ()
    """Named things the question is about ("Sở Nội vụ", "SJC", "Truyện Kiều"), as the
    folded terms a passage must all contain: a question about a name cannot be
    answered by a passage that never mentions it."""
    role: ArticleRole | None = None
    """The standard article the question asks for (definitions, scope, entry into force)."""
    asked: str = ""
    """The phrase an "X là gì?" question asks about, folded (:func:`asked_term`)."""
    counts_items: bool = False
    """The question asks how many items something comprises ("gồm mấy bước?")."""
    procedure: tuple[str, ...] = ()
    """The word pairs of the procedure a question names ("thủ tục đăng ký kết hôn …" →
    dang_ky, ky_ket, ket_hon, …; see :func:`procedure_pairs`)."""

    @classmethod
    def of(cls, question: str, known_names: frozenset[str] = frozenset()) -> QueryTerms:
        """Analyse *question* (with or without diacritics).

        A question typed in lower case without diacritics shows no capitals to find names
        by; *known_names* (the folded name pairs the documents write) stand in for them.
        """
        norm = _norm(_CLAIM.sub("", question).strip() or question)
        raw = [t.replace("_", "") for t in raw_tokens(norm)]
        raw = [t for t in raw if t]
        keep: list[str | None] = []
        for i, token in enumerate(raw):
            pair = "_".join(raw[i : i + 2])
            prev = "_".join(raw[max(0, i - 1) : i + 1])
            folded = fold(token)
            stop = token in _STOP or (folded == token and folded in _FOLDED_STOP)
            intent = token in _INTENT_WORDS or pair in _INTENT_WORDS or prev in _INTENT_WORDS
            if not (stop or intent) and folded in ABBREVIATIONS:
                # A passage offers an abbreviation's expansion either way (vntext.tokens.terms).
                keep.extend(ABBREVIATIONS[folded].split())
                continue
            keep.append(None if stop or intent else folded)
        unigrams: list[str] = []
        for kept in keep:
            if kept is None:
                continue
            unigrams.append(kept)
            if any(sep in kept for sep in "./:-"):
                unigrams.extend(p for p in re.split(r"[./:\-]", kept) if p)
        bigrams = [
            f"{a}_{b}"
            for a, b in zip(keep, keep[1:], strict=False)
            if a is not None and b is not None
        ]
        folded_q = fold(norm)
        return cls(
            text=question,
            unigrams=tuple(dict.fromkeys(unigrams)),
            bigrams=tuple(dict.fromkeys(bigrams)),
            wants_deadline=bool(_DEADLINE_Q.search(norm) or _DEADLINE_Q.search(folded_q)),
            wants_date=bool(_DATE_Q.search(norm) or _DATE_Q.search(folded_q)),
            wants_unit=bool(_WHO_Q.search(norm) or _WHO_Q.search(folded_q)),
            wants_basis=bool(_BASIS_Q.search(norm) or _BASIS_Q.search(folded_q)),
            wants_list=bool(_LIST_Q.search(norm) or _LIST_Q.search(folded_q)),
            entities=tuple(
                e
                for e in (named_entities(question) or _known_entities(question, known_names))
                if set(e) - _IMPLIED_NAME_TERMS
            ),
            wants_number=bool(
                _NUMBER_Q.search(norm)
                or (folded_q == norm and _NUMBER_Q_FOLDED.search(MACHINE_MAY.sub(" ", norm)))
            ),
            role=role_of(norm),
            asked=asked_term(question),
            counts_items=bool(COUNTS_ITEMS.search(" ".join(folded_tokens(question)))),
            procedure=procedure_pairs(question),
        )

    def number_found(self, text: str) -> bool:
        """True unless the question wants a number and *text* has none (list numbering
        aside). A question counting the items of a list ("bao gồm mấy nguyên tắc?") is
        answered by the list itself."""
        if not self.wants_number:
            return True
        if self.counts_items and len(_LIST_ITEM.findall(text)) >= 2:
            return True
        return bool(_NUMBER.search(_LIST_NUMBER.sub("", text).lower()))

    def names_found(self, terms: frozenset[str], kinds_too: bool = True) -> bool:
        """True when *terms* mention every named entity of the question (an abbreviation
        such as "UBND" also by its expansion, "Ủy ban nhân dân").

        The bodies every level has ("UBND", "HĐND") are kinds, not names: of several the
        question mentions, one will do ("đơn do đại biểu HĐND chuyển đến UBND xã …" is
        answered by the article on what đại biểu Hội đồng nhân dân forward). Without
        *kinds_too* they are not required at all: for choosing what to quote, a general
        provision ("biên lai của cơ quan thu …") answers for every body of the kind the
        question names ("biên lai của UBND phường …")."""
        kinds = [e for e in self.entities if len(e) == 1 and e[0] in ABBREVIATIONS]
        names = [e for e in self.entities if e not in kinds]
        if not all(_mentioned(entity, terms) for entity in names):
            return False
        if not kinds_too:
            return True
        if len(kinds) > 1:
            return any(_mentioned(kind, terms) for kind in kinds)
        return all(_mentioned(kind, terms) for kind in kinds)

    @property
    def topic(self) -> tuple[str, ...]:
        """The word pairs of what the question is about, besides the names and numbers it
        mentions ("năm 2023" is a condition on the answer, not its subject)."""
        named = self._name_parts
        return tuple(
            b
            for b in self.bigrams
            if not set(b.split("_")) & named and not any(c.isdigit() for c in b)
        )

    @property
    def _name_parts(self) -> frozenset[str]:
        """The syllables of the names the question mentions."""
        return frozenset(part for entity in self.entities for t in entity for part in t.split("_"))

    @property
    def empty(self) -> bool:
        """True when nothing but function words was asked."""
        return not self.unigrams

    def without(self, words: frozenset[str]) -> QueryTerms:
        """The question without *words* (and the pairs holding one); itself when nothing
        else would be left, or none of them is in it."""
        unigrams = tuple(u for u in self.unigrams if u not in words)
        if not unigrams or len(unigrams) == len(self.unigrams):
            return self
        bigrams = tuple(b for b in self.bigrams if not set(b.split("_")) & words)
        return replace(self, unigrams=unigrams, bigrams=bigrams)

    @property
    def unnamed(self) -> QueryTerms:
        """The question without the names it mentions: what a passage must cover besides
        naming them (itself when there are no names, or nothing else was asked)."""
        named = self._name_parts
        if not named:
            return self
        unigrams = tuple(u for u in self.unigrams if u not in named)
        bigrams = tuple(b for b in self.bigrams if not set(b.split("_")) & named)
        return replace(self, unigrams=unigrams, bigrams=bigrams) if unigrams else self


# Every loaded text is Vietnamese law or administration: the country ("ở Việt Nam",
# "người Việt Nam") is no name a passage must mention.
_IMPLIED_NAME_TERMS = frozenset(["viet_nam", "nguoi_viet", "nuoc_viet"])
_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


# What ends a procedure's name in a question: the predicate or a question word.
_PROCEDURE_END_WORDS = (
    "can duoc la co giai gom phai thi o tai cua de nhu nao gi khong bao may "
    "trong ve con hay bi mat ton lam"
)
_PROCEDURE_END = frozenset(_PROCEDURE_END_WORDS.split())


def procedure_pairs(question: str) -> tuple[str, ...]:
    """The word pairs of a named procedure ("Thủ tục làm hộ chiếu phổ thông cần …" →
    lam_ho, ho_chieu, chieu_pho, pho_thong): a TTHC is named by its words, and a passage
    on another procedure is no answer. "Thủ tục hành chính" is the generic term, and a
    name of one word is too short to tell procedures apart."""
    tokens = folded_tokens(question)
    for i in range(len(tokens) - 1):
        if tokens[i] != "thu" or tokens[i + 1] != "tuc":
            continue
        name: list[str] = []
        for token in tokens[i + 2 :]:
            if token in _PROCEDURE_END and name:
                break
            name.append(token)
        if name[:2] == ["hanh", "chinh"] or len(name) < 2:
            return ()
        return tuple(f"{a}_{b}" for a, b in zip(name, name[1:], strict=False))
    return ()


def _mentioned(entity: tuple[str, ...], terms: frozenset[str]) -> bool:
    if all(t in terms for t in entity):
        return True
    expansion = ABBREVIATIONS.get(entity[0]) if len(entity) == 1 else None
    if expansion is None:
        return False
    words = expansion.split()
    return all(f"{a}_{b}" in terms for a, b in zip(words, words[1:], strict=False))


def named_entities(question: str) -> tuple[tuple[str, ...], ...]:
    """Runs of capitalised words ("Sở Nội vụ" → so_noi, "SJC" → sjc), as folded terms.

    Vietnamese capitalises the first syllable of each word of a proper name, so a run
    of capitalised tokens marks a name. The question's first word counts only when it
    is an acronym or starts a run; function words ("Theo", "Của") end a run.
    """
    runs: list[list[str]] = []
    # Every sentence opens with a capital ("…? Câu trả lời là: …"): each first word is
    # judged like the question's own.
    for sentence in _SENTENCE_START.split(unicodedata.normalize("NFC", question)):
        # A name never runs across a comma: "… tại Hà Nội, Sở Tư pháp …" names two.
        for k, piece in enumerate(_NAME_BREAK.split(sentence)):
            runs.extend(_capital_runs(raw_tokens(piece), opener=k == 0))
    out: list[tuple[str, ...]] = []
    for run in runs:
        out.append(_entity(run))
    return tuple(dict.fromkeys(out))


def _entity(syllables: Sequence[str]) -> tuple[str, ...]:
    """A name as an entity: its adjacent word pairs ("so_noi", "noi_vu"), or the one
    syllable of a one-word name ("hue")."""
    if len(syllables) == 1:
        return (syllables[0],)
    return tuple(f"{a}_{b}" for a, b in zip(syllables, syllables[1:], strict=False))


_SENTENCE_START = re.compile(r"(?<=[.?!:;])\s+")
_NAME_BREAK = re.compile(r"[,;()“”\"]")


def _capital_runs(tokens: Sequence[str], opener: bool = True) -> list[list[str]]:
    """Runs of capitalised tokens of one sentence (or of a clause of it), its first word
    judged as an opener when *opener*."""
    runs: list[list[str]] = []
    current: list[str] = []
    for i, token in enumerate(tokens):
        lower = _norm(token)
        capital = token[:1].isupper() or any(c.isupper() for c in token[1:])
        acronym = sum(c.isupper() for c in token) >= 2
        first = opener and i == 0 and not acronym
        if first and not (len(tokens) > 1 and _word_capital(tokens[1])):
            capital = False
        if capital and lower not in _STOP:
            current.append(fold(canonical_tones(token)).replace("_", ""))
            continue
        # One capitalised syllable before a lower-case one opens a common word that
        # drafting capitalises ("Nghị định", "Văn phòng", "Chỉ số"), not a name.
        # "Mục Cung ứng dịch vụ công": a division word opens a heading's title, whose
        # first syllable alone is capitalised; it is no name.
        titled = len(current) == 2 and current[0] in DIVISIONS
        if (
            current
            and not titled
            and not (len(current) == 1 and _common_opener(tokens[i - 1], token))
        ):
            runs.append(current)
        current = []
    if current:
        runs.append(current)
    # "Ông A", "Công ty B": a party of a worked example is named by a letter, not a name.
    return [run for run in runs if len(run[-1]) > 1]


def _known_entities(question: str, names: frozenset[str]) -> tuple[tuple[str, ...], ...]:
    """Runs of adjacent word pairs of a lower-case, unaccented *question* that the documents
    write as names ("quang nam" → (quang_nam,)), and the acronyms they write ("pci" →
    (pci,)); none for a question with capitals."""
    if not names or question != question.lower() or fold(question) != question:
        return ()
    tokens = folded_tokens(question)
    # An acronym the documents write ("pci" for "PCI") is a name on its own.
    acronyms = [(t,) for t in tokens if t in names and "_" not in t]
    runs: list[list[str]] = []
    current: list[str] = []
    for a, b in zip(tokens, tokens[1:], strict=False):
        pair = f"{a}_{b}"
        if pair in names and a not in _FOLDED_STOP:
            current.append(pair)
            continue
        if current:
            runs.append(current)
        current = []
    if current:
        runs.append(current)
    return tuple(dict.fromkeys([*acronyms, *(tuple(run) for run in runs)]))


NAME_CONTINUES = 0.9
"""Share of the chunks writing a name pair that also write one same next pair: the name
goes on ("Ban Tiếp" → "Ban Tiếp công dân" in 99 of 101 chunks)."""
NAME_CONTINUES_MIN_CHUNKS = 3
"""Fewer chunks writing the name say nothing of how it goes on: every pair of a single
chunk is in all of them."""


def without_unfinished_names(
    query: QueryTerms, question: str, chunk_terms: Iterable[frozenset[str]]
) -> QueryTerms:
    """*query* without the names read in a lower-case, unaccented *question* whose
    words do not go on as the documents' name does.

    Folded, a name's first two syllables are often other words: "yeu cau ban tiep tuc
    thuc hien" holds ``ban_tiep`` of "Ban Tiếp công dân", "phong tu xay dung" holds
    ``phong_tu`` of "Phòng Tư pháp". Where the documents always write the pair followed
    by the same syllable ("công", "pháp") and the question goes on otherwise, the pair is
    those other words, not the name. A name whose documents continue it variously
    ("Quảng Nam") is unaffected.
    """
    if not query.entities or question != question.lower() or fold(question) != question:
        return query
    tokens = folded_tokens(question)
    chunks = list(chunk_terms)
    kept = []
    for entity in query.entities:
        if len(entity) != 1 or "_" not in entity[0]:
            kept.append(entity)
            continue
        pair = entity[0]
        first, last = pair.split("_", 1)
        after = [
            tokens[i + 2]
            for i in range(len(tokens) - 1)
            if (tokens[i], tokens[i + 1]) == (first, last) and i + 2 < len(tokens)
        ]
        holding = [t for t in chunks if pair in t]
        if len(holding) < NAME_CONTINUES_MIN_CHUNKS:
            kept.append(entity)
            continue
        prefix = f"{last}_"
        nexts = Counter(n for t in holding for n in t if n.startswith(prefix))
        # A section's heading is in the terms of every chunk under it: what follows the
        # name there ("Hòa Đông › 9. …") is no word of the name.
        going_on = {
            n.split("_", 1)[1]
            for n, c in nexts.items()
            if c >= NAME_CONTINUES * len(holding) and n.split("_", 1)[1].isalpha()
        }
        if going_on and after and not going_on.intersection(after):
            continue
        kept.append(entity)
    return replace(query, entities=tuple(kept)) if len(kept) < len(query.entities) else query


_PROVINCE_TOKENS = tuple(
    sorted({tuple(folded_tokens(name)) for name in PROVINCES}, key=len, reverse=True)
)
_UNIT_BEFORE_PROVINCE = (("tinh",), ("thanh", "pho"), ("tp",))


def unwritten_provinces(question: str, df: Callable[[str], int]) -> tuple[tuple[str, ...], ...]:
    """Provinces the question names after "tỉnh" / "thành phố" (with or without
    diacritics) that no loaded document writes, as entities a passage must mention.

    Typed in lower case without diacritics, "tinh lam dong … papi 2022" shows no capitals
    and names nothing the documents write, so it was answered from another province's
    table. Only a province the documents never write is added: the others are found by
    the documents' own names (:func:`_known_entities`).
    """
    tokens = folded_tokens(question)
    out: list[tuple[str, ...]] = []
    for i in range(len(tokens)):
        for unit in _UNIT_BEFORE_PROVINCE:
            if tuple(tokens[i : i + len(unit)]) != unit:
                continue
            start = i + len(unit)
            for name in _PROVINCE_TOKENS:
                if tuple(tokens[start : start + len(name)]) != name:
                    continue
                pairs = _entity(name)
                if all(df(p) == 0 for p in pairs):
                    out.append(pairs)
                break
    return tuple(dict.fromkeys(out))


def _common_opener(token: str, following: str) -> bool:
    """True when capitalised *token* is the first syllable of a word *following* goes
    on in lower case: a Vietnamese syllable (not "Covid-19", not an acronym), and the
    next token a lower-case word."""
    return (
        _word_capital(token)
        and is_syllable(token)
        and following[:1].isalpha()
        and following[:1].islower()
    )


def _word_capital(token: str) -> bool:
    """A capitalised word ("Nội"), not an acronym ("PAPI")."""
    return token[:1].isupper() and sum(c.isupper() for c in token) == 1


BIGRAM_WEIGHT = 0.5
"""Share of coverage that comes from word pairs (the rest from single syllables)."""


class CorpusStats:
    """What answering needs to know about one snapshot: term frequencies, each chunk's
    term sets, the chunks of every section in document order, reading positions, and
    (lazily, per request) each chunk's quotable units.

    Everything but the units is computed once per document by the snapshot
    (:class:`~assistant.index.snapshot.Snapshot`); this object only reads it, so making
    one per request costs nothing and never blocks.
    """

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.n = snapshot.n
        self.chunk_terms = snapshot.chunk_terms
        self.heading_terms = snapshot.heading_terms
        self.chunks = snapshot.chunks
        self.sections = snapshot.sections
        self.position = snapshot.position
        self.order = snapshot.order
        self._units: dict[tuple[str, bool], list[Unit]] = {}
        self._bearers: dict[str, frozenset[str]] = {}

    def terms_of(self, chunk_id: str, text: str) -> frozenset[str]:
        """The term set of a chunk (computed on the fly for a chunk not in the snapshot)."""
        found = self.chunk_terms.get(chunk_id)
        return found if found is not None else term_set(text)

    def named_terms(
        self,
        chunk_id: str,
        text: str,
        meta: Mapping[str, Any],
        entry: ManifestEntry | None,
        codified: bool = True,
    ) -> frozenset[str]:
        """The chunk's terms and those of the document that bears it (title, issuer,
        number): a row of a decision of UBND tỉnh Bình Thuận is about Bình Thuận though
        the row never says so. For checking the names a question mentions (*codified*:
        see :meth:`bearer_terms`)."""
        return self.terms_of(chunk_id, text) | self.bearer_terms(meta, entry, codified)

    def bearer_terms(
        self, meta: Mapping[str, Any], entry: ManifestEntry | None, codified: bool = True
    ) -> frozenset[str]:
        """The terms that name a chunk's document: its title, issuer, number and year
        ("Luật Tố cáo năm 2018"), cached per document.

        With *codified*, an article of a codification topic (pháp điển) also bears the
        name of the instrument it codifies: the topic is named for its subject, as the
        laws it codifies are, so an article of "Luật số 10/2022/QH15" under "Thực hiện
        dân chủ ở cơ sở" is one of "Luật Thực hiện dân chủ ở cơ sở". That name settles
        whether the article is about the law a question names, but it does not rank the
        article: the law's own text, where loaded, is still the one to cite.
        """
        doc_id = str(meta.get("document_id", "") or "")
        bearer = self._bearers.get(doc_id)
        if bearer is None:
            parts = [str(meta.get(k, "") or "") for k in ("title", "number")]
            if entry is not None:
                parts += [entry.title, entry.issuer, entry.number, entry.doc_type]
            years = {y for part in parts for y in _YEAR_IN_NAME.findall(part)}
            if entry is not None:
                years.update(_YEAR_IN_NAME.findall(entry.issue_date or ""))
            parts += [f"năm {y}" for y in sorted(years)]
            bearer = term_set("\n".join(parts))
            self._bearers[doc_id] = bearer
        title = str(meta.get("title", "") or "")
        if not codified or (entry is not None and entry.doc_type) or not title:
            return bearer
        kind, _ = instrument_of(meta)
        if not kind:
            return bearer
        key = f"{doc_id}\x1f{kind}"
        name = self._bearers.get(key)
        if name is None:
            name = bearer | term_set(f"{kind} {title}")
            self._bearers[key] = name
        return name

    def units(self, chunk: Document, notes: bool = False) -> list[Unit]:
        """The quotable units of *chunk* (cached for this request); with *notes*, its
        codification notes too ("(Điều 1 Luật số 10/2022/QH15 …, có hiệu lực thi hành
        kể từ ngày 01/07/2023)"), which state when the codified provision took effect."""
        cid = chunk.id or ""
        cached = self._units.get((cid, notes))
        if cached is None:
            meta = chunk.metadata
            skip = [str(meta.get(k, "") or "") for k in ("heading", "title")]
            skip += str(meta.get("section", "") or "").split(SECTION_SEPARATOR)
            skip += [strip_heading_number(s) for s in list(skip)]
            cached = passage_units(cid, chunk.page_content, skip, notes=notes)
            self._units[(cid, notes)] = cached
        return cached

    def idf(self, term: str) -> float:
        """Inverse document frequency; unseen terms weigh the most."""
        return math.log((self.n + 1) / (self.snapshot.df(term) + 0.5))

    def coverage(
        self, query: QueryTerms, terms: frozenset[str], bigram_weight: float = BIGRAM_WEIGHT
    ) -> float:
        """Weighted share of the query's terms found in *terms* (unigrams and bigrams mixed)."""
        uni = self._share(query.unigrams, terms)
        if not query.bigrams:
            return uni
        return (1 - bigram_weight) * uni + bigram_weight * self._share(query.bigrams, terms)

    def _share(self, wanted: Sequence[str], terms: frozenset[str]) -> float:
        total = found = 0.0
        for term in wanted:
            w = self.idf(term)
            total += w
            if term in terms:
                found += w
        return found / total if total else 0.0


@dataclass(frozen=True)
class EvidenceGate:
    """When retrieved passages are enough to answer.

    A question is answered when one retrieved passage covers at least ``min_coverage``
    of its weighted terms (and mentions every name the question asks about; see
    :attr:`QueryTerms.entities`). Calibrated on eval/plan_questions.jsonl (44 questions,
    each accented and folded to ASCII) against eval/out_of_scope.jsonl (20, both ways):
    the lowest in-scope best coverage measured 0.371, the highest out-of-scope 0.283;
    the threshold sits between them. The dense cosine is not used by default: with
    multilingual-e5-small the best hit scores 0.85–0.92 for in-scope and 0.77–0.85 for
    out-of-scope questions, so the ranges touch; ``min_dense`` can add it as an extra
    requirement for other embedding models.
    """

    min_coverage: float = 0.33
    min_dense: float | None = None

    def passes(self, coverage: float, dense: float | None) -> bool:
        """True when one passage with these signals is sufficient evidence."""
        if coverage < self.min_coverage:
            return False
        if self.min_dense is None:
            return True
        return dense is not None and dense >= self.min_dense


# -- quotable units ---------------------------------------------------------------------

_LINE_MARKER = re.compile(r"^(?:#{1,6}\s+|>\s*|[-*+•–]\s+|\(?\d{1,2}[.)]\s+|\(?[a-zđ][.)]\s+)")
_RECIPIENTS = re.compile(r"^noi nhan\b")
_SENTENCE_END = re.compile(r"(?<=[.;!?…])\s+(?=\S)")


@dataclass(frozen=True)
class Unit:
    """A quotable span of a stored passage: ``text == passage[start:end]``."""

    chunk_id: str
    start: int
    end: int
    text: str
    line: int
    sentences: tuple[tuple[int, int], ...] = field(default=())

    @property
    def words(self) -> int:
        """Length in words."""
        return len(self.text.split())


def passage_units(
    chunk_id: str, text: str, skip: Iterable[str] = (), notes: bool = False
) -> list[Unit]:
    """Cut a stored passage into quotable units: one per non-heading line, markers dropped.

    Lines that only repeat a heading (folded equal to one of *skip*) or are pure
    markup are left out, and codification notes unless *notes*. Each unit records its
    sentence spans (absolute offsets) so a long bullet can be trimmed at sentence
    boundaries and stay a substring.
    """
    skip_folded = {folded_text(s) for s in skip if s}
    units: list[Unit] = []
    offset = 0
    for line_no, line in enumerate(text.split("\n")):
        line_start = offset
        offset += len(line) + 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if SOURCE_NOTE.match(line) and not notes:
            continue
        if _RECIPIENTS.match(fold(line.strip(" *_-"))):
            # "Nơi nhận:" opens the recipient list and signature block: never content.
            break
        start = line_start + (len(line) - len(line.lstrip()))
        end = line_start + len(line.rstrip())
        body = text[start:end]
        marker = _LINE_MARKER.match(body)
        if marker:
            start += marker.end()
        # Bold/italic wrappers ("**Nơi nhận:**") are markup, not text to quote.
        while text[start:end].startswith(("**", "__")) and text[start:end].endswith(("**", "__")):
            start, end = start + 2, end - 2
        body = text[start:end].strip()
        if (
            not body
            or len(folded_tokens(without_urls(body))) < 2
            or folded_text(body) in skip_folded
        ):
            continue
        lead = len(text[start:end]) - len(text[start:end].lstrip())
        start += lead
        end = start + len(body)
        units.append(
            Unit(chunk_id, start, end, text[start:end], line_no, _sentences(text, start, end))
        )
    return units


def _sentences(text: str, start: int, end: int) -> tuple[tuple[int, int], ...]:
    spans = []
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        spans.append((cursor, match.start()))
        cursor = match.end()
    spans.append((cursor, end))
    return tuple((a, b) for a, b in spans if text[a:b].strip())


def folded_text(text: str) -> str:
    """*text* as its folded tokens, spacing, case and diacritics aside."""
    return " ".join(folded_tokens(text))


def strip_heading_number(heading: str) -> str:
    """ "4. Kiểm soát tham nhũng" → "Kiểm soát tham nhũng"; capitalise ALL-CAPS headings."""
    heading = re.sub(r"^(?:[IVXLC]+|\d+|[a-zđ])[.)]\s*", "", heading.strip()).strip().rstrip(":")
    letters = [c for c in heading if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        heading = heading[:1] + heading[1:].lower()
    return heading


def dense_of(hit: Any) -> float | None:
    """The hit's dense cosine similarity, if the dense retriever returned it."""
    value = getattr(hit, "dense_score", None)
    return float(value) if value is not None else None


@dataclass(frozen=True)
class ScoredHit:
    """A retrieved passage with the signals answering uses."""

    hit: SearchHit
    coverage: float
    heading_coverage: float
    entry: ManifestEntry | None
    weight: float = 1.0
    """Preference for the passage's instrument (:func:`instrument_weight`); ranks only,
    the refusal gate reads the coverage itself."""
    role: bool = False
    """The passage is the standard article the question asks for (:mod:`article_roles`)."""
    referenced: frozenset[str] = frozenset()
    """Terms of the retrieved clauses this passage applies to ("Thông tin quy định tại
    các khoản 7, 8, 9 Điều 11 … phải được niêm yết"): its coverage includes them."""

    @property
    def relevance(self) -> float:
        """Ranking score: coverage, plus a bonus when the chunk's own heading matches,
        plus the retrieval score, times the instrument's weight."""
        retrieval = RETRIEVAL_WEIGHT * self.hit.score
        role = ROLE_BONUS if self.role else 0.0
        return (
            self.coverage + HEADING_BONUS * self.heading_coverage + retrieval + role
        ) * self.weight

    @property
    def dense(self) -> float | None:
        """Dense cosine similarity, when the dense retriever returned this passage."""
        return dense_of(self.hit)


HEADING_BONUS = 0.7
"""Weight of the chunk's own heading matching the question, when ranking passages (0.5
before the retrieval score joined the ranking; raised so that a section the question
names, "Mục đích của kế hoạch … là gì?", still leads)."""

RETRIEVAL_WEIGHT = 0.4
"""Weight of the retrieval score (the fused dense + BM25 score, in [0, 1]) when ranking
passages. Term coverage alone cannot tell two articles that use the question's words
apart; the dense model's sense of what the passage is about can (tuned on the tuning
halves of the library and ALQAC sets: a plateau from 0.25 to 0.5)."""

ROLE_BONUS = 0.5
"""Bonus of the standard article the question asks for (:mod:`article_roles`): a
definition or entry-into-force article shares few words with the question."""

SUPERSEDED_PENALTY = 0.85
"""Coverage factor for passages of superseded documents: the version in force wins ties."""


CIRCULAR_WEIGHT = 0.9
"""Ranking weight of a passage from a circular (Thông tư) when the question names no
instrument. A ministry's circular details a law or decree for its own sector, often in
the same words; on a general question the law or decree that binds every agency is the
one to cite, so it wins near-ties."""

SECTOR_WEIGHTS = (0.8, 1.0)
"""Ranking weights of a circular confined to its issuer's field ("… trong Công an nhân
dân"), when the question does not name that field and when it does: on a general question
the general instrument is the one to cite, on a question about the field the circular
that governs it is."""

OTHER_INSTRUMENT_WEIGHT = 0.8
"""Ranking weight of a passage from another instrument than the one the question names
("theo Nghị định 130/2020 …")."""

AMENDED_WEIGHT = 0.9
"""Ranking weight of a passage of a document that another loaded document amends: its
text may no longer be the one in force, the amending clause (or a consolidated text)
is preferred when it answers as well."""

REPEALED_WEIGHT = 0.5
"""Ranking weight of a provision a loaded document says is no longer in force: quoted
only when nothing in force answers, and then flagged."""

# The heading of an article an amending clause quotes: “Điều 15. Quyết định công bố …
_QUOTED_ARTICLE = re.compile(r"^[“\"]Điều \d+[a-zđ]?\.\s*([^\n]+)$", re.MULTILINE)

_CIRCULARS = frozenset(["thông tư", "thông tư liên tịch"])


def amenders_of(meta: Mapping[str, Any], snapshot: Snapshot) -> list[str]:
    """Ids of the live documents that amend the instrument a passage comes from."""
    number = number_key(instrument_of(meta)[1])
    own = str(meta.get("document_id", ""))
    return [d for d in snapshot.amended_by.get(number, ()) if d != own] if number else []


def repeals_of(meta: Mapping[str, Any], snapshot: Snapshot) -> list[tuple[str, str]]:
    """(part, id of the ending document) for each loaded statement that the passage's
    provision is no longer in force ("Chương V của Luật … hết hiệu lực", "bị bãi bỏ")."""
    number = number_key(instrument_of(meta)[1])
    if not number:
        return []
    where = f"{meta.get('section', '') or ''}{SECTION_SEPARATOR}{meta.get('section_ref', '') or ''}"
    return [(p, by) for p, by in snapshot.repealed.get(number, ()) if part_of_section(where, p)]


def is_circular(meta: Mapping[str, Any]) -> bool:
    """True when the passage comes from a ministry's circular (Thông tư)."""
    return instrument_of(meta)[0] in _CIRCULARS


def instrument_weight(
    meta: Mapping[str, Any],
    numbers: Sequence[str],
    documents: Sequence[str] = (),
    sector: frozenset[str] = frozenset(),
    asked: Iterable[str] = (),
) -> float:
    """How much the passage's instrument is preferred for a question naming *numbers*
    or, by title, the *documents* (ids: a plan may have no number). *sector* is the
    issuer's word pairs of a circular confined to its field (``Snapshot.sectors``), which
    the question names when most of them are among its word pairs *asked*."""
    if numbers or documents:
        return 1.0 if names_instrument(meta, numbers, documents) else OTHER_INSTRUMENT_WEIGHT
    if sector:
        # Most of "Bộ Văn hóa, Thể thao và Du lịch", not one pair other names share
        # ("kế hoạch" of Kế hoạch và Đầu tư).
        return SECTOR_WEIGHTS[2 * len(sector.intersection(asked)) > len(sector)]
    return CIRCULAR_WEIGHT if instrument_of(meta)[0] in _CIRCULARS else 1.0


def score_hits(
    query: QueryTerms,
    hits: Sequence[SearchHit],
    stats: CorpusStats,
    entries: dict[str, ManifestEntry],
    named: Sequence[ManifestEntry] | None = None,
) -> list[ScoredHit]:
    """Coverage of *query* by each hit, best first (ties keep the retrieval order).

    *named* are the documents the question names (:func:`named_documents`, found from
    *query* when not given).
    """
    if named is None:
        named = named_documents(query.text, entries)
    numbers = instrument_numbers(query.text, named)
    unnumbered = tuple(e.id for e in named if not e.number)
    amended = stats.snapshot.amended_by
    # Clauses among the hits, by instrument: a provision that cites them applies to them.
    clauses: dict[tuple[tuple[str, str], str, str], frozenset[str]] = {}
    for hit in hits:
        for article, clause in own_clauses(str(hit.metadata.get("section_ref", "") or "")):
            key = (instrument_of(hit.metadata), article, clause)
            clauses[key] = clauses.get(key, frozenset()) | stats.terms_of(hit.chunk_id, hit.text)
    scored = []
    for hit in hits:
        entry = entries.get(hit.document_id)
        referenced: frozenset[str] = frozenset()
        if clauses:
            instrument = instrument_of(hit.metadata)
            for article, clause in clause_references(hit.text):
                referenced |= clauses.get((instrument, article, clause), frozenset())
        # A passage offers the words that name its document ("Luật Tố cáo năm 2018").
        terms = stats.named_terms(hit.chunk_id, hit.text, hit.metadata, entry, codified=False)
        coverage = stats.coverage(query, terms | referenced)
        if entry is not None and entry.status == "superseded":
            coverage *= SUPERSEDED_PENALTY
        heading = stats.heading_terms.get(hit.chunk_id)
        if heading is None:
            heading = term_set(innermost_heading(hit.metadata))
        heading_coverage = stats.coverage(query, heading)
        for quoted in _QUOTED_ARTICLE.findall(hit.text):
            # An amending clause quotes the article it rewrites, heading included.
            heading_coverage = max(heading_coverage, stats.coverage(query, term_set(quoted)))
        sector = stats.snapshot.sectors.get(number_key(instrument_of(hit.metadata)[1]))
        weight = instrument_weight(
            hit.metadata, numbers, unnumbered, sector or frozenset(), query.bigrams
        )
        if entry is not None and entry.number and number_key(entry.number) in amended:
            weight *= AMENDED_WEIGHT
        if repeals_of(hit.metadata, stats.snapshot):
            weight *= REPEALED_WEIGHT
        # A codification note ("…, có hiệu lực thi hành kể từ ngày …") heads every
        # codified article: it does not make the article the one that plays the role.
        role = query.role is not None and plays(
            query.role, innermost_heading(hit.metadata), SOURCE_NOTE.sub("", hit.text)
        )
        scored.append(ScoredHit(hit, coverage, heading_coverage, entry, weight, role, referenced))
    return sorted(scored, key=lambda s: (-round(s.relevance, 9), s.hit.rank))
