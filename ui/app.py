"""The Vietnamese web UI (Gradio): Hỏi đáp (chat with sources) and Văn bản (documents, admin).

Handlers only call the :class:`~assistant.facade.Assistant`. Everything that comes from a
document (answers, quotes, titles, sections, file names, error reasons) is escaped before
it reaches the page, so nothing in a document can inject HTML or script.
"""

from __future__ import annotations

import hmac
import html
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Gradio reads this at import time; the UI must not phone home.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from assistant.answers import Answer  # noqa: E402
from assistant.index import IngestResult  # noqa: E402

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assistant.facade import Assistant


DIMENSIONS: dict[int, str] = {
    1: "Tham gia của người dân ở cấp cơ sở",
    2: "Công khai, minh bạch trong việc ra quyết định ở địa phương",
    3: "Trách nhiệm giải trình với người dân",
    4: "Kiểm soát tham nhũng trong khu vực công",
    5: "Thủ tục hành chính công",
    6: "Cung ứng dịch vụ công",
    7: "Quản trị môi trường",
    8: "Quản trị điện tử",
}
"""The eight PAPI dimensions, for the filter."""

EXAMPLE_QUESTIONS = [
    "Hạn chót báo cáo kết quả thực hiện kế hoạch PAPI là ngày nào?",
    "Khi trễ hẹn giải quyết thủ tục hành chính thì đơn vị tôi phải làm gì?",
    "Phòng Hành chính và Tổng hợp có nhiệm vụ gì trong kế hoạch này?",
    "Chỉ số PAPI gồm những nội dung nào?",
]

STATUS_LABELS = {
    "in_force": "Còn hiệu lực",
    "superseded": "Đã bị thay thế",
    "reference": "Tài liệu tham khảo",
}

DOCUMENT_HEADERS = [
    "Mã văn bản",
    "Tiêu đề",
    "Loại",
    "Số hiệu",
    "Cơ quan ban hành",
    "Năm/ngày",
    "Hiệu lực",
    "Số đoạn",
    "Tệp nguồn",
]

FILE_TYPES = [".pdf", ".docx", ".md", ".markdown", ".txt", ".html", ".htm"]
"""A hint for the file picker; the ingest layer decides what it can read."""

CSS = """
.papi-sources { margin-top: .5em; font-size: .95em; }
.papi-sources details { border-left: 3px solid var(--color-accent); padding: .2em .6em;
  margin: .3em 0; }
.papi-sources summary { cursor: pointer; }
.papi-sources blockquote { margin: .4em 0; white-space: normal; }
.papi-superseded { color: var(--error-text-color); font-weight: 600; }
/* The table's monospace font lacks many precomposed Vietnamese letters. */
#papi-documents table, #papi-documents td, #papi-documents th,
#papi-documents span { font-family: var(--font) !important; }
"""

CHAT_CONCURRENCY = 4
"""Questions answered at once in the UI (admin actions stay one at a time)."""

ADMIN_DISABLED = (
    "Chức năng quản trị đang tắt vì máy chủ chưa đặt `PAPI_ADMIN_TOKEN`. "
    "Anh/chị vẫn xem được danh sách văn bản."
)
BAD_TOKEN = "Mã quản trị không đúng. Vui lòng nhập lại."

# Enough to stop links, images, code, emphasis, tables and headings; "(", "-" and "."
# stay readable (lists still render; a "(" cannot start a link without a "]").
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]!|~#])")


# -- escaping -------------------------------------------------------------------------


def escape_html(text: str) -> str:
    """HTML-escape *text*; braces and dollars too, so no template syntax survives."""
    escaped = html.escape(text, quote=True)
    return escaped.replace("{", "&#123;").replace("}", "&#125;").replace("$", "&#36;")


def escape_markdown(text: str) -> str:
    """Text shown literally inside Markdown: HTML-escaped, Markdown punctuation backslashed."""
    # Backslashes first: the entities escape_html writes contain "#" and must stay intact.
    return escape_html(_MARKDOWN_SPECIALS.sub(r"\\\1", text))


_MARKDOWN_ENTITIES = str.maketrans(
    {"[": "&#91;", "]": "&#93;", "*": "&#42;", "_": "&#95;", "`": "&#96;", "~": "&#126;"}
)


