"""Line-based outline of a Vietnamese administrative or legal text.

The parser walks cleaned lines once and keeps a stack of open headings:

* legal layout: Phần / Phụ lục › Chương › Mục › Điều (plain "Điều 5." or a pháp điển
  code "Điều 44.5.NĐ.1."), with khoản "1." and điểm "a)" as content items;
* administrative layout (plans, reports): Roman "I.", upper-case letter "A.", Arabic
  "1." / "1.1." headings, and "-", "–", "+", "•" bullets as content items;
* Markdown "#" headings, which nest by level above all plain-text headings;
* pipe tables: a merged-cell group row ("| I | LĨNH VỰC CHỨNG THỰC (17 TTHC) | | |")
  opens a heading; every data row is a content block that remembers the header.

Whether "1. Mục đích" is a heading or a numbered content item depends on context:
inside an article it is a khoản (content); elsewhere a short line without final
punctuation that is followed by content is a heading. The output is a flat list of
:class:`Block`s, each carrying its heading path; blocks that belong together (a
khoản with its điểm, a bullet with its sub-bullets) share a ``group`` number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ingest import phapdien

HeadingKind = Literal[
    "markdown",
    "part",
    "annex",
    "chapter",
    "section",
    "letter",
    "roman",
    "article",
    "number",
    "table_group",
]
BlockKind = Literal["para", "item", "row"]

_RANK: dict[str, int] = {
    "part": 10,
    "annex": 10,
    "chapter": 20,
    "section": 30,
    "letter": 33,
    "roman": 35,
    "article": 40,
    "number": 50,
    "table_group": 90,
}
# Headings of these kinds close an open heading of the same kind even when that one
# is a Markdown heading ("## Điều 5" followed by a plain "Điều 6.").
_SIBLING_KINDS = {"part", "annex", "chapter", "section", "roman", "letter", "article"}


@dataclass(frozen=True)
class Heading:
    """One heading as written, with what a reference needs."""

    kind: HeadingKind
    text: str  # display text as written, e.g. "Điều 5. Quyền của người tố cáo"
    label: str  # short label: "II", "4", "Điều 5", "Chương I", "I.1"
    rank: int  # nesting rank: lower is outer (Markdown levels 1-6, plain text 10+)
    line: int  # index of its first line
    article: bool = False  # an article (Điều): numbered lines under it are khoản
    citation: str = ""  # pháp điển: original article, "Điều 1 Luật số 42/2013/QH13"


@dataclass
class Block:
    """A run of content lines ``first..last`` (inclusive) under one heading path."""

    path: tuple[Heading, ...]
    kind: BlockKind
    first: int
    last: int
    depth: int = 0  # 0 paragraph, 1 numbered item/khoản, 2 điểm, 3 bullet, 4 sub-bullet
    label: str = ""  # khoản number of a numbered item directly under an article
    group: int = 0
    sticky: bool = False  # an intro ("… như sau:") or pháp điển provenance line
    header: tuple[int, int] | None = None  # table header lines of a row


@dataclass
class Outline:
    """The parsed text: its lines, content blocks and which lines were headings."""

    text: str
    lines: list[str]
    starts: list[int]
    blocks: list[Block] = field(default_factory=list)
    heading_lines: set[int] = field(default_factory=set)
    title_headings: list[str] = field(default_factory=list)  # leading Markdown titles

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Character span in :attr:`text` from line *first* to the end of line *last*."""
        return self.starts[first], self.starts[last] + len(self.lines[last])


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_EMPHASIS = re.compile(r"^(?:\*\*|__|\*|_)(.+?)(?:\*\*|__|\*|_)$")
# "Dieu", "Chuong", "Muc": the same headings in text typed or OCR'd without diacritics.
_CODE_ARTICLE = re.compile(r"^(?:Điều|ĐIỀU|Dieu|DIEU)\s+(" + phapdien.CODE + r")\.\s*(.*)$")
_ARTICLE = re.compile(r"^(?:Điều|ĐIỀU|Dieu|DIEU)\s+(\d{1,4}[a-zđ]?)(?:\s*[.:]\s*(.*))?$")
_PART = re.compile(
    r"^(?:Phần|PHẦN)\s+((?:thứ|THỨ)\s+[^\s.:]+|[IVXLC]{1,7}|\d{1,2})\b\.?\s*[:.\-–]?\s*(.*)$"
)
_ANNEX = re.compile(
    r"^(?:Phụ lục|PHỤ LỤC|Phụ Lục)(?:\s+(?:số\s+)?([IVXLC]{1,7}|\d{1,3}[a-zA-Z]?))?\b"
    r"\.?\s*[:.\-–]?\s*(.*)$"
)
_CHAPTER = re.compile(
    r"^(?:Chương|CHƯƠNG|Chuong|CHUONG)\s+([IVXLC]{1,7}|\d{1,3})\b\.?\s*[:.\-–]?\s*(.*)$"
)
_SECTION = re.compile(r"^(?:Mục|MỤC|Muc|MUC)\s+([IVXLC]{1,7}|\d{1,3})\b\.?\s*[:.\-–]?\s*(.*)$")
_ROMAN = re.compile(r"^([IVXLC]{1,7})\s*[.)\-–]\s+(\S.*)$")
_LETTER = re.compile(r"^([A-ZĐ])\s*[.)]\s+(\S.*)$")
_NUMBER = re.compile(
    r"^(\d{1,2}(?:\.\d{1,2}){0,3})[.)]\s+(\S.*)$|^(\d{1,2}(?:\.\d{1,2}){1,3})\s+(?=[^\W\d_])(\S.*)$"
)
_VALID_ROMAN = re.compile(r"^(?:X{0,3})(?:IX|IV|V?I{0,3})$")

