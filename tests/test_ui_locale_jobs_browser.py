"""The UI in a real Chromium: Gradio's own strings in Vietnamese whatever the browser's
language, the admin login before uploads (temp files cleaned), job progress and the
indexing banner, and the chat's rate limit."""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from tests.conftest import PLAN_ID, copy_core_corpus, shared_path
from tests.test_ui_browser import OUTPUT, _ask, ui_page

TOKEN = "ma-quan-tri-" + "v" * 24
ENGLISH = [
    "Submit",
    "Clear",
    "Upload",
    "Drop File Here",
    "Click to Upload",
    "Loading",
    "Loading response",
    "Loading content",
    "common.complete",
    "Error",
    "Use via API",
    "Built with Gradio",
    "Settings",
    "Copy message",
    "Download",
    "Remove",
    "Examples",
]
"""Strings Gradio itself renders in English by default."""

NOTE = (
    "# Quy chế sao lưu dữ liệu điện tử\n\n## Điều 1. Phạm vi\n\n"
    "Văn thư cơ quan sao lưu dữ liệu điện tử hằng tuần vào chiều thứ Sáu.\n"
)


@pytest.fixture(scope="module")
def gradio_temp() -> Iterator[Path]:
    """Gradio's upload/cache folder for this module (read when the UI is mounted)."""
    with tempfile.TemporaryDirectory(prefix="papi-gradio-") as tmp:
        before = os.environ.get("GRADIO_TEMP_DIR")
        os.environ["GRADIO_TEMP_DIR"] = tmp
        try:
            yield Path(tmp)
        finally:
            if before is None:
                del os.environ["GRADIO_TEMP_DIR"]
            else:
                os.environ["GRADIO_TEMP_DIR"] = before


@pytest.fixture(scope="module")
def ui_assistant(embeddings: Any) -> Iterator[Any]:
    from assistant.core.composition import build_assistant
    from assistant.core.settings import RateLimitSettings, ServerSettings, Settings

    with tempfile.TemporaryDirectory(prefix="papi-ui-") as tmp:
        settings = Settings(
            data_dir=Path(tmp) / "data",
            corpus_dir=copy_core_corpus(Path(tmp) / "corpus"),
            admin_token=TOKEN,
            server=ServerSettings(rate_limits=RateLimitSettings(ui_chat=2)),
        )
        assistant = build_assistant(settings, embeddings=embeddings)
        assert assistant.ingest().ok
        yield assistant


@pytest.fixture(scope="module")
def page(chromium: str, ui_assistant: Any, gradio_temp: Path) -> Iterator[Any]:
    # An English browser: Gradio would follow it; the UI must stay Vietnamese.
    with ui_page(create_app(ui_assistant), chromium, locale="en-US") as opened:
        yield opened


def _english_shown(page: Any) -> list[str]:
    """English Gradio strings (with their context) in the visible text, tooltips and
    labels of the page."""
    texts = page.evaluate(
        """() => {
          const out = [document.body.innerText];
          for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
            if (el.offsetParent === null) continue;  // hidden
            for (const a of ['aria-label', 'title', 'placeholder'])
              if (el.getAttribute(a)) out.push(el.getAttribute(a));
          }
          return out;
        }"""
    )
    found = []
    for english in ENGLISH:
        pattern = re.compile(rf"(?<![\\w-]){re.escape(english)}(?![\\w-])")
        for text in texts:
            match = pattern.search(text)
            if match:
                found.append(f"{english}: …{text[max(0, match.start() - 40) : match.end() + 40]}…")
                continue
    return found


@pytest.mark.browser
def test_gradio_strings_are_vietnamese_on_every_tab(page: Any) -> None:
    from playwright.sync_api import expect

    expect(page.locator("html")).to_have_attribute("lang", "vi")
    _ask(page, "Chỉ số PAPI gồm những nội dung nào?")  # the chat's own buttons appear
    assert _english_shown(page) == []
    for tab in ("Văn bản", "Trắc nghiệm", "Hỏi đáp"):
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(500)
        assert _english_shown(page) == [], tab
    page.get_by_role("tab", name="Văn bản").click()
    page.fill("#papi-token input", TOKEN)
    page.click("#papi-login")
    expect(page.locator("#papi-files")).to_contain_text("Thả tệp vào đây")
    assert _english_shown(page) == []
    page.screenshot(path=str(OUTPUT / "ui-vietnamese.png"), full_page=True)
    assert page.locator("footer").filter(has_text="Gradio").count() == 0