def _inline_html(text: str) -> str:
    """Escaped text for inside an HTML block: no newline may end the block early, and no
    Markdown punctuation survives in case a renderer looks inside HTML blocks."""
    escaped = escape_html(text).translate(_MARKDOWN_ENTITIES)
    return escaped.replace("\r", "").replace("\n", "<br>")


# -- rendering ------------------------------------------------------------------------


def render_sources(answer: Answer) -> str:
    """Numbered, expandable sources (document, section, quoted text), all escaped."""
    if answer.citations:
        items = []
        for c in answer.citations:
            label = c.title + (f" ({c.number})" if c.number else "")
            section = f" — {c.section}" if c.section else ""
            status = (
                '<span class="papi-superseded"> (đã bị thay thế'
                + (f" bởi {_inline_html(c.superseded_by)}" if c.superseded_by else "")
                + ")</span>"
                if c.status == "superseded"
                else ""
            )
            items.append(
                f"<details><summary><b>[{c.n}]</b> {_inline_html(label)}"
                f"<i>{_inline_html(section)}</i>{status}</summary>"
                f"<blockquote>{_inline_html(c.quote)}</blockquote></details>"
            )
        return '<div class="papi-sources"><b>Nguồn trích dẫn:</b>' + "".join(items) + "</div>"
    if answer.related:
        items = []
        for r in answer.related:
            label = r.title + (f" ({r.number})" if r.number else "")
            section = f" — {r.section}" if r.section else ""
            items.append(f"<li>{_inline_html(label)}<i>{_inline_html(section)}</i></li>")
        return (
            '<div class="papi-sources"><b>Văn bản có thể liên quan:</b><ul>'
            + "".join(items)
            + "</ul></div>"
        )
    return ""


def render_answer(answer: Answer) -> str:
    """The chat message for an answer: escaped text, then its sources on one HTML line."""
    sources = render_sources(answer)
    text = escape_markdown(answer.answer)
    return f"{text}\n\n{sources}" if sources else text


def document_rows(assistant: Assistant) -> list[list[Any]]:
    """The document table (plain strings: the table shows them as text)."""
    return [
        [
            d.id,
            d.title,
            d.doc_type,
            d.number,
            d.issuer,
            d.issue_date,
            STATUS_LABELS.get(d.status, d.status)
            + (f" (bởi {d.superseded_by})" if d.superseded_by else ""),
            d.chunks,
            d.source,
        ]
        for d in assistant.documents()
    ]


def document_choices(assistant: Assistant) -> list[tuple[str, str]]:
    """(label, id) pairs for the document pickers."""
    return [(d.title or d.id, d.id) for d in assistant.documents()]


def _report_markdown(results: list[IngestResult]) -> str:
    labels = {
        "added": "Đã thêm",
        "replaced": "Đã thay thế",
        "unchanged": "Không đổi",
        "failed": "**Lỗi**",
    }
    lines = []
    for r in results:
        line = f"- {labels[r.status]}: {escape_markdown(r.source)}"
        if r.status == "failed":
            line += f" — {escape_markdown(r.reason)}"
        else:
            line += f" → {escape_markdown(r.title or r.document_id)} ({r.chunks} đoạn)"
        lines.append(line)
    return "\n".join(lines)


# -- the UI ---------------------------------------------------------------------------


