"""The diacritic restorer: a folded query is spelled as the documents write its words."""

from __future__ import annotations

from assistant.index.restorer import DiacriticRestorer, Spellings


def _restorer(*texts: str) -> DiacriticRestorer:
    # Each text is counted on its own: a pair never runs from one text into the next.
    return DiacriticRestorer([Spellings(texts)])


def test_an_unseen_pair_follows_how_many_words_a_spelling_follows_not_how_often_it_occurs() -> None:
    # "ương" is written more often than "uống", but only ever after "trung"; "uống" follows
    # several words, so it is the likelier word after a new one ("trà").
    restorer = _restorer(
        "cơ quan trung ương, trung ương và trung ương; các bộ ở trung ương",
        "cấm uống rượu; được uống nước lạnh; phải uống thuốc",
        "không được",
        "trà xanh",
    )
    assert restorer.restore("khong uong tra") == "không uống trà"


def test_a_syllable_is_spelled_by_the_word_after_it_too() -> None:
    # "dân cơ" is written more often than "dân có", so pairing from the left would read
    # "dân cơ quyền"; the pair on the right ("có quyền") settles it.
    restorer = _restorer(
        "nông dân cơ giới",
        "nông dân cơ giới hóa",
        "nông dân cơ giới nhỏ",
        "cơ quan, cơ sở, cơ chế",
        "người dân có quyền",
        "ai có quyền",
        "họ có quyền",
    )
    assert restorer.restore("dan co quyen") == "dân có quyền"


def test_question_words_the_documents_never_write_are_spelled_as_questions_write_them() -> None:
    restorer = _restorer("lời chào thân ái", "lòng bác ái", "ký văn bản", "ở đâu có văn bản")
    assert restorer.restore("ai ky van ban") == "ai ký văn bản"
    assert restorer.restore("nop o dau") == "nop ở đâu"  # "nop" is not in the documents


def test_a_query_with_diacritics_is_left_as_typed_and_numbers_break_the_context() -> None:
    restorer = _restorer("báo cáo trước ngày 15 tháng 12", "hạn chót báo cáo")
    assert restorer.restore("Hạn chót báo cao") == "Hạn chót báo cao"
    assert restorer.restore("bao cao truoc ngay 15 thang 12") == "báo cáo trước ngày 15 tháng 12"
