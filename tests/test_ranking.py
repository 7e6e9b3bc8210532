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
)
from assistant.index.instruments import named_numbers
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


def test_a_document_is_named_by_its_number_its_type_and_title_or_a_short_name() -> None:
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
    # Short names: the initials of the title, or an acronym the title writes.
    plan = entry("plan", "Kế hoạch", "", "Cải thiện Chỉ số hiệu quả quản trị (PAPI) năm 2023")
    entries[plan.id] = plan
    assert [e.id for e in named("Theo Luật TCD, ai tiếp dân?", entries)] == ["law"]
    assert [e.id for e in named("theo ke hoach papi, phong toi lam gi", entries)] == ["plan"]
    assert named("Chỉ số PAPI đo những gì?", entries) == []
    # The type alone, as a reference, names the only document of that type ...
    assert [e.id for e in named("Theo kế hoạch, phòng tôi phải làm gì?", entries)] == ["plan"]
    assert [e.id for e in named("ke hoach yeu cau gi ve doi thoai", entries)] == ["plan"]
    # ... not a kind of plan, and nothing when two documents have that type.
    assert named("Kế hoạch rà soát thủ tục hành chính gửi khi nào?", entries) == []
    entries["plan2"] = entry("plan2", "Kế hoạch", "", "Kế hoạch cải cách hành chính năm 2024")
    assert named("Theo kế hoạch, phòng tôi phải làm gì?", entries) == []
    del entries["plan2"]
    # A document named by title and without a number is preferred by its id.
    meta = {"document_id": "plan", "doc_type": "Kế hoạch", "section_ref": "II.4"}
    assert instrument_weight(meta, (), ("plan",)) == 1.0
    other = {"document_id": "law", "doc_type": "Luật", "section_ref": "Điều 15"}
    assert instrument_weight(other, (), ("plan",)) == OTHER_INSTRUMENT_WEIGHT


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
    ingested: Callable[[dict[str, str]], Any],
) -> None:
    files: dict[str, str] = {}
    header = (
        "CHÍNH PHỦ\nSố: {number}\nHà Nội, ngày 01 tháng 01 năm {year}\n\nNGHỊ ĐỊNH\n{title}\n\n"
    )
    files["goc.txt"] = (
        header.format(number="10/2020/NĐ-CP", year=2020, title="VỀ CÔNG BỐ THỦ TỤC MẪU")
        + "Điều 5. Thời hạn công bố thủ tục mẫu\n\n"
        "Quyết định công bố thủ tục mẫu phải được ban hành chậm nhất trước 10 (mười) ngày "
        "làm việc tính đến ngày văn bản có hiệu lực.\n"
    )
    files["sua-doi.txt"] = (
        header.format(number="11/2021/NĐ-CP", year=2021, title="SỬA ĐỔI NGHỊ ĐỊNH VỀ THỦ TỤC MẪU")
        + "Điều 1. Sửa đổi, bổ sung một số điều của Nghị định số 10/2020/NĐ-CP như sau:\n\n"
        "1. Sửa đổi Điều 5:\n\n“Điều 5. Thời hạn công bố thủ tục mẫu\n\n"
        "Quyết định công bố thủ tục mẫu phải được ban hành chậm nhất trước 20 (hai mươi) ngày "
        "làm việc tính đến ngày văn bản có hiệu lực.”\n"
    )
    assistant = ingested(files)
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
    ingested: Callable[[dict[str, str]], Any],
) -> None:
    provision = (
        "Việc kê khai tài sản mẫu phải hoàn thành trước ngày 31 tháng 12 của năm có biến động "
        "về tài sản mẫu."
    )
    assistant = ingested(
        {
            name: f"QUỐC HỘI\nSố: {number}\n\nLUẬT\nVỀ TÀI SẢN MẪU\n\n"
            f"Điều 3. Thời điểm kê khai tài sản mẫu\n\n{provision}\n"
            for name, number in (("luat.txt", "10/2020/QH14"), ("ban-sao.txt", "11/2020/QH14"))
        }
    )
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
    ingested: Callable[[dict[str, str]], Any],
) -> None:
    files: dict[str, str] = {}
    files["cu.txt"] = (
        "QUỐC HỘI\nSố: 02/2011/QH13\n\nLUẬT\nKHIẾU NẠI MẪU\n\n"
        "Chương 5. TIẾP DÂN MẪU\n\nĐiều 61. Chủ tịch xã mẫu tiếp dân mẫu mỗi tuần\n\n"
        "Chủ tịch xã mẫu tiếp dân mẫu mỗi tuần ít nhất một ngày.\n"
    )
    files["moi.txt"] = (
        "QUỐC HỘI\nSố: 42/2013/QH13\n\nLUẬT\nTIẾP DÂN MẪU\n\n"
        "Điều 15. Trách nhiệm của người đứng đầu\n\n"
        "Chủ tịch xã mẫu tiếp dân mẫu mỗi tuần ít nhất hai ngày.\n\n"
        "Điều 36. Hiệu lực thi hành\n\n"
        "Chương V của Luật khiếu nại mẫu số 02/2011/QH13 hết hiệu lực thi hành kể từ ngày "
        "Luật này có hiệu lực.\n"
    )
    assistant = ingested(files)
    answer = assistant.ask("Chủ tịch xã mẫu tiếp dân mẫu mỗi tuần mấy ngày?")
    assert answer.grounded, answer.answer
    assert "hai ngày" in answer.citations[0].quote, answer.answer
    if any("một ngày" in c.quote for c in answer.citations):
        assert "Chương 5 của Luật số 02/2011/QH13 đã hết hiệu lực" in answer.answer


