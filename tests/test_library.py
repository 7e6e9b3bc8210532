"""The shipped legal library (corpus/library): provenance, parsing, one real ingest.

Everything but the last test is parse-only (no embedding), so the megabytes of law stay
out of the slow path; the real ingest takes two small library files.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from ingest import ParsedDocument, parse_file
from ingest.pipeline import discover
from tests.conftest import CORPUS, LIBRARY, REPO, shared_path

PROVENANCE = LIBRARY / "PROVENANCE.md"
_ROW = re.compile(r"^\| `([^`]+)` \| [\d,]+ \| `([^`]+)` \| [^|]+ \| `([0-9a-f]{64})` \| [^|]+ \|$")
_ARTICLE = re.compile(r"^Điều (\d+[a-z]?)\b")
_ARTICLE_HEADING = re.compile(r"(?m)^\s*Điều (\d+[a-z]?)\.")
_PHAPDIEN_CODE = re.compile(r"^Điều \d+\.\d+\.[A-Z]+\.")

# What each document's own text states (ingest must extract it; nothing else is claimed).
STATED = {
    "luat-tiep-cong-dan-2013": ("Luật", "42/2013/QH13", "QUỐC HỘI", "2013-11-25"),
    "luat-khieu-nai-2011": ("Luật", "02/2011/QH13", "QUỐC HỘI", "2011-11-11"),
    "luat-to-cao-2018": ("Luật", "25/2018/QH14", "QUỐC HỘI", "2018-06-12"),
    "luat-phong-chong-tham-nhung-2018": ("Luật", "36/2018/QH14", "QUỐC HỘI", "2018-11-20"),
    "luat-tiep-can-thong-tin-2016": ("Luật", "104/2016/QH13", "QUỐC HỘI", "2016-04-06"),
    "nghi-dinh-63-2010-nd-cp": ("Nghị định", "63/2010/NĐ-CP", "CHÍNH PHỦ", "2010-06-08"),
    "nghi-dinh-48-2013-nd-cp": ("Nghị định", "48/2013/NĐ-CP", "CHÍNH PHỦ", "2013-05-14"),
    "quyet-dinh-1766-qd-ubnd-2020-binh-thuan": (
        "Quyết định",
        "1766/QĐ-UBND",
        "ỦY BAN NHÂN DÂN TỈNH BÌNH THUẬN",
        "2020-08-03",
    ),
}
PHAPDIEN_TITLES = {
    "phap-dien-thuc-hien-dan-chu-o-co-so": "Thực hiện dân chủ ở cơ sở",
    "phap-dien-kiem-soat-thu-tuc-hanh-chinh": "Kiểm soát thủ tục hành chính",
    "phap-dien-tiep-nhan-xu-ly-phan-anh-kien-nghi": (
        "Tiếp nhận, xử lý phản ánh, kiến nghị của cá nhân, tổ chức về quy định hành chính"
    ),
    "phap-dien-phong-chong-tham-nhung": "Phòng, chống tham nhũng",
    "phap-dien-tiep-cong-dan": "Tiếp công dân",
    "phap-dien-tiep-can-thong-tin": "Tiếp cận thông tin",
    "phap-dien-cong-tac-van-thu": "Công tác văn thư",
}


def _shipped() -> list[Path]:
    return sorted(p for p in LIBRARY.iterdir() if p.is_file() and p.name != "PROVENANCE.md")


def _provenance_rows() -> dict[str, tuple[str, str]]:
    rows = {}
    for line in PROVENANCE.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match:
            rows[match.group(1)] = (match.group(2), match.group(3))
    return rows


@cache
def _parsed(name: str) -> ParsedDocument:
    return parse_file(LIBRARY / name)


def test_provenance_lists_every_shipped_file_with_its_sha256() -> None:
    rows = _provenance_rows()
    shipped = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in _shipped()}
    assert set(rows) == set(shipped)
    for name, digest in shipped.items():
        assert rows[name][1] == digest, name


def test_library_is_a_reasonable_size() -> None:
    total = sum(p.stat().st_size for p in _shipped())
    assert len(_shipped()) == len(STATED) + len(PHAPDIEN_TITLES)
    assert total <= 3 * 1024 * 1024, total  # embedded on first start


def test_rebuilding_from_shared_data_gives_the_same_bytes() -> None:
    legal = shared_path("data", "legal")
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_library", REPO / "scripts/build_library.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    files, provenance = module.build(legal)
    assert set(files) == {p.name for p in _shipped()}
    for name, data in files.items():
        assert (LIBRARY / name).read_bytes() == data, name
    assert PROVENANCE.read_text(encoding="utf-8") == provenance
    # Byte-for-byte copies really are the source files.
    for name, (source, _digest) in _provenance_rows().items():
        if (legal / source).is_file():
            assert (legal / source).read_bytes() == (LIBRARY / name).read_bytes(), name


def test_provenance_files_are_not_ingested() -> None:
    found = discover([CORPUS])
    assert PROVENANCE not in found
    assert not any(p.stem.lower() == "provenance" for p in found)
    assert set(_shipped()) <= set(found)  # the library is under corpus/, found recursively


@pytest.mark.parametrize("name", [p.name for p in _shipped()])
def test_every_library_file_parses_into_articles_with_content(name: str) -> None:
    from assistant.core.settings import Settings

    parsed = _parsed(name)
    assert unicodedata.is_normalized("NFC", parsed.text)
    chunks = parsed.chunks
    assert 0 < len(chunks) <= Settings.model_fields["max_document_chunks"].default
    refs = [c.metadata["section_ref"] for c in chunks]
    articles = {m.group(1) for r in refs if (m := _ARTICLE.match(r))}
    assert articles, "no article detected"
    if parsed.info.id in PHAPDIEN_TITLES:
        # Citations name the original instrument and article, not the pháp điển code.
        cited = [r for r in refs if r.startswith("Điều")]
        assert len(cited) >= 0.95 * len(chunks)
        assert all(" số " in r and not _PHAPDIEN_CODE.match(r) for r in cited)
    else:
        assert articles == set(_ARTICLE_HEADING.findall(parsed.text))
    for chunk in chunks:
        body = chunk.page_content.replace(chunk.metadata["heading"], "")
        words = re.findall(r"\w{2,}", body)
        assert len(words) >= 3, f"content-free chunk: {chunk.page_content[:120]!r}"


@pytest.mark.parametrize("document_id", sorted(STATED))
def test_library_metadata_is_what_the_text_states(document_id: str) -> None:
    path = next(p for p in _shipped() if p.stem == document_id)
    info = parse_file(path).info
    assert (info.doc_type, info.number, info.issuer, info.issue_date) == STATED[document_id]
    assert info.status == "in_force" and info.superseded_by == ""


@pytest.mark.parametrize("document_id", sorted(PHAPDIEN_TITLES))
def test_phapdien_topics_keep_their_title_and_invent_no_number(document_id: str) -> None:
    info = _parsed(f"{document_id}.md").info
    assert info.title == PHAPDIEN_TITLES[document_id]
    assert (info.number, info.issuer, info.issue_date) == ("", "", "")


def test_amended_and_foreign_documents_say_so_in_notes() -> None:
    assert "48/2013/NĐ-CP" in _parsed("nghi-dinh-63-2010-nd-cp.md").info.notes
    assert "Bình Thuận" in _parsed("quyet-dinh-1766-qd-ubnd-2020-binh-thuan.md").info.notes
    text = _parsed("quyet-dinh-1766-qd-ubnd-2020-binh-thuan.md").text
    assert "Khánh Hòa" not in text and "1766_2020" not in text  # author headings removed


def test_two_library_files_through_the_real_ingest(tmp_path: Path, make_assistant: Any) -> None:
    folder = tmp_path / "library"
    folder.mkdir()
    for name in ("nghi-dinh-48-2013-nd-cp.md", "quyet-dinh-1766-qd-ubnd-2020-binh-thuan.md"):
        shutil.copyfile(LIBRARY / name, folder / name)
    shutil.copyfile(PROVENANCE, folder / "PROVENANCE.md")
    assistant = make_assistant(corpus_dir=folder)
    report = assistant.ingest()
    assert report.ok, report.failed
    docs = {d.id: d for d in assistant.documents()}
    assert set(docs) == {"nghi-dinh-48-2013-nd-cp", "quyet-dinh-1766-qd-ubnd-2020-binh-thuan"}
    decision = docs["quyet-dinh-1766-qd-ubnd-2020-binh-thuan"]
    assert (decision.doc_type, decision.number, decision.issue_date) == (
        "Quyết định",
        "1766/QĐ-UBND",
        "2020-08-03",
    )
    assert decision.status == "in_force" and "Bình Thuận" in decision.notes
    chunks = assistant.chunks(["quyet-dinh-1766-qd-ubnd-2020-binh-thuan"])
    assert [c.metadata["chunk_index"] for c in chunks] == list(range(decision.chunks))
    assert "Điều 1" in {c.metadata["section_ref"] for c in chunks}
    hits = assistant.search("thời hạn giải quyết thủ tục 2.000815", k=3)
    assert hits and "2.000815" in hits[0].text
    decree = [c.metadata["section_ref"] for c in assistant.chunks(["nghi-dinh-48-2013-nd-cp"])]
    assert {"Điều 1", "Điều 2", "Điều 5"} <= {r.split(" khoản")[0] for r in decree}
