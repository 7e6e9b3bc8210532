"""Quiz exports: one function per format, each returning ``str`` or ``bytes``.

* ``json`` — the quiz model itself (see :func:`assistant.quiz.model.quiz_json_schema`);
* ``gift`` — Moodle GIFT with Moodle's own escaping (``repchar``: ``\\ ~ = # { } :``),
  ``$CATEGORY`` blocks with ``/`` doubled inside names, ``####`` general feedback,
  ``// [id:…] [tag:…]`` comments; cloze items use GIFT's missing-word form;
* ``aiken`` — one-line stems, ``A.``–``D.``, ``ANSWER: X`` (true/false as Đúng/Sai);
* ``moodle-xml`` — ``multichoice``/``truefalse`` with ``ABCD`` numbering, general
  feedback, ``idnumber`` and tags;
* ``csv`` — one row per item (UTF-8 with BOM in :func:`export`, for Excel);
* ``md`` and ``docx`` — the printable Vietnamese form: "Câu 1:", A.–D., then a key
  ("ĐÁP ÁN") and the explanations ("Căn cứ").
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Callable
from typing import Any

from assistant.quiz.model import BLANK, LETTERS, Quiz, QuizItem

FORMATS = ("json", "gift", "aiken", "moodle-xml", "csv", "docx", "md")

_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def _one_line(text: str) -> str:
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


def _name(index: int, item: QuizItem) -> str:
    """A short question name ("Câu 007 – II.4"), never the truncated stem Moodle makes."""
    ref = item.source.section_ref
    return f"Câu {index:03d}" + (f" – {ref}" if ref else "")


def _groups(quiz: Quiz) -> list[tuple[str, list[tuple[int, QuizItem]]]]:
    """Items numbered in quiz order, grouped by source document in order of first use."""
    groups: dict[str, list[tuple[int, QuizItem]]] = {}
    names: dict[str, str] = {}
    for n, item in enumerate(quiz.items, start=1):
        groups.setdefault(item.source.document_id, []).append((n, item))
        names[item.source.document_id] = item.source.document
    return [(names[d], items) for d, items in groups.items()]


# -- JSON ---------------------------------------------------------------------------------


def to_json(quiz: Quiz) -> str:
    """The quiz as JSON (UTF-8 text, not ASCII-escaped)."""
    return json.dumps(quiz.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


# -- GIFT ---------------------------------------------------------------------------------

_GIFT_RESERVED: tuple[tuple[str, str], ...] = (
    ("\\", "\\\\"),
    ("#", "\\#"),
    ("=", "\\="),
    ("~", "\\~"),
    ("{", "\\{"),
    ("}", "\\}"),
    (":", "\\:"),
    ("\n", "\\n"),
    ("\r", ""),
)
"""Moodle's ``repchar`` table, applied in this order (the backslash first)."""


def gift_escape(text: str) -> str:
    """Escape *text* exactly as Moodle's GIFT exporter does (``repchar``)."""
    for char, escaped in _GIFT_RESERVED:
        text = text.replace(char, escaped)
    return text


def gift_category_name(name: str) -> str:
    """One category level: '/' doubled (Moodle splits paths on single slashes)."""
    name = _one_line(name).replace("/", "//")
    if name.startswith("/"):
        name = " " + name
    if name.endswith("/"):
        name = name + " "
    return name


def _category(quiz: Quiz, item: QuizItem) -> str:
    """One category per source document (items are grouped by document); the section
    is in the question name and tags."""
    levels = ["PAPI", item.source.document]
    return "$course$/top/" + "/".join(gift_category_name(level) for level in levels)


def _gift_tag(text: str) -> str:
    return text.replace("]", "\\]")


