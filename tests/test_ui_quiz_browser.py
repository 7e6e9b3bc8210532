"""The Trắc nghiệm tab: an escaped preview of the quiz, then the files in a real Chromium.

Like ``test_ui_browser``, the browser test drives Debian's ``chromium`` through Playwright
and skips with a reason where it is not installed; the screenshot goes to ``test-output/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from assistant.quiz import FORMATS, Quiz, QuizItem, Source
from tests.test_ui_browser import INJECTION, OUTPUT, ui_page
from ui.app import DIMENSIONS, QuizFiles, render_quiz

SEED = 2024
COUNT = 8


# -- the preview (no browser) ---------------------------------------------------------


def _hostile_quiz(needs_review: bool) -> Quiz:
    source = Source(
        document_id="quy-che",
        document=f"Quy chế {INJECTION}",
        number="01/QC",
        section="Điều 1 [x](javascript:alert(1))",
        quote=f"Sao lưu mỗi tuần ${{x}}\n{INJECTION}",
    )
    items = [
        QuizItem(
            id="a",
            type="mcq",
            stem=f"Văn thư sao lưu hồ sơ {INJECTION} bao lâu một lần?",
            options=["Mỗi ngày", "Mỗi tuần <b>một</b> lần", "Mỗi tháng", "Mỗi năm"],
            key=1,
            explanation="Đáp án B.",
            source=source,
            fact="frequency",
            answer="Mỗi tuần một lần",
            needs_review=needs_review,
        ),
        QuizItem(
            id="b",
            type="true_false",
            stem="Văn thư sao lưu hồ sơ mỗi tháng một lần.",
            options=["Đúng", "Sai"],
            key=1,
            explanation="Đáp án: Sai.",
            source=source,
            fact="frequency",
            answer="mỗi tuần một lần",
            claim="mỗi tháng một lần",
        ),
    ]
    return Quiz(seed=7, items=items)


def test_the_preview_escapes_document_text() -> None:
    rendered = render_quiz(_hostile_quiz(needs_review=False))
    assert "<img" not in rendered and "<script" not in rendered and "<b>một" not in rendered
    assert "&lt;img" in rendered and "&lt;script&gt;" in rendered and "&lt;b&gt;một" in rendered
    assert "${" not in rendered and "](javascript:" not in rendered
    assert "<b>Câu 1:</b>" in rendered and "<b>Câu 2:</b>" in rendered
    assert "B. Mỗi tuần &lt;b&gt;một&lt;/b&gt; lần" in rendered  # the key: letter and text
    assert "<b>Đáp án:</b> Sai (đúng là: mỗi tuần một lần)" in rendered
    assert "<b>Căn cứ:</b>" in rendered and "<blockquote>“Sao lưu mỗi tuần" in rendered
    assert "Cần rà soát" not in rendered


def test_the_preview_marks_items_to_review_and_explains_short_quizzes() -> None:
    rendered = render_quiz(_hostile_quiz(needs_review=True), requested=10)
    assert rendered.count("⚠ Cần rà soát") == 1 and "1 câu cần rà soát" in rendered
    assert "papi-needs-review" in rendered
    assert "chỉ tạo được 2/10 câu" in rendered and "mã đề (seed): <b>7</b>" in rendered
    assert "Không tạo được câu hỏi nào" in render_quiz(Quiz(seed=1))


def test_the_ui_offers_the_official_dimensions_without_importing_ingest() -> None:
    assert len(DIMENSIONS) == 8
    assert DIMENSIONS[4] == "Kiểm soát tham nhũng trong khu vực công"


def test_quiz_files_keep_only_recent_generations(corpus_assistant: Any) -> None:
    files = QuizFiles(keep=2)
    quiz = corpus_assistant.quiz(n=3, seed=SEED)
    written = [files.write(corpus_assistant, quiz) for _ in range(3)]
    assert set(written[-1]) == set(FORMATS)
    assert all(Path(p).stat().st_size > 0 for p in written[-1].values())
    assert Path(written[-1]["gift"]).name == f"papi-quiz-{SEED}.gift.txt"
    assert not Path(written[0]["gift"]).exists() and Path(written[1]["gift"]).exists()
    root = files.root
    del files
    assert not root.exists()


# -- a real browser -------------------------------------------------------------------


@pytest.fixture(scope="module")
def page(chromium: str, corpus_assistant: Any) -> Iterator[Any]:
    """A Chromium page on the running app; fails the test on any off-host request."""
    with ui_page(create_app(corpus_assistant), chromium, accept_downloads=True) as opened:
        yield opened


@pytest.mark.browser
def test_trainer_makes_a_quiz_previews_it_and_downloads_the_gift_file(
    page: Any, corpus_assistant: Any
) -> None:
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Trắc nghiệm").click()
    preview = page.locator("#papi-quiz-preview")
    gift = page.locator("#papi-quiz-gift")
    expect(gift).to_be_disabled()  # nothing to download before a quiz exists

    count = page.locator("#papi-quiz-count input[type=number]")
    count.fill(str(COUNT))
    count.press("Tab")
    page.fill("#papi-quiz-seed input", str(SEED))
    page.click("#papi-quiz-make")

    expected: Quiz = corpus_assistant.quiz(n=COUNT, seed=SEED)
    expect(preview).to_contain_text(f"Đề gồm {COUNT} câu")
    expect(preview).to_contain_text("Câu 1:")
    expect(preview).to_contain_text("Đáp án")
    expect(preview).to_contain_text("Căn cứ")
    expect(preview).to_contain_text(expected.items[0].stem[:40])
    expect(preview).to_contain_text(expected.items[0].source.quote[:40])
    expect(preview.locator(".papi-quiz-item")).to_have_count(COUNT)
    expect(gift).to_be_enabled()
    page.screenshot(path=str(OUTPUT / "ui-quiz.png"), full_page=True)

    with page.expect_download() as download_info:
        gift.click()
    download = download_info.value
    assert download.suggested_filename == f"papi-quiz-{SEED}.gift.txt"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert "::" in text and "$CATEGORY" in text
    assert text.encode("utf-8") == corpus_assistant.export_quiz(expected, "gift")[0]

    # No item type chosen: a clear message, nothing to download.
    for label in ("Trắc nghiệm A–D", "Đúng–Sai", "Điền khuyết"):
        page.locator("#papi-quiz-types").get_by_label(label).uncheck()
    page.click("#papi-quiz-make")
    expect(preview).to_contain_text("Hãy chọn ít nhất một dạng câu hỏi")
    expect(gift).to_be_disabled()