def build_ui(assistant: Assistant) -> gr.Blocks:
    """The Gradio Blocks of the UI (mount it with :func:`mount_ui`)."""
    admin_token = assistant.settings.admin_token
    admin_enabled = bool(admin_token.get_secret_value())
    max_bytes = int(assistant.settings.server.max_upload_mb * 1024 * 1024)

    def is_admin(token: str | None) -> bool:
        expected = admin_token.get_secret_value()
        if not expected or not token:
            return False
        return hmac.compare_digest(expected.encode("utf-8"), token.strip().encode("utf-8"))

    def respond(
        message: str,
        history: list[dict[str, str]],
        shown: list[dict[str, str]],
        documents: list[str] | None,
        dimensions: list[int] | None,
    ) -> Iterator[tuple[Any, ...]]:
        question = (message or "").strip()
        if not question:
            yield gr.skip(), history, shown, shown
            return
        filters = {"documents": documents or [], "dimensions": dimensions or []}
        shown = [
            *shown,
            {"role": "user", "content": escape_markdown(question)},
            {"role": "assistant", "content": "…"},
        ]
        yield "", history, shown, shown
        text = ""
        answer: Answer | None = None
        for event in assistant.ask_stream(question, history, filters):
            if isinstance(event, Answer):
                answer = event
                continue
            text += event
            shown[-1] = {"role": "assistant", "content": escape_markdown(text)}
            yield "", history, shown, shown
        if answer is None:  # a composer that ended without its Answer: show what came
            answer = Answer(question=question, answer=text, grounded=False, mode="refusal")
        shown[-1] = {"role": "assistant", "content": render_answer(answer)}
        history = [
            *history,
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer.answer},
        ]
        yield "", history, shown, shown

    def clear() -> tuple[Any, ...]:
        return [], [], [], ""

    def refresh() -> tuple[Any, ...]:
        choices = document_choices(assistant)
        return (
            document_rows(assistant),
            gr.Dropdown(choices=choices),
            gr.Dropdown(choices=choices, value=None),
        )

    def upload(token: str, paths: list[str] | None, progress: Any = None) -> tuple[Any, ...]:
        if not admin_enabled:
            return (ADMIN_DISABLED, *refresh(), gr.skip())
        if not is_admin(token):
            return (BAD_TOKEN, *refresh(), gr.skip())
        if not paths:
            return ("Chưa chọn tệp nào.", *refresh(), gr.skip())
        results: list[IngestResult] = []
        track = progress if progress is not None else (lambda *_a, **_k: None)
        for i, path in enumerate(paths):
            name = Path(path).name
            track(i / len(paths), desc=f"Đang nạp {name}")
            size = os.path.getsize(path)
            if size > max_bytes:
                reason = (
                    f"Tệp vượt quá giới hạn {max_bytes / 1024 / 1024:g} MB / "
                    f"file exceeds the upload limit"
                )
                results.append(IngestResult(name, "failed", reason=reason))
                continue
            data = Path(path).read_bytes()
            results.extend(assistant.ingest_uploads([(name, data)]).results)
        track(1.0, desc="Xong")
        ok = sum(r.status != "failed" for r in results)
        head = f"**Đã xử lý {len(results)} tệp: {ok} thành công, {len(results) - ok} lỗi.**"
        return (f"{head}\n\n{_report_markdown(results)}", *refresh(), None)

    def remove(token: str, document_id: str | None) -> tuple[Any, ...]:
        if not admin_enabled:
            return (ADMIN_DISABLED, *refresh())
        if not is_admin(token):
            return (BAD_TOKEN, *refresh())
        if not document_id:
            return ("Chưa chọn văn bản cần xoá.", *refresh())
        if assistant.remove(document_id):
            message = f"Đã xoá văn bản {escape_markdown(document_id)}."
        else:
            message = f"Không có văn bản {escape_markdown(document_id)}."
        return (message, *refresh())

    def reingest(token: str) -> tuple[Any, ...]:
        if not admin_enabled:
            return (ADMIN_DISABLED, *refresh())
        if not is_admin(token):
            return (BAD_TOKEN, *refresh())
        report = assistant.ingest()
        counts = report.counts()
        head = (
            f"**Nạp lại thư mục văn bản: {counts['added']} thêm mới, {counts['replaced']} "
            f"thay thế, {counts['unchanged']} không đổi, {counts['failed']} lỗi.**"
        )
        return (f"{head}\n\n{_report_markdown(report.results)}", *refresh())

    with gr.Blocks(title="Trợ lý PAPI & CCHC", analytics_enabled=False) as demo:
        gr.Markdown(
            "# Trợ lý PAPI & CCHC\n"
            "Hỏi đáp có trích dẫn trên các văn bản về Chỉ số PAPI và cải cách hành chính. "
            "Mỗi câu trả lời ghi rõ nguồn [1], [2]…; khi văn bản không có thông tin, trợ lý "
            "nói rõ và gợi ý văn bản liên quan."
        )
        history = gr.State([])
        shown = gr.State([])
        with gr.Tab("Hỏi đáp", id="chat"), gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="Hội thoại",
                    elem_id="papi-chat",
                    height=520,
                    latex_delimiters=[],
                    sanitize_html=True,
                    buttons=["copy"],
                    feedback_options=None,
                    placeholder="Đặt câu hỏi về kế hoạch, quy định PAPI và CCHC.",
                )
                with gr.Row():
                    question = gr.Textbox(
                        label="Câu hỏi",
                        placeholder="Nhập câu hỏi rồi nhấn Enter…",
                        elem_id="papi-question",
                        scale=5,
                        max_length=2000,
                    )
                    ask = gr.Button("Gửi", variant="primary", elem_id="papi-ask", scale=1)
                clear_button = gr.Button("Xoá hội thoại", size="sm")
                gr.Examples(EXAMPLE_QUESTIONS, inputs=question, label="Câu hỏi mẫu")
            with gr.Column(scale=1):
                doc_filter = gr.Dropdown(
                    choices=document_choices(assistant),
                    multiselect=True,
                    label="Lọc theo văn bản",
                    info="Để trống: tìm trong mọi văn bản.",
                )
                dim_filter = gr.CheckboxGroup(
                    choices=[(f"{n}. {name}", n) for n, name in DIMENSIONS.items()],
                    label="Lọc theo chỉ số nội dung PAPI",
                )
        with gr.Tab("Văn bản", id="documents"):
            table = gr.Dataframe(
                value=document_rows(assistant),
                headers=DOCUMENT_HEADERS,
                datatype="str",
                type="array",
                interactive=False,
                wrap=True,
                column_widths=["16%", "26%", "7%", "8%", "14%", "6%", "8%", "5%", "10%"],
                label="Văn bản đã nạp",
                elem_id="papi-documents",
            )
            refresh_button = gr.Button("Làm mới danh sách", size="sm")
            with gr.Accordion("Quản trị văn bản", open=admin_enabled):
                if not admin_enabled:
                    gr.Markdown(ADMIN_DISABLED)
                token = gr.Textbox(
                    label="Mã quản trị",
                    type="password",
                    elem_id="papi-token",
                    interactive=admin_enabled,
                )
                files = gr.File(
                    label="Tệp văn bản (PDF, DOCX, MD, TXT, HTML)",
                    file_count="multiple",
                    file_types=FILE_TYPES,
                    elem_id="papi-files",
                    interactive=admin_enabled,
                )
                upload_button = gr.Button(
                    "Tải lên và nạp",
                    variant="primary",
                    elem_id="papi-upload",
                    interactive=admin_enabled,
                )
                with gr.Row():
                    remove_choice = gr.Dropdown(
                        choices=document_choices(assistant),
                        label="Văn bản cần xoá",
                        interactive=admin_enabled,
                    )
                    remove_button = gr.Button(
                        "Xoá văn bản", variant="stop", interactive=admin_enabled
                    )
                reingest_button = gr.Button(
                    "Nạp lại thư mục văn bản gốc", interactive=admin_enabled
                )
                admin_status = gr.Markdown(elem_id="papi-admin-status")

        ask_inputs = [question, history, shown, doc_filter, dim_filter]
        ask_outputs = [question, history, shown, chatbot]
        for trigger in (ask.click, question.submit):
            # Gradio runs one event at a time by default; let several people ask at once.
            trigger(
                respond,
                ask_inputs,
                ask_outputs,
                api_visibility="private",
                concurrency_limit=CHAT_CONCURRENCY,
                concurrency_id="chat",
            )
        clear_button.click(
            clear, None, [chatbot, history, shown, question], api_visibility="private"
        )

        refreshed = [table, doc_filter, remove_choice]
        refresh_button.click(refresh, None, refreshed, api_visibility="private")
        demo.load(refresh, None, refreshed, api_visibility="private")

        def upload_with_progress(
            token_value: str,
            paths: list[str] | None,
            progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio idiom
        ) -> tuple[Any, ...]:
            return upload(token_value, paths, progress)

        upload_button.click(
            upload_with_progress,
            [token, files],
            [admin_status, *refreshed, files],
            api_visibility="private",
        )
        remove_button.click(
            remove, [token, remove_choice], [admin_status, *refreshed], api_visibility="private"
        )
        reingest_button.click(
            reingest, [token], [admin_status, *refreshed], api_visibility="private"
        )
    return demo


def mount_ui(app: FastAPI, assistant: Assistant, *, path: str, max_file_bytes: int) -> None:
    """Mount the UI on *app* at *path*: local assets only, no run history, no footer links."""
    gr.mount_gradio_app(
        app,
        build_ui(assistant),
        path=path,
        footer_links=[],
        run_history=False,
        max_file_size=max_file_bytes,
        ssr_mode=False,
        mcp_server=False,
        theme=gr.themes.Default(),
        css=CSS,
    )