def test_an_abbreviation_and_its_words_are_the_same_terms() -> None:
    from assistant.answer.evidence import CorpusStats, QueryTerms
    from vntext.tokens import term_set, terms

    written = term_set("Đẩy mạnh tuyên truyền CCHC trên các phương tiện thông tin đại chúng")
    query = QueryTerms.of("Tuyên truyền cải cách hành chính trên phương tiện thông tin đại chúng")
    assert {"cai_cach", "hanh_chinh"} <= written
    assert set(query.unigrams) <= written
    # A question in abbreviations asks for the words.
    assert {"cai", "cach", "hanh", "chinh"} <= set(QueryTerms.of("Tuyên truyền CCHC").unigrams)
    # Inside a document number the letters name the issuer, not a topic.
    numbered = terms("Quyết định số 1766/QĐ-UBND")
    assert "ubnd" in numbered and "uy_ban" not in numbered
    assert CorpusStats  # the stats read these terms: see test_a_standard_article_*


def test_capitalised_words_that_are_also_written_in_lower_case_are_no_name() -> None:
    from assistant.index.snapshot import proper_name_pairs

    names = proper_name_pairs(
        [
            "Quyết định này có hiệu lực. Các văn bản có liên quan; Bản Có gì. "
            "Tỉnh Quảng Nam giao Ban Quản lý chủ trì.",
            "Ban hành quyết định; ban quản lý các khu; Ban Quản lý báo cáo Sở Nội vụ; UBND tỉnh.",
        ]
    )
    # Overlapping pairs are all read: "Tỉnh Quảng Nam" gives "quang_nam" too.
    assert {"quang_nam", "so_noi", "ubnd", "ban_quan"} <= names
    # "quyết định", "ban hành", "bản có" are words written in lower case elsewhere.
    assert not {"quyet_dinh", "ban_hanh", "ban_co"} & names


def test_questions_about_a_standard_article_are_recognised() -> None:
    from assistant.answer.article_roles import plays, role_of

    def role(question: str) -> str | None:
        found = role_of(question)
        return found.name if found else None

    assert role("Quy định hành chính được hiểu là gì?") == "definition"
    assert role("the nao la tham nhung?") == "definition"
    assert role("Luật Tiếp cận thông tin áp dụng đối với những đối tượng nào?") == "scope"
    assert role("Quyết định 1766/QĐ-UBND có hiệu lực từ khi nào?") == "effect"
    assert role("luat thuc hien dan chu o co so co hieu luc tu ngay nao?") == "effect"
    # Not a role: a section of a plan, the legal force of a decision on a complaint.
    assert role("Mục đích của kế hoạch là gì?") is None
    assert role("Quyết định giải quyết khiếu nại có hiệu lực pháp luật khi nào?") is None
    definition, effect = role_of("X được hiểu là gì?"), role_of("có hiệu lực từ khi nào?")
    assert definition is not None and effect is not None
    assert plays(definition, "Điều 3. Giải thích từ ngữ")
    assert plays(definition, "Điều 44.12.NĐ.3. Giải thích từ ngữ")  # a codified article
    assert not plays(definition, "Điều 4. Nguyên tắc giải thích pháp luật")
    assert plays(effect, "Điều 91. Hiệu lực thi hành")
    assert plays(effect, "Điều 2", "Quyết định này có hiệu lực kể từ ngày ký ban hành.")
    assert not plays(effect, "Điều 44. Quyết định có hiệu lực pháp luật")


