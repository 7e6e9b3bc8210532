"""Decoding and format loaders, on files the tests build themselves."""

from __future__ import annotations

import io
import random
import re
import struct
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest

from ingest import IngestError, parse_bytes, parse_file
from tests.pdf_files import encrypted_pdf, minimal_pdf

LAW = (
    "Chương I\n"
    "NHỮNG QUY ĐỊNH CHUNG\n"
    "Điều 1. Phạm vi điều chỉnh\n"
    "Luật này quy định về khiếu nại và giải quyết khiếu nại đối với quyết định hành chính.\n"
    "Điều 2. Giải thích từ ngữ\n"
    "1. Khiếu nại là việc công dân đề nghị cơ quan có thẩm quyền xem xét lại quyết định.\n"
    "2. Người khiếu nại là công dân, cơ quan, tổ chức thực hiện quyền khiếu nại.\n"
)
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258_bytes(text: str) -> bytes:
    """Encode like Windows-1258 editors do: base letters precomposed, tones combining."""
    clusters: list[list[str]] = []  # [base letter, other marks, tone marks]
    for char in unicodedata.normalize("NFD", text):
        if clusters and unicodedata.combining(char):
            clusters[-1][2 if char in TONES else 1] += char
        else:
            clusters.append([char, "", ""])
    composed = "".join(unicodedata.normalize("NFC", b + m) + t for b, m, t in clusters)
    return composed.encode("cp1258")


def article_texts(parsed) -> str:
    return "\n".join(c.page_content for c in parsed.chunks)


# -- plain text encodings ---------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("utf-8", LAW.encode("utf-8")),
        ("utf-8-bom", b"\xef\xbb\xbf" + LAW.encode("utf-8")),
        ("utf-16", LAW.encode("utf-16")),
        ("utf-16-be", b"\xfe\xff" + LAW.encode("utf-16-be")),
        ("cp1258", cp1258_bytes(LAW)),
        ("nfd", unicodedata.normalize("NFD", LAW).encode("utf-8")),
    ],
)
def test_text_encodings_decode_to_the_same_nfc_chunks(
    tmp_path: Path, encoding: str, data: bytes, invariants
) -> None:
    path = tmp_path / f"luat-{encoding}.txt"
    path.write_bytes(data)
    parsed = parse_file(path)
    invariants(parsed)
    reference = parse_bytes(LAW.encode("utf-8"), "luat.txt")
    assert [c.page_content for c in parsed.chunks] == [c.page_content for c in reference.chunks]
    assert "Khiếu nại là việc công dân" in article_texts(parsed)
    assert parsed.info.id == f"luat-{encoding}"


def test_cp1258_really_uses_combining_tones() -> None:
    data = cp1258_bytes("Điều khoản")
    assert (
        b"\xcc" in data or b"\xec" in data or b"\xd2" in data or b"\xde" in data or b"\xf2" in data
    )
    parsed = parse_bytes(cp1258_bytes(LAW), "legacy.txt")
    assert "Điều 2. Giải thích từ ngữ" in {c.metadata["heading"] for c in parsed.chunks}


def test_nfd_phrase_is_found_as_nfc(tmp_path: Path) -> None:
    path = tmp_path / "nfd.md"
    path.write_text(unicodedata.normalize("NFD", LAW), encoding="utf-8")
    parsed = parse_file(path)
    assert unicodedata.is_normalized("NFC", parsed.text)
    assert any("Người khiếu nại là công dân" in c.page_content for c in parsed.chunks)


def test_no_break_spaces_and_blank_lines_are_cleaned() -> None:
    noisy = LAW.replace(" ", "\u00a0", 5).replace("\n", "\n\n\n  ")
    parsed = parse_bytes(noisy.encode("utf-8"), "noisy.txt")
    reference = parse_bytes(LAW.encode("utf-8"), "clean.txt")
    assert [c.metadata["section"] for c in parsed.chunks] == [
        c.metadata["section"] for c in reference.chunks
    ]
    assert "\u00a0" not in parsed.text


# -- DOCX, HTML, PDF --------------------------------------------------------------


