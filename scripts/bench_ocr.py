"""OCR accuracy and speed on the test set of ``scripts/ocr_testset.py``.

For each condition and preprocessing variant it runs the product's own OCR path
(``ingest.ocr.ocr_file``: the render child, then Tesseract ``vie``) and reports

* CER — character edit distance / ground-truth length, whitespace collapsed; lines are
  aligned first (difflib) and edit distance computed within aligned blocks, which is
  exact when OCR keeps the line order and an upper bound otherwise;
* word recall, order-free — share of ground-truth words (lower case, punctuation
  stripped) found in the OCR output, counted as multisets;
* for the ``header`` condition, how often số hiệu, date, issuer and type are read
  right by ``ingest.metadata`` from the OCR text;
* pages per minute (one Tesseract process at a time, ``OMP_THREAD_LIMIT=1``).

Usage::

    python scripts/bench_ocr.py data/ocr-testset [--variants none,binarise,red] [--split all]
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.metadata import extract_metadata  # noqa: E402
from ingest.ocr import OcrOptions, ocr_file  # noqa: E402
from ingest.structure import parse_outline  # noqa: E402
from vntext.normalize import clean_text  # noqa: E402

VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},  # OcrOptions() as the product runs it
    "none": {"steps": frozenset()},
    "binarise": {"steps": frozenset({"binarise"})},
    "red": {"steps": frozenset({"red"})},
    "red+binarise": {"steps": frozenset({"red", "binarise"})},
    "deskew": {"steps": frozenset({"deskew"})},
    "red+deskew": {"steps": frozenset({"red", "deskew"})},
    "nosplit": {"steps": frozenset({"red"}), "split_header": False},
    "split": {"steps": frozenset({"red"})},
}


def levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _lines(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text)
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def cer(truth: str, got: str) -> float:
    """Character error rate over whitespace-collapsed lines (see the module docstring)."""
    t_lines, g_lines = _lines(truth), _lines(got)
    distance = 0
    matcher = difflib.SequenceMatcher(None, t_lines, g_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        a, b = "\n".join(t_lines[i1:i2]), "\n".join(g_lines[j1:j2])
        distance += levenshtein(a, b) if a and b else len(a) + len(b)
    total = len("\n".join(t_lines))
    return distance / total if total else 0.0


_WORD = re.compile(r"[^\W_]+")


def word_recall(truth: str, got: str) -> float:
    want = Counter(_WORD.findall(unicodedata.normalize("NFC", truth).lower()))
    have = Counter(_WORD.findall(unicodedata.normalize("NFC", got).lower()))
    total = sum(want.values())
    return sum((want & have).values()) / total if total else 1.0


def header_hits(text: str, facts: dict[str, str]) -> dict[str, bool]:
    meta = extract_metadata(parse_outline(clean_text(text)))
    return {
        "number": meta.number == facts["number"],
        "issue_date": meta.issue_date == facts["issue_date"],
        "issuer": meta.issuer == facts["issuer"],
        "doc_type": meta.doc_type.lower() == facts["doc_type"].lower()
        or (facts["doc_type"] == "CÔNG VĂN" and meta.doc_type == ""),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("testset", type=Path)
    parser.add_argument("--variants", default="none,binarise,red,nosplit,split")
    parser.add_argument("--split", choices=("all", "tuning", "held-out"), default="all")
    parser.add_argument("--conditions", default="", help="comma-separated; default: all")
    parser.add_argument("--json", type=Path, help="also write per-page results here")
    args = parser.parse_args(argv)
    manifest = json.loads((args.testset / "manifest.json").read_text(encoding="utf-8"))
    if args.conditions:
        manifest = [m for m in manifest if m["condition"] in args.conditions.split(",")]
    if args.split != "all":
        manifest = [m for m in manifest if m["split"] == args.split]
    rows: list[dict[str, Any]] = []
    for variant in args.variants.split(","):
        options = OcrOptions(**VARIANTS[variant])
        for item in manifest:
            # Red removal only differs from "none" where there is colour: the stamp pages.
            if variant.startswith("red") and item["condition"] != "stamp":
                continue
            if variant in ("split", "nosplit") and item["condition"] != "header":
                continue
            data = (args.testset / item["image"]).read_bytes()
            truth = (args.testset / item["truth"]).read_text(encoding="utf-8")
            started = time.perf_counter()
            pages = ocr_file(data, "image", options)
            seconds = time.perf_counter() - started
            text = "\n\n".join(p.text for p in pages)
            row = {
                "variant": variant,
                "condition": item["condition"],
                "split": item["split"],
                "cer": cer(truth, text),
                "recall": word_recall(truth, text),
                "confidence": pages[0].confidence if pages else 0.0,
                "seconds": seconds,
            }
            if item.get("header"):
                row["header"] = header_hits(text, item["header"])
            rows.append(row)
            print(
                f"{variant:12s} {item['condition']:9s} {item['image']} cer={row['cer']:.4f} "
                f"recall={row['recall']:.4f} {seconds:.1f}s",
                file=sys.stderr,
            )
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    report(rows)
    return 0


def report(rows: list[dict[str, Any]]) -> None:
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[(row["condition"], row["variant"], row["split"])].append(row)
        groups[(row["condition"], row["variant"], "all")].append(row)
    print("| condition | variant | split | pages | CER mean | CER median | word recall | s/page |")
    print("|---|---|---|---|---|---|---|---|")
    for (condition, variant, split), items in sorted(groups.items()):
        print(
            f"| {condition} | {variant} | {split} | {len(items)} | "
            f"{100 * statistics.mean(r['cer'] for r in items):.2f} % | "
            f"{100 * statistics.median(r['cer'] for r in items):.2f} % | "
            f"{statistics.mean(r['recall'] for r in items):.4f} | "
            f"{statistics.mean(r['seconds'] for r in items):.2f} |"
        )
    headers = [r for r in rows if "header" in r]
    if headers:
        print("\n| variant | pages | số hiệu | date | issuer | type |")
        print("|---|---|---|---|---|---|")
        by_variant: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in headers:
            by_variant[r["variant"]].append(r)
        for variant, items in sorted(by_variant.items()):
            share = {
                k: sum(r["header"][k] for r in items) / len(items)
                for k in ("number", "issue_date", "issuer", "doc_type")
            }
            print(
                f"| {variant} | {len(items)} | {share['number']:.2f} | {share['issue_date']:.2f} "
                f"| {share['issuer']:.2f} | {share['doc_type']:.2f} |"
            )
    seconds = sum(r["seconds"] for r in rows)
    print(f"\n{len(rows)} OCR runs, {seconds:.0f} s: {60 * len(rows) / seconds:.1f} pages/minute")


if __name__ == "__main__":
    sys.exit(main())
