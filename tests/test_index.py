"""The index on real embedded Chroma: idempotent ingest, replacement, removal, hybrid search."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pytest
from langchain_core.embeddings import Embeddings

from assistant.core.composition import build_assistant
from assistant.core.settings import Settings
from tests.conftest import PLAN_ID, copy_core_corpus, store_chunks


class CountingEmbeddings(Embeddings):
    """The real model, counting how many passages it was asked to embed."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.passages = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.passages += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


NOTE_V1 = """Quyết định về công tác văn thư

Điều 1. Phạm vi
Quy định này áp dụng cho phòng Hành chính và Tổng hợp.

Điều 2. Thời hạn lưu trữ
Hồ sơ được lưu trữ trong thời hạn năm năm kể từ ngày kết thúc công việc.
"""

NOTE_V2 = NOTE_V1.replace("năm năm", "mười năm").replace("Điều 2.", "Điều 2.\u00a0")


def _make(tmp_path: Path, embeddings: Embeddings) -> Any:
    settings = Settings(
        data_dir=tmp_path / "data", corpus_dir=copy_core_corpus(tmp_path / "corpus")
    )
    return build_assistant(settings, embeddings=embeddings)


def test_reingest_of_unchanged_files_embeds_nothing(tmp_path: Path, embeddings: Embeddings) -> None:
    counting = CountingEmbeddings(embeddings)
    assistant = _make(tmp_path, counting)
    first = assistant.ingest()
    assert first.ok and first.counts()["added"] == 2
    assert counting.passages > 0
    counting.passages = 0
    again = _make(tmp_path, counting).ingest()  # a new process over the same store
    assert again.counts() == {"added": 0, "unchanged": 2, "replaced": 0, "failed": 0}
    assert counting.passages == 0


def test_changed_file_replaces_its_chunks(tmp_path: Path, embeddings: Embeddings) -> None:
    counting = CountingEmbeddings(embeddings)
    assistant = _make(tmp_path, counting)
    doc = tmp_path / "van-thu.txt"
    doc.write_text(NOTE_V1, encoding="utf-8")
    assert assistant.ingest([doc]).counts()["added"] == 1
    before = {c.id for c in assistant.chunks(["van-thu"])}

    doc.write_text(NOTE_V2, encoding="utf-8")
    counting.passages = 0
    report = assistant.ingest([doc])
    assert report.counts()["replaced"] == 1
    after = {c.id for c in assistant.chunks(["van-thu"])}
    assert after != before
    # Only the changed passage was embedded again; unchanged ones kept their ids.
    assert counting.passages == len(after - before) >= 1
    texts = " ".join(c.page_content for c in assistant.chunks(["van-thu"]))
    assert "mười năm" in texts and "năm năm" not in texts
    hits = assistant.search("thời hạn lưu trữ hồ sơ năm năm", k=10)
    assert all("năm năm kể từ" not in h.text for h in hits)
    # No stale chunk survives in Chroma itself.
    store = assistant._index._store
    listed = {cid for e in store.entries().values() for cid in e.chunk_ids}
    assert set(store.all_chunk_ids()) == listed


def test_removed_document_disappears(tmp_path: Path, embeddings: Embeddings) -> None:
    assistant = _make(tmp_path, embeddings)
    doc = tmp_path / "van-thu.txt"
    doc.write_text(NOTE_V1, encoding="utf-8")
    assistant.ingest([doc])
    assert any(h.document_id == "van-thu" for h in assistant.search("thời hạn lưu trữ hồ sơ"))
    assert assistant.remove("van-thu")
    assert not assistant.remove("van-thu")
    assert all(h.document_id != "van-thu" for h in assistant.search("thời hạn lưu trữ hồ sơ", k=20))
    assert "van-thu" not in {d.id for d in assistant.documents()}
    store = assistant._index._store
    assert not [c for c in store.all_chunk_ids() if c.startswith("van-thu:")]


