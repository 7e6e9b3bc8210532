"""Scans: OCR of rendered Vietnamese pages, page provenance, garbled text layers, hostile scans.

Pages are drawn at test time with a Debian font (tests/scan_files.py) and read by the
real Tesseract; tests that need it skip cleanly where it is not installed. Each OCR
page costs about a second on two cores, so the pages are few and short.
"""

from __future__ import annotations

import difflib
import io
import struct
import time
import zlib
from pathlib import Path

import pytest

from ingest import IngestError, parse_bytes
from ingest.ocr import INSTALL_HINT, OcrOptions, parse_tsv, unavailable_reason
from ingest.pages import broken_text_layer
from tests.pdf_files import minimal_pdf
from tests.scan_files import draw_page, font_path, image_bytes, multipage_tiff, scanned_pdf
from vntext.syllables import text_quality

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
# The seed plan as its old OCR left it (shared/seeds, next to the repository).
LEGAL_SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_8c6074a6329b28eb.txt"
SENTENCE = "Việc tiếp công dân được thực hiện tại phòng tiếp dân của trụ sở Ủy ban nhân dân xã."
HEADER = [
    "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM",
    "Số: 3212/KH-UBND",
    "Quảng Nam, ngày 25 tháng 5 năm 2023",
    "",
    "KẾ HOẠCH",
    "Cải thiện, nâng cao Chỉ số hiệu quả quản trị và hành chính công",
    "",
]
# A few lines of the seed plan's broken text layer (old OCR that lost its diacritics).
SEED_GARBAGE = (
    "Thue hién Ké hoach s6 3212/KH-UBND ngay 25/5/2023 cia UBND tinh Quang Nam vé viéc "
    "Cai thién, nang cao Chi s6 hiéu qua quan tri va hanh chinh cong céap tinh (PAPI) cua "
    "tinh Quang Nam nam 2023 va nhirmg nam tiép theo, Ban Quan 1y cac Khu kinh té va Khu "
    "cong nghiép tinh Quang Nam (goi tat 1a Ban Quan 1y) ban hanh Ké hoach véi cac ndi dung"
)


@pytest.fixture
def tesseract() -> None:
    """Skip where Tesseract with the Vietnamese model is not installed."""
    reason = unavailable_reason("vie")
    if reason:
        pytest.skip(reason)
    if font_path() is None:
        pytest.skip("no font with Vietnamese coverage (apt-get install fonts-liberation2)")


def similarity(expected: str, got: str) -> float:
    return difflib.SequenceMatcher(None, expected, got).ratio()


def test_ocr_of_a_rendered_page_recovers_the_sentence(tesseract: None) -> None:
    page = draw_page(["Điều 2. Địa điểm", SENTENCE])
    parsed = parse_bytes(image_bytes(page, "PNG"), "trang.png")
    line = next(ln for ln in parsed.text.splitlines() if ln.startswith("Việc"))
    assert similarity(SENTENCE, line) >= 0.97, line
    assert parsed.chunks and all(c.metadata["ocr"] is True for c in parsed.chunks)
    assert all(c.metadata["page"] == 1 for c in parsed.chunks)


def test_scanned_pdf_gives_chunks_with_page_and_ocr_provenance(tesseract: None) -> None:
    first = draw_page([*HEADER, "Điều 1. Thời gian tiếp công dân", SENTENCE])
    second = draw_page(["Điều 2. Địa điểm", "Trụ sở Ủy ban nhân dân xã, phòng tiếp công dân."])
    progress: list[tuple[int, int]] = []
    parsed = parse_bytes(
        scanned_pdf([first, second]),
        "ke-hoach-quet.pdf",
        on_page=lambda d, t: progress.append((d, t)),
    )
    assert progress == [(1, 2), (2, 2)]
    pages = {c.metadata["page"] for c in parsed.chunks}
    assert pages == {1, 2}
    for chunk in parsed.chunks:
        assert chunk.metadata["ocr"] is True
        assert 0.5 < chunk.metadata["ocr_confidence"] <= 1.0
        assert chunk.metadata["page_end"] >= chunk.metadata["page"]
    dieu2 = next(c for c in parsed.chunks if "Địa điểm" in c.metadata["section"])
    assert dieu2.metadata["page"] == 2
    # Header metadata is read from the OCR text like from any other document.
    assert parsed.info.number == "3212/KH-UBND"
    assert parsed.info.issue_date == "2023-05-25"
    assert parsed.info.doc_type == "Kế hoạch"
    assert "OCR" in parsed.info.notes


def test_multipage_tiff_is_read_frame_by_frame(tesseract: None) -> None:
    frames = [draw_page(["Điều 1. Phạm vi", SENTENCE]), draw_page(["Điều 2. Hiệu lực", SENTENCE])]
    parsed = parse_bytes(multipage_tiff(frames), "fax.tiff")
    assert {c.metadata["page"] for c in parsed.chunks} == {1, 2}


