"""Scanned pages built by tests and the OCR benchmark: Vietnamese text drawn with real fonts.

No fixtures on disk: pages are drawn with Pillow in a Debian font that covers
Vietnamese (DejaVu / Liberation), at a chosen DPI, and saved as PNG/JPEG/TIFF or
wrapped in an image-only PDF (no text layer, exactly what a scanner produces).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

FONT_CANDIDATES = (
    # Times New Roman's metric twin, as most office documents are typed in it
    # (Debian fonts-liberation2; fonts-liberation 1.x lacks Vietnamese letters).
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


def covers_vietnamese(font: Path) -> bool:
    """True when *font* draws "ệ" and "Ữ" differently from a missing-glyph box."""
    from PIL import ImageFont

    face = ImageFont.truetype(str(font), 32)

    def glyph(text: str) -> bytes:
        mask = face.getmask(text)
        return bytes(mask.size) + bytes(mask)

    missing = glyph("\ue000")
    return all(glyph(ch) != missing for ch in "ệỮ")


def font_path() -> Path | None:
    """The first installed font with Vietnamese coverage, or ``None``."""
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file() and covers_vietnamese(Path(candidate)):
            return Path(candidate)
    return None


def draw_page(
    lines: list[str],
    *,
    dpi: int = 300,
    font: Path | None = None,
    point_size: float = 13,
    width_in: float = 8.27,
    height_in: float | None = None,
) -> Any:
    """An A4-wide white RGB page with *lines* in black, 13 pt, one line each."""
    from PIL import Image, ImageDraw, ImageFont

    chosen = font or font_path()
    if chosen is None:
        raise FileNotFoundError("no font with Vietnamese coverage installed")
    size_px = round(point_size * dpi / 72)
    face = ImageFont.truetype(str(chosen), size_px)
    line_height = round(size_px * 1.5)
    margin = round(dpi * 0.8)
    height = round(height_in * dpi) if height_in else margin * 2 + line_height * max(1, len(lines))
    page = Image.new("RGB", (round(width_in * dpi), height), "white")
    pen = ImageDraw.Draw(page)
    for index, line in enumerate(lines):
        pen.text((margin, margin + index * line_height), line, font=face, fill="black")
    return page


def image_bytes(image: Any, fmt: str, *, dpi: int = 300, **save: Any) -> bytes:
    """*image* encoded as *fmt* ("PNG", "JPEG", "TIFF")."""
    buffer = io.BytesIO()
    image.save(buffer, fmt, dpi=(dpi, dpi), **save)
    return buffer.getvalue()


def scanned_pdf(pages: list[Any], *, dpi: int = 300) -> bytes:
    """An image-only PDF, one page per image, at *dpi* (no text layer)."""
    buffer = io.BytesIO()
    first, *rest = [page.convert("RGB") for page in pages]
    first.save(buffer, "PDF", resolution=dpi, save_all=True, append_images=rest)
    return buffer.getvalue()


def multipage_tiff(pages: list[Any], *, dpi: int = 300) -> bytes:
    """A multi-page TIFF (one frame per image), as fax and office scanners write."""
    buffer = io.BytesIO()
    first, *rest = [page.convert("L") for page in pages]
    first.save(
        buffer,
        "TIFF",
        dpi=(dpi, dpi),
        save_all=True,
        append_images=rest,
        compression="tiff_deflate",
    )
    return buffer.getvalue()
