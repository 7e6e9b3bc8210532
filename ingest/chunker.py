"""Outline blocks → citation-sized chunks.

A chunk is what a citation points at: a khoản with its điểm, a bullet with its
sub-bullets, one table row (or a few short ones) under its header row. Rules:

* a group of blocks (see :mod:`ingest.structure`) stays together up to
  :data:`TARGET_CHARS`; a larger one is cut between blocks, and a block still too
  large is cut at sentence boundaries;
* consecutive tiny pieces of one section are merged while the result stays within
  :data:`MERGE_CHARS`; an intro ending in ":" (or a pháp điển provenance line) is
  merged with what follows up to :data:`TARGET_CHARS`;
* a chunk's text is exactly a span of the cleaned document text — except table
  chunks, which repeat the header row(s) before their rows so that a row read alone
  says what its cells mean. Headings are never put into the text; they are metadata.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ingest.papi import dimensions_for_path
from ingest.structure import Block, Heading, Outline

TARGET_CHARS = 1200
MERGE_CHARS = 400
_TABLE_KINDS = {"roman", "letter", "number", "table_group"}
_CHAPTER_KINDS = {"part", "annex", "chapter", "section"}
_SENTENCE_BREAK = re.compile(r"(?<=[.;!?…:])[”\"')\]]*\s+(?=\S)")


@dataclass
class ChunkSpan:
    """One chunk before it becomes a LangChain ``Document``."""

    path: tuple[Heading, ...]
    text: str
    spans: list[tuple[int, int]]  # character spans of the document text it covers
    khoan: list[str] = field(default_factory=list)  # khoản numbers, when all of it is khoản

    @property
    def section(self) -> tuple[str, ...]:
        """Heading texts from outermost to innermost."""
        return tuple(h.text for h in self.path)

    @property
    def section_ref(self) -> str:
        """Short reference: "II.4", "Điều 5", "Điều 5 khoản 2", "Điều 1 Luật số …"."""
        return section_ref(self.path, self.khoan)

    @property
    def dimensions(self) -> list[int]:
        """PAPI dimensions named by the enclosing headings (articles excluded)."""
        return dimensions_for_path(h.text for h in self.path if not h.article)


@dataclass
class _Piece:
    start: int
    end: int
    khoan: str | None  # khoản label, or None when the piece is not (all) one khoản
    sticky: bool = False


def section_ref(path: tuple[Heading, ...], khoan: list[str] | None = None) -> str:
    """Short reference for a heading path, e.g. "II.4" or "Điều 5 khoản 2"."""
    article = next((h for h in reversed(path) if h.article), None)
    if article is not None:
        clause = f" khoản {', '.join(khoan)}" if khoan else ""
        if article.citation:
            # "Điều 1 Luật số 42/2013/QH13" + khoản → "Điều 1 khoản 2 Luật số 42/2013/QH13"
            head, _, document = article.citation.partition(" ")
            number, _, document = document.partition(" ")
            return f"{head} {number}{clause} {document}".strip()
        return f"{article.label}{clause}"
    labels: list[str] = []
    for heading in path:
        if heading.kind not in _TABLE_KINDS or not heading.label:
            continue
        parent = labels[-1] if labels else ""
        if parent and heading.label.startswith(parent + "."):
            labels[-1] = heading.label  # "1" then "1.1" reads "1.1", not "1.1.1"
        else:
            labels.append(heading.label)
    if labels:
        return ".".join(labels)
    chapter = next((h for h in reversed(path) if h.kind in _CHAPTER_KINDS and h.label), None)
    return chapter.label if chapter else ""


def chunk_outline(outline: Outline) -> list[ChunkSpan]:
    """Cut *outline* into chunks in document order."""
    chunks: list[ChunkSpan] = []
    for path, blocks in _runs(outline.blocks):
        if blocks[0].kind == "row" and blocks[0].header is not None:
            chunks.extend(_row_chunks(outline, path, blocks))
        else:
            chunks.extend(_text_chunks(outline, path, blocks))
    return [c for c in chunks if c.text.strip()]


def _runs(blocks: list[Block]) -> Iterator[tuple[tuple[Heading, ...], list[Block]]]:
    """Consecutive blocks with the same path (and, for rows, the same table header)."""
    run: list[Block] = []
    for block in blocks:
        if run and (block.path != run[-1].path or block.header != run[-1].header):
            yield run[-1].path, run
            run = []
        run.append(block)
    if run:
        yield run[-1].path, run


def _groups(blocks: list[Block]) -> Iterator[list[Block]]:
    group: list[Block] = []
    for block in blocks:
        if group and block.group != group[-1].group:
            yield group
            group = []
        group.append(block)
    if group:
        yield group


def _text_chunks(
    outline: Outline, path: tuple[Heading, ...], blocks: list[Block]
) -> list[ChunkSpan]:
    pieces: list[_Piece] = []
    for group in _groups(blocks):
        pieces.extend(_group_pieces(outline, group))
    chunks: list[ChunkSpan] = []
    current: list[_Piece] = []
    for piece in pieces:
        if current:
            size = piece.end - current[0].start
            if size <= MERGE_CHARS or (current[-1].sticky and size <= TARGET_CHARS):
                current.append(piece)
                continue
            chunks.append(_text_chunk(outline, path, current))
        current = [piece]
    if current:
        chunks.append(_text_chunk(outline, path, current))
    return chunks


def _text_chunk(outline: Outline, path: tuple[Heading, ...], pieces: list[_Piece]) -> ChunkSpan:
    start, end = pieces[0].start, pieces[-1].end
    labels = [p.khoan for p in pieces]
    khoan: list[str] = []
    if all(labels):
        for label in labels:
            if label and label not in khoan:
                khoan.append(label)
    return ChunkSpan(path, outline.text[start:end], [(p.start, p.end) for p in pieces], khoan)


def _group_pieces(outline: Outline, group: list[Block]) -> list[_Piece]:
    """A group as one piece, or cut between blocks / sentences when it is too long."""
    khoan = group[0].label or None
    start, _ = outline.span(group[0].first, group[0].last)
    _, end = outline.span(group[-1].first, group[-1].last)
    if end - start <= TARGET_CHARS:
        return [_Piece(start, end, khoan, sticky=group[-1].sticky)]
    pieces: list[_Piece] = []
    current: _Piece | None = None
    for block in group:
        b_start, b_end = outline.span(block.first, block.last)
        if current is not None and b_end - current.start <= TARGET_CHARS:
            current.end = b_end
            current.sticky = block.sticky
            continue
        if current is not None:
            pieces.append(current)
            current = None
        if b_end - b_start <= TARGET_CHARS:
            current = _Piece(b_start, b_end, khoan, sticky=block.sticky)
        else:
            pieces.extend(
                _Piece(s, e, khoan) for s, e in split_sentences(outline.text, b_start, b_end)
            )
    if current is not None:
        pieces.append(current)
    return pieces


def split_sentences(
    text: str, start: int, end: int, limit: int = TARGET_CHARS
) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` into spans of at most *limit* characters.

    Cuts fall after sentence punctuation when possible, else at the last space, and
    only as a last resort inside a word; whitespace at the cut is dropped.
    """
    breaks = [m.end() for m in _SENTENCE_BREAK.finditer(text, start, end)]
    spans: list[tuple[int, int]] = []
    position = start
    index = 0
    while end - position > limit:
        best = None
        while index < len(breaks) and breaks[index] - position <= limit:
            if breaks[index] > position:
                best = breaks[index]
            index += 1
        if best is None:
            space = text.rfind(" ", position + 1, position + limit)
            best = space + 1 if space > position else position + limit
        piece_end = best
        while piece_end > position and text[piece_end - 1].isspace():
            piece_end -= 1
        if piece_end > position:
            spans.append((position, piece_end))
        position = best
        while position < end and text[position].isspace():
            position += 1
    if position < end:
        spans.append((position, end))
    return spans


def _row_chunks(outline: Outline, path: tuple[Heading, ...], rows: list[Block]) -> list[ChunkSpan]:
    """Rows packed under a repeated copy of their table header."""
    assert rows[0].header is not None
    h_start, h_end = outline.span(*rows[0].header)
    header = outline.text[h_start:h_end]
    budget = max(TARGET_CHARS - len(header) - 1, MERGE_CHARS)
    chunks: list[ChunkSpan] = []
    current: list[tuple[int, int]] = []

    def flush() -> None:
        if current:
            body = outline.text[current[0][0] : current[-1][1]]
            chunks.append(ChunkSpan(path, f"{header}\n{body}", list(current)))
            current.clear()

    for row in rows:
        r_start, r_end = outline.span(row.first, row.last)
        if current and r_end - current[0][0] > budget:
            flush()
        if r_end - r_start <= budget:
            current.append((r_start, r_end))
            continue
        flush()
        # A row longer than a chunk: keep it whole up to a hard limit, a row cut in
        # two no longer says what its cells mean.
        for span in split_sentences(
            outline.text, r_start, r_end, limit=max(budget, 4 * TARGET_CHARS)
        ):
            current.append(span)
            flush()
    flush()
    return chunks
