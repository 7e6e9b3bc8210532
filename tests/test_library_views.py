"""The dimension map (pure, on the real library parsed) and `papi show` / its API twin."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from langchain_core.documents import Document
from typer.testing import CliRunner

from api.app import create_app
from assistant.index.dimension_map import (
    LIFT,
    MIN_SHARE,
    build_dimension_map,
    passage_dimensions,
)
from cli.main import app as cli_app
from ingest import parse_file
from ingest.pipeline import discover
from tests.conftest import CORPUS, PLAN_ID

RECEPTION = """# Quy chế tiếp công dân

Điều 1. Lịch tiếp công dân
Thủ trưởng cơ quan tiếp công dân ít nhất một ngày trong mỗi tháng tại trụ sở tiếp công dân.

Điều 2. Xử lý đơn khiếu nại, tố cáo
Đơn khiếu nại, tố cáo được tiếp nhận, phân loại và chuyển người có thẩm quyền giải quyết
trong thời hạn mười ngày làm việc.
"""
ARCHIVE = """# Quy chế lưu trữ hồ sơ

Điều 1. Thời hạn lưu trữ
Hồ sơ công việc được lưu trữ tại kho của cơ quan trong thời hạn năm năm.

Điều 2. Sao lưu
Dữ liệu trên máy chủ được sao lưu hằng tuần vào ổ đĩa dự phòng đặt tại phòng riêng.
"""


def _chunk(doc_id: str, text: str, dims: str = "") -> Document:
    return Document(page_content=text, metadata={"document_id": doc_id, "dimensions": dims})


def _entry(doc_id: str) -> Any:
    return SimpleNamespace(id=doc_id, title=doc_id)


# -- the rule, on hand-made chunks ----------------------------------------------------


def test_phrases_match_with_or_without_diacritics_and_punctuation() -> None:
    assert passage_dimensions("Giải quyết khiếu nại, tố cáo") == {3}
    assert passage_dimensions("giai quyet KHIEU NAI") == {3}
    assert passage_dimensions("Kê khai tài sản, thu nhập hằng năm") == {4}
    assert passage_dimensions("Hồ sơ được lưu trữ năm năm") == set()
    assert passage_dimensions("tố cáo viên") == {3}
    assert passage_dimensions("tốc độ mạng") == set()  # "to cao" needs word boundaries


def test_a_heading_that_names_a_dimension_maps_the_document() -> None:
    chunks = [_chunk("plan", "Tuyên truyền, phổ biến", "7")] + [
        _chunk("plan", f"Nội dung khác số {i}") for i in range(30)
    ]
    result = build_dimension_map(chunks, [_entry("plan")])
    assert result.dimensions_of("plan") == (7,)
    assert result.documents["plan"].by_heading == {7: 1}


def test_passing_mentions_below_the_floor_do_not_map() -> None:
    texts = ["Tiếp nhận đơn khiếu nại của công dân."] + [f"Quy định chung {i}" for i in range(19)]
    others = [_chunk("other", f"Quy định khác {i}") for i in range(200)]
    chunks = [_chunk("law", t) for t in texts] + others
    result = build_dimension_map(chunks, [_entry("law"), _entry("other")])
    share = result.documents["law"].share(3)
    assert share == pytest.approx(1 / 20) and share < MIN_SHARE
    assert result.dimensions_of("law") == ()


def test_a_phrase_everywhere_needs_the_lift() -> None:
    # Every document mentions "công khai" in half its passages: nobody stands out.
    chunks = []
    for doc in ("a", "b", "c"):
        chunks += [_chunk(doc, "Công khai kết quả.") for _ in range(5)]
        chunks += [_chunk(doc, "Nội dung khác.") for _ in range(5)]
    chunks += [_chunk("d", "Công khai, minh bạch thông tin.") for _ in range(10)]
    result = build_dimension_map(chunks, [_entry(x) for x in "abcd"])
    rate = result.corpus_rate[2]
    assert rate == pytest.approx(25 / 40)
    assert LIFT * rate > 0.5 and result.documents_for(2) == []
    assert result.documents["d"].share(2) == 1.0 < LIFT * rate


def test_chunks_of_unknown_documents_are_ignored() -> None:
    result = build_dimension_map([_chunk("gone", "khiếu nại")], [_entry("law")])
    assert set(result.documents) == {"law"} and result.documents["law"].passages == 0


# -- the rule, on the shipped corpus (parsed only, nothing embedded) ------------------


@pytest.fixture(scope="module")
def shipped_map() -> Any:
    chunks: list[Document] = []
    entries = []
    for path in discover([CORPUS]):
        parsed = parse_file(path)
        chunks += parsed.chunks
        entries.append(_entry(parsed.info.id))
    return build_dimension_map(chunks, entries)


@pytest.mark.parametrize(
    ("document_id", "dimension"),
    [
        ("luat-tiep-cong-dan-2013", 3),
        ("luat-khieu-nai-2011", 3),
        ("luat-to-cao-2018", 3),
        ("luat-phong-chong-tham-nhung-2018", 4),
        ("phap-dien-phong-chong-tham-nhung", 4),
        ("luat-tiep-can-thong-tin-2016", 2),
        ("nghi-dinh-63-2010-nd-cp", 5),
        ("quyet-dinh-1766-qd-ubnd-2020-binh-thuan", 5),
        ("phap-dien-thuc-hien-dan-chu-o-co-so", 1),
    ],
)
def test_laws_map_to_the_dimension_they_govern(
    shipped_map: Any, document_id: str, dimension: int
) -> None:
    assert dimension in shipped_map.dimensions_of(document_id)


def test_the_plan_maps_to_all_eight_dimensions_by_its_headings(shipped_map: Any) -> None:
    plan = shipped_map.documents[PLAN_ID]
    assert plan.dimensions == tuple(range(1, 9))
    assert set(plan.by_heading) == set(range(1, 9))


def test_every_dimension_has_a_governing_document_and_laws_stay_focused(
    shipped_map: Any,
) -> None:
    for number in range(1, 9):
        assert shipped_map.documents_for(number), number
    for doc_id, doc in shipped_map.documents.items():
        if doc_id.startswith("luat-"):
            assert 1 <= len(doc.dimensions) <= 2, (doc_id, doc.dimensions)
    data = shipped_map.as_dict()
    assert [d["number"] for d in data["dimensions"]] == list(range(1, 9))
    assert "max(10%" in data["rule"]


# -- papi show and GET /api/documents/{id}?passages=true ------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory, embeddings: Any) -> Iterator[Any]:
    from assistant.core.composition import build_assistant
    from assistant.core.settings import Settings

    root = tmp_path_factory.mktemp("tiny")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "quy-che-tiep-cong-dan.md").write_text(RECEPTION, encoding="utf-8")
    (corpus / "quy-che-luu-tru.md").write_text(ARCHIVE, encoding="utf-8")
    settings = Settings(data_dir=root / "data", corpus_dir=corpus)
    assistant = build_assistant(settings, embeddings=embeddings)
    assert assistant.ingest().ok
    yield assistant


def _cli(settings: Any, *args: str) -> Any:
    return CliRunner().invoke(cli_app, list(args), obj=settings)


def test_papi_show_json_lists_stored_passages_in_order(tiny: Any) -> None:
    result = _cli(tiny.settings, "show", "quy-che-tiep-cong-dan", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"document", "passages"}
    assert data["document"]["id"] == "quy-che-tiep-cong-dan"
    assert data["document"]["title"] == "Quy chế tiếp công dân"
    stored = tiny.chunks(["quy-che-tiep-cong-dan"])
    assert [p["text"] for p in data["passages"]] == [c.page_content for c in stored]
    assert [p["index"] for p in data["passages"]] == list(range(len(stored)))
    assert all(set(p) == {"index", "section", "text", "page"} for p in data["passages"])
    assert all(p["page"] is None for p in data["passages"])  # Markdown has no pages
    assert any(p["section"].startswith("Điều 2") for p in data["passages"])
    assert "mười ngày làm việc" in " ".join(p["text"] for p in data["passages"])


def test_papi_show_plain_and_unknown(tiny: Any) -> None:
    plain = _cli(tiny.settings, "show", "quy-che-luu-tru")
    assert plain.exit_code == 0, plain.output
    assert "title: Quy chế lưu trữ hồ sơ" in plain.output and "ổ đĩa dự phòng" in plain.output
    missing = _cli(tiny.settings, "show", "khong-co")
    assert missing.exit_code == 1 and "khong-co" in missing.output


def test_papi_documents_shows_the_derived_dimensions(tiny: Any) -> None:
    listed = json.loads(_cli(tiny.settings, "documents", "--json").output)
    dims = {d["id"]: d["dimensions"] for d in listed["documents"]}
    assert dims == {"quy-che-tiep-cong-dan": [3], "quy-che-luu-tru": []}
    assert listed["dimension_rule"]
    plain = _cli(tiny.settings, "documents").output
    assert "chỉ số PAPI: 3" in plain and "chỉ số PAPI: –" in plain


def test_api_document_with_passages_matches_papi_show(tiny: Any) -> None:
    with TestClient(create_app(tiny, ui=False)) as client:
        plain = client.get("/api/documents/quy-che-tiep-cong-dan")
        assert plain.status_code == 200 and plain.json()["id"] == "quy-che-tiep-cong-dan"
        assert "passages" not in plain.json()
        detailed = client.get("/api/documents/quy-che-tiep-cong-dan", params={"passages": "true"})
        assert detailed.status_code == 200
        shown = json.loads(_cli(tiny.settings, "show", "quy-che-tiep-cong-dan", "--json").output)
        assert detailed.json() == shown
        missing = client.get("/api/documents/khong-co", params={"passages": "true"})
        assert missing.status_code == 404
        dims = client.get("/api/dimensions").json()
        assert [d["number"] for d in dims["dimensions"]] == list(range(1, 9))
        third = dims["dimensions"][2]
        assert [d["id"] for d in third["documents"]] == ["quy-che-tiep-cong-dan"]
        assert third["documents"][0]["share"] == 1.0 and dims["rule"]


def test_dimension_map_is_rebuilt_after_a_change(tiny: Any, tmp_path: Path) -> None:
    first = tiny.dimension_map()
    assert tiny.dimension_map() is first  # cached while nothing changed
    extra = tmp_path / "ke-khai.md"
    extra.write_text(
        "# Hướng dẫn kê khai\n\nĐiều 1. Kê khai tài sản, thu nhập\n"
        "Người có chức vụ kê khai tài sản, thu nhập hằng năm trước ngày 31 tháng 12.\n",
        encoding="utf-8",
    )
    try:
        assert tiny.ingest([extra]).ok
        assert tiny.dimension_map().dimensions_of("ke-khai") == (4,)
    finally:
        tiny.remove("ke-khai")
    assert "ke-khai" not in tiny.dimension_map().documents


def test_papi_eval_runs_selected_sets_per_split(tiny: Any, tmp_path: Path) -> None:
    """`papi eval --sets` on a two-document corpus: the library and unanswerable scorers
    report both halves, and a second run reuses the kept --workdir."""
    library = tmp_path / "lib.jsonl"
    rows = [
        {
            "id": "t-1",
            "split": "tune",
            "question": "Thủ trưởng cơ quan tiếp công dân bao lâu một lần?",
            "document_id": "quy-che-tiep-cong-dan",
            "section_ref": "Điều 1",
            "fact": "ít nhất một ngày",
        },
        {
            "id": "h-1",
            "split": "heldout",
            "question": "du lieu may chu duoc sao luu khi nao",
            "document_id": "quy-che-luu-tru",
            "section_ref": "Điều 2",
            "fact": "hằng tuần",
        },
    ]
    library.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    unanswerable = tmp_path / "u.jsonl"
    unanswerable.write_text(
        json.dumps({"id": "u-1", "split": "heldout", "question": "Kinh phí năm 2024 là bao nhiêu?"})
        + "\n",
        "utf-8",
    )
    out = tmp_path / "results.json"
    args = [
        "eval",
        "--sets",
        "library,unanswerable",
        "--systems",
        "bm25_only",
        "--library",
        str(library),
        "--unanswerable",
        str(unanswerable),
        "--out",
        str(out),
        "--workdir",
        str(tmp_path / "work"),
    ]
    for _ in range(2):
        result = _cli(tiny.settings, *args)
        assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["sets"] == ["library", "unanswerable"] and data["systems"] == ["bm25_only"]
    retrieval = data["library"]["bm25_only"]
    assert retrieval["tune"]["all"]["n"] == 2 and retrieval["heldout"]["all"]["n"] == 2
    assert retrieval["tune"]["all"]["recall@5"] == 1.0
    assert retrieval["heldout"]["all"]["recall@5"] == 1.0
    assert set(data["library"]["answers"]) == {"tune", "heldout"}
    assert data["unanswerable"]["heldout"]["questions"] == 2
    assert data["unanswerable"]["tune"]["questions"] == 0
    assert "heldout" in result.output and "honest" in result.output
    bad = _cli(tiny.settings, "eval", "--sets", "plan,nope")
    assert bad.exit_code == 2 and "nope" in bad.output


def test_plan_retrieval_is_also_scored_on_the_core_corpus_alone(
    tmp_path: Path, embeddings: Any
) -> None:
    """The plan retrieval goal was set before the library shipped: `papi eval` scores the
    same retriever on the top-level documents of the corpus alone, library/ left out."""
    from assistant.core.settings import Settings
    from evaluation.suite import _core_assistant

    corpus = tmp_path / "corpus"
    (corpus / "library").mkdir(parents=True)
    (corpus / "quy-che-tiep-cong-dan.md").write_text(RECEPTION, encoding="utf-8")
    (corpus / "library" / "quy-che-luu-tru.md").write_text(ARCHIVE, encoding="utf-8")
    (corpus / "ghi-chu.bak").write_text("not a document", encoding="utf-8")
    core = _core_assistant(Settings(corpus_dir=corpus), embeddings, tmp_path / "work")
    assert [d.id for d in core.documents()] == ["quy-che-tiep-cong-dan"]
    assert _core_assistant(Settings(corpus_dir=tmp_path / "none"), embeddings, tmp_path) is None


def test_a_dimension_filter_finds_the_documents_that_govern_it(tiny: Any) -> None:
    # No heading of the reception rules names dimension 3, yet the map says they govern it:
    # filtering by dimension 3 must find their passages (lexically and densely).
    assert not any("3" in str(c.metadata.get("dimensions", "")) for c in tiny.chunks())
    hits = tiny.search("tiếp công dân", 5, {"dimensions": [3]})
    assert hits and {h.document_id for h in hits} == {"quy-che-tiep-cong-dan"}
    filtered = tiny.search("lưu trữ hồ sơ", 5, {"dimensions": [3]})
    assert all(h.document_id != "quy-che-luu-tru" for h in filtered)


def test_the_dimension_map_reads_the_evidence_the_snapshot_computed(
    corpus_assistant: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.index.dimension_map as dimension_map

    expected = dimension_map.build_dimension_map(
        corpus_assistant.chunks(), corpus_assistant.documents()
    ).as_dict()
    corpus_assistant._dimension_map = None  # force a rebuild from the current snapshot

    def no_rereading(chunk: Any) -> set[int]:
        raise AssertionError("the map re-read a passage the snapshot had already read")

    monkeypatch.setattr(dimension_map, "addressed_dimensions", no_rereading)
    assert corpus_assistant.dimension_map().as_dict() == expected