def test_a_standard_article_answers_the_question_that_asks_for_it(
    ingested: Callable[[dict[str, str]], Any],
) -> None:
    files: dict[str, str] = {}
    files["qd.txt"] = (
        "ỦY BAN NHÂN DÂN TỈNH MẪU\nSố: 77/QĐ-UBND\nTỉnh Mẫu, ngày 03 tháng 8 năm 2020\n\n"
        "QUYẾT ĐỊNH\nVề việc công bố quy trình mẫu\n\n"
        "Điều 1. Công bố kèm theo Quyết định này quy trình mẫu giải quyết hồ sơ mẫu; quy trình "
        "mẫu áp dụng từ ngày công bố trên trang thông tin của tỉnh.\n\n"
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký ban hành.\n\n"
        "Điều 3. Chánh Văn phòng Ủy ban nhân dân tỉnh chịu trách nhiệm thi hành Quyết định này.\n"
    )
    files["luat.txt"] = (
        "QUỐC HỘI\nSố: 12/2020/QH14\n\nLUẬT\nVỀ HỒ SƠ MẪU\n\n"
        "Điều 2. Giải thích từ ngữ\n\nTrong Luật này, các từ ngữ dưới đây được hiểu như sau:\n\n"
        "1. Bộ phận một cửa là nơi tiếp nhận hồ sơ mẫu và trả kết quả.\n\n"
        "2. Hồ sơ mẫu là tập tài liệu do tổ chức lập để đề nghị cấp phép.\n\n"
        "Điều 5. Nộp hồ sơ mẫu\n\nTổ chức nộp hồ sơ mẫu tại bộ phận một cửa; hồ sơ mẫu được "
        "tiếp nhận và hồ sơ mẫu được trả kết quả tại bộ phận một cửa.\n"
    )
    assistant = ingested(files)
    for question in (
        "Quyết định 77/QĐ-UBND có hiệu lực từ khi nào?",
        "quyet dinh 77/qd-ubnd co hieu luc tu khi nao?",
    ):
        answer = assistant.ask(question)
        assert answer.grounded and not answer.partial, answer.answer
        assert "có hiệu lực kể từ ngày ký ban hành" in answer.citations[0].quote, answer.answer
    for question in (
        "Hồ sơ mẫu được hiểu là gì?",
        "ho so mau duoc hieu la gi?",
        # Its other words match "Nộp hồ sơ mẫu" and the other definition better.
        "Hồ sơ mẫu mà tổ chức nộp tại bộ phận một cửa được hiểu là gì?",
    ):
        answer = assistant.ask(question)
        assert answer.grounded, answer.answer
        assert "tập tài liệu do tổ chức lập" in answer.citations[0].quote, answer.answer


def test_the_retrieval_score_breaks_a_tie_in_term_coverage() -> None:
    from assistant.answer.evidence import ScoredHit
    from assistant.index.search import SearchHit

    def hit(rank: int, score: float) -> SearchHit:
        return SearchHit(rank, score, f"c{rank}", "text", "doc", "", "", "", "", "", None, None, {})

    first, second = (ScoredHit(hit(1, 0.2), 0.8, 0.0, None), ScoredHit(hit(2, 0.9), 0.8, 0.0, None))
    assert second.relevance > first.relevance
    # It does not outweigh a clearly better coverage.
    weak = ScoredHit(hit(2, 0.9), 0.5, 0.0, None)
    assert ScoredHit(hit(3, 0.0), 1.0, 0.0, None).relevance > weak.relevance


def test_a_definition_question_is_read_for_the_term_it_asks() -> None:
    from assistant.answer.article_roles import asked_term, defines, definiendum

    asked = asked_term("Quy định hành chính mà người dân phản ánh được hiểu là gì?")
    assert asked == "quy dinh hanh chinh ma nguoi dan phan anh"
    assert asked_term("Theo Luật Khiếu nại, khiếu nại là gì?") == "khieu nai"
    assert asked_term("Trong Luật Khiếu nại, quyết định hành chính được hiểu là gì?") == (
        "quyet dinh hanh chinh"
    )
    assert asked_term("the nao la tham nhung?") == "tham nhung"
    assert asked_term("Định nghĩa về tiếp cận thông tin như thế nào?") == "tiep can thong tin"
    assert definiendum("Quy định hành chính là những quy định về …") == "Quy định hành chính"
    assert definiendum("Trong Luật này, các từ ngữ dưới đây được hiểu như sau:") == ""
    assert defines("Quy định hành chính", asked)
    assert not defines("Phản ánh", asked)


def test_the_law_joins_the_circulars_that_repeat_it() -> None:
    from assistant.answer.answerer import LAW_EXTRA, with_detailed_instruments
    from assistant.index.search import SearchHit

    def hit(rank: int, section_ref: str) -> SearchHit:
        meta = {"section_ref": section_ref}
        return SearchHit(rank, 1 / rank, f"c{rank}", "", "d", "", "", "", "", "", None, None, meta)

    circulars = [hit(r, f"Điều 3 Thông tư số {r:02d}/2021/TT-BM") for r in range(1, 11)]
    law = hit(11, "Điều 25 Luật số 36/2018/QH14")
    decree = hit(12, "Điều 4 Nghị định số 59/2019/NĐ-CP")
    found = [*circulars, law, decree]
    assert with_detailed_instruments(found, 8) == [*circulars[:8], law, decree][: 8 + LAW_EXTRA]
    # Without circulars in the top there is nothing to add.
    plain = [hit(r, f"Điều {r} Luật số 36/2018/QH14") for r in range(1, 13)]
    assert with_detailed_instruments(plain, 8) == plain[:8]


