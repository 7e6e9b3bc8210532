"""The Vietnamese web UI (Gradio): Hỏi đáp (chat with sources), Văn bản (documents, admin)
and Trắc nghiệm (quiz material for trainers: preview, then download in every format).

Handlers only call the :class:`~assistant.core.facade.Assistant`. Everything that comes from a
document (answers, quotes, titles, sections, file names, error reasons) is escaped before
it reaches the page, so nothing in a document can inject HTML or script.
"""

from __future__ import annotations

import hmac
import html
import math
import os
import re
import shutil
import tempfile
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Gradio reads this at import time; the UI must not phone home.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from assistant.answer.model import Answer  # noqa: E402
from assistant.index import IngestResult  # noqa: E402
from assistant.quiz import DIMENSION_NAMES, FORMATS, ITEM_TYPES  # noqa: E402
from assistant.quiz.model import LETTERS  # noqa: E402
from ui import gradio_locale  # noqa: E402
from ui.tasks_tab import build_tasks_tab  # noqa: E402

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assistant.core.facade import Assistant
    from assistant.core.jobs import Job
    from assistant.quiz import Quiz, QuizItem


DIMENSIONS: Mapping[int, str] = DIMENSION_NAMES
"""The eight PAPI dimensions (official names), for the filters."""

QUIZ_TYPE_LABELS = {"mcq": "Trắc nghiệm A–D", "true_false": "Đúng–Sai", "cloze": "Điền khuyết"}
QUIZ_FORMAT_LABELS = {
    "json": "JSON",
    "gift": "GIFT (Moodle)",
    "aiken": "Aiken",
    "moodle-xml": "Moodle XML",
    "csv": "CSV (Excel)",
    "docx": "Word (.docx)",
    "md": "Markdown",
}
QUIZ_MAX_ITEMS = 200
QUIZ_DEFAULT_ITEMS = 10
QUIZ_FILES_KEPT = 32
"""Generations whose exported files stay in the UI's temp folder (Gradio has copied them
into its own cache by the time the next generations run)."""

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
.papi-quiz-meta { margin-bottom: .6em; }
.papi-quiz-item { border-left: 3px solid var(--border-color-primary); padding: .2em .8em;
  margin: .8em 0; }
.papi-quiz-item.papi-needs-review { border-left-color: var(--error-text-color); }
.papi-quiz-item p { margin: .3em 0; }
.papi-quiz-options { list-style: none; padding-left: 1em; margin: .3em 0; }
.papi-quiz-item blockquote { margin: .2em 0 .4em 1em; font-style: italic; }
.papi-quiz-type { color: var(--body-text-color-subdued); font-size: .9em; }
.papi-review { color: var(--error-text-color); font-weight: 600; }
"""

CHAT_CONCURRENCY = 4
"""Questions answered at once in the UI (admin actions stay one at a time)."""

ADMIN_DISABLED = (
    "Chức năng quản trị đang tắt vì máy chủ chưa đặt `PAPI_ADMIN_TOKEN`. "
    "Anh/chị vẫn xem được danh sách văn bản."
)
BAD_TOKEN = "Mã quản trị không đúng. Vui lòng nhập lại."

LOGIN_JS = """
async (token) => {
  // The admin session cookie is set by the API, so the upload route can check it
  // before Gradio stores any byte; the token itself is never stored by the page.
  try {
    await fetch(new URL("../api/ui-session", window.location.href), {
      method: "POST",
      credentials: "same-origin",
      headers: { Authorization: "Bearer " + (token || "").trim() },
    });
  } catch (error) {}
  return token;
}
"""

JOB_POLL_S = 2.0
"""How often the page asks for indexing progress."""

JOBS_SHOWN = 8
UPLOAD_CACHE_SWEEP = (600, 3600)
"""Gradio's ``delete_cache``: every 10 minutes, delete cached files older than an hour
(uploads whose ingest never ran, downloads already served)."""

JOB_KIND_LABELS = {"upload": "Tải lên", "ingest": "Nạp lại thư mục", "first-start": "Lần chạy đầu"}
JOB_STATE_LABELS = {
    "queued": "đang chờ",
    "running": "đang nạp",
    "done": "xong",
    "failed": "lỗi",
    "interrupted": "bị gián đoạn",
}

RateLimit = Callable[[str, "str | None", Mapping[str, str]], "float | None"]
"""``(endpoint, peer address, headers) -> None`` when allowed, else seconds to wait: the
app's limiter (the API passes it in, so the UI shares its buckets and proxy rule)."""


