"""Optical character recognition with Tesseract's Vietnamese model, bounded and out of process.

Pages are rendered by a child Python process (:mod:`ingest.rasterize`) under an
address-space limit and a timeout, then read by the ``tesseract`` executable (another
child, with its own limits and a per-page timeout). Nothing in the server process
decodes a scan's pixels, so a hostile file can cost at most one refused upload.

Tesseract comes from Debian (``apt-get install tesseract-ocr tesseract-ocr-vie``);
where it or its Vietnamese model is missing, :func:`unavailable_reason` says so and
scans are refused with that reason while every other format keeps working.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from ingest.errors import IngestError

OnPage = Callable[[int, int], None]
"""Progress callback: ``on_page(done, total)`` after each OCR-ed page."""

INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-vie"


@dataclass(frozen=True)
class OcrOptions:
    """Limits and choices for OCR; the defaults suit A4 office scans on a small server."""

    language: str = "vie"  # Tesseract model(s), e.g. "vie" or "vie+eng"
    dpi: int = 300  # PDF render resolution; 300 dpi is Tesseract's sweet spot
    max_dpi: int = 600  # a caller cannot ask for more
    max_pages: int = 200  # pages one file may send to OCR; more is refused
    max_pixels: int = 50_000_000  # per page; A4 at 300 dpi is 8.7 Mpx
    page_timeout_s: float = 120.0  # Tesseract on one page
    render_timeout_s: float = 600.0  # the render child, whole file
    memory_bytes: int = 2 * 1024**3  # address-space cap of each child process
    psm: int = 3  # Tesseract page segmentation: 3 = automatic layout analysis
    steps: frozenset[str] = field(default_factory=lambda: frozenset({"red", "deskew"}))
    """Preprocessing in the render child: ``red`` (fade red seals), ``deskew``, ``binarise``.

    The default keeps what measurably helped on the OCR test set (docs/benchmarks.md):
    deskew (rotated pages: CER 32 % → 0.1 %) and red-seal fading (stamped pages:
    1.1 % → 0.6 %); global binarisation is off (it broke the layout of some pages).
    """
    threads: int = 1  # OpenMP threads per Tesseract run; 1 is fastest on shared cores
    split_header: bool = True  # read page 1's two-column header as two blocks
    orientation: bool = True  # pages read badly: ask Tesseract's OSD for 90/180/270° and retry


@dataclass(frozen=True)
class OcrPage:
    """Text Tesseract read from one page, with its mean word confidence (0–1)."""

    number: int  # 1-based
    text: str
    confidence: float


def unavailable_reason(language: str = "vie") -> str | None:
    """Why OCR cannot run here (bilingual, names the packages), or ``None`` when it can."""
    exe = shutil.which("tesseract")
    missing = (
        "Chưa cài Tesseract OCR nên không đọc được bản quét; cài bằng: "
        f"{INSTALL_HINT} / Tesseract OCR is not installed, so scans cannot be read; "
        f"install it with: {INSTALL_HINT}"
    )
    if exe is None:
        return missing
    try:
        listed = subprocess.run(
            [exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return missing
    langs = set(listed.stdout.split()) | set(listed.stderr.split())
    wanted = [lang for lang in language.split("+") if lang]
    if not all(lang in langs for lang in wanted):
        return (
            f"Tesseract thiếu mô hình ngôn ngữ {language}; cài bằng: {INSTALL_HINT} / "
            f"Tesseract lacks the {language} language model; install it with: {INSTALL_HINT}"
        )
    return None


def require_ocr(options: OcrOptions) -> None:
    """Raise :class:`IngestError` with the install hint when OCR cannot run."""
    reason = unavailable_reason(options.language)
    if reason:
        raise IngestError(reason)


def _limit_child(memory_bytes: int) -> Callable[[], None] | None:
    if sys.platform == "win32":  # pragma: no cover - resource limits are POSIX
        return None

    def apply() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def render_pages(
    source: Path,
    kind: str,
    out: Path,
    options: OcrOptions,
    pages: list[int] | None = None,
    *,
    rotate: int = 0,
) -> Iterator[tuple[int, Path, int]]:
    """Run the render child on *source*; yield ``(page, png_path, total)`` as pages appear.

    Raises :class:`IngestError` when the child refuses a page, crashes, exceeds its
    memory cap or its time limit.
    """
    dpi = max(72, min(options.dpi, options.max_dpi))
    # Run as a script, isolated (-I): the child imports only Pillow/PDFium/numpy, not
    # this package and whatever it pulls in (half a second saved per file).
    command = [
        sys.executable,
        "-I",
        str(Path(__file__).with_name("rasterize.py")),
        kind,
        str(source),
        str(out),
        f"--dpi={dpi}",
        f"--max-pixels={options.max_pixels}",
        f"--max-pages={options.max_pages}",
        "--steps=" + ",".join(sorted(options.steps)),
    ]
    if pages:
        command.append("--pages=" + ",".join(str(p) for p in pages))
    if rotate:
        command.append(f"--rotate={rotate}")
    env = dict(os.environ)
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
        preexec_fn=_limit_child(options.memory_bytes),  # noqa: PLW1509 - no threads run here
    ) as child:
        timer = _kill_after(child, options.render_timeout_s)
        try:
            assert child.stdout is not None
            for line in child.stdout:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # a library's stray print, not one of our records
                if not isinstance(record, dict):
                    continue
                if "error" in record:
                    raise IngestError(_render_refusal(record))
                yield int(record["page"]), Path(record["path"]), int(record.get("total") or 0)
            child.wait()
        finally:
            timer.cancel()
            if child.poll() is None:
                child.kill()
                child.wait()
        if child.returncode != 0:
            if timer.fired:
                raise IngestError(
                    "Dựng ảnh trang quá thời gian cho phép / rendering the pages timed out"
                )
            raise IngestError(
                "Không dựng được ảnh trang (tệp hỏng hoặc quá lớn) / "
                "cannot render the pages (corrupt or too large file)"
            )


class _Timer:
    def __init__(self, child: subprocess.Popen[str], seconds: float) -> None:
        import threading

        self.fired = False

        def fire() -> None:
            self.fired = True
            child.kill()

        self._timer = threading.Timer(seconds, fire)
        self._timer.daemon = True
        self._timer.start()

    def cancel(self) -> None:
        self._timer.cancel()


def _kill_after(child: subprocess.Popen[str], seconds: float) -> _Timer:
    return _Timer(child, seconds)


def _render_refusal(record: dict[str, object]) -> str:
    error = str(record.get("error", ""))
    page = record.get("page")
    if error.startswith("image too large"):
        detail = error[len("image too large") :].strip()
        return f"Ảnh quá lớn để nhận dạng {detail} / image too large for OCR {detail}".strip()
    if error.startswith("too many pages"):
        return f"Ảnh có quá nhiều trang / image has too many pages {error[len('too many pages') :]}"
    if error == "out of memory":
        return "Dựng ảnh trang vượt giới hạn bộ nhớ / rendering exceeded the memory limit"
    if error.startswith("unreadable"):
        detail = error[len("unreadable") :].strip()
        return f"Không đọc được tệp ảnh/PDF (tệp hỏng?) / unreadable scan {detail}".strip()
    if error == "page too large":
        return f"Trang {page} quá lớn để nhận dạng / page {page} is too large for OCR"
    return f"Không dựng được trang {page} / cannot render page {page} ({error})"


def recognise(image: Path, number: int, options: OcrOptions) -> OcrPage:
    """OCR one page image with Tesseract; text in reading order and mean confidence."""
    exe = shutil.which("tesseract")
    if exe is None:
        raise IngestError(unavailable_reason(options.language) or "tesseract missing")
    env = dict(os.environ, OMP_THREAD_LIMIT=str(max(1, options.threads)))
    command = [exe, str(image), "stdout", "-l", options.language, "--psm", str(options.psm)]
    command.append("tsv")
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=options.page_timeout_s,
            env=env,
            check=False,
            preexec_fn=_limit_child(options.memory_bytes),  # noqa: PLW1509
        )
    except subprocess.TimeoutExpired as exc:
        raise IngestError(
            f"Nhận dạng trang {number} quá thời gian ({options.page_timeout_s:g} s) / "
            f"OCR of page {number} timed out ({options.page_timeout_s:g} s)"
        ) from exc
    if done.returncode != 0:
        raise IngestError(
            f"Tesseract không đọc được trang {number} / Tesseract failed on page {number}"
        )
    text, confidence = parse_tsv(done.stdout, split_header=options.split_header and number == 1)
    return OcrPage(number=number, text=text, confidence=confidence)


@dataclass(frozen=True)
class _Word:
    text: str
    left: int
    right: int
    height: int


def parse_tsv(tsv: str, *, split_header: bool = True) -> tuple[str, float]:
    """Text and mean word confidence (0–1) from Tesseract's TSV output.

    Lines of one paragraph are joined with newlines and paragraphs separated by a
    blank line, which is what the structure parser expects of any text. With
    *split_header*, the two-column header of an administrative document, which
    Tesseract reads across as single lines ("SỞ NỘI VỤ CỘNG HÒA XÃ HỘI…"), is split
    at its wide gap and returned as two blocks, left column first (see
    :func:`_split_header`).
    """
    paragraphs: dict[tuple[int, int, int], dict[int, list[_Word]]] = {}
    confidences: list[float] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        word = cols[11].strip()
        if not word:
            continue
        try:
            left, width, height = int(cols[6]), int(cols[8]), int(cols[9])
            key = (int(cols[1]), int(cols[2]), int(cols[3]))
            line_no = int(cols[4])
            conf = float(cols[10])
        except ValueError:
            continue
        paragraphs.setdefault(key, {}).setdefault(line_no, []).append(
            _Word(word, left, left + width, height)
        )
        if conf >= 0:
            confidences.append(conf / 100)
    lines = [[words for _, words in sorted(par.items())] for _, par in sorted(paragraphs.items())]
    blocks = [[" ".join(w.text for w in line) for line in par] for par in lines]
    if split_header:
        blocks = _split_header(lines) or blocks
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return "\n\n".join("\n".join(par) for par in blocks if par), round(mean, 4)


_HEADER_MAX_LINES = 12  # the header zone: a few lines at the top of the first page
_GAP_HEIGHTS = 2.0  # a column gap is wider than two line heights; word gaps are < 0.6


def _segments(line: list[_Word]) -> list[list[_Word]]:
    height = max(1, sorted(w.height for w in line)[len(line) // 2])
    parts: list[list[_Word]] = [[line[0]]]
    for previous, word in zip(line, line[1:], strict=False):
        if word.left - previous.right > _GAP_HEIGHTS * height:
            parts.append([])
        parts[-1].append(word)
    return parts


def _split_header(paragraphs: list[list[list[_Word]]]) -> list[list[str]] | None:
    """Re-read a two-column header as two blocks, or ``None`` when there is none.

    Vietnamese administrative documents (ND 30/2020/NĐ-CP layout) print the issuer
    and số hiệu on the left and the Quốc hiệu and place/date on the right. Lines at
    the top that have exactly one wide gap are split there; a line with no gap that
    lies wholly on one side of the columns' median gap joins that side. The header
    ends at the first other line.
    """
    flat = [(pi, line) for pi, par in enumerate(paragraphs) for line in par]
    head = flat[:_HEADER_MAX_LINES]
    splits = []
    for _, line in head:
        parts = _segments(line)
        if len(parts) == 2:
            splits.append((parts[0][-1].right + parts[1][0].left) / 2)
    if len(splits) < 2:
        return None
    middle = sorted(splits)[len(splits) // 2]
    left: list[str] = []
    right: list[str] = []
    used = 0
    for _, line in head:
        parts = _segments(line)
        if len(parts) == 2:
            left.append(" ".join(w.text for w in parts[0]))
            right.append(" ".join(w.text for w in parts[1]))
        elif len(parts) == 1 and (line[-1].right < middle or line[0].left > middle):
            # A line on one side only ("V/v …" under the số hiệu, a date line alone).
            (left if line[-1].right < middle else right).append(" ".join(w.text for w in line))
        else:
            break
        used += 1
    if not (left and right):
        return None
    rest: dict[int, list[str]] = {}
    for pi, line in flat[used:]:
        rest.setdefault(pi, []).append(" ".join(w.text for w in line))
    return [left, right, *(rest[pi] for pi in sorted(rest))]


def _unread(page: OcrPage) -> bool:
    """Too little confidence or too few Vietnamese syllables: maybe the page is turned."""
    from vntext.syllables import text_quality

    quality = text_quality(page.text)
    return page.confidence < 0.6 or quality.words < 5 or quality.valid_share < 0.5


def _score(page: OcrPage) -> float:
    from vntext.syllables import text_quality

    quality = text_quality(page.text)
    return page.confidence + quality.valid_share * min(1.0, quality.words / 50)


def orientation(image: Path, options: OcrOptions) -> int:
    """Clockwise degrees (0, 90, 180, 270) that Tesseract's OSD says would right *image*."""
    exe = shutil.which("tesseract")
    if exe is None:
        return 0
    try:
        done = subprocess.run(
            [exe, str(image), "stdout", "--psm", "0"],
            capture_output=True,
            text=True,
            timeout=options.page_timeout_s,
            env=dict(os.environ, OMP_THREAD_LIMIT=str(max(1, options.threads))),
            check=False,
            preexec_fn=_limit_child(options.memory_bytes),  # noqa: PLW1509
        )
    except subprocess.TimeoutExpired:
        return 0
    fields = dict(line.split(":", 1) for line in done.stdout.splitlines() if ":" in line)
    try:
        rotate = int(fields.get("Rotate", "0").strip())
        confidence = float(fields.get("Orientation confidence", "0").strip())
    except ValueError:
        return 0
    return rotate % 360 if confidence >= 2.0 else 0  # OSD's own "reliable" threshold


