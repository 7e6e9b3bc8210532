"""Fidelity of the shipped corpus: the restored plan must invent nothing.

``corpus/ke-hoach-papi-2023-ban-quan-ly-kkt-kcn-quang-nam.md`` restores the diacritics of
an OCR scan kept unaltered in ``corpus/provenance/``. Both texts are folded to ASCII
(``vntext.normalize.fold`` plus the scan's stray glyphs ¢ € ‘), punctuation is dropped
and the token streams are compared.

Measured on the committed files (2026):

* whole-text ``SequenceMatcher(None, ocr, restored, autojunk=False).ratio()`` = 0.8085
  (1997 OCR tokens, 1998 restored tokens); asserted >= ``RATIO_THRESHOLD`` = 0.80.
  The gap to 1.0 is OCR damage ("ctia" for "của", "s6" for "số"), not content.
* per-line coverage: every OCR line with >= 3 tokens has >= 60 % of its tokens accounted
  for, in order, in the restored stream; the minimum measured is 0.800
  ("8. Quan tri dién tir"; 153 lines checked). A token counts when the global alignment
  matches it exactly, or pairs it, inside a substituted span, with a restored token that
  is visibly the same OCR-damaged word (same first letter, character similarity >= 0.5).
  With exact matches only the minimum would be 0.33: "tugng tham nhiing." is "tượng tham
  nhũng.". Deleting any single line of the restoration makes the check fail
  (``test_deleting_any_line_is_detected``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from vntext.normalize import fold

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
RESTORED_PATH = CORPUS / "ke-hoach-papi-2023-ban-quan-ly-kkt-kcn-quang-nam.md"
OCR_PATH = CORPUS / "provenance" / "ke-hoach-papi-2023-ban-quan-ly-kkt-kcn-quang-nam.ocr.txt"
NOTE_PATH = CORPUS / "papi-tai-lieu-tham-khao.md"
SEED_PATH = Path("/work/shared/seeds/000_8c6074a6329b28eb.txt")
OCR_SHA256 = "cb39254212621dffc2e076beb37519c6bda03f53c8e6ad8b479dfdf62197a755"

RATIO_THRESHOLD = 0.80
LINE_COVERAGE_THRESHOLD = 0.60
MIN_LINE_TOKENS = 3

# Glyphs the OCR produced that ``fold`` leaves alone: "thi¢n" (thiện), "hi€u" (hiệu),
# "ngoe‘li" (ngoài). ¢ and € stand for a damaged "ệ", so they fold to "e"; ‘ is noise.
_STRAY_GLYPHS = str.maketrans({"¢": "e", "€": "e", "‘": ""})
# Digits the OCR read for letters inside words ("1y" lý, "s6" số, "c40" cáo, "t5t" tốt).
_DIGIT_LOOKALIKES = str.maketrans({"0": "o", "1": "l", "3": "a", "4": "a", "5": "o", "6": "o"})
_TOKEN = re.compile(r"[0-9a-z]+")
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_MARKDOWN_PREFIX = re.compile(r"^\s*(?:#+\s+|[-*]\s+)")

# The scan's right-hand column (the signature block) was read into the first lines of
# the left-hand "Nơi nhận" list. The restoration puts the two columns one after the
# other, so the line check de-interleaves the OCR the same way first.
SIGNATURE_FRAGMENTS = ("KT.TRUONG BAN", "PHO TRUONG BAN", "~")

SECTION_HEADINGS = (
    "## I. MỤC ĐÍCH, YÊU CẦU",
    "### 1. Mục đích",
    "### 2. Yêu cầu",
    "## II. NHIỆM VỤ VÀ GIẢI PHÁP",
    "### 1. Tham gia của người dân ở cấp cơ sở",
    "### 2. Công khai, minh bạch",
    "### 3. Trách nhiệm giải trình với người dân",
    "### 4. Kiểm soát tham nhũng trong khu vực công",
    "### 5. Thủ tục hành chính công",
    "### 6. Cung ứng dịch vụ công",
    "### 7. Quản trị môi trường",
    "### 8. Quản trị điện tử",
    "## III. TỔ CHỨC THỰC HIỆN",
    "### 1. Trưởng các phòng, Giám đốc các đơn vị trực thuộc:",
    "### 2. Phòng Hành chính và Tổng hợp:",
)

KEY_FACTS = (
    "3212/KH-UBND",
    "25/5/2023",
    "3200/QĐ-UBND",
    "07/10/2019",
    "TCVN ISO 9001:2015",
    "15 tháng 12 năm 2023",
    "Thực hiện Kế hoạch số 3212/KH-UBND ngày 25/5/2023 của UBND tỉnh Quảng Nam",
    "trước ngày 15 tháng 12 năm 2023",
    "Thiều Viết Dũng",
)

OFFICIAL_DIMENSIONS = (
    "Tham gia của người dân ở cấp cơ sở",
    "Công khai, minh bạch trong việc ra quyết định ở địa phương",
    "Trách nhiệm giải trình với người dân",
    "Kiểm soát tham nhũng trong khu vực công",
    "Thủ tục hành chính công",
    "Cung ứng dịch vụ công",
    "Quản trị môi trường",
    "Quản trị điện tử",
)

PLAN_FRONT_MATTER = {
    "id": "ke-hoach-papi-2023-bql-kkt-kcn-quang-nam",
    "doc_type": "Kế hoạch",
    "number": "",
    "number_note": "Số hiệu của kế hoạch không có trong bản quét; không tự đặt.",
    "issuer": "Ban Quản lý các Khu kinh tế và Khu công nghiệp tỉnh Quảng Nam",
    "issue_date": "2023",
    "title": (
        "Cải thiện, nâng cao Chỉ số hiệu quả quản trị và hành chính công (PAPI) "
        "năm 2023 và những năm tiếp theo"
    ),
    "status": "in_force",
    "references": [
        "Kế hoạch số 3212/KH-UBND ngày 25/5/2023 của UBND tỉnh Quảng Nam",
        "Quyết định số 3200/QĐ-UBND ngày 07/10/2019 của UBND tỉnh",
        "TCVN ISO 9001:2015",
    ],
    "source": "provenance/ke-hoach-papi-2023-ban-quan-ly-kkt-kcn-quang-nam.ocr.txt",
}


# --------------------------------------------------------------------------- helpers


def ascii_fold(text: str) -> str:
    """``fold`` plus the OCR's stray glyphs: the result is plain ASCII for both texts."""
    return fold(text).translate(_STRAY_GLYPHS)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(ascii_fold(text))