def test_manifest_describes_each_document(corpus_assistant: Any) -> None:
    docs = {d.id: d for d in corpus_assistant.documents()}
    plan = docs[PLAN_ID]
    assert plan.doc_type == "Kế hoạch"
    assert plan.number == ""  # the scan does not show it: never invented
    assert plan.issuer.startswith("Ban Quản lý các Khu kinh tế")
    assert plan.issue_date.startswith("2023")
    assert any("3212/KH-UBND" in r for r in plan.references)
    assert len(plan.sha256) == 64 and plan.chunks == len(plan.chunk_ids) > 10
    assert plan.ingested_at and plan.source.endswith(".md")
    note = docs["papi-tai-lieu-tham-khao"]
    assert note.doc_type == "Tài liệu tham khảo" and note.status == "reference"
    public = plan.public()
    assert "chunk_ids" not in public and public["id"] == PLAN_ID


def test_chunks_carry_section_paths_and_dimensions(corpus_assistant: Any) -> None:
    chunks = corpus_assistant.chunks([PLAN_ID])
    corruption = [c for c in chunks if "kê khai tài sản" in c.page_content]
    assert corruption
    meta = corruption[0].metadata
    assert "Kiểm soát tham nhũng trong khu vực công" in meta["section"]
    assert "›" in meta["section"]
    assert meta["dimensions"] == "4" and meta["dim_4"] is True
    assert all(len(c.page_content) <= 1500 for c in chunks)


@pytest.mark.parametrize(
    ("accented", "expected"),
    [
        ("Hạn chót báo cáo kết quả thực hiện kế hoạch PAPI", "15 tháng 12 năm 2023"),
        ("kê khai tài sản thu nhập của công chức", "kê khai tài sản"),
        ("xin lỗi khi trễ hẹn giải quyết thủ tục hành chính", "3200/QĐ-UBND"),
        ("tiêu chuẩn ISO quản lý chất lượng", "TCVN ISO 9001:2015"),
    ],
)
def test_queries_with_and_without_diacritics_find_the_same_passage(
    corpus_assistant: Any, accented: str, expected: str
) -> None:
    from vntext.normalize import fold

    for query in (accented, fold(accented), unicodedata.normalize("NFD", accented)):
        top = corpus_assistant.search(query, k=3)
        assert any(expected in h.text for h in top), (query, [h.text[:60] for h in top])


def test_filters_by_document_and_dimension(corpus_assistant: Any) -> None:
    hits = corpus_assistant.search("PAPI", k=10, filters={"documents": ["papi-tai-lieu-tham-khao"]})
    assert hits and {h.document_id for h in hits} == {"papi-tai-lieu-tham-khao"}
    hits = corpus_assistant.search("tuyên truyền", k=10, filters={"dimensions": [8]})
    assert hits
    assert all("8" in h.metadata["dimensions"].split(",") for h in hits)


def test_search_hits_are_stored_text(corpus_assistant: Any) -> None:
    stored = {c.id: c.page_content for c in corpus_assistant.chunks()}
    for hit in corpus_assistant.search("công khai thủ tục hành chính", k=5):
        assert stored[hit.chunk_id] == hit.text
        assert hit.as_dict().keys() >= {
            "rank",
            "score",
            "text",
            "document_id",
            "title",
            "number",
            "section",
        }


def test_orphan_chunks_left_by_a_crash_are_never_shown_and_are_cleaned(
    tmp_path: Path, embeddings: Embeddings
) -> None:
    from langchain_core.documents import Document

    assistant = _make(tmp_path, embeddings)
    doc = tmp_path / "van-thu.txt"
    doc.write_text(NOTE_V1, encoding="utf-8")
    assistant.ingest([doc])
    store = assistant._index._store
    # Simulate a crash after step 1 of a replacement: new chunks stored, manifest not switched.
    orphan = Document(
        id="van-thu:orphan",
        page_content="Hồ sơ được lưu trữ vĩnh viễn tại kho lưu trữ chuyên dụng.",
        metadata={"document_id": "van-thu", "chunk_index": 99, "section": "", "title": ""},
    )
    store_chunks(store, embeddings, [orphan])
    hits = assistant.search("lưu trữ vĩnh viễn kho chuyên dụng", k=10)
    assert all(h.chunk_id != "van-thu:orphan" for h in hits)
    reopened = _make(tmp_path, embeddings)  # start-up reconciles
    assert "van-thu:orphan" not in reopened._index._store.all_chunk_ids()
    assert reopened.documents()[0].id == "van-thu"


