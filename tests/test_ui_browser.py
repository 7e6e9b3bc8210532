"""The web UI: escaping of everything a document contains, then a real Chromium session.

The browser tests drive Debian's ``chromium`` through Playwright (no browser download) and
skip with a reason where it is not installed. Screenshots go to ``test-output/``.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from assistant.answer.model import Answer, Citation, RelatedDocument
from tests.conftest import PLAN_ID, REPO
from tests.test_api_server import running_server
from ui.app import escape_markdown, render_answer

TOKEN = "ma-quan-tri-" + "z" * 24
QUESTION = "Hạn chót báo cáo kết quả thực hiện kế hoạch PAPI là ngày nào?"
OUTPUT = REPO / "test-output"
INJECTION = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
HOSTILE = (
    "---\n"
    f"title: 'Quy chế lưu trữ {INJECTION}'\n"
    "---\n\n"
    "# Quy chế lưu trữ hồ sơ điện tử\n\n"
    "## Điều 1. Sao lưu\n\n"
    f"Văn thư cơ quan sao lưu hồ sơ điện tử mỗi tuần một lần {INJECTION} tại máy chủ nội bộ.\n"
)
"""A valid document whose title and text try to inject markup into the page."""

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# -- escaping (no browser) ------------------------------------------------------------


def _hostile_answer() -> Answer:
    citation = Citation(
        n=1,
        document_id="quy-che",
        title=f"Quy chế {INJECTION}",
        number="01/QC",
        section="Điều 1 [x](javascript:alert(1))",
        quote=f"Sao lưu mỗi tuần\n\n{INJECTION}\n# tiêu đề giả",
        score=1.0,
        status="superseded",
        superseded_by="<b>khác</b>",
    )
    return Answer(
        question="?",
        answer=f"Mỗi tuần một lần [1]. {INJECTION} ![x](http://evil.example/a.png)",
        grounded=True,
        citations=[citation],
    )


def test_rendered_answers_escape_document_text() -> None:
    rendered = render_answer(_hostile_answer())
    assert "<img" not in rendered and "<script" not in rendered and "<b>khác" not in rendered
    assert "&lt;img" in rendered and "&lt;script&gt;" in rendered
    assert "](javascript:" not in rendered and "![x](" not in rendered
    # The sources stay one HTML block (a blank line would let Markdown in).
    sources = rendered.split("\n\n", 1)[1]
    assert "\n" not in sources
    assert "<details><summary><b>[1]</b>" in sources and "đã bị thay thế" in sources


def test_refusals_list_related_documents_escaped() -> None:
    answer = Answer(
        question="?",
        answer="Chưa tìm thấy nội dung này.",
        grounded=False,
        related=[RelatedDocument(document_id="x", title=f"Văn bản {INJECTION}", section="II")],
        mode="refusal",
    )
    rendered = render_answer(answer)
    assert "Văn bản có thể liên quan" in rendered
    assert "<img" not in rendered and "&lt;img" in rendered


def test_markdown_escaping_keeps_text_readable() -> None:
    assert escape_markdown("Điều 5 (khoản 2) - mục a.") == "Điều 5 (khoản 2) - mục a."
    assert escape_markdown("[1] *x* `y` <z> {w} $v") == (
        "\\[1\\] \\*x\\* \\`y\\` &lt;z&gt; &#123;w&#125; &#36;v"
    )


# -- a real browser -------------------------------------------------------------------


@pytest.fixture(scope="module")
def ui_assistant(embeddings: Any) -> Iterator[Any]:
    """The corpus in a fresh index with an admin token (the browser test uploads)."""
    from assistant.core.composition import build_assistant
    from assistant.core.settings import Settings
    from tests.conftest import copy_core_corpus

    with tempfile.TemporaryDirectory(prefix="papi-ui-") as tmp:
        corpus = copy_core_corpus(Path(tmp) / "corpus")
        settings = Settings(data_dir=Path(tmp) / "data", corpus_dir=corpus, admin_token=TOKEN)
        assistant = build_assistant(settings, embeddings=embeddings)
        assert assistant.ingest().ok
        yield assistant


@contextlib.contextmanager
def ui_page(app: Any, chromium: str, **context_options: Any) -> Iterator[Any]:
    """A Chromium page on *app* served on loopback; fails on any off-host request."""
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(exist_ok=True)
    with running_server(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS, headless=True
        )
        options = {"viewport": {"width": 1280, "height": 1000}, "locale": "vi-VN"}
        context = browser.new_context(**{**options, **context_options})
        page = context.new_page()
        page.set_default_timeout(60_000)
        off_host: list[str] = []
        page.on(
            "request",
            lambda r: (
                off_host.append(r.url) if not r.url.startswith((base, "data:", "blob:")) else None
            ),
        )
        page.goto(f"{base}/")
        page.wait_for_selector("#papi-question textarea")
        yield page
        context.close()
        browser.close()
        assert off_host == [], f"the UI fetched off-host resources: {off_host}"


@pytest.fixture(scope="module")
def page(chromium: str, ui_assistant: Any) -> Iterator[Any]:
    """A Chromium page on the running app; fails the test on any off-host request."""
    with ui_page(create_app(ui_assistant), chromium) as opened:
        yield opened


def _ask(page: Any, question: str) -> Any:
    """Ask in the chat; the final bot message (after its sources or refusal rendered)."""
    bots = page.locator("#papi-chat [data-testid='bot']")
    before = bots.count()
    page.fill("#papi-question textarea", question)
    page.click("#papi-ask")
    page.wait_for_function(
        "n => document.querySelectorAll(\"#papi-chat [data-testid='bot']\").length > n",
        arg=before,
    )
    # The question box is cleared at the start; the last yield renders the sources block.
    page.wait_for_function(
        "() => { const b = document.querySelectorAll(\"#papi-chat [data-testid='bot']\");"
        " const last = b[b.length - 1]; return last && !last.innerText.trim().endsWith('…')"
        " && !document.querySelector('#papi-chat .pending'); }"
    )
    page.wait_for_timeout(500)
    return bots.last


@pytest.mark.browser
def test_ask_shows_the_answer_with_numbered_sources(page: Any, ui_assistant: Any) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_text("Trợ lý PAPI & CCHC").first).to_be_visible()
    message = _ask(page, QUESTION)
    page.screenshot(path=str(OUTPUT / "ui-chat.png"), full_page=True)
    expected: Answer = ui_assistant.ask(QUESTION)
    if not expected.grounded:
        expect(message).to_contain_text("Chưa tìm thấy")
        pytest.skip("the answer composer refuses this plan question (placeholder composer?)")
    expect(message).to_contain_text("[1]")
    sources = message.locator(".papi-sources")
    expect(sources).to_contain_text("Nguồn trích dẫn")
    first = sources.locator("details").first
    expect(first.locator("summary")).to_contain_text("[1]")
    expect(first.locator("summary")).to_contain_text(expected.citations[0].title[:40])
    first.locator("summary").click()
    expect(first.locator("blockquote")).to_be_visible()
    expect(first.locator("blockquote")).to_contain_text(expected.citations[0].quote[:40])
    page.screenshot(path=str(OUTPUT / "ui-chat-source.png"), full_page=True)


@pytest.mark.browser
def test_admin_uploads_a_file_and_sees_it_listed_without_injection(
    page: Any, ui_assistant: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Văn bản").click()
    table = page.locator("#papi-documents")
    expect(table).to_contain_text(PLAN_ID)

    upload = tmp_path / "quy-che-luu-tru.md"
    upload.write_text(HOSTILE, encoding="utf-8")
    status = page.locator("#papi-admin-status")

    # A wrong token changes nothing and says so; the file box stays closed.
    page.fill("#papi-token input", "sai-" + TOKEN)
    page.click("#papi-login")
    expect(status).to_contain_text("Mã quản trị không đúng")
    assert page.locator("#papi-files input[type=file]").count() == 0
    assert "quy-che-luu-tru" not in {d.id for d in ui_assistant.documents()}

    page.fill("#papi-token input", TOKEN)
    page.click("#papi-login")
    expect(status).to_contain_text("Đã đăng nhập quản trị")
    page.set_input_files("#papi-files input[type=file]", str(upload))
    page.wait_for_timeout(1000)  # let the upload to Gradio finish
    page.click("#papi-upload")
    expect(status).to_contain_text("đang nạp trong nền")
    jobs = page.locator("#papi-jobs")
    expect(jobs).to_contain_text("Tải lên: xong", timeout=60_000)
    expect(table).to_contain_text("quy-che-luu-tru", timeout=30_000)
    expect(table).to_contain_text('<img src=x onerror="window.__pwned=1">')  # shown as text
    page.screenshot(path=str(OUTPUT / "ui-documents.png"), full_page=True)

    # A corrupt file: a clear error in the job's report, the list unchanged.
    broken = tmp_path / "hong.pdf"
    broken.write_bytes(b"%PDF-1.4 not really a pdf \x00\x01")
    page.set_input_files("#papi-files input[type=file]", str(broken))
    page.wait_for_timeout(1000)
    page.click("#papi-upload")
    expect(jobs).to_contain_text("Lỗi", timeout=60_000)
    expect(jobs).to_contain_text("hong.pdf")

    # Its text, quoted in an answer, stays text too.
    page.get_by_role("tab", name="Hỏi đáp").click()
    message = _ask(page, "Văn thư cơ quan sao lưu hồ sơ điện tử bao lâu một lần?")
    details = message.locator(".papi-sources details")
    if details.count():
        details.first.locator("summary").click()
        expect(details.first).to_contain_text('<img src=x onerror="window.__pwned=1">')
    page.screenshot(path=str(OUTPUT / "ui-chat-hostile.png"), full_page=True)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#papi-chat img[src='x'], #papi-documents img[src='x']").count() == 0
    assert page.locator("#papi-chat script").count() == 0
