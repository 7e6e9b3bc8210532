"""Documents offices still have: .doc, .xlsx, TCVN3/VNI fonts, owner-password PDFs.

Also the orthography rules behind the legacy-font detector and the garbled-text-layer
check (vntext/syllables.py), tested both ways.
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest

from ingest import IngestError, parse_bytes, parse_file
from tests.pdf_files import encrypted_pdf, minimal_pdf
from vntext.legacy_fonts import detect_legacy, fix_legacy, tcvn3_to_unicode, vni_to_unicode
from vntext.syllables import is_syllable

DATA = Path(__file__).parent / "data"
VIETNAMESE = (
    "Cộng hòa xã hội chủ nghĩa Việt Nam. Độc lập, tự do, hạnh phúc.\n"
    "Quyết định về việc ban hành quy chế tiếp công dân của ủy ban nhân dân xã; "
    "thời hạn giải quyết hồ sơ là ba ngày làm việc, người đứng đầu chịu trách nhiệm."
)


def _inverse(table: dict[str, str]) -> dict[str, str]:
    return {v: k for k, v in table.items()}


def to_tcvn3(text: str) -> str:
    """Unicode → TCVN3 as Latin-1 characters (the test's own encoder, from the chart)."""
    from vntext.legacy_fonts import _TCVN3

    inverse = _inverse(_TCVN3)
    return "".join(inverse.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def to_vni(text: str) -> str:
    """Unicode → VNI-Windows: base vowel plus mark byte, or the single-byte letters."""
    from vntext.legacy_fonts import _VNI_MARKS, _VNI_SINGLE

    singles = {v: k for k, v in _VNI_SINGLE.items() if k != v}
    marks_lower = {v: k for k, v in _VNI_MARKS.items() if k.islower()}
    marks_upper = {v: k for k, v in _VNI_MARKS.items() if k.isupper()}
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in singles:
            out.append(singles[ch])
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        base = decomposed[0]
        # Vowel mark (circumflex, breve, horn) before the tone, as the VNI mark bytes pair them.
        marks = "".join(sorted(decomposed[1:], key=lambda m: m not in "\u0302\u0306\u031b"))
        if not marks or base not in "aeiouyAEIOUY":
            out.append(ch)
            continue
        if "\u031b" in marks:  # horn: ơ/ư are single letters, tone marks follow them
            base = singles[unicodedata.normalize("NFC", base + "\u031b")]
            marks = marks.replace("\u031b", "")
        table = marks_upper if base.isupper() else marks_lower
        if not marks:
            out.append(base)
        elif base in "iI" and len(marks) == 1:
            out.append(singles.get(unicodedata.normalize("NFC", base + marks), base + table[marks]))
        elif base in "yY" and marks == "\u0323":
            out.append(singles[unicodedata.normalize("NFC", base + marks)])
        else:
            out.append(base + table[marks])
    return "".join(out)


@pytest.mark.parametrize(
    "word",
    [
        "nghiêng",
        "quyết",
        "giếng",
        "thuở",
        "khuya",
        "xoong",
        "hoà",
        "hòa",
        "thủy",
        "người",
        "Ủy",
        "được",
        "kỹ",
        "gì",
        "oanh",
        "uyên",
        "phường",
        "tỉnh",
    ],
)
def test_valid_syllables(word: str) -> None:
    assert is_syllable(word)


@pytest.mark.parametrize(
    "word",
    [
        "ctia",
        "hoach",
        "Cii",
        "niam",
        "viéc",
        "céap",
        "ghà",
        "ngi",
        "kon",
        "cem",
        "tàt",
        "street",
        "für",
        "qua1",
        "nhirng",
        "quu",
        "tháat",
    ],
)
def test_invalid_syllables(word: str) -> None:
    assert not is_syllable(word)


def test_ke_without_tone_is_a_syllable() -> None:
    # c/k spelling: k before e/ê/i/y, c elsewhere; the tone-less "ke" is written Vietnamese.
    assert is_syllable("ke") and not is_syllable("ce") and not is_syllable("ka")


@pytest.mark.parametrize(("encode", "name"), [(to_tcvn3, "tcvn3"), (to_vni, "vni")])
def test_legacy_font_text_round_trips_to_unicode(encode: object, name: str) -> None:
    text = VIETNAMESE.lower() if name == "tcvn3" else VIETNAMESE  # TCVN3 has few capitals
    legacy = encode(text)  # type: ignore[operator]
    assert legacy != text
    assert detect_legacy(legacy) == name
    converted, found = fix_legacy(legacy)
    assert found == name
    assert converted == unicodedata.normalize("NFC", text)
    assert (tcvn3_to_unicode if name == "tcvn3" else vni_to_unicode)(legacy) == converted


@pytest.mark.parametrize(
    "text",
    [
        VIETNAMESE,
        "Ông bà cá chó là mè ô tô, tô cá, cà chua",  # Vietnamese using only Latin-1 letters
        "Le gouvernement a annoncé une réforme des hôpitaux, déjà votée à l'Assemblée, très "
        "attendue par les élèves et les enseignants de la région.",
        "Die Bundesregierung hat neue Maßnahmen für Schulen und Krankenhäuser angekündigt; "
        "über die Größe der Förderung wird später entschieden.",
        "El señor presidente anunció que la educación pública recibirá más fondos el próximo año.",
        "Tiếng Việt có dấu: Ủy ban nhân dân tỉnh Quảng Nam ban hành kế hoạch năm 2023.",
    ],
)
def test_detection_leaves_unicode_and_other_languages_alone(text: str) -> None:
    assert detect_legacy(text) is None
    assert fix_legacy(text) == (text, None)


def test_tcvn3_txt_file_is_converted() -> None:
    body = "Điều 1. Phạm vi điều chỉnh\n" + VIETNAMESE.lower()
    data = to_tcvn3(body).encode("latin-1")
    parsed = parse_bytes(data, "quy-che-abc.txt")
    assert "tiếp công dân" in parsed.text
    assert "ch­¬ng" not in parsed.text


def test_vni_docx_is_converted() -> None:
    import docx

    document = docx.Document()
    document.add_paragraph(to_vni("Điều 1. Phạm vi điều chỉnh"))
    document.add_paragraph(to_vni(VIETNAMESE))
    buffer = io.BytesIO()
    document.save(buffer)
    parsed = parse_bytes(buffer.getvalue(), "quy-che-vni.docx")
    assert "Cộng hòa xã hội chủ nghĩa Việt Nam" in parsed.text
    assert parsed.chunks[0].metadata["section_ref"].startswith("Điều 1")


def test_tcvn3_pdf_text_layer_is_converted() -> None:
    body = VIETNAMESE.lower()
    lines = [to_tcvn3("Điều 1. Phạm vi điều chỉnh"), to_tcvn3(body[:70]), to_tcvn3(body[70:140])]
    parsed = parse_bytes(minimal_pdf(lines), "van-ban-abc.pdf")
    assert body[:70].strip() in parsed.text
    assert parsed.chunks[0].metadata["page"] == 1


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_owner_password_pdf_is_read(algorithm: str) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(
        clone_from=PdfReader(io.BytesIO(minimal_pdf(["Dieu 1. Pham vi", "Noi dung da ky so."])))
    )
    writer.encrypt("", owner_password="chu-so-huu", algorithm=algorithm)
    buffer = io.BytesIO()
    writer.write(buffer)
    parsed = parse_bytes(buffer.getvalue(), "da-ky.pdf")
    assert "Noi dung da ky so" in parsed.text
    assert parsed.chunks[0].metadata["page"] == 1


def test_user_password_pdf_is_refused_with_a_reason() -> None:
    with pytest.raises(IngestError, match="mật khẩu.*password"):
        parse_bytes(encrypted_pdf("mat-khau-nguoi-dung"), "bi-mat.pdf")


def test_doc_is_read_with_vietnamese_intact() -> None:
    """tests/ingest/data/quy-trinh.doc: written by python-docx, saved as Word 97 by LibreOffice."""
    import shutil

    if shutil.which("antiword") is None:
        pytest.skip("antiword not installed (apt-get install antiword)")
    parsed = parse_file(DATA / "quy-trinh.doc")
    assert "Bộ phận Một cửa tiếp nhận hồ sơ của công dân và doanh nghiệp" in parsed.text
    assert "| Chứng thực bản sao | Trong ngày |" in parsed.text
    refs = [c.metadata["section_ref"] for c in parsed.chunks]
    assert "Điều 1" in refs and "Điều 2" in refs


def test_doc_without_antiword_is_refused_with_the_install_hint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(IngestError, match="apt-get install antiword"):
        parse_file(DATA / "quy-trinh.doc")


def test_not_a_doc_is_refused() -> None:
    with pytest.raises(IngestError, match="not a valid Word .doc"):
        parse_bytes(b"PK\x03\x04 not ole at all", "gia.doc")


def test_xlsx_procedure_list_becomes_a_table() -> None:
    import datetime as dt

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Thủ tục cấp xã"
    sheet.append(["STT", "Tên thủ tục", "Thời hạn", "Ngày áp dụng"])
    sheet.append([1, "Chứng thực bản sao từ bản chính", "Trong ngày", dt.datetime(2024, 1, 15)])
    sheet.append([2, "Đăng ký khai sinh", "1 ngày làm việc", dt.datetime(2024, 1, 15)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = parse_bytes(buffer.getvalue(), "danh-muc-thu-tuc.xlsx")
    assert "| 1 | Chứng thực bản sao từ bản chính | Trong ngày | 2024-01-15 |" in parsed.text
    assert any("Đăng ký khai sinh" in c.page_content for c in parsed.chunks)
    assert all(c.page_content.startswith("| STT |") for c in parsed.chunks)


def test_a_docx_renamed_xlsx_is_refused() -> None:
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with pytest.raises(IngestError, match="not an Excel"):
        parse_bytes(buffer.getvalue(), "gia.xlsx")
