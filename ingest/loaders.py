"""Bytes → raw text, one function per file format (PDFs and images: ``ingest.pages``).

Loaders only decode and extract: they return text that may still be NFD, carry
no-break spaces or stray blank lines (``vietnamese.clean_text`` handles that later).
Every loader treats its input as hostile: it checks magic bytes and declared sizes
before handing data to a parser, and turns any parser failure into
:class:`~ingest.errors.IngestError` with a reason a user can act on.
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import zipfile
from typing import Any

from ingest.errors import IngestError

DEFAULT_MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
"""Cap on the summed declared sizes of a DOCX's zip members."""

MAX_ZIP_RATIO = 100
"""Deflate rarely beats ~20:1 on real Word XML; zip bombs sit at 1000:1 and more."""

_ZIP_RATIO_FLOOR = 4 * 1024 * 1024  # small members may compress very well; only judge big ones
_MAX_ZIP_MEMBERS = 5000
MAX_PDF_PAGES = 3000

# Characters that never occur in real text: C0 controls other than tab/newlines, DEL,
# the replacement character left by failed decoding, private use and lone surrogates.
_NON_TEXT = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffd\ue000-\uf8ff\ud800-\udfff]")
_MAX_NON_TEXT_RATIO = 0.02

# Letters only Vietnamese uses among Latin scripts (precomposed, after NFC).
_VIETNAMESE_LETTERS = frozenset(
    "ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    "ĂÂĐÊÔƠƯÀÁẢÃẠẰẮẲẴẶẦẤẨẪẬÈÉẺẼẸỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌỒỐỔỖỘỜỚỞỠỢÙÚỦŨỤỪỨỬỮỰỲÝỶỸỴ"
)

_BINARY_REASON = "Tệp có vẻ là tệp nhị phân, không phải văn bản / file looks binary, not text"


def ensure_text(text: str) -> str:
    """Raise :class:`IngestError` when decoded *text* is mostly non-printable."""
    if not text:
        return text
    # A sample first: a binary file is refused without scanning all of it.
    for sample in (text[:65536], text):
        bad = _NON_TEXT.subn("", sample)[1]
        if "\x00" in sample or bad / len(sample) > _MAX_NON_TEXT_RATIO:
            raise IngestError(_BINARY_REASON)
    return text


def _looks_vietnamese(text: str) -> bool:
    """True when NFC *text* reads like Vietnamese: many Vietnamese-only letters and
    no tone marks left uncomposed (a wrong legacy codec leaves orphan marks)."""
    text = text[:200_000]  # a sample decides; counting 50 MB char by char would not
    letters = sum(1 for ch in text if ch.isalpha())
    if not letters:
        return False
    viet = sum(1 for ch in text if ch in _VIETNAMESE_LETTERS)
    orphans = sum(1 for ch in text if unicodedata.combining(ch))
    return viet / letters >= 0.05 and orphans <= viet * 0.05


def decode_text(data: bytes) -> str:
    """Decode plain-text bytes: BOM-marked UTF-8/16/32, UTF-8, Windows-1258, then a guess.

    Windows-1258 stores most tones as combining marks, so the result is NFC-normalised
    here; charset-normalizer is the last resort for anything else. Binary input
    (NUL bytes without a UTF-16/32 BOM, or mostly control characters) is refused.
    """
    if data.startswith(codecs.BOM_UTF8):
        text = data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        # Checked before UTF-16: the UTF-32-LE BOM begins with the UTF-16-LE one.
        text = data.decode("utf-32", errors="replace")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    elif b"\x00" in data:
        raise IngestError(_BINARY_REASON)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_legacy(data)
    text = unicodedata.normalize("NFC", text).lstrip("\ufeff")
    return ensure_text(text)


def _decode_legacy(data: bytes) -> str:
    from vntext.legacy_fonts import fix_legacy

    # TCVN3/VNI files are byte-per-glyph: read as Latin-1 they convert losslessly.
    converted, found = fix_legacy(data.decode("latin-1"))
    if found:
        return converted
    try:
        cp1258: str | None = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        cp1258 = None  # cp1258 leaves a few bytes undefined; random data usually hits one
    if cp1258 is not None and _looks_vietnamese(cp1258):
        return cp1258
    from charset_normalizer import from_bytes  # heavy-ish import, only needed here

    best = from_bytes(data).best()
    if best is not None:
        return str(best)
    if cp1258 is not None:
        return cp1258
    raise IngestError("Không nhận ra bảng mã của tệp văn bản / unknown text encoding")