def to_gift(quiz: Quiz) -> str:
    """The quiz in Moodle GIFT."""
    blocks = [f"// {gift_escape(_one_line(quiz.title))} — seed {quiz.seed}"]
    current = ""
    for n, item in enumerate(quiz.items, start=1):
        category = _category(quiz, item)
        if category != current:
            blocks.append(f"$CATEGORY: {category}")
            current = category
        blocks.append(_gift_question(n, item))
    return "\n\n".join(blocks) + "\n"


def _gift_question(n: int, item: QuizItem) -> str:
    tags = " ".join(f"[tag:{_gift_tag(t)}]" for t in item.tags)
    lines = [f"// [id:{_gift_tag(item.id)}] {tags}".rstrip()]
    if item.needs_review:
        lines.append("// Cần rà soát: nội dung do mô hình ngôn ngữ viết lại.")
    name = f"::{gift_escape(_name(n, item))}::"
    feedback = f"####{gift_escape(item.explanation)}"
    if item.type == "true_false":
        value = "TRUE" if item.key == 0 else "FALSE"
        lines.append(f"{name}{gift_escape(item.stem)}{{{value}{feedback}}}")
        return "\n".join(lines)
    answers = [
        f"\t{'=' if i == item.key else '~'}{gift_escape(option)}"
        for i, option in enumerate(item.options)
    ]
    block = "{\n" + "\n".join(answers) + f"\n\t{feedback}\n}}"
    if item.type == "cloze" and BLANK in item.stem:
        before, after = item.stem.split(BLANK, 1)
        lines.append(f"{name}{gift_escape(before)}{block}{gift_escape(after)}")
    else:
        lines.append(f"{name}{gift_escape(item.stem)}{block}")
    return "\n".join(lines)


# -- Aiken --------------------------------------------------------------------------------

_AIKEN_OPTION = re.compile(r"^[A-Z][).][ \t]?")


def to_aiken(quiz: Quiz) -> str:
    """The quiz in Aiken (single-answer items only; no feedback survives)."""
    out = []
    for item in quiz.items:
        stem = _one_line(item.stem)
        if _AIKEN_OPTION.match(stem):
            stem = "Câu hỏi: " + stem  # would otherwise be read as an option line
        lines = [stem]
        lines += [f"{LETTERS[i]}. {_one_line(o)}" for i, o in enumerate(item.options)]
        lines.append(f"ANSWER: {LETTERS[item.key]}")
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


# -- Moodle XML ---------------------------------------------------------------------------


def _html(text: str) -> str:
    return f"<p>{html.escape(text, quote=False)}</p>"


