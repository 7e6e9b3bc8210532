"""Build ``corpus/library/`` from ``../shared/data/legal`` and write its PROVENANCE.md.

    .venv/bin/python scripts/build_library.py [--legal ../shared/data/legal] [--check]

The library is the legal framework staff need to carry out a PAPI plan. State legal texts
are not protected by copyright (Luật Sở hữu trí tuệ 2005, Điều 15), so they ship. Files
are copied byte for byte (``processed/`` variants where they exist) under shorter names;
the three documents the Công Bot project split into ``chunk_N.md`` parts are joined back
into one file each (see ``_join_parts``) with a small YAML front matter whose values come
only from the document's own text. ``--check`` rebuilds in memory and fails when a
shipped file or PROVENANCE.md differs (a test runs the same comparison).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LIBRARY = REPO / "corpus" / "library"
DEFAULT_LEGAL = REPO.parent / "shared" / "data" / "legal"


@dataclass(frozen=True)
class Entry:
    """One shipped file: where it comes from and what (if anything) was changed."""

    name: str  # file name in corpus/library (its stem is the document id)
    source: str  # path under shared/data/legal (a folder for joined parts)
    front_matter: str = ""  # YAML lines added on top (joined documents only)


_VLC = "vlc_admin_laws/processed/"
_PD = "phapdien_admin/"
_CB = "congbot_tthc/"

ENTRIES: tuple[Entry, ...] = (
    Entry("luat-tiep-cong-dan-2013.txt", _VLC + "Luat-tiep-cong-dan-2013-215839.txt"),
    Entry("luat-khieu-nai-2011.txt", _VLC + "Luat-khieu-nai-2011-132446.txt"),
    Entry("luat-to-cao-2018.txt", _VLC + "Luat-To-cao-336713.txt"),
    Entry("luat-phong-chong-tham-nhung-2018.txt", _VLC + "Luat-Phong-chong-tham-nhung-322049.txt"),
    Entry("luat-tiep-can-thong-tin-2016.txt", _VLC + "Luat-tiep-can-thong-tin-2016-280116.txt"),
    Entry(
        "phap-dien-thuc-hien-dan-chu-o-co-so.md",
        _PD + "xay-dung-phap-luat-va-thi-hanh-phap-luat__thuc-hien-dan-chu-o-co-so.md",
    ),
    Entry(
        "phap-dien-kiem-soat-thu-tuc-hanh-chinh.md",
        _PD + "xay-dung-phap-luat-va-thi-hanh-phap-luat__kiem-soat-thu-tuc-hanh-chinh.md",
    ),
    Entry(
        "phap-dien-tiep-nhan-xu-ly-phan-anh-kien-nghi.md",
        _PD + "xay-dung-phap-luat-va-thi-hanh-phap-luat__"
        "tiep-nhan-xu-ly-phan-anh-kien-nghi-cua-ca-nhan-to-chuc-ve-quy-dinh-hanh-chinh.md",
    ),
    Entry(
        "phap-dien-phong-chong-tham-nhung.md", _PD + "khieu-nai-to-cao__phong-chong-tham-nhung.md"
    ),
    Entry("phap-dien-tiep-cong-dan.md", _PD + "khieu-nai-to-cao__tiep-cong-dan.md"),
    Entry(
        "phap-dien-tiep-can-thong-tin.md",
        _PD + "thong-tin-bao-chi-xuat-ban__tiep-can-thong-tin.md",
    ),
    Entry("phap-dien-cong-tac-van-thu.md", _PD + "van-thu-luu-tru__cong-tac-van-thu.md"),
    Entry(
        "nghi-dinh-63-2010-nd-cp.md",
        _CB + "63_2010_NĐ_CP",
        'notes: "Văn bản gốc ban hành ngày 08/6/2010, chưa hợp nhất các lần sửa đổi. Nghị định'
        " 48/2013/NĐ-CP (có trong thư viện) sửa đổi, bổ sung một số điều của Nghị định này;"
        " Quyết định 1766/QĐ-UBND và Bộ pháp điển (đề mục Kiểm soát thủ tục hành chính) còn"
        ' dẫn Nghị định 92/2017/NĐ-CP sửa đổi, bổ sung."\n',
    ),
    Entry(
        "nghi-dinh-48-2013-nd-cp.md",
        _CB + "48_2013_NĐ_CP",
        'notes: "Sửa đổi, bổ sung Nghị định 63/2010/NĐ-CP về kiểm soát thủ tục hành chính và'
        ' các nghị định liên quan (Nghị định 20/2008/NĐ-CP, 36/2012/NĐ-CP, 55/2011/NĐ-CP)."\n',
    ),
    Entry(
        "quyet-dinh-1766-qd-ubnd-2020-binh-thuan.md",
        _CB + "1766_2020_QĐ_UBND",
        'notes: "Quyết định của Chủ tịch Ủy ban nhân dân tỉnh Bình Thuận (không phải tỉnh'
        " Quảng Nam): công bố danh mục thủ tục hành chính ngành Tư pháp được sửa đổi, bổ sung,"
        ' bãi bỏ; phụ lục là bảng mã số, thời hạn, phí, căn cứ pháp lý của từng thủ tục."\n',
    ),
)

# A line the Công Bot author put above each part ("# 63_2010_NĐ_CP_ch1_art1_6", and in
# the first part a title of their own, once a wrong one): not text of the document.
_AUTHOR_HEADING = re.compile(r"^#\s")


def _origin(legal: Path, source: str) -> str:
    """The ``SOURCE REPO`` entry of the source folder's PROVENANCE.txt (repo and commit)."""
    folder = source.split("/")[0]
    lines = (legal / folder / "PROVENANCE.txt").read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("SOURCE REPO:"))
    entry = lines[start].removeprefix("SOURCE REPO:")
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        entry += " " + line.strip()
    # The first sentence, without the per-file path pattern that follows the commit.
    entry = entry.split(". ")[0].split(", paths")[0]
    return " ".join(entry.split())


