"""Markdown tables in a document's text: their header rows and the legends that spell out
their coded columns.

Ingest keeps tables as Markdown, each chunk of a table opening with its header row or
running on from the chunk before. A results table is often headed by codes ("CS7") that a
legend in the same section spells out ("Chú giải: CS1 = Tham gia của người dân ở cấp cơ
sở; …"): a question names the column by those words, which the table itself never
writes, so each chunk of such a table carries its legend (``legend`` metadata) for
searching, and the answer reads the legend with the header.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from langchain_core.documents import Document

# A Markdown table's header: a row, then its separator row ("|---|---|").
_TABLE_HEADER = re.compile(
    r"^(\|[^\n]*\|)[ \t]*\n\|(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*$", re.MULTILINE
)
# One definition of a legend: a code ("CS7", "TT", "ĐVT"), "=", what it stands for.
_LEGEND_ENTRY = re.compile(
    r"(?<![\w=])([A-ZĐ]{1,6}\d{0,3})\s*=\s*([^;=\n]+?)\s*(?=;|\.\s|\.?$)", re.M
)


def table_header(text: str) -> tuple[int, int] | None:
    """(start, end) of the header row of the first Markdown table in *text*, if any."""
    match = _TABLE_HEADER.search(text)
    return match.span(1) if match else None


def cells(row: str) -> list[str]:
    """The cells of a Markdown table row, stripped ("| a | | b |" → ["a", "", "b"])."""
    inner = row.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return [c.strip() for c in inner.split("|")]


def legend(texts: Iterable[str], header: str) -> dict[str, str]:
    """What the coded columns of *header* stand for, read from *texts* (the passages of
    the table's section): ``{"CS7": "Quản trị môi trường"}``. Only codes that head a
    column count, so "A = B" in running prose is not taken for a legend."""
    return _definitions([e for text in texts for e in _LEGEND_ENTRY.findall(text)], header)


def _definitions(entries: Sequence[tuple[str, str]], header: str) -> dict[str, str]:
    """The first definition of each code heading a column of *header*."""
    codes = set(cells(header))
    found: dict[str, str] = {}
    for code, meaning in entries:
        if code in codes and code not in found:
            found[code] = meaning.strip()
    return found


def add_legends(chunks: Sequence[Document]) -> None:
    """Give every chunk of a table with a legend in its section that legend, as
    ``legend`` metadata ("CS1 = Tham gia của người dân ở cấp cơ sở; …"), in place.

    A chunk belongs to a table when it holds the table's header row, or when it is all
    table rows and follows such a chunk of the same section (a table split in chunks).
    Each section's text is read for definitions once, so a long table stays linear.
    """
    entries: dict[str, list[tuple[str, str]]] = {}
    for chunk in chunks:
        found = _LEGEND_ENTRY.findall(chunk.page_content)
        entries.setdefault(str(chunk.metadata.get("section", "")), []).extend(found)
    header = ""
    text_of_legend = ""
    previous_section: str | None = None
    for chunk in chunks:
        section = str(chunk.metadata.get("section", ""))
        text = chunk.page_content
        span = table_header(text)
        if span is not None:
            header = text[span[0] : span[1]]
            text_of_legend = _legend_text(entries.get(section, []), header)
        elif not (header and section == previous_section and text.lstrip().startswith("|")):
            header = text_of_legend = ""
        previous_section = section
        if text_of_legend:
            chunk.metadata["legend"] = text_of_legend


def _legend_text(entries: Sequence[tuple[str, str]], header: str) -> str:
    """ "CS1 = …; CS2 = …" for the codes heading a column of *header*."""
    return "; ".join(f"{c} = {m}" for c, m in _definitions(entries, header).items())
