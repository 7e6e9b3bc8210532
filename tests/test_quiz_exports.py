"""Every export format is read back by a parser for that format: nothing is lost or mangled.

The GIFT reader follows Moodle's own parser (question/format/gift/format.php) for the
subset we write: escapes replaced by placeholders first, the answer block between the
first "{" and the first "}", "####" general feedback, missing-word when text follows
the block, "$CATEGORY:" blocks with "//" standing for "/" in a name.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from assistant.quiz import export, generate_quiz, quiz_json_schema
from assistant.quiz.exporters import FORMATS, gift_escape, to_aiken, to_gift
from assistant.quiz.model import BLANK, LETTERS, Quiz, QuizItem, Source
from ingest import parse_file
from tests.conftest import CORE_FILES

NASTY = "Căn cứ: Điều 5: tỷ lệ = 100% {đạt} ~ #1 \\ cuối / hết"


def nasty_quiz() -> Quiz:
    """Hand-made items whose text carries every GIFT control character and more."""
    source = Source(
        document_id="qd-2922",
        document="Quyết định số 2922/QĐ-UBND",
        section="Điều 2 › Khoản 1",
        section_ref="Điều 2",
        heading="Điều 2.",
        quote="Giám đốc Sở Nội vụ có trách nhiệm chủ trì: tỷ lệ = 100% {đạt}.",
        chunk_index=0,
    )
    mcq = QuizItem(
        id="qd2922-d2-01",
        type="mcq",
        stem="Theo Quyết định số 2922/QĐ-UBND, ai chủ trì: {tỷ lệ = 100%} ~ #1 \\ ?",
        options=["Giám đốc Sở Nội vụ", "Chánh Văn phòng: UBND tỉnh", "Sở #Tư pháp", "A= {B}"],
        key=0,
        explanation="Đáp án A. " + NASTY + "\ndòng hai",
        source=source,
        fact="responsible_unit",
        answer="Giám đốc Sở Nội vụ",
        dimensions=[5],
        tags=["PAPI", "mcq", "tag]khó"],
    )
    tf = QuizItem(
        id="qd2922-tf-01",
        type="true_false",
        stem="Theo Quyết định số 2922/QĐ-UBND, Sở Tư pháp chủ trì, đúng hay sai?",
        options=["Đúng", "Sai"],
        key=1,
        explanation="Đáp án Sai (đúng là: Giám đốc Sở Nội vụ). Căn cứ: Điều 2",
        source=source,
        fact="responsible_unit",
        answer="Giám đốc Sở Nội vụ",
        claim="Sở Tư pháp",
        needs_review=True,
    )
    cloze = QuizItem(
        id="qd2922-cz-01",
        type="cloze",
        stem=f"Theo Quyết định số 2922/QĐ-UBND, cần điền nội dung nào: “{BLANK} có trách nhiệm "
        "chủ trì: tỷ lệ = 100%”?",
        options=["Chánh Thanh tra tỉnh", "Giám đốc Sở Tư pháp", "Giám đốc Sở Nội vụ", "Sở {Y tế}"],
        key=2,
        explanation="Đáp án C. Căn cứ: Điều 2: “…”",
        source=source,
        fact="responsible_unit",
        answer="Giám đốc Sở Nội vụ",
    )
    return Quiz(seed=42, items=[mcq, tf, cloze])


@pytest.fixture(scope="module")
def real_quiz() -> Quiz:
    """A generated quiz from the parsed corpus (pure ingest, no index needed)."""
    docs, chunks = [], []
    for path in CORE_FILES:
        parsed = parse_file(path)
        docs.append(parsed.info)
        chunks.extend(parsed.chunks)
    return generate_quiz(chunks, docs, n=24, seed=11)


def quizzes(real_quiz: Quiz) -> list[Quiz]:
    return [nasty_quiz(), real_quiz]


# -- GIFT ---------------------------------------------------------------------------------

_PLACEHOLDERS = {"\\\\": "\x01", "\\:": "\x02", "\\#": "\x03", "\\=": "\x04"}
_PLACEHOLDERS |= {"\\{": "\x05", "\\}": "\x06", "\\~": "\x07", "\\n": "\x08"}
_RESTORE = {"\x01": "\\", "\x02": ":", "\x03": "#", "\x04": "=", "\x05": "{", "\x06": "}"}
_RESTORE |= {"\x07": "~", "\x08": "\n"}


def _pre(text: str) -> str:
    for escaped, mark in _PLACEHOLDERS.items():
        text = text.replace(escaped, mark)
    return text


def _post(text: str) -> str:
    for mark, char in _RESTORE.items():
        text = text.replace(mark, char)
    return text


def split_category_path(path: str) -> list[str]:
    """Moodle's split_category_path: '//' is a literal slash, '/' separates levels."""
    return [p.replace("\x00", "/").strip() for p in path.replace("//", "\x00").split("/")]