def to_moodle_xml(quiz: Quiz) -> bytes:
    """The quiz in Moodle XML (UTF-8 bytes, the XML declaration on the first line)."""
    from lxml import etree

    root = etree.Element("quiz")

    def text_el(
        parent: Any, tag: str, value: str, fmt: str | None = "html", cdata: bool = True
    ) -> Any:
        el = etree.SubElement(parent, tag)
        if fmt:
            el.set("format", fmt)
        t = etree.SubElement(el, "text")
        t.text = etree.CDATA(value) if cdata and value else value
        return el

    current = ""
    for n, item in enumerate(quiz.items, start=1):
        category = _category(quiz, item)
        if category != current:
            q = etree.SubElement(root, "question", type="category")
            cat = etree.SubElement(q, "category")
            etree.SubElement(cat, "text").text = category
            current = category
        qtype = "truefalse" if item.type == "true_false" else "multichoice"
        q = etree.SubElement(root, "question", type=qtype)
        name = etree.SubElement(q, "name")
        etree.SubElement(name, "text").text = _name(n, item)
        text_el(q, "questiontext", _html(item.stem))
        text_el(q, "generalfeedback", _html(item.explanation))
        etree.SubElement(q, "defaultgrade").text = "1.0000000"
        etree.SubElement(q, "penalty").text = "1.0000000" if qtype == "truefalse" else "0.3333333"
        etree.SubElement(q, "hidden").text = "0"
        etree.SubElement(q, "idnumber").text = item.id
        if qtype == "multichoice":
            etree.SubElement(q, "single").text = "true"
            # Keys are already balanced over A–D and dates/numbers sorted: keep the order.
            etree.SubElement(q, "shuffleanswers").text = "false"
            etree.SubElement(q, "answernumbering").text = "ABCD"
            etree.SubElement(q, "showstandardinstruction").text = "0"
            text_el(q, "correctfeedback", "Chính xác.", cdata=False)
            text_el(q, "partiallycorrectfeedback", "", cdata=False)
            text_el(q, "incorrectfeedback", "Chưa đúng.", cdata=False)
            for i, option in enumerate(item.options):
                ans = etree.SubElement(q, "answer", fraction="100" if i == item.key else "0")
                ans.set("format", "html")
                etree.SubElement(ans, "text").text = etree.CDATA(html.escape(option, quote=False))
                fb = etree.SubElement(ans, "feedback", format="html")
                etree.SubElement(fb, "text").text = ""
        else:
            for value, index in (("true", 0), ("false", 1)):
                ans = etree.SubElement(q, "answer", fraction="100" if item.key == index else "0")
                ans.set("format", "moodle_auto_format")
                etree.SubElement(ans, "text").text = value
                fb = etree.SubElement(ans, "feedback", format="html")
                etree.SubElement(fb, "text").text = ""
        tags = etree.SubElement(q, "tags")
        for tag in item.tags + (["can-ra-soat"] if item.needs_review else []):
            etree.SubElement(etree.SubElement(tags, "tag"), "text").text = tag
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# -- CSV ----------------------------------------------------------------------------------

CSV_COLUMNS = (
    "number",
    "id",
    "type",
    "fact",
    "stem",
    "A",
    "B",
    "C",
    "D",
    "key",
    "key_text",
    "explanation",
    "document_id",
    "document",
    "section",
    "section_ref",
    "quote",
    "dimensions",
    "tags",
    "generator",
    "needs_review",
)


