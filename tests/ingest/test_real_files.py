"""The hazards of the real legal files in shared/data/legal (see shared/docs/data_notes.md).

Skipped cleanly where that folder is absent.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from ingest import discover, parse_file
from ingest.phapdien import CODE, strip_index
from vntext.normalize import clean_text
from vntext.tokens import folded_tokens as syllables

VLC = "vlc_admin_laws"
THDC = "phapdien_admin/xay-dung-phap-luat-va-thi-hanh-phap-luat__thuc-hien-dan-chu-o-co-so.md"
TTHC_1766 = "congbot_tthc/1766_2020_QĐ_UBND"
ARTICLE = re.compile(r"^Điều (\d+[a-zđ]?)\.", re.MULTILINE)


def article_headings(parsed) -> list[str]:
    """Article labels in document order, from the chunks' heading paths."""
    seen: list[str] = []
    for chunk in parsed.chunks:
        for part in chunk.metadata["section"].split(" › "):
            match = re.match(r"^Điều (\d+[a-zđ]?)\b", part)
            if match and match.group(1) not in seen:
                seen.append(match.group(1))
    return seen


def test_nfd_law_gives_nfc_chunks_that_nfc_queries_find(legal_file, invariants) -> None:
    path = legal_file(f"{VLC}/processed/Luat-To-cao-336713.txt")
    raw = path.read_text(encoding="utf-8")
    assert sum(1 for ch in raw if unicodedata.combining(ch)) > 100  # the hazard is present
    parsed = parse_file(path)
    invariants(parsed)
    decomposed_lines = [
        line
        for line in raw.split("\n")
        if any(unicodedata.combining(c) for c in line)
        and not re.match(r"^\s*(?:Điều|Chương|Mục)\s", unicodedata.normalize("NFC", line))
    ]
    assert decomposed_lines
    for line in decomposed_lines[:20]:
        phrase = unicodedata.normalize("NFC", line).strip()[:60].strip()
        assert any(phrase in chunk.page_content for chunk in parsed.chunks), phrase


@pytest.mark.parametrize(
    "name",
    [
        "Luat-To-cao-336713.txt",
        "Luat-tiep-cong-dan-2013-215839.txt",
        "Luat-Phong-chong-tham-nhung-322049.txt",
        "Luat-khieu-nai-2011-132446.txt",
        "Luat-can-bo-cong-chuc-2008-22-2008-QH12-82202.txt",
    ],
)
def test_raw_and_processed_have_the_same_articles(legal_file, name: str) -> None:
    processed_path = legal_file(f"{VLC}/processed/{name}")
    raw_path = legal_file(f"{VLC}/raw/{name}")
    assert "\u00a0" in raw_path.read_text(encoding="utf-8")  # the hazard is present
    processed = parse_file(processed_path)
    raw = parse_file(raw_path)
    expected = ARTICLE.findall(clean_text(processed_path.read_text(encoding="utf-8")))
    assert article_headings(processed) == expected
    assert article_headings(raw) == expected
    # Same text after cleaning: most chunks are identical, whichever copy they came from.
    same = {c.page_content for c in processed.chunks} & {c.page_content for c in raw.chunks}
    assert len(same) >= 0.95 * len(processed.chunks)
    first = next(c for c in processed.chunks if c.metadata["section_ref"].startswith("Điều 1"))
    assert first.page_content in {c.page_content for c in raw.chunks}


def test_khieu_nai_article_10_heading_and_text(legal_file, invariants) -> None:
    parsed = parse_file(legal_file(f"{VLC}/processed/Luat-khieu-nai-2011-132446.txt"))
    invariants(parsed)
    (chunk,) = [c for c in parsed.chunks if c.metadata["heading"].startswith("Điều 10.")]
    assert chunk.metadata["heading"] == "Điều 10. Rút khiếu nại"
    assert chunk.metadata["section_ref"] == "Điều 10"
    assert chunk.page_content.startswith("Người khiếu nại có thể rút khiếu nại")
    info = parsed.info
    assert (info.doc_type, info.number, info.issue_date) == ("Luật", "02/2011/QH13", "2011-11-11")
    assert len(article_headings(parsed)) == 70


