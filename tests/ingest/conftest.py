"""Shared fixtures for the ingest tests: the real legal data folder and invariants."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.chunker import chunk_outline
from ingest.model import CHUNK_METADATA_KEYS, ParsedDocument
from ingest.structure import parse_outline

LEGAL_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "legal"


@pytest.fixture
def legal_dir() -> Path:
    """shared/data/legal next to the repository; the test is skipped where it is absent."""
    if not LEGAL_DIR.is_dir():
        pytest.skip(f"real legal data not available at {LEGAL_DIR}")
    return LEGAL_DIR


@pytest.fixture
def legal_file(legal_dir: Path) -> Callable[[str], Path]:
    """Resolve a path under shared/data/legal, skipping when that file is missing."""

    def resolve(relative: str) -> Path:
        path = legal_dir / unicodedata.normalize("NFC", relative)
        if not path.exists():
            # Folder names such as "1766_2020_QĐ_UBND" may be stored NFD on some systems.
            path = legal_dir / unicodedata.normalize("NFD", relative)
        if not path.exists():
            pytest.skip(f"{relative} not available")
        return path

    return resolve


def check_invariants(parsed: ParsedDocument) -> None:
    """What every parsed document must satisfy, whatever its source.

    * chunk metadata carries every contract key; ids are unique;
    * chunk text is NFC, has letters or digits, and (except table chunks, which
      repeat their header row) is a verbatim span of the document text;
    * every character of content (non-heading) lines is in exactly one chunk.
    """
    ids = [c.id for c in parsed.chunks]
    assert len(ids) == len(set(ids)), "duplicate chunk ids"
    for index, chunk in enumerate(parsed.chunks):
        assert set(CHUNK_METADATA_KEYS) <= set(chunk.metadata)
        assert chunk.metadata["chunk_index"] == index
        assert {f"dim_{d}" for d in range(1, 9)} <= set(chunk.metadata)
        text = chunk.page_content
        assert unicodedata.is_normalized("NFC", text)
        assert re.search(r"\w", text), f"content-free chunk {text!r}"
        if not text.startswith("|"):
            assert text in parsed.text
    assert_exact_coverage(parsed.text)


def assert_exact_coverage(text: str) -> None:
    """Every non-space character of every content block is covered exactly once."""
    outline = parse_outline(text)
    chunks = chunk_outline(outline)
    diff = [0] * (len(text) + 1)
    for chunk in chunks:
        for start, end in chunk.spans:
            diff[start] += 1
            diff[end] -= 1
    depth = 0
    cover = [0] * len(text)
    for position in range(len(text)):
        depth += diff[position]
        cover[position] = depth
    for block in outline.blocks:
        start, end = outline.span(block.first, block.last)
        for position in range(start, end):
            if not text[position].isspace():
                assert cover[position] == 1, (
                    f"character {position} of line {text[start:end][:80]!r} "
                    f"is in {cover[position]} chunks"
                )
    heading_text = {outline.lines[i].strip() for i in outline.heading_lines}
    block_lines = {i for b in outline.blocks for i in range(b.first, b.last + 1)}
    # Table header rows are repeated in every chunk of their table, by design.
    block_lines |= {
        i for b in outline.blocks if b.header for i in range(b.header[0], b.header[1] + 1)
    }
    for i, line in enumerate(outline.lines):
        stripped = line.strip()
        if stripped and re.search(r"\w", stripped) and stripped not in heading_text:
            assert i in block_lines, f"line {i} {stripped[:80]!r} is neither heading nor content"


@pytest.fixture
def invariants() -> Callable[[ParsedDocument], None]:
    """The :func:`check_invariants` assertion, as a fixture."""
    return check_invariants
