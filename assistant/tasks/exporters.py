"""Task lists as Markdown, DOCX, XLSX and iCalendar (ICS) files.

Every exporter takes tasks (with their status filled in) and returns bytes; the
facade names the file and the media type. ICS follows RFC 5545: all-day events on the
due date, CRLF lines folded at 75 octets, text escaped, an RRULE for recurring tasks.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, date, datetime

from assistant.tasks.model import Task

FORMATS = {
    "md": ("text/markdown; charset=utf-8", "md"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ics": ("text/calendar; charset=utf-8", "ics"),
    "json": ("application/json", "json"),
}
COLUMNS = (
    ("Đơn vị", "unit"),
    ("Vai trò", "role"),
    ("Nhiệm vụ", "action"),
    ("Thời hạn", "deadline"),
    ("Hạn (ISO)", "due"),
    ("Định kỳ", "recurrence"),
    ("Chỉ số PAPI", "dimension"),
    ("Trạng thái", "status"),
    ("Quá hạn", "overdue"),
    ("Ghi chú", "note"),
    ("Minh chứng", "evidence"),
    ("Mục", "section"),
    ("Mã", "id"),
)


def _cell(task: Task, field: str) -> str:
    value = getattr(task, field)
    if field == "overdue":
        return "Quá hạn" if value else ""
    if value is None:
        return ""
    return str(value)


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def to_markdown(tasks: Sequence[Task], title: str = "Danh sách nhiệm vụ") -> bytes:
    """A Markdown checklist table."""
    lines = [f"# {title}", "", f"Tổng số: {len(tasks)} nhiệm vụ.", ""]
    lines.append("| " + " | ".join(name for name, _ in COLUMNS) + " |")
    lines.append("|" + "---|" * len(COLUMNS))
    for task in tasks:
        lines.append("| " + " | ".join(_md_escape(_cell(task, f)) for _, f in COLUMNS) + " |")
    return ("\n".join(lines) + "\n").encode("utf-8")


def to_docx(tasks: Sequence[Task], title: str = "Danh sách nhiệm vụ") -> bytes:
    """A Word table of the tasks."""
    from docx import Document as Docx

    doc = Docx()
    doc.add_heading(title, level=1)
    doc.add_paragraph(f"Tổng số: {len(tasks)} nhiệm vụ.")
    shown = [c for c in COLUMNS if c[1] not in ("id", "due", "section")]
    table = doc.add_table(rows=1, cols=len(shown))
    table.style = "Table Grid"
    for cell, (name, _) in zip(table.rows[0].cells, shown, strict=True):
        cell.text = name
    for task in tasks:
        row = table.add_row().cells
        for cell, (_, field) in zip(row, shown, strict=True):
            cell.text = _cell(task, field)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def to_xlsx(tasks: Sequence[Task], title: str = "Nhiệm vụ") -> bytes:
    """A spreadsheet with one row per task (frozen header, filters on)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Nhiệm vụ"
    sheet.append([name for name, _ in COLUMNS])
    for task in tasks:
        sheet.append([_xlsx_value(_cell(task, field)) for _, field in COLUMNS])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(text: str) -> str:
    # A cell starting with "=" (or +, -, @) would run as a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


_RRULES = {
    "hằng năm": "FREQ=YEARLY",
    "hằng quý": "FREQ=MONTHLY;INTERVAL=3",
    "hằng tháng": "FREQ=MONTHLY",
    "hằng tuần": "FREQ=WEEKLY",
}


def _ics_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545 line folding: at most 75 octets per line, never inside a character."""
    out: list[str] = []
    current = ""
    size = 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += ch
        size += width
    out.append(current)
    return "\r\n".join(out)


def to_ics(tasks: Sequence[Task], *, now: datetime | None = None) -> bytes:
    """An iCalendar file: one all-day event per task that has a due date."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//PAPI Assistant//Nhiem vu//VI",
        "CALSCALE:GREGORIAN",
    ]
    for task in tasks:
        if not task.due:
            continue
        day = date.fromisoformat(task.due)
        summary = f"{task.unit}: {task.action}"
        if len(summary) > 200:
            summary = summary[:199] + "…"
        description = (
            f"{task.action}\nĐơn vị: {task.unit} ({task.role})\nThời hạn: {task.deadline}\n"
            f"Trạng thái: {task.status}\nNguồn: {task.document_title} — {task.section}"
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:{task.id}@papi-assistant",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{day.strftime('%Y%m%d')}",
            f"SUMMARY:{_ics_text(summary)}",
            f"DESCRIPTION:{_ics_text(description)}",
        ]
        if task.recurrence in _RRULES:
            lines.append(f"RRULE:{_RRULES[task.recurrence]}")
        elif task.recurrence.startswith("định kỳ ") and task.recurrence.split()[2].isdigit():
            lines.append(f"RRULE:FREQ=MONTHLY;INTERVAL={task.recurrence.split()[2]}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode("utf-8")


def export_tasks(
    tasks: Sequence[Task], fmt: str, title: str = "Danh sách nhiệm vụ"
) -> tuple[bytes, str, str]:
    """(content, media type, file name) for md, docx, xlsx, ics or json."""
    import json

    if fmt not in FORMATS:
        raise ValueError(
            f"Định dạng không hỗ trợ: {fmt!r} (chọn: {', '.join(FORMATS)}) / unsupported format"
        )
    media, suffix = FORMATS[fmt]
    if fmt == "md":
        content = to_markdown(tasks, title)
    elif fmt == "docx":
        content = to_docx(tasks, title)
    elif fmt == "xlsx":
        content = to_xlsx(tasks, title)
    elif fmt == "ics":
        content = to_ics(tasks)
    else:
        payload = {"tasks": [t.to_dict() for t in tasks]}
        content = json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")
    return content, media, f"nhiem-vu.{suffix}"
