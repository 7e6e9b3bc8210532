"""Ranking rules: score fusion and the preference between instruments."""

from __future__ import annotations

from assistant.answer.evidence import (
    CIRCULAR_WEIGHT,
    OTHER_INSTRUMENT_WEIGHT,
    instrument_of,
    instrument_weight,
    named_numbers,
)
from assistant.index.search import fuse, fuse_convex


def test_convex_fusion_keeps_a_clear_lexical_leader_that_rank_fusion_buries() -> None:
    # BM25 finds "plan" far ahead of the rest; dense misses it and ranks the law
    # passages, which BM25 also returns, just behind its leader.
    lexical = [("plan", 30.0), ("law-1", 6.0), ("law-2", 5.5), ("law-3", 5.0), ("x", 1.0)]
    dense = [("law-1", 0.91), ("law-2", 0.90), ("law-3", 0.89), ("y", 0.80)]
    rankings = [(0.45, dense), (0.55, lexical)]
    assert fuse_convex(rankings, 3)[0][0] == "plan"
    assert [cid for cid, _ in fuse(rankings, 30, 3)][0] != "plan"


def test_convex_fusion_ignores_a_retriever_with_zero_weight_and_scales_to_one() -> None:
    lexical = [("a", 5.0), ("b", 1.0)]
    dense = [("b", 0.9), ("a", 0.1)]
    assert fuse_convex([(0.0, dense), (1.0, lexical)], 2) == [("a", 1.0), ("b", 0.0)]
    assert fuse_convex([(1.0, [("only", 0.7)])], 5) == [("only", 1.0)]
    assert fuse_convex([(1.0, [])], 5) == []


def test_a_circular_yields_to_the_law_unless_the_question_names_it() -> None:
    law = {"doc_type": "Luật", "number": "36/2018/QH14", "section_ref": "Điều 25 khoản 2"}
    codified_circular = {
        "doc_type": "",
        "section_ref": "Điều 6 Thông tư số 27/2024/TT-BTC",
    }
    decree = {"section_ref": "Điều 10 khoản 2 Nghị định số 130/2020/NĐ-CP"}
    assert instrument_of(codified_circular) == ("thông tư", "27/2024/tt-btc")
    assert instrument_of(law) == ("luật", "36/2018/qh14")
    assert instrument_weight(law, ()) == 1.0
    assert instrument_weight(decree, ()) == 1.0  # a decree details the law for everyone
    assert instrument_weight(codified_circular, ()) == CIRCULAR_WEIGHT < 1.0
    numbers = named_numbers("Những ai phải kê khai tài sản theo Nghị định 130/2020?")
    assert numbers == ("130/2020",)
    assert instrument_weight(decree, numbers) == 1.0
    assert instrument_weight(law, numbers) == OTHER_INSTRUMENT_WEIGHT
    assert named_numbers("quyet dinh 1766/qd-ubnd co hieu luc tu khi nao") == ("1766/qd-ubnd",)
    assert named_numbers("Phải làm gì trong năm 2023?") == ()


def test_a_document_is_named_by_its_number_or_by_its_type_and_title() -> None:
    from assistant.answer.evidence import named_documents
    from assistant.storage import ManifestEntry

    def entry(doc_id: str, doc_type: str, number: str, title: str) -> ManifestEntry:
        return ManifestEntry(id=doc_id, title=title, doc_type=doc_type, number=number)

    entries = {
        e.id: e
        for e in (
            entry("law", "Luật", "42/2013/QH13", "LUẬT TIẾP CÔNG DÂN"),
            entry("decree", "Nghị định", "63/2010/NĐ-CP", "NGHỊ ĐỊNH VỀ KIỂM SOÁT THỦ TỤC"),
            entry("topic", "", "", "Tiếp công dân"),
        )
    }
    named = named_documents
    assert [e.id for e in named("Luật Tiếp công dân quy định gì về nơi tiếp?", entries)] == ["law"]
    assert [e.id for e in named("luat tiep cong dan quy dinh gi", entries)] == ["law"]
    assert [e.id for e in named("theo nghi dinh 63/2010 thi sao", entries)] == ["decree"]
    # A topic is not a name: neither "tiếp công dân" alone nor a title without its type.
    assert named("Tiếp công dân ở đâu?", entries) == []


def test_a_codification_note_is_matched_but_never_quoted() -> None:
    from assistant.answer.evidence import passage_units

    text = (
        "(Điều 96 Luật số 36/2018/QH14, có hiệu lực thi hành kể từ ngày 01/07/2019)\n\n"
        "1. Luật này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2019."
    )
    units = passage_units("c", text)
    assert [u.text for u in units] == ["Luật này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2019."]
    assert all(text[u.start : u.end] == u.text for u in units)