def parse_gift(text: str) -> dict[str, Any]:
    """Read our GIFT: categories and questions with answers, feedback, id and tags."""
    assert "\r" not in text
    questions: list[dict[str, Any]] = []
    category: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.split("\n")
        comments = [ln for ln in lines if ln.lstrip().startswith("//")]
        body = "\n".join(ln for ln in lines if not ln.lstrip().startswith("//")).strip()
        if not body:
            continue
        if body.startswith("$CATEGORY:"):
            path = body[len("$CATEGORY:") :].strip()
            assert path.startswith("$course$/top/")
            category = split_category_path(path[len("$course$/top/") :])
            continue
        q: dict[str, Any] = {"category": category}
        meta = " ".join(comments)
        ids = re.findall(r"\[id:((?:\\\]|[^\]])*)\]", meta)
        q["id"] = ids[0].replace("\\]", "]") if ids else None
        q["tags"] = [t.replace("\\]", "]") for t in re.findall(r"\[tag:((?:\\\]|[^\]])*)\]", meta)]
        raw = _pre(body)
        name_match = re.match(r"^::(.*?)::", raw, flags=re.S)
        assert name_match, body
        q["name"] = _post(name_match.group(1))
        raw = raw[name_match.end() :]
        start, end = raw.find("{"), raw.find("}")
        assert 0 <= start < end, body
        before, answers, after = raw[:start], raw[start + 1 : end], raw[end + 1 :]
        q["text"] = _post(before)  # the question was trimmed as a whole; parts stay as written
        q["after"] = _post(after)
        feedback = ""
        if "####" in answers:
            answers, feedback = answers.rsplit("####", 1)
        q["general_feedback"] = _post(feedback.strip())
        answers = answers.strip()
        if answers.split("#")[0].strip() in ("T", "TRUE", "F", "FALSE"):
            q["type"] = "truefalse"
            q["answer"] = answers.split("#")[0].strip() in ("T", "TRUE")
        else:
            assert "~" in answers, "a multichoice block needs ~ answers"
            q["type"] = "multichoice"
            parts = re.findall(r"([=~])([^=~]*)", answers)
            q["options"] = [_post(p.strip()) for _, p in parts]
            q["correct"] = [i for i, (mark, _) in enumerate(parts) if mark == "="]
        questions.append(q)
    return {"questions": questions}


def test_gift_escaping_is_moodles_repchar() -> None:
    assert gift_escape("a\\b:c#d=e~f{g}h\ni\r") == "a\\\\b\\:c\\#d\\=e\\~f\\{g\\}h\\ni"
    assert _post(_pre(gift_escape(NASTY))) == NASTY


def test_gift_round_trip(real_quiz: Quiz) -> None:
    for quiz in quizzes(real_quiz):
        text = to_gift(quiz)
        parsed = parse_gift(text)["questions"]
        assert len(parsed) == len(quiz.items)
        for n, (item, q) in enumerate(zip(quiz.items, parsed, strict=True), start=1):
            assert q["id"] == item.id and q["tags"] == item.tags
            assert q["name"].startswith(f"Câu {n:03d}")
            assert q["category"] == ["PAPI", item.source.document]
            assert q["general_feedback"] == item.explanation
            if item.type == "true_false":
                assert q["type"] == "truefalse" and q["answer"] is (item.key == 0)
                assert q["text"] == item.stem
                continue
            assert q["type"] == "multichoice"
            assert q["options"] == item.options and q["correct"] == [item.key]
            if item.type == "cloze":  # missing-word form: the block sits inside the text
                assert q["after"].strip(), "text must follow the block"
                assert q["text"] + BLANK + q["after"] == item.stem
            else:
                assert q["text"] == item.stem and q["after"] == ""