def check_zip(data: bytes, *, max_unzipped_bytes: int = DEFAULT_MAX_UNZIPPED_BYTES) -> None:
    """Refuse a zip whose declared sizes or compression ratios look like a zip bomb.

    Python's ``zipfile`` stops at a member's declared size (and then fails its CRC),
    so checking the declared sizes before any read bounds the memory a DOCX can cost.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise IngestError("Tệp DOCX hỏng (không phải zip) / corrupt DOCX (not a zip)") from exc
    if len(infos) > _MAX_ZIP_MEMBERS:
        raise IngestError("Tệp DOCX có quá nhiều thành phần / DOCX has too many parts")
    bomb = "Tệp DOCX giải nén quá lớn (zip bomb?) / DOCX expands too much (zip bomb?)"
    if sum(info.file_size for info in infos) > max_unzipped_bytes:
        raise IngestError(bomb)
    for info in infos:
        if info.file_size > _ZIP_RATIO_FLOOR and (
            info.compress_size == 0 or info.file_size / info.compress_size > MAX_ZIP_RATIO
        ):
            raise IngestError(bomb)
    if "word/document.xml" not in {info.filename for info in infos}:
        raise IngestError("Tệp không phải văn bản Word (.docx) / not a Word .docx document")


def load_docx(data: bytes, *, max_unzipped_bytes: int = DEFAULT_MAX_UNZIPPED_BYTES) -> str:
    """Paragraphs and tables of a .docx in body order.

    Heading styles become Markdown headings ("## …") so the structure parser sees
    them; tables become pipe rows ("| a | b |") with a separator after the first row,
    and a merged cell is written once, leaving empty cells after it.
    """
    if not data.startswith(b"PK\x03\x04"):
        raise IngestError("Không phải tệp DOCX hợp lệ / not a valid DOCX file")
    check_zip(data, max_unzipped_bytes=max_unzipped_bytes)
    import docx  # lazy: python-docx pulls lxml machinery
    from docx.oxml.ns import qn

    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        _docx_blocks(document, document.element.body, lines, qn)
    except IngestError:
        raise
    except Exception as exc:  # malformed XML / package parts surface as many exception types
        raise IngestError(
            f"Không đọc được tệp DOCX (tệp hỏng?) / unreadable DOCX ({type(exc).__name__})"
        ) from exc
    return ensure_text("\n".join(lines))


_DOCX_HEADING_STYLE = re.compile(r"^(?:heading|tiêu đề|title)\s*(\d)?$", re.IGNORECASE)


def _docx_blocks(document: Any, container: Any, lines: list[str], qn: Any) -> None:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for element in container.iterchildren():
        if element.tag == qn("w:p"):
            paragraph = Paragraph(element, document)
            text = paragraph.text.replace("\n", " ").strip()
            if not text:
                continue
            level = _docx_heading_level(paragraph)
            lines.append(f"{'#' * level} {text}" if level else text)
            lines.append("")
        elif element.tag == qn("w:tbl"):
            lines.extend(_docx_table_rows(Table(element, document)))
            lines.append("")
        elif element.tag == qn("w:sdt"):
            # Content controls wrap ordinary paragraphs and tables.
            for content in element.iterchildren(qn("w:sdtContent")):
                _docx_blocks(document, content, lines, qn)


def _docx_heading_level(paragraph: Any) -> int:
    try:
        name = (paragraph.style.name or "") if paragraph.style is not None else ""
    except Exception:  # a style id missing from styles.xml
        return 0
    match = _DOCX_HEADING_STYLE.match(name.strip())
    if not match:
        return 0
    return min(int(match.group(1) or 1), 6)


def _docx_table_rows(table: Any) -> list[str]:
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            key = id(cell._tc)
            # python-docx repeats a horizontally merged cell for every grid column.
            cells.append("" if key in seen else _cell_text(cell.text))
            seen.add(key)
        if any(cells):
            rows.append("| " + " | ".join(cells) + " |")
            if len(rows) == 1:
                rows.append("|" + "---|" * len(cells))
    return rows


def _cell_text(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


_DROP_HTML = frozenset(
    {
        "script",
        "style",
        "nav",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "svg",
        "canvas",
        "head",
        "button",
        "select",
        "form",
    }
)
_BLOCK_HTML = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "aside",
        "blockquote",
        "pre",
        "address",
        "figure",
        "figcaption",
        "dl",
        "dt",
        "dd",
        "ul",
        "ol",
        "hr",
        "center",
        "tr",
        "body",
        "html",
    }
)
_HTML_HEADINGS = {f"h{level}": level for level in range(1, 7)}
# Entity-escaped markup ("&lt;script&gt;") survives as literal tags in the text; chunk
# text is shown in a web UI, so no tag-shaped text may come out of an HTML file.
# "[^<>]*" stops at the next "<", so the scans from successive "<" never overlap
# and the substitution stays linear however hostile the text.
_TAG_LIKE = re.compile(r"</?[A-Za-z!][^<>\n]*>")


def load_html(data: bytes) -> str:
    """Visible text of an HTML page: headings as "#" lines, list items as "- ",
    tables as pipe rows. Scripts, styles, navigation, forms and comments are dropped
    and no markup survives.

    The tree is walked with an explicit stack and never modified: bs4's own tree
    edits cost time proportional to nesting depth, which hostile pages make huge.
    """
    from bs4 import BeautifulSoup
    from bs4.dammit import EncodingDetector

    declared = EncodingDetector.find_declared_encoding(data[:4096], is_html=True)
    boms = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    if declared and not data.startswith(boms):
        try:
            markup = ensure_text(data.decode(declared, errors="replace"))
        except LookupError:
            markup = decode_text(data)
    else:
        markup = decode_text(data)
    try:
        soup = BeautifulSoup(markup, "lxml")
    except Exception as exc:  # parser failures on hostile markup
        raise IngestError(
            f"Không đọc được tệp HTML / unreadable HTML ({type(exc).__name__})"
        ) from exc
    lines = _html_lines(soup)
    return ensure_text("\n".join(_TAG_LIKE.sub("", line) for line in lines))


def _visible_text(node: Any) -> bool:
    from bs4 import CData, NavigableString

    # Exact type: Comment, Doctype, Declaration, Script, Stylesheet… are subclasses.
    return type(node) is NavigableString or type(node) is CData


def _skipped(tag: Any) -> bool:
    return tag.name in _DROP_HTML or tag.has_attr("hidden")


def _html_lines(root: Any) -> list[str]:
    from bs4 import Tag

    lines: list[str] = []
    current: list[str] = []

    def end_line() -> None:
        line = " ".join("".join(current).split())
        if line.strip("#- "):  # not an empty paragraph, list item or heading
            lines.append(line)
        current.clear()

    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            end_line()
            continue
        if not isinstance(node, Tag):
            if _visible_text(node):
                current.append(str(node))
            continue
        if _skipped(node):
            continue
        name = node.name
        if name == "br":
            end_line()
        elif name == "table":
            end_line()
            lines.extend(_html_table_rows(node))
        elif name in _HTML_HEADINGS or name in _BLOCK_HTML or name == "li":
            end_line()
            if name in _HTML_HEADINGS:
                current.append("#" * _HTML_HEADINGS[name] + " ")
            elif name == "li":
                current.append("- ")
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
        else:
            stack.extend((child, False) for child in reversed(node.contents))
    end_line()
    return lines


def _inline_text(node: Any) -> str:
    """Visible text under *node* (scripts and comments excluded), iteratively."""
    from bs4 import Tag

    parts: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Tag):
            if not _skipped(item):
                stack.extend(reversed(item.contents))
        elif _visible_text(item):
            parts.append(str(item))
    return " ".join(" ".join(parts).split())


def _html_table_rows(table: Any) -> list[str]:
    rows: list[str] = []
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue  # a nested table's row: its text is already in the outer cell
        cells = [
            _cell_text(_inline_text(cell))
            for cell in tr.find_all(["td", "th"])
            if cell.find_parent("tr") is tr
        ]
        if not any(cells):
            continue
        rows.append("| " + " | ".join(cells) + " |")
        if len(rows) == 1:
            rows.append("|" + "---|" * len(cells))
    return rows
