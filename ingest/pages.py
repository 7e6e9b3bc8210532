"""Paged sources: PDFs (text layer or scan) and images, read page by page.

A PDF page is read from its text layer when that layer is real text; a page without
one (a scan) or whose layer is OCR garbage (the seed's "Ké hoach", "ctia": few
diacritics, invalid syllables) is sent to OCR, and the OCR text replaces the layer
only when it reads as better Vietnamese. Images (JPEG, PNG, TIFF with any number of
frames) are always OCR-ed. Each :class:`PageText` keeps its page number and whether
and how confidently it came from OCR, for the chunks' provenance.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from ingest.errors import IngestError
from ingest.loaders import MAX_PDF_PAGES, ensure_text
from ingest.ocr import OcrOptions, OnPage, ocr_file, unavailable_reason
from vntext.legacy_fonts import fix_legacy
from vntext.syllables import TextQuality, text_quality

_MIN_TEXT_LETTERS = 20  # fewer letters on a page: a scan with a stray header or nothing
_MIN_WORDS_TO_JUDGE = 20
_BROKEN_VALID = 0.85  # real Vietnamese text layers score ≥ 0.98 (measured on corpus/, legal/)
_BROKEN_MARKED = 0.4  # real Vietnamese prose: ~0.9 of words carry a diacritic
_VIETNAMESE_LOOKING = 0.4  # English or French score ~0.3 valid syllables: not ours to fix


@dataclass(frozen=True)
class PageText:
    """The text of one page and where it came from."""

    number: int  # 1-based
    text: str
    ocr: bool = False
    confidence: float | None = None  # mean OCR word confidence (0–1), OCR pages only


def broken_text_layer(quality: TextQuality) -> bool:
    """True when a page's text layer looks like Vietnamese OCR garbage.

    Most words are still syllable-shaped (so the page is Vietnamese, not English),
    but too many are invalid syllables or too few carry diacritics.
    """
    if quality.words < _MIN_WORDS_TO_JUDGE or quality.valid_share < _VIETNAMESE_LOOKING:
        return False
    return quality.valid_share < _BROKEN_VALID or quality.marked_share < _BROKEN_MARKED


def _better(ocr_text: str, layer: TextQuality) -> bool:
    ocr = text_quality(ocr_text)
    if ocr.words < _MIN_WORDS_TO_JUDGE // 2:
        return False
    return (ocr.valid_share + ocr.marked_share) > (layer.valid_share + layer.marked_share)


def _letters(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


def open_pdf(data: bytes, *, max_pages: int = MAX_PDF_PAGES) -> list[str]:
    """Text layer of each page of a PDF (``""`` for image-only pages).

    An owner password only restricts printing or copying: such a PDF (RC4 or AES,
    decrypted by pypdf with the ``cryptography`` package) opens with the empty user
    password and is read like any viewer would. One that needs a user password is
    refused.
    """
    if b"%PDF-" not in data[:1024]:
        raise IngestError("Không phải tệp PDF hợp lệ / not a valid PDF file")
    from pypdf import PdfReader  # lazy: importing pypdf costs time at start-up

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = bool(reader.decrypt(""))
            except Exception:  # unsupported cipher or missing crypto backend
                opened = False
            if not opened:
                raise IngestError(
                    "Tệp PDF được mã hoá, cần mật khẩu người dùng để mở / "
                    "PDF is encrypted (a user password is required to open it)"
                )
        pages = reader.pages
        if len(pages) > max_pages:
            raise IngestError(
                f"Tệp PDF quá nhiều trang (>{max_pages}) / PDF has too many pages (>{max_pages})"
            )
        return [page.extract_text() or "" for page in pages]
    except IngestError:
        raise
    except Exception as exc:  # pypdf raises many types on hostile input; all mean "unreadable"
        raise IngestError(
            f"Không đọc được tệp PDF (tệp hỏng?) / unreadable PDF ({type(exc).__name__})"
        ) from exc


def read_pdf(
    data: bytes,
    *,
    ocr: OcrOptions | None = None,
    on_page: OnPage | None = None,
) -> tuple[list[PageText], list[str]]:
    """Pages of a PDF, OCR-ing scanned and garbled pages; also notes for the reader.

    *ocr* ``None`` uses the default :class:`OcrOptions`. Without Tesseract, a PDF that
    has no text at all is refused with the install hint, and garbled pages are kept
    as they are with a note saying so.
    """
    options = ocr or OcrOptions()
    layers = [fix_legacy(text)[0].strip() for text in open_pdf(data)]
    empty = [i + 1 for i, text in enumerate(layers) if _letters(text) < _MIN_TEXT_LETTERS]
    qualities = {i + 1: text_quality(text) for i, text in enumerate(layers)}
    broken = [n for n, q in qualities.items() if n not in empty and broken_text_layer(q)]
    wanted = sorted(empty + broken)
    notes: list[str] = []
    results: dict[int, PageText] = {
        i + 1: PageText(i + 1, text) for i, text in enumerate(layers) if text
    }
    if wanted:
        reason = unavailable_reason(options.language)
        if reason:
            if not any(_letters(t) for t in layers):
                raise IngestError(f"Tệp PDF không có lớp văn bản (bản quét?). {reason}")
            if broken:
                notes.append(
                    f"Lớp văn bản của {len(broken)} trang có vẻ sai (lỗi OCR cũ); chưa nhận dạng "
                    f"lại vì thiếu Tesseract ({_page_list(broken)})"
                )
        else:
            for page in ocr_file(data, "pdf", options, pages=wanted, on_page=on_page):
                if page.number in broken and not _better(page.text, qualities[page.number]):
                    continue
                if page.text.strip():
                    results[page.number] = PageText(
                        page.number, page.text, ocr=True, confidence=page.confidence
                    )
    pages = [results[n] for n in sorted(results)]
    if not any(p.text.strip() for p in pages):
        raise IngestError(
            "Tệp PDF không có lớp văn bản và OCR không đọc được chữ nào / "
            "PDF has no text layer and OCR found no text"
        )
    ocred = [p.number for p in pages if p.ocr]
    if ocred:
        notes.append(_ocr_note(pages))
    for kept in pages:
        ensure_text(kept.text)
    return pages, notes


def read_image(
    data: bytes,
    *,
    ocr: OcrOptions | None = None,
    on_page: OnPage | None = None,
) -> tuple[list[PageText], list[str]]:
    """OCR every frame of a JPEG, PNG or TIFF image; also notes for the reader."""
    if not data.startswith(_IMAGE_MAGIC):
        raise IngestError("Không phải tệp ảnh JPEG/PNG/TIFF hợp lệ / not a valid JPEG/PNG/TIFF")
    options = ocr or OcrOptions()
    pages = [
        PageText(p.number, p.text, ocr=True, confidence=p.confidence)
        for p in ocr_file(data, "image", options, on_page=on_page)
        if p.text.strip()
    ]
    if not pages:
        raise IngestError("Không nhận dạng được chữ nào trong ảnh / no text recognised in image")
    return pages, [_ocr_note(pages)]


_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*")


def _page_list(numbers: list[int]) -> str:
    return "trang " + ", ".join(str(n) for n in numbers[:20]) + ("…" if len(numbers) > 20 else "")


def _ocr_note(pages: list[PageText]) -> str:
    ocred = [p for p in pages if p.ocr]
    mean = sum(p.confidence or 0.0 for p in ocred) / len(ocred)
    return (
        f"Bản quét: {len(ocred)}/{len(pages)} trang đọc bằng OCR, độ tin cậy trung bình "
        f"{mean:.2f}; đối chiếu bản gốc khi trích dẫn ({_page_list([p.number for p in ocred])})"
    )