def test_garbled_text_layer_is_detected_and_read_again(tesseract: None) -> None:
    from pypdf import PdfReader, PdfWriter

    truth = ["Cải thiện, nâng cao Chỉ số hiệu quả quản trị và hành chính công", SENTENCE] * 3
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(scanned_pdf([draw_page(truth)]))))
    garbage = [SEED_GARBAGE[i : i + 90] for i in range(0, len(SEED_GARBAGE), 90)]
    layer = PdfReader(io.BytesIO(minimal_pdf(garbage)))
    writer.pages[0].merge_page(layer.pages[0])  # the text layer old OCR software adds
    buffer = io.BytesIO()
    writer.write(buffer)
    parsed = parse_bytes(buffer.getvalue(), "lop-chu-hong.pdf")
    assert "Ké hoach" not in parsed.text
    assert "Cải thiện" in parsed.text
    assert all(c.metadata["ocr"] for c in parsed.chunks)


def test_broken_text_layer_rule_separates_garbage_from_real_text() -> None:
    assert broken_text_layer(text_quality(SEED_GARBAGE))
    for path in sorted(CORPUS.glob("*.md")):
        assert not broken_text_layer(text_quality(path.read_text(encoding="utf-8"))), path.name
    english = (
        "The committee reviewed the annual report on public administration and asked the "
        "provincial offices to publish their procedures online before the end of the year."
    )
    assert not broken_text_layer(text_quality(english))  # not Vietnamese: not ours to redo


def test_text_layer_pdf_chunks_carry_page_numbers() -> None:
    parsed = parse_bytes(minimal_pdf(["Dieu 1. Pham vi", "Noi dung cua van ban."]), "a.pdf")
    assert parsed.chunks and all(c.metadata["page"] == 1 for c in parsed.chunks)
    assert all(c.metadata["ocr"] is False for c in parsed.chunks)
    assert all("ocr_confidence" not in c.metadata for c in parsed.chunks)


def test_without_tesseract_scans_are_refused_and_text_still_works(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract on this PATH
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    with pytest.raises(IngestError) as refused:
        parse_bytes(png, "scan.png")
    assert INSTALL_HINT in refused.value.reason
    assert "Tesseract" in refused.value.reason
    with pytest.raises(IngestError, match="apt-get install tesseract-ocr tesseract-ocr-vie"):
        parse_bytes(minimal_pdf([]), "scan.pdf")
    parsed = parse_bytes("Điều 1. Phạm vi\nNội dung.".encode(), "a.txt")
    assert parsed.chunks


def test_tsv_parsing_keeps_lines_paragraphs_and_confidence() -> None:
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tl\tt\tw\th\tconf\ttext"
    rows = [
        "5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t90\tĐiều",
        "5\t1\t1\t1\t1\t2\t0\t0\t1\t1\t80\t1.",
        "5\t1\t1\t1\t2\t1\t0\t0\t1\t1\t70\tNội",
        "5\t1\t1\t2\t1\t1\t0\t0\t1\t1\t60\tHết",
        "4\t1\t1\t2\t1\t0\t0\t0\t1\t1\t-1\t",
    ]
    text, confidence = parse_tsv("\n".join([header, *rows]))
    assert text == "Điều 1.\nNội\n\nHết"
    assert confidence == pytest.approx(0.75)


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares *width* × *height* (its pixel data is a stub)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))


def _tiff_header(width: int, height: int) -> bytes:
    """A little-endian TIFF whose one IFD declares a huge image over a 16-byte strip."""
    entries = [
        (256, 4, 1, width),  # ImageWidth
        (257, 4, 1, height),  # ImageLength
        (258, 3, 1, 8),  # BitsPerSample
        (259, 3, 1, 8),  # Compression: deflate, so a tiny strip could expand enormously
        (262, 3, 1, 1),  # Photometric: min-is-black
        (273, 4, 1, 8),  # StripOffsets
        (277, 3, 1, 1),  # SamplesPerPixel
        (278, 4, 1, height),  # RowsPerStrip
        (279, 4, 1, 16),  # StripByteCounts
    ]
    ifd_offset = 8 + 16
    out = (
        b"II*\x00"
        + struct.pack("<I", ifd_offset)
        + zlib.compress(b"\x00" * 1000)[:16].ljust(16, b"\0")
    )
    out += struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        out += struct.pack("<HHII", tag, kind, count, value)
    return out + struct.pack("<I", 0)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("khong-lo.png", _png_header(20_000, 20_000)),
        ("bom.tiff", _tiff_header(100_000, 100_000)),
    ],
)
def test_oversized_images_are_refused_from_their_header(
    tesseract: None, name: str, data: bytes
) -> None:
    started = time.monotonic()
    with pytest.raises(IngestError, match="too large"):
        parse_bytes(data, name)
    assert time.monotonic() - started < 10


