"""Issue 13 defects: one snapshot per version, revisions, the generation token, the lease.

Each test here failed on the code before the snapshot redesign (stale passages after a
revision, an answer mixing two versions, a reconcile that never bumped the token, a
lease renewed without fencing, liveness by hostname+pid only, parsing under the lease).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from assistant.core.composition import build_assistant
from assistant.core.settings import Settings
from assistant.storage import LeaseLost
from assistant.storage.lease import Holder, machine_identity
from tests.conftest import plant_dead_holder, store_chunks

DOC_V1 = """# Quyết định ban hành Quy chế công tác văn thư

Điều 1. Phạm vi điều chỉnh
Quy chế này quy định công tác văn thư của Phòng Hành chính và Tổng hợp.

Điều 2. Lưu trữ hồ sơ
Hồ sơ điện tử được sao lưu hằng tuần vào máy chủ dự phòng của cơ quan.
"""

# The revision: a new title and an article inserted before the unchanged Điều 2 text.
DOC_V2 = """# Quyết định sửa đổi Quy chế công tác văn thư và lưu trữ

Điều 1. Phạm vi điều chỉnh
Quy chế này quy định công tác văn thư của Phòng Hành chính và Tổng hợp.

Điều 2. Chữ ký số
Văn bản điện tử được ký số bằng chứng thư số của cơ quan trước khi phát hành.

