"""Document metadata read from the official layout of the text itself.

Vietnamese administrative documents (Nghị định 30/2020/NĐ-CP layout) open with the
issuing body, the national motto, "Số: 1766/QĐ-UBND", "Bình Thuận, ngày 3 tháng 8
năm 2020", the document type ("QUYẾT ĐỊNH") and the trích yếu (subject line). We
read only that header zone and only what it states; anything absent stays empty.

Markdown heading lines are never used: in scraped files they are often written by
whoever scraped them (``1766_2020_QĐ_UBND/chunk_1.md`` carries a heading about a
Khánh Hòa decision above the real Bình Thuận text).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ingest.structure import Outline, bare, is_decoration
from vntext.lexicon import LEGAL_REFERENCE
from vntext.normalize import fold

_DOC_TYPES = {
    "hien phap": "Hiến pháp",
    "bo luat": "Bộ luật",
    "luat": "Luật",
    "phap lenh": "Pháp lệnh",
    "lenh": "Lệnh",
    "nghi quyet": "Nghị quyết",
    "nghi quyet lien tich": "Nghị quyết liên tịch",
    "nghi dinh": "Nghị định",
    "quyet dinh": "Quyết định",
    "thong tu": "Thông tư",
    "thong tu lien tich": "Thông tư liên tịch",
    "chi thi": "Chỉ thị",
    "ke hoach": "Kế hoạch",
    "bao cao": "Báo cáo",
    "huong dan": "Hướng dẫn",
    "thong bao": "Thông báo",
    "cong van": "Công văn",
    "to trinh": "Tờ trình",
    "quy che": "Quy chế",
    "quy dinh": "Quy định",
    "chuong trinh": "Chương trình",
    "de an": "Đề án",
}
# Type from the abbreviation in a số hiệu: "1766/QĐ-UBND", "63/2010/NĐ-CP".
_NUMBER_TYPES = (
    (re.compile(r"/TTLT-"), "Thông tư liên tịch"),
    (re.compile(r"/NQLT-"), "Nghị quyết liên tịch"),
    (re.compile(r"/QĐ-"), "Quyết định"),
    (re.compile(r"/NĐ-"), "Nghị định"),
    (re.compile(r"/TT-"), "Thông tư"),
    (re.compile(r"/NQ-"), "Nghị quyết"),
    (re.compile(r"/KH-"), "Kế hoạch"),
    (re.compile(r"/CT-"), "Chỉ thị"),
    (re.compile(r"/BC-"), "Báo cáo"),
    (re.compile(r"/HD-"), "Hướng dẫn"),
    (re.compile(r"/TB-"), "Thông báo"),
    (re.compile(r"/TTr-"), "Tờ trình"),
)
_HEADER_LINES = 40
_ISSUER_LINES = 8  # the issuer and the motto open the document
_STOP = re.compile(r"^(?:Căn cứ|Thực hiện|Theo đề nghị|Xét đề nghị|Theo|Xét)\b")
# Case-sensitive on purpose: the motto is printed in capitals; running text that
# mentions "Cộng hòa xã hội chủ nghĩa Việt Nam" is not a document header.
_MOTTO = re.compile(r"CỘNG\s+H(?:ÒA|OÀ)\s+XÃ\s+HỘI\s+CHỦ\s+NGHĨA")
_NUMBER = re.compile(
    r"(?<![\w])(?:Luật\s+|Pháp lệnh\s+)?Số\s*:\s*"
    r"(\d{1,6}(?:\s*/\s*[0-9A-Za-zĐđ][0-9A-Za-zĐđ.\-]*)+)",
    re.IGNORECASE,
)
# OCR of a scan drops the colon or misreads "Số" ("Sô", "Só", "S6"): accepted only at
# the start of a header line, where the số hiệu stands, and only as a fallback.
_NUMBER_OCR = re.compile(
    r"^\s*S[ốóôoỏ6]\s*[:;.,]?\s*(\d{1,6}(?:\s*/\s*[0-9A-Za-zĐđ][0-9A-Za-zĐđ.\-]*)+)"
)
_PLACE_DATE = re.compile(
    r"(?:^|\|)\s*[^\W\d][^,|]{1,60},\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})",
    re.IGNORECASE,
)
_AUTHORITY = re.compile(
    r"^(?:CHÍNH PHỦ|CHỦ TỊCH|BỘ TRƯỞNG|QUỐC HỘI|THỦ TƯỚNG|ỦY BAN|UỶ BAN|HỘI ĐỒNG|GIÁM ĐỐC|"
    r"TRƯỞNG BAN|CHÁNH ÁN|VIỆN TRƯỞNG|TỔNG KIỂM TOÁN|BAN QUẢN LÝ)\b"
)
_REFERENCE = LEGAL_REFERENCE
_MAX_REFERENCES = 200
_TRAILING_RULE = re.compile(r"[\s\-–—_=*]+$")


@dataclass
class TextMetadata:
    """What the text itself states; empty strings where it states nothing."""

    doc_type: str = ""
    number: str = ""
    issuer: str = ""
    issue_date: str = ""
    title: str = ""
    references: tuple[str, ...] = field(default_factory=tuple)


def extract_metadata(outline: Outline) -> TextMetadata:
    """Read document type, số hiệu, issuer, date, title and references from *outline*."""
    header = _header_lines(outline)
    meta = TextMetadata()
    meta.number = _find_number(header)
    type_index, meta.doc_type = _find_type_line(header)
    if not meta.doc_type:
        meta.doc_type = _type_from_number(meta.number, header)
    if type_index is not None:
        meta.title = _title_after(header, type_index)
    else:
        # A công văn has no type line: its trích yếu "V/v …" sits under the số hiệu.
        meta.title = _subject_line(header)
        if meta.title and not meta.doc_type:
            meta.doc_type = "Công văn"
    meta.issuer = _find_issuer(header)
    meta.issue_date = _find_date(header)
    meta.references = _find_references(outline, own_number=meta.number)
    return meta


def _header_lines(outline: Outline) -> list[str]:
    """Non-heading lines before the first structural heading or "Căn cứ …"."""
    markdown = {i for i in outline.heading_lines if outline.lines[i].lstrip().startswith("#")}
    structural = min((i for i in outline.heading_lines if i not in markdown), default=None)
    header: list[str] = []
    for i, raw in enumerate(outline.lines):
        if structural is not None and i >= structural:
            break
        line = raw.strip()
        if i in markdown:
            continue
        if _STOP.match(line):
            break
        header.append(bare(line.strip("#").strip()) if line else "")
        if sum(1 for h in header if h) >= _HEADER_LINES:
            break
    return header


def _find_number(header: Iterable[str]) -> str:
    lines = list(header)
    for pattern in (_NUMBER, _NUMBER_OCR):
        for line in lines:
            match = pattern.search(line)
            if match:
                return re.sub(r"\s*/\s*", "/", match.group(1)).rstrip(".-")
    return ""


def _find_type_line(header: list[str]) -> tuple[int | None, str]:
    for i, line in enumerate(header):
        key = fold(line).strip(" *").strip()
        if key in _DOC_TYPES and not line.endswith(":"):
            return i, _DOC_TYPES[key]
    return None, ""


def _type_from_number(number: str, header: Iterable[str]) -> str:
    if not number:
        return ""
    for pattern, doc_type in _NUMBER_TYPES:
        if pattern.search(number):
            return doc_type
    if re.search(r"/QH\d+$", number) and any(
        re.match(r"^Luật\s+số\s*:", line, re.IGNORECASE) for line in header
    ):
        return "Luật"
    return ""


def _title_after(header: list[str], type_index: int) -> str:
    """The type line plus the trích yếu lines under it: "QUYẾT ĐỊNH VỀ VIỆC …"."""
    parts: list[str] = []
    i = type_index + 1
    while i < len(header) and not header[i]:
        i += 1
    while i < len(header) and header[i] and len(parts) < 4:
        line = header[i]
        if (
            line.startswith("|")
            or line.endswith(":")
            or len(line) > 300
            or _AUTHORITY.match(line)
            or _STOP.match(line)
        ):
            break
        parts.append(line)
        i += 1
    if not parts:
        return ""
    return " ".join([header[type_index], *parts])


_SUBJECT = re.compile(r"^V\s*/\s*v\b\.?\s*", re.IGNORECASE)  # "V/v", OCR's "V/V", "V / v."


def _subject_line(header: list[str]) -> str:
    """The "V/v …" trích yếu with its continuation lines, as one line ("" when absent)."""
    for i, line in enumerate(header):
        if not _SUBJECT.match(line):
            continue
        parts = ["V/v " + _SUBJECT.sub("", line).strip()]
        for following in header[i + 1 : i + 4]:
            if (
                not following
                or _MOTTO.search(following)
                or _PLACE_DATE.search(following)
                or _AUTHORITY.match(following)
                or following.upper() == following
            ):
                break
            parts.append(following)
        return " ".join(parts)
    return ""


def _find_issuer(header: list[str]) -> str:
    """The issuing body: the upper-case text just before the national motto.

    The issuer's name may take two lines (parent body above the issuer, or a name too
    long for its column: "ỦY BAN NHÂN DÂN" / "TỈNH QUẢNG NAM"); consecutive upper-case
    lines right before the motto are joined. OCR of a two-column header reads the
    left column as its own block, so the name arrives as such a run of lines.
    """
    runs: list[list[str]] = []
    in_run = False
    seen = 0
    for line in header:
        if not line:
            continue
        if is_decoration(line):
            continue
        seen += 1
        if seen > _ISSUER_LINES:
            break
        cells = [c.strip() for c in line.strip("|").split("|")] if line.startswith("|") else [line]
        for cell in cells:
            motto = _MOTTO.search(cell)
            if motto:
                before = _TRAILING_RULE.sub("", cell[: motto.start()]).strip()
                if before and before.upper() == before:
                    return before
                return " ".join(runs[-1][-2:]) if runs else ""
            candidate = _TRAILING_RULE.sub("", cell).strip()
            if (
                candidate
                and candidate.upper() == candidate
                and any(ch.isalpha() for ch in candidate)
            ):
                if not in_run:
                    runs.append([])
                runs[-1].append(candidate)
                in_run = True
            elif candidate:
                in_run = False  # "Số: …" between: the name is the run before it
    return ""


def _find_date(header: Iterable[str]) -> str:
    for line in header:
        match = _PLACE_DATE.search(line)
        if match:
            day, month, year = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day).isoformat()
            except ValueError:
                return ""
    return ""


def _find_references(outline: Outline, *, own_number: str) -> tuple[str, ...]:
    """Documents cited in the text, as written, first mention of each number only."""
    seen = {_number_key(own_number)} if own_number else set()
    found: list[str] = []
    for i, line in enumerate(outline.lines):
        if i in outline.heading_lines and line.lstrip().startswith("#"):
            continue
        for match in _REFERENCE.finditer(line):
            key = _number_key(match.group(2))
            if key in seen:
                continue
            seen.add(key)
            found.append(" ".join(match.group(0).split()))
            if len(found) >= _MAX_REFERENCES:
                return tuple(found)
    return tuple(found)


def _number_key(number: str) -> str:
    return re.sub(r"\s+", "", number).upper()