def split_front_matter(markdown: str) -> tuple[dict, str]:
    match = _FRONT_MATTER.match(markdown)
    assert match, "missing YAML front matter"
    return yaml.safe_load(match.group(0).strip().strip("-")), markdown[match.end() :]


def markdown_body_lines(markdown: str) -> list[str]:
    """Body lines with the Markdown syntax (#, -, *) removed; front matter excluded."""
    _, body = split_front_matter(markdown)
    return [_MARKDOWN_PREFIX.sub("", line).replace("*", "") for line in body.split("\n")]


def restored_tokens(markdown: str) -> list[str]:
    return tokens("\n".join(markdown_body_lines(markdown)))


def deinterleave_columns(ocr_lines: list[str]) -> list[str]:
    """Move the signature-column fragments to just before the signer's name."""
    left: list[str] = []
    right: list[str] = []
    for line in ocr_lines:
        stripped = line.rstrip()
        for fragment in SIGNATURE_FRAGMENTS:
            if stripped.endswith(fragment) and stripped != fragment:
                right.append(fragment)
                stripped = stripped[: -len(fragment)].rstrip()
        left.append(stripped)
    assert right == ["KT.TRUONG BAN", "PHO TRUONG BAN", "~"], right
    last = max(i for i, line in enumerate(left) if line.strip())
    return left[:last] + right + left[last:]


def _similar(ocr_token: str, restored_token: str) -> bool:
    """Same word, once OCR damage to vowels and diacritics is allowed for."""
    if ocr_token == restored_token:
        return True
    if ocr_token.isdigit() or restored_token.isdigit():
        return False
    candidate = ocr_token.translate(_DIGIT_LOOKALIKES)
    return (
        candidate[0] == restored_token[0]
        and SequenceMatcher(None, candidate, restored_token).ratio() >= 0.5
    )


def _fuzzy_pairs(ocr: list[str], restored: list[str]) -> set[int]:
    """Indices of ``ocr`` paired, in order, with a similar token of ``restored`` (LCS)."""
    rows, cols = len(ocr), len(restored)
    table = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            if _similar(ocr[i], restored[j]):
                table[i][j] = table[i + 1][j + 1] + 1
            else:
                table[i][j] = max(table[i + 1][j], table[i][j + 1])
    paired: set[int] = set()
    i = j = 0
    while i < rows and j < cols:
        if _similar(ocr[i], restored[j]) and table[i][j] == table[i + 1][j + 1] + 1:
            paired.add(i)
            i += 1
            j += 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return paired


