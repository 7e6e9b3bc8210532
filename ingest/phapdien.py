"""Layout quirks of the Bộ pháp điển (codified law) topic pages.

An article there is headed by a hierarchical code, "Điều 44.13.LQ.1. Phạm vi điều
chỉnh", and the next line names the article and document it was taken from:
"(Điều 1 Luật số 10/2022/QH15 Luật thực hiện dân chủ ở cơ sở ngày …)". That
original reference is what a citation must show. Two hazards of the scraped pages
are repaired here: headings glued to the previous sentence ("…phục vụ.Điều
44.13.TT.2.3. …") and a trailing index that repeats every heading without text.
"""

from __future__ import annotations

import re

from vntext.lexicon import document_types

CODE = r"\d{1,3}(?:\.\d{1,3}[a-z]?)*\.[A-ZĐ]{1,6}(?:\.\d{1,4}[a-z]?)+"
"""A pháp điển article code such as ``44.13.LQ.1`` or ``19.8.NĐ.1.4a``."""

# A code heading glued to the previous text: anything but whitespace or "(" right
# before it. Cross-references ("… liên quan đến Điều 44.13.LQ.23. …") follow a
# space, so they are left alone.
_GLUED_CODE = re.compile(r"(?<=[^\s(])(?=Điều " + CODE + r"\.\s)")

_PROVENANCE = re.compile(
    r"^\((Điều\s+\d{1,4}[a-zđ]?)\s+"
    rf"((?:{document_types()})\s+số\s+[^\s,;()]+)"
)

_INDEX_HEADING = re.compile(r"^#{1,6}\s*Danh sách điều khoản\s*$", re.IGNORECASE)
_INDEX_ID = re.compile(r"^#{1,6}\s*\d{6,}\s*$")
_INDEX_ENTRY = re.compile(
    r"^(?:Điều\s+" + CODE + r"\.|(?:Phần|Chương|Mục|PHẦN|CHƯƠNG|MỤC)\s+\S+)", re.UNICODE
)


def split_glued_headings(text: str) -> str:
    """Put every pháp điển code heading glued to the previous text on its own line."""
    return _GLUED_CODE.sub("\n", text)


def provenance(line: str) -> tuple[str, str] | None:
    """``("Điều 1", "Luật số 42/2013/QH13")`` from a provenance line, else ``None``."""
    match = _PROVENANCE.match(line.strip())
    if match is None:
        return None
    return " ".join(match.group(1).split()), " ".join(match.group(2).split()).rstrip(".")


def strip_index(text: str) -> str:
    """Remove the trailing "Danh sách điều khoản" index of a pháp điển page.

    Only the index's own lines go: its heading, the numeric "### 4401…" ids and the
    repeated headings. Anything else found there is kept, so no text is lost if a
    page ever puts content after the index.
    """
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if _INDEX_HEADING.match(line.strip())), None)
    if start is None:
        return text
    following = next((line.strip() for line in lines[start + 1 :] if line.strip()), "")
    if not _INDEX_ID.match(following):
        return text
    kept = lines[:start]
    for line in lines[start + 1 :]:
        stripped = line.strip()
        if stripped and not (_INDEX_ID.match(stripped) or _INDEX_ENTRY.match(stripped)):
            kept.append(line)
    return "\n".join(kept)
