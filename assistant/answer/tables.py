"""Markdown tables in stored passages: the header row a data row is read by, and the cells
a quoted row leaves blank.

Ingest keeps a document's tables as Markdown (a TTHC list of a provincial decision, a
results table of a reference note), each chunk of a table opening with its header row.
A row of figures means what its columns say, so answering reads a row with its header;
and a question asking a column's value is not answered by a row whose cell is empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from langchain_core.documents import Document

from vntext.tokens import folded_tokens

if TYPE_CHECKING:
    from assistant.answer.evidence import CorpusStats

# A Markdown table's header: a row, then its separator row ("|---|---|").
_TABLE_HEADER = re.compile(
    r"^(\|[^\n]*\|)[ \t]*\n\|(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*$", re.MULTILINE
)
_EMPTY_CELL = frozenset(["", "-", "–", "—"])


def table_header(text: str) -> tuple[int, int] | None:
    """(start, end) of the header row of the first Markdown table in *text*, if any."""
    match = _TABLE_HEADER.search(text)
    return match.span(1) if match else None


def header_of(chunk: Document, stats: CorpusStats) -> tuple[Document, int, int] | None:
    """(chunk holding it, start, end) of the header row a table row of *chunk* is read by:
    the chunk's own or, for a table that runs on from earlier chunks (a long TTHC list
    split by its sub-headings), the header of the nearest earlier chunk of the document
    that has one, through chunks that are all table rows."""
    own = table_header(chunk.page_content)
    if own is not None:
        return chunk, own[0], own[1]
    if not chunk.page_content.lstrip().startswith("|"):
        return None
    doc = chunk.metadata.get("document_id")
    here = stats.position.get(chunk.id or "")
    if here is None:
        return None
    # A document's chunks lie together in reading order: walk back from this one.
    for i in range(here - 1, -1, -1):
        previous = stats.chunks.get(stats.order[i])
        if previous is None or previous.metadata.get("document_id") != doc:
            return None
        found = table_header(previous.page_content)
        if found is not None:
            return previous, found[0], found[1]
        if not previous.page_content.lstrip().startswith("|"):
            return None  # the table does not run on through prose
    return None


def row_header(
    chunk: Document, start: int, quote: str, stats: CorpusStats
) -> tuple[Document, int, int] | None:
    """The header (as :func:`header_of` gives it) of a quoted data row: None when the
    quote at *start* of *chunk* is no table row, or is the header row itself."""
    if not quote.startswith("|"):
        return None
    found = header_of(chunk, stats)
    if found is None or (found[0].id == chunk.id and start < found[2]):
        return None
    return found


def cells(row: str) -> list[str]:
    """The cells of a Markdown table row, stripped ("| a | | b |" → ["a", "", "b"])."""
    inner = row.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return [c.strip() for c in inner.split("|")]


def blank_columns(question: str, rows: Iterable[tuple[str, str]]) -> list[str]:
    """The columns a question asks about whose cell is blank in every quoted row.

    *rows* are (header row, data row) pairs. A column is asked when the question
    contains its header's words ("mã số TTHC"; two words at least, so "TT" or "Năm" do
    not count) and the cell under it is empty or a dash in the rows about what is asked
    (those sharing the most words with the question). Only rows with as many cells as
    their header are read: a row of merged cells cannot be aligned.
    """
    asked = " " + " ".join(folded_tokens(question)) + " "
    words = set(asked.split())
    split = [(cells(h), cells(r), r) for h, r in rows]
    aligned = [(names, values, r) for names, values, r in split if len(names) == len(values)]
    # The rows about what is asked: those sharing the most words with the question.
    overlap = [len(words & set(folded_tokens(r))) for _, _, r in aligned]
    best = max(overlap, default=0)
    blank: dict[str, bool] = {}
    for (names, values, _), shared in zip(aligned, overlap, strict=True):
        if shared < best:
            continue
        for name, value in zip(names, values, strict=True):
            column = " ".join(folded_tokens(name))
            if len(column.split()) < 2 or f" {column} " not in asked:
                continue
            empty = value in _EMPTY_CELL
            blank[name] = blank.get(name, True) and empty
    return [name for name, empty in blank.items() if empty]
