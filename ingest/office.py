"""Office formats beyond .docx: Word 97–2003 (.doc) and Excel (.xlsx).

.doc is read by Debian's ``antiword`` (``apt-get install antiword``) in a child process
with a memory cap and a timeout, so a hostile OLE file cannot take the server down;
without antiword, .doc files are refused with the install hint. .xlsx is read with
openpyxl in read-only mode after the same zip-bomb checks as .docx: each sheet
becomes a "## sheet" heading and a pipe table, which the structure parser chunks like
any Markdown table (procedure lists often come as spreadsheets).
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from ingest.errors import IngestError
from ingest.loaders import DEFAULT_MAX_UNZIPPED_BYTES, MAX_ZIP_RATIO, ensure_text

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DOC_TIMEOUT_S = 60.0
DOC_MEMORY_BYTES = 1024**3
MAX_SHEET_ROWS = 20_000
MAX_SHEET_COLUMNS = 100
_MAX_ZIP_MEMBERS = 5000


def load_doc(data: bytes) -> str:
    """Text of a Word 97–2003 document, via ``antiword -m UTF-8.txt``."""
    if not data.startswith(OLE_MAGIC):
        raise IngestError("Không phải tệp Word .doc hợp lệ / not a valid Word .doc file")
    exe = shutil.which("antiword")
    if exe is None:
        raise IngestError(
            "Chưa cài antiword nên không đọc được tệp .doc; cài bằng: apt-get install antiword"
            " / antiword is not installed, so .doc files cannot be read; install it with: "
            "apt-get install antiword"
        )
    from ingest.ocr import _limit_child  # the same child limits as OCR

    with tempfile.TemporaryDirectory(prefix="papi-doc-") as tmp:
        source = Path(tmp) / "input.doc"
        source.write_bytes(data)
        try:
            done = subprocess.run(
                [exe, "-m", "UTF-8.txt", "-w", "0", str(source)],
                capture_output=True,
                timeout=DOC_TIMEOUT_S,
                check=False,
                preexec_fn=_limit_child(DOC_MEMORY_BYTES),  # noqa: PLW1509
            )
        except subprocess.TimeoutExpired as exc:
            raise IngestError(
                "Đọc tệp .doc quá thời gian / reading the .doc file timed out"
            ) from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        raise IngestError(
            "Không đọc được tệp .doc (hỏng hoặc không phải Word 97–2003) / unreadable .doc "
            f"({detail[0][:120] if detail else 'antiword failed'})"
        )
    return ensure_text(_pipe_tables(done.stdout.decode("utf-8", "replace")))


def _pipe_tables(text: str) -> str:
    """antiword's padded "|a   |b   |" rows → Markdown rows with a header separator."""
    out: list[str] = []
    in_table = False
    for line in text.splitlines():
        stripped = line.strip()
        if len(stripped) > 1 and stripped.startswith("|") and stripped.endswith("|"):
            cells = [" ".join(c.split()) for c in stripped[1:-1].split("|")]
            out.append("| " + " | ".join(cells) + " |")
            if not in_table:
                out.append("|" + "---|" * len(cells))
            in_table = True
        else:
            if in_table and stripped:
                out.append("")  # a table ends before the next paragraph
            in_table = False
            out.append(line)
    return "\n".join(out)


def _check_xlsx_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise IngestError("Tệp XLSX hỏng (không phải zip) / corrupt XLSX (not a zip)") from exc
    bomb = "Tệp XLSX giải nén quá lớn (zip bomb?) / XLSX expands too much (zip bomb?)"
    if len(infos) > _MAX_ZIP_MEMBERS:
        raise IngestError("Tệp XLSX có quá nhiều thành phần / XLSX has too many parts")
    if sum(info.file_size for info in infos) > DEFAULT_MAX_UNZIPPED_BYTES:
        raise IngestError(bomb)
    for info in infos:
        if info.file_size > 4 * 1024 * 1024 and (
            info.compress_size == 0 or info.file_size / info.compress_size > MAX_ZIP_RATIO
        ):
            raise IngestError(bomb)
    if "xl/workbook.xml" not in {info.filename for info in infos}:
        raise IngestError("Tệp không phải bảng tính Excel (.xlsx) / not an Excel .xlsx workbook")


def load_xlsx(data: bytes) -> str:
    """Every non-empty sheet as "## name" plus a pipe table, first row as the header."""
    if not data.startswith(b"PK\x03\x04"):
        raise IngestError("Không phải tệp XLSX hợp lệ / not a valid XLSX file")
    _check_xlsx_zip(data)
    import openpyxl  # lazy: only spreadsheets need it

    lines: list[str] = []
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for sheet in workbook.worksheets:
                rows = _sheet_rows(sheet)
                if not rows:
                    continue
                lines.extend([f"## {sheet.title}", ""])
                width = max(len(r) for r in rows)
                for index, row in enumerate(rows):
                    cells = row + [""] * (width - len(row))
                    lines.append("| " + " | ".join(cells) + " |")
                    if index == 0:
                        lines.append("|" + "---|" * width)
                lines.append("")
        finally:
            workbook.close()
    except IngestError:
        raise
    except Exception as exc:  # malformed workbook XML surfaces as many exception types
        raise IngestError(
            f"Không đọc được tệp XLSX (tệp hỏng?) / unreadable XLSX ({type(exc).__name__})"
        ) from exc
    return ensure_text("\n".join(lines))


def _sheet_rows(sheet: object) -> list[list[str]]:
    rows: list[list[str]] = []
    for count, values in enumerate(
        sheet.iter_rows(max_col=MAX_SHEET_COLUMNS, values_only=True)  # type: ignore[attr-defined]
    ):
        if count >= MAX_SHEET_ROWS:
            raise IngestError(
                f"Bảng tính quá nhiều dòng (>{MAX_SHEET_ROWS}) / sheet has too many rows"
            )
        cells = [_cell(v) for v in values]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            rows.append(cells)
    return rows


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()  # a date typed in a cell, not a timestamp
    if isinstance(value, dt.date | dt.time):
        value = value.isoformat()
    return " ".join(str(value).split()).replace("|", "\\|")