def to_csv(quiz: Quiz) -> str:
    """One row per item; true/false items fill A (Đúng) and B (Sai)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for n, item in enumerate(quiz.items, start=1):
        row: dict[str, Any] = {
            "number": n,
            "id": item.id,
            "type": item.type,
            "fact": item.fact,
            "stem": item.stem,
            "key": LETTERS[item.key],
            "key_text": item.key_text,
            "explanation": item.explanation,
            "document_id": item.source.document_id,
            "document": item.source.document,
            "section": item.source.section,
            "section_ref": item.source.section_ref,
            "quote": item.source.quote,
            "dimensions": ",".join(str(d) for d in item.dimensions),
            "tags": ";".join(item.tags),
            "generator": item.generator,
            "needs_review": "true" if item.needs_review else "false",
        }
        for i, letter in enumerate(LETTERS):
            row[letter] = item.options[i] if i < len(item.options) else ""
        writer.writerow(row)
    return buffer.getvalue()


# -- printable form: Markdown and Word -----------------------------------------------------

_REVIEW_NOTE = "(Cần rà soát: câu hỏi do mô hình ngôn ngữ viết lại.)"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", _one_line(text))


def _answer_line(item: QuizItem) -> str:
    return (
        f"Đáp án: {item.key_label}" if item.type == "true_false" else f"Đáp án: {LETTERS[item.key]}"
    )


def _basis(item: QuizItem) -> str:
    """The 'Căn cứ: …' part of the explanation."""
    text = item.explanation
    at = text.find("Căn cứ:")
    return text[at:] if at >= 0 else f"Căn cứ: {item.source.document}: “{item.source.quote}”"


def _key_table(quiz: Quiz) -> str:
    return "; ".join(
        f"{n}-{i.key_label if i.type == 'true_false' else LETTERS[i.key]}"
        for n, i in enumerate(quiz.items, start=1)
    )


def to_md(quiz: Quiz) -> str:
    """The printable form as Markdown: questions by document, then the key and the basis."""
    lines = [
        f"# {_md(quiz.title.upper())}",
        "",
        f"_Số câu: {len(quiz.items)} · mã đề (seed): {quiz.seed}_",
        "",
    ]
    for part, (document, items) in enumerate(_groups(quiz)):
        lines += [f"## PHẦN {_ROMAN[part % len(_ROMAN)]}. {_md(document.upper())}", ""]
        for n, item in items:
            lines.append(f"**Câu {n}:** {_md(item.stem)}")
            if item.needs_review:
                lines.append(f"_{_REVIEW_NOTE}_")
            lines.append("")
            for i, option in enumerate(item.options):
                lines.append(f"{LETTERS[i]}. {_md(option)}  ")
            lines.append("")
    lines += ["## ĐÁP ÁN", "", _key_table(quiz), "", "## ĐÁP ÁN VÀ CĂN CỨ", ""]
    for n, item in enumerate(quiz.items, start=1):
        lines += [f"**Câu {n}:** {_answer_line(item)}  ", _md(_basis(item)), ""]
    return "\n".join(lines).rstrip() + "\n"


def to_docx(quiz: Quiz) -> bytes:
    """The printable form as a Word document (python-docx)."""
    from docx import Document as WordDocument
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Pt

    doc = WordDocument()
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(quiz.title.upper())
    run.bold = True
    doc.add_paragraph(f"Số câu: {len(quiz.items)} · mã đề (seed): {quiz.seed}")
    for part, (document, items) in enumerate(_groups(quiz)):
        heading = doc.add_paragraph()
        heading.add_run(f"PHẦN {_ROMAN[part % len(_ROMAN)]}. {document.upper()}").bold = True
        for n, item in items:
            p = doc.add_paragraph()
            p.add_run(f"Câu {n}: ").bold = True
            p.add_run(_one_line(item.stem))
            if item.needs_review:
                note = doc.add_paragraph().add_run(_REVIEW_NOTE)
                note.italic = True
            for i, option in enumerate(item.options):
                doc.add_paragraph(f"{LETTERS[i]}. {_one_line(option)}")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_paragraph().add_run("ĐÁP ÁN").bold = True
    doc.add_paragraph(_key_table(quiz))
    doc.add_paragraph().add_run("ĐÁP ÁN VÀ CĂN CỨ").bold = True
    for n, item in enumerate(quiz.items, start=1):
        p = doc.add_paragraph()
        p.add_run(f"Câu {n}: ").bold = True
        p.add_run(_answer_line(item))
        doc.add_paragraph(_one_line(_basis(item)))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# -- dispatch -----------------------------------------------------------------------------

_EXPORTERS: dict[str, tuple[Callable[[Quiz], str | bytes], str, str]] = {
    "json": (to_json, "application/json", "json"),
    "gift": (to_gift, "text/plain; charset=utf-8", "gift.txt"),
    "aiken": (to_aiken, "text/plain; charset=utf-8", "aiken.txt"),
    "moodle-xml": (to_moodle_xml, "application/xml", "moodle.xml"),
    "csv": (to_csv, "text/csv; charset=utf-8", "csv"),
    "docx": (
        to_docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "md": (to_md, "text/markdown; charset=utf-8", "md"),
}


def export(quiz: Quiz, fmt: str) -> tuple[bytes, str, str]:
    """Render *quiz* as *fmt*: (content bytes, media type, suggested file name)."""
    try:
        render, media_type, extension = _EXPORTERS[fmt]
    except KeyError:
        raise ValueError(f"unknown quiz format '{fmt}'; use one of: {', '.join(FORMATS)}") from None
    content = render(quiz)
    if isinstance(content, str):
        content = content.encode("utf-8-sig" if fmt == "csv" else "utf-8")
    return content, media_type, f"papi-quiz-{quiz.seed}.{extension}"