def test_too_many_pages_to_ocr_is_refused_before_rendering(tesseract: None) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(30):
        writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    started = time.monotonic()
    with pytest.raises(IngestError, match="too many pages to OCR"):
        parse_bytes(buffer.getvalue(), "quet-dai.pdf", ocr=OcrOptions(max_pages=20))
    assert time.monotonic() - started < 10


@pytest.mark.slow
def test_ten_thousand_page_pdf_is_refused_quickly() -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(10_000):
        writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    started = time.monotonic()
    with pytest.raises(IngestError, match="too many pages"):
        parse_bytes(buffer.getvalue(), "muoi-nghin-trang.pdf")
    assert time.monotonic() - started < 30


def test_a_page_over_its_time_limit_is_refused(tesseract: None) -> None:
    page = draw_page([SENTENCE])
    with pytest.raises(IngestError, match="timed out"):
        parse_bytes(image_bytes(page, "PNG"), "cham.png", ocr=OcrOptions(page_timeout_s=0.01))


def test_a_render_child_over_its_memory_cap_is_a_refusal_not_a_crash(tesseract: None) -> None:
    from PIL import Image, ImageDraw

    page = Image.new("RGB", (6000, 8000), "white")  # 48 Mpx: under the pixel cap
    ImageDraw.Draw(page).text((100, 100), SENTENCE, fill="black")
    data = image_bytes(page, "PNG")
    del page
    with pytest.raises(IngestError, match="memory limit"):
        parse_bytes(data, "to.png", ocr=OcrOptions(memory_bytes=200 * 2**20))


@pytest.mark.parametrize("line", ["Số 3212/KH-UBND", "S6: 3212/KH-UBND", "Sô; 3212 / KH-UBND"])
def test_so_hieu_survives_ocr_noise(line: str) -> None:
    text = (
        f"ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NAM\n{line}\n\n"
        "KẾ HOẠCH\nCải thiện chỉ số\n\nI. MỤC ĐÍCH\nNội dung."
    )
    assert parse_bytes(text.encode(), "quet.txt").info.number == "3212/KH-UBND"


def test_so_hieu_fallback_does_not_take_a_cited_number() -> None:
    text = "KẾ HOẠCH\nThực hiện Kế hoạch số 3212/KH-UBND của tỉnh\n\nI. MỤC ĐÍCH\nNội dung."
    assert parse_bytes(text.encode(), "a.txt").info.number == ""


def test_an_upside_down_scan_is_turned_and_read(tesseract: None) -> None:
    page = draw_page(["Điều 1. Thời gian tiếp công dân", SENTENCE, SENTENCE]).rotate(180)
    parsed = parse_bytes(image_bytes(page, "PNG"), "nguoc.png")
    assert similarity(SENTENCE, next(ln for ln in parsed.text.splitlines() if "Việc" in ln)) > 0.95
    upright_only = parse_bytes(
        image_bytes(page, "PNG"), "nguoc.png", ocr=OcrOptions(orientation=False)
    )
    assert SENTENCE[:20] not in upright_only.text  # without OSD the page is unreadable


def test_no_page_of_the_real_legal_texts_looks_garbled(legal_dir: Path) -> None:
    """Page-sized slices of every legal Markdown file: none may be sent to OCR again."""
    slices = 0
    for path in sorted(legal_dir.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        for start in range(0, min(len(text), 300_000), 3000):
            slices += 1
            quality = text_quality(text[start : start + 3000])
            assert not broken_text_layer(quality), (path.name, start)
    assert slices > 500


def test_the_seed_plans_old_ocr_text_looks_garbled() -> None:
    seed = LEGAL_SEED
    if not seed.is_file():
        pytest.skip(f"{seed} not available")
    text = seed.read_text(encoding="utf-8")
    assert broken_text_layer(text_quality(text[:3000]))


def test_a_cong_van_subject_line_becomes_its_title() -> None:
    text = (
        "ỦY BAN NHÂN DÂN\nTỈNH BÌNH THUẬN\nSố: 199/UBND\n"
        "V/V cải thiện, nâng cao\nchỉ số PAPI năm 2022\n\n"
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        "Bình Thuận, ngày 22 tháng 4 năm 2022\n\nKính gửi: Các sở, ban, ngành\n\n"
        "Thực hiện Kế hoạch số 12/KH-UBND, Ủy ban nhân dân tỉnh đề nghị các đơn vị báo cáo."
    )
    info = parse_bytes(text.encode(), "cong-van-quet.txt").info
    assert info.title == "V/v cải thiện, nâng cao chỉ số PAPI năm 2022"
    assert (info.doc_type, info.number, info.issue_date) == ("Công văn", "199/UBND", "2022-04-22")
    assert info.issuer == "ỦY BAN NHÂN DÂN TỈNH BÌNH THUẬN"
