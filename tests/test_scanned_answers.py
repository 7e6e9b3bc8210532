"""A question about a fact in a scanned letter is answered from it, with the page cited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ingest.ocr import unavailable_reason
from tests.scan_files import draw_page, font_path, scanned_pdf

LETTER_P1 = [
    "ỦY BAN NHÂN DÂN",
    "XÃ HÒA TIẾN",
    "Số: 45/TB-UBND",
    "THÔNG BÁO",
    "Về lịch tiếp công dân năm 2026",
    "1. Chủ tịch Ủy ban nhân dân xã tiếp công dân định kỳ.",
]
LETTER_P2 = [
    "2. Lịch tiếp công dân",
    "Chủ tịch Ủy ban nhân dân xã tiếp công dân vào sáng thứ Năm hằng tuần tại trụ sở.",
]


@pytest.mark.skipif(
    bool(unavailable_reason("vie")) or font_path() is None,
    reason="Tesseract with the Vietnamese model, or a Vietnamese font, is not installed",
)
def test_a_fact_in_a_scanned_letter_is_answered_with_its_page(
    make_assistant: Any, tmp_path: Path
) -> None:
    assistant = make_assistant(corpus_dir=tmp_path / "corpus")
    pdf = scanned_pdf([draw_page(LETTER_P1), draw_page(LETTER_P2)])
    report = assistant.ingest_uploads([("thong-bao-quet.pdf", pdf)])
    assert report.ok, report.failed
    for question in (
        "Chủ tịch xã tiếp công dân vào ngày nào trong tuần?",
        "chu tich xa tiep cong dan vao ngay nao trong tuan",
    ):
        answer = assistant.ask(question)
        assert answer.grounded and not answer.partial, answer.answer
        assert "thứ Năm" in answer.answer
        cited = [c for c in answer.citations if "thứ Năm" in c.quote]
        assert cited and cited[0].scanned and cited[0].page == 2
        assert "bản quét, trang 2" in answer.answer
        passages = {c.id: c.page_content for c in assistant.chunks()}
        assert all(c.quote in passages[c.chunk_id] for c in answer.citations)