def rate_limited_message(wait: float) -> str:
    """What the UI says instead of an answer when a client asks too often."""
    return f"Anh/chị gửi quá nhiều yêu cầu; vui lòng thử lại sau {max(1, math.ceil(wait))} giây."


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


def _quiz_answer(item: QuizItem) -> str:
    if item.type == "true_false":
        answer = escape_html(item.key_label)
        if item.key_label == "Sai" and item.answer and item.answer != item.claim:
            answer += f" (đúng là: {_inline_html(item.answer)})"
        return answer
    return f"{LETTERS[item.key]}. {_inline_html(item.key_text)}"


def _quiz_item(n: int, item: QuizItem) -> str:
    kind = QUIZ_TYPE_LABELS.get(item.type, item.type)
    review = ' <span class="papi-review">⚠ Cần rà soát</span>' if item.needs_review else ""
    options = "".join(
        f"<li>{LETTERS[i]}. {_inline_html(option)}</li>" for i, option in enumerate(item.options)
    )
    source = item.source
    basis = source.document + (f" ({source.number})" if source.number else "")
    if source.section:
        basis += f" — {source.section}"
    css = "papi-quiz-item papi-needs-review" if item.needs_review else "papi-quiz-item"
    return (
        f'<div class="{css}"><p><b>Câu {n}:</b> {_inline_html(item.stem)} '
        f'<span class="papi-quiz-type">({escape_html(kind)})</span>{review}</p>'
        f'<ul class="papi-quiz-options">{options}</ul>'
        f"<p><b>Đáp án:</b> {_quiz_answer(item)}</p>"
        f"<p><b>Căn cứ:</b> {_inline_html(basis)}</p>"
        f"<blockquote>“{_inline_html(source.quote)}”</blockquote></div>"
    )


def render_quiz(quiz: Quiz, requested: int | None = None) -> str:
    """The quiz preview: "Câu n:", options A–D, the key and its basis (document, section,
    verbatim quote); items a language model wrote are marked for review. All escaped."""
    count = len(quiz.items)
    if not count:
        return (
            '<div class="papi-quiz"><p>Không tạo được câu hỏi nào từ các văn bản, chỉ số và '
            "dạng câu hỏi đã chọn. Hãy bỏ bớt điều kiện lọc.</p></div>"
        )
    meta = f"<b>Đề gồm {count} câu</b> · mã đề (seed): <b>{quiz.seed}</b>"
    if requested is not None and count < requested:
        meta += f" · chỉ tạo được {count}/{requested} câu từ các văn bản và chỉ số đã chọn"
    review = sum(1 for item in quiz.items if item.needs_review)
    if review:
        meta += f' · <span class="papi-review">{review} câu cần rà soát</span>'
    items = "".join(_quiz_item(n, item) for n, item in enumerate(quiz.items, start=1))
    return f'<div class="papi-quiz"><p class="papi-quiz-meta">{meta}</p>{items}</div>'


class QuizFiles:
    """Exported quiz files in a private temp folder, one subfolder per generation.

    Gradio copies a file into its own cache when a download button shows it, so only the
    last :data:`QUIZ_FILES_KEPT` generations are kept; the folder goes when the UI does.
    """

    def __init__(self, keep: int = QUIZ_FILES_KEPT) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="papi-quiz-"))
        self._keep = keep
        self._recent: deque[Path] = deque()
        self._lock = threading.Lock()
        weakref.finalize(self, shutil.rmtree, self.root, True)

    def write(self, assistant: Assistant, quiz: Quiz) -> dict[str, str]:
        """Export *quiz* in every format; format → file path."""
        folder = Path(tempfile.mkdtemp(prefix="de-", dir=self.root))
        paths: dict[str, str] = {}
        for fmt in FORMATS:
            content, _media_type, filename = assistant.export_quiz(quiz, fmt)
            path = folder / filename
            path.write_bytes(content)
            paths[fmt] = str(path)
        with self._lock:
            self._recent.append(folder)
            while len(self._recent) > self._keep:
                shutil.rmtree(self._recent.popleft(), ignore_errors=True)
        return paths


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


def render_indexing(indexing: Mapping[str, Any] | None) -> str:
    """The banner shown while documents are being indexed (empty when idle)."""
    if not indexing:
        return ""
    pending = int(indexing.get("pending_files", 0))
    done = int(indexing.get("done_files", 0))
    count = f"{pending} văn bản" if pending else "văn bản"
    return (
        f"⏳ **Đang lập chỉ mục {count}; câu trả lời có thể chưa đầy đủ.** "
        f"(đã xong {done}/{done + pending} tệp)"
    )