def test_docx_paragraphs_and_tables_in_body_order(tmp_path: Path, invariants) -> None:
    import docx

    document = docx.Document()
    document.add_heading("KẾ HOẠCH CẢI THIỆN PAPI", level=1)
    document.add_heading("I. MỤC ĐÍCH, YÊU CẦU", level=2)
    document.add_paragraph("- Nâng cao trách nhiệm của người đứng đầu cơ quan.")
    table = document.add_table(rows=3, cols=3)
    for row, values in zip(
        table.rows,
        [
            ("TT", "Nhiệm vụ", "Thời hạn"),
            ("1", "Rà soát thủ tục hành chính", "Quý II"),
            ("2", "Công khai", "Quý III"),
        ],
        strict=True,
    ):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("Đoạn cuối sau bảng.")
    path = tmp_path / "ke-hoach.docx"
    document.save(str(path))

    parsed = parse_file(path)
    invariants(parsed)
    texts = [c.page_content for c in parsed.chunks]
    assert texts[0] == "- Nâng cao trách nhiệm của người đứng đầu cơ quan."
    row_chunk = next(t for t in texts if "Rà soát thủ tục hành chính" in t)
    assert row_chunk.startswith("| TT | Nhiệm vụ | Thời hạn |")
    assert texts[-1] == "Đoạn cuối sau bảng."
    assert parsed.chunks[0].metadata["section"] == "I. MỤC ĐÍCH, YÊU CẦU"
    assert parsed.info.title == "KẾ HOẠCH CẢI THIỆN PAPI"


def test_html_drops_script_style_nav_and_markup(invariants) -> None:
    html = """<!DOCTYPE html><html><head><title>T</title>
    <script>var secret = "alert('head')";</script><style>body{color:red}</style></head>
    <body><nav><a href="/">Trang chủ menu</a></nav>
    <h1>Quy chế dân chủ</h1><!-- a comment -->
    <h2>Điều 1. Phạm vi</h2><p>Quy chế này áp dụng <b>trong cơ quan</b>.</p>
    <script>alert('body')</script>
    <p>Văn bản có &lt;script&gt;alert(2)&lt;/script&gt; trong nội dung.</p>
    <table><tr><th>Mã</th><th>Tên</th></tr><tr><td>2.000815</td><td>Chứng thực</td></tr></table>
    <ul><li>Mục một</li><li>Mục hai</li></ul></body></html>"""
    parsed = parse_bytes(html.encode("utf-8"), "page.html")
    invariants(parsed)
    everything = parsed.text + "\n".join(c.page_content for c in parsed.chunks)
    for banned in (
        "alert('",
        "secret",
        "color:red",
        "Trang chủ menu",
        "<script",
        "<b>",
        "comment",
        "<p>",
    ):
        assert banned not in everything
    assert "Quy chế này áp dụng trong cơ quan." in everything
    assert any(c.metadata["section_ref"] == "Điều 1" for c in parsed.chunks)
    assert any("| 2.000815 | Chứng thực |" in c.page_content for c in parsed.chunks)
    assert "- Mục một" in parsed.text


def test_html_declared_legacy_charset() -> None:
    html = '<html><head><meta charset="windows-1258"></head><body><p>Điều khoản</p></body></html>'
    parsed = parse_bytes(cp1258_bytes(html), "legacy.htm")
    assert "Điều khoản" in parsed.chunks[0].page_content


def test_minimal_pdf_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "van-ban.pdf"
    path.write_bytes(minimal_pdf(["Dieu 1. Pham vi dieu chinh", "Ke hoach nay quy dinh ve PAPI."]))
    parsed = parse_file(path)
    assert parsed.chunks[0].page_content == "Ke hoach nay quy dinh ve PAPI."
    assert parsed.chunks[0].metadata["section_ref"] == "Dieu 1" or parsed.chunks[0].metadata[
        "heading"
    ].startswith("Dieu 1")


def test_pdf_with_owner_password_only_is_read() -> None:
    parsed = parse_bytes(encrypted_pdf(""), "owner-only.pdf")
    assert "Bi mat" in parsed.text


# -- files that must be refused, quickly ------------------------------------------


def zip_bomb_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"0" * (20 * 1024 * 1024))
    return buffer.getvalue()