def test_gift_categories_double_slashes() -> None:
    text = to_gift(nasty_quiz())
    assert "$CATEGORY: $course$/top/PAPI/Quyết định số 2922//QĐ-UBND\n" in text
    assert "// [id:qd2922-d2-01] [tag:PAPI] [tag:mcq] [tag:tag\\]khó]" in text


# -- Aiken --------------------------------------------------------------------------------


def parse_aiken(text: str) -> list[dict[str, Any]]:
    """Moodle's Aiken reader: option lines ^[A-Z][).]; 'ANSWER:' closes a question."""
    out: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for line in text.split("\n"):
        line = line.strip()
        if len(line) < 2:
            continue
        if re.match(r"^[A-Z][).][ \t]?", line):
            assert current is not None
            current["options"].append(line[2:].strip())
        elif line.startswith("ANSWER:"):
            assert current is not None and len(current["options"]) >= 2
            current["key"] = ord(line[len("ANSWER:") :].strip()[0]) - ord("A")
            out.append(current)
            current = None
        else:
            assert current is None, f"a second stem line would drop the question: {line}"
            current = {"stem": line, "options": []}
    assert current is None
    return out


def test_aiken_round_trip(real_quiz: Quiz) -> None:
    for quiz in quizzes(real_quiz):
        parsed = parse_aiken(to_aiken(quiz))
        assert len(parsed) == len(quiz.items)
        for item, q in zip(quiz.items, parsed, strict=True):
            assert q["stem"] == item.stem.replace("\n", " ")
            assert q["options"] == item.options and q["key"] == item.key


# -- Moodle XML ---------------------------------------------------------------------------


def _html_text(el: Any) -> str:
    text = el.findtext("text") or ""
    return html.unescape(re.sub(r"</?p>", "", text))


def test_moodle_xml_round_trip(real_quiz: Quiz) -> None:
    for quiz in quizzes(real_quiz):
        content, media_type, filename = export(quiz, "moodle-xml")
        assert content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
        assert media_type == "application/xml" and filename.endswith(".xml")
        root = etree.fromstring(content)
        questions = [q for q in root.iter("question") if q.get("type") != "category"]
        categories = [
            q.findtext("category/text")
            for q in root.iter("question")
            if q.get("type") == "category"
        ]
        assert categories and all(c.startswith("$course$/top/PAPI/") for c in categories)
        assert len(questions) == len(quiz.items)
        for item, q in zip(quiz.items, questions, strict=True):
            assert q.findtext("idnumber") == item.id
            assert _html_text(q.find("questiontext")) == item.stem
            assert _html_text(q.find("generalfeedback")) == item.explanation
            tags = [t.findtext("text") for t in q.iter("tag")]
            assert tags[: len(item.tags)] == item.tags
            assert ("can-ra-soat" in tags) is item.needs_review
            answers = q.findall("answer")
            fractions = [a.get("fraction") for a in answers]
            if item.type == "true_false":
                assert q.get("type") == "truefalse"
                assert [a.findtext("text") for a in answers] == ["true", "false"]
                assert fractions.index("100") == item.key
            else:
                assert q.get("type") == "multichoice"
                assert q.findtext("answernumbering") == "ABCD"
                assert q.findtext("single") == "true"
                assert q.findtext("shuffleanswers") == "false"
                assert [html.unescape(a.findtext("text") or "") for a in answers] == item.options
                assert fractions == ["100" if i == item.key else "0" for i in range(4)]


# -- CSV, JSON ----------------------------------------------------------------------------


def test_csv_round_trip(real_quiz: Quiz) -> None:
    for quiz in quizzes(real_quiz):
        content, media_type, _ = export(quiz, "csv")
        assert content.startswith(b"\xef\xbb\xbf") and media_type.startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
        assert len(rows) == len(quiz.items)
        for n, (item, row) in enumerate(zip(quiz.items, rows, strict=True), start=1):
            assert int(row["number"]) == n and row["id"] == item.id and row["type"] == item.type
            assert row["stem"] == item.stem and row["explanation"] == item.explanation
            options = [row[letter] for letter in LETTERS if row[letter]]
            assert options == item.options
            assert row["key"] == LETTERS[item.key] and row["key_text"] == item.key_text
            assert row["quote"] == item.source.quote
            assert row["needs_review"] == ("true" if item.needs_review else "false")


