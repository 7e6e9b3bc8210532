"""The results report skeleton: "Báo cáo kết quả thực hiện Kế hoạch …".

Grouped by the eight PAPI dimensions (official names), then the tasks that serve no
single dimension (organisation, reporting). Each task shows its unit, role, deadline,
status and note, with a blank "Kết quả" line for the unit to complete.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from assistant.tasks.model import Task
from ingest.papi import DIMENSIONS

GENERAL = "Nhiệm vụ chung và tổ chức thực hiện"
BLANK = "……………………………………………………"


def report_title(document_title: str, doc_type: str = "Kế hoạch") -> str:
    """ "Báo cáo kết quả thực hiện Kế hoạch <title>"."""
    kind = doc_type or "Kế hoạch"
    title = document_title.strip()
    if title and not title.lower().startswith(kind.lower()):
        return f"Báo cáo kết quả thực hiện {kind} {title}"
    return f"Báo cáo kết quả thực hiện {title or kind}"


def _groups(tasks: Sequence[Task]) -> list[tuple[str, list[Task]]]:
    groups: list[tuple[str, list[Task]]] = []
    for number, name in DIMENSIONS.items():
        groups.append((f"{number}. {name}", [t for t in tasks if t.dimension == number]))
    groups.append((f"{len(DIMENSIONS) + 1}. {GENERAL}", [t for t in tasks if not t.dimension]))
    return groups


def _when(task: Task) -> str:
    return task.deadline or task.recurrence or "không nêu"


def report_markdown(tasks: Sequence[Task], title: str) -> bytes:
    """The report as Markdown."""
    lines = [
        f"# {title}",
        "",
        f"Tổng số nhiệm vụ: {len(tasks)}; "
        f"đã xong: {sum(t.status == 'đã xong' for t in tasks)}; "
        f"quá hạn: {sum(t.overdue for t in tasks)}.",
        "",
    ]
    for heading, group in _groups(tasks):
        lines += [f"## {heading}", ""]
        if not group:
            lines += ["Kế hoạch không giao nhiệm vụ thuộc nội dung này.", ""]
        for i, task in enumerate(group, 1):
            flag = " — **Quá hạn**" if task.overdue else ""
            lines += [
                f"{i}. **{task.unit}** ({task.role}): {task.action}",
                f"   - Thời hạn: {_when(task)}; trạng thái: {task.status}{flag}",
                f"   - Ghi chú: {task.note or BLANK}",
                f"   - Minh chứng: {task.evidence or BLANK}",
                f"   - Kết quả thực hiện: {BLANK}",
                "",
            ]
    lines += ["## Khó khăn, vướng mắc và đề xuất, kiến nghị", "", BLANK, ""]
    return "\n".join(lines).encode("utf-8")


def report_docx(tasks: Sequence[Task], title: str) -> bytes:
    """The report as a Word document: one table per dimension."""
    from docx import Document as Docx

    doc = Docx()
    doc.add_heading(title, level=1)
    doc.add_paragraph(
        f"Tổng số nhiệm vụ: {len(tasks)}; đã xong: {sum(t.status == 'đã xong' for t in tasks)}; "
        f"quá hạn: {sum(t.overdue for t in tasks)}."
    )
    headers = ("TT", "Đơn vị", "Nhiệm vụ", "Thời hạn", "Trạng thái", "Ghi chú", "Kết quả")
    for heading, group in _groups(tasks):
        doc.add_heading(heading, level=2)
        if not group:
            doc.add_paragraph("Kế hoạch không giao nhiệm vụ thuộc nội dung này.")
            continue
        table = doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        for cell, name in zip(table.rows[0].cells, headers, strict=True):
            cell.text = name
        for i, task in enumerate(group, 1):
            status = task.status + (" (Quá hạn)" if task.overdue else "")
            values = (
                str(i),
                f"{task.unit} ({task.role})",
                task.action,
                _when(task),
                status,
                task.note,
                "",
            )
            for cell, value in zip(table.add_row().cells, values, strict=True):
                cell.text = value
    doc.add_heading("Khó khăn, vướng mắc và đề xuất, kiến nghị", level=2)
    doc.add_paragraph(BLANK)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_report(tasks: Sequence[Task], title: str, fmt: str) -> tuple[bytes, str, str]:
    """(content, media type, file name) of the report in ``md`` or ``docx``."""
    if fmt == "md":
        return report_markdown(tasks, title), "text/markdown; charset=utf-8", "bao-cao.md"
    if fmt == "docx":
        return (
            report_docx(tasks, title),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "bao-cao.docx",
        )
    raise ValueError(f"Định dạng báo cáo không hỗ trợ: {fmt!r} (md, docx) / unsupported format")