def test_a_what_is_question_names_the_section_headed_by_its_subject() -> None:
    from assistant.answer.composer import _named_section
    from assistant.answer.evidence import QueryTerms, ScoredHit
    from assistant.index.search import SearchHit

    def passage(rank: int, heading: str) -> ScoredHit:
        meta = {"heading": heading}
        hit = SearchHit(rank, 0.5, f"c{rank}", "", "d", "", "", "", "", "", None, None, meta)
        return ScoredHit(hit, 0.8, 0.0, None)

    requirements, purpose = passage(1, "2. Yêu cầu"), passage(2, "1. Mục đích")
    ranked = [requirements, purpose]
    for question in (
        "Mục đích của kế hoạch nâng cao Chỉ số PAPI là gì?",
        "muc dich cua ke hoach la gi",
    ):
        assert _named_section(QueryTerms.of(question), ranked) is purpose
    assert _named_section(QueryTerms.of("Kế hoạch đặt ra những yêu cầu gì?"), ranked) is None
    # A definition question asks for a definition, not a section of that name.
    assert _named_section(QueryTerms.of("Mục đích được hiểu là gì?"), ranked) is None


def test_a_row_of_a_provincial_decision_is_about_its_province(
    ingested: Callable[[dict[str, str]], Any],
) -> None:
    files: dict[str, str] = {}
    files["qd.md"] = (
        "---\nid: qd-hoa-dong\ndoc_type: Quyết định\nnumber: 88/QĐ-UBND\n"
        "issuer: Ủy ban nhân dân tỉnh Hòa Đông\ntitle: Công bố danh mục thủ tục mẫu\n---\n\n"
        "# QUYẾT ĐỊNH\n\n## Phụ lục. Danh mục thủ tục mẫu\n\n"
        "| TT | Tên thủ tục | Lệ phí |\n|---|---|---|\n"
        "| 1 | Chứng thực chữ ký mẫu | 10.000 đồng/trường hợp |\n"
        "| 2 | Cấp bản sao mẫu | 2.000 đồng/trang |\n"
    )
    assistant = ingested(files)
    for question in (
        "Ở Hòa Đông, lệ phí chứng thực chữ ký mẫu là bao nhiêu?",
        "o hoa dong, le phi chung thuc chu ky mau la bao nhieu?",
    ):
        answer = assistant.ask(question)
        assert answer.grounded and not answer.partial, answer.answer
        quotes = [c.quote for c in answer.citations]
        assert any("10.000 đồng" in q for q in quotes), answer.answer
        # The row is read by its columns: the table's header row is quoted with it.
        assert quotes[0] == "| TT | Tên thủ tục | Lệ phí |", answer.answer


def test_a_provision_is_read_with_the_clauses_it_cites(
    ingested: Callable[[dict[str, str]], Any],
) -> None:
    from assistant.index.instruments import clause_references, own_clauses

    cited = "Thông tin quy định tại các khoản 7, 8 và 9 Điều 11 của Luật này phải được niêm yết."
    assert clause_references(cited) == {("11", "7"), ("11", "8"), ("11", "9")}
    assert own_clauses("Điều 11 khoản 9 Luật số 10/2022/QH15") == {("11", "9")}
    files: dict[str, str] = {}
    files["luat.txt"] = (
        "QUỐC HỘI\nSố: 12/2020/QH14\n\nLUẬT\nVỀ CÔNG KHAI MẪU\n\n"
        "Điều 11. Nội dung công khai mẫu\n\n"
        "1. Kế hoạch sử dụng đất mẫu của xã.\n\n"
        "9. Danh sách gọi nhập ngũ mẫu, chính sách hỗ trợ mẫu của xã.\n\n"
        "Điều 13. Hình thức công khai mẫu\n\n"
        "1. Niêm yết tại trụ sở.\n\n"
        "3. Thông tin quy định tại các khoản 7, 8 và 9 Điều 11 của Luật này phải được đọc trên "
        "hệ thống phát thanh ít nhất 03 ngày liên tiếp.\n"
    )
    files["thong-tu.txt"] = (
        "BỘ MẪU\nSố: 05/2021/TT-BM\n\nTHÔNG TƯ\nVỀ CHI PHÍ MẪU\n\n"
        "Điều 5. Chi phí mẫu\n\n"
        "Chi phát thanh trên loa của xã về chính sách hỗ trợ mẫu: 02 ngày một lần.\n"
    )
    assistant = ingested(files)
    answer = assistant.ask(
        "Danh sách gọi nhập ngũ mẫu, chính sách hỗ trợ mẫu của xã phải được phát trên loa "
        "ít nhất mấy ngày?"
    )
    assert answer.grounded, answer.answer
    assert "ít nhất 03 ngày liên tiếp" in answer.citations[0].quote, answer.answer