_NUMBERED_ITEM = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){0,3})[.)](?:\s+|(?=[^\W\d_]))")
_LETTER_ITEM = re.compile(r"^([a-zđ])(?:\)\s*|\.\s+(?=[^\W\d_]))(?=\S)")
_BULLET_ITEM = re.compile(r"^(?:([-–—•·●○■□▪►✓])\s*(?=\S)|([*+])\s+(?=\S))")

_ENDS_SENTENCE = re.compile(r"[.;,!?…]$")
_HAS_ALNUM = re.compile(r"\w")
# The closing formula of an administrative document ("Trên đây là Kế hoạch …", "Nơi nhận:")
# belongs to the document as a whole, not to the last numbered section above it.
_CLOSING = re.compile(r"^(?:Trên đây là|TRÊN ĐÂY LÀ|Nơi nhận|NƠI NHẬN)\b")
_SEPARATOR_CELL = re.compile(r"^:?-{2,}:?$")
_GROUP_LABEL = re.compile(r"^(?:[IVXLC]{1,7}|[A-ZĐ])(?:\.\d{1,2}){0,2}\.?$")
_INLINE_GROUP = re.compile(r"^([IVXLC]{1,7}|[A-ZĐ])\.\s+(\S.*)$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def parse_outline(text: str) -> Outline:
    """Parse cleaned *text* (NFC, one paragraph or item per line) into an outline."""
    lines = text.split("\n")
    starts: list[int] = []
    offset = 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    outline = Outline(text=text, lines=lines, starts=starts)
    _Parser(outline).run()
    return outline


def _strip_closing_hashes(text: str) -> str:
    """Drop an ATX closing sequence ("## Title ##"); done by hand because a regex
    for it backtracks quadratically on a hostile line of "#" characters."""
    stripped = text.rstrip().rstrip("#")
    if stripped != text.rstrip() and (not stripped or stripped.endswith((" ", "\t"))):
        return stripped.strip()
    return text.strip()


def bare(line: str) -> str:
    """*line* without surrounding Markdown emphasis ("**Điều 5. …**" → "Điều 5. …")."""
    match = _EMPHASIS.match(line)
    return match.group(1).strip() if match else line


def is_decoration(line: str) -> bool:
    """True for lines with no letter or digit ("-------", "***")."""
    return not _HAS_ALNUM.search(line)


def table_cells(line: str) -> list[str]:
    """Cells of a pipe-table row, outer pipes removed, escaped pipes kept."""
    inner = line.strip()
    if inner.startswith("|"):
        inner = inner[1:]
    if inner.endswith("|") and not inner.endswith("\\|"):
        inner = inner[:-1]
    return [cell.strip() for cell in _CELL_SPLIT.split(inner)]


def _siblings(open_heading: Heading, new: Heading) -> bool:
    if open_heading.kind != new.kind:
        return False
    if new.kind == "number":
        return open_heading.label.count(".") == new.label.count(".")
    return new.kind in _SIBLING_KINDS


def _all_caps(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _join_title(head: str, title: str) -> str:
    return f"{head} {title}" if head.endswith((".", ":")) else f"{head}. {title}"


@dataclass
class _Candidate:
    kind: HeadingKind
    label: str
    rest: str  # the title part written on the heading line
    text: str  # the whole line


def _classify(line: str, in_article: bool) -> _Candidate | None:
    """Heading candidate for one (bare) line, with the layout guards but no look-ahead."""
    match = _CODE_ARTICLE.match(line)
    if match:
        return _Candidate(
            "article", f"{_word(line)} {match.group(1)}", match.group(2).strip(), line
        )
    match = _ARTICLE.match(line)
    if match:
        rest = (match.group(2) or "").strip()
        return _Candidate("article", f"{_word(line)} {match.group(1)}", rest, line)
    layouts: tuple[tuple[HeadingKind, re.Pattern[str], str], ...] = (
        ("part", _PART, "Phần"),
        ("annex", _ANNEX, "Phụ lục"),
        ("chapter", _CHAPTER, "Chương"),
        ("section", _SECTION, "Mục"),
    )
    for kind, pattern, name in layouts:
        match = pattern.match(line)
        if match:
            rest = match.group(2).strip()
            # "Chương 1 của Luật này…" is a sentence, not a heading.
            if rest and not (rest[0].isupper() or rest[0].isdigit() or rest[0] in '“"('):
                return None
            if kind == "annex" and rest and not _all_caps(rest.split("(")[0]):
                return None
            number = match.group(1)
            label = f"{name} {number}" if number else name
            return _Candidate(kind, label, rest, line)
    match = _ROMAN.match(line)
    if match and _VALID_ROMAN.match(match.group(1)):
        rest = match.group(2).strip()
        if len(rest) <= 200 and not _ENDS_SENTENCE.search(rest):
            return _Candidate("roman", match.group(1), rest, line)
    match = _LETTER.match(line)
    if match:
        rest = match.group(2).strip()
        if len(rest) <= 200 and _all_caps(rest) and not _ENDS_SENTENCE.search(rest):
            return _Candidate("letter", match.group(1), rest, line)
    if in_article:
        return None  # inside an article "1." is a khoản: content, not a heading
    number = _number_heading(line)
    if number is not None:
        label, rest = number
        if (
            len(rest) <= 150
            and rest[0].isupper()
            and not _ENDS_SENTENCE.search(rest)
            and all(int(part) > 0 for part in label.split("."))
        ):
            return _Candidate("number", label, rest, line)
    return None


def _word(line: str) -> str:
    """The heading word as written, title-cased: "Điều", or "Dieu" in unaccented text."""
    return line.split(None, 1)[0].capitalize()


def _number_heading(line: str) -> tuple[str, str] | None:
    match = _NUMBER.match(line)
    if match is None:
        return None
    if match.group(1) is not None:
        return match.group(1), match.group(2).strip()
    return match.group(3), match.group(4).strip()


def _label_of(text: str) -> _Candidate | None:
    """Kind and label of a Markdown heading's text, without the layout guards."""
    candidate = _classify(text, in_article=False)
    if candidate is not None:
        return candidate
    unguarded: tuple[tuple[HeadingKind, re.Pattern[str]], ...] = (
        ("roman", _ROMAN),
        ("letter", _LETTER),
    )
    for kind, pattern in unguarded:
        match = pattern.match(text)
        if match and (kind != "roman" or _VALID_ROMAN.match(match.group(1))):
            return _Candidate(kind, match.group(1), match.group(2).strip(), text)
    number = _number_heading(text)
    if number is not None:
        return _Candidate("number", number[0], number[1], text)
    return None


def _item(line: str, in_article: bool) -> tuple[int, str] | None:
    """``(depth, khoản label)`` when *line* starts a list item."""
    match = _NUMBERED_ITEM.match(line)
    if match:
        number = match.group(1)
        dotted = number.count(".")
        return 1 + dotted, number if in_article and not dotted else ""
    if _LETTER_ITEM.match(line):
        return 2, ""
    match = _BULLET_ITEM.match(line)
    if match:
        return (4 if match.group(2) == "+" else 3), ""
    return None


class _Parser:
    def __init__(self, outline: Outline) -> None:
        self.out = outline
        self.lines = outline.lines
        self.stack: list[Heading] = []
        self.group = 0
        self.group_head: Block | None = None
        self.open_block: Block | None = None  # last block, while no blank line follows
        self.title_lines = self._title_heading_lines()

    # -- helpers -----------------------------------------------------------------

    def _next_nonblank(self, i: int) -> int | None:
        for j in range(i, len(self.lines)):
            if self.lines[j].strip() and not is_decoration(self.lines[j].strip()):
                return j
        return None

    def _in_article(self) -> bool:
        return any(h.article for h in self.stack)

    def _path(self) -> tuple[Heading, ...]:
        return tuple(self.stack)

    def _title_heading_lines(self) -> set[int]:
        """Leading Markdown headings that title the whole file rather than a section.

        The highest-level headings above all content, when no later heading has that
        level or a higher one (so "# Chương I … # Chương II" stays a structure).
        """
        headings: list[tuple[int, int]] = []
        first_content: int | None = None
        for i, raw in enumerate(self.lines):
            line = raw.strip()
            if not line or is_decoration(line):
                continue
            match = _MD_HEADING.match(line)
            if match:
                headings.append((i, len(match.group(1))))
            elif first_content is None:
                first_content = i
        if first_content is None:
            return set()
        leading = [(i, level) for i, level in headings if i < first_content]
        if not leading:
            return set()
        top = min(level for _, level in leading)
        if any(level <= top for i, level in headings if i > first_content):
            return set()
        return {i for i, level in leading if level == top}

    def _push(self, heading: Heading) -> None:
        while self.stack and (
            self.stack[-1].rank >= heading.rank or _siblings(self.stack[-1], heading)
        ):
            self.stack.pop()
        self.stack.append(heading)
        self.group_head = None
        self.open_block = None

    def _add_block(self, block: Block, *, join_group: bool) -> None:
        if join_group and self.group_head is not None:
            block.group = self.group_head.group
        else:
            self.group += 1
            block.group = self.group
            self.group_head = block
        self.out.blocks.append(block)
        self.open_block = block

    # -- main loop ---------------------------------------------------------------

    def run(self) -> None:
        i = 0
        n = len(self.lines)
        while i < n:
            line = self.lines[i].strip()
            if not line or is_decoration(line):
                if not line:
                    self.open_block = None
                i += 1
                continue
            if line.startswith("|"):
                i = self._table(i)
                continue
            match = _MD_HEADING.match(line)
            if match:
                text = bare(_strip_closing_hashes(match.group(2)))
                self._markdown_heading(i, len(match.group(1)), text)
                i += 1
                continue
            consumed = self._plain_heading(i, bare(line))
            if consumed is not None:
                i = consumed
                continue
            self._content(i, bare(line))
            i += 1

    def _markdown_heading(self, i: int, level: int, text: str) -> None:
        self.out.heading_lines.add(i)
        if not text or is_decoration(text):
            return
        if i in self.title_lines:
            self.out.title_headings.append(text)
            return
        candidate = _label_of(text)
        kind = candidate.kind if candidate else "markdown"
        label = candidate.label if candidate else ""
        citation = self._citation(i + 1) if kind == "article" else ""
        self._push(
            Heading(kind, text, label, level, i, article=kind == "article", citation=citation)
        )

    def _citation(self, start: int) -> str:
        j = self._next_nonblank(start)
        if j is None:
            return ""
        found = phapdien.provenance(self.lines[j])
        return f"{found[0]} {found[1]}" if found else ""

    def _plain_heading(self, i: int, line: str) -> int | None:
        """Push the heading starting at line *i*; return the next line index, or None."""
        in_article = self._in_article()
        candidate = _classify(line, in_article)
        if candidate is None:
            return None
        nxt = self._next_nonblank(i + 1)
        kind = candidate.kind
        if kind in ("roman", "letter", "number"):
            # A heading must head something: "1. A" directly followed by "2. B" (or
            # by nothing) is a numbered list, not two empty sections.
            if nxt is None:
                return None
            following = _classify(bare(self.lines[nxt].strip()), in_article)
            if self.lines[nxt].strip().startswith("#") or (
                following is not None and _RANK[following.kind] <= _RANK[kind]
            ):
                return None
        heading_lines = [i]
        text = candidate.text
        content_line = False
        if kind == "article":
            rest = candidate.rest
            coded = candidate.label.count(".") >= 2  # pháp điển titles can be long
            if (
                rest
                and not coded
                and (_ENDS_SENTENCE.search(rest) or rest.endswith(":") or len(rest) > 250)
            ):
                # "Điều 2. Quyết định này có hiệu lực …": the article has no title,
                # its text starts on the heading line and must stay content.
                text = candidate.label
                content_line = True
            elif not rest and nxt is not None and self._is_article_title(nxt):
                text = _join_title(line, self.lines[nxt].strip())
                heading_lines.append(nxt)
        elif (
            not candidate.rest
            and kind in ("part", "annex", "chapter", "section")
            and nxt is not None
            and self._is_caps_title(nxt)
        ):
            text = _join_title(line, self.lines[nxt].strip())
            heading_lines.append(nxt)
        after = heading_lines[-1] + 1
        citation = ""
        if kind == "article" and candidate.label.count(".") >= 2:
            citation = self._citation(after)
        heading = Heading(
            kind,
            text,
            candidate.label,
            _RANK[kind],
            i,
            article=kind == "article",
            citation=citation,
        )
        self._push(heading)
        if content_line:
            self._content(i, line)
            return i + 1
        self.out.heading_lines.update(heading_lines)
        return after

    def _is_article_title(self, j: int) -> bool:
        line = bare(self.lines[j].strip())
        return (
            len(line) <= 200
            and line[0].isupper()
            and not _ENDS_SENTENCE.search(line)
            and not line.endswith(":")
            and not line.startswith(("|", "#"))
            and _classify(line, False) is None
            and _item(line, True) is None
        )

    def _is_caps_title(self, j: int) -> bool:
        line = bare(self.lines[j].strip())
        return (
            len(line) <= 300
            and not line.startswith(("|", "#"))
            and _all_caps(line.split("(")[0])
            and _classify(line, False) is None
        )

    def _content(self, i: int, line: str) -> None:
        if not self._in_article() and _CLOSING.match(line):
            self.stack = []
            self.group_head = None
            self.open_block = None
        in_article = self._in_article()
        path = self._path()
        sticky = line.endswith(":") or phapdien.provenance(line) is not None
        item = _item(line, in_article)
        if item is not None:
            depth, label = item
            head = self.group_head
            join = head is not None and head.kind == "item" and head.depth < depth
            self._add_block(
                Block(path, "item", i, i, depth=depth, label=label, sticky=sticky),
                join_group=join,
            )
            return
        previous = self.open_block
        if previous is not None and previous.kind != "row" and previous.last == i - 1:
            # A hard-wrapped line (OCR, PDF) continues the paragraph or item above.
            previous.last = i
            previous.sticky = sticky
            return
        head = self.group_head
        # Inside an article a paragraph after a khoản is more of that khoản.
        join = in_article and head is not None and head.kind == "item"
        self._add_block(Block(path, "para", i, i, sticky=sticky), join_group=join)

    # -- tables ------------------------------------------------------------------

    def _table(self, i: int) -> int:
        end = i
        while end < len(self.lines) and self.lines[end].strip().startswith("|"):
            end += 1
        rows = [table_cells(self.lines[k]) for k in range(i, end)]
        has_header = (
            len(rows) >= 2 and all(_SEPARATOR_CELL.match(c) for c in rows[1] if c) and any(rows[1])
        )
        self.open_block = None
        columns = len(rows[0])
        header: tuple[int, int] | None = None
        first_row = i
        if has_header:
            header_last = i + 1
            first_row = i + 2
            while (
                first_row < end
                and first_row - i < 4
                and self._header_continuation(rows[first_row - i], columns)
            ):
                header_last = first_row
                first_row += 1
            if first_row >= end:
                # A header and nothing under it ("| Nơi nhận: … | CHỦ TỊCH … |"): the
                # header is the content.
                self._add_block(Block(self._path(), "para", i, header_last), join_group=False)
                self.open_block = None
                return end
            header = (i, header_last)
        # Without a separator row (a table continued from another file) rows stand
        # alone, but merged-cell group rows still open headings.
        depth_before = len(self.stack)
        for k in range(first_row, end):
            cells = rows[k - i]
            if not any(cells) or all(_SEPARATOR_CELL.match(c) for c in cells if c):
                continue
            group = self._group_row(cells, columns)
            if group is not None:
                label, title = group
                rank = self._group_rank(label)
                while len(self.stack) > depth_before and self.stack[-1].rank >= rank:
                    self.stack.pop()
                text = _join_title(label, title) if title else label
                self.stack.append(Heading("table_group", text, label, rank, k))
                self.group_head = None
                self.out.heading_lines.add(k)
                continue
            self._add_block(Block(self._path(), "row", k, k, header=header), join_group=False)
        del self.stack[depth_before:]
        self.group_head = None
        self.open_block = None
        return end

    @staticmethod
    def _group_rank(label: str) -> int:
        head = label.split(".")[0]
        # A lone "C" or "D" is more likely a lettered part (A, B, C…) than a numeral.
        roman = bool(_VALID_ROMAN.match(head)) and (len(head) > 1 or head in "IVX")
        return _RANK["table_group"] + (1 if roman else 0) + label.count(".")

    @staticmethod
    def _header_continuation(cells: list[str], columns: int) -> bool:
        filled = [c for c in cells if c]
        return (
            columns >= 4
            and bool(cells)
            and bool(cells[0])
            and not cells[0][0].isdigit()
            and not _GROUP_LABEL.match(cells[0])
            and len(filled) * 2 <= len(cells)
        )

    @staticmethod
    def _group_row(cells: list[str], columns: int) -> tuple[str, str] | None:
        filled = [idx for idx, c in enumerate(cells) if c]
        if filled == [0]:
            match = _INLINE_GROUP.match(cells[0])
            if match and (match.group(1) in "ABCDĐEFGH" or _VALID_ROMAN.match(match.group(1))):
                return match.group(1), match.group(2).strip()
            return None
        if columns >= 3 and filled == [0, 1] and _GROUP_LABEL.match(cells[0]):
            label = cells[0].rstrip(".")
            head = label.split(".")[0]
            if len(head) == 1 or _VALID_ROMAN.match(head):
                return label, cells[1]
        return None
