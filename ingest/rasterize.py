"""Page images for OCR, made in a child process: ``python -I ingest/rasterize.py``.

Decoding a hostile PDF (PDFium) or image (Pillow) is the riskiest thing ingest does:
a crafted file can exhaust memory or crash native code. So it never happens in the
server process. :func:`ingest.ocr.render_pages` starts this module as a child with an
address-space limit and a timeout; the child writes one grayscale PNG per page into a
folder and reports each on stdout as a JSON line, so OCR of page 1 can start while
page 2 is rendered. A crash or limit hit in the child is a refused file, nothing more.

Every page is bounded before its pixels are decoded: a PDF page is rendered at the
requested DPI only while the bitmap stays under the pixel cap (else at a lower scale,
or refused when even that would be unreadable); an image frame whose declared size
exceeds the cap is refused from its header alone.

Why PDFium (pypdfium2) and not Poppler's pdftoppm: it is a pip wheel, so every
install that has the project can render, with no extra Debian package; it renders a
single requested page without parsing the rest; and running it here in a child
process gives the same crash isolation pdftoppm would.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

MIN_READABLE_DPI = 100
"""Below this, body text (10–14 pt) is too small for Tesseract; such a page is refused."""


def _emit(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def remove_red(image: Any) -> Any:
    """Grayscale of an RGB image with red seals and signatures faded out; returns "L".

    Where a pixel is red (its red channel well above both others), its red channel is
    used as its gray value: red ink on paper becomes light, while black text printed
    under the seal (dark red after the overprint) stays dark. Whitening red pixels
    instead would erase that text with the seal. Black, gray and blue ink are kept.
    """
    import numpy as np
    from PIL import Image

    rgb = np.asarray(image.convert("RGB"), dtype=np.int16)
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    stamp = (red - np.maximum(green, blue)) > 60
    gray = np.asarray(image.convert("L")).copy()
    # Seal ink on bare paper has a red channel near white: make it white outright.
    gray[stamp] = np.where(red[stamp] > 190, 255, red[stamp]).astype(np.uint8)
    return Image.fromarray(gray, mode="L")


def deskew(image: Any, *, max_degrees: float = 5.0, step: float = 0.2) -> Any:
    """Rotate a grayscale page so its text lines are horizontal (projection profiles).

    The angle is the one whose rotated ink has the sharpest row profile (largest
    variance of row sums), searched on a 4× reduced copy within ±*max_degrees*.
    """
    import numpy as np
    from PIL import Image

    small = image.reduce(4) if min(image.size) > 800 else image
    ink = Image.fromarray(((np.asarray(small) < 128) * 255).astype(np.uint8), mode="L")
    best, best_score = 0.0, -1.0
    steps = int(max_degrees / step)
    for k in range(-steps, steps + 1):
        angle = k * step
        rows = np.asarray(ink.rotate(angle, resample=Image.Resampling.NEAREST, fillcolor=0)).sum(
            axis=1
        )
        score = float(np.var(rows.astype(np.float64)))
        if score > best_score:
            best, best_score = angle, score
    if abs(best) < 0.3:
        return image  # Tesseract handles that little skew; a resample would only blur
    return image.rotate(best, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def binarise(image: Any) -> Any:
    """Otsu threshold of a grayscale image (one global threshold)."""
    import numpy as np
    from PIL import Image

    gray = np.asarray(image.convert("L"))
    hist = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    total = gray.size
    cum = np.cumsum(hist)
    cum_mean = np.cumsum(hist * np.arange(256))
    mean = cum_mean[-1] / total
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean * cum - cum_mean) ** 2 / (cum * (total - cum))
    threshold = int(np.nanargmax(between))
    return Image.fromarray(np.where(gray > threshold, 255, 0).astype(np.uint8), mode="L")


def _prepare(image: Any, steps: set[str]) -> Any:
    if "red" in steps and image.mode in ("RGB", "RGBA", "P", "CMYK"):
        image = remove_red(image)
    image = image.convert("L")
    if "deskew" in steps:
        image = deskew(image)
    if "binarise" in steps:
        image = binarise(image)
    return image


def render_pdf(
    path: Path, out: Path, pages: list[int], dpi: int, max_pixels: int, steps: set[str]
) -> None:
    """Render *pages* (1-based) of the PDF at *path* into *out*, one PNG each."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    count = len(document)
    for number in pages:
        if not 1 <= number <= count:
            _emit({"page": number, "error": "page out of range"})
            continue
        page = document[number - 1]
        width_pt, height_pt = page.get_size()
        scale = dpi / 72
        pixels = width_pt * scale * height_pt * scale
        if pixels > max_pixels:
            scale *= (max_pixels / pixels) ** 0.5
        if scale * 72 < MIN_READABLE_DPI:
            _emit({"page": number, "error": "page too large"})
            continue
        bitmap = page.render(scale=scale, grayscale="red" not in steps)
        image = _prepare(bitmap.to_pil(), steps)
        target = out / f"page-{number:05d}.png"
        image.save(target, dpi=(round(scale * 72), round(scale * 72)))
        _emit({"page": number, "path": str(target), "dpi": round(scale * 72), "total": len(pages)})
        page.close()
    document.close()