def test_when_a_codified_law_took_effect_is_quoted_from_its_note(
    ingested: Callable[[dict[str, str]], Any],
) -> None:
    assistant = ingested(
        {
            "phap-dien.md": "# Dân chủ mẫu\n\n## Chương I. NHỮNG QUY ĐỊNH CHUNG\n\n"
            "### Điều 1.1.LQ.1. Phạm vi điều chỉnh\n\n"
            "(Điều 1 Luật số 12/2022/QH15 Luật dân chủ mẫu ngày 10/11/2022 của Quốc hội, có "
            "hiệu lực thi hành kể từ ngày 01/07/2023)\n\n"
            "Luật này quy định về dân chủ mẫu ở xã mẫu.\n\n"
            "### Điều 1.1.NĐ.1.4. Tổ chức lấy ý kiến mẫu\n\n"
            "(Điều 4 Nghị định số 59/2023/NĐ-CP, có hiệu lực thi hành kể từ ngày 14/08/2023)\n\n"
            "Chủ tịch xã mẫu quyết định hình thức lấy ý kiến mẫu về dân chủ mẫu.\n"
        }
    )
    for question in (
        "Luật dân chủ mẫu có hiệu lực từ ngày nào?",
        "luat dan chu mau co hieu luc tu ngay nao?",
    ):
        answer = assistant.ask(question)
        assert answer.grounded and not answer.partial, answer.answer
        assert "kể từ ngày 01/07/2023" in answer.citations[0].quote, answer.answer
    # Any other question quotes provisions, never the notes.
    answer = assistant.ask("Ai quyết định hình thức lấy ý kiến mẫu?")
    assert answer.grounded and all("hiệu lực thi hành" not in c.quote for c in answer.citations)


def test_a_codified_article_bears_the_name_of_the_law_it_codifies(
    ingested: Callable[[dict[str, str]], Any],
) -> None:
    # A pháp điển topic is named for its subject; its articles from "Luật số 12/2022/QH15"
    # are articles of "Luật Dân chủ mẫu" although no passage writes that name.
    assistant = ingested(
        {
            "phap-dien.md": "# Dân chủ mẫu\n\n## Chương II. CÔNG KHAI MẪU\n\n"
            "### Điều 1.1.LQ.13. Niêm yết mẫu\n\n"
            "(Điều 13 Luật số 12/2022/QH15, có hiệu lực thi hành kể từ ngày 01/07/2023)\n\n"
            "Ủy ban nhân dân cấp xã niêm yết thông tin mẫu trong thời gian ít nhất 30 ngày.\n\n"
            "### Điều 1.1.NĐ.1.4. Lấy ý kiến mẫu\n\n"
            "(Điều 4 Nghị định số 59/2023/NĐ-CP, có hiệu lực thi hành kể từ ngày 14/08/2023)\n\n"
            "Chủ tịch xã mẫu lấy ý kiến mẫu trong thời gian ít nhất 15 ngày.\n"
        }
    )
    answer = assistant.ask(
        "Theo Luật Dân chủ mẫu, UBND xã niêm yết thông tin mẫu ít nhất bao nhiêu ngày?"
    )
    assert answer.grounded and not answer.partial, answer.answer
    assert "ít nhất 30 ngày" in answer.citations[0].quote
    # The decree codified under the same topic is no article of the law.
    answer = assistant.ask("Theo Luật Dân chủ mẫu, chủ tịch xã lấy ý kiến mẫu bao nhiêu ngày?")
    assert not answer.grounded or "15 ngày" not in answer.answer, answer.answer


def test_the_entry_into_force_article_outranks_the_notes_of_the_others(
    ingested: Callable[[dict[str, str]], Any],
) -> None:
    # Every codified article's note says when the law took effect; the article headed
    # "Hiệu lực thi hành" is the one to cite.
    assistant = ingested(
        {
            "luat.txt": "QUỐC HỘI\nSố: 12/2022/QH15\n\nLUẬT\nDÂN CHỦ MẪU\n\n"
            "Điều 1. Phạm vi điều chỉnh\n\nLuật này quy định về dân chủ mẫu ở xã mẫu.\n\n"
            "Điều 30. Hiệu lực thi hành\n\n"
            "Luật này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2023.\n",
            "phap-dien.md": "# Dân chủ mẫu\n\n## Chương I. NHỮNG QUY ĐỊNH CHUNG\n\n"
            "### Điều 1.1.LQ.1. Phạm vi điều chỉnh\n\n"
            "(Điều 1 Luật số 12/2022/QH15 Luật dân chủ mẫu ngày 10/11/2022 của Quốc hội, có "
            "hiệu lực thi hành kể từ ngày 01/07/2023)\n\n"
            "Luật này quy định về dân chủ mẫu ở xã mẫu.\n",
        }
    )
    for question in (
        "Luật Dân chủ mẫu có hiệu lực từ khi nào?",
        "luat dan chu mau co hieu luc tu khi nao?",
    ):
        answer = assistant.ask(question)
        assert answer.grounded, answer.answer
        assert "Hiệu lực thi hành" in answer.citations[0].section, answer.answer


