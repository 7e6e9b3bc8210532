"""Build the OCR test set: Vietnamese text from corpus/ and the legal data drawn as page images.

Each page is drawn in a Debian font with Vietnamese letters (Liberation Serif 2, the
Times New Roman twin most offices type in; DejaVu Serif as a second face) at 300 dpi,
then degraded in one of several conditions:

* ``clean``    — as drawn;
* ``noise``    — Gaussian sensor noise (σ 20) plus 0.5 % salt-and-pepper specks;
* ``blur``     — Gaussian blur, radius 1.3 px (an out-of-focus scanner);
* ``rotation`` — rotated 1.5–3.5° (a page fed askew);
* ``jpeg``     — JPEG quality 20 (a phone or e-mail scan);
* ``stamp``    — a red seal (ring, star, agency name) printed over the text;
* ``header``   — the two-column header of an administrative document (agency and số
  hiệu left, Quốc hiệu and date right) above the body.

Pages alternate between a tuning split and a held-out split (even/odd page number);
only keep/drop decisions for preprocessing are taken on the tuning split. Writes
``page-NNN.png|jpg`` + ``page-NNN.txt`` (ground truth, reading order: left header
block, right header block, body) and ``manifest.json`` (condition, split, source,
header facts). Usage::

    python scripts/ocr_testset.py --out data/ocr-testset [--pages-per-condition 8]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.scan_files import covers_vietnamese  # noqa: E402

LEGAL = ROOT.parent / "shared" / "data" / "legal"
FONTS = (
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
)
BOLD = {
    FONTS[0]: "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
    FONTS[1]: "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
}
CONDITIONS = ("clean", "noise", "blur", "rotation", "jpeg", "stamp", "header")
DPI = 300
LINES_PER_PAGE = 26
PROVINCES = ("QUẢNG NAM", "BÌNH THUẬN", "ĐÀ NẴNG", "HÀ TĨNH", "LÂM ĐỒNG", "THỪA THIÊN HUẾ")
AGENCIES = ("ỦY BAN NHÂN DÂN", "SỞ NỘI VỤ", "SỞ TƯ PHÁP", "BAN QUẢN LÝ CÁC KHU KINH TẾ")
TYPES = (("KẾ HOẠCH", "KH"), ("QUYẾT ĐỊNH", "QĐ"), ("BÁO CÁO", "BC"), ("CÔNG VĂN", ""))
SUBJECTS = (
    "Cải thiện, nâng cao Chỉ số hiệu quả quản trị và hành chính công",
    "Triển khai công tác cải cách hành chính năm 2024",
    "Tăng cường tiếp công dân và giải quyết khiếu nại, tố cáo",
    "Kiểm soát thủ tục hành chính trên địa bàn tỉnh",
)


def source_paragraphs() -> list[tuple[str, str]]:
    """(source name, paragraph) from corpus/ and the legal data, Markdown syntax removed."""
    files = sorted((ROOT / "corpus").glob("*.md"))
    if LEGAL.is_dir():
        files += sorted((LEGAL / "phapdien_admin").glob("*.md"))[:6]
        files += sorted((LEGAL / "congbot_tthc").rglob("*.md"))[:6]
    out: list[tuple[str, str]] = []
    for path in files:
        text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
        text = re.sub(r"^---\n.*?\n---\n", "", text, flags=re.S)  # front matter
        for block in re.split(r"\n\s*\n", text):
            lines = [ln for ln in block.splitlines() if not ln.lstrip().startswith(("|", "```"))]
            para = " ".join(" ".join(lines).split())
            para = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", para)  # links → their text
            para = re.sub(r"https?://\S+", "", para)
            para = para.replace("**", "").replace("__", "").lstrip("#>-* ").strip()
            if len(para) >= 40 and sum(c.isalpha() for c in para) > len(para) * 0.6:
                out.append((path.stem[:60], para))
    return out


def wrap(paragraph: str, face: Any, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in paragraph.split():
        trial = f"{current} {word}".strip()
        if face.getlength(trial) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def header_block(rng: random.Random) -> tuple[list[str], list[str], dict[str, str]]:
    """Left (agency, số hiệu) and right (Quốc hiệu, place and date) header lines."""
    province = rng.choice(PROVINCES)
    agency = rng.choice(AGENCIES)
    doc_type, code = rng.choice(TYPES)
    number = f"{rng.randint(12, 4999)}/{code + '-' if code else ''}UBND"
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2019, 2025)
    place = province.title() if province != "THỪA THIÊN HUẾ" else "Huế"
    left = [agency, f"TỈNH {province}", "", f"Số: {number}"]
    if not code:
        left.append("V/v " + rng.choice(SUBJECTS).lower())
    right = [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "",
        f"{place}, ngày {day} tháng {month} năm {year}",
    ]
    facts = {
        "number": number,
        "issue_date": f"{year:04d}-{month:02d}-{day:02d}",
        "issuer": f"{agency} TỈNH {province}",
        "doc_type": doc_type,
    }
    return left, right, facts


def draw(body: list[str], font: str, header: tuple[list[str], list[str]] | None) -> tuple[Any, str]:
    """The page image and its ground-truth text."""
    from PIL import Image, ImageDraw, ImageFont

    size = round(13 * DPI / 72)
    face = ImageFont.truetype(font, size)
    bold = ImageFont.truetype(BOLD.get(font, font), size)
    step = round(size * 1.5)
    margin = round(DPI * 0.8)
    width, height = round(8.27 * DPI), round(11.69 * DPI)
    page = Image.new("RGB", (width, height), "white")
    pen = ImageDraw.Draw(page)
    y = margin
    truth: list[str] = []
    if header:
        left, right = header
        half = (width - 2 * margin) // 2
        for column, lines in ((0, left), (1, right)):
            for row, line in enumerate(lines):
                if not line:
                    continue
                used = bold if row < 2 else face
                x = margin + column * half + (half - used.getlength(line)) / 2
                pen.text((x, y + row * step), line, font=used, fill="black")
            truth.extend(ln for ln in lines if ln)
        y += step * (max(len(left), len(right)) + 1)
    for line in body:
        pen.text((margin, y), line, font=face, fill="black")
        truth.append(line)
        y += step
    return page, "\n".join(truth)


def degrade(page: Any, condition: str, rng: random.Random) -> Any:
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    if condition == "noise":
        pixels = np.asarray(page.convert("L"), dtype=np.float32)
        noisy = pixels + np.random.default_rng(rng.randint(0, 2**31)).normal(0, 20, pixels.shape)
        specks = np.random.default_rng(rng.randint(0, 2**31)).random(pixels.shape)
        noisy[specks < 0.0025] = 0
        noisy[specks > 0.9975] = 255
        return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "L")
    if condition == "blur":
        return page.filter(ImageFilter.GaussianBlur(1.3))
    if condition == "rotation":
        angle = rng.choice((-1, 1)) * rng.uniform(1.5, 3.5)
        return page.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor="white")
    if condition == "stamp":
        seal = Image.new("RGBA", page.size, (0, 0, 0, 0))
        pen = ImageDraw.Draw(seal)
        radius = round(DPI * 0.75)
        cx = rng.randint(page.width // 3, page.width * 2 // 3)
        cy = rng.randint(page.height // 4, page.height // 2)
        red = (220, 30, 40, 170)
        pen.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=red, width=12)
        pen.ellipse(
            (cx - radius + 40, cy - radius + 40, cx + radius - 40, cy + radius - 40),
            outline=red,
            width=5,
        )
        face = ImageFont.truetype(FONTS[0], 42)
        pen.text((cx - 150, cy - 25), "ỦY BAN NHÂN DÂN", font=face, fill=red)
        pen.regular_polygon((cx, cy - 90, 40), 5, fill=red)
        return Image.alpha_composite(page.convert("RGBA"), seal).convert("RGB")
    return page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "ocr-testset")
    parser.add_argument("--pages-per-condition", type=int, default=8)
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args(argv)
    from PIL import ImageFont

    fonts = [f for f in FONTS if Path(f).is_file() and covers_vietnamese(Path(f))]
    if not fonts:
        print("no Vietnamese font: apt-get install fonts-liberation2 fonts-dejavu-core")
        return 1
    rng = random.Random(args.seed)
    paragraphs = source_paragraphs()
    args.out.mkdir(parents=True, exist_ok=True)
    manifest: list[dict[str, Any]] = []
    cursor = 0
    number = 0
    for condition in CONDITIONS:
        for index in range(args.pages_per_condition):
            font = fonts[index % len(fonts)]
            face = ImageFont.truetype(font, round(13 * DPI / 72))
            width = round(8.27 * DPI) - 2 * round(DPI * 0.8)
            header = header_block(rng) if condition == "header" else None
            budget = LINES_PER_PAGE - (7 if header else 0)
            body: list[str] = []
            sources: set[str] = set()
            while len(body) < budget:
                source, para = paragraphs[cursor % len(paragraphs)]
                cursor += 1
                sources.add(source)
                body.extend(wrap(para, face, width))
            body = body[:budget]
            page, truth = draw(body, font, (header[0], header[1]) if header else None)
            page = degrade(page, condition, rng)
            number += 1
            name = f"page-{number:03d}"
            suffix = ".jpg" if condition == "jpeg" else ".png"
            if condition == "jpeg":
                page.convert("RGB").save(
                    args.out / (name + suffix), "JPEG", quality=20, dpi=(DPI, DPI)
                )
            else:
                page.save(args.out / (name + suffix), dpi=(DPI, DPI))
            (args.out / (name + ".txt")).write_text(truth + "\n", encoding="utf-8")
            manifest.append(
                {
                    "image": name + suffix,
                    "truth": name + ".txt",
                    "condition": condition,
                    "split": "tuning" if number % 2 == 0 else "held-out",
                    "font": Path(font).stem,
                    "sources": sorted(sources),
                    "header": header[2] if header else None,
                }
            )
    (args.out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print(f"{len(manifest)} pages in {args.out} ({len(paragraphs)} source paragraphs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
