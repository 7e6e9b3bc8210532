"""The province's PAPI results by dimension, read from a table in the documents.

Any live document may carry a Markdown table with a year column and one column per
dimension; the header names them "CS1" … "CS8", "Chỉ số 1" …, or by the official
dimension names. The table chunker repeats the header above every group of rows, so
each chunk is read on its own. Values use a decimal comma or point; "–" is missing.
Nothing is assumed when no such table exists.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from langchain_core.documents import Document

from assistant.tasks.folding import key
from ingest.papi import dimensions_for_heading

_DIM_COLUMN = re.compile(r"^(?:cs|chi so(?: noi dung)?(?: thu| so)?)\s*([1-8])$")
_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


@dataclass
class YearResult:
    """One year's scores: total and by dimension (None where the table has "–")."""

    year: int
    total: float | None = None
    by_dimension: dict[int, float | None] = field(default_factory=dict)


@dataclass
class PapiResults:
    """Results by year and where they were read from."""

    years: dict[int, YearResult]
    document_id: str = ""
    section: str = ""

    def latest(self) -> YearResult | None:
        """The most recent year with at least one dimension score."""
        for year in sorted(self.years, reverse=True):
            if any(v is not None for v in self.years[year].by_dimension.values()):
                return self.years[year]
        return None

    def weak_dimensions(self, n: int = 3) -> list[int]:
        """The *n* lowest-scoring dimensions of the latest year."""
        latest = self.latest()
        if latest is None:
            return []
        scored = [(v, d) for d, v in latest.by_dimension.items() if v is not None]
        return [d for _, d in sorted(scored)[:n]]


def _number(cell: str) -> float | None:
    cell = cell.strip().replace(" ", "")
    if not _NUMBER.match(cell):
        return None
    return float(cell.replace(",", "."))


def _columns(header: list[str]) -> tuple[int | None, int | None, dict[int, int]]:
    year_col = total_col = None
    dims: dict[int, int] = {}
    for i, raw in enumerate(header):
        cell = key(raw)
        explicit = _DIM_COLUMN.match(cell)
        if cell in ("nam", "nam khao sat") and year_col is None:
            year_col = i
        elif ("diem tong" in cell or "tong diem" in cell) and total_col is None:
            total_col = i
        elif explicit:
            dims[int(explicit.group(1))] = i
        else:
            named = dimensions_for_heading(raw)
            if len(named) == 1:
                dims.setdefault(next(iter(named)), i)
    return year_col, total_col, dims


def find_papi_results(chunks: Sequence[Document]) -> PapiResults | None:
    """The first table of PAPI results by dimension in *chunks*, or None."""
    from ingest.structure import table_cells

    found: PapiResults | None = None
    for chunk in chunks:
        lines = [ln for ln in chunk.page_content.split("\n") if ln.strip().startswith("|")]
        if len(lines) < 3:
            continue
        year_col, total_col, dims = _columns(table_cells(lines[0]))
        if year_col is None or len(dims) < 4:
            continue
        document_id = str(chunk.metadata.get("document_id", ""))
        if found is not None and found.document_id != document_id:
            continue
        for line in lines[1:]:
            cells = table_cells(line)
            if len(cells) <= year_col:
                continue
            year = _YEAR.search(cells[year_col])
            if year is None:
                continue
            result = YearResult(int(year.group(1)))
            if total_col is not None and total_col < len(cells):
                result.total = _number(cells[total_col])
            for dim, col in dims.items():
                result.by_dimension[dim] = _number(cells[col]) if col < len(cells) else None
            if found is None:
                found = PapiResults({}, document_id, str(chunk.metadata.get("section", "")))
            found.years[result.year] = result
    return found
