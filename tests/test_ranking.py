"""Ranking rules: score fusion and the preference between instruments."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def test_an_amending_document_is_recognised_by_its_formula() -> None:
    from assistant.index.snapshot import amended_numbers

    texts = [
        "Điều 1. Sửa đổi, bổ sung, bãi bỏ một số điều, khoản của Nghị định số 63/2010/NĐ-CP "
        "ngày 08 tháng 6 năm 2010 của Chính phủ như sau:",
        "Điều 2. Sửa đổi một số điều của Nghị định số 20/2008/NĐ-CP như sau:",
        "Căn cứ Luật Tổ chức Chính phủ; theo quy định tại Nghị định số 34/2016/NĐ-CP;",
    ]
    assert amended_numbers(texts) == ("63/2010/nd-cp", "20/2008/nd-cp")


def test_the_amending_clause_outranks_the_article_it_rewrites(
    tmp_path: Path, make_assistant: Callable[..., Any]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    header = (
        "CHÍNH PHỦ\nSố: {number}\nHà Nội, ngày 01 tháng 01 năm {year}\n\nNGHỊ ĐỊNH\n{title}\n\n"
    )
    (corpus / "goc.txt").write_text(
        header.format(number="10/2020/NĐ-CP", year=2020, title="VỀ CÔNG BỐ THỦ TỤC MẪU")
        + "Điều 5. Thời hạn công bố thủ tục mẫu\n\n"
        "Quyết định công bố thủ tục mẫu phải được ban hành chậm nhất trước 10 (mười) ngày "
        "làm việc tính đến ngày văn bản có hiệu lực.\n",
        encoding="utf-8",
    )
    (corpus / "sua-doi.txt").write_text(
        header.format(number="11/2021/NĐ-CP", year=2021, title="SỬA ĐỔI NGHỊ ĐỊNH VỀ THỦ TỤC MẪU")
        + "Điều 1. Sửa đổi, bổ sung một số điều của Nghị định số 10/2020/NĐ-CP như sau:\n\n"
        "1. Sửa đổi Điều 5:\n\n“Điều 5. Thời hạn công bố thủ tục mẫu\n\n"
        "Quyết định công bố thủ tục mẫu phải được ban hành chậm nhất trước 20 (hai mươi) ngày "
        "làm việc tính đến ngày văn bản có hiệu lực.”\n",
        encoding="utf-8",
    )
    assistant = make_assistant(corpus_dir=corpus)
    assert assistant.ingest().ok
    for question in (
        "Quyết định công bố thủ tục mẫu phải ban hành trước bao nhiêu ngày làm việc?",
        "quyet dinh cong bo thu tuc mau phai ban hanh truoc bao nhieu ngay lam viec?",
    ):
        answer = assistant.ask(question)
        assert answer.grounded and not answer.partial, answer.answer
        first = answer.citations[0]
        assert "20 (hai mươi) ngày" in first.quote, answer.answer
        if any("10 (mười)" in c.quote for c in answer.citations):
            assert "đã được sửa đổi, bổ sung bởi" in answer.answer


def test_a_count_may_be_spelled_out_after_its_digits() -> None:
    from assistant.answer.honesty import asked_items, missing_items

    count = asked_items("Phải ban hành trước bao nhiêu ngày làm việc?")
    assert missing_items(count, ["chậm nhất trước 20 (hai mươi) ngày làm việc"]) == []
    assert missing_items(count, ["chậm nhất trước ngày làm việc đầu tiên"]) == count


def test_a_provision_loaded_twice_is_quoted_once(
    tmp_path: Path, make_assistant: Callable[..., Any]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    provision = (
        "Việc kê khai tài sản mẫu phải hoàn thành trước ngày 31 tháng 12 của năm có biến động "
        "về tài sản mẫu."
    )
    for name, number in (("luat.txt", "10/2020/QH14"), ("ban-sao.txt", "11/2020/QH14")):
        (corpus / name).write_text(
            f"QUỐC HỘI\nSố: {number}\n\nLUẬT\nVỀ TÀI SẢN MẪU\n\n"
            f"Điều 3. Thời điểm kê khai tài sản mẫu\n\n{provision}\n",
            encoding="utf-8",
        )
    assistant = make_assistant(corpus_dir=corpus)
    assert assistant.ingest().ok
    answer = assistant.ask("Việc kê khai tài sản mẫu phải hoàn thành trước ngày nào?")
    assert answer.grounded, answer.answer
    quotes = [c.quote for c in answer.citations]
    assert len(quotes) == len(set(quotes)) == 1, answer.answer


def test_an_abbreviation_asked_is_found_by_its_expansion() -> None:
    from assistant.answer.evidence import QueryTerms
    from vntext.tokens import term_set

    query = QueryTerms.of("Chủ tịch UBND cấp tỉnh tiếp công dân khi nào?")
    assert ("ubnd",) in query.entities
    assert query.names_found(term_set("Chủ tịch Ủy ban nhân dân cấp tỉnh tiếp công dân"))
    assert query.names_found(term_set("Chủ tịch UBND tỉnh"))
    assert not query.names_found(term_set("Chủ tịch Hội đồng nhân dân tỉnh"))


def test_what_a_loaded_law_ends_is_read_from_its_formula() -> None:
    from assistant.index.instruments import part_of_section, repealed_parts

    texts = [
        "Những quy định về tiếp công dân tại Chương V của Luật khiếu nại, tố cáo số "
        "09/1998/QH10 đã được sửa đổi, bổ sung một số điều theo Luật số 26/2004/QH11 và Luật "
        "số 58/2005/QH11, Chương V của Luật khiếu nại số 02/2011/QH13 hết hiệu lực thi hành "
        "kể từ ngày Luật này có hiệu lực.",
        "2. Luật Tố cáo số 03/2011/QH13 hết hiệu lực kể từ ngày Luật này có hiệu lực thi hành.",
        "(Điều 29 Nghị định số 63/2010/NĐ-CP, có hiệu lực thi hành kể từ ngày 14/10/2010, bị "
        "bãi bỏ bởi Điều 1 Nghị định số 48/2013/NĐ-CP)",
        "Căn cứ Luật số 80/2015/QH13; Luật này có hiệu lực thi hành từ ngày 01/7/2016.",
    ]
    assert repealed_parts(texts) == (
        ("09/1998/qh10", "chuong 5"),
        ("02/2011/qh13", "chuong 5"),
        ("03/2011/qh13", ""),
        ("63/2010/nd-cp", "dieu 29"),
    )
    assert part_of_section("Chương 5. TIẾP CÔNG DÂN › Điều 61. Trách nhiệm", "chuong 5")
    assert not part_of_section("Chương 4. GIẢI QUYẾT › Điều 50. Thời hạn", "chuong 5")
    assert part_of_section(" › Điều 29 Nghị định số 63/2010/NĐ-CP", "dieu 29")
    assert part_of_section("anything", "")


def test_a_provision_a_loaded_law_ended_yields_and_is_flagged(
    tmp_path: Path, make_assistant: Callable[..., Any]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "cu.txt").write_text(
        "QUỐC HỘI\nSố: 02/2011/QH13\n\nLUẬT\nKHIẾU NẠI MẪU\n\n"
        "Chương 5. TIẾP DÂN MẪU\n\nĐiều 61. Chủ tịch xã mẫu tiếp dân mẫu mỗi tuần\n\n"
        "Chủ tịch xã mẫu tiếp dân mẫu mỗi tuần ít nhất một ngày.\n",
        encoding="utf-8",
    )
    (corpus / "moi.txt").write_text(
        "QUỐC HỘI\nSố: 42/2013/QH13\n\nLUẬT\nTIẾP DÂN MẪU\n\n"
        "Điều 15. Trách nhiệm của người đứng đầu\n\n"
        "Chủ tịch xã mẫu tiếp dân mẫu mỗi tuần ít nhất hai ngày.\n\n"
        "Điều 36. Hiệu lực thi hành\n\n"
        "Chương V của Luật khiếu nại mẫu số 02/2011/QH13 hết hiệu lực thi hành kể từ ngày "
        "Luật này có hiệu lực.\n",
        encoding="utf-8",
    )
    assistant = make_assistant(corpus_dir=corpus)
    assert assistant.ingest().ok
    answer = assistant.ask("Chủ tịch xã mẫu tiếp dân mẫu mỗi tuần mấy ngày?")
    assert answer.grounded, answer.answer
    assert "hai ngày" in answer.citations[0].quote, answer.answer
    if any("một ngày" in c.quote for c in answer.citations):
        assert "Chương 5 của Luật số 02/2011/QH13 đã hết hiệu lực" in answer.answer