def render_image(
    path: Path, out: Path, max_pages: int, max_pixels: int, steps: set[str], rotate: int = 0
) -> None:
    """Every frame of the image at *path* (TIFF may hold many) as a PNG in *out*."""
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = max_pixels  # Pillow refuses bigger images itself, too
    with Image.open(path) as image:
        frames = getattr(image, "n_frames", 1)
        if frames > max_pages:
            _emit({"page": 0, "error": f"too many pages ({frames})"})
            return
        for index in range(frames):
            image.seek(index)
            width, height = image.size
            if width * height > max_pixels:
                _emit({"page": index + 1, "error": f"image too large ({width}x{height})"})
                return
            frame = ImageOps.exif_transpose(image.copy())  # phone photos carry rotation
            if rotate % 360:
                frame = frame.rotate(-rotate, expand=True)  # clockwise, as Tesseract's OSD says
            dpi = frame.info.get("dpi", (0, 0))[0] or 0
            prepared = _prepare(frame, steps)
            target = out / f"page-{index + 1:05d}.png"
            prepared.save(target, dpi=(round(dpi), round(dpi)) if dpi else None)
            _emit({"page": index + 1, "path": str(target), "dpi": round(dpi), "total": frames})


def main(argv: list[str] | None = None) -> int:
    """Command-line entry of the child process (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="rasterize.py")
    parser.add_argument("kind", choices=("pdf", "image"))
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", default="", help="comma-separated 1-based pages (PDF)")
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--max-pixels", type=int, required=True)
    parser.add_argument("--max-pages", type=int, default=100)
    parser.add_argument("--rotate", type=int, default=0, help="degrees clockwise (image)")
    parser.add_argument("--steps", default="", help="comma-separated: red, deskew, binarise")
    args = parser.parse_args(argv)
    steps = {s for s in args.steps.split(",") if s}
    try:
        if args.kind == "pdf":
            pages = [int(p) for p in args.pages.split(",") if p]
            render_pdf(args.source, args.out, pages, args.dpi, args.max_pixels, steps)
        else:
            render_image(args.source, args.out, args.max_pages, args.max_pixels, steps, args.rotate)
    except MemoryError:
        _emit({"page": 0, "error": "out of memory"})
        return 1
    except OSError as exc:
        import errno

        if exc.errno == errno.ENOMEM:
            _emit({"page": 0, "error": "out of memory"})
        else:
            _emit({"page": 0, "error": f"unreadable ({type(exc).__name__})"})
        return 1
    except Exception as exc:  # hostile input: any decoder failure is a refusal, reported
        from PIL import Image

        if isinstance(exc, Image.DecompressionBombError):
            _emit({"page": 0, "error": "image too large (decompression bomb)"})
        else:
            _emit({"page": 0, "error": f"unreadable ({type(exc).__name__})"})
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
