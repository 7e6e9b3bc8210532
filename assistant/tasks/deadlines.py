"""Deadlines and recurrences as Vietnamese plans write them, normalised.

A date counts as a deadline only after a deadline cue ("trước ngày", "chậm nhất",
"hạn", "hoàn thành", "đến ngày"): dates of cited documents ("Quyết định số 3200/QĐ-UBND
ngày 07/10/2019") are not deadlines. In a plan's "thời gian hoàn thành" table column no
cue is needed. Month, quarter and year deadlines end on the last day of that period; a
date without a year takes the plan's year. Recurrences get one canonical spelling
("hằng quý", "định kỳ 6 tháng", "thường xuyên", "hằng năm"). Everything matches on
folded text, so deadlines typed without diacritics are read too.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from assistant.tasks.folding import fold_aligned

_DATE = (
    r"(?:ngay\s+)?(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})(?:\s*[/.\-]\s*(?P<y>\d{4}))?"
    r"|ngay\s+(?P<d2>\d{1,2})\s+thang\s+(?P<m2>\d{1,2})(?:\s+nam\s+(?P<y2>\d{4}))?"
)
_CUE = (
    r"(?:truoc|cham nhat(?:\s+(?:la|vao|den))?|han chot|thoi han|han|xong truoc|"
    r"hoan thanh truoc|hoan thanh(?:\s+(?:trong|vao))?|den|trong thoi han den|vao)"
)
_CUED_DATE = re.compile(rf"(?<![0-9a-z]){_CUE}\s+(?:ngay\s+)?(?:{_DATE})(?![0-9/])")
_BARE_DATE = re.compile(rf"(?<![0-9a-z/])(?:{_DATE})(?![0-9/])")
_MONTH = re.compile(
    r"(?<![0-9a-z])(?P<cue>trong|truoc|cuoi|hoan thanh(?:\s+trong)?|trong thoi gian)?\s*"
    r"thang\s+(?P<m>\d{1,2})\s*(?:/|nam|-)\s*(?P<y>\d{4})"
)
_QUARTER = re.compile(
    r"(?<![0-9a-z])(?P<cue>truoc\s+)?quy\s+(?P<q>iv|i{1,3}|[1-4])(?![0-9a-z])\s*(?:/|nam|-)\s*"
    r"(?P<y>\d{4})"
)
_YEAR = re.compile(
    r"(?<![0-9a-z])(?P<cue>trong|truoc|den|hoan thanh(?:\s+trong)?)\s+nam\s+(?P<y>\d{4})"
)
_BARE_YEAR = re.compile(r"^(?:nam\s+)?(?P<y>\d{4})$")
_PERIODIC = re.compile(
    r"(?<![0-9a-z])(?:dinh ky\s+(?P<n>\d{1,2})\s+thang(?:\s+(?:mot|1)\s+lan)?"
    r"|(?P<n2>\d{1,2})\s+thang\s+(?:mot|1)\s+lan"
    r"|(?:dinh ky\s+)?(?:hang|hàng)\s+(?P<p>quy|thang|tuan|nam)(?![0-9a-z])"
    r"|dinh ky(?![0-9a-z])"
    r"|(?P<t>thuong xuyen|lien tuc)(?![0-9a-z]))"
)
_PERIOD_NAMES = {"quy": "hằng quý", "thang": "hằng tháng", "tuan": "hằng tuần", "nam": "hằng năm"}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


@dataclass(frozen=True)
class Deadline:
    """A deadline read from text: as written, the ISO due date and the recurrence."""

    written: str = ""
    due: str = ""
    recurrence: str = ""

    def __bool__(self) -> bool:
        return bool(self.written or self.due or self.recurrence)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _date_of(match: re.Match[str], year_hint: int | None) -> date | None:
    d = match.group("d") or match.group("d2")
    m = match.group("m") or match.group("m2")
    y = match.group("y") or match.group("y2")
    year = int(y) if y else year_hint
    if year is None:
        return None
    return _safe(year, int(m), int(d))


def parse_deadline(text: str, *, year_hint: int | None = None, cue: bool = True) -> Deadline:
    """The first deadline and the recurrence in *text*.

    ``cue=False`` reads a table's deadline cell, where a bare "30/6/2025", "Quý II/2025"
    or "Năm 2025" is the deadline.
    """
    folded = fold_aligned(text)
    spans: list[tuple[int, int]] = []
    due: date | None = None
    recurrence = ""

    found = (_CUED_DATE if cue else _BARE_DATE).search(folded)
    if found is not None:
        due = _date_of(found, year_hint)
        if due is not None:
            spans.append(found.span())
    if due is None:
        for pattern in (_QUARTER, _MONTH):
            match = pattern.search(folded)
            if match is None:
                continue
            if pattern is _MONTH and cue and not match.group("cue"):
                continue
            year = int(match.group("y"))
            if pattern is _QUARTER:
                quarter = _ROMAN.get(match.group("q"), 0) or int(match.group("q"))
                month = 3 * quarter - (3 if match.group("cue") else 0)
            else:
                month = int(match.group("m")) - (1 if match.group("cue") == "truoc" else 0)
            if not 1 <= month <= 12:
                if month == 0:
                    year, month = year - 1, 12
                else:
                    continue
            due = _month_end(year, month)
            spans.append(match.span())
            break
    if due is None:
        match = _YEAR.search(folded) or (None if cue else _BARE_YEAR.search(folded.strip()))
        if match is not None:
            year = int(match.group("y")) - (1 if match.groupdict().get("cue") == "truoc" else 0)
            due = date(year, 12, 31)
            offset = 0 if cue else len(folded) - len(folded.lstrip())
            spans.append((match.start() + offset, match.end() + offset))

    for match in _PERIODIC.finditer(folded):
        if (
            match.group("p")
            and not match.group(0).startswith("dinh")
            and not _periodic_ok(folded, match.start(), bool(spans))
        ):
            continue
        if match.group("n") or match.group("n2"):
            recurrence = f"định kỳ {match.group('n') or match.group('n2')} tháng"
        elif match.group("p"):
            recurrence = _PERIOD_NAMES[match.group("p")]
        elif match.group("t"):
            recurrence = "thường xuyên" if match.group("t") == "thuong xuyen" else "liên tục"
        else:
            recurrence = "định kỳ"
        spans.append(match.span())
        break
    if not spans:
        return Deadline()
    start = min(s for s, _ in spans)
    end = max(e for _, e in spans)
    written = text[start:end].strip(" ,;.")
    if not cue:
        written = text.strip()
    return Deadline(written, due.isoformat() if due else "", recurrence)


def _periodic_ok(folded: str, start: int, after_date: bool) -> bool:
    """ "hằng năm" is the task's period at the start of a clause, after a date ("trước
    30/6 hằng năm") or after a reporting verb, not as a modifier ("kế hoạch sử dụng đất
    hằng năm")."""
    before = folded[:start].rstrip()
    after = re.match(r"(?:hang|dinh ky hang) [a-z]+\s*(?:\.|$)", folded[start:])
    if after is not None:
        return True  # ends the sentence: "… đối thoại với Nhân dân hằng quý."
    if not before or before[-1] in ",;:(-" or after_date and re.search(r"\d\s*$", before):
        return True
    return bool(re.search(r"(?:bao cao|to chuc|thuc hien|danh gia|tong ket|so ket)\s*$", before))


def year_hint(*texts: str) -> int | None:
    """The plan's year: the first four-digit year 19xx/20xx in its date or title."""
    for text in texts:
        match = re.search(r"(?<!\d)(19|20)\d{2}(?!\d)", text or "")
        if match:
            return int(match.group(0))
    return None