def test_copies_of_a_sentence_are_scored_alike_so_passage_rank_decides() -> None:
    # A decree repeats the law's sentence; its passage has the higher retrieval prior
    # (0.31 against 0.30), the law's passage ranks first (rank 0). Scored alike, the
    # law's copy sorts first and the decree's copy is then dropped as already said.
    from langchain_core.documents import Document

    from assistant.answer.composer import _copies_scored_alike
    from assistant.answer.evidence import Unit

    def unit(cid: str, text: str) -> Unit:
        return Unit(chunk_id=cid, start=0, end=len(text), text=text, line=0)

    same = "Thực hiện tiếp công dân đột xuất trong các trường hợp sau đây:"
    law, decree = Document(page_content=same, id="law"), Document(page_content=same, id="nd")
    other = Document(page_content="Khác.", id="x")
    units = [
        (1.31, 1, 0, decree, unit("nd", same)),
        (1.30, 0, 0, law, unit("law", same)),
        (0.90, 2, 0, other, unit("x", "Khác.")),
    ]
    alike = _copies_scored_alike(units)
    assert [t[0] for t in alike] == [1.31, 1.31, 0.90]
    alike.sort(key=lambda t: (-t[0], t[1], t[2], t[4].start))
    assert alike[0][3].id == "law"


def test_a_search_naming_a_document_ranks_its_passages_first(
    ingested: Callable[[dict[str, str]], Any],
) -> None:
    header = (
        "CHÍNH PHỦ\nSố: {number}\nHà Nội, ngày 01 tháng 01 năm {year}\n\nNGHỊ ĐỊNH\n{title}\n\n"
    )
    assistant = ingested(
        {
            "luu-tru.txt": header.format(number="21/2020/NĐ-CP", year=2020, title="VỀ LƯU TRỮ")
            + "Điều 3. Sao lưu dữ liệu\n\n"
            "Dữ liệu của hệ thống phải được sao lưu hằng tuần, bản sao lưu dữ liệu của hệ "
            "thống được giữ ở nơi an toàn tách khỏi máy chủ.\n",
            "van-thu.txt": header.format(number="22/2021/NĐ-CP", year=2021, title="VỀ VĂN THƯ")
            + "Điều 7. Hồ sơ điện tử\n\n"
            "Dữ liệu của hệ thống văn thư được sao lưu mỗi tháng một lần.\n\n"
            "Điều 8. Con dấu\n\n"
            "Văn thư cơ quan giữ con dấu và thiết bị lưu khóa bí mật của cơ quan.\n",
        }
    )
    first = assistant.search("Dữ liệu của hệ thống được sao lưu thế nào?", 2)[0]
    assert first.document_id == "luu-tru"  # the better match wins when nothing is named
    for question in (
        "Theo Nghị định 22/2021, dữ liệu của hệ thống được sao lưu thế nào?",
        "theo nghi dinh ve van thu, du lieu cua he thong duoc sao luu the nao?",
    ):
        assert assistant.search(question, 2)[0].document_id == "van-thu", question


def test_named_documents_keep_their_fused_score_and_the_others_yield() -> None:
    from langchain_core.documents import Document

    from assistant.index.search import NAMED_ELSEWHERE_WEIGHT, merge_ranking, prefer_named
    from assistant.storage import ManifestEntry

    chunks = {
        "law": Document("…", metadata={"document_id": "law", "section_ref": "Điều 1"}),
        "copy": Document(
            "…",
            metadata={"document_id": "topic", "section_ref": "Điều 4 Nghị định số 5/2020/NĐ-CP"},
        ),
        "decree": Document("…", metadata={"document_id": "decree", "section_ref": "Điều 4"}),
    }
    named = [ManifestEntry(id="decree", title="", doc_type="Nghị định", number="5/2020/NĐ-CP")]
    ordered = [("law", 1.0), ("copy", 0.7), ("decree", 0.6)]
    ranked = prefer_named(ordered, chunks, named, "Theo Nghị định 5/2020 thì sao?")
    assert ranked == [("copy", 0.7), ("decree", 0.6), ("law", NAMED_ELSEWHERE_WEIGHT)]
    assert merge_ranking([("a", 3.0), ("b", 1.0)], [("b", 1.0), ("c", 2.0)]) == [
        ("a", 3.0),
        ("c", 2.0),
        ("b", 1.0),
    ]


