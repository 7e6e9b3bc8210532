"""Units of Vietnamese administration as plans name them.

Recognition follows how unit names are written, not any one plan's list:

* a *head* noun, capitalised ("Phòng", "Văn phòng", "Ban", "Trung tâm", "Sở", "UBND",
  "Công chức", "Công an", "Trạm Y tế", "Trưởng", "Thủ trưởng", "Giám đốc", ...);
* then the proper part: capitalised components ("Hành chính", "Tổng hợp"), each with
  at most three lower-case syllables, joined by "và", "-", "&" (not when the next word
  starts another unit: "Sở Nội vụ, Văn phòng UBND tỉnh" is two units);
* then optionally an administrative level and its place name ("xã", "huyện Núi Thành").

Collectives ("các phòng, đơn vị trực thuộc", "UBND các xã, thị trấn", "Thủ trưởng các
cơ quan, đơn vị") are recognised from their nouns, and aliases from the document's own
"(sau đây gọi tắt là …)". All matching runs on folded text, so text typed without
diacritics is read the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.tasks.folding import fold_aligned, key
from vntext.normalize import fold

_HEADS = tuple(
    sorted(
        (
            "uy ban nhan dan",
            "hoi dong nhan dan",
            "chanh van phong",
            "chanh thanh tra",
            "uy ban mat tran to quoc",
            "mat tran to quoc",
            "ban chi huy quan su",
            "doan thanh nien",
            "hoi lien hiep phu nu",
            "van phong",
            "trung tam",
            "tram y te",
            "cong chuc",
            "cong an",
            "thanh tra",
            "chi cuc",
            "tong cuc",
            "bo phan",
            "thu truong",
            "giam doc",
            "pho giam doc",
            "chu tich",
            "pho chu tich",
            "kho bac",
            "benh vien",
            "dai truyen thanh",
            "chi nhanh",
            "truong",
            "phong",
            "ban",
            "so",
            "bo",
            "cuc",
            "vu",
            "hoi",
            "doan",
            "ubnd",
            "hdnd",
            "ubmttq",
        ),
        key=lambda h: -len(h),
    )
)
_HEAD_TOKENS = tuple(tuple(h.split()) for h in _HEADS)
_ACRONYM_HEADS = {"ubnd", "hdnd", "ubmttq"}
# Heads that are a whole unit once a level follows ("Công an xã", "UBND huyện").
_LEVEL_COMPLETE = {"cong an", "tram y te", "ubnd", "hdnd", "uy ban nhan dan", "ubmttq"}
_LEVELS = (
    ("thi", "tran"),
    ("thi", "xa"),
    ("thanh", "pho"),
    ("xa",),
    ("phuong",),
    ("huyen",),
    ("quan",),
    ("tinh",),
)
# Lower-case words that end a name: verbs, prepositions and role words that follow a
# unit in a sentence ("Phòng Tư pháp hướng dẫn …", "Công an xã chủ trì …"). Written with
# diacritics: "cửa" (Bộ phận Một cửa) is not "của", "thưởng" (Khen thưởng) is not
# "thường"; a word typed without diacritics is compared folded.
_STOP_TEXT = (
    "chủ phối thực tham có chịu xây theo hướng báo kiểm rà cập để về tại trong của với "
    "cho nhằm khi được đã sẽ là làm cần phải đảm tiếp tăng nâng đồng trước chậm hằng hàng "
    "định thường tổng nộp gửi trình tuyên mỗi này đó thì nếu hoặc cùng liên ban hoàn xử giải "
    "hỗ đôn bố phụ rút từ đánh kỳ lập áp sau gồm như niêm nắm phấn phân quyết vận thành "
    "bảo tổ ký chỉ giao đề tiến"
)
_STOP_WORDS = _STOP_TEXT.split()
_STOP_ACCENTED = set(_STOP_WORDS)
_STOP = {fold(w) for w in _STOP_WORDS}
# Folded, these are also name syllables ("Một cửa", "cán bộ", "Khen thưởng"): in text
# typed without diacritics they end a name only when a capitalised word follows ("cua So").
_AMBIGUOUS = {"cua", "bo", "thuong", "can", "tu", "giao"}
_STOP_BIGRAMS = {("cong", "khai"), ("to", "chuc"), ("cong", "bo"), ("trien", "khai")}
_TOKEN = re.compile(r"\w+|[^\w\s]")

_NOUN = (
    r"(?:doan the chinh tri - xa hoi|doan the|don vi|co quan ngang bo|co quan|dia phuong|"
    r"thi tran|thanh pho|bo phan|cong chuc|khu pho|to dan pho|phong|ban|nganh|so|"
    r"bo|xa|phuong|huyen|tinh|hoi|thon|vu|cuc|truong)"
)
_PERSON = r"(?:thu truong|truong|giam doc|lanh dao|chu tich|nguoi dung dau)"
_COLLECTIVE = re.compile(
    rf"(?<![0-9a-z])(?:{_PERSON}\s+)?(?:(?:ubnd|uy ban nhan dan)\s+)?cac\s+{_NOUN}"
    rf"(?:\s*(?:,|va)\s*(?:{_PERSON}\s+)?(?:cac\s+)?{_NOUN}(?![0-9a-z]))*"
    r"(?:\s+(?:truc thuoc|chuyen mon|co lien quan|lien quan|thuoc))*"
    r"(?:\s+(?:xa|phuong|thi tran|huyen|tinh)(?![0-9a-z]))?"
)
_NOUN_FINDER = re.compile(_NOUN)
_CENTRAL = re.compile(r"\s+trung uong(?![0-9a-z])")
# Which heads a collective noun covers when it is expanded to the units it names.
_ANY_UNIT = {"don vi", "co quan", "nganh", "co quan ngang bo"}
_NOUN_HEADS: dict[str, set[str]] = {
    "vu": {"vu"},
    "cuc": {"cuc", "tong cuc", "chi cuc"},
    "truong": {"truong"},
    "tinh": {"ubnd", "uy ban nhan dan"},
    "thanh pho": {"ubnd", "uy ban nhan dan"},
    "phong": {"phong"},
    "ban": {"ban", "ban chi huy quan su"},
    "so": {"so"},
    "bo": {"bo"},
    "cong chuc": {"cong chuc"},
    "bo phan": {"bo phan"},
    "hoi": {"hoi", "hoi lien hiep phu nu"},
    "doan the chinh tri - xa hoi": {
        "hoi",
        "doan",
        "doan thanh nien",
        "hoi lien hiep phu nu",
        "mat tran to quoc",
        "uy ban mat tran to quoc",
        "ubmttq",
    },
    "doan the": {
        "hoi",
        "doan",
        "doan thanh nien",
        "hoi lien hiep phu nu",
        "mat tran to quoc",
        "uy ban mat tran to quoc",
        "ubmttq",
    },
    "xa": {"ubnd", "uy ban nhan dan"},
    "phuong": {"ubnd", "uy ban nhan dan"},
    "thi tran": {"ubnd", "uy ban nhan dan"},
    "huyen": {"ubnd", "uy ban nhan dan"},
}
_ALIAS = re.compile(r"\((?:sau day\s+)?(?:goi tat|viet tat|goi)\s+la\s+([^()]{2,80}?)\)")


@dataclass(frozen=True)
class UnitMention:
    """A unit as written in the text: ``text[start:end]``."""

    start: int
    end: int
    name: str
    head: str  # folded head noun ("phong", "ubnd", ...); "" for a collective
    collective: bool = False
    nouns: tuple[str, ...] = ()  # a collective's nouns ("phong", "don vi")


@dataclass
class _Tok:
    start: int
    end: int
    raw: str
    low: str


def _tokens(text: str, folded: str) -> list[_Tok]:
    return [
        _Tok(m.start(), m.end(), m.group(), folded[m.start() : m.end()])
        for m in _TOKEN.finditer(text)
    ]


def _is_word(tok: _Tok) -> bool:
    return tok.raw[0].isalnum()


def _is_cap(tok: _Tok) -> bool:
    return tok.raw[0].isupper()


def _is_acronym(tok: _Tok) -> bool:
    letters = [c for c in tok.raw if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _is_stop(tok: _Tok, nxt: _Tok | None = None) -> bool:
    lower = tok.raw.lower()
    if lower != tok.low:  # written with diacritics: compare exactly
        return lower in _STOP_ACCENTED
    if tok.low in _AMBIGUOUS:
        return nxt is not None and _is_word(nxt) and _is_cap(nxt)
    return tok.low in _STOP


def _head_at(toks: list[_Tok], i: int) -> tuple[str, int] | None:
    """The head starting at token *i* (capitalised, or an acronym head)."""
    if i >= len(toks) or not _is_word(toks[i]):
        return None
    for head, parts in zip(_HEADS, _HEAD_TOKENS, strict=True):
        n = len(parts)
        if tuple(t.low for t in toks[i : i + n]) != parts:
            continue
        first = toks[i]
        if head in _ACRONYM_HEADS and not _is_acronym(first):
            continue
        if not _is_cap(first):
            continue
        return head, i + n
    return None


def _level_at(toks: list[_Tok], i: int) -> int:
    for parts in _LEVELS:
        n = len(parts)
        if tuple(t.low for t in toks[i : i + n]) == parts and all(
            _is_word(t) for t in toks[i : i + n]
        ):
            return n
    return 0


def _starts_unit(toks: list[_Tok], i: int) -> bool:
    if _head_at(toks, i) is not None:
        return True
    return i < len(toks) and toks[i].low == "cac"


def _named_at(text: str, toks: list[_Tok], i: int) -> tuple[UnitMention, int] | None:
    """A named unit starting at token *i*: the mention and the token index after it."""
    found = _head_at(toks, i)
    if found is None:
        return None
    head, j = found
    end_tok = -1  # last token that belongs to the name
    have_component = False
    lc_run = 0
    lc_limit = 3
    n = len(toks)
    while j < n:
        tok = toks[j]
        nested = None if have_component else _head_at(toks, j)
        if nested is not None and nested[1] - j > 1:
            # A spelled-out body inside the name: "Chánh Văn phòng Ủy ban nhân dân tỉnh".
            j = nested[1]
            end_tok = j - 1
            have_component = True
            lc_run = 0
            continue
        level = _level_at(toks, j)
        if level and tok.raw[0].islower():
            j += level
            end_tok = j - 1
            while j < n and _is_word(toks[j]) and _is_cap(toks[j]) and _head_at(toks, j) is None:
                end_tok = j
                j += 1
            break
        if _is_word(tok) and (_is_cap(tok) or _is_acronym(tok)):
            if have_component and _head_at(toks, j) is not None and not _is_acronym(tok):
                break  # "Phòng A Phòng B" (a missing comma): two units
            after_connector = j > 0 and (toks[j - 1].low == "va" or toks[j - 1].raw in "-–&,")
            # A component after "và"/"-" is usually short ("… và Tổng hợp", "… - Xây dựng").
            lc_limit = 2 if after_connector and have_component else 5
            have_component = True
            lc_run = 0
            end_tok = j
            j += 1
            continue
        if have_component and tok.low == "so" and j + 1 < n and toks[j + 1].raw.isdigit():
            # "Phòng Công chứng số 1", "Trường THCS số 2"
            end_tok = j + 1
            j += 2
            continue
        if have_component and tok.raw == "," and _lower_tail(toks, j + 1):
            j += 1  # "Phòng Phổ biến, giáo dục pháp luật"
            lc_run, lc_limit = 0, 4
            continue
        if _is_word(tok) and tok.low == "cac" and j + 1 < n and _is_cap(toks[j + 1]):
            j += 1
            continue
        if (
            _is_word(tok)
            and have_component
            and tok.raw[0].islower()
            and lc_run < lc_limit
            and not _is_stop(tok, toks[j + 1] if j + 1 < n else None)
            and tok.low != "va"
            and not (j + 1 < n and (tok.low, toks[j + 1].low) in _STOP_BIGRAMS)
        ):
            lc_run += 1
            end_tok = j
            j += 1
            continue
        connector = tok.low == "va" or tok.raw in ("-", "–", "&", ",")
        if connector and have_component and j + 1 < n:
            nxt = toks[j + 1]
            both_acronyms = _is_acronym(toks[j - 1]) and _is_acronym(nxt)
            if (
                _is_word(nxt)
                and (_is_cap(nxt) or _is_acronym(nxt))
                and (
                    both_acronyms
                    or (not _starts_unit(toks, j + 1) and tok.raw != ",")
                    or (tok.raw == "," and not _starts_unit(toks, j + 1) and _comma_inside(toks, j))
                )
            ):
                j += 1
                continue
        break
    if end_tok < 0:
        return None
    start, end = toks[i].start, toks[end_tok].end
    return UnitMention(start, end, text[start:end], head), end_tok + 1


_COLLECTIVE_WORDS = {"don", "co", "nganh", "phong", "ban", "cac", "so", "bo", "dia", "xa"}


def _lower_tail(toks: list[_Tok], k: int) -> bool:
    """After a comma: a lower-case continuation of the name ("…, giáo dục pháp luật") —
    one to four lower-case words that are not a verb, a collective or a level, followed by
    a verb/role word or the end of the clause."""
    count = 0
    while k < len(toks) and count < 5:
        tok = toks[k]
        if not _is_word(tok) or not tok.raw[0].islower():
            return 0 < count <= 4 and tok.raw in ".;:()"
        if count == 0 and (tok.low in _COLLECTIVE_WORDS or _level_at(toks, k)):
            return False
        if _is_stop(tok, toks[k + 1] if k + 1 < len(toks) else None):
            return 0 < count <= 4
        count += 1
        k += 1
    return 0 < count <= 4 and k >= len(toks)


def _comma_inside(toks: list[_Tok], j: int) -> bool:
    """A comma inside a name ("Văn hóa, Thể thao và Du lịch"): a "và" + capital follows
    within three words and no head starts before it."""
    for k in range(j + 2, min(j + 6, len(toks))):
        if toks[k].raw in (",", ";", ":", "(", ".") or _head_at(toks, k) is not None:
            return False
        if toks[k].low == "va":
            return k + 1 < len(toks) and _is_cap(toks[k + 1])
    return False


def _collective_at(text: str, folded: str, pos: int) -> UnitMention | None:
    match = _COLLECTIVE.match(folded, pos)
    if match is None:
        return None
    end = match.end()
    nouns = tuple(dict.fromkeys(_NOUN_FINDER.findall(match.group(0))))
    # "các phòng, đơn vị trực thuộc Ban Quản lý": the body they belong to.
    if re.search(r"(?:truc thuoc|thuoc)$", match.group(0)):
        tail = units_in(text[end:], limit=1, start_only=True, allow_space=True)
        central = _CENTRAL.match(folded, end)
        if tail:
            end += tail[0].end
        elif central is not None:  # "… trực thuộc Trung ương"
            end = central.end()
        else:  # "… thuộc Bộ", "… thuộc Sở": the body named by its head noun alone
            body = re.match(r"\s+[A-ZĐ]\w*(?:\s+[A-ZĐ]\w*)*", text[end:])
            if body is not None:
                end += body.end()
    name = text[pos:end].rstrip(" ,")
    return UnitMention(pos, pos + len(name), name, "", collective=True, nouns=nouns)


def unit_at(text: str, pos: int = 0) -> UnitMention | None:
    """The unit (named or collective) that starts exactly at *pos*, if any."""
    folded = fold_aligned(text)
    return _unit_at(text, folded, pos)


def _unit_at(text: str, folded: str, pos: int) -> UnitMention | None:
    collective = _collective_at(text, folded, pos)
    if collective is not None:
        return collective
    toks = _tokens(text[pos:], folded[pos:])
    if not toks or toks[0].start != 0:
        return None
    named = _named_at(text[pos:], toks, 0)
    if named is None:
        return None
    m = named[0]
    return UnitMention(m.start + pos, m.end + pos, m.name, m.head)


def units_in(
    text: str, *, limit: int | None = None, start_only: bool = False, allow_space: bool = False
) -> list[UnitMention]:
    """Every unit mention in *text*, left to right (``start_only``: only one at the start,
    after optional spaces when ``allow_space``)."""
    folded = fold_aligned(text)
    out: list[UnitMention] = []
    pos = 0
    if start_only:
        if allow_space:
            pos = len(text) - len(text.lstrip())
        found = _unit_at(text, folded, pos)
        return [found] if found else []
    for match in re.finditer(r"\w+", text):
        if match.start() < pos:
            continue
        found = _unit_at(text, folded, match.start())
        if found is not None and found.end > found.start:
            out.append(found)
            pos = found.end
            if limit and len(out) >= limit:
                break
    return out


def unit_list_at(text: str, pos: int) -> tuple[list[UnitMention], int]:
    """Units listed from *pos* ("Phòng A, Phòng B và Công an xã"): mentions and end."""
    folded = fold_aligned(text)
    found: list[UnitMention] = []
    while True:
        while pos < len(text) and text[pos] == " ":
            pos += 1
        mention = _unit_at(text, folded, pos)
        if mention is None:
            break
        found.append(mention)
        pos = mention.end
        sep = re.match(r"\s*(?:,|;|\bvà\b|\bva\b)\s*", text[pos:])
        if sep is None or _unit_at(text, folded, pos + sep.end()) is None:
            break
        pos += sep.end()
    return found, pos


def aliases(text: str) -> dict[str, str]:
    """Aliases the document defines: folded alias → the full name it stands for.

    "Ban Quản lý các KKT và KCN tỉnh (sau đây gọi tắt là Ban Quản lý)" maps
    "ban quan ly" to the full name written just before the parenthesis.
    """
    folded = fold_aligned(text)
    out: dict[str, str] = {}
    for match in _ALIAS.finditer(folded):
        alias = text[match.start(1) : match.end(1)].strip(" “”\"'")
        before = text[: match.start()].rstrip()
        # The full name is the unit mention that ends right before the parenthesis.
        best = None
        for mention in units_in(before[-200:]):
            if len(before[-200:]) - mention.end <= 1:
                best = mention
        if best is not None and key(alias) != key(best.name):
            out[key(alias)] = best.name
    return out


def unit_key(name: str, alias_map: dict[str, str] | None = None) -> str:
    """Comparison key of a unit name: folded, aliases resolved, "Ủy ban nhân dân" → "ubnd"."""
    k = key(name)
    if alias_map and k in alias_map:
        k = key(alias_map[k])
    k = k.replace("uy ban nhan dan", "ubnd").replace("hoi dong nhan dan", "hdnd")
    return re.sub(r"^cac ", "", k)


def member_heads(collective: UnitMention) -> set[str] | None:
    """Heads of the units a collective covers; ``None`` means any named unit."""
    heads: set[str] = set()
    for noun in collective.nouns:
        if noun in _ANY_UNIT:
            return None
        heads |= _NOUN_HEADS.get(noun, set())
    return heads


def display(name: str) -> str:
    """A unit name as a list entry: first letter upper case, trailing punctuation gone."""
    name = name.strip(" ,;:.")
    return name[:1].upper() + name[1:]