def render_jobs(jobs: list[Job]) -> str:
    """Recent background jobs as a Markdown list, newest first (file names escaped)."""
    if not jobs:
        return "Chưa có việc nạp nào."
    lines = ["**Các việc nạp gần đây:**"]
    for job in jobs[:JOBS_SHOWN]:
        p = job.progress
        line = (
            f"- {JOB_KIND_LABELS.get(job.kind, escape_markdown(job.kind))}: "
            f"{JOB_STATE_LABELS.get(job.state, job.state)} — {p.done}/{p.total} tệp"
        )
        if job.state == "running" and p.message:
            line += f" (vừa xong: {escape_markdown(p.message)})"
        if job.result:
            counts = job.result.get("counts", {})
            line += (
                f" · {counts.get('added', 0)} thêm mới, {counts.get('replaced', 0)} thay thế, "
                f"{counts.get('unchanged', 0)} không đổi, {counts.get('failed', 0)} lỗi"
            )
            failed = [r for r in job.result.get("results", []) if r.get("status") == "failed"]
            for r in failed[:5]:
                line += (
                    f"\n  - **Lỗi** {escape_markdown(str(r.get('source', '')))}: "
                    f"{escape_markdown(str(r.get('reason', '')))}"
                )
        if job.state in ("failed", "interrupted"):
            line += f" · {escape_markdown(job.error)}"
        lines.append(line)
    return "\n".join(lines)


def _discard(paths: list[str]) -> None:
    """Delete uploaded temp files (and their now-empty folders) once read."""
    for path in paths:
        file = Path(path)
        try:
            file.unlink(missing_ok=True)
            file.parent.rmdir()  # Gradio keeps each upload in its own hashed folder
        except OSError:
            pass


# -- the UI ---------------------------------------------------------------------------