def test_a_named_document_is_searched_densely_too(
    tmp_path: Path, make_assistant: Callable[..., Any]
) -> None:
    # The law's many passages on the same subject fill the dense candidates; the passage
    # of the decree the question names must still be weighed with its dense score, not
    # by its words alone.
    header = (
        "CHÍNH PHỦ\nSố: {number}\nHà Nội, ngày 01 tháng 01 năm {year}\n\nNGHỊ ĐỊNH\n{title}\n\n"
    )
    law = header.format(number="21/2020/NĐ-CP", year=2020, title="VỀ LƯU TRỮ") + "".join(
        f"Điều {i}. Sao lưu dữ liệu loại {i}\n\n"
        f"Dữ liệu loại {i} của hệ thống thông tin phải được sao lưu định kỳ và khôi phục "
        f"được khi có sự cố, theo quy trình sao lưu dữ liệu của cơ quan.\n\n"
        for i in range(1, 13)
    )
    decree = (
        header.format(number="22/2021/NĐ-CP", year=2021, title="VỀ VĂN THƯ")
        + "Điều 7. Hồ sơ điện tử\n\nBản sao an toàn của cơ sở dữ liệu văn thư được tạo "
        "mỗi tháng một lần và cất giữ tách khỏi máy chủ.\n\n"
        "Điều 8. Con dấu\n\nVăn thư cơ quan giữ con dấu và thiết bị lưu khóa bí mật.\n"
    )
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "luu-tru.txt").write_text(law, encoding="utf-8")
    (corpus / "van-thu.txt").write_text(decree, encoding="utf-8")
    assistant = make_assistant(corpus_dir=corpus, retrieval={"candidates": 5})
    assert assistant.ingest().ok
    hits = assistant.search("Theo Nghị định 22/2021, dữ liệu được sao lưu thế nào?", 3)
    article = [h for h in hits if (h.document_id, h.section_ref) == ("van-thu", "Điều 7")]
    assert article and article[0].dense_score is not None


def test_the_words_naming_a_document_are_no_content_to_match() -> None:
    from assistant.answer.evidence import QueryTerms
    from assistant.index.instruments import naming_words
    from assistant.storage import ManifestEntry

    plan = ManifestEntry(
        id="plan", title="Cải thiện Chỉ số hiệu quả quản trị (PAPI) năm 2023", doc_type="Kế hoạch"
    )
    law = ManifestEntry(
        id="law", title="LUẬT TIẾP CÔNG DÂN", doc_type="Luật", number="42/2013/QH13"
    )
    question = "Theo kế hoạch PAPI, việc tiếp công dân phải bảo đảm yêu cầu gì?"
    assert naming_words(question, [plan]) == {"ke", "hoach", "papi"}
    assert naming_words("luat tiep cong dan quy dinh gi ve noi tiep", [law]) == {
        "luat",
        "tiep",
        "cong",
        "dan",
    }
    query = QueryTerms.of(question)
    content = query.without(naming_words(question, [plan]))
    assert "papi" in query.unigrams and "papi" not in content.unigrams
    assert "tiep" in content.unigrams and not any("papi" in b for b in content.bigrams)
    # Nothing but the name asked: the question keeps its words.
    only = QueryTerms.of("Kế hoạch PAPI?")
    assert only.without(naming_words("Kế hoạch PAPI?", [plan])) is only


def test_of_several_bodies_every_level_has_one_mention_will_do() -> None:
    from assistant.answer.evidence import QueryTerms
    from vntext.tokens import term_set

    both = QueryTerms.of("Đơn do đại biểu HĐND chuyển đến UBND xã thì báo kết quả khi nào?")
    forwarded = term_set("Cơ quan nhận đơn do đại biểu Hội đồng nhân dân chuyển đến phải báo.")
    assert both.names_found(forwarded)
    # One body named is still required; a distinctive name always is.
    one = QueryTerms.of("Chủ tịch UBND xã có trách nhiệm gì?")
    assert not one.names_found(term_set("Chủ tịch Hội đồng nhân dân chủ trì kỳ họp."))
    named = QueryTerms.of("UBND tỉnh Bình Thuận và HĐND huyện phải làm gì?")
    assert not named.names_found(term_set("Ủy ban nhân dân cấp tỉnh phải báo cáo."))


def test_a_sentence_is_read_with_the_chapter_it_sits_in(
    ingested: Callable[[dict[str, str]], Any],
) -> None:
    # The time limit's article never repeats what its chapter is about; the article
    # before it does, for another limit.
    assistant = ingested(
        {
            "luat.txt": "QUỐC HỘI\nSố: 12/2021/QH15\n\nLUẬT\nGIẤY PHÉP MẪU\n\n"
            "Chương I\nTHƯƠNG NHÂN ĐỀ NGHỊ THU HỒI GIẤY PHÉP BÁN RƯỢU MẪU\n\n"
            "Điều 1. Thời hiệu\n\n"
            "Thời hiệu đề nghị thu hồi giấy phép bán rượu mẫu của thương nhân là 15 ngày.\n\n"
            "Điều 2. Thời hạn xử lý\n\n"
            "Thời hạn xử lý không quá 30 ngày, kể từ ngày thụ lý.\n"
        }
    )
    for question in (
        "Thương nhân bị đề nghị thu hồi giấy phép bán rượu mẫu thì thời hạn xử lý là bao lâu?",
        "thuong nhan bi de nghi thu hoi giay phep ban ruou mau thi thoi han xu ly la bao lau?",
    ):
        answer = assistant.ask(question)
        assert answer.grounded, answer.answer
        assert any("30 ngày" in c.quote for c in answer.citations), answer.answer