def lying_zip_docx() -> bytes:
    """A small zip whose central directory declares a 4 GB member."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    data = bytearray(buffer.getvalue())
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 0xFFFFFFF0)
    return bytes(data)


BAD_FILES = {
    "empty.txt": b"",
    "blank.md": b"   \n\n  \t\n",
    "empty.pdf": b"",
    "random.pdf": random.Random(1).randbytes(8192),
    "random.txt": random.Random(2).randbytes(8192),
    "random.docx": random.Random(3).randbytes(8192),
    "controls.txt": bytes(range(1, 32)) * 50,
    "truncated.pdf": minimal_pdf(["Dieu 1"])[:60],
    "scan.pdf": minimal_pdf([]),
    "encrypted.pdf": encrypted_pdf("secret"),
    "bomb.docx": zip_bomb_docx(),
    "lying.docx": lying_zip_docx(),
    "not-docx.docx": b"PK\x03\x04" + b"\x00" * 100,
    "program.exe": b"MZ\x90\x00",
    "only-front-matter.md": b"---\ntitle: x\n---\n",
    "only-headings.md": "# Tiêu đề\n\n## Mục 1\n".encode(),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_raise_ingest_error_quickly(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(BAD_FILES[name])
    started = time.perf_counter()
    with pytest.raises(IngestError) as caught:
        parse_file(path)
    assert time.perf_counter() - started < 5
    assert " / " in caught.value.reason  # Vietnamese / English
    assert caught.value.reason == str(caught.value)


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("encrypted.pdf", "mật khẩu"),
        ("scan.pdf", "lớp văn bản"),
        ("bomb.docx", "zip bomb"),
        ("lying.docx", "zip bomb"),
        ("random.txt", "binary"),
        ("empty.txt", "empty"),
        ("program.exe", "unsupported"),
    ],
)
def test_refusal_reasons_name_the_problem(name: str, fragment: str) -> None:
    with pytest.raises(IngestError, match=fragment):
        parse_bytes(BAD_FILES[name], name)


def test_size_cap_is_a_parameter(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(LAW.encode("utf-8"))
    with pytest.raises(IngestError, match="too large"):
        parse_file(path, max_bytes=100)
    with pytest.raises(IngestError, match="too large"):
        parse_bytes(LAW.encode("utf-8"), "big.txt", max_bytes=100)
    assert parse_file(path, max_bytes=len(LAW.encode("utf-8"))).chunks


def test_hostile_single_line_is_chunked_fast() -> None:
    line = ("Cán bộ phải thực hiện nghiêm quy định " * 40 + ". ") * 2000  # ~3 MB, one line
    started = time.perf_counter()
    parsed = parse_bytes(line.encode("utf-8"), "one-line.txt")
    assert time.perf_counter() - started < 10
    assert max(len(c.page_content) for c in parsed.chunks) <= 1200


def test_filename_is_sanitised_not_used_as_path(tmp_path: Path) -> None:
    parsed = parse_bytes(LAW.encode("utf-8"), "../../etc/Luật Khiếu nại\x00 2011.txt")
    assert parsed.info.source == "Luật Khiếu nại 2011.txt"
    assert parsed.info.id == "luat-khieu-nai-2011"
    parsed = parse_bytes(LAW.encode("utf-8"), "C:\\Users\\x\\Quyết định 1766.TXT")
    assert parsed.info.id == "quyet-dinh-1766"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("deep.html", ("<div>" * 30000 + "Nội dung sâu" + "</div>" * 30000).encode()),
        ("escaped.html", ("<p>" + "&lt;a" * 200000 + "</p>").encode()),
        ("hashes.md", ("# " + "#" * 200000 + "x\n\nNội dung.\n").encode()),
        ("emphasis.md", ("**" + "a " * 200000 + "\n").encode()),
        ("table.md", ("| a | b |\n|---|---|\n" + "| I | X |\n| 1 | y |\n" * 50000).encode()),
    ],
)
def test_hostile_structure_stays_linear(name: str, data: bytes) -> None:
    started = time.perf_counter()
    parsed = parse_bytes(data, name)
    assert time.perf_counter() - started < 10
    assert parsed.chunks
    assert not re.search(r"</?[A-Za-z!][^<>]*>", parsed.text)  # no complete tag