def test_json_round_trip(real_quiz: Quiz) -> None:
    for quiz in quizzes(real_quiz):
        content, media_type, _ = export(quiz, "json")
        assert media_type == "application/json"
        assert Quiz.model_validate_json(content) == quiz
        assert "\\u" not in content.decode("utf-8")  # Vietnamese stays readable
        assert json.loads(content)["seed"] == quiz.seed
    jsonschema = pytest.importorskip("jsonschema")  # not a dependency; checked when present
    for quiz in quizzes(real_quiz):
        jsonschema.validate(json.loads(export(quiz, "json")[0]), quiz_json_schema())


# -- printable form: Markdown and Word -----------------------------------------------------


def _printable(lines: list[str]) -> dict[str, Any]:
    """Read the printable form back: questions, options, the key line, the bases."""
    questions: dict[int, dict[str, Any]] = {}
    keys: dict[int, str] = {}
    bases: dict[int, str] = {}
    current: int | None = None
    answer_part = False
    for raw in lines:
        line = raw.strip()
        if line in ("ĐÁP ÁN", "## ĐÁP ÁN"):
            answer_part = True
            continue
        m = re.match(r"^(?:\*\*)?Câu (\d+):(?:\*\*)? (.*)$", line)
        if m and not answer_part:
            current = int(m.group(1))
            questions[current] = {"stem": m.group(2), "options": []}
            continue
        if m and answer_part:
            current = int(m.group(1))
            keys[current] = m.group(2).replace("Đáp án:", "").strip()
            continue
        m = re.match(r"^([A-D])\. (.*)$", line)
        if m and current is not None and not answer_part:
            questions[current]["options"].append(m.group(2))
            continue
        if answer_part and line.startswith("Căn cứ:") and current is not None:
            bases[current] = line
        if answer_part and re.match(r"^1-", line):
            table = dict(part.split("-", 1) for part in line.split("; "))
            questions.setdefault(0, {})["table"] = table
    return {"questions": questions, "keys": keys, "bases": bases}


def _md_unescape(text: str) -> str:
    return re.sub(r"\\([\\`*_\[\]<>|])", r"\1", text)


def _check_printable(quiz: Quiz, read: dict[str, Any], unescape: Any = lambda t: t) -> None:
    questions = read["questions"]
    table = questions.pop(0)["table"]
    assert sorted(questions) == list(range(1, len(quiz.items) + 1))
    for n, item in enumerate(quiz.items, start=1):
        q = questions[n]
        assert unescape(q["stem"]) == item.stem.replace("\n", " ")
        assert [unescape(o) for o in q["options"]] == item.options
        assert read["keys"][n] == item.key_label
        assert table[str(n)] == item.key_label
        basis = item.explanation[item.explanation.index("Căn cứ:") :]
        assert unescape(read["bases"][n]) == " ".join(basis.split())


def test_markdown_round_trip(real_quiz: Quiz) -> None:
    for quiz in quizzes(real_quiz):
        content, media_type, _ = export(quiz, "md")
        assert media_type.startswith("text/markdown")
        text = content.decode("utf-8")
        assert "## PHẦN I." in text and "## ĐÁP ÁN VÀ CĂN CỨ" in text
        _check_printable(quiz, _printable(text.split("\n")), _md_unescape)


def test_docx_round_trip(real_quiz: Quiz, tmp_path: Path) -> None:
    from docx import Document as WordDocument

    for quiz in quizzes(real_quiz):
        content, media_type, filename = export(quiz, "docx")
        assert media_type.endswith("wordprocessingml.document") and filename.endswith(".docx")
        path = tmp_path / filename
        path.write_bytes(content)
        paragraphs = [p.text for p in WordDocument(str(path)).paragraphs]
        assert any(p.startswith("PHẦN I.") for p in paragraphs)
        _check_printable(quiz, _printable(paragraphs))


def test_every_format_and_unknown_format(real_quiz: Quiz) -> None:
    for fmt in FORMATS:
        content, media_type, filename = export(real_quiz, fmt)
        assert content and media_type and filename.startswith("papi-quiz-11.")
    with pytest.raises(ValueError, match="unknown quiz format"):
        export(real_quiz, "kahoot")