def _join_parts(folder: Path) -> tuple[str, list[Path]]:
    """The document text of a Công Bot folder: its parts in metadata.json order.

    Each part loses its leading author heading lines; a part that continues a Markdown
    table (starts with "|" after a part that ended with "|") is joined by one newline so
    the table stays one table, other parts by a blank line.
    """
    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    parts = [folder / Path(chunk["file_path"]).name for chunk in meta["chunks"]]
    text = ""
    for part in parts:
        lines = part.read_text(encoding="utf-8").split("\n")
        while lines and (_AUTHOR_HEADING.match(lines[0]) or not lines[0].strip()):
            lines.pop(0)
        body = "\n".join(lines).strip()
        if not text:
            text = body
        elif body.startswith("|") and text.rstrip().endswith("|"):
            text = text.rstrip() + "\n" + body
        else:
            text = text.rstrip() + "\n\n" + body
    return text + "\n", parts


def build(legal: Path) -> tuple[dict[str, bytes], str]:
    """The shipped files (name -> bytes) and the PROVENANCE.md text."""
    files: dict[str, bytes] = {}
    rows: list[str] = []
    for entry in ENTRIES:
        source = legal / entry.source
        if source.is_dir():
            body, parts = _join_parts(source)
            data = f"---\n{entry.front_matter}---\n\n{body}".encode()
            changed = (
                f"joined {len(parts)} parts (chunk_1…chunk_{len(parts)}, metadata.json order);"
                " removed the repo author's heading line(s) above each part; added YAML front"
                " matter (notes only, from the document's text)"
            )
        else:
            data = source.read_bytes()
            changed = "none (byte-for-byte copy, renamed)"
        files[entry.name] = data
        digest = hashlib.sha256(data).hexdigest()
        rows.append(
            f"| `{entry.name}` | {len(data):,} | `{entry.source}` | {_origin(legal, entry.source)}"
            f" | `{digest}` | {changed} |"
        )
    total = sum(len(d) for d in files.values())
    provenance = (
        _PROVENANCE_HEAD
        + "\n".join(rows)
        + "\n"
        + _PROVENANCE_TAIL.format(count=len(files), total=f"{total:,}")
    )
    return files, provenance


_PROVENANCE_HEAD = """\
# Nguồn gốc thư viện văn bản / Library provenance

**Tiếng Việt.** Thư mục này là thư viện văn bản pháp luật đi kèm sản phẩm: luật, nghị định,
đề mục Bộ pháp điển và một quyết định cấp tỉnh về thủ tục hành chính, chọn từ
`shared/data/legal`. Văn bản quy phạm pháp luật, văn bản hành chính của Nhà nước không thuộc
đối tượng bảo hộ quyền tác giả (Luật Sở hữu trí tuệ 2005, Điều 15), nên được phép đi kèm.
Tệp này (PROVENANCE.md) không được nạp vào chỉ mục.

**English.** The legal library shipped with the product, chosen from `shared/data/legal`.
State legal texts are not copyright-protected (Luật SHTT 2005, Điều 15). Built by
`scripts/build_library.py`; `tests/test_library.py` checks every file against the sha256 below
(and, where `shared/data/legal` is present, that a rebuild gives the same bytes). This file is
not ingested (`ingest.pipeline.discover` skips files named PROVENANCE.*). The ALQAC evaluation
data never ships.

| File | Bytes | Source (under shared/data/legal) | Origin (that folder's PROVENANCE.txt) \
| sha256 | Changed |
|---|---|---|---|---|---|
"""

_PROVENANCE_TAIL = """
{count} files, {total} bytes in total.

Notes:
- `vlc_admin_laws/processed/` holds the whitespace-cleaned scrape (thuvienphapluat.vn pages
  via underthesea's CP_Vietnamese-VLC corpus) of each law as passed, not a consolidated text.
- The pháp điển pages (Bộ pháp điển, rendered by diepxuan.github.io) mix several instruments of
  one topic; each article carries a line naming its original document and article.
- `quyet-dinh-1766-qd-ubnd-2020-binh-thuan.md` is a decision of the Chairman of the People's
  Committee of Bình Thuận province (not Quảng Nam), shipped as a real procedure text with
  TTHC tables. The Công Bot author's first heading above it named a wrong document
  (Khánh Hòa, QĐ 290/2005); it was one of the removed heading lines.
- Statuses: no shipped document is marked superseded, because no verified fact
  (papi_facts.md, [V]) says any of them was replaced; partial amendments are in `notes`.
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--legal", type=Path, default=DEFAULT_LEGAL)
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args()
    files, provenance = build(args.legal)
    if args.check:
        bad = [n for n, d in files.items() if (LIBRARY / n).read_bytes() != d]
        if (LIBRARY / "PROVENANCE.md").read_text(encoding="utf-8") != provenance:
            bad.append("PROVENANCE.md")
        print("differs: " + ", ".join(bad) if bad else "library is up to date")
        return 1 if bad else 0
    LIBRARY.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (LIBRARY / name).write_bytes(data)
    (LIBRARY / "PROVENANCE.md").write_text(provenance, encoding="utf-8")
    print(f"wrote {len(files)} files to {LIBRARY}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