def test_status_survives_reingest(tmp_path: Path, embeddings: Embeddings) -> None:
    assistant = _make(tmp_path, embeddings)
    doc = tmp_path / "van-thu.txt"
    doc.write_text(NOTE_V1, encoding="utf-8")
    assistant.ingest([doc])
    assistant.set_status("van-thu", "superseded", "Quyết định 99/QĐ-UBND")
    doc.write_text(NOTE_V2, encoding="utf-8")
    assistant.ingest([doc])
    entry = assistant.document("van-thu")
    assert entry.status == "superseded" and entry.superseded_by == "Quyết định 99/QĐ-UBND"
    with pytest.raises(ValueError):
        assistant.set_status("van-thu", "maybe")


def test_same_file_names_in_different_folders_are_different_documents(
    tmp_path: Path, embeddings: Embeddings
) -> None:
    assistant = _make(tmp_path, embeddings)
    for folder, topic in (("quyet-dinh-a", "văn thư"), ("quyet-dinh-b", "lưu trữ")):
        (tmp_path / "src" / folder).mkdir(parents=True)
        (tmp_path / "src" / folder / "chunk_1.md").write_text(
            f"Điều 1. Phạm vi\nQuy định về công tác {topic} của cơ quan.\n", encoding="utf-8"
        )
    report = assistant.ingest([tmp_path / "src"])
    assert report.counts()["added"] == 2
    assert {d.id for d in assistant.documents()} == {"quyet-dinh-a-chunk-1", "quyet-dinh-b-chunk-1"}


def test_hybrid_search_is_a_langchain_retriever(corpus_assistant: Any) -> None:
    from langchain_core.retrievers import BaseRetriever

    retriever = corpus_assistant.retriever(k=3, filters={"dimensions": [4]})
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("ke khai tai san thu nhap")
    assert 1 <= len(docs) <= 3
    assert "kê khai tài sản" in docs[0].page_content
    assert docs[0].metadata["rank"] == 1 and docs[0].metadata["dim_4"] is True
    assert [d.page_content for d in docs] == [
        h.text for h in corpus_assistant.search("ke khai tai san thu nhap", 3, {"dimensions": [4]})
    ]


def test_chunk_collection_is_built_with_a_wide_hnsw_graph(tmp_path: Path) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from assistant.storage.chroma import EF_SEARCH, HNSW, ChromaStore

    client = chromadb.PersistentClient(
        path=str(tmp_path / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    store = ChromaStore(client, "papi", "sig")
    hnsw = store.chunks.configuration_json["hnsw"]
    assert {k: hnsw[k] for k in HNSW} == HNSW
    assert hnsw["ef_search"] == EF_SEARCH > 100  # Chroma's default lost exact neighbours


def test_an_older_collection_gets_the_wider_search_when_opened(tmp_path: Path) -> None:
    # An index built before the HNSW settings keeps its graph, but its search breadth is
    # raised (persisted), so it finds nearly every exact neighbour too.
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from assistant.storage.chroma import EF_SEARCH, ChromaStore

    path = str(tmp_path / "chroma")
    settings = ChromaSettings(anonymized_telemetry=False)
    old = chromadb.PersistentClient(path=path, settings=settings)
    old.create_collection(
        "papi_chunks", configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
    )
    assert old.get_collection("papi_chunks").configuration_json["hnsw"]["ef_search"] == 100
    ChromaStore(old, "papi", "sig")
    again = chromadb.PersistentClient(path=path, settings=settings)
    hnsw = again.get_collection("papi_chunks").configuration_json["hnsw"]
    assert hnsw["ef_search"] == EF_SEARCH
    assert hnsw["max_neighbors"] == 16  # the graph itself is as it was built
