"""The "Nhiệm vụ" tab: each unit's tasks as a checklist, status updates, exports, and
the province's PAPI results by dimension beside the tasks that serve them.

Everything shown comes from the documents; every document-supplied string is escaped
(the chart is an inline SVG built here, no external assets).
"""

from __future__ import annotations

import html
import shutil
import tempfile
import weakref
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.quiz import DIMENSION_NAMES as DIMENSIONS

if TYPE_CHECKING:
    from assistant.core.facade import Assistant

Task = Any  # assistant.tasks.Task; the UI sees it only through the facade

HEADERS = [
    "Mã",
    "Đơn vị",
    "Vai trò",
    "Nhiệm vụ",
    "Thời hạn",
    "Hạn",
    "Quá hạn",
    "Chỉ số",
    "Trạng thái",
    "Ghi chú",
    "Minh chứng",
]
EXPORT_FORMATS = ("xlsx", "docx", "md", "ics")
_ALL = "Tất cả"


def task_rows(tasks: list[Task]) -> list[list[str]]:
    """Checklist rows (plain strings: the table shows them as text)."""
    return [
        [
            t.id,
            t.unit,
            t.role,
            t.action,
            t.deadline or t.recurrence,
            t.due or "",
            "Quá hạn" if t.overdue else "",
            str(t.dimension or ""),
            t.status,
            t.note,
            t.evidence,
        ]
        for t in tasks
    ]


def render_chart(results: Any, tasks: list[Task]) -> str:
    """Inline SVG: latest PAPI score per dimension (weak ones marked) and the number of
    tasks serving each dimension; a plain notice when no results table is loaded."""
    counts = {d: sum(1 for t in tasks if t.dimension == d) for d in DIMENSIONS}
    latest = results.latest() if results is not None else None
    if latest is None:
        rows = "".join(
            f"<li>{html.escape(name)}: {counts[d]} nhiệm vụ</li>" for d, name in DIMENSIONS.items()
        )
        return (
            '<div class="papi-chart"><p>Chưa có bảng kết quả PAPI theo chỉ số trong các văn '
            f"bản đã nạp, nên chưa vẽ được biểu đồ.</p><ul>{rows}</ul></div>"
        )
    weak = set(results.weak_dimensions())
    bar_h, gap, label_w, chart_w = 22, 8, 330, 260
    height = len(DIMENSIONS) * (bar_h + gap) + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_w + chart_w + 170}" '
        f'height="{height}" aria-label="Điểm PAPI {latest.year} theo chỉ số">',
        f'<text x="0" y="16" font-size="14" font-weight="bold">Điểm PAPI năm {latest.year} theo '
        "chỉ số nội dung (thang 1–10) và số nhiệm vụ của kế hoạch</text>",
    ]
    for i, (d, name) in enumerate(DIMENSIONS.items()):
        y = 30 + i * (bar_h + gap)
        score = latest.by_dimension.get(d)
        width = 0 if score is None else max(0.0, min(score, 10.0)) / 10 * chart_w
        colour = "#c0392b" if d in weak else "#2e86c1"
        value = "–" if score is None else f"{score:.2f}".replace(".", ",")
        mark = " (yếu)" if d in weak else ""
        parts += [
            f'<text x="0" y="{y + 15}" font-size="12">{d}. {html.escape(name)}</text>',
            f'<rect x="{label_w}" y="{y}" width="{width:.1f}" height="{bar_h}" fill="{colour}"/>',
            f'<text x="{label_w + chart_w + 6}" y="{y + 15}" font-size="12">'
            f"{html.escape(value)}{mark} · {counts[d]} nhiệm vụ</text>",
        ]
    parts.append("</svg>")
    return '<div class="papi-chart">' + "".join(parts) + "</div>"