def test_a_circular_confined_to_its_issuers_field_is_read_from_its_title() -> None:
    from assistant.index.instruments import circular_sectors, issuer_sector

    police = (
        "(Điều 1 Thông tư số 30/2015/TT-BCA Quy định về công tác tiếp công dân trong Công an "
        "nhân dân ngày 03/07/2015 của Bộ Công an, có hiệu lực thi hành kể từ ngày 19/08/2015 )"
    )
    general = (
        "(Điều 1 Thông tư số 06/2014/TT-TTCP Quy định quy trình tiếp công dân ngày 31/10/2014 "
        "của Thanh tra Chính phủ, có hiệu lực thi hành kể từ ngày 15/12/2014 )"
    )
    assert circular_sectors([police, general]) == (("30/2015/tt-bca", frozenset({"cong_an"})),)
    defence = "Quy định thực hiện cung cấp thông tin trong Bộ Quốc phòng"
    assert issuer_sector(defence, "Bộ Quốc phòng") == frozenset({"quoc_phong"})
    assert not issuer_sector("Quy định chi phí in, sao, chụp thông tin", "Bộ Tài chính")
    # The circular's weight: below a general circular unless the question names its field.
    meta = {"doc_type": "Thông tư", "section_ref": "Điều 11 Thông tư số 30/2015/TT-BCA"}
    sector = frozenset({"cong_an"})
    assert instrument_weight(meta, (), (), sector, ["tiep_cong"]) < CIRCULAR_WEIGHT
    assert instrument_weight(meta, (), (), sector, ["cong_an", "tiep_cong"]) == 1.0
    assert instrument_weight(meta, (), (), frozenset(), ["cong_an"]) == CIRCULAR_WEIGHT


_RECEIPTS = """---
layout: page
title: Tiếp công dân mẫu
---

## VĂN BẢN
# Tiếp công dân mẫu

Chương I

QUY TRÌNH TIẾP CÔNG DÂN

Điều 18.4.TT.4.1. Phạm vi điều chỉnh

(Điều 1 Thông tư số 06/2014/TT-TTCP Quy định quy trình tiếp công dân ngày 31/10/2014 của \
Thanh tra Chính phủ, có hiệu lực thi hành kể từ ngày 15/12/2014 )

Thông tư này quy định quy trình tiếp công dân đến khiếu nại, tố cáo, kiến nghị, phản ánh.

Điều 18.4.TT.4.20. Tiếp nhận thông tin, tài liệu, bằng chứng do người tố cáo cung cấp

(Điều 20 Thông tư số 06/2014/TT-TTCP, có hiệu lực thi hành kể từ ngày 15/12/2014)

Khi tiếp nhận thông tin, tài liệu, chứng cứ do người tố cáo cung cấp thì người tiếp công \
dân phải làm Giấy biên nhận. Giấy biên nhận được lập thành 03 bản, 01 bản giao cho người \
tố cáo, 01 bản lưu vào hồ sơ, 01 bản cán bộ tiếp công dân lưu.

Chương II

TIẾP CÔNG DÂN TRONG CÔNG AN NHÂN DÂN

Điều 18.4.TT.6.1. Phạm vi điều chỉnh

(Điều 1 Thông tư số 30/2015/TT-BCA Quy định về công tác tiếp công dân đến khiếu nại, tố \
cáo, kiến nghị, phản ánh trong Công an nhân dân ngày 03/07/2015 của Bộ Công an, có hiệu \
lực thi hành kể từ ngày 19/08/2015 )

Thông tư này quy định về công tác tiếp công dân của Công an các đơn vị, địa phương.

Điều 18.4.TT.6.11. Tiếp nhận đơn và thông tin, tài liệu, chứng cứ do người tố cáo cung cấp

(Điều 11 Thông tư số 30/2015/TT-BCA, có hiệu lực thi hành kể từ ngày 19/08/2015)

Khi tiếp nhận thông tin, tài liệu, chứng cứ do người tố cáo cung cấp, người tiếp công dân \
phải lập giấy biên nhận về việc tiếp nhận. Giấy biên nhận được lập thành hai bản, mỗi bên \
giữ một bản.
"""


def test_a_general_question_cites_the_general_circular_not_one_confined_to_a_force(
    ingested: Callable[[dict[str, str]], Any],
) -> None:
    # Both circulars answer in nearly the same words, with different figures: the police's
    # own circular governs only the police, so it is cited only when the question says so.
    assistant = ingested({"phap-dien-tiep-cong-dan-mau.md": _RECEIPTS})
    for question in (
        "Người tiếp công dân nhận tài liệu, chứng cứ do người tố cáo đưa thì giấy biên nhận "
        "phải lập mấy bản?",
        "nguoi tiep cong dan nhan tai lieu, chung cu do nguoi to cao dua thi giay bien nhan "
        "phai lap may ban",
    ):
        answer = assistant.ask(question)
        assert answer.grounded, answer.answer
        assert "03 bản" in answer.citations[0].quote, answer.answer
    police = assistant.ask(
        "Trong Công an nhân dân, khi tiếp nhận tài liệu do người tố cáo cung cấp thì giấy "
        "biên nhận lập mấy bản?"
    )
    assert police.grounded, police.answer
    assert "hai bản" in police.citations[0].quote, police.answer
