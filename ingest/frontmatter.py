"""Front matter: metadata written above the text, which must never become content.

Two kinds occur in our files:

* a YAML block between ``---`` lines at the very top (our restored corpus files and
  the Jekyll pháp điển pages: ``layout``, ``title``, ``permalink``…);
* the pháp điển pages' "## THÔNG TIN VĂN BẢN" table, a property table whose values
  are almost always "Đang cập nhật" (being updated), followed by "## VĂN BẢN".

Values found here override what ``metadata`` infers from the text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import yaml

from vntext.normalize import fold

_MAX_FRONT_MATTER_CHARS = 64 * 1024  # a YAML block larger than this is not front matter
_FENCE_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)

# DocumentInfo fields a front-matter key may set, by key.
_FIELD_KEYS = {
    "id": "id",
    "title": "title",
    "doc_type": "doc_type",
    "number": "number",
    "issuer": "issuer",
    "issue_date": "issue_date",
    "references": "references",
    "status": "status",
    "superseded_by": "superseded_by",
    "source": "source",
    "notes": "notes",
    "number_note": "notes",
}
_STATUSES = {"in_force", "superseded", "reference"}

_PLACEHOLDER = "dang cap nhat"  # "Đang cập nhật": the page has no value yet
_INFO_HEADING = re.compile(r"^#{1,6}\s*THÔNG TIN VĂN BẢN\s*$", re.IGNORECASE)
_TEXT_HEADING = re.compile(r"^#{1,6}\s*VĂN BẢN\s*$", re.IGNORECASE)
_INFO_KEYS = {
    "so hieu": "number",
    "loai van ban": "doc_type",
    "noi ban hanh": "issuer",
    "co quan ban hanh": "issuer",
    "ngay ban hanh": "issue_date",
}
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split a leading YAML ``---`` block off *text*; return ``(data, rest)``.

    Text without a parsable mapping at the top is returned unchanged with ``{}``:
    a lone ``---`` is also a Markdown rule, and guessing would eat content.
    """
    if not text.startswith("---"):
        return {}, text
    first_break = text.find("\n")
    if first_break < 0 or text[:first_break].strip() != "---":
        return {}, text
    end = _FENCE_END.search(text, first_break + 1, first_break + 1 + _MAX_FRONT_MATTER_CHARS)
    if end is None:
        return {}, text
    try:
        data = yaml.safe_load(text[first_break + 1 : end.start()])
    except yaml.YAMLError:
        return {}, text
    if not isinstance(data, dict):
        return {}, text
    return data, text[end.end() :].lstrip("\n")


def front_matter_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """Map front-matter keys onto :class:`~ingest.model.DocumentInfo` field values.

    Unknown keys (Jekyll's ``layout``, ``permalink``…) are ignored; scalars become
    strings, dates ISO strings, ``references`` a tuple of strings. ``number_note``
    is stored as ``notes``. A key given with an empty value sets the field to "".
    """
    fields: dict[str, Any] = {}
    notes: list[str] = []
    for key, value in data.items():
        field_name = _FIELD_KEYS.get(str(key).strip().lower())
        if field_name is None:
            continue
        if value is None:
            value = ""
        if field_name == "references":
            items = value if isinstance(value, list) else [value]
            refs = tuple(s for s in (_scalar(v) for v in items) if s)
            fields["references"] = refs
            continue
        text = _scalar(value)
        if field_name == "notes":
            if text:
                notes.append(text)
        elif field_name == "status":
            # Only the contract's values; a free-text status says nothing we can use.
            if text in _STATUSES:
                fields["status"] = text
        elif text or field_name != "id":
            # An explicit empty value ("number: ''") states that the document has
            # none, so it overrides whatever the text seemed to say.
            fields[field_name] = text
    if notes:
        fields["notes"] = "; ".join(notes)
    return fields


def _scalar(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return " ".join(str(value).split())
    return ""  # nested structures are not metadata we understand


def strip_info_table(text: str) -> tuple[dict[str, str], str]:
    """Remove the pháp điển "THÔNG TIN VĂN BẢN" block; return ``(fields, rest)``.

    The block is the heading, its property table, an optional ``---`` rule and the
    "## VĂN BẢN" heading that follows. Only values other than "Đang cập nhật" are
    returned (as DocumentInfo fields).
    """
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines[:200]) if _INFO_HEADING.match(line)), None)
    if start is None:
        return {}, text
    fields: dict[str, str] = {}
    end = start + 1
    while end < len(lines):
        line = lines[end].strip()
        if line.startswith("|"):
            _read_info_row(line, fields)
        elif line and line != "---":
            break
        end += 1
    if end < len(lines) and _TEXT_HEADING.match(lines[end].strip()):
        end += 1
    return fields, "\n".join(lines[:start] + lines[end:])


def _read_info_row(line: str, fields: dict[str, str]) -> None:
    cells = [c.strip().strip("*").strip() for c in line.strip().strip("|").split("|")]
    if len(cells) < 2:
        return
    key = _INFO_KEYS.get(fold(cells[0]))
    value = cells[1]
    if key is None or not value or fold(value) == _PLACEHOLDER:
        return
    if key == "issue_date":
        match = _DMY.match(value)
        if not match:
            return
        day, month, year = (int(g) for g in match.groups())
        try:
            value = dt.date(year, month, day).isoformat()
        except ValueError:
            return
    fields[key] = value
