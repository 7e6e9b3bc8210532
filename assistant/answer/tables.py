"""Markdown tables in stored passages: the header row a data row is read by, and the cells
a quoted row leaves blank.

Ingest keeps a document's tables as Markdown (a TTHC list of a provincial decision, a
results table of a reference note), each chunk of a table opening with its header row.
A row of figures means what its columns say, so answering reads a row with its header;
and a question asking a column's value is not answered by a row whose cell is empty.

Columns are often headed by a code that a legend under the table spells out ("Chú giải:
CS1 = Tham gia của người dân ở cấp cơ sở; …"): a question names the column by those
words, so the legend is read with the header.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from langchain_core.documents import Document

from ingest.tables import cells, legend, table_header
from vntext.tokens import folded_tokens

if TYPE_CHECKING:
    from assistant.answer.evidence import CorpusStats

_EMPTY_CELL = frozenset(["", "-", "–", "—"])
# A rank asked ("xếp thứ mấy", "đứng thứ mấy", "thứ hạng") and a column of ranks.
_RANK_ASKED = re.compile(r"\b(?:thu may|hang may|thu hang|xep hang|xep thu|dung thu)\b")
_RANK_COLUMN = re.compile(r"^(?:thu hang|xep hang|hang)\b")


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


def data_rows(chunk: Document, stats: CorpusStats) -> list[str]:
    """The data rows of the table in *chunk* (after its header row, or all its rows when
    the table runs on from an earlier chunk); empty when it holds no table."""
    header = header_of(chunk, stats)
    if header is None:
        return []
    text = chunk.page_content
    after = text[header[2] :] if header[0].id == chunk.id else text
    return [line for line in after.splitlines() if line.startswith("|") and "---" not in line]


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


@lru_cache(maxsize=64)
def _padded(question: str) -> str:
    """The question's folded tokens between spaces (cached: every row of a table is read
    against the same question)."""
    return " " + " ".join(folded_tokens(question)) + " "


def legend_of(header: tuple[Document, int, int], stats: CorpusStats) -> dict[str, str]:
    """The legend (:func:`legend`) of the table whose header :func:`header_of` found:
    the one ingest gave its chunk (``legend`` metadata, :func:`ingest.tables.add_legends`),
    or, for a chunk indexed before that, read from the passages of the header's section."""
    chunk, start, end = header
    given = chunk.metadata.get("legend")
    if given:
        return legend([str(given)], chunk.page_content[start:end])
    key = (str(chunk.metadata.get("document_id", "")), str(chunk.metadata.get("section", "")))
    texts = [stats.chunks[c].page_content for c in stats.sections.get(key, ()) if c in stats.chunks]
    return legend(texts or [chunk.page_content], chunk.page_content[start:end])


def asked_columns(question: str, names: Sequence[str], meanings: Mapping[str, str]) -> list[int]:
    """Indexes of the columns (header cell *names*) the question asks about.

    A column is asked when the question contains its header's words in order (two words
    at least, so "TT" or "Năm" alone do not count), all the words of a header of two or
    three ("tổng điểm" for "Điểm tổng"), its code ("CS7") or the words its legend gives
    for the code ("quản trị môi trường"); a column of ranks ("Thứ hạng …") when the
    question asks a rank ("xếp thứ mấy").
    """
    asked = _padded(question)
    words = set(asked.split())
    rank = _RANK_ASKED.search(asked) is not None
    out = []
    for i, name in enumerate(names):
        header = folded_tokens(name)
        spelled = folded_tokens(meanings.get(name, ""))
        code = " ".join(header)
        if (
            (len(header) >= 2 and f" {code} " in asked)
            or (2 <= len(header) <= 3 and words.issuperset(header))
            or (name in meanings and f" {code} " in asked)
            or (len(spelled) >= 2 and f" {' '.join(spelled)} " in asked)
            or (rank and _RANK_COLUMN.match(code) is not None)
        ):
            out.append(i)
    return out


def row_key(row: str) -> str:
    """The key of a table row: its first cell that is not empty or a serial number
    ("2021" of "| 2021 | 42,1 | …", a procedure's name after its number)."""
    for cell in cells(row):
        key = " ".join(folded_tokens(cell))
        if key and not (key.isdigit() and len(key) < 4):
            return cell
    return ""


def row_key_asked(row: str, question: str) -> bool:
    """True when the question names the key of a table row (:func:`row_key`)."""
    key = " ".join(folded_tokens(row_key(row)))
    return bool(key) and f" {key} " in _padded(question)


def asked_cells(
    question: str, header: str, row: str, meanings: Mapping[str, str]
) -> list[tuple[str, str]]:
    """(column, value) of the cells the question asks for in *row*: the row's key is
    named and so are the columns (:func:`asked_columns`); empty when either is not, or
    the row cannot be aligned with its header. A coded column reads with its meaning
    ("CS7 – Quản trị môi trường")."""
    names, values = cells(header), cells(row)
    # A header with an empty cell spans sub-columns on a second header row: its cells
    # cannot be told apart by position.
    if len(names) != len(values) or not all(names) or not row_key_asked(row, question):
        return []
    asked = asked_columns(question, names, meanings)
    ranks = [i for i in asked if _RANK_COLUMN.match(" ".join(folded_tokens(names[i])))]
    # A column of ranks ranks the column before it ("Điểm tổng | Thứ hạng"): it does not
    # give the rank of another column the question names ("thứ hạng của CS3").
    asked = [i for i in asked if i not in ranks or all(j in ranks or j == i - 1 for j in asked)]
    out = []
    for i in asked:
        label = f"{names[i]} – {meanings[names[i]]}" if names[i] in meanings else names[i]
        out.append((label, values[i]))
    return out


def is_blank(value: str) -> bool:
    """True for an empty cell or a dash ("–" for "no data")."""
    return value in _EMPTY_CELL


def blank_columns(question: str, rows: Iterable[tuple[str, str]]) -> list[str]:
    """The columns a question asks about whose cell is blank in every quoted row.

    *rows* are (header row, data row) pairs. A column is asked when the question
    contains its header's words ("mã số TTHC"; two words at least, so "TT" or "Năm" do
    not count) and the cell under it is empty or a dash in the rows about what is asked
    (those sharing the most words with the question). Only rows with as many cells as
    their header are read: a row of merged cells cannot be aligned.
    """
    asked = _padded(question)
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
            blank[name] = blank.get(name, True) and is_blank(value)
    return [name for name, empty in blank.items() if empty]
