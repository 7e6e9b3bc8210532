"""The evaluation sets: split rule, sizes, gold that exists, and the scorers' rules.

Parse-only (no embedding); the scorers run against a stub assistant.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from evaluation.library import (
    article_key,
    by_split,
    is_gold,
    score_honesty,
    score_library_answers,
    split_for,
)
from evaluation.suite import parse_sets
from ingest import parse_file
from ingest.pipeline import discover
from tests.conftest import CORPUS, REPO
from vntext.normalize import fold

EVAL = REPO / "eval"
SETS = {
    "plan_questions.jsonl": 44,
    "out_of_scope.jsonl": 20,
    "library_questions.jsonl": 60,
    "unanswerable.jsonl": 40,
    "partial.jsonl": 20,
}


def _rows(name: str) -> list[dict[str, Any]]:
    lines = (EVAL / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.mark.parametrize(("name", "minimum"), sorted(SETS.items()))
def test_every_record_has_the_split_its_id_gives(name: str, minimum: int) -> None:
    rows = _rows(name)
    assert len(rows) >= minimum
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids)
    for row in rows:
        assert row["split"] == split_for(row["id"]), row["id"]
    groups = by_split(rows)
    assert set(groups) == {"tune", "heldout"}
    assert min(len(g) for g in groups.values()) >= 0.3 * len(rows)  # ~half each


def test_split_rule_is_sha256_parity() -> None:
    # sha256("lib-01") ends in an odd hex digit, sha256("lib-03") in an even one.
    import hashlib

    for rid in ("lib-01", "lib-03", "plan-01", "unans-07"):
        odd = int(hashlib.sha256(rid.encode()).hexdigest()[-1], 16) % 2
        assert split_for(rid) == ("heldout" if odd else "tune")


@pytest.mark.parametrize("name", ["library_questions.jsonl", "unanswerable.jsonl", "partial.jsonl"])
def test_half_the_new_questions_are_typed_without_diacritics(name: str) -> None:
    rows = _rows(name)
    plain = [r for r in rows if r["question"] == fold(r["question"])]
    assert {r["id"] for r in plain} == {r["id"] for r in rows if r["typed"] == "unaccented"}
    assert abs(len(plain) - len(rows) / 2) <= 1


@pytest.fixture(scope="module")
def parsed_corpus() -> dict[str, list[Any]]:
    return {p.info.id: p.chunks for p in (parse_file(f) for f in discover([CORPUS]))}


def test_library_gold_passages_exist_and_hold_their_fact(parsed_corpus: dict[str, Any]) -> None:
    for row in _rows("library_questions.jsonl"):
        chunks = parsed_corpus[row["document_id"]]
        gold = [c for c in chunks if c.metadata["section_ref"] == row["section_ref"]]
        assert any(row["fact"] in c.page_content for c in gold), row["id"]
        assert row["article"] == article_key(row["section_ref"])
        for alt in row.get("alternatives", ()):
            refs = {c.metadata["section_ref"] for c in parsed_corpus[alt["document_id"]]}
            assert any(article_key(r) == article_key(alt["section_ref"]) for r in refs), row["id"]
    documents = {r["document_id"] for r in _rows("library_questions.jsonl")}
    assert len(documents) >= 12  # spread over the library, not one law


def test_partial_records_name_what_is_missing(parsed_corpus: dict[str, Any]) -> None:
    for row in _rows("partial.jsonl"):
        assert row["document_id"] in parsed_corpus
        assert row["missing"] and all(isinstance(m, str) and m for m in row["missing"])


@pytest.mark.parametrize(
    ("ref", "key"),
    [
        ("Điều 15 khoản 2", "Điều 15"),
        ("Điều 11 khoản 2, 3, 4, 5", "Điều 11"),
        ("Điều 10 Nghị định số 130/2020/NĐ-CP", "Điều 10 Nghị định số 130/2020/NĐ-CP"),
        (
            "Điều 10 khoản 2, 3 Nghị định số 130/2020/NĐ-CP",
            "Điều 10 Nghị định số 130/2020/NĐ-CP",
        ),
        ("Điều 2 khoản 1 điểm a", "Điều 2"),
        ("A.III.1", "A.III.1"),
        ("II.4", "II.4"),
    ],
)
def test_article_key(ref: str, key: str) -> None:
    assert article_key(ref) == key


def test_is_gold_accepts_alternatives_only_for_the_same_article() -> None:
    row = {
        "document_id": "luat-a",
        "section_ref": "Điều 15 khoản 2",
        "alternatives": [
            {"document_id": "phap-dien-a", "section_ref": "Điều 15 Luật số 1/2013/QH13"}
        ],
    }
    assert is_gold(row, "luat-a", "Điều 15 khoản 3")
    assert is_gold(row, "phap-dien-a", "Điều 15 khoản 1 Luật số 1/2013/QH13")
    assert not is_gold(row, "luat-a", "Điều 16")
    assert not is_gold(row, "phap-dien-a", "Điều 15 Nghị định số 2/2014/NĐ-CP")


def test_parse_sets_rejects_unknown_names() -> None:
    assert parse_sets("plan, library") == ["plan", "library"]
    with pytest.raises(ValueError, match="unknown"):
        parse_sets("plan,librar")


# -- scorers against a stub assistant -------------------------------------------------


@dataclass
class _Citation:
    chunk_id: str
    document_id: str


@dataclass
class _Answer:
    grounded: bool
    citations: list[_Citation] = field(default_factory=list)
    partial: bool = False
    missing: list[str] = field(default_factory=list)


class _Stub:
    """Answers by a table keyed on the folded question."""

    def __init__(self, table: dict[str, _Answer]) -> None:
        self.table = {fold(k): v for k, v in table.items()}

    def ask(self, question: str) -> _Answer:
        return self.table[fold(question)]


def test_honesty_counts_refusals_and_stated_gaps_not_confident_answers() -> None:
    rows = [
        {"id": "u1", "split": "tune", "question": "Kinh phí là bao nhiêu?"},
        {"id": "u2", "split": "tune", "question": "Số điện thoại là gì?"},
        {"id": "u3", "split": "tune", "question": "Ai ký?"},
        {"id": "u4", "split": "heldout", "question": "Ngày nào?"},
    ]
    stub = _Stub(
        {
            "Kinh phí là bao nhiêu?": _Answer(grounded=False),
            "Số điện thoại là gì?": _Answer(grounded=True, partial=True),
            "Ai ký?": _Answer(grounded=True, citations=[_Citation("c", "plan")]),
            "Ngày nào?": _Answer(grounded=True, missing=["ngày"]),
        }
    )
    report = score_honesty(stub, rows)
    assert report["tune"]["questions"] == 6  # both variants
    assert report["tune"]["honest"] == pytest.approx(4 / 6, abs=1e-4)
    assert {f["id"] for f in report["tune"]["false_answers"]} == {"u3"}
    assert report["heldout"]["honest"] == 1.0 and report["heldout"]["gap_stated"] == 1.0


def test_library_answers_need_a_gold_citation_and_count_hedges() -> None:
    rows = [
        {
            "id": "a",
            "split": "tune",
            "question": "Hỏi A",
            "document_id": "luat",
            "section_ref": "Điều 9",
        },
        {
            "id": "b",
            "split": "tune",
            "question": "Hỏi B",
            "document_id": "luat",
            "section_ref": "Điều 9",
        },
        {
            "id": "c",
            "split": "tune",
            "question": "Hỏi C",
            "document_id": "luat",
            "section_ref": "Điều 9",
        },
    ]
    refs = {"g": ("luat", "Điều 9 khoản 1"), "x": ("luat", "Điều 10")}
    stub = _Stub(
        {
            "Hỏi A": _Answer(
                grounded=True, citations=[_Citation("x", "luat"), _Citation("g", "luat")]
            ),
            "Hỏi B": _Answer(grounded=True, citations=[_Citation("x", "luat")], partial=True),
            "Hỏi C": _Answer(grounded=False),
        }
    )
    report = score_library_answers(stub, rows, refs)["tune"]
    assert report["questions"] == 6
    assert report["grounded_gold"] == pytest.approx(2 / 6, abs=1e-4)
    assert report["hedged"] == pytest.approx(2 / 4, abs=1e-4)
    assert {f["id"] for f in report["false_refusals"]} == {"c"}
    assert {f["id"] for f in report["not_citing_gold"]} == {"b"}


def test_alqac_through_ask_counts_answers_citing_the_gold_article(
    tmp_path: Any, embeddings: Any
) -> None:
    """A two-law ALQAC-shaped folder through the product chunker and `ask`."""
    from evaluation.library import score_alqac_answers

    passages = [
        ("Luật Lưu trữ mẫu|1", "Hồ sơ công việc được lưu trữ tại kho của cơ quan trong năm năm."),
        ("Luật Lưu trữ mẫu|2", "Dữ liệu máy chủ được sao lưu hằng tuần vào ổ đĩa dự phòng."),
        ("Luật Tiếp dân mẫu|1", "Thủ trưởng cơ quan tiếp công dân ít nhất một ngày mỗi tháng."),
    ]
    lines = [
        json.dumps({"_id": pid, "law": pid.split("|")[0], "text": text}, ensure_ascii=False)
        for pid, text in passages
    ]
    (tmp_path / "corpus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    queries = [
        ("q-a", "Dữ liệu máy chủ được sao lưu bao lâu một lần?", "Luật Lưu trữ mẫu|2"),
        ("q-b", "Thủ trưởng cơ quan tiếp công dân mấy ngày mỗi tháng?", "Luật Tiếp dân mẫu|1"),
    ]
    (tmp_path / "queries_admin_subset.jsonl").write_text(
        "".join(
            json.dumps({"_id": q, "text": t, "gold": [g]}, ensure_ascii=False) + "\n"
            for q, t, g in queries
        ),
        encoding="utf-8",
    )
    report = score_alqac_answers(tmp_path, embeddings, tmp_path / "work")
    total = sum(report[s]["questions"] for s in ("tune", "heldout"))
    assert total == 2
    for split in ("tune", "heldout"):
        if report[split]["questions"]:
            assert report[split]["cites_gold_article"] == 1.0, report[split]


def test_restoration_scores_the_words_spelled_back_as_written_per_split() -> None:
    from evaluation.restoration import score_restoration

    rows = [
        {"id": "lib-01", "split": "tune", "question": "Hạn chót là ngày nào?"},
        {"id": "lib-03", "split": "heldout", "question": "han chot la ngay nao"},  # no truth
    ]
    # A speller that only knows "hạn" and "là": 2 of the 5 words come back as written.
    known = {"han": "hạn", "la": "là"}
    report = score_restoration(lambda q: " ".join(known.get(w, w) for w in q.split()), rows)
    assert report["tune"] == {"questions": 1, "words": 5, "word_accuracy": 0.4}
    assert report["heldout"]["questions"] == 0
    with pytest.raises(ValueError):
        score_restoration(lambda q: q + " thêm", rows)