def test_phapdien_codes_front_matter_index_and_citations(legal_file, invariants) -> None:
    path = legal_file(THDC)
    source = clean_text(path.read_text(encoding="utf-8"))
    body, _, index = source.partition("## Danh sách điều khoản")
    code = re.compile(r"Điều (" + CODE + r")\.")
    # Headings in the body: at a line start, or glued to the text before them.
    expected = {
        m.group(1)
        for line in body.split("\n")
        for m in code.finditer(line)
        if m.start() == 0 or line[m.start() - 1] not in " ("
    }
    glued = sum(
        1
        for line in body.split("\n")
        for m in code.finditer(line)
        if m.start() > 0 and line[m.start() - 1] not in " ("
    )
    assert glued >= 100  # the hazard is present
    indexed = set(re.findall(r"(?m)^Điều (" + CODE + r")\.", index))

    parsed = parse_file(path)
    invariants(parsed)
    found = set()
    for chunk in parsed.chunks:
        match = re.search(r"Điều (" + CODE + r")\.", chunk.metadata["heading"])
        if match:
            found.add(match.group(1))
    assert found == expected
    assert found == indexed  # every article the index lists has its own chunks

    text = "\n".join(c.page_content for c in parsed.chunks)
    for furniture in (
        "Đang cập nhật",
        "THÔNG TIN VĂN BẢN",
        "permalink:",
        "layout: page",
        "### 440",
    ):
        assert furniture not in text
    assert strip_index(source) != source
    assert not re.search(r"\S\.Điều " + CODE + r"\.", text)  # no glued heading left in text
    by_code = {c.metadata["heading"].split(". ")[0]: c for c in reversed(parsed.chunks)}
    assert by_code["Điều 44.13.LQ.1"].metadata["section_ref"] == "Điều 1 Luật số 10/2022/QH15"
    assert by_code["Điều 44.13.TT.2.3"].metadata["section_ref"].startswith("Điều 3")
    assert (
        by_code["Điều 44.13.TT.2.3"].metadata["section_ref"].endswith("Thông tư số 67/2019/TT-BCA")
    )
    # The pháp điển index repeated every heading; none of those may become a chunk.
    assert not [
        c for c in parsed.chunks if code.match(c.page_content) and "\n" not in c.page_content
    ]
    texts = Counter(c.page_content for c in parsed.chunks)
    assert max(texts.values()) <= 3  # no heading-only chunk repeated by the index
    assert parsed.info.title == "Thực hiện dân chủ ở cơ sở"


def test_procedure_table_rows_are_self_describing(legal_file, invariants) -> None:
    folder = legal_file(TTHC_1766)
    chunks = []
    for path in sorted(folder.glob("chunk_*.md")):
        parsed = parse_file(path)
        invariants(parsed)
        chunks.extend(parsed.chunks)
    (row,) = [c for c in chunks if "| 2.000815 |" in c.page_content]
    assert row.page_content.startswith("| TT | Mã số TTHC | Tên TTHC | Thời hạn giải quyết")
    assert "Trong ngày" in row.page_content and "2.000843" not in row.page_content
    assert "LĨNH VỰC CHỨNG THỰC (17 TTHC)" in row.metadata["section"]
    # A plain lexical ranking over all of the decision's chunks finds that row first.
    query = set(syllables("thời hạn giải quyết thủ tục 2.000815"))
    best = max(chunks, key=lambda c: len(query & set(syllables(c.page_content))))
    assert best is row


def test_wrong_heading_does_not_become_metadata(legal_file, invariants) -> None:
    path = legal_file(f"{TTHC_1766}/chunk_1.md")
    assert "Khánh Hòa" in path.read_text(encoding="utf-8")  # the hazard is present
    parsed = parse_file(path)
    invariants(parsed)
    info = parsed.info
    assert info.number == "1766/QĐ-UBND"
    assert info.doc_type == "Quyết định"
    assert info.issue_date == "2020-08-03"
    assert "BÌNH THUẬN" in info.issuer
    assert "CÔNG BỐ DANH MỤC THỦ TỤC HÀNH CHÍNH" in info.title
    everything = [info.title, info.issuer, *info.references] + [
        f"{c.metadata['section']} {c.metadata['title']}" for c in parsed.chunks
    ]
    assert not any("Khánh Hòa" in s or "290/2005" in s for s in everything)
    assert any("63/2010/NĐ-CP" in ref for ref in info.references)


def test_large_documents_stay_fast_and_bounded(legal_file) -> None:
    for relative in (
        f"{VLC}/processed/Luat-to-tung-hanh-chinh-2015-298372.txt",
        "phapdien_admin/khoa-hoc-cong-nghe__tieu-chuan-va-quy-chuan-ky-thuat.md",
    ):
        started = time.perf_counter()
        parsed = parse_file(legal_file(relative))
        assert time.perf_counter() - started < 10
        sizes = [len(c.page_content) for c in parsed.chunks]
        assert max(sizes) <= 1200
        assert 300 < len(parsed.chunks) < 3000


@pytest.mark.slow
def test_parse_everything(legal_dir: Path, invariants) -> None:
    files = discover([legal_dir])
    assert len(files) > 60
    started = time.perf_counter()
    chunks = characters = 0
    for path in files:
        parsed = parse_file(path)
        invariants(parsed)
        chunks += len(parsed.chunks)
        characters += sum(len(c.page_content) for c in parsed.chunks)
    elapsed = time.perf_counter() - started
    print(
        f"\n{len(files)} files, {chunks} chunks, {characters} chars in {elapsed:.1f} s "
        f"({chunks / elapsed:.0f} chunks/s, invariants included)"
    )
    assert elapsed < 300