class _ExportFiles:
    """Exported task files in a private temp folder removed with the UI."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="papi-tasks-"))
        weakref.finalize(self, shutil.rmtree, self.root, True)

    def write(self, content: bytes, filename: str) -> str:
        folder = Path(tempfile.mkdtemp(dir=self.root))
        path = folder / filename
        path.write_bytes(content)
        return str(path)


def build_tasks_tab(assistant: Assistant, is_admin: Callable[[str | None], bool]) -> None:
    """Add the "Nhiệm vụ" tab to the enclosing ``gr.Blocks``."""
    files = _ExportFiles()

    def current(unit: str | None, dimension: str | None) -> list[Task]:
        dim = int(dimension.split(".")[0]) if dimension and dimension != _ALL else None
        chosen = unit if unit and unit != _ALL else None
        found: list[Task] = assistant.tasks(unit=chosen, dimension=dim, today=date.today())
        return found

    def show(unit: str | None, dimension: str | None) -> tuple[Any, ...]:
        everything = assistant.tasks(today=date.today())
        found = current(unit, dimension)
        units = [_ALL, *sorted({t.unit for t in everything})]
        overdue = sum(t.overdue for t in found)
        summary = f"**{len(found)} nhiệm vụ**" + (f" · **{overdue} quá hạn**" if overdue else "")
        return (
            task_rows(found),
            gr.update(choices=units),
            gr.update(choices=[t.id for t in found]),
            summary,
            render_chart(assistant.papi_results(), everything),
        )

    def update(
        token: str,
        task_id: str | None,
        status: str,
        note: str,
        evidence: str,
        by: str,
        unit: str | None,
        dimension: str | None,
    ) -> tuple[Any, ...]:
        if not is_admin(token):
            message = "Cần mã quản trị hợp lệ / a valid admin token is required."
        elif not task_id:
            message = "Chọn một nhiệm vụ / choose a task."
        else:
            try:
                assistant.set_task_status(task_id, status, note=note, evidence=evidence, by=by)
                message = f"Đã cập nhật {task_id}: {status}."
            except (ValueError, RuntimeError) as exc:
                message = f"Lỗi: {exc}"
        return (html.escape(message), *show(unit, dimension))

    def export(fmt: str) -> Callable[[str | None, str | None], str]:
        def run(unit: str | None, dimension: str | None) -> str:
            content, _media, filename = assistant.export_tasks(current(unit, dimension), fmt)
            return files.write(content, filename)

        return run

    with gr.Tab("Nhiệm vụ", id="tasks") as tab:
        gr.Markdown(
            "Nhiệm vụ từng đơn vị phải làm theo các kế hoạch đã nạp, với thời hạn và nguồn. "
            "Nhiệm vụ quá hạn được đánh dấu **Quá hạn** theo ngày hôm nay."
        )
        chart = gr.HTML(elem_id="papi-task-chart")
        with gr.Row():
            unit = gr.Dropdown([_ALL], value=_ALL, label="Đơn vị", allow_custom_value=True, scale=3)
            dimension = gr.Dropdown(
                [_ALL, *[f"{d}. {n}" for d, n in DIMENSIONS.items()]],
                value=_ALL,
                label="Chỉ số PAPI",
                scale=3,
            )
            refresh = gr.Button("Lọc / làm mới", scale=1)
        summary = gr.Markdown(elem_id="papi-task-summary")
        table = gr.Dataframe(
            headers=HEADERS,
            datatype=["str"] * len(HEADERS),
            interactive=False,
            wrap=True,
            elem_id="papi-tasks",
            label="Danh sách nhiệm vụ",
        )
        with gr.Row():
            buttons = {fmt: gr.Button(f"Tải {fmt.upper()}", size="sm") for fmt in EXPORT_FORMATS}
            download = gr.File(label="Tệp tải về", interactive=False, elem_id="papi-task-file")
        with gr.Accordion("Cập nhật trạng thái (quản trị)", open=False):
            token = gr.Textbox(label="Mã quản trị", type="password", elem_id="papi-task-token")
            task_choice = gr.Dropdown(
                [], label="Mã nhiệm vụ", allow_custom_value=True, elem_id="papi-task-id"
            )
            status = gr.Radio(
                ["chưa làm", "đang làm", "đã xong"], value="đang làm", label="Trạng thái"
            )
            note = gr.Textbox(label="Ghi chú", max_length=2000, elem_id="papi-task-note")
            evidence = gr.Textbox(label="Đường dẫn minh chứng", max_length=1000)
            by = gr.Textbox(label="Người cập nhật", max_length=200)
            save = gr.Button("Lưu trạng thái", variant="primary", elem_id="papi-task-save")
            message = gr.Markdown(elem_id="papi-task-message")

    outputs = [table, unit, task_choice, summary, chart]
    # Loaded when the tab is opened, so a plan uploaded a moment ago is already there.
    tab.select(show, [unit, dimension], outputs, api_visibility="private")
    refresh.click(show, [unit, dimension], outputs, api_visibility="private")
    dimension.change(show, [unit, dimension], outputs, api_visibility="private")
    save.click(
        update,
        [token, task_choice, status, note, evidence, by, unit, dimension],
        [message, *outputs],
        api_visibility="private",
    )
    for fmt, button in buttons.items():
        button.click(export(fmt), [unit, dimension], download, api_visibility="private")
