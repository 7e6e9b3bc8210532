"""Questions about a document's standard articles: its definitions, its scope, its entry
into force.

Vietnamese laws and decrees open and close with articles of fixed roles (the five laws
and Nghị định 63/2010 shipped in corpus/library all do; an amending decree may not):
"Phạm vi điều chỉnh", "Đối tượng áp dụng", "Giải thích từ ngữ" first, "Hiệu lực thi
hành" last; a decision states its own in a sentence ("Quyết định này có hiệu lực kể từ
ngày ký"). A question such as "X được hiểu là gì?", "Luật … áp dụng cho
ai?" or "… có hiệu lực từ khi nào?" is answered by that article, which often shares few
words with the question. This module recognises the kind of question and the article
that plays the role; the answerer fetches that article from the instruments the best
hits come from, and ranking gives it a bonus. Within a definitions article only the
definition of the term asked counts ("X là …" for "X … được hiểu là gì?"). Drafting
conventions only, never the wording of one document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vntext.normalize import fold
from vntext.tokens import folded_tokens


@dataclass(frozen=True)
class ArticleRole:
    """One standard article role: how a question asks for it and how it is headed."""

    name: str
    question: re.Pattern[str]
    """Matched against the question's folded tokens joined by spaces."""
    heading: re.Pattern[str]
    """Full match on the article heading, folded, without its number ("giai thich tu ngu")."""
    statement: re.Pattern[str] | None = None
    """A sentence that plays the role without a heading of its own (folded)."""


ROLES: tuple[ArticleRole, ...] = (
    ArticleRole(
        "definition",
        re.compile(
            r"\b(?:duoc hieu (?:la gi|nhu the nao|the nao|la)|hieu (?:nhu )?the nao (?:la|ve)|"
            r"the nao (?:la|duoc goi la)|dinh nghia|khai niem|nghia la gi|duoc giai thich)\b"
        ),
        re.compile(r"giai thich (?:tu ngu|thuat ngu)|dinh nghia|khai niem|tu ngu su dung"),
    ),
    ArticleRole(
        "scope",
        re.compile(
            r"\b(?:ap dung (?:cho|doi voi|voi) (?:ai|nhung ai|doi tuong nao|nhung doi tuong nao|"
            r"chu the nao|nhung chu the nao|co quan nao)|doi tuong ap dung|pham vi dieu chinh|"
            r"dieu chinh (?:nhung )?(?:gi|van de gi|noi dung gi|linh vuc gi|linh vuc nao))\b"
        ),
        re.compile(
            r"pham vi dieu chinh|doi tuong ap dung|pham vi dieu chinh va doi tuong ap dung|"
            r"pham vi (?:va )?doi tuong (?:ap dung|dieu chinh)"
        ),
    ),
    ArticleRole(
        "effect",
        re.compile(
            r"\bhieu luc (?:thi hanh )?(?:tu |ke tu )?(?:khi nao|ngay nao|bao gio|luc nao|"
            r"thoi diem nao|tu ngay nao|tu khi nao)|\b(?:khi nao|ngay nao|bao gio|luc nao)\b"
            r"[a-z ]{0,20}\bco hieu luc\b(?! phap luat)|\bhieu luc thi hanh\b"
        ),
        re.compile(r"hieu luc(?: thi hanh)?|dieu khoan thi hanh|hieu luc va trach nhiem thi hanh"),
        re.compile(r"\bco hieu luc (?:thi hanh )?(?:ke )?tu\b"),
    ),
)
"""The roles recognised, in the order a question is tested against them."""

# "Điều 3.", "Điều 44.12.NĐ.3." (a codified article's number), "Mục 2:" before the heading.
_NUMBERED = re.compile(r"^\s*(?:dieu|muc|chuong|phan)\s+\S+\s+", re.IGNORECASE)


def _folded(text: str) -> str:
    return " ".join(folded_tokens(text))


def role_of(question: str) -> ArticleRole | None:
    """The standard article *question* asks for, if any."""
    folded = _folded(question)
    for role in ROLES:
        if role.question.search(folded):
            return role
    return None


def plays(role: ArticleRole, heading: str, text: str = "") -> bool:
    """True when an article headed *heading* (or a passage stating *text*) plays *role*."""
    bare = _folded(_NUMBERED.sub("", fold(heading)))
    if bare and role.heading.fullmatch(bare):
        return True
    return bool(role.statement and text and role.statement.search(_folded(text)))


# "1. Quy định hành chính là …", "Tiếp cận thông tin được hiểu là …": the term defined.
_DEFINIENDUM = re.compile(r"^(.{3,80}?)\s+(?:được hiểu là|là)\s", re.IGNORECASE)


def definiendum(text: str) -> str:
    """The term a definition defines ("Quy định hành chính" of "Quy định hành chính là
    …"), or "" when *text* is no definition."""
    match = _DEFINIENDUM.match(text.strip())
    return match.group(1) if match else ""


# The term a definition question asks about, on the folded question: "X được hiểu là
# gì?", "X là gì?", "thế nào là X?", "định nghĩa (về) X (như thế nào)", "khái niệm X".
_ASKED_TERM = (
    re.compile(
        r"^(?:(?:theo|trong|tai|o) [^,]+ ?, )?(.+?) "
        r"(?:duoc hieu (?:la gi|nhu the nao|the nao|la)|nghia la gi|la gi)\b"
    ),
    re.compile(r"\b(?:the nao la|the nao duoc goi la) (.+?)(?: theo\b|$)"),
    re.compile(
        r"\b(?:dinh nghia|khai niem)(?: ve)? (.+?)(?: (?:nhu the nao|la gi|the nao|theo)\b|$)"
    ),
)


def asked_term(question: str) -> str:
    """The term a definition question asks about, folded ("quy dinh hanh chinh …" of
    "Quy định hành chính … được hiểu là gì?"), or ""."""
    # Folded with its commas, so that "Theo Luật …, X là gì?" is read for X.
    folded = re.sub(r"\s+", " ", re.sub(r"[^\w,/\s]", " ", fold(question).lower())).strip()
    for pattern in _ASKED_TERM:
        match = pattern.search(folded)
        if match:
            return _folded(match.group(1))
    return ""


def defines(term: str, asked: str) -> bool:
    """True when a definition of *term* answers a question about *asked*: the asked
    phrase starts with the defined term ("quy định hành chính mà người dân …" is
    about "quy định hành chính") or the other way round."""
    a, b = _folded(term).split(), asked.split()
    return bool(a and b) and (b[: len(a)] == a or a[: len(b)] == b)