def build_ui(assistant: Assistant, rate_limit: RateLimit | None = None) -> gr.Blocks:
    """The Gradio Blocks of the UI (mount it with :func:`mount_ui`).

    *rate_limit* throttles the costly handlers (chat, quiz) per client; None: no limit.
    """

    def throttled(endpoint: str, request: gr.Request | None) -> float | None:
        if rate_limit is None:
            return None
        client = getattr(request, "client", None)
        peer = getattr(client, "host", None)
        headers = getattr(request, "headers", None) or {}
        return rate_limit(endpoint, peer, headers)

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
        request: gr.Request,
    ) -> Iterator[tuple[Any, ...]]:
        question = (message or "").strip()
        if not question:
            yield gr.skip(), history, shown, shown
            return
        wait = throttled("ui_chat", request)
        if wait is not None:
            shown = [
                *shown,
                {"role": "user", "content": escape_markdown(question)},
                {"role": "assistant", "content": rate_limited_message(wait)},
            ]
            # The question stays in the box so nothing typed is lost.
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
            gr.Dropdown(choices=choices),
        )

    quiz_files = QuizFiles()

    def make_quiz(
        documents: list[str] | None,
        dimensions: list[int] | None,
        types: list[str] | None,
        count: float | None,
        seed: float | None,
        request: gr.Request,
    ) -> tuple[Any, ...]:
        def show(preview: str, paths: dict[str, str] | None = None) -> tuple[Any, ...]:
            buttons = [
                gr.DownloadButton(value=paths[fmt], interactive=True)
                if paths
                else gr.DownloadButton(value=None, interactive=False)
                for fmt in FORMATS
            ]
            return (preview, *buttons)

        if not types:
            return show('<p class="papi-review">Hãy chọn ít nhất một dạng câu hỏi.</p>')
        wait = throttled("ui_quiz", request)
        if wait is not None:
            return show(f'<p class="papi-review">{escape_html(rate_limited_message(wait))}</p>')
        n = max(1, min(int(count or QUIZ_DEFAULT_ITEMS), QUIZ_MAX_ITEMS))
        try:
            quiz = assistant.quiz(
                n=n,
                types=types,
                documents=documents or None,
                dimensions=dimensions or None,
                seed=None if seed is None else abs(int(seed)),
            )
        except ValueError as exc:
            return show(f'<p class="papi-review">Không tạo được đề: {_inline_html(str(exc))}</p>')
        preview = render_quiz(quiz, requested=n)
        return show(preview, quiz_files.write(assistant, quiz) if quiz.items else None)

    def upload(token: str, paths: list[str] | None) -> tuple[Any, ...]:
        paths = list(paths or [])
        try:
            if not admin_enabled:
                return (ADMIN_DISABLED, *refresh(), gr.skip())
            if not is_admin(token):
                return (BAD_TOKEN, *refresh(), gr.skip())
            if not paths:
                return ("Chưa chọn tệp nào.", *refresh(), gr.skip())
            files: list[tuple[str, bytes]] = []
            refused: list[IngestResult] = []
            for path in paths:
                name = Path(path).name
                if os.path.getsize(path) > max_bytes:
                    reason = (
                        f"Tệp vượt quá giới hạn {max_bytes / 1024 / 1024:g} MB / "
                        f"file exceeds the upload limit"
                    )
                    refused.append(IngestResult(name, "failed", reason=reason))
                    continue
                files.append((name, Path(path).read_bytes()))
        finally:
            # Read into memory (at most the upload limit per file): the temp copies go now,
            # whatever happens next.
            _discard(paths)
        message = ""
        if files:
            assistant.submit_uploads(files)
            message = (
                f"**Đã nhận {len(files)} tệp; đang nạp trong nền.** Tiến độ hiển thị bên dưới; "
                "danh sách văn bản tự cập nhật khi xong."
            )
        if refused:
            message += "\n\n" + _report_markdown(refused)
        return (message, *refresh(), None)

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
        assistant.submit_ingest()
        return (
            "**Đang nạp lại thư mục văn bản gốc trong nền.** Tiến độ hiển thị bên dưới.",
            *refresh(),
        )

    def login(token: str) -> tuple[Any, ...]:
        # The browser has just asked the API for the session cookie (LOGIN_JS); this only
        # reports the outcome, with the same constant-time check.
        if not admin_enabled:
            return (ADMIN_DISABLED, gr.skip())
        if not is_admin(token):
            return (BAD_TOKEN, gr.File(interactive=False))
        return (
            "Đã đăng nhập quản trị (30 phút). Anh/chị có thể chọn tệp để tải lên.",
            gr.File(interactive=True),
        )

    def poll(token: str, seen: int) -> tuple[Any, ...]:
        banner = render_indexing(assistant.indexing())
        finished = sum(1 for job in assistant.jobs() if not job.active)
        jobs = render_jobs(assistant.jobs()) if is_admin(token) else ""
        tables: tuple[Any, ...] = (
            refresh() if finished != seen else (gr.skip(), gr.skip(), gr.skip(), gr.skip())
        )
        return (gr.Markdown(banner, visible=bool(banner)), jobs, finished, *tables)

    with gr.Blocks(
        title="Trợ lý PAPI & CCHC", analytics_enabled=False, delete_cache=UPLOAD_CACHE_SWEEP
    ) as demo:
        gr.Markdown(
            "# Trợ lý PAPI & CCHC\n"
            "Hỏi đáp có trích dẫn trên các văn bản về Chỉ số PAPI và cải cách hành chính. "
            "Mỗi câu trả lời ghi rõ nguồn [1], [2]…; khi văn bản không có thông tin, trợ lý "
            "nói rõ và gợi ý văn bản liên quan."
        )
        banner = gr.Markdown(visible=False, elem_id="papi-indexing")
        history = gr.State([])
        shown = gr.State([])
        finished_seen = gr.State(-1)
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
                login_button = gr.Button(
                    "Đăng nhập quản trị",
                    size="sm",
                    elem_id="papi-login",
                    interactive=admin_enabled,
                )
                files = gr.File(
                    label="Tệp văn bản (PDF kể cả bản quét, ảnh JPG/PNG/TIFF, DOCX, DOC, XLSX, "
                    "MD, TXT, HTML) — đăng nhập quản trị trước",
                    file_count="multiple",
                    file_types=assistant.file_types(),
                    elem_id="papi-files",
                    # Picking a file uploads it at once: only after the admin login.
                    interactive=False,
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
                jobs_panel = gr.Markdown(elem_id="papi-jobs")
        with gr.Tab("Trắc nghiệm", id="quiz"), gr.Row():
            with gr.Column(scale=1, min_width=300):
                gr.Markdown(
                    "Tạo đề trắc nghiệm cho lớp tập huấn từ các văn bản đã nạp. Mỗi câu có "
                    "đáp án và căn cứ trích nguyên văn; câu cần rà soát được đánh dấu ⚠."
                )
                quiz_docs = gr.Dropdown(
                    choices=document_choices(assistant),
                    multiselect=True,
                    label="Văn bản",
                    info="Để trống: mọi văn bản còn hiệu lực.",
                    elem_id="papi-quiz-documents",
                )
                quiz_dims = gr.CheckboxGroup(
                    choices=[(f"{n}. {name}", n) for n, name in DIMENSIONS.items()],
                    label="Chỉ số nội dung PAPI",
                    info="Để trống: mọi chỉ số.",
                    elem_id="papi-quiz-dimensions",
                )
                quiz_types = gr.CheckboxGroup(
                    choices=[(QUIZ_TYPE_LABELS.get(t, t), t) for t in ITEM_TYPES],
                    value=list(ITEM_TYPES),
                    label="Dạng câu hỏi",
                    elem_id="papi-quiz-types",
                )
                quiz_count = gr.Slider(
                    minimum=1,
                    maximum=QUIZ_MAX_ITEMS,
                    value=QUIZ_DEFAULT_ITEMS,
                    step=1,
                    label="Số câu hỏi",
                    elem_id="papi-quiz-count",
                )
                quiz_seed = gr.Number(
                    value=None,
                    precision=0,
                    minimum=0,
                    maximum=2**31 - 1,
                    label="Mã đề (seed)",
                    info="Để trống: đề ngẫu nhiên. Cùng mã đề và lựa chọn cho cùng một đề.",
                    elem_id="papi-quiz-seed",
                )
                quiz_make = gr.Button("Tạo đề", variant="primary", elem_id="papi-quiz-make")
            with gr.Column(scale=3):
                gr.Markdown("**Tải đề về** (sau khi tạo đề):")
                with gr.Row():
                    quiz_downloads = [
                        gr.DownloadButton(
                            QUIZ_FORMAT_LABELS.get(fmt, fmt),
                            interactive=False,
                            size="sm",
                            elem_id=f"papi-quiz-{fmt}",
                        )
                        for fmt in FORMATS
                    ]
                quiz_preview = gr.HTML(
                    "<p>Chọn văn bản, chỉ số, dạng và số câu hỏi rồi nhấn <b>Tạo đề</b>.</p>",
                    elem_id="papi-quiz-preview",
                    js_on_load=None,
                )

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

        build_tasks_tab(assistant, is_admin)  # the "Nhiệm vụ" tab (ui/tasks_tab.py)
        refreshed = [table, doc_filter, remove_choice, quiz_docs]
        refresh_button.click(refresh, None, refreshed, api_visibility="private")
        demo.load(refresh, None, refreshed, api_visibility="private")

        upload_button.click(
            upload,
            [token, files],
            [admin_status, *refreshed, files],
            api_visibility="private",
        )
        login_button.click(
            login, [token], [admin_status, files], js=LOGIN_JS, api_visibility="private"
        )
        timer = gr.Timer(JOB_POLL_S)
        polled = [banner, jobs_panel, finished_seen, *refreshed]
        for trigger in (timer.tick, demo.load):
            trigger(
                poll,
                [token, finished_seen],
                polled,
                api_visibility="private",
                show_progress="hidden",
                concurrency_limit=None,  # cheap, in memory: never queue behind a question
            )
        remove_button.click(
            remove, [token, remove_choice], [admin_status, *refreshed], api_visibility="private"
        )
        reingest_button.click(
            reingest, [token], [admin_status, *refreshed], api_visibility="private"
        )
        quiz_make.click(
            make_quiz,
            [quiz_docs, quiz_dims, quiz_types, quiz_count, quiz_seed],
            [quiz_preview, *quiz_downloads],
            api_visibility="private",
        )
    return demo


def mount_ui(
    app: FastAPI,
    assistant: Assistant,
    *,
    path: str,
    max_file_bytes: int,
    rate_limit: RateLimit | None = None,
) -> None:
    """Mount the UI on *app* at *path*: local assets only, no run history, no footer links."""
    gr.mount_gradio_app(
        app,
        build_ui(assistant, rate_limit),
        path=path,
        footer_links=[],
        run_history=False,
        max_file_size=max_file_bytes,
        ssr_mode=False,
        mcp_server=False,
        theme=gr.themes.Default(),
        css=CSS,
        # Gradio's own strings (upload boxes, buttons, errors) in Vietnamese.
        i18n=gr.I18n(**{gradio_locale.LOCALE: gradio_locale.VI}),
        js=gradio_locale.force_locale_js(),
    )