Điều 3. Lưu trữ hồ sơ
Hồ sơ điện tử được sao lưu hằng tuần vào máy chủ dự phòng của cơ quan.
"""


def _assistant(tmp_path: Path, embeddings: Embeddings, **overrides: Any) -> Any:
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path / "corpus", **overrides)
    return build_assistant(settings, embeddings=embeddings)


def test_a_revision_replaces_the_title_and_order_of_unchanged_passages(
    tmp_path: Path, embeddings: Embeddings
) -> None:
    assistant = _assistant(tmp_path, embeddings)
    doc = tmp_path / "van-thu.md"
    doc.write_text(DOC_V1, encoding="utf-8")
    assistant.ingest([doc])
    doc.write_text(DOC_V2, encoding="utf-8")
    assert assistant.ingest([doc]).counts()["replaced"] == 1

    hits = assistant.search("sao lưu hồ sơ điện tử máy chủ dự phòng", 3)
    assert hits and "sao lưu hằng tuần" in hits[0].text
    # The unchanged passage carries the revised title and its new place (after Điều 2).
    assert hits[0].title == "Quyết định sửa đổi Quy chế công tác văn thư và lưu trữ"
    passages = assistant.chunks(["van-thu"])
    assert [c.metadata["chunk_index"] for c in passages] == list(range(len(passages)))
    assert "sao lưu hằng tuần" in passages[-1].page_content
    assert all(c.metadata["title"].startswith("Quyết định sửa đổi") for c in passages)
    # The same holds in a new process reading the store (no stale metadata stored).
    reopened = _assistant(tmp_path, embeddings)
    assert reopened.search("sao lưu hồ sơ điện tử", 1)[0].title.startswith("Quyết định sửa đổi")
    stored = reopened._index._store.load_chunks(list(reopened.documents()[0].chunk_ids))
    assert {c.metadata["title"] for c in stored} == {
        "Quyết định sửa đổi Quy chế công tác văn thư và lưu trữ"
    }


def test_a_revision_reuses_the_vectors_of_unchanged_text(
    tmp_path: Path, embeddings: Embeddings
) -> None:
    from tests.test_index import CountingEmbeddings

    counting = CountingEmbeddings(embeddings)
    assistant = _assistant(tmp_path, counting)
    doc = tmp_path / "van-thu.md"
    doc.write_text(DOC_V1, encoding="utf-8")
    assistant.ingest([doc])
    # Same text and title, one article appended: earlier passages move nowhere, the
    # appended one is new; nothing already embedded is embedded again.
    doc.write_text(DOC_V1 + "\nĐiều 3. Hiệu lực\nQuy chế có hiệu lực từ ngày ký.\n", "utf-8")
    counting.passages = 0
    assert assistant.ingest([doc]).counts()["replaced"] == 1
    assert counting.passages == 1


def test_an_answer_uses_exactly_the_snapshot_it_was_given(
    tmp_path: Path, embeddings: Embeddings
) -> None:
    assistant = _assistant(tmp_path, embeddings)
    doc = tmp_path / "van-thu.md"
    doc.write_text(DOC_V1, encoding="utf-8")
    assistant.ingest([doc])
    old = assistant._index.snapshot()
    doc.write_text(DOC_V2.replace("hằng tuần", "hằng ngày"), encoding="utf-8")
    assistant.ingest([doc])
    assert assistant._index.snapshot() is not old

    # Gathered in the old snapshot: every scored passage and the statistics are the old
    # version's, although the index has moved on.
    evidence = assistant._answerer.gather("hồ sơ điện tử sao lưu khi nào?", [], _no_filters(), old)
    assert evidence.scored
    assert all(s.hit.chunk_id in old.chunks for s in evidence.scored)
    assert all("hằng ngày" not in s.hit.text for s in evidence.scored)
    assert evidence.stats.snapshot is old
    # And the search the answer ran is pinned to that snapshot too.
    hits = assistant._index.search("sao lưu hồ sơ", 5, snapshot=old)
    assert hits and all(h.chunk_id in old.chunks for h in hits)


def _no_filters() -> Any:
    from assistant.index import SearchFilters

    return SearchFilters()


def test_reconcile_bumps_the_generation_token(tmp_path: Path, embeddings: Embeddings) -> None:
    assistant = _assistant(tmp_path, embeddings)
    doc = tmp_path / "van-thu.md"
    doc.write_text(DOC_V1, encoding="utf-8")
    assistant.ingest([doc])
    store = assistant._index._store
    before = store.generation()
    orphan = Document(
        id="van-thu:orphan",
        page_content="Phiên bản dở dang của một tiến trình ghi đã chết.",
        metadata={"document_id": "van-thu", "chunk_index": 9},
    )
    store_chunks(store, embeddings, [orphan])
    plant_dead_holder(store)
    # The next writer takes the dead holder's lease over and reconciles: readers elsewhere
    # must learn that chunks were deleted, so the token changes.
    assistant.set_status("van-thu", "reference")
    assert orphan.id not in store.all_chunk_ids()
    after_status = store.generation()
    assert after_status != before
    # A start-up reconcile that deletes leftovers bumps it too.
    store_chunks(store, embeddings, [orphan])
    token = store.generation()
    _assistant(tmp_path, embeddings)
    assert orphan.id not in store.all_chunk_ids()
    assert store.generation() != token


def test_a_writer_whose_lease_was_taken_over_is_fenced_off(
    tmp_path: Path, embeddings: Embeddings
) -> None:
    assistant = _assistant(tmp_path, embeddings)
    lease = assistant._index._store.lease
    mine, _ = lease.try_acquire("slow-writer", 0.01)
    assert mine is not None
    time.sleep(0.05)
    # Seen from another machine the slow writer's lease has expired: it is taken over.
    foreign = Holder(**{**mine.__dict__, "host": "another-host"})
    lease._collection.upsert(
        ids=[f"__lease__:{mine.epoch}"],
        documents=[foreign.to_json()],
        metadatas=[{"kind": "lease", "epoch": mine.epoch, "owner": "slow-writer"}],
        embeddings=[[0.0]],
    )
    theirs, took_over = lease.try_acquire("new-writer", 60)
    assert theirs is not None and took_over and theirs.epoch == mine.epoch + 1
    with pytest.raises(LeaseLost):
        lease.check(mine)  # fencing: the old holder may not switch a manifest record
    with pytest.raises(LeaseLost):
        lease.renew(mine, 60)  # nor extend a lease it no longer holds
    assert lease.current() == theirs
    lease.release("new-writer")
    assert lease.current() is None


def test_liveness_is_judged_by_the_process_table_only_in_our_own_pid_namespace() -> None:
    me = machine_identity()
    dead_here = Holder(1, "x", **me, pid=2**22 + 7, started=1.0, expires=time.time() + 600)
    assert not dead_here.alive()  # our machine, our namespace: the process is gone
    # Same hostname, another container (pid namespace): the pid means nothing here, so
    # only the expiry decides (not yet expired: alive; expired: dead).
    other_ns = Holder(**{**dead_here.__dict__, "pid_ns": "pid:[1]"})
    assert other_ns.alive()
    assert not Holder(**{**other_ns.__dict__, "expires": time.time() - 1}).alive()


def test_parsing_and_embedding_run_without_the_writer_lease(
    tmp_path: Path, embeddings: Embeddings
) -> None:
    seen: list[object] = []

    class Watching(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            seen.append(store.writer())
            return embeddings.embed_documents(texts)

        def embed_query(self, text: str) -> list[float]:
            return embeddings.embed_query(text)

    assistant = _assistant(tmp_path, Watching())
    store = assistant._index._store
    doc = tmp_path / "van-thu.md"
    doc.write_text(DOC_V1, encoding="utf-8")
    assert assistant.ingest([doc]).counts()["added"] == 1
    assert seen and all(holder is None for holder in seen)
    assert store.writer() is None


def test_term_statistics_count_only_the_live_version(
    tmp_path: Path, embeddings: Embeddings
) -> None:
    assistant = _assistant(tmp_path, embeddings)
    docs = []
    for n in range(1, 12):
        doc = tmp_path / f"quy-che-{n}.md"
        doc.write_text(
            f"# Quy chế lưu trữ số {n}\n\nĐiều 1. Lưu trữ hồ sơ\nHồ sơ đơn vị {n} được lưu trữ.\n",
            encoding="utf-8",
        )
        docs.append(doc)
    assert assistant.ingest(docs).ok
    # One document revised: its first version's rows stay behind until compaction;
    # neither BM25 nor the answer statistics may count them (idf would shrink, even turn
    # negative).
    docs[0].write_text(docs[0].read_text(encoding="utf-8") + "Hồ sơ được số hóa.\n", "utf-8")
    assert assistant.ingest(docs[:1]).counts()["replaced"] == 1
    view = assistant._index.snapshot()
    assert view.dead_share > 0
    for term in ("luu_tru", "ho_so", "quy_che"):
        assert view.df(term) == sum(term in view.chunk_terms[cid] for cid in view.order)


# Two documents that write the same pairs: "Bản Có" once capitalised here and twice in
# lower case there (so no name over both), "trung ương" in both (one different word
# before "ương", not two).
SHARED_A = """# Quy chế phối hợp của Ban Quản lý