def _reoriented(image: Path, page: OcrPage, folder: Path, options: OcrOptions) -> OcrPage:
    """*page* read again from *image* turned as OSD suggests, when that reads better."""
    rotate = orientation(image, options)
    if not rotate:
        return page
    out = folder / f"turned-{page.number}"
    out.mkdir(exist_ok=True)
    plain = replace(options, steps=frozenset())  # the image is already preprocessed
    for _, turned, _ in render_pages(image, "image", out, plain, rotate=rotate):
        candidate = recognise(turned, page.number, options)
        turned.unlink(missing_ok=True)
        if _score(candidate) > _score(page):
            return candidate
    return page


def ocr_file(
    data: bytes,
    kind: str,
    options: OcrOptions,
    *,
    pages: list[int] | None = None,
    on_page: OnPage | None = None,
) -> list[OcrPage]:
    """Render and OCR *data* (``kind`` "pdf" or "image"); one :class:`OcrPage` per page.

    For a PDF, *pages* (1-based) selects the pages to read; an image is read whole
    (every TIFF frame). *on_page* is called as ``on_page(done, total)`` after each page
    (for an image, *total* is known once the first frame is rendered).
    """
    require_ocr(options)
    if pages is not None and len(pages) > options.max_pages:
        raise IngestError(
            f"Quá nhiều trang cần nhận dạng ({len(pages)} > {options.max_pages}) / "
            f"too many pages to OCR ({len(pages)} > {options.max_pages})"
        )
    results: list[OcrPage] = []
    with tempfile.TemporaryDirectory(prefix="papi-ocr-") as tmp:
        folder = Path(tmp)
        source = folder / ("input.pdf" if kind == "pdf" else "input.img")
        source.write_bytes(data)
        out = folder / "pages"
        out.mkdir()
        for number, image, total in render_pages(source, kind, out, options, pages):
            page = recognise(image, number, options)
            if options.orientation and _unread(page):
                page = _reoriented(image, page, folder, options)
            results.append(page)
            image.unlink(missing_ok=True)  # keep the disk footprint to one page
            if on_page is not None:
                on_page(len(results), max(total, len(results)))
    return results