@pytest.mark.browser
def test_admin_login_upload_job_progress_and_cleanup(
    page: Any, ui_assistant: Any, gradio_temp: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Văn bản").click()
    status = page.locator("#papi-admin-status")
    # Before the login, Gradio's upload route refuses the file (nothing stored).
    page.request.delete(page.url.split("/ui")[0] + "/api/ui-session")
    refused = page.request.post(
        page.url.split("/ui")[0] + "/ui/gradio_api/upload",
        multipart={"files": {"name": "a.md", "mimeType": "text/markdown", "buffer": b"x"}},
    )
    assert refused.status == 401
    page.fill("#papi-token input", "sai-" + TOKEN)
    page.click("#papi-login")
    expect(status).to_contain_text("Mã quản trị không đúng")
    assert not [p for p in gradio_temp.rglob("*.md")]

    page.fill("#papi-token input", TOKEN)
    page.click("#papi-login")
    expect(status).to_contain_text("Đã đăng nhập quản trị")
    upload = tmp_path / "sao-luu.md"
    upload.write_text(NOTE, encoding="utf-8")
    page.set_input_files("#papi-files input[type=file]", str(upload))
    page.wait_for_function(
        "() => document.querySelector('#papi-files').innerText.includes('sao-luu.md')"
    )
    deadline = time.monotonic() + 20
    while not list(gradio_temp.rglob("sao-luu.md")):  # the upload to Gradio, after login
        assert time.monotonic() < deadline, "the admin's upload was not stored"
        time.sleep(0.1)
    page.click("#papi-upload")
    expect(status).to_contain_text("đang nạp trong nền")
    jobs = page.locator("#papi-jobs")
    expect(jobs).to_contain_text("Tải lên: xong — 1/1 tệp", timeout=60_000)
    expect(page.locator("#papi-documents")).to_contain_text("sao-luu", timeout=30_000)
    assert "sao-luu" in {d.id for d in ui_assistant.documents()}
    assert not list(gradio_temp.rglob("sao-luu.md"))  # the temp copy is gone
    page.screenshot(path=str(OUTPUT / "ui-jobs.png"), full_page=True)


@pytest.mark.browser
def test_the_banner_says_while_documents_are_being_indexed(
    page: Any, ui_assistant: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    # The first ~40 KB of two laws: new passages, tens of seconds to embed.
    for law in sorted(shared_path("data", "legal", "phapdien_admin").glob("*.md"))[:2]:
        text = law.read_text(encoding="utf-8")[:40_000]
        (tmp_path / law.name).write_text(text.rsplit("\n", 1)[0] + "\n", encoding="utf-8")
    job = ui_assistant.submit_ingest([tmp_path])
    banner = page.locator("#papi-indexing")
    expect(banner).to_contain_text("Đang lập chỉ mục", timeout=10_000)
    expect(banner).to_contain_text("câu trả lời có thể chưa đầy đủ")
    page.screenshot(path=str(OUTPUT / "ui-indexing.png"), full_page=True)
    assert ui_assistant.wait_job(job.id, timeout=600).state == "done"
    expect(banner).to_be_hidden(timeout=15_000)


@pytest.mark.browser
def test_the_chat_is_rate_limited_per_client(page: Any) -> None:
    page.get_by_role("tab", name="Hỏi đáp").click()
    # ui_chat=2 per minute; earlier tests in this module may have asked already.
    deadline = time.monotonic() + 30
    while True:
        message = _ask(page, f"Chỉ số PAPI có mấy nội dung? ({time.monotonic():.0f})")
        if "quá nhiều yêu cầu" in message.inner_text():
            break
        assert time.monotonic() < deadline, "never rate limited"
    assert page.locator("#papi-question textarea").input_value()  # the question is kept
    assert PLAN_ID  # the corpus is loaded (used by _ask's answers)