Điều 1. Phối hợp
Ban Quản lý phối hợp với cơ quan trung ương. Bản Có hiệu lực kèm theo.
"""
SHARED_B = """# Quy chế tiếp nhận hồ sơ

Điều 1. Tiếp nhận
Văn bản có hiệu lực thì văn bản có giá trị; báo cáo gửi trung ương và Ban Quản lý.
"""


def test_an_index_reads_alike_right_after_ingest_and_after_a_restart(
    tmp_path: Path, embeddings: Embeddings
) -> None:
    assistant = _assistant(tmp_path, embeddings)
    for n, text in enumerate((SHARED_A, SHARED_B)):
        doc = tmp_path / f"quy-che-{n}.md"
        doc.write_text(text, encoding="utf-8")
        assert assistant.ingest([doc]).ok  # one ingest each: the index holds two segments
    fresh = assistant._index.snapshot()
    assert len(fresh.segments) == 2
    # Published again with its vectors, a staged document keeps its rows.
    assert fresh.dead_share == 0

    restarted = _assistant(tmp_path, embeddings)._index.snapshot()
    assert len(restarted.segments) == 1
    assert fresh.names == restarted.names
    assert "ban_quan" in fresh.names and "ban_co" not in fresh.names
    # The restorer's smoothing counts the same different pairs, so spells alike.
    assert fresh.restorer._pair_types == restarted.restorer._pair_types
    assert fresh.restorer._distinct("before", "ương") == 1
    for query in ("van ban co hieu luc", "bao cao gui trung uong", "ban quan ly phoi hop"):
        assert fresh.restorer.restore(query) == restarted.restorer.restore(query)


def test_the_same_passages_read_alike_in_one_segment_or_two() -> None:
    from assistant.index.snapshot import Snapshot
    from assistant.storage import ManifestEntry

    chunks = {
        doc_id: [
            Document(
                id=f"{doc_id}:1",
                page_content=text.split("\n", 3)[3],
                metadata={"document_id": doc_id, "chunk_index": 0, "section": "Điều 1"},
            )
        ]
        for doc_id, text in (("a", SHARED_A), ("b", SHARED_B))
    }
    entries = {d: ManifestEntry(id=d, title=d, chunks=1, chunk_ids=(f"{d}:1",)) for d in chunks}
    whole = Snapshot.build("t", entries, chunks)
    split = Snapshot.build("t", {"a": entries["a"]}, {"a": chunks["a"]}).evolve(
        "t", entries, {"b": chunks["b"]}
    )
    assert (len(whole.segments), len(split.segments)) == (1, 2)
    assert whole.names == split.names == {"ban_quan"}
    assert whole.restorer._pair_types == split.restorer._pair_types
    assert split.restorer._distinct("before", "ương") == whole.restorer._distinct("before", "ương")
    for query in ("van ban co hieu luc", "bao cao gui trung uong", "ban quan ly phoi hop"):
        assert whole.restorer.restore(query) == split.restorer.restore(query)