def line_coverage(ocr_lines: list[str], restored: list[str]) -> list[tuple[float, str]]:
    """Per OCR line (>= 3 tokens): share of its tokens accounted for, in order.

    One global alignment of the whole OCR token stream against the restored stream; a
    token is accounted for when it is matched exactly, or when it sits in a substituted
    span and pairs with a similar restored token there. Text missing from the restoration
    leaves its OCR tokens in a deleted span, so their line scores (close to) zero.
    """
    per_line = [tokens(line) for line in ocr_lines]
    flat = [token for line_tokens in per_line for token in line_tokens]
    accounted = [False] * len(flat)
    matcher = SequenceMatcher(None, flat, restored, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            accounted[i1:i2] = [True] * (i2 - i1)
        elif tag == "replace":
            for offset in _fuzzy_pairs(flat[i1:i2], restored[j1:j2]):
                accounted[i1 + offset] = True
    result: list[tuple[float, str]] = []
    start = 0
    for line, line_tokens in zip(ocr_lines, per_line, strict=True):
        end = start + len(line_tokens)
        if len(line_tokens) >= MIN_LINE_TOKENS:
            result.append((sum(accounted[start:end]) / len(line_tokens), line.strip()))
        start = end
    return result


def uncovered_lines(ocr_lines: list[str], restored: list[str]) -> list[tuple[float, str]]:
    return [
        (score, line)
        for score, line in line_coverage(ocr_lines, restored)
        if score < LINE_COVERAGE_THRESHOLD
    ]


@lru_cache(maxsize=1)
def _restored_markdown() -> str:
    return RESTORED_PATH.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _ocr_text() -> str:
    return OCR_PATH.read_text(encoding="utf-8")


def _ocr_lines() -> list[str]:
    return deinterleave_columns(_ocr_text().split("\n"))


# ----------------------------------------------------------------------------- tests


def test_provenance_is_the_unaltered_scan() -> None:
    raw = OCR_PATH.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == OCR_SHA256
    if SEED_PATH.exists():
        assert raw == SEED_PATH.read_bytes()
    assert (CORPUS / "provenance" / "README.md").exists()


def test_folding_leaves_plain_ascii() -> None:
    """A new stray glyph in either text would silently vanish from the token streams."""
    _, body = split_front_matter(_restored_markdown())
    for text in (_ocr_text(), body):
        assert ascii_fold(text).isascii()


def test_restoration_is_nfc_with_expected_front_matter() -> None:
    markdown = _restored_markdown()
    assert unicodedata.is_normalized("NFC", markdown)
    meta, _ = split_front_matter(markdown)
    assert meta == PLAN_FRONT_MATTER


def test_restoration_keeps_key_facts_and_structure() -> None:
    markdown = _restored_markdown()
    for fact in KEY_FACTS:
        assert fact in markdown, fact
    lines = markdown.split("\n")
    positions = []
    for heading in SECTION_HEADINGS:
        assert heading in lines, heading
        positions.append(lines.index(heading))
    assert positions == sorted(positions), "section headings out of order"


def test_restoration_is_similar_to_the_scan() -> None:
    ocr = tokens(_ocr_text())
    restored = restored_tokens(_restored_markdown())
    ratio = SequenceMatcher(None, ocr, restored, autojunk=False).ratio()
    print(f"similarity ratio = {ratio:.4f} ({len(ocr)} OCR / {len(restored)} restored tokens)")
    assert ratio >= RATIO_THRESHOLD
    # Restoration changes letters, never the amount of text.
    assert abs(len(restored) - len(ocr)) <= 0.02 * len(ocr)


def test_every_ocr_line_is_accounted_for() -> None:
    coverage = line_coverage(_ocr_lines(), restored_tokens(_restored_markdown()))
    worst_score, worst_line = min(coverage)
    print(f"per-line coverage minimum = {worst_score:.3f} ({worst_line!r}); {len(coverage)} lines")
    low = [item for item in coverage if item[0] < LINE_COVERAGE_THRESHOLD]
    assert not low, low


def _content_lines() -> list[int]:
    """Indices of body lines that carry text (bullets, paragraphs, headings)."""
    markdown = _restored_markdown()
    lines = markdown.split("\n")
    body_start = len(_FRONT_MATTER.match(markdown).group(0).split("\n")) - 1
    return [i for i in range(body_start, len(lines)) if len(tokens(lines[i])) >= MIN_LINE_TOKENS]


def test_deleting_a_bullet_is_detected() -> None:
    lines = _restored_markdown().split("\n")
    bullet = (
        "- Tăng cường các kênh tiếp nhận thông tin của tổ chức, cá nhân về hiện tượng tham nhũng."
    )
    assert bullet in lines
    mutated = "\n".join(line for line in lines if line != bullet)
    missing = uncovered_lines(_ocr_lines(), restored_tokens(mutated))
    assert any("kénh tiép nhan thong tin" in line for _, line in missing), missing


@pytest.mark.parametrize("index", _content_lines())
def test_deleting_any_line_is_detected(index: int) -> None:
    lines = _restored_markdown().split("\n")
    mutated = "\n".join(lines[:index] + lines[index + 1 :])
    missing = uncovered_lines(_ocr_lines(), restored_tokens(mutated))
    assert missing, f"deleting line {index + 1} went unnoticed: {lines[index]!r}"


def test_papi_note() -> None:
    markdown = NOTE_PATH.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", markdown)
    assert "\ndoc_type: Tài liệu tham khảo\n" in markdown
    meta, body = split_front_matter(markdown)
    assert meta["id"] == "papi-tai-lieu-tham-khao"
    assert meta["doc_type"] == "Tài liệu tham khảo"
    assert meta["status"] == "reference"
    assert meta["number"] == ""
    assert meta["references"] == []
    assert "không phải văn bản chỉ đạo" in body
    for number, name in enumerate(OFFICIAL_DIMENSIONS, start=1):
        assert f"\n{number}. {name}" in body, name
    assert "\n## Nguồn\n" in body


RESULTS_HEADER = (
    "| Năm | Điểm tổng | Thứ hạng tự tính (không chính thức) "
    "| CS1 | CS2 | CS3 | CS4 | CS5 | CS6 | CS7 | CS8 |"
)
# papi_facts.md §2.2 (official unweighted scores [V]; ranks computed, not official).
QUANG_NAM_RESULTS = {
    2017: ("37.08", "27/63", "5.97 5.46 4.98 6.73 6.98 6.96 – –"),
    2018: ("43.14", "44/61", "5.27 5.05 4.99 6.64 7.02 7.02 4.68 2.47"),
    2019: ("44.33", "22/63", "4.88 5.48 5.07 7.50 7.16 7.43 3.87 2.95"),
    2020: ("43.26", "21/63", "5.01 5.14 5.05 7.56 7.27 7.16 3.69 2.40"),
    2021: ("42.1056", "35/60", "4.48 5.05 4.22 6.83 6.93 8.12 3.53 2.94"),
    2022: ("42.2377", "31/61", "4.78 5.20 4.36 6.49 7.12 8.06 3.22 3.01"),
    2023: ("40.5960", "48/61", "4.80 4.56 3.86 6.55 6.90 7.70 3.31 2.92"),
    2024: ("41.0045", "55/61", "4.36 4.86 3.98 6.73 6.70 7.80 3.68 2.90"),
}


def test_papi_note_quang_nam_results_table() -> None:
    """The results table other code parses: exact header, one row a year, decimal comma."""
    lines = NOTE_PATH.read_text(encoding="utf-8").split("\n")
    start = lines.index(RESULTS_HEADER)
    assert set(lines[start + 1].replace("|", "")) == {"-"}
    rows = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[int(cells[0])] = cells[1:]
    assert set(rows) == set(QUANG_NAM_RESULTS)
    for year, (total, rank, dims) in QUANG_NAM_RESULTS.items():
        expected = [total, rank, *dims.split()]
        assert rows[year] == [v.replace(".", ",") for v in expected], year
    body = "\n".join(lines[start:])
    for number, name in enumerate(OFFICIAL_DIMENSIONS, start=1):
        assert f"CS{number} = {name}" in body, name
    assert "tự tính, không phải thứ hạng chính thức" in body
    assert "33/63" in body and "44/61" in body  # the 2018 conflict is stated, not resolved


def test_papi_note_states_the_2025_context() -> None:
    body = NOTE_PATH.read_text(encoding="utf-8")
    assert "Quảng Nam được sắp xếp cùng thành phố Đà Nẵng thành thành phố Đà Nẵng" in body
    line = next(x for x in body.split("\n") if "118/2025/NĐ-CP" in x)
    assert "61/2018/NĐ-CP" in line and "01/7/2025" in line and "(nguồn thứ cấp)" in line
